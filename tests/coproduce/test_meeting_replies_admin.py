"""Leads see who is coming: counts and names by answer, notes and apologies, and record a
reply a member gave by phone. Access arrangements are worked out from the members who may
come, and the attendance form starts from the replies."""

from datetime import datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup

from cms.dates import UK
from coproduce.factories import MeetingReplyFactory
from coproduce.models import AccessArrangement, Attendance, MeetingReply
from coproduce.selectors.meetings import meeting_access_needs
from tests.conftest import sign_in
from tests.factories import (
    AccessArrangementFactory,
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
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def lead(make_person):
    return make_person("engagement_lead", first_name="Lee", last_name="Lead")


@pytest.fixture
def lead_client(client, lead):
    return sign_in(client, lead)


@pytest.fixture
def panel(organisation):
    return PanelFactory(organisation=organisation, title="Crisis café design panel")


@pytest.fixture
def meeting(panel):
    return MeetingFactory(panel=panel, title="Leaflet review")


def add_member(panel, name, *, needs=()):
    person = MemberFactory(first_name=name, email=f"{name.lower()}@example.org")
    InvolvementProfileFactory(user=person, display_name=name, access_needs=list(needs))
    PanelApplicationFactory(panel=panel, applicant=person, accepted=True)
    return person


def text_of(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def replies_url(meeting) -> str:
    return f"/admin/meetings/replies/{meeting.pk}/"


# --- Numbers, names, notes, apologies -----------------------------------------------------------


def test_the_lead_sees_replies_counted_with_names_and_notes(lead_client, panel, meeting):
    sam, alex, kai, jo = (add_member(panel, n) for n in ("Sam", "Alex", "Kai", "Jo"))
    MeetingReplyFactory(meeting=meeting, member=sam, note="Might be 10 minutes late")
    MeetingReplyFactory(meeting=meeting, member=alex, not_coming=True)
    MeetingReplyFactory(meeting=meeting, member=kai, maybe=True)
    page = text_of(lead_client.get(replies_url(meeting)))
    assert "1 coming, 1 maybe, 1 not coming, 1 not replied yet." in page
    assert "Coming (1) Member Their note Replied Sam Might be 10 minutes late" in page
    assert "Not coming (1)" in page and "Alex Sent apologies" in page
    assert "Sorry, I have a hospital appointment." in page
    assert "Not replied yet (1) Member Jo" in page


def test_the_meeting_at_a_glance_shows_the_numbers_and_apologies(lead_client, panel, meeting):
    sam, alex = add_member(panel, "Sam"), add_member(panel, "Alex")
    MeetingReplyFactory(meeting=meeting, member=sam)
    MeetingReplyFactory(meeting=meeting, member=alex, not_coming=True)
    page = text_of(lead_client.get(f"/admin/meetings/inspect/{meeting.pk}/"))
    assert "1 coming, 0 maybe, 1 not coming, 0 not replied yet" in page
    assert "Alex: “Sorry, I have a hospital appointment.”" in page


def test_a_lead_records_a_reply_a_member_phoned_in(lead_client, lead, client, panel, meeting):
    sam = add_member(panel, "Sam")
    data = {"member": str(sam.pk), "answer": "not_coming", "note": "Phoned: unwell"}
    response = lead_client.post(replies_url(meeting), data)
    assert response.status_code == 302
    lead_client.post(replies_url(meeting), data)
    reply = MeetingReply.objects.get()
    assert (reply.answer, reply.note, reply.via, reply.recorded_by) == (
        "not_coming",
        "Phoned: unwell",
        "staff",
        lead,
    )
    page = text_of(lead_client.get(replies_url(meeting)))
    assert "Recorded by staff (Lee Lead)" in page
    sign_in(client, sam)
    member_page = text_of(client.get(f"/panels/meetings/{meeting.pk}/"))
    assert "You said: Not coming" in member_page
    assert "The people running the panel noted this for you." in member_page


def test_a_reply_for_someone_not_on_the_panel_or_with_no_answer_is_refused(
    lead_client, panel, meeting
):
    add_member(panel, "Sam")
    stranger = add_member(PanelFactory(), "Kai")
    response = lead_client.post(
        replies_url(meeting), {"member": str(stranger.pk), "answer": "coming"}
    )
    assert response.status_code == 400
    assert "Choose a member of this panel" in text_of(response)
    response = lead_client.post(replies_url(meeting), {"member": "", "note": "Rang"})
    assert response.status_code == 400
    assert "Choose the member who replied" in text_of(response)
    assert "Choose whether they are coming" in text_of(response)
    assert not MeetingReply.objects.exists()


def test_a_finished_or_cancelled_meeting_takes_no_reply_from_staff(lead_client, panel):
    sam = add_member(panel, "Sam")
    for meeting in (
        MeetingFactory(panel=panel, past=True),
        MeetingFactory(panel=panel, cancelled=True),
    ):
        assert 'name="answer"' not in lead_client.get(replies_url(meeting)).content.decode()
        response = lead_client.post(
            replies_url(meeting), {"member": str(sam.pk), "answer": "coming"}
        )
        assert response.status_code == 302
    assert not MeetingReply.objects.exists()


def test_a_lead_of_another_organisation_cannot_see_or_record_replies(
    client, make_person, meeting, panel
):
    sam = add_member(panel, "Sam")
    outsider = make_person("engagement_lead", organisation=OrganisationFactory(name="Other"))
    sign_in(client, outsider)
    assert client.get(replies_url(meeting)).status_code == 404
    assert (
        client.post(replies_url(meeting), {"member": str(sam.pk), "answer": "coming"}).status_code
        == 404
    )
    assert not MeetingReply.objects.exists()


@pytest.mark.parametrize("role", ["member", "peer_worker", "supervisor", "hr", "finance", "editor"])
def test_other_roles_cannot_reach_the_replies_page(client, make_person, panel, meeting, role):
    sam = add_member(panel, "Sam")
    MeetingReplyFactory(meeting=meeting, member=sam, not_coming=True)
    sign_in(client, make_person(role))
    response = client.get(replies_url(meeting))
    assert response.status_code in (302, 403, 404)
    assert "hospital appointment" not in response.content.decode()
    client.post(replies_url(meeting), {"member": str(sam.pk), "answer": "coming"})
    assert MeetingReply.objects.get().answer == "not_coming"


def test_signed_out_people_are_sent_to_sign_in(client, meeting):
    response = client.get(replies_url(meeting))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_replies_page_issues_the_same_queries_for_3_or_30_members(lead_client, panel, meeting):
    def count():
        return queries_for(lead_client, replies_url(meeting))

    def add(n):
        person = add_member(panel, f"Member{n}")
        if n % 4:
            MeetingReplyFactory(
                meeting=meeting, member=person, answer=["coming", "maybe", "not_coming"][n % 3]
            )

    for n in range(3):
        add(n)
    count()
    few = count()
    for n in range(3, 30):
        add(n)
    assert count() == few


def test_the_meeting_inspect_page_issues_the_same_queries_for_3_or_30_members(
    lead_client, panel, meeting
):
    def count():
        return queries_for(lead_client, f"/admin/meetings/inspect/{meeting.pk}/")

    def add(n):
        person = add_member(panel, f"Member{n}", needs=["bsl"] if n % 2 else [])
        MeetingReplyFactory(meeting=meeting, member=person, answer=["coming", "not_coming"][n % 2])

    for n in range(3):
        add(n)
    count()
    few = count()
    for n in range(3, 30):
        add(n)
    assert count() == few


# --- Access arrangements from those who may come ------------------------------------------------


def test_needs_of_members_not_coming_drop_out_of_the_count(panel, meeting):
    sam = add_member(panel, "Sam", needs=["bsl"])
    alex = add_member(panel, "Alex", needs=["bsl", "large_print"])
    add_member(panel, "Kai", needs=["bsl"])
    MeetingReplyFactory(meeting=meeting, member=sam)
    MeetingReplyFactory(meeting=meeting, member=alex, not_coming=True)
    summary = {s.need: s for s in meeting_access_needs(meeting)}
    assert summary["bsl"].people == ["Kai", "Sam"]
    assert summary["bsl"].not_coming == ["Alex"]
    assert summary["bsl"].replies_text == "1 coming, 1 not replied yet"
    assert "large_print" not in summary


def test_a_booking_nobody_coming_needs_is_kept_and_marked_no_longer_needed(
    lead_client, client, make_person, panel, meeting
):
    sam = add_member(panel, "Sam", needs=["bsl"])
    AccessArrangementFactory(meeting=meeting, need="bsl", status="booked", detail="Jo, 9:45am")
    MeetingReplyFactory(meeting=meeting, member=sam, not_coming=True)
    page = text_of(lead_client.get(f"/admin/meetings/access/{meeting.pk}/"))
    assert "A British Sign Language (BSL) interpreter — 0 people" in page
    assert "No longer needed: everyone who needs this said they are not coming" in page
    assert "Not counted, because they said they are not coming: Sam." in page
    assert AccessArrangement.objects.get().status == "booked"
    inspect = text_of(lead_client.get(f"/admin/meetings/inspect/{meeting.pk}/"))
    assert "A British Sign Language (BSL) interpreter — 0 people: no longer needed" in inspect
    my_space = text_of(lead_client.get("/my-space/"))
    assert "booked, but no longer needed: Sam said they are not coming" in my_space
    sign_in(client, sam)
    member_page = text_of(client.get(f"/panels/meetings/{meeting.pk}/"))
    assert "You said you are not coming, so nothing needs to be booked for you" in member_page


def test_my_space_asks_leads_to_book_only_for_members_who_may_come(lead_client, panel, meeting):
    sam = add_member(panel, "Sam", needs=["easy_read"])
    MeetingReplyFactory(meeting=meeting, member=sam, not_coming=True)
    page = text_of(lead_client.get("/my-space/"))
    assert "Leaflet review" not in page
    MeetingReply.objects.update(answer="maybe")
    page = text_of(lead_client.get("/my-space/"))
    assert "Leaflet review" in page and "Easy read papers — 1 person" in page


# --- Attendance starts from the replies --------------------------------------------------------


def test_the_attendance_form_starts_from_the_replies(lead_client, panel, frozen_time):
    meeting = MeetingFactory(panel=panel, past=True)
    sam, alex, kai, jo = (add_member(panel, n) for n in ("Sam", "Alex", "Kai", "Jo"))
    MeetingReplyFactory(meeting=meeting, member=sam)
    MeetingReplyFactory(meeting=meeting, member=alex, not_coming=True)
    MeetingReplyFactory(meeting=meeting, member=kai, maybe=True)
    response = lead_client.get(f"/admin/meetings/attendance/{meeting.pk}/")
    soup = BeautifulSoup(response.content, "html.parser")

    def chosen(person):
        checked = soup.select_one(f"input[name=status-{person.pk}][checked]")
        return checked["value"] if checked else None

    assert chosen(sam) == "attended"
    assert chosen(alex) == "apologies"
    assert chosen(kai) == ""  # maybe: not recorded until the lead says
    assert chosen(jo) == ""
    page = text_of(response)
    assert "Not coming “Sorry, I have a hospital appointment.”" in page
    assert not Attendance.objects.exists()  # the lead still confirms

    response = lead_client.post(
        f"/admin/meetings/attendance/{meeting.pk}/",
        {
            f"status-{sam.pk}": "attended",
            f"hours-{sam.pk}": "",
            f"status-{alex.pk}": "apologies",
            f"hours-{alex.pk}": "",
            f"status-{kai.pk}": "",
            f"status-{jo.pk}": "",
        },
    )
    assert response.status_code == 302
    recorded = dict(Attendance.objects.values_list("member__first_name", "status"))
    assert recorded == {"Sam": "attended", "Alex": "apologies"}
    assert Attendance.objects.get(member=sam).hours == meeting.hours


def test_a_recorded_attendance_wins_over_the_reply(lead_client, panel):
    meeting = MeetingFactory(panel=panel, past=True)
    sam = add_member(panel, "Sam")
    MeetingReplyFactory(meeting=meeting, member=sam, not_coming=True)
    Attendance.objects.create(meeting=meeting, member=sam, status="attended", hours=meeting.hours)
    soup = BeautifulSoup(
        lead_client.get(f"/admin/meetings/attendance/{meeting.pk}/").content, "html.parser"
    )
    assert soup.select_one(f"input[name=status-{sam.pk}][checked]")["value"] == "attended"


def test_the_reply_window_for_staff_runs_until_the_meeting_ends(client, lead, panel, frozen_time):
    meeting = MeetingFactory(panel=panel)
    sam = add_member(panel, "Sam")
    frozen_time.move_to(meeting.starts_at + timedelta(minutes=10))
    lead_client = sign_in(client, lead)
    lead_client.post(replies_url(meeting), {"member": str(sam.pk), "answer": "not_coming"})
    assert MeetingReply.objects.get().via == "staff"
