"""Peer work's demo loads a believable year of practice once, and adds nothing when run
again."""

import io

import pytest
from django.core.management import call_command

from peers.demo import DEMO_SUPERVISOR_EMAIL, DEMO_WORKER_EMAIL, load_peers_demo
from peers.models import (
    CompetenceEvidence,
    CompetenceSignOff,
    JobApplication,
    PeerWorker,
    SafeguardingConcern,
    SessionLog,
    Supervision,
    WellbeingCheckIn,
)

pytestmark = pytest.mark.django_db


def test_the_peer_work_demo_loads_a_year_of_practice_once(settings):
    settings.DEBUG = True
    call_command("demo_cms", verbosity=0)
    call_command("demo_peers", stdout=io.StringIO())

    assert PeerWorker.objects.count() >= 25
    jo = PeerWorker.objects.get(user__email=DEMO_WORKER_EMAIL)
    assert jo.organisation.name == "Mind in Northdale"
    assert list(jo.supervisors.values_list("email", flat=True)) == [DEMO_SUPERVISOR_EMAIL]
    assert PeerWorker.objects.values("organisation").distinct().count() >= 5
    assert PeerWorker.objects.values("level").distinct().count() == 5
    leavers = PeerWorker.objects.filter(status=PeerWorker.Status.LEFT)
    assert leavers.count() == 2
    assert all(w.left_on and w.leaving_reason for w in leavers)

    assert SessionLog.objects.count() >= 2000
    assert SessionLog.objects.filter(group_size__gt=1).exists()
    assert SessionLog.topics.through.objects.exists()
    assert SessionLog.signposted_to.through.objects.exists()
    assert SessionLog.objects.filter(worker=jo).count() > 100

    open_concerns = SafeguardingConcern.objects.filter(acknowledged_at__isnull=True)
    assert 2 <= open_concerns.count() <= 5
    assert open_concerns.filter(worker=jo).exists()
    assert SafeguardingConcern.objects.filter(acknowledged_at__isnull=False).exists()
    assert Supervision.objects.exists()
    assert WellbeingCheckIn.objects.filter(shared_with_supervisor=True).exists()
    assert WellbeingCheckIn.objects.filter(shared_with_supervisor=False).exists()

    # The command goes on to recruitment and the pathway: candidates at every stage, and
    # evidence and sign-offs for the workers made above.
    assert set(JobApplication.objects.values_list("stage", flat=True)) == set(
        JobApplication.Stage.values
    )
    assert CompetenceEvidence.objects.filter(worker=jo).exists()
    assert CompetenceSignOff.objects.exists()

    def counts():
        return [
            model.objects.count()
            for model in (PeerWorker, SessionLog, Supervision, JobApplication, CompetenceEvidence)
        ]

    before = counts()
    assert load_peers_demo()["created"] == 0
    call_command("demo_peers", stdout=io.StringIO())
    assert counts() == before
