"""The recruitment demo loads vacancies and candidates at every stage, once."""

import pytest

from peers.demo_recruitment import load_recruitment_demo
from peers.models import JobApplication, PeerWorker, Vacancy
from peers.selectors import recruitment as selectors

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_stage_and_loads_only_once():
    made = load_recruitment_demo()
    assert made["vacancies"] == 4
    stages = set(JobApplication.objects.values_list("stage", flat=True))
    assert stages == set(JobApplication.Stage.values)
    assert set(Vacancy.objects.values_list("status", flat=True)) == {"draft", "open", "closed"}
    started = JobApplication.objects.filter(stage="started")
    assert PeerWorker.objects.filter(job_application__in=started).count() == 2
    assert len(selectors.vacancies_open(_anonymous())) == 2

    counts = (Vacancy.objects.count(), JobApplication.objects.count())
    assert load_recruitment_demo() == {"vacancies": 0, "applications": 0}
    assert (Vacancy.objects.count(), JobApplication.objects.count()) == counts


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
