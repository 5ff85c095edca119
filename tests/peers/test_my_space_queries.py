"""My space for a peer worker with a full history (sessions, concerns, supervision and its
actions, evidence, sign-offs, training, reviews, induction, check-ins, feedback), and for a
supervisor and an admin who oversee many workers, costs at most 15 queries, the same with 3
of each or 30; and what the panels say still matches the records."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from coproduce.factories import FeedbackFactory
from peers.factories import (
    CompetenceEvidenceFactory,
    CompetenceFactory,
    CompetenceSignOffFactory,
    PeerWorkerFactory,
    ProgressionReviewFactory,
    SafeguardingConcernFactory,
    SessionLogFactory,
    SupervisionActionFactory,
    SupervisionFactory,
    TeamFactory,
    TrainingCourseFactory,
    TrainingRecordFactory,
    WellbeingCheckInFactory,
)
from peers.models import Competence, InductionItem, Level
from tests.conftest import sign_in
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

BUDGET = 15  # issue 19: every page at most 15 queries, the same whatever the data size


def page_text(client) -> str:
    response = client.get("/my-space/")
    assert response.status_code == 200
    return " ".join(BeautifulSoup(response.content, "html.parser").text.split())


def next_level(worker) -> Level:
    return Level.objects.filter(order__gt=worker.level.order).order_by("order").first()


def needed(worker) -> int:
    """How many competences the next level asks for (those the migration seeds, and more)."""
    return Competence.objects.filter(levels=next_level(worker)).count()


def give_history(worker, *, n: int, start: int = 0):
    """``n`` more of everything My space shows a peer worker about their own work."""
    today = timezone.localdate()
    ahead = next_level(worker)
    for i in range(start, start + n):
        SessionLogFactory(worker=worker, date=today, duration_minutes=30)
        SessionLogFactory(worker=worker, date=today - timedelta(days=30 + i))
        SafeguardingConcernFactory(session__worker=worker)
        supervision = SupervisionFactory(worker=worker, date=today - timedelta(days=60 + i))
        SupervisionActionFactory(supervision=supervision, description=f"Action {i}")
        competence = CompetenceFactory(levels=[ahead])
        CompetenceEvidenceFactory(worker=worker, competence=competence)
        CompetenceSignOffFactory(worker=worker, competence=competence)
        course = TrainingCourseFactory(levels=[ahead])
        TrainingRecordFactory(worker=worker, training=course)
        ProgressionReviewFactory(
            worker=worker, decision="defer", date=today - timedelta(days=100 + i)
        )
        InductionItem.objects.create(
            worker=worker,
            key=f"step-{i}",
            title=f"Step {i}",
            target_week=1,
            order=i,
            done_on=today if i % 2 else None,
        )
        WellbeingCheckInFactory(worker=worker)
        FeedbackFactory(author=worker.user)


def test_a_peer_worker_with_a_full_history_sees_my_space_in_15_queries_with_3_or_30(client):
    worker = PeerWorkerFactory(user__first_name="Sam")
    ProgressionReviewFactory(worker=worker)  # how they reached their level
    sign_in(client, worker.user)
    give_history(worker, n=3)
    client.get("/my-space/")  # the first request after signing in does more
    few = queries_for(client, "/my-space/")
    text = page_text(client)
    assert "This week: 3 sessions, 90 minutes." in text
    assert "3 safeguarding concerns you raised are waiting for a supervisor" in text
    assert "3 actions you agreed:" in text
    assert f"3 of {needed(worker)} competences signed off" in text
    assert "Induction: 1 of 3 steps done." in text
    assert "Your last check-in was on" in text

    give_history(worker, n=27, start=3)
    client.get("/my-space/")  # new pages were published: the site's shell is read again
    many = queries_for(client, "/my-space/")
    text = page_text(client)
    assert "This week: 30 sessions, 900 minutes." in text
    assert "30 safeguarding concerns you raised are waiting for a supervisor" in text
    assert "30 actions you agreed:" in text
    assert f"30 of {needed(worker)} competences signed off" in text
    assert "Induction: 15 of 30 steps done." in text
    assert many == few
    assert few <= BUDGET


def test_a_finished_induction_is_no_longer_mentioned(client):
    worker = PeerWorkerFactory()
    InductionItem.objects.create(
        worker=worker, key="done", title="Done", target_week=1, done_on=timezone.localdate()
    )
    sign_in(client, worker.user)
    text = page_text(client)
    assert "Your progression" in text
    assert "Induction:" not in text


def test_a_peer_worker_new_to_everything_sees_empty_states(client):
    worker = PeerWorkerFactory()
    sign_in(client, worker.user)
    text = page_text(client)
    assert "This week: 0 sessions, 0 minutes." in text
    assert "You have not logged any sessions yet." in text
    assert "A 2-minute check-in" in text
    assert "Induction:" not in text


def oversee(supervisor, *, organisation, n: int):
    """``n`` more workers supervised by ``supervisor``, each inducting, in a new team,
    overdue for supervision, with a session this week and an open concern."""
    for _ in range(n):
        worker = PeerWorkerFactory(
            organisation=organisation,
            supervisors=[supervisor],
            team=TeamFactory(organisation=organisation),
        )
        InductionItem.objects.create(worker=worker, key="step", title="Step", target_week=1)
        SessionLogFactory(worker=worker, date=timezone.localdate())
        SafeguardingConcernFactory(session__worker=worker)


@pytest.mark.parametrize("role", ["supervisor", "hr", "admin"])
def test_those_who_oversee_workers_see_my_space_in_15_queries_with_3_or_30(
    role, client, make_person, organisation
):
    person = make_person(role)
    supervisor = person if role == "supervisor" else make_person("supervisor")
    sign_in(client, person)
    oversee(supervisor, organisation=organisation, n=3)
    client.get("/my-space/")
    few = queries_for(client, "/my-space/")
    text = page_text(client)
    assert "You can see the pathways of 3 peer workers." in text
    assert "3 are still in induction:" in text
    oversee(supervisor, organisation=organisation, n=27)
    client.get("/my-space/")
    many = queries_for(client, "/my-space/")
    text = page_text(client)
    assert "You can see the pathways of 30 peer workers." in text
    assert "30 are still in induction:" in text
    assert many == few
    assert few <= BUDGET
