"""Hours and activity: a worker's own summary, their supervisors' view of it, the list of
supervisees, the sessions download, and HR's numbers for their organisation."""

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from wagtail.models import ModelLogEntry

from cms import audit
from cms.roles import Role
from peers.models import PeerWorker
from peers.models.sessions import Setting
from peers.selectors.activity import activity_summary, hours_by_setting
from tests.conftest import sign_in
from tests.factories import (
    NeedFactory,
    OfferPageFactory,
    OrganisationFactory,
    PeerWorkerFactory,
    SafeguardingConcernFactory,
    SessionLogFactory,
    SupervisorFactory,
    TeamFactory,
    UserFactory,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

# A Wednesday: the week began on Monday 8 April, the month on 1 April.
TODAY = date(2026, 4, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(f"{TODAY.isoformat()} 12:00 +01:00", tick=False):
        yield


def text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


@pytest.fixture
def supervisor(organisation):
    return SupervisorFactory(organisation=organisation, mfa=True, first_name="Priya")


@pytest.fixture
def worker(organisation, supervisor):
    return PeerWorkerFactory(
        organisation=organisation,
        supervisors=[supervisor],
        user__first_name="Jo",
        user__last_name="Clarke",
    )


@pytest.fixture
def history(worker):
    """This week, earlier this month, last month, and one too old to count."""
    money = NeedFactory(name="Money worries")
    housing = NeedFactory(name="Somewhere to live")
    advice = OfferPageFactory(title="Debt advice drop-in")
    SessionLogFactory(
        worker=worker,
        date=TODAY,
        duration_minutes=90,
        setting=Setting.CRISIS_CAFE,
        person_reference="JT-1",
        topics=[money],
        signposted_to=[advice],
    )
    SessionLogFactory(
        worker=worker,
        date=date(2026, 4, 2),
        duration_minutes=30,
        setting=Setting.PHONE,
        person_reference="JT-1",
        topics=[money, housing],
    )
    SessionLogFactory(worker=worker, date=date(2026, 3, 15), duration_minutes=120, group=True)
    SessionLogFactory(worker=worker, date=date(2025, 3, 31), duration_minutes=600)


# --- The worker's own summary ----------------------------------------------------------------


def test_a_worker_sees_their_hours_settings_topics_and_signposting(client, worker, history):
    sign_in(client, worker.user)
    response = client.get("/peer-work/summary/")
    assert response.status_code == 200
    page = text(response)
    assert "Your hours and activity" in page
    assert "1.5 hours this week" in page
    assert "2 hours this month" in page
    # The session from March 2025 is more than 12 months ago: not counted.
    assert "4 hours in the last 12 months" in page
    assert "3 sessions in the last 12 months" in page
    assert "1 person supported one to one" in page
    assert "1 group session" in page
    assert "Crisis café 1.5 1" in page
    assert "Group 2 1" in page
    assert "Money worries 2" in page
    assert "Somewhere to live 1" in page
    assert "Debt advice drop-in 1" in page
    assert "April 2026 2 2" in page
    assert "May 2025 0 0" in page
    assert "Private notes are not included" in page
    assert ".0 hour" not in page


def test_a_worker_with_no_sessions_is_told_what_will_appear(client, worker):
    sign_in(client, worker.user)
    page = text(client.get("/peer-work/summary/"))
    assert "You have not logged any sessions in the last 12 months" in page
    assert "0 hours this week" in page


def test_the_summary_costs_the_same_queries_for_3_sessions_as_for_30(client, worker):
    sign_in(client, worker.user)
    needs = [NeedFactory(name=f"Need {n}") for n in range(3)]
    for number in range(3):
        SessionLogFactory(worker=worker, date=TODAY - timedelta(days=number * 20), topics=needs)
    client.get("/peer-work/summary/")  # the first request fills the session and caches
    few = queries_for(client, "/peer-work/summary/")
    for number in range(27):
        SessionLogFactory(worker=worker, date=TODAY - timedelta(days=number * 11), topics=needs)
    assert queries_for(client, "/peer-work/summary/") == few


@pytest.mark.parametrize("role", ["member", "hr", "engagement_lead"])
def test_people_without_a_worker_record_are_told_the_summary_is_for_peer_workers(client_as, role):
    response = client_as(role).get("/peer-work/summary/")
    assert response.status_code == 403
    assert "Hours and activity are for peer workers" in text(response)


def test_a_worker_who_has_left_has_no_summary(client, organisation):
    leaver = PeerWorkerFactory(organisation=organisation, left=True)
    sign_in(client, leaver.user)
    assert client.get("/peer-work/summary/").status_code == 403
    assert client.get("/peer-work/summary/sessions.csv").status_code == 403


def test_signed_out_people_are_asked_to_sign_in(client):
    response = client.get("/peer-work/summary/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Supervisors ---------------------------------------------------------------------------


def test_a_supervisor_without_a_worker_record_is_sent_to_their_supervisees(client, supervisor):
    sign_in(client, supervisor)
    response = client.get("/peer-work/summary/")
    assert response.status_code == 302
    assert response["Location"] == "/peer-work/summary/supervisees/"


def test_a_supervisor_sees_each_supervisees_hours_this_month(
    client, supervisor, worker, history, organisation
):
    on_leave = PeerWorkerFactory(
        organisation=organisation,
        supervisors=[supervisor],
        on_leave=True,
        user__first_name="Ali",
        user__last_name="Khan",
    )
    PeerWorkerFactory(organisation=organisation, user__first_name="Someone", user__last_name="Else")
    PeerWorkerFactory(
        organisation=organisation,
        supervisors=[supervisor],
        left=True,
        user__first_name="Gone",
        user__last_name="Away",
    )
    sign_in(client, supervisor)
    response = client.get("/peer-work/summary/supervisees/")
    assert response.status_code == 200
    page = text(response)
    assert "Jo Clarke" in page
    assert "Hours this month 2" in page
    assert "Sessions this month 2" in page
    assert f"{on_leave.user.get_full_name()} On leave" in page
    assert "Someone Else" not in page
    assert "Gone Away" not in page


def test_the_supervisees_list_costs_the_same_queries_for_3_as_for_30(client, supervisor):
    sign_in(client, supervisor)
    for _ in range(3):
        SessionLogFactory(worker=PeerWorkerFactory(supervisors=[supervisor]), date=TODAY)
    client.get("/peer-work/summary/supervisees/")
    few = queries_for(client, "/peer-work/summary/supervisees/")
    for _ in range(22):
        SessionLogFactory(worker=PeerWorkerFactory(supervisors=[supervisor]), date=TODAY)
    assert queries_for(client, "/peer-work/summary/supervisees/") == few


@pytest.mark.parametrize("role", ["member", "peer_worker", "hr"])
def test_only_supervisors_have_a_supervisees_list(client_as, role):
    assert client_as(role).get("/peer-work/summary/supervisees/").status_code == 403


def test_a_supervisor_sees_a_supervisees_summary(client, supervisor, worker, history):
    sign_in(client, supervisor)
    response = client.get(f"/peer-work/summary/{worker.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "Jo Clarke: hours and activity" in page
    assert "4 hours in the last 12 months" in page
    assert "Download Jo Clarke's sessions (CSV)" in page


def test_the_worker_may_open_their_own_summary_by_its_number(client, worker, history):
    sign_in(client, worker.user)
    assert "Your hours and activity" in text(client.get(f"/peer-work/summary/{worker.pk}/"))


@pytest.mark.parametrize("who", ["other_supervisor", "other_worker", "hr", "admin"])
def test_nobody_else_can_open_a_workers_summary(client, worker, organisation, who):
    user = {
        "other_supervisor": lambda: SupervisorFactory(organisation=organisation, mfa=True),
        "other_worker": lambda: PeerWorkerFactory(organisation=organisation).user,
        "hr": lambda: UserFactory(organisation=organisation, roles=[Role.HR], mfa=True),
        "admin": lambda: UserFactory(roles=[Role.ADMIN], mfa=True),
    }[who]()
    sign_in(client, user)
    assert client.get(f"/peer-work/summary/{worker.pk}/").status_code == 404
    assert client.get(f"/peer-work/summary/{worker.pk}/sessions.csv").status_code == 404


def test_a_guessed_worker_number_is_a_404(client, supervisor):
    sign_in(client, supervisor)
    assert client.get("/peer-work/summary/999999/").status_code == 404


# --- The sessions download -------------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_a_worker_downloads_their_sessions_without_notes_and_it_is_audited(client, worker):
    money = NeedFactory(name="Money worries")
    SessionLogFactory(
        worker=worker,
        date=TODAY,
        duration_minutes=45,
        person_reference="=HYPERLINK(1)",
        notes="A private note that must not leave",
        topics=[money],
    )
    concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker, date=TODAY))
    SessionLogFactory(date=TODAY, person_reference="SOMEONE-ELSES")
    sign_in(client, worker.user)
    response = client.get("/peer-work/summary/sessions.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert rows[0][:3] == ["Date", "Minutes", "Setting"]
    assert "Notes" not in " ".join(rows[0])
    body = "\n".join(",".join(row) for row in rows)
    assert "A private note" not in body
    assert "SOMEONE-ELSES" not in body
    assert len(rows) == 3
    safeguarding = {row[-1] for row in rows[1:]}
    assert safeguarding == {"Yes", "No"}
    formula_row = next(row for row in rows[1:] if "HYPERLINK" in row[4])
    assert formula_row[4] == "'=HYPERLINK(1)"
    assert formula_row[6] == "Money worries"
    entry = ModelLogEntry.objects.get(action=audit.EXPORT)
    assert entry.user == worker.user
    assert entry.object_id == str(worker.pk)
    assert entry.data["count"] == 2
    assert concern.session.worker == worker


def test_a_supervisor_downloads_a_supervisees_sessions(client, supervisor, worker, history):
    sign_in(client, supervisor)
    response = client.get(f"/peer-work/summary/{worker.pk}/sessions.csv")
    assert response.status_code == 200
    assert len(_csv_rows(response)) == 5
    entry = ModelLogEntry.objects.get(action=audit.EXPORT)
    assert entry.user == supervisor
    assert "supervisor" in entry.data["reason"]


# --- The selectors the charter reads -------------------------------------------------------------


def test_activity_summary_counts_people_per_worker_and_group_sessions(organisation):
    first, second = PeerWorkerFactory(organisation=organisation), PeerWorkerFactory()
    SessionLogFactory(worker=first, date=TODAY, person_reference="JT")
    SessionLogFactory(worker=first, date=TODAY, person_reference="JT")
    SessionLogFactory(worker=second, date=TODAY, person_reference="JT")
    SessionLogFactory(worker=second, date=TODAY, group=True)
    SessionLogFactory(worker=second, date=TODAY - timedelta(days=40))
    summary = activity_summary(
        workers_qs=PeerWorker.objects.filter(pk__in=[first.pk, second.pk]),
        start=TODAY - timedelta(days=30),
        end=TODAY,
    )
    assert summary.sessions == 4
    assert summary.people_supported == 2  # "JT" of each worker, once each
    assert summary.group_sessions == 1
    assert summary.hours == 4.0


def test_hours_by_setting_orders_settings_by_time(worker):
    SessionLogFactory(worker=worker, setting=Setting.WARD, duration_minutes=30)
    SessionLogFactory(worker=worker, setting=Setting.HOME, duration_minutes=90)
    SessionLogFactory(worker=worker, setting=Setting.HOME, duration_minutes=60)
    rows = hours_by_setting(worker)
    assert [(row.label, row.hours, row.sessions) for row in rows] == [
        ("Home visit", 2.5, 2),
        ("Ward", 0.5, 1),
    ]


# --- HR's numbers --------------------------------------------------------------------------------


@pytest.fixture
def hr(client, organisation):
    person = UserFactory(organisation=organisation, roles=[Role.HR], mfa=True)
    sign_in(client, person)
    return person


def test_hr_sees_their_organisations_numbers_without_notes_or_references(
    client, hr, worker, history, organisation
):
    team = TeamFactory(organisation=organisation, name="Crisis café team")
    worker.team = team
    worker.save()
    elsewhere = PeerWorkerFactory(organisation=OrganisationFactory(name="Elsewhere Trust"))
    SessionLogFactory(worker=elsewhere, date=TODAY, duration_minutes=500)
    response = client.get("/admin/peer-activity/")
    assert response.status_code == 200
    page = text(response)
    assert organisation.name in page
    assert "4 hours in 3 sessions" in page
    assert "Crisis café team 1 4 3" in page
    assert "Money worries 2" in page
    assert "JT-1" not in page
    assert "Talked about" not in page
    assert "Elsewhere Trust" not in page


def test_hr_cannot_choose_another_organisations_numbers(client, hr, worker, history):
    other = PeerWorkerFactory(organisation=OrganisationFactory(name="Elsewhere Trust"))
    SessionLogFactory(worker=other, date=TODAY, duration_minutes=500)
    page = text(client.get(f"/admin/peer-activity/?organisation={other.organisation_id}"))
    assert "8.3" not in page
    assert "4 hours in 3 sessions" in page


def test_the_numbers_page_costs_the_same_queries_for_3_sessions_as_for_30(
    client, hr, worker, organisation
):
    TeamFactory(organisation=organisation)
    for number in range(3):
        SessionLogFactory(worker=worker, date=TODAY - timedelta(days=number))
    client.get("/admin/peer-activity/")
    few = queries_for(client, "/admin/peer-activity/")
    for number in range(27):
        SessionLogFactory(worker=worker, date=TODAY - timedelta(days=number * 9))
    assert queries_for(client, "/admin/peer-activity/") == few


@pytest.mark.parametrize("role", ["engagement_lead", "finance", "editor"])
def test_other_admin_staff_do_not_see_the_numbers(client_as, role):
    response = client_as(role).get("/admin/peer-activity/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
