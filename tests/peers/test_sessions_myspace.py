"""My space for session logs: a worker's quick-log panel with their latest sessions and this
week's total; a supervisor's supervisees' sessions this week; each costing the same queries
with 3 sessions or 30."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import (
    OrganisationFactory,
    PeerWorkerFactory,
    SafeguardingConcernFactory,
    SessionLogFactory,
    SupervisorFactory,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

MY_SPACE = "/my-space/"


def panel(response, heading: str) -> str:
    soup = BeautifulSoup(response.content, "html.parser")
    for section in soup.select(".lep-panels > section"):
        if section.h2 and section.h2.get_text(strip=True) == heading:
            return " ".join(section.get_text(" ").split())
    return ""


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def supervisor(organisation):
    return SupervisorFactory(organisation=organisation, mfa=True)


@pytest.fixture
def worker(organisation, supervisor):
    return PeerWorkerFactory(
        organisation=organisation, supervisors=[supervisor], user__first_name="Sam"
    )


def test_a_worker_can_log_or_repeat_from_my_space_and_sees_their_latest(client, worker):
    today = timezone.localdate()
    SessionLogFactory(worker=worker, date=today, setting="phone", duration_minutes=30)
    SessionLogFactory(worker=worker, date=today - timedelta(days=20), setting="ward")
    sign_in(client, worker.user)
    response = client.get(MY_SPACE)
    text = panel(response, "Your sessions")
    assert "Log a session" in text
    assert "Repeat last session" in text
    assert "Phone, 30 minutes" in text
    assert "Ward" in text
    assert "This week: 1 session, 30 minutes." in text
    html = response.content.decode()
    assert 'href="/peer-work/sessions/log/"' in html
    assert 'href="/peer-work/sessions/log/?repeat=last"' in html


def test_a_new_worker_is_told_they_have_no_sessions_yet(client, worker):
    sign_in(client, worker.user)
    text = panel(client.get(MY_SPACE), "Your sessions")
    assert "You have not logged any sessions yet." in text
    assert "Repeat last session" not in text


def test_a_worker_sees_their_concerns_waiting_for_a_supervisor(client, worker):
    SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    sign_in(client, worker.user)
    text = panel(client.get(MY_SPACE), "Your sessions")
    assert "1 safeguarding concern you raised is waiting for a supervisor" in text


def test_people_without_a_worker_record_see_no_sessions_panel(client_as):
    assert panel(client_as("peer_worker").get(MY_SPACE), "Your sessions") == ""
    assert panel(client_as("member").get(MY_SPACE), "Your sessions") == ""


def test_a_supervisor_sees_each_supervisees_sessions_this_week(client, supervisor, worker):
    SessionLogFactory.create_batch(2, worker=worker, date=timezone.localdate())
    SessionLogFactory(worker=worker, date=timezone.localdate() - timedelta(days=30))
    sign_in(client, supervisor)
    text = panel(client.get(MY_SPACE), "Your supervisees' sessions")
    assert "Sam" in text
    assert "2 sessions" in text


def test_the_workers_my_space_costs_the_same_queries_with_3_or_30_sessions(client, worker):
    sign_in(client, worker.user)
    SessionLogFactory.create_batch(3, worker=worker)
    queries_for(client, MY_SPACE)
    few = queries_for(client, MY_SPACE)
    SessionLogFactory.create_batch(27, worker=worker)
    SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    assert queries_for(client, MY_SPACE) == few


def test_the_supervisors_my_space_costs_the_same_queries_with_3_or_30_sessions(
    client, supervisor, worker, organisation
):
    sign_in(client, supervisor)
    second = PeerWorkerFactory(organisation=organisation, supervisors=[supervisor])
    SessionLogFactory.create_batch(3, worker=worker)
    queries_for(client, MY_SPACE)
    few = queries_for(client, MY_SPACE)
    SessionLogFactory.create_batch(14, worker=worker)
    SessionLogFactory.create_batch(13, worker=second)
    assert queries_for(client, MY_SPACE) == few
