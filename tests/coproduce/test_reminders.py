"""Reminders: every 15 minutes a scheduled task emails each member of each meeting that
starts within two days, once, and never for a cancelled meeting."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from wagtail.models import ModelLogEntry

from cms import schedules
from cms.dates import UK
from coproduce import audit_actions, tasks
from coproduce.models import Meeting
from coproduce.services.meetings import (
    MeetingDetails,
    meeting_remind,
    meeting_schedule,
    meeting_update,
)
from tests.factories import (
    InvolvementProfileFactory,
    MeetingFactory,
    MemberFactory,
    PanelApplicationFactory,
    PanelFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UK)


@pytest.fixture
def panel(organisation):
    panel = PanelFactory(organisation=organisation, title="Crisis café design panel")
    for name in ("Sam", "Alex"):
        person = MemberFactory(email=f"{name.lower()}@example.org", first_name=name)
        InvolvementProfileFactory(user=person, display_name=name)
        PanelApplicationFactory(panel=panel, applicant=person, accepted=True)
    PanelApplicationFactory(panel=panel, applicant=MemberFactory(email="waiting@example.org"))
    return panel


def meeting_in(panel, delta: timedelta, **kwargs) -> Meeting:
    with time_machine.travel(NOW, tick=False):
        return MeetingFactory(
            panel=panel, starts_at=NOW + delta, ends_at=NOW + delta + timedelta(hours=2), **kwargs
        )


def run_at(moment) -> int:
    with time_machine.travel(moment, tick=False):
        return tasks.send_meeting_reminders()


def test_the_reminder_task_is_scheduled_every_15_minutes():
    declared = {d.name: d for d in schedules.declared()}
    assert declared["Meeting reminders"].func == "coproduce.tasks.send_meeting_reminders"
    assert declared["Meeting reminders"].minutes == 15


def test_each_accepted_member_is_reminded_of_a_meeting_two_days_away(panel):
    meeting = meeting_in(panel, timedelta(hours=47), title="Leaflet review")
    assert run_at(NOW) == 2
    assert sorted(email.to[0] for email in mail.outbox) == ["alex@example.org", "sam@example.org"]
    email = mail.outbox[0]
    assert email.subject == "Reminder: Leaflet review on Wednesday 25 November 2026"
    assert "Wednesday 25 November 2026, 11am to 1pm" in email.body
    assert f"/panels/meetings/{meeting.pk}/" in email.body
    meeting.refresh_from_db()
    assert meeting.reminder_sent_at == NOW
    assert ModelLogEntry.objects.filter(action=audit_actions.MEETING_REMIND).count() == 1


def test_a_reminder_is_sent_once_however_often_the_task_runs(panel):
    meeting_in(panel, timedelta(hours=30))
    assert run_at(NOW) == 2
    assert run_at(NOW + timedelta(minutes=15)) == 0
    assert run_at(NOW + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 2


def test_two_workers_reminding_the_same_meeting_send_one_round(panel):
    meeting = meeting_in(panel, timedelta(hours=30))
    with time_machine.travel(NOW, tick=False):
        assert meeting_remind(meeting_id=meeting.pk) == 2
        assert meeting_remind(meeting_id=meeting.pk) == 0
    assert len(mail.outbox) == 2


def test_a_meeting_further_away_is_reminded_when_it_comes_within_two_days(panel):
    meeting_in(panel, timedelta(days=3))
    assert run_at(NOW) == 0
    assert run_at(NOW + timedelta(hours=23, minutes=45)) == 0
    assert run_at(NOW + timedelta(days=1, minutes=15)) == 2


def test_a_cancelled_meeting_is_never_reminded(panel):
    meeting_in(panel, timedelta(hours=20), cancelled=True)
    assert run_at(NOW) == 0
    assert mail.outbox == []


def test_a_meeting_that_has_started_is_not_reminded(panel):
    meeting_in(panel, timedelta(minutes=-10))
    assert run_at(NOW) == 0


def test_a_meeting_moved_further_away_is_reminded_again_nearer_the_new_time(panel, make_person):
    meeting = meeting_in(panel, timedelta(hours=30), location="The Light House")
    run_at(NOW)
    assert len(mail.outbox) == 2
    lead = make_person("engagement_lead")
    later = NOW + timedelta(days=10)
    with time_machine.travel(NOW, tick=False):
        meeting_update(
            user=lead,
            meeting=meeting,
            details=MeetingDetails(
                panel=panel,
                title=meeting.title,
                starts_at=later,
                ends_at=later + timedelta(hours=2),
                mode=meeting.mode,
                location=meeting.location,
                agenda=meeting.agenda,
            ),
        )
    meeting.refresh_from_db()
    assert meeting.reminder_sent_at is None
    assert len(mail.outbox) == 4  # the change notice
    assert run_at(later - timedelta(days=1)) == 2


def test_a_panel_with_no_members_is_claimed_without_sending_anything(organisation):
    meeting = meeting_in(PanelFactory(organisation=organisation), timedelta(hours=30))
    assert run_at(NOW) == 0
    meeting.refresh_from_db()
    assert meeting.reminder_sent_at == NOW


def test_the_task_for_one_meeting_takes_its_id(panel):
    meeting = meeting_in(panel, timedelta(hours=30))
    with time_machine.travel(NOW, tick=False):
        assert tasks.send_meeting_reminder(meeting.pk) == 2
        assert tasks.send_meeting_reminder(meeting.pk) == 0


def test_a_meeting_arranged_within_two_days_is_not_reminded_minutes_after_the_invitation(
    panel, make_person
):
    start = NOW + timedelta(hours=26)
    with time_machine.travel(NOW, tick=False):
        meeting_schedule(
            user=make_person("engagement_lead"),
            details=MeetingDetails(
                panel=panel,
                title="Short notice",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                mode="online",
                joining_link="https://meet.example.org/x",
            ),
        )
    assert len(mail.outbox) == 2
    assert run_at(NOW + timedelta(minutes=15)) == 0
    assert len(mail.outbox) == 2


def test_a_change_notice_close_to_the_meeting_stands_in_for_the_reminder(panel, make_person):
    meeting = meeting_in(panel, timedelta(days=5), location="The Light House")
    sooner = NOW + timedelta(hours=30)
    with time_machine.travel(NOW, tick=False):
        meeting_update(
            user=make_person("engagement_lead"),
            meeting=meeting,
            details=MeetingDetails(
                panel=panel,
                title=meeting.title,
                starts_at=sooner,
                ends_at=sooner + timedelta(hours=2),
                mode=meeting.mode,
                location=meeting.location,
            ),
        )
    assert [email.subject.split(":")[0] for email in mail.outbox] == ["Meeting changed"] * 2
    assert run_at(NOW + timedelta(minutes=15)) == 0
