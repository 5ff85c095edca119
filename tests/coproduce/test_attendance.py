"""After a meeting has started, the lead records who came in one admin form; each member who
attended gets a draft claim, once. Recording again corrects, never duplicates, and a change
that would undo a claim already submitted, approved or paid is refused."""

import html
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from wagtail.models import ModelLogEntry

from cms.dates import UK
from coproduce import audit_actions
from coproduce.models import Attendance, Expense, InvolvementClaim
from coproduce.services import Refused
from coproduce.services.meetings import AttendanceEntry, attendance_record
from tests.conftest import sign_in
from tests.factories import (
    AttendanceFactory,
    ExpenseFactory,
    InvolvementClaimFactory,
    InvolvementProfileFactory,
    MeetingFactory,
    MemberFactory,
    OrganisationFactory,
    PanelApplicationFactory,
    PanelFactory,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UK)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lead(make_person):
    return make_person("engagement_lead")


@pytest.fixture
def panel(organisation):
    return PanelFactory(organisation=organisation, hourly_rate=Decimal("15.00"))


def add_member(panel, name):
    person = MemberFactory(first_name=name, email=f"{name.lower()}@example.org")
    InvolvementProfileFactory(user=person, display_name=name)
    PanelApplicationFactory(panel=panel, applicant=person, accepted=True)
    return person


@pytest.fixture
def sam(panel):
    return add_member(panel, "Sam")


@pytest.fixture
def alex(panel):
    return add_member(panel, "Alex")


@pytest.fixture
def meeting(panel):
    """Yesterday, 10am to 12:30pm: two and a half hours."""
    return MeetingFactory(
        panel=panel,
        starts_at=NOW - timedelta(days=1, hours=2),
        ends_at=NOW - timedelta(days=1) + timedelta(minutes=30),
    )


@pytest.fixture
def lead_client(client, lead):
    return sign_in(client, lead)


def url(meeting):
    return f"/admin/meetings/attendance/{meeting.pk}/"


def test_the_form_lists_every_member_with_the_meetings_length_as_hours(
    lead_client, meeting, sam, alex
):
    page = lead_client.get(url(meeting)).content.decode()
    assert "Sam" in page and "Alex" in page
    assert 'value="2.50"' in page
    assert "Not recorded yet" in page


def test_recording_attendance_starts_a_draft_claim_for_each_member_who_came(
    lead_client, lead, meeting, sam, alex
):
    response = lead_client.post(
        url(meeting),
        {
            f"status-{sam.pk}": "attended",
            f"hours-{sam.pk}": "2.5",
            f"status-{alex.pk}": "apologies",
            f"hours-{alex.pk}": "2.5",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Attendance.objects.get(member=sam).hours == Decimal("2.50")
    assert Attendance.objects.get(member=alex).status == "apologies"
    assert Attendance.objects.get(member=alex).hours is None
    claim = InvolvementClaim.objects.get()
    assert (claim.member, claim.status, claim.hours) == (sam, "draft", Decimal("2.50"))
    assert claim.fee == Decimal("37.50")
    logged = ModelLogEntry.objects.filter(action=audit_actions.ATTENDANCE_RECORD)
    assert logged.count() == 2


def test_blank_hours_for_someone_who_came_default_to_the_meetings_length(lead_client, meeting, sam):
    lead_client.post(url(meeting), {f"status-{sam.pk}": "attended", f"hours-{sam.pk}": ""})
    assert Attendance.objects.get(member=sam).hours == Decimal("2.50")


def test_members_left_unrecorded_are_skipped(lead_client, meeting, sam, alex):
    lead_client.post(url(meeting), {f"status-{sam.pk}": "attended", f"hours-{sam.pk}": "2"})
    assert list(Attendance.objects.values_list("member", flat=True)) == [sam.pk]


def test_recording_twice_updates_and_never_duplicates(lead_client, meeting, sam):
    data = {f"status-{sam.pk}": "attended", f"hours-{sam.pk}": "2"}
    lead_client.post(url(meeting), data)
    lead_client.post(url(meeting), data)
    assert Attendance.objects.count() == 1
    assert InvolvementClaim.objects.count() == 1
    assert ModelLogEntry.objects.filter(action=audit_actions.ATTENDANCE_RECORD).count() == 1
    lead_client.post(url(meeting), {f"status-{sam.pk}": "attended", f"hours-{sam.pk}": "1.5"})
    assert Attendance.objects.get().hours == Decimal("1.50")
    assert InvolvementClaim.objects.get().hours == Decimal("1.50")


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("-1", "Hours cannot be negative"),
        ("25", "Hours must be 24 or fewer"),
        ("two", "Enter hours as a number"),
    ],
)
def test_bad_hours_are_refused_and_what_was_typed_is_kept(
    lead_client, meeting, sam, alex, hours, message
):
    response = lead_client.post(
        url(meeting),
        {
            f"status-{sam.pk}": "attended",
            f"hours-{sam.pk}": hours,
            f"status-{alex.pk}": "attended",
            f"hours-{alex.pk}": "1.75",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'value="{hours}"' in page and 'value="1.75"' in page
    assert not Attendance.objects.exists() and not InvolvementClaim.objects.exists()


def test_attendance_cannot_be_recorded_before_the_meeting_starts(lead_client, lead, panel, sam):
    future = MeetingFactory(panel=panel)
    page = lead_client.get(url(future)).content.decode()
    assert "You can record attendance once the meeting has started" in page
    lead_client.post(url(future), {f"status-{sam.pk}": "attended"})
    assert not Attendance.objects.exists()
    with pytest.raises(Refused, match="once the meeting has started"):
        attendance_record(
            user=lead, meeting=future, entries=[AttendanceEntry(member_id=sam.pk, status="absent")]
        )


def test_a_cancelled_meeting_has_no_attendance(lead_client, panel, sam):
    cancelled = MeetingFactory(panel=panel, past=True, cancelled=True)
    assert "there is no attendance to record" in lead_client.get(url(cancelled)).content.decode()


@pytest.mark.parametrize("claim_state", ["submitted", "approved", "paid"])
def test_changing_attended_to_absent_is_refused_once_the_claim_has_moved_on(
    lead_client, meeting, sam, claim_state
):
    attendance = AttendanceFactory(meeting=meeting, member=sam, hours=Decimal("2.50"))
    InvolvementClaimFactory(attendance=attendance, **{claim_state: True})
    response = lead_client.post(url(meeting), {f"status-{sam.pk}": "absent"})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert f"Sam's claim for this meeting has been {claim_state}" in page
    attendance.refresh_from_db()
    assert attendance.status == "attended"
    assert InvolvementClaim.objects.get().status == claim_state


def test_changing_hours_behind_a_submitted_claim_is_refused_with_what_to_do(
    lead_client, meeting, sam
):
    attendance = AttendanceFactory(meeting=meeting, member=sam, hours=Decimal("2.50"))
    InvolvementClaimFactory(attendance=attendance, submitted=True)
    response = lead_client.post(
        url(meeting), {f"status-{sam.pk}": "attended", f"hours-{sam.pk}": "1"}
    )
    assert "Return the claim to them first" in response.content.decode()
    attendance.refresh_from_db()
    assert attendance.hours == Decimal("2.50")


def test_a_draft_claim_goes_when_the_member_did_not_come_after_all(lead_client, meeting, sam):
    attendance = AttendanceFactory(meeting=meeting, member=sam, hours=Decimal("2.50"))
    claim = InvolvementClaimFactory(attendance=attendance)
    ExpenseFactory(claim=claim)
    response = lead_client.post(url(meeting), {f"status-{sam.pk}": "absent"})
    assert response.status_code == 302
    assert Attendance.objects.get().status == "absent"
    assert not InvolvementClaim.objects.exists() and not Expense.objects.exists()
    assert ModelLogEntry.objects.filter(action="wagtail.delete").exists()


def test_one_refusal_saves_nothing_for_anyone(lead_client, meeting, sam, alex):
    attendance = AttendanceFactory(meeting=meeting, member=sam, hours=Decimal("2.50"))
    InvolvementClaimFactory(attendance=attendance, paid=True)
    lead_client.post(
        url(meeting),
        {f"status-{alex.pk}": "attended", f"hours-{alex.pk}": "2", f"status-{sam.pk}": "absent"},
    )
    assert not Attendance.objects.filter(member=alex).exists()
    assert InvolvementClaim.objects.count() == 1


def test_only_panel_members_can_be_recorded(lead, meeting, sam):
    stranger = MemberFactory()
    with pytest.raises(Refused, match="Only members of this panel"):
        attendance_record(
            user=lead,
            meeting=meeting,
            entries=[AttendanceEntry(member_id=stranger.pk, status="attended")],
        )
    assert not Attendance.objects.exists()


def test_negative_hours_are_refused_by_the_service_too(lead, meeting, sam):
    with pytest.raises(Refused, match="cannot be negative"):
        attendance_record(
            user=lead,
            meeting=meeting,
            entries=[AttendanceEntry(member_id=sam.pk, status="attended", hours=Decimal("-1"))],
        )


def test_someone_who_has_left_the_panel_keeps_their_row(lead_client, meeting, sam):
    AttendanceFactory(meeting=meeting, member=sam, hours=Decimal("2.50"))
    sam.panel_applications.update(status="withdrawn")
    page = lead_client.get(url(meeting)).content.decode()
    assert "Sam" in page and "No longer on the panel" in page


def test_a_lead_of_another_organisation_cannot_record_attendance(client, make_person, meeting, sam):
    outsider = make_person("engagement_lead", organisation=OrganisationFactory(name="Other"))
    sign_in(client, outsider)
    assert client.post(url(meeting), {f"status-{sam.pk}": "attended"}).status_code == 404
    with pytest.raises(Refused):
        attendance_record(
            user=outsider,
            meeting=meeting,
            entries=[AttendanceEntry(member_id=sam.pk, status="attended")],
        )
    assert not Attendance.objects.exists()


def test_the_member_cannot_record_their_own_attendance(client, meeting, sam):
    sign_in(client, sam)
    response = client.post(url(meeting), {f"status-{sam.pk}": "attended"})
    assert response.status_code == 403  # the admin is not for members: they are told so
    assert not Attendance.objects.exists()


def test_the_form_issues_the_same_queries_for_3_or_30_members(lead_client, panel, meeting):

    def count():
        return queries_for(lead_client, url(meeting))

    for n in range(3):
        AttendanceFactory(meeting=meeting, member=add_member(panel, f"Member{n}"))
    count()
    few = count()
    for n in range(3, 30):
        AttendanceFactory(meeting=meeting, member=add_member(panel, f"Member{n}"))
    assert count() == few
