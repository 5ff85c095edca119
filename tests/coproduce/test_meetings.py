"""Members see their panels' meetings (and only those): when, where or the link, agenda,
papers, their own access arrangements, and a way to add them to a calendar."""

from datetime import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import resolve

from cms.dates import UK
from coproduce.factories import MeetingPaperFactory
from tests.conftest import sign_in
from tests.factories import (
    AccessArrangementFactory,
    AttendanceFactory,
    InvolvementProfileFactory,
    MeetingFactory,
    MemberFactory,
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
def panel(organisation):
    return PanelFactory(organisation=organisation, title="Crisis café design panel")


@pytest.fixture
def member(panel):
    person = MemberFactory(email="sam@example.org", first_name="Sam")
    InvolvementProfileFactory(user=person, display_name="Sam")
    PanelApplicationFactory(panel=panel, applicant=person, accepted=True)
    return person


@pytest.fixture
def member_client(client, member):
    return sign_in(client, member)


def at(day, hour, minute=0):
    return datetime(*day, hour, minute, tzinfo=UK)


def text_of(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def test_the_meetings_page_is_not_taken_by_a_panel_called_meetings():
    assert resolve("/panels/meetings/").url_name == "meeting_list"


# --- The list ----------------------------------------------------------------------------------


def test_a_member_sees_their_panels_coming_meetings_and_not_other_panels(member_client, panel):
    MeetingFactory(
        panel=panel,
        title="Leaflet review",
        starts_at=at((2026, 12, 1), 10),
        ends_at=at((2026, 12, 1), 12),
    )
    MeetingFactory(panel=panel, title="Venue gone", cancelled=True)
    MeetingFactory(panel=PanelFactory(), title="Not my panel")
    MeetingFactory(panel=panel, title="Long ago", past=True)
    page = text_of(member_client.get("/panels/meetings/"))
    assert "Leaflet review" in page
    assert "Tuesday 1 December 2026, 10am to 12pm" in page
    assert "Venue gone" in page and "Cancelled" in page
    assert "Not my panel" not in page
    assert "Long ago" not in page


def test_past_meetings_are_on_their_own_page(member_client, panel):
    MeetingFactory(panel=panel, title="Long ago", past=True)
    MeetingFactory(panel=panel, title="Coming soon")
    page = text_of(member_client.get("/panels/meetings/?when=past"))
    assert "Long ago" in page and "Coming soon" not in page


def test_a_member_not_on_any_panel_is_told_what_happens_next(client, make_person):
    sign_in(client, make_person("member"))
    page = text_of(client.get("/panels/meetings/"))
    assert "You have no meetings coming up" in page


def test_a_pending_or_declined_applicant_sees_none_of_the_panels_meetings(client, panel):
    pending = PanelApplicationFactory(panel=panel).applicant
    declined = PanelApplicationFactory(panel=panel, declined=True).applicant
    MeetingFactory(panel=panel, title="Members only")
    for person in (pending, declined):
        sign_in(client, person)
        assert "Members only" not in text_of(client.get("/panels/meetings/"))


def test_the_list_is_paginated(member_client, panel):
    for day in range(12):
        MeetingFactory(panel=panel, starts_at=at((2027, 1, 1 + day), 10))
    first = text_of(member_client.get("/panels/meetings/"))
    assert "Page 2 of 2" in first
    second = member_client.get("/panels/meetings/?page=2")
    assert second.status_code == 200
    assert member_client.get("/panels/meetings/?page=99").status_code == 200


def test_the_list_issues_the_same_queries_for_3_or_30_meetings(member_client, panel):
    def count():
        return queries_for(member_client, "/panels/meetings/")

    for day in range(3):
        MeetingFactory(panel=panel, starts_at=at((2027, 1, 1 + day), 10))
    count()
    few = count()
    for day in range(3, 30):
        MeetingFactory(panel=panel, starts_at=at((2027, 1, 1 + day), 10))
    assert count() == few


# --- One meeting --------------------------------------------------------------------------------


def test_the_meeting_page_shows_when_where_agenda_papers_and_calendar(member_client, panel):
    meeting = MeetingFactory(
        panel=panel,
        title="Leaflet review",
        mode="hybrid",
        location="The Light House\n12 Market Street",
        joining_link="https://meet.example.org/panel",
        agenda="Welcome.\nThe new leaflet.",
        starts_at=at((2026, 12, 1), 10),
        ends_at=at((2026, 12, 1), 12, 30),
    )
    MeetingPaperFactory(meeting=meeting, title="Draft leaflet")
    response = member_client.get(f"/panels/meetings/{meeting.pk}/")
    page = text_of(response)
    assert "Tuesday 1 December 2026, 10am to 12:30pm" in page
    assert "The Light House" in page and "12 Market Street" in page
    assert "Join the meeting online" in page
    assert "The new leaflet." in page
    assert "Draft leaflet (PDF" in page
    html = response.content.decode()
    assert f"/panels/meetings/{meeting.pk}/calendar.ics" in html
    assert "Manage this meeting" not in page


def test_user_text_is_escaped_on_the_meeting_page(member_client, panel):
    meeting = MeetingFactory(panel=panel, agenda="<script>alert(1)</script>")
    html = member_client.get(f"/panels/meetings/{meeting.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_a_cancelled_meeting_says_so_with_the_reason(member_client, panel):
    meeting = MeetingFactory(
        panel=panel, mode="online", joining_link="https://meet.example.org/x", cancelled=True
    )
    page = text_of(member_client.get(f"/panels/meetings/{meeting.pk}/"))
    assert "This meeting has been cancelled" in page
    assert "The venue flooded." in page
    assert "Join the meeting online" not in page


def test_a_member_sees_which_of_their_needs_are_booked(member_client, member, panel):
    member.involvement_profile.access_needs = ["bsl", "large_print"]
    member.involvement_profile.save()
    application = member.panel_applications.get()
    application.access_needs = ["step_free"]
    application.save()
    meeting = MeetingFactory(panel=panel)
    AccessArrangementFactory(
        meeting=meeting, need="bsl", status="booked", detail="Jo, arriving at 9:45am"
    )
    AccessArrangementFactory(
        meeting=meeting, need="step_free", status="not_possible", detail="The lift is broken"
    )
    AccessArrangementFactory(meeting=meeting, need="quiet_space", status="booked")
    page = text_of(member_client.get(f"/panels/meetings/{meeting.pk}/"))
    assert "A British Sign Language (BSL) interpreter Booked Jo, arriving at 9:45am" in page
    assert "Large print papers Not booked yet" in page
    assert "Step-free access Could not be booked The lift is broken" in page
    assert "quiet space" not in page


def test_a_member_with_no_needs_is_told_where_to_add_them(member_client, panel):
    meeting = MeetingFactory(panel=panel)
    page = text_of(member_client.get(f"/panels/meetings/{meeting.pk}/"))
    assert "You have not told us about any access needs" in page


def test_after_the_meeting_a_member_sees_their_attendance(member_client, member, panel):
    meeting = MeetingFactory(panel=panel, past=True)
    AttendanceFactory(meeting=meeting, member=member, hours="1.50")
    page = text_of(member_client.get(f"/panels/meetings/{meeting.pk}/"))
    assert "Attended (1.5 hours)" in page


def test_a_lead_of_the_panel_gets_a_way_into_the_admin(client, make_person, panel):
    meeting = MeetingFactory(panel=panel)
    sign_in(client, make_person("engagement_lead"))
    page = client.get(f"/panels/meetings/{meeting.pk}/").content.decode()
    assert f"/admin/meetings/inspect/{meeting.pk}/" in page
    assert "Your access needs" not in page


@pytest.mark.parametrize(
    "suffix", ["", "calendar.ics", "papers/{paper}/"], ids=["page", "ics", "paper"]
)
def test_guessing_another_panels_meeting_finds_nothing(client, member, suffix):
    meeting = MeetingFactory(panel=PanelFactory())
    paper = MeetingPaperFactory(meeting=meeting)
    sign_in(client, member)
    response = client.get(f"/panels/meetings/{meeting.pk}/" + suffix.format(paper=paper.pk))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["hr", "finance", "editor", "peer_worker", "supervisor"])
def test_other_roles_do_not_see_a_panels_meeting(client, make_person, panel, role):
    meeting = MeetingFactory(panel=panel)
    sign_in(client, make_person(role))
    assert client.get(f"/panels/meetings/{meeting.pk}/").status_code == 404


def test_a_lead_of_another_organisation_does_not_see_the_meeting(client, make_person, panel):
    from tests.factories import OrganisationFactory

    meeting = MeetingFactory(panel=panel)
    sign_in(client, make_person("engagement_lead", organisation=OrganisationFactory()))
    assert client.get(f"/panels/meetings/{meeting.pk}/").status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, panel):
    meeting = MeetingFactory(panel=panel)
    response = client.get(f"/panels/meetings/{meeting.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_meeting_page_issues_the_same_queries_for_3_or_30_papers(member_client, panel):
    meeting = MeetingFactory(panel=panel)

    def count():
        return queries_for(member_client, f"/panels/meetings/{meeting.pk}/")

    MeetingPaperFactory.create_batch(3, meeting=meeting)
    count()
    few = count()
    MeetingPaperFactory.create_batch(27, meeting=meeting)
    assert count() == few


# --- Papers ------------------------------------------------------------------------------------


def test_a_member_downloads_a_paper_as_an_attachment(member_client, panel):
    paper = MeetingPaperFactory(meeting=MeetingFactory(panel=panel))
    response = member_client.get(f"/panels/meetings/{paper.meeting_id}/papers/{paper.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_documents_public_address_stays_closed_to_members(member_client, panel):
    paper = MeetingPaperFactory(meeting=MeetingFactory(panel=panel))
    document = paper.document
    response = member_client.get(f"/documents/{document.pk}/{document.filename}")
    assert response.status_code != 200


def test_a_paper_of_another_meeting_cannot_be_reached_through_this_one(member_client, panel):
    mine = MeetingFactory(panel=panel)
    theirs = MeetingPaperFactory(meeting=MeetingFactory(panel=PanelFactory()))
    response = member_client.get(f"/panels/meetings/{mine.pk}/papers/{theirs.pk}/")
    assert response.status_code == 404


# --- Calendar file -----------------------------------------------------------------------------


def test_a_member_downloads_the_meeting_for_their_calendar(member_client, panel):
    meeting = MeetingFactory(panel=panel, title="Leaflet review")
    response = member_client.get(f"/panels/meetings/{meeting.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="leaflet-review.ics"'
    assert b"SUMMARY:Leaflet review\r\n" in response.content


# --- My space ----------------------------------------------------------------------------------


def test_my_space_shows_a_members_next_meetings(member_client, panel):
    MeetingFactory(
        panel=panel,
        title="Leaflet review",
        starts_at=at((2026, 12, 1), 10),
        ends_at=at((2026, 12, 1), 12),
    )
    MeetingFactory(panel=panel, title="Called off", cancelled=True)
    page = text_of(member_client.get("/my-space/"))
    assert "Your next meetings" in page
    assert "Leaflet review" in page and "Tuesday 1 December 2026, 10am to 12pm" in page
    assert "Called off" not in page


def test_my_space_does_not_show_meetings_to_a_member_not_on_a_panel(client, make_person):
    sign_in(client, make_person("member"))
    assert "Your next meetings" not in text_of(client.get("/my-space/"))


def test_my_space_meetings_issue_the_same_queries_for_3_or_30_meetings(member_client, panel):
    def count():
        return queries_for(member_client, "/my-space/")

    for day in range(3):
        MeetingFactory(panel=panel, starts_at=at((2027, 1, 1 + day), 10))
    count()
    few = count()
    for day in range(3, 30):
        MeetingFactory(panel=panel, starts_at=at((2027, 1, 1 + day), 10))
    assert count() == few


def test_my_space_shows_leads_the_meetings_with_needs_to_book(client, make_person, panel, member):
    member.involvement_profile.access_needs = ["bsl"]
    member.involvement_profile.save()
    other = MemberFactory()
    InvolvementProfileFactory(user=other, access_needs=["bsl", "easy_read"])
    PanelApplicationFactory(panel=panel, applicant=other, accepted=True)
    booked = MeetingFactory(panel=panel, title="All booked")
    AccessArrangementFactory(meeting=booked, need="bsl", status="booked")
    AccessArrangementFactory(meeting=booked, need="easy_read", status="booked")
    MeetingFactory(panel=panel, title="Needs booking", starts_at=at((2026, 12, 8), 10))
    sign_in(client, make_person("engagement_lead"))
    page = text_of(client.get("/my-space/"))
    assert "Access needs to book" in page
    assert "Needs booking" in page and "All booked" not in page
    assert "A British Sign Language (BSL) interpreter — 2 people" in page
    assert "Easy read papers — 1 person" in page


def test_the_leads_access_panel_issues_the_same_queries_for_3_or_30_meetings(
    client, make_person, panel, member
):
    member.involvement_profile.access_needs = ["bsl"]
    member.involvement_profile.save()
    sign_in(client, make_person("engagement_lead"))

    def count():
        return queries_for(client, "/my-space/")

    for day in range(3):
        MeetingFactory(panel=panel, starts_at=at((2026, 12, 1 + day), 10))
    count()
    few = count()
    for day in range(3, 30):
        MeetingFactory(panel=panel, starts_at=at((2026, 12, 1 + day), 10))
    assert count() == few
