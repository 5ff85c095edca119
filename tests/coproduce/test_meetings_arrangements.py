"""Access arrangements: for each meeting the lead sees the panel's access needs, counted,
from members' profiles and applications, and records whether each is booked; members see
their own. Papers: documents from the private "Panel papers" collection, attached by the
lead and shown only to the panel."""

from datetime import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, ModelLogEntry

from cms.dates import UK
from cms.factories import TINY_PDF
from coproduce import audit_actions
from coproduce.factories import MeetingPaperFactory, PanelPaperDocumentFactory
from coproduce.models import AccessArrangement, MeetingPaper
from coproduce.selectors.meetings import meeting_access_needs
from coproduce.services import Refused
from coproduce.services.meetings import ArrangementEntry, access_arrangements_record
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
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lead(make_person):
    return make_person("engagement_lead")


@pytest.fixture
def lead_client(client, lead):
    return sign_in(client, lead)


@pytest.fixture
def panel(organisation):
    return PanelFactory(organisation=organisation)


def add_member(panel, name, *, profile_needs=(), application_needs=(), **profile):
    person = MemberFactory(first_name=name)
    InvolvementProfileFactory(
        user=person, display_name=name, access_needs=list(profile_needs), **profile
    )
    PanelApplicationFactory(
        panel=panel, applicant=person, accepted=True, access_needs=list(application_needs)
    )
    return person


@pytest.fixture
def meeting(panel):
    return MeetingFactory(panel=panel)


def text_of(response) -> str:
    """The page as a person reads it: text only, entities decoded, spaces collapsed."""
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


# --- Counting needs ----------------------------------------------------------------------------


def test_needs_are_counted_from_profiles_and_applications_once_per_person(panel, meeting):
    add_member(panel, "Sam", profile_needs=["bsl"], application_needs=["bsl", "large_print"])
    add_member(panel, "Alex", profile_needs=["bsl"])
    add_member(panel, "Kai", application_needs=["language"], interpreter_language="Polish")
    add_member(panel, "Jo")
    PanelApplicationFactory(panel=panel, access_needs=["step_free"])  # not accepted
    summary = {s.need: (s.count, s.people, s.notes) for s in meeting_access_needs(meeting)}
    assert summary == {
        "bsl": (2, ["Alex", "Sam"], []),
        "large_print": (1, ["Sam"], []),
        "language": (1, ["Kai"], ["Polish"]),
    }


def test_the_lead_sees_each_need_counted_with_who_needs_it(lead_client, panel, meeting):
    add_member(panel, "Sam", profile_needs=["bsl"])
    add_member(panel, "Alex", profile_needs=["bsl", "other"], access_needs_other="Breaks often")
    page = text_of(lead_client.get(f"/admin/meetings/access/{meeting.pk}/"))
    assert "A British Sign Language (BSL) interpreter — 2 people" in page
    assert "Needed by: Alex, Sam." in page
    assert "Something else — 1 person" in page and "Breaks often" in page


def test_a_panel_with_no_needs_says_there_is_nothing_to_book(lead_client, panel, meeting):
    add_member(panel, "Sam")
    page = text_of(lead_client.get(f"/admin/meetings/access/{meeting.pk}/"))
    assert "there is nothing to book" in page


# --- Recording --------------------------------------------------------------------------------


def test_the_lead_records_a_booking_once_and_the_member_sees_it(
    lead_client, client, panel, meeting
):
    sam = add_member(panel, "Sam", profile_needs=["bsl", "large_print"])
    data = {
        "bsl-status": "booked",
        "bsl-detail": "Jo Smith, arriving 9:45am",
        "large_print-status": "needed",
        "large_print-detail": "",
    }
    response = lead_client.post(f"/admin/meetings/access/{meeting.pk}/", data)
    assert response.status_code == 302
    lead_client.post(f"/admin/meetings/access/{meeting.pk}/", data)
    arrangement = AccessArrangement.objects.get()
    assert (arrangement.need, arrangement.status) == ("bsl", "booked")
    assert arrangement.detail == "Jo Smith, arriving 9:45am"
    logged = ModelLogEntry.objects.filter(action=audit_actions.ACCESS_ARRANGEMENT_RECORD)
    assert logged.count() == 1

    sign_in(client, sam)
    page = text_of(client.get(f"/panels/meetings/{meeting.pk}/"))
    assert "Booked Jo Smith, arriving 9:45am" in page
    assert "Large print papers Not booked yet" in page


def test_a_need_that_could_not_be_booked_needs_a_reason(lead_client, panel, meeting):
    add_member(panel, "Sam", profile_needs=["step_free"])
    response = lead_client.post(
        f"/admin/meetings/access/{meeting.pk}/",
        {"step_free-status": "not_possible", "step_free-detail": ""},
    )
    assert response.status_code == 400
    assert "Say why “Step-free access” could not be booked" in text_of(response)
    assert not AccessArrangement.objects.exists()


def test_an_arrangement_is_updated_in_place(lead, panel, meeting):
    add_member(panel, "Sam", profile_needs=["bsl"])
    AccessArrangementFactory(meeting=meeting, need="bsl", status="needed")
    access_arrangements_record(
        user=lead, meeting=meeting, entries=[ArrangementEntry("bsl", "booked", "<b>Jo</b>")]
    )
    arrangement = AccessArrangement.objects.get()
    assert arrangement.status == "booked" and arrangement.detail == "<b>Jo</b>"  # as typed
    assert arrangement.updated_by == lead


def test_an_arrangement_for_a_need_nobody_has_now_stays_listed(lead_client, panel, meeting):
    add_member(panel, "Sam")
    AccessArrangementFactory(meeting=meeting, need="bsl", status="booked")
    page = text_of(lead_client.get(f"/admin/meetings/access/{meeting.pk}/"))
    assert "A British Sign Language (BSL) interpreter — 0 people" in page


def test_a_lead_of_another_organisation_cannot_book(make_person, panel, meeting):
    add_member(panel, "Sam", profile_needs=["bsl"])
    outsider = make_person("engagement_lead", organisation=OrganisationFactory(name="Other"))
    with pytest.raises(Refused):
        access_arrangements_record(
            user=outsider, meeting=meeting, entries=[ArrangementEntry("bsl", "booked")]
        )
    assert not AccessArrangement.objects.exists()


def test_the_access_page_issues_the_same_queries_for_3_or_30_members(lead_client, panel, meeting):

    def count():
        return queries_for(lead_client, f"/admin/meetings/access/{meeting.pk}/")

    needs = ["bsl", "easy_read", "quiet_space"]
    for n in range(3):
        add_member(panel, f"Member{n}", profile_needs=[needs[n % 3]])
    count()
    few = count()
    for n in range(3, 30):
        add_member(panel, f"Member{n}", profile_needs=[needs[n % 3]])
    assert count() == few


# --- Papers ------------------------------------------------------------------------------------


def test_a_lead_attaches_a_paper_from_the_panel_papers_collection(lead_client, lead, meeting):
    document = PanelPaperDocumentFactory(title="Leaflet draft v2", uploaded_by_user=lead)
    response = lead_client.post(
        f"/admin/meetings/papers/{meeting.pk}/", {"document": document.pk, "title": ""}
    )
    assert response.status_code == 302
    paper = MeetingPaper.objects.get()
    assert (paper.meeting, paper.document, paper.title) == (meeting, document, "Leaflet draft v2")
    page = text_of(lead_client.get(f"/admin/meetings/papers/{meeting.pk}/"))
    assert "Leaflet draft v2" in page


def test_the_same_document_twice_is_refused_kindly(lead_client, lead, meeting):
    document = PanelPaperDocumentFactory(uploaded_by_user=lead)
    url = f"/admin/meetings/papers/{meeting.pk}/"
    lead_client.post(url, {"document": document.pk, "title": "Agenda"})
    response = lead_client.post(url, {"document": document.pk, "title": "Agenda"})
    assert "already one of the meeting's papers" in text_of(response)
    assert MeetingPaper.objects.count() == 1


def test_a_document_outside_the_private_collection_is_refused(lead_client, lead, meeting):
    root = Collection.get_first_root_node()
    document = PanelPaperDocumentFactory(collection=root, uploaded_by_user=lead)
    response = lead_client.post(
        f"/admin/meetings/papers/{meeting.pk}/", {"document": document.pk, "title": "Typed"}
    )
    page = text_of(response)
    assert "Choose a document from the “Panel papers” collection" in page
    assert 'value="Typed"' in response.content.decode()
    assert not MeetingPaper.objects.exists()


def test_a_lead_removes_a_paper_and_a_second_click_is_harmless(lead_client, meeting):
    paper = MeetingPaperFactory(meeting=meeting, title="Old agenda")
    url = f"/admin/meetings/papers/{meeting.pk}/remove/{paper.pk}/"
    assert lead_client.post(url).status_code == 302
    again = lead_client.post(url, follow=True)
    assert "already been removed" in text_of(again)
    assert not MeetingPaper.objects.exists()
    assert get_document_model().objects.filter(pk=paper.document_id).exists()


def test_removing_a_paper_is_a_form_not_a_link(lead_client, meeting):
    paper = MeetingPaperFactory(meeting=meeting)
    response = lead_client.get(f"/admin/meetings/papers/{meeting.pk}/remove/{paper.pk}/")
    assert response.status_code == 405
    assert MeetingPaper.objects.exists()


def test_a_lead_cannot_remove_another_panels_paper_through_their_own_meeting(lead_client, meeting):
    theirs = MeetingPaperFactory(meeting=MeetingFactory(panel=PanelFactory()))
    lead_client.post(f"/admin/meetings/papers/{meeting.pk}/remove/{theirs.pk}/")
    assert MeetingPaper.objects.filter(pk=theirs.pk).exists()


def test_a_lead_uploads_a_new_paper_into_the_private_collection(lead_client, lead, meeting):
    upload = SimpleUploadedFile("easy-read-agenda.pdf", TINY_PDF, content_type="application/pdf")
    response = lead_client.post(
        f"/admin/meetings/papers/{meeting.pk}/", {"upload": upload, "title": ""}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    paper = MeetingPaper.objects.select_related("document__collection").get()
    assert paper.title == "easy-read-agenda"
    assert paper.document.collection.name == "Panel papers"
    assert paper.document.uploaded_by_user == lead
    assert paper.document.file_size == len(TINY_PDF)


@pytest.mark.parametrize(
    ("name", "message"),
    [("run-me.exe", "Upload a document of one of these types"), ("empty.pdf", "empty")],
)
def test_an_upload_of_the_wrong_kind_is_refused(lead_client, meeting, name, message):
    content = b"" if name == "empty.pdf" else b"MZ..."
    response = lead_client.post(
        f"/admin/meetings/papers/{meeting.pk}/",
        {"upload": SimpleUploadedFile(name, content), "title": "Typed title"},
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert 'value="Typed title"' in response.content.decode()
    assert not MeetingPaper.objects.exists()
    assert not get_document_model().objects.exists()


def test_adding_a_paper_needs_a_document_or_an_upload(lead_client, meeting):
    response = lead_client.post(f"/admin/meetings/papers/{meeting.pk}/", {"title": "x"})
    assert "Choose a document, or upload a new one" in text_of(response)


def test_the_document_list_offers_only_the_leads_organisations_papers(
    lead_client, lead, make_person, meeting
):
    colleague = make_person("engagement_lead")
    stranger = make_person("engagement_lead", organisation=OrganisationFactory(name="Other"))
    PanelPaperDocumentFactory(title="Mine", uploaded_by_user=lead)
    PanelPaperDocumentFactory(title="My colleague's", uploaded_by_user=colleague)
    PanelPaperDocumentFactory(title="Another trust's plans", uploaded_by_user=stranger)
    page = text_of(lead_client.get(f"/admin/meetings/papers/{meeting.pk}/"))
    assert "Mine" in page and "My colleague's" in page
    assert "Another trust's plans" not in page
