"""The pathway's demo data: believable records for every current worker, made once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from peers.demo_progression import load_progression_demo
from peers.models import (
    CompetenceEvidence,
    CompetenceSignOff,
    InductionItem,
    ProgressionReview,
    TrainingRecord,
)
from peers.selectors.progression import pathway_of
from tests.conftest import sign_in
from tests.factories import PeerWorkerFactory, level

pytestmark = pytest.mark.django_db


@pytest.fixture
def workers(organisation):
    today = timezone.localdate()
    slugs = [
        "trainee",
        "peer-support-worker",
        "senior-peer-support-worker",
        "peer-lead",
        "lived-experience-practitioner",
    ]
    made = [
        PeerWorkerFactory(
            organisation=organisation,
            level=level(slug),
            start_date=today - timedelta(days=700 + 40 * n),
        )
        for n, slug in enumerate(slugs)
    ]
    made.append(
        PeerWorkerFactory(
            organisation=organisation, level=level("trainee"), start_date=today - timedelta(days=60)
        )
    )
    made.append(PeerWorkerFactory(organisation=organisation, left=True))
    return made


def test_the_demo_gives_every_current_worker_a_pathway_once(workers, client):
    first = load_progression_demo()
    assert first["evidence"] > 20 and first["sign_offs"] > 15 and first["reviews"] >= 4
    assert load_progression_demo() == first  # idempotent

    leaver = workers[-1]
    assert not CompetenceEvidence.objects.filter(worker=leaver).exists()
    # Nothing is signed off without evidence.
    for sign_off in CompetenceSignOff.objects.all():
        assert CompetenceEvidence.objects.filter(
            worker=sign_off.worker, competence=sign_off.competence
        ).exists()
    # Each worker above trainee has the review that brought them to their level.
    for worker in workers[1:5]:
        review = ProgressionReview.objects.filter(worker=worker, decision="progress").get()
        assert review.to_level == worker.level
        pathway = pathway_of(worker)
        assert pathway.level_since == review.date
        assert pathway.other_sign_offs  # earlier levels' competences, signed off
    assert TrainingRecord.objects.filter(expires_on__lt=timezone.localdate()).exists()
    # The recent starter has an induction, ticked as far as it should be, one step late.
    starter = workers[5]
    items = InductionItem.objects.filter(worker=starter)
    assert items.filter(done_on__isnull=False).exists()
    assert items.get(key="mandatory-training").done_on is None
    assert not InductionItem.objects.filter(worker=workers[1]).exists()

    sign_in(client, workers[2].user)
    page = client.get("/peer-work/pathway/").content.decode()
    assert "What is left for Peer lead" in page
