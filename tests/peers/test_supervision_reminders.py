"""Overdue supervision: the daily task emails the worker and their supervisors, once per
week at most while it stays overdue, with no case details; My space shows who is due."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core import mail

from cms import schedules
from peers import tasks
from peers.models import PeerWorker
from peers.services.supervision import supervision_reminders_send
from tests.conftest import sign_in
from tests.factories import (
    OrganisationFactory,
    PeerWorkerFactory,
    SupervisionActionFactory,
    SupervisionFactory,
    SupervisorFactory,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 3, 27)


def travel(day: date):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, 7, 0, tzinfo=LONDON), tick=False
    )


@pytest.fixture
def world():
    organisation = OrganisationFactory()
    supervisor = SupervisorFactory(organisation=organisation, mfa=True, email="sam@example.org")
    worker = PeerWorkerFactory(
        organisation=organisation,
        supervisors=[supervisor],
        user__email="ada@example.org",
        user__first_name="Ada",
        start_date=date(2025, 1, 6),
        supervision_every_days=28,
    )
    return {"organisation": organisation, "supervisor": supervisor, "worker": worker}


def test_the_reminder_task_is_declared_daily():
    declared = {d.name: d for d in schedules.declared()}
    reminder = declared["Overdue supervision reminders"]
    assert reminder.func == "peers.tasks.send_supervision_reminders"
    assert reminder.minutes == 24 * 60


def test_an_overdue_worker_and_their_supervisor_are_emailed_without_case_details(world):
    supervision = SupervisionFactory(
        worker=world["worker"], date=date(2026, 2, 20), notes="Private worries about a client"
    )
    SupervisionActionFactory(supervision=supervision, description="Call the crisis team")
    with travel(TODAY):  # due by 20 March: a week overdue
        assert tasks.send_supervision_reminders() == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    worker_mail = by_recipient["ada@example.org"]
    assert worker_mail.subject == "Your supervision is overdue"
    assert "your last one was on 20 February 2026" in worker_mail.body
    assert "http://testserver/peer-work/supervision/" in worker_mail.body
    supervisor_mail = by_recipient["sam@example.org"]
    assert "Supervision with" in supervisor_mail.body
    assert f"/peer-work/supervision/workers/{world['worker'].pk}/" in supervisor_mail.body
    for message in mail.outbox:
        assert "Private worries" not in message.body
        assert "crisis team" not in message.body
    world["worker"].refresh_from_db()
    assert world["worker"].supervision_reminded_on == TODAY


def test_running_twice_or_the_next_day_sends_nothing_more(world):
    SupervisionFactory(worker=world["worker"], date=date(2026, 2, 1))
    with travel(TODAY):
        assert supervision_reminders_send() == 2
        assert supervision_reminders_send() == 0
    with travel(TODAY + timedelta(days=1)):
        assert supervision_reminders_send() == 0
    with travel(TODAY + timedelta(days=7)):  # still overdue a week later: reminded again
        assert supervision_reminders_send() == 2
    assert len(mail.outbox) == 4


def test_a_worker_in_time_on_leave_or_gone_is_not_reminded(world):
    SupervisionFactory(worker=world["worker"], date=date(2026, 3, 10))
    on_leave = PeerWorkerFactory(on_leave=True, start_date=date(2025, 1, 1))
    gone = PeerWorkerFactory(left=True, start_date=date(2025, 1, 1))
    with travel(TODAY):
        assert supervision_reminders_send() == 0
    assert mail.outbox == []
    assert PeerWorker.objects.filter(supervision_reminded_on__isnull=False).count() == 0
    assert on_leave and gone


def test_a_new_worker_with_no_supervision_is_overdue_after_their_first_period(world):
    new = PeerWorkerFactory(
        start_date=TODAY - timedelta(days=28), supervisors=[world["supervisor"]]
    )
    SupervisionFactory(worker=world["worker"], date=TODAY)
    with travel(TODAY):
        assert supervision_reminders_send() == 0  # due today: still in time
    with travel(TODAY + timedelta(days=1)):
        assert supervision_reminders_send() == 2
    assert {m.to[0] for m in mail.outbox} == {new.user.email, "sam@example.org"}


def test_after_new_supervision_the_worker_is_in_time_until_the_next_period(world, client):
    SupervisionFactory(worker=world["worker"], date=date(2026, 2, 1))
    with travel(TODAY):
        supervision_reminders_send()
        sign_in(client, world["supervisor"])
        client.post(
            f"/peer-work/supervision/workers/{world['worker'].pk}/record/",
            {"date": "2026-03-27", "kind": "line", "duration_minutes": "60"},
        )
    mail.outbox.clear()
    with travel(TODAY + timedelta(days=28)):
        assert supervision_reminders_send() == 0
    with travel(TODAY + timedelta(days=29)):  # a new overdue spell
        assert supervision_reminders_send() == 2


# --- My space -----------------------------------------------------------------------------


def panel_text(response, heading: str) -> str:
    page = BeautifulSoup(response.content, "html.parser")
    for section in page.select(".lep-panels section"):
        if section.h2 and section.h2.get_text(strip=True) == heading:
            return " ".join(section.get_text(" ").split())
    raise AssertionError(f"No panel called {heading!r}")


def test_my_space_shows_a_supervisor_who_is_overdue_and_due_soon(client, world):
    SupervisionFactory(worker=world["worker"], date=date(2026, 2, 1))
    soon = PeerWorkerFactory(
        supervisors=[world["supervisor"]],
        start_date=TODAY - timedelta(days=24),
        user__first_name="Bo",
    )
    fine = PeerWorkerFactory(supervisors=[world["supervisor"]], user__first_name="Cy")
    SupervisionFactory(worker=fine, date=TODAY)
    with travel(TODAY):
        sign_in(client, world["supervisor"])
        text = panel_text(client.get("/my-space/"), "Supervision due")
    assert "1 overdue, 1 due in the next week" in text
    assert str(world["worker"]) in text and str(soon) in text
    assert str(fine) not in text


def test_my_space_tells_a_worker_when_supervision_is_due_and_their_actions(client, world):
    SupervisionActionFactory(
        supervision__worker=world["worker"],
        supervision__date=date(2026, 3, 20),
        description="Update my wellbeing plan",
    )
    with travel(TODAY):
        sign_in(client, world["worker"].user)
        text = panel_text(client.get("/my-space/"), "Your supervision")
    assert "Your next supervision is due by 17 April 2026" in text
    assert "1 action you agreed" in text
    assert "Update my wellbeing plan" in text


def test_my_space_costs_a_supervisor_the_same_queries_for_3_or_30_supervisees(client, world):
    sign_in(client, world["supervisor"])

    def add(n):
        for _ in range(n):
            SupervisionFactory(
                worker=PeerWorkerFactory(
                    organisation=world["organisation"], supervisors=[world["supervisor"]]
                ),
                date=date(2025, 1, 1),
            )

    add(2)
    queries_for(client, "/my-space/")  # warms the settings cache
    few = queries_for(client, "/my-space/")
    add(27)
    assert queries_for(client, "/my-space/") == few
