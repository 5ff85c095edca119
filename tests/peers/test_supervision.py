"""Supervision: supervisors record it for their supervisees with agreed actions, workers
read their own (notes included), either side marks actions done, and nobody else sees any
of it."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from wagtail.models import ModelLogEntry

from cms.audit import VIEW
from cms.roles import Role
from peers import audit_actions
from peers.models import PeerWorker, Supervision, SupervisionAction
from tests.conftest import sign_in
from tests.factories import (
    OrganisationFactory,
    PeerWorkerFactory,
    SupervisionActionFactory,
    SupervisionFactory,
    SupervisorFactory,
    TeamFactory,
    UserFactory,
    WellbeingCheckInFactory,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 3, 27)
frozen = time_machine.travel(datetime(2026, 3, 27, 12, 0, tzinfo=LONDON), tick=False)


def text_of(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


@pytest.fixture
def world():
    organisation = OrganisationFactory()
    supervisor = SupervisorFactory(organisation=organisation, mfa=True, first_name="Sam")
    worker = PeerWorkerFactory(
        organisation=organisation,
        supervisors=[supervisor],
        user__first_name="Ada",
        user__last_name="Lovelace",
        start_date=TODAY - timedelta(days=400),
    )
    other = PeerWorkerFactory(organisation=organisation, user__first_name="Otto")
    return {
        "organisation": organisation,
        "supervisor": supervisor,
        "worker": worker,
        "other": other,
    }


def record_url(worker) -> str:
    return f"/peer-work/supervision/workers/{worker.pk}/record/"


GOOD = {
    "date": "2026-03-20",
    "kind": "reflective",
    "duration_minutes": "50",
    "notes": "Talked about <b>boundaries</b> and rest.",
    "action_1": "Book the safeguarding course",
    "action_1_due": "2026-04-30",
    "action_2": "",
    "action_2_due": "",
    "action_3": "",
    "action_3_due": "",
}


# --- Recording ---------------------------------------------------------------------------


@frozen
def test_a_supervisor_records_supervision_with_an_action(client, world):
    sign_in(client, world["supervisor"])
    page = client.get(record_url(world["worker"]))
    assert page.status_code == 200
    assert "Ada Lovelace can read everything you write here" in text_of(page)
    response = client.post(record_url(world["worker"]), GOOD)
    supervision = Supervision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/peer-work/supervision/{supervision.pk}/"
    assert supervision.kind == "reflective"
    assert supervision.duration_minutes == 50
    assert supervision.notes == GOOD["notes"]  # stored exactly as typed
    assert supervision.supervisor == world["supervisor"]
    action = supervision.actions.get()
    assert (action.description, action.due_date) == (
        "Book the safeguarding course",
        date(2026, 4, 30),
    )
    assert ModelLogEntry.objects.filter(action=audit_actions.SUPERVISION_RECORD).count() == 1


@frozen
def test_recording_supervision_ends_an_overdue_spell_for_reminders(client, world):
    PeerWorker.objects.filter(pk=world["worker"].pk).update(supervision_reminded_on=TODAY)
    sign_in(client, world["supervisor"])
    client.post(record_url(world["worker"]), GOOD)
    world["worker"].refresh_from_db()
    assert world["worker"].supervision_reminded_on is None


@frozen
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date": "2026-03-28"}, "The date of the supervision must be today or in the past."),
        ({"date": ""}, "Enter the date of the supervision"),
        ({"date": "next Tuesday"}, "Enter the date as year-month-day"),
        ({"kind": ""}, "Choose the kind of supervision"),
        ({"duration_minutes": "0"}, "from 5 minutes to 8 hours"),
        ({"duration_minutes": "600"}, "from 5 minutes to 8 hours"),
        ({"duration_minutes": "an hour"}, "Enter the length as a whole number of minutes"),
        ({"action_2_due": "2026-04-01"}, "Enter what was agreed for action 2"),
    ],
)
def test_bad_input_is_explained_keeps_what_was_typed_and_saves_nothing(
    client, world, change, message
):
    sign_in(client, world["supervisor"])
    response = client.post(record_url(world["worker"]), {**GOOD, **change})
    assert response.status_code == 200
    page = text_of(response)
    assert "There is a problem" in page
    assert message in page
    assert "Talked about <b>boundaries</b> and rest." in page  # kept in the textarea
    assert 'value="Book the safeguarding course"' in response.content.decode()
    assert not Supervision.objects.exists()


@frozen
def test_a_date_before_the_worker_started_is_refused(client, world):
    PeerWorker.objects.filter(pk=world["worker"].pk).update(start_date=date(2026, 3, 1))
    sign_in(client, world["supervisor"])
    response = client.post(record_url(world["worker"]), {**GOOD, "date": "2026-02-27"})
    assert "The date must be on or after 1 March 2026" in text_of(response)
    assert not Supervision.objects.exists()


def test_a_supervisor_cannot_record_for_someone_they_do_not_supervise(client, world):
    sign_in(client, world["supervisor"])
    # Another supervisor's worker looks the same as one that does not exist.
    assert client.get(record_url(world["other"])).status_code == 404
    assert client.post(record_url(world["other"]), GOOD).status_code == 404
    assert client.post("/peer-work/supervision/workers/999999/record/", GOOD).status_code == 404
    assert not Supervision.objects.exists()


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN, Role.ENGAGEMENT_LEAD])
def test_staff_who_are_not_the_supervisor_cannot_record(client, world, role):
    sign_in(client, UserFactory(organisation=world["organisation"], roles=[role], mfa=True))
    assert client.post(record_url(world["worker"]), GOOD).status_code in (403, 404)
    assert not Supervision.objects.exists()


def test_a_worker_cannot_record_their_own_supervision(client, world):
    sign_in(client, world["worker"].user)
    assert client.post(record_url(world["worker"]), GOOD).status_code == 403
    assert not Supervision.objects.exists()


# --- Reading -----------------------------------------------------------------------------


def test_the_worker_reads_their_own_record_with_the_notes_and_it_is_audit_logged(client, world):
    supervision = SupervisionFactory(worker=world["worker"], notes="We agreed rest matters.")
    SupervisionActionFactory(supervision=supervision, description="Take the Friday off")
    sign_in(client, world["worker"].user)
    page = text_of(client.get(f"/peer-work/supervision/{supervision.pk}/"))
    assert "We agreed rest matters." in page
    assert "Take the Friday off" in page
    assert "Supervision notes are shared between the supervisor and the supervisee" in page
    entry = ModelLogEntry.objects.get(action=VIEW)
    assert entry.user_id == world["worker"].user.pk


def test_nobody_else_sees_a_supervision_record(client, world):
    supervision = SupervisionFactory(worker=world["worker"])
    url = f"/peer-work/supervision/{supervision.pk}/"
    for person in [
        world["other"].user,
        SupervisorFactory(organisation=world["organisation"], mfa=True),
        UserFactory(organisation=world["organisation"], roles=[Role.HR], mfa=True),
        UserFactory(roles=[Role.ADMIN], mfa=True),
    ]:
        client.logout()
        sign_in(client, person)
        assert client.get(url).status_code == 404, person
    assert client.get("/peer-work/supervision/999999/").status_code == 404


@frozen
def test_the_worker_sees_when_supervision_is_due_their_actions_and_records(client, world):
    SupervisionFactory(worker=world["worker"], date=date(2026, 3, 1))
    SupervisionActionFactory(
        supervision__worker=world["worker"],
        supervision__date=date(2026, 2, 20),
        description="Read the lone working policy",
    )
    SupervisionFactory(worker=world["other"])  # someone else's
    sign_in(client, world["worker"].user)
    page = text_of(client.get("/peer-work/supervision/"))
    assert "Your last supervision was on 1 March 2026" in page
    assert "Your next supervision is due by 29 March 2026" in page
    assert "Due by 29 March" in page
    assert "Read the lone working policy" in page
    assert page.count("Line management") == 2


def test_supervision_pages_are_refused_to_people_without_a_worker_record(client, world):
    sign_in(client, UserFactory(roles=[Role.MEMBER]))
    assert client.get("/peer-work/supervision/").status_code == 403
    assert client.get("/peer-work/supervision/supervisees/").status_code == 403


@frozen
def test_a_supervisor_sees_supervisees_most_overdue_first(client, world):
    SupervisionFactory(worker=world["worker"], date=date(2026, 1, 1))  # due 29 Jan: overdue
    late_starter = PeerWorkerFactory(
        organisation=world["organisation"],
        supervisors=[world["supervisor"]],
        user__first_name="Bea",
        start_date=TODAY - timedelta(days=25),  # due in 3 days
    )
    sign_in(client, world["supervisor"])
    page = text_of(client.get("/peer-work/supervision/supervisees/"))
    assert "1 overdue, 1 due in the next week" in page
    assert "Overdue by 57 days" in page
    assert page.index("Ada Lovelace") < page.index(str(late_starter))
    assert "Otto" not in page


@frozen
def test_a_supervisor_sees_a_supervisees_records_and_only_shared_check_ins(client, world):
    SupervisionFactory(worker=world["worker"], date=date(2026, 3, 10))
    shared = WellbeingCheckInFactory(worker=world["worker"], shared_with_supervisor=True)
    WellbeingCheckInFactory(worker=world["worker"])
    sign_in(client, world["supervisor"])
    response = client.get(f"/peer-work/supervision/workers/{world['worker'].pk}/")
    page = text_of(response)
    assert "Supervision with Ada Lovelace" in page
    assert "10 March 2026" in page
    assert response.content.decode().count("/peer-work/wellbeing/") == 1
    assert f"/peer-work/wellbeing/{shared.pk}/" in response.content.decode()
    assert client.get(f"/peer-work/supervision/workers/{world['other'].pk}/").status_code == 404


def test_the_supervisees_list_costs_the_same_queries_for_3_or_30(client, world):
    sign_in(client, world["supervisor"])

    def add(n):
        for _ in range(n):
            worker = PeerWorkerFactory(
                organisation=world["organisation"],
                supervisors=[world["supervisor"]],
                team=TeamFactory(organisation=world["organisation"]),
            )
            SupervisionFactory(worker=worker)

    add(2)
    queries_for(client, "/peer-work/supervision/supervisees/")  # warms the settings cache
    few = queries_for(client, "/peer-work/supervision/supervisees/")
    add(27)
    assert queries_for(client, "/peer-work/supervision/supervisees/") == few


def test_the_workers_own_page_costs_the_same_queries_for_3_or_30_records(client, world):
    sign_in(client, world["worker"].user)
    for _ in range(3):
        SupervisionActionFactory(supervision__worker=world["worker"])
    queries_for(client, "/peer-work/supervision/")  # warms the settings cache
    few = queries_for(client, "/peer-work/supervision/")
    for _ in range(27):
        SupervisionActionFactory(supervision__worker=world["worker"])
    assert queries_for(client, "/peer-work/supervision/") == few


def test_a_supervisees_page_costs_the_same_queries_for_3_or_30_records(client, world):
    sign_in(client, world["supervisor"])
    url = f"/peer-work/supervision/workers/{world['worker'].pk}/"
    for _ in range(3):
        SupervisionActionFactory(supervision__worker=world["worker"])
    queries_for(client, url)  # warms the settings cache
    few = queries_for(client, url)
    for _ in range(27):
        SupervisionActionFactory(supervision__worker=world["worker"])
    assert queries_for(client, url) == few


# --- Actions -----------------------------------------------------------------------------


@frozen
def test_the_worker_marks_an_action_done_and_back_again(client, world):
    action = SupervisionActionFactory(supervision__worker=world["worker"])
    sign_in(client, world["worker"].user)
    url = f"/peer-work/supervision/actions/{action.pk}/mark/"
    response = client.post(url, {"done": "yes", "back": "mine"})
    assert response["Location"] == "/peer-work/supervision/"
    action.refresh_from_db()
    assert action.done_on == TODAY
    client.post(url, {"done": "yes"})  # a double click changes nothing
    assert ModelLogEntry.objects.filter(action=audit_actions.SUPERVISION_ACTION_DONE).count() == 1
    client.post(url, {"done": "no"})
    action.refresh_from_db()
    assert action.done_on is None


def test_the_supervisor_marks_an_action_done_but_nobody_else_can(client, world):
    action = SupervisionActionFactory(supervision__worker=world["worker"])
    url = f"/peer-work/supervision/actions/{action.pk}/mark/"
    sign_in(client, world["other"].user)
    assert client.post(url, {"done": "yes"}).status_code == 404
    client.logout()
    sign_in(client, UserFactory(organisation=world["organisation"], roles=[Role.HR], mfa=True))
    assert client.post(url, {"done": "yes"}).status_code == 404
    action.refresh_from_db()
    assert action.done_on is None
    client.logout()
    sign_in(client, world["supervisor"])
    client.post(url, {"done": "yes"})
    action.refresh_from_db()
    assert action.done_on is not None


def test_a_supervisor_adds_an_action_later(client, world):
    supervision = SupervisionFactory(worker=world["worker"])
    sign_in(client, world["supervisor"])
    url = f"/peer-work/supervision/{supervision.pk}/actions/add/"
    response = client.post(url, {"description": "", "due_date": "soon"})
    page = text_of(response)
    assert "Enter what was agreed" in page
    assert "Enter the due date as year-month-day" in page
    assert not SupervisionAction.objects.exists()
    response = client.post(url, {"description": "Shadow a ward shift", "due_date": ""})
    assert response.status_code == 302
    assert supervision.actions.get().description == "Shadow a ward shift"


def test_the_worker_cannot_add_actions(client, world):
    supervision = SupervisionFactory(worker=world["worker"])
    sign_in(client, world["worker"].user)
    url = f"/peer-work/supervision/{supervision.pk}/actions/add/"
    assert client.post(url, {"description": "Anything"}).status_code == 403
    assert not SupervisionAction.objects.exists()


# --- Overdue actions -------------------------------------------------------------------------


def test_an_action_past_its_due_date_is_marked_overdue_on_every_page_that_lists_it(client, world):
    with frozen:
        supervision = SupervisionFactory(
            worker=world["worker"], supervisor=world["supervisor"], date=TODAY - timedelta(days=30)
        )
        SupervisionActionFactory(
            supervision=supervision, description="Book the course", due_date=date(2026, 3, 20)
        )
        SupervisionActionFactory(
            supervision=supervision, description="Read the policy", due_date=date(2026, 4, 3)
        )
        SupervisionActionFactory(
            supervision=supervision,
            description="Call the team",
            due_date=date(2026, 3, 1),
            done_on=date(2026, 3, 5),
        )
        pages = {
            "worker": [
                "/peer-work/supervision/",
                f"/peer-work/supervision/{supervision.pk}/",
                "/my-space/",
            ],
            "supervisor": [
                f"/peer-work/supervision/workers/{world['worker'].pk}/",
                f"/peer-work/supervision/{supervision.pk}/",
            ],
        }
        for who, paths in pages.items():
            sign_in(client, world["worker"].user if who == "worker" else world["supervisor"])
            for path in paths:
                page = text_of(client.get(path))
                assert "Book the course Overdue (was due by 20 March 2026)" in page, (who, path)
                assert "Read the policy (due by 3 April 2026)" in page, (who, path)
                assert page.count("Overdue (was due by") == 1, (who, path)  # done or not yet due
