"""Leads schedule, change, cancel and delete their panels' meetings in the Wagtail admin, in
UK time, and every refusal is a clear message that saves nothing and keeps what was typed."""

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core import mail
from django.test import Client
from wagtail.models import ModelLogEntry

from cms.dates import UK
from coproduce import audit_actions
from coproduce.models import Meeting
from tests.conftest import sign_in
from tests.factories import (
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
    return make_person("engagement_lead", first_name="Lee", last_name="Lead")


@pytest.fixture
def panel(organisation):
    return PanelFactory(organisation=organisation, title="Crisis café design panel")


@pytest.fixture
def member(panel):
    person = MemberFactory(email="sam@example.org", first_name="Sam")
    InvolvementProfileFactory(user=person, display_name="Sam")
    PanelApplicationFactory(panel=panel, applicant=person, accepted=True)
    return person


@pytest.fixture
def admin_client(client, lead):
    return sign_in(client, lead)


def meeting_form(panel, **overrides):
    data = {
        "panel": str(panel.pk),
        "title": "Leaflet review",
        "date": "2027-04-06",
        "start_time": "10:00",
        "end_time": "12:00",
        "mode": "in_person",
        "location": "The Light House, 12 Market Street",
        "joining_link": "",
        "agenda": "Welcome. The new leaflet.",
    }
    data.update(overrides)
    return data


def at(day, hour, minute=0):
    return datetime(*day, hour, minute, tzinfo=UK)


# --- Scheduling --------------------------------------------------------------------------------


def calendar_link(body: str) -> str:
    """The path of the calendar file link in a meeting notice."""
    (url,) = re.findall(r"https?://\S+/calendar\.ics", body)
    return urlsplit(url).path


def test_a_lead_schedules_a_meeting_in_uk_time_and_the_panel_is_emailed(
    admin_client, panel, member
):
    response = admin_client.post("/admin/meetings/new/", meeting_form(panel))
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get()
    # 10am in British Summer Time is 9am UTC.
    assert meeting.starts_at == datetime(2027, 4, 6, 9, 0, tzinfo=UTC)
    assert meeting.ends_at == datetime(2027, 4, 6, 11, 0, tzinfo=UTC)
    assert meeting.sequence == 0
    assert ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(meeting.pk))
    (email,) = mail.outbox
    assert email.to == ["sam@example.org"]
    assert "Tuesday 6 April 2027, 10am to 12pm" in email.body
    # The calendar file is attached to the email, and linked for those who read it elsewhere.
    assert email.attachments[0][0] == "meeting.ics"
    calendar = Client().get(calendar_link(email.body))
    assert calendar["Content-Type"].startswith("text/calendar")
    assert "Are you coming?" in email.body


def test_the_panel_choice_offers_only_panels_the_lead_runs(admin_client, panel):
    PanelFactory(organisation=OrganisationFactory(name="Elsewhere Trust"), title="Not yours")
    page = admin_client.get("/admin/meetings/new/").content.decode()
    assert "Crisis café design panel" in page
    assert "Not yours" not in page


def test_scheduling_for_another_organisations_panel_is_refused(admin_client):
    theirs = PanelFactory(organisation=OrganisationFactory(name="Elsewhere Trust"))
    response = admin_client.post("/admin/meetings/new/", meeting_form(theirs))
    assert response.status_code == 200
    assert "Choose a panel you run" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_facilitator_from_another_organisation_schedules_for_their_panel(make_person, client):
    outsider = make_person("engagement_lead", organisation=OrganisationFactory(name="Other"))
    theirs = PanelFactory(facilitators=[outsider])
    sign_in(client, outsider)
    response = client.post("/admin/meetings/new/", meeting_form(theirs))
    assert response.status_code == 302
    assert Meeting.objects.get().panel == theirs


def test_a_start_in_the_past_is_refused_and_what_was_typed_is_kept(admin_client, panel):
    response = admin_client.post(
        "/admin/meetings/new/", meeting_form(panel, date="2026-11-20", title="Typed title")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The meeting must start in the future" in page
    assert "Typed title" in page and "The Light House, 12 Market Street" in page
    assert not Meeting.objects.exists()


def test_an_end_not_after_the_start_is_refused(admin_client, panel):
    response = admin_client.post(
        "/admin/meetings/new/", meeting_form(panel, start_time="14:00", end_time="14:00")
    )
    assert "The end time must be after the start time" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_meeting_overlapping_another_of_the_same_panel_is_refused(admin_client, panel):
    MeetingFactory(
        panel=panel,
        title="Earlier plan",
        starts_at=at((2027, 4, 6), 11),
        ends_at=at((2027, 4, 6), 13),
    )
    response = admin_client.post("/admin/meetings/new/", meeting_form(panel))
    page = response.content.decode()
    assert "This overlaps with “Earlier plan” on Tuesday 6 April 2027, 11am to 1pm" in page
    assert Meeting.objects.count() == 1


def test_a_cancelled_meeting_or_another_panels_meeting_does_not_block_the_time(
    admin_client, panel, organisation
):
    MeetingFactory(
        panel=panel, cancelled=True, starts_at=at((2027, 4, 6), 10), ends_at=at((2027, 4, 6), 12)
    )
    MeetingFactory(
        panel=PanelFactory(organisation=organisation),
        starts_at=at((2027, 4, 6), 10),
        ends_at=at((2027, 4, 6), 12),
    )
    response = admin_client.post("/admin/meetings/new/", meeting_form(panel))
    assert response.status_code == 302
    assert Meeting.objects.count() == 3


def test_submitting_the_same_meeting_twice_saves_it_once(admin_client, panel, member):
    admin_client.post("/admin/meetings/new/", meeting_form(panel))
    again = admin_client.post("/admin/meetings/new/", meeting_form(panel))
    assert again.status_code == 200
    assert "This overlaps with “Leaflet review”" in again.content.decode()
    assert Meeting.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("mode", "location", "link", "message"),
    [
        ("in_person", "", "", "Enter the address of the meeting"),
        ("online", "", "", "Enter the link to join the meeting online"),
        ("hybrid", "", "https://meet.example.org/x", "Enter the address of the meeting"),
        ("hybrid", "The Light House", "", "Enter the link to join the meeting online"),
    ],
)
def test_each_way_of_meeting_needs_its_address_or_link(
    admin_client, panel, mode, location, link, message
):
    response = admin_client.post(
        "/admin/meetings/new/",
        meeting_form(panel, mode=mode, location=location, joining_link=link),
    )
    assert message in response.content.decode()
    assert not Meeting.objects.exists()


def test_an_online_meeting_keeps_no_address(admin_client, panel):
    admin_client.post(
        "/admin/meetings/new/",
        meeting_form(panel, mode="online", joining_link="https://meet.example.org/panel"),
    )
    meeting = Meeting.objects.get()
    assert meeting.location == "" and meeting.joining_link == "https://meet.example.org/panel"


def test_typed_html_is_stored_exactly_as_typed(admin_client, panel):
    admin_client.post(
        "/admin/meetings/new/",
        meeting_form(panel, title="<b>Leaflet</b> review", agenda="<script>x</script>Welcome"),
    )
    meeting = Meeting.objects.get()
    assert meeting.title == "<b>Leaflet</b> review"
    assert meeting.agenda == "<script>x</script>Welcome"


def test_a_missing_date_gets_a_plain_message(admin_client, panel):
    response = admin_client.post("/admin/meetings/new/", meeting_form(panel, date=""))
    assert "Enter the date of the meeting" in response.content.decode()


# --- Changing -----------------------------------------------------------------------------------


def test_changing_the_time_raises_the_sequence_and_tells_members(admin_client, panel, member):
    meeting = MeetingFactory(
        panel=panel, starts_at=at((2027, 4, 6), 10), ends_at=at((2027, 4, 6), 12)
    )
    response = admin_client.post(
        f"/admin/meetings/edit/{meeting.pk}/",
        meeting_form(
            panel,
            title=meeting.title,
            location=meeting.location,
            start_time="13:00",
            end_time="15:00",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting.refresh_from_db()
    assert meeting.starts_at == datetime(2027, 4, 6, 12, 0, tzinfo=UTC)
    assert meeting.sequence == 1
    (email,) = mail.outbox
    assert email.subject.startswith("Meeting changed")
    assert "1pm to 3pm" in email.body


def test_changing_only_the_agenda_keeps_the_sequence_and_sends_nothing(admin_client, panel, member):
    meeting = MeetingFactory(
        panel=panel, starts_at=at((2027, 4, 6), 10), ends_at=at((2027, 4, 6), 12)
    )
    admin_client.post(
        f"/admin/meetings/edit/{meeting.pk}/",
        meeting_form(panel, title=meeting.title, location=meeting.location, agenda="New agenda"),
    )
    meeting.refresh_from_db()
    assert meeting.agenda == "New agenda"
    assert meeting.sequence == 0
    assert mail.outbox == []


def test_the_edit_form_shows_uk_times(admin_client, panel):
    meeting = MeetingFactory(
        panel=panel, starts_at=at((2027, 7, 1), 14, 30), ends_at=at((2027, 7, 1), 16)
    )
    page = admin_client.get(f"/admin/meetings/edit/{meeting.pk}/").content.decode()
    assert 'value="2027-07-01"' in page
    assert 'value="14:30"' in page and 'value="16:00"' in page


def test_a_refused_change_leaves_the_meeting_as_it_was(admin_client, panel):
    meeting = MeetingFactory(
        panel=panel, starts_at=at((2027, 4, 6), 10), ends_at=at((2027, 4, 6), 12)
    )
    response = admin_client.post(
        f"/admin/meetings/edit/{meeting.pk}/",
        meeting_form(panel, title="Renamed", start_time="12:00", end_time="11:00"),
    )
    assert "The end time must be after the start time" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.title != "Renamed" and meeting.sequence == 0


def test_a_cancelled_meeting_cannot_be_edited(admin_client, panel):
    meeting = MeetingFactory(panel=panel, cancelled=True)
    response = admin_client.get(f"/admin/meetings/edit/{meeting.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/meetings/inspect/{meeting.pk}/"


def test_a_lead_of_another_organisation_cannot_see_or_change_the_meeting(
    client, make_person, panel
):
    meeting = MeetingFactory(panel=panel)
    outsider = make_person("engagement_lead", organisation=OrganisationFactory(name="Other"))
    sign_in(client, outsider)
    for url in [
        f"/admin/meetings/edit/{meeting.pk}/",
        f"/admin/meetings/inspect/{meeting.pk}/",
        f"/admin/meetings/delete/{meeting.pk}/",
        f"/admin/meetings/cancel/{meeting.pk}/",
        f"/admin/meetings/papers/{meeting.pk}/",
        f"/admin/meetings/access/{meeting.pk}/",
        f"/admin/meetings/attendance/{meeting.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/admin/meetings/cancel/{meeting.pk}/", {"reason": "x"}).status_code == 404
    assert "Panel meeting" not in client.get("/admin/meetings/").content.decode()


@pytest.mark.parametrize("role", ["hr", "finance", "editor"])
def test_other_admin_staff_cannot_reach_a_meeting_or_its_pages(client, make_person, panel, role):
    meeting = MeetingFactory(panel=panel)
    sign_in(client, make_person(role))
    for page in ["edit", "inspect", "cancel", "papers", "access", "attendance"]:
        response = client.get(f"/admin/meetings/{page}/{meeting.pk}/")
        assert response.status_code in (302, 404), page
        assert response.status_code == 404 or response["Location"] == "/admin/", page
    client.post(f"/admin/meetings/cancel/{meeting.pk}/", {"reason": "Not mine"})
    meeting.refresh_from_db()
    assert not meeting.is_cancelled


# --- Listing, inspecting, exporting ---------------------------------------------------------


def test_the_list_shows_only_the_leads_panels_and_filters_upcoming_and_past(admin_client, panel):
    MeetingFactory(panel=panel, title="Next month")
    MeetingFactory(
        panel=panel,
        title="Last month",
        starts_at=at((2026, 10, 1), 10),
        ends_at=at((2026, 10, 1), 12),
    )
    MeetingFactory(panel=PanelFactory(organisation=OrganisationFactory()), title="Someone else's")
    page = admin_client.get("/admin/meetings/").content.decode()
    assert "Next month" in page and "Last month" in page
    assert "Someone else" not in page
    upcoming = admin_client.get("/admin/meetings/?when=upcoming").content.decode()
    assert "Next month" in upcoming and "Last month" not in upcoming
    past = admin_client.get("/admin/meetings/?when=past").content.decode()
    assert "Last month" in past and "Next month" not in past


def test_the_export_has_uk_times(admin_client, panel):
    MeetingFactory(
        panel=panel, title="Summer", starts_at=at((2027, 7, 1), 10), ends_at=at((2027, 7, 1), 12)
    )
    response = admin_client.get("/admin/meetings/?export=csv")
    body = b"".join(response.streaming_content).decode()
    assert "Starts (UK time)" in body
    assert "2027-07-01 10:00" in body
    assert "In person" in body


def test_the_list_issues_the_same_queries_for_3_or_30_meetings(admin_client, panel):

    def count():
        return queries_for(admin_client, "/admin/meetings/")

    for day in range(3):
        MeetingFactory(panel=panel, starts_at=at((2027, 1, 1 + day), 10))
    count()  # the first request of a session warms caches
    few = count()
    for day in range(3, 30):
        MeetingFactory(panel=panel, starts_at=at((2027, 1, 1 + day), 10))
    assert count() == few


def test_inspect_shows_when_and_the_access_needs(admin_client, panel, member):
    member.involvement_profile.access_needs = ["bsl"]
    member.involvement_profile.save()
    meeting = MeetingFactory(
        panel=panel, starts_at=at((2027, 4, 6), 10), ends_at=at((2027, 4, 6), 12)
    )
    page = admin_client.get(f"/admin/meetings/inspect/{meeting.pk}/").content.decode()
    assert "Tuesday 6 April 2027, 10am to 12pm" in page
    assert "A British Sign Language (BSL) interpreter — 1 person: Not booked yet" in page


def test_each_meeting_page_form_posts_to_its_own_address(admin_client, panel, member):
    member.involvement_profile.access_needs = ["bsl"]
    member.involvement_profile.save()
    coming = MeetingFactory(panel=panel)
    held = MeetingFactory(
        panel=panel, starts_at=at((2026, 11, 20), 10), ends_at=at((2026, 11, 20), 12)
    )
    for page, meeting in [
        ("cancel", coming),
        ("papers", coming),
        ("access", coming),
        ("attendance", held),
    ]:
        url = f"/admin/meetings/{page}/{meeting.pk}/"
        forms = BeautifulSoup(admin_client.get(url).content, "html.parser").select(
            "main form[method=post]"
        )
        assert url in [form.get("action") for form in forms], page
        assert all(form.get("action") for form in forms), page


# --- Cancelling -------------------------------------------------------------------------------


def test_a_lead_cancels_with_a_reason_and_each_member_is_emailed_once(admin_client, panel, member):
    other = MemberFactory(email="alex@example.org")
    PanelApplicationFactory(panel=panel, applicant=other, accepted=True)
    PanelApplicationFactory(panel=panel, applicant=MemberFactory(email="pending@example.org"))
    meeting = MeetingFactory(panel=panel)
    url = f"/admin/meetings/cancel/{meeting.pk}/"
    assert "2 people" in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"reason": "The venue <b>flooded</b>."})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    assert meeting.cancellation_reason == "The venue <b>flooded</b>."  # as typed
    assert meeting.sequence == 1
    assert sorted(email.to[0] for email in mail.outbox) == ["alex@example.org", "sam@example.org"]
    assert "The venue <b>flooded</b>." in mail.outbox[0].body  # a plain-text email
    assert "STATUS:CANCELLED" in mail.outbox[0].attachments[0][1]
    assert "STATUS:CANCELLED" in Client().get(calendar_link(mail.outbox[0].body)).content.decode()
    assert "Are you coming?" not in mail.outbox[0].body
    assert (
        ModelLogEntry.objects.filter(
            action=audit_actions.MEETING_CANCEL, object_id=str(meeting.pk)
        ).count()
        == 1
    )

    again = admin_client.post(url, {"reason": "Clicked twice"}, follow=True)
    assert "already been cancelled" in again.content.decode()
    assert len(mail.outbox) == 2
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and meeting.cancellation_reason == "The venue <b>flooded</b>."


def test_cancelling_needs_a_reason(admin_client, panel, member):
    meeting = MeetingFactory(panel=panel)
    response = admin_client.post(f"/admin/meetings/cancel/{meeting.pk}/", {"reason": "  "})
    assert response.status_code == 400
    assert "Enter the reason the meeting is cancelled" in response.content.decode()
    meeting.refresh_from_db()
    assert not meeting.is_cancelled and mail.outbox == []


def test_a_meeting_that_has_started_cannot_be_cancelled(admin_client, panel, member):
    meeting = MeetingFactory(panel=panel, past=True)
    response = admin_client.post(f"/admin/meetings/cancel/{meeting.pk}/", {"reason": "Late"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert not meeting.is_cancelled and mail.outbox == []


# --- Deleting ---------------------------------------------------------------------------------


def test_a_meeting_members_expect_is_cancelled_not_deleted(admin_client, panel, member):
    meeting = MeetingFactory(panel=panel)
    response = admin_client.post(f"/admin/meetings/delete/{meeting.pk}/", follow=True)
    assert "Cancel it instead" in response.content.decode()
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_the_delete_page_says_why_instead_of_asking(admin_client, panel, member):
    meeting = MeetingFactory(panel=panel)
    response = admin_client.get(f"/admin/meetings/delete/{meeting.pk}/", follow=True)
    assert response.redirect_chain[0][0] == f"/admin/meetings/inspect/{meeting.pk}/"
    assert "Cancel it instead" in response.content.decode()


def test_a_meeting_made_by_mistake_before_anyone_joined_can_be_deleted(admin_client, panel):
    meeting = MeetingFactory(panel=panel)
    response = admin_client.post(f"/admin/meetings/delete/{meeting.pk}/")
    assert response.status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()


def test_a_meeting_with_attendance_is_never_deleted(admin_client, panel, member):
    from tests.factories import AttendanceFactory

    meeting = MeetingFactory(panel=panel, past=True)
    AttendanceFactory(meeting=meeting, member=member)
    admin_client.post(f"/admin/meetings/delete/{meeting.pk}/")
    assert Meeting.objects.filter(pk=meeting.pk).exists()
