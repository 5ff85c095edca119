"""Uploads are stored with their records or not at all, and a record whose file has gone
answers with a plain page.

When the storage will not take a file (the disk is full, the storage service is down) the
person sees a plain message on the same form, with what they typed still in it, and no
record is left pointing at a file that is not there. A download whose file is missing says
so (410), never a server error.
"""

import io

import pytest
from django.core.files.base import ContentFile, File
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model

from charter.models import Evidence
from cms.factories import TINY_PDF
from cms.models import ReportJob
from cms.storage import STORAGE_FAILED_MESSAGE, MediaStorage
from coproduce.factories import MeetingPaperFactory
from coproduce.models import Expense, MeetingPaper
from tests.conftest import sign_in
from tests.factories import (
    CharterFactory,
    EvidenceFactory,
    ExpenseFactory,
    InvolvementClaimFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db

FAILED = "We could not save your file just now"
MISSING = "This file is no longer available"


@pytest.fixture
def storage_refuses(monkeypatch):
    """Every storage refuses to write, as a full disk would."""

    def full_disk(self, name, content):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(InMemoryStorage, "_save", full_disk)


def pdf(name="ticket.pdf"):
    return SimpleUploadedFile(name, TINY_PDF, content_type="application/pdf")


def _page(response) -> str:
    return response.content.decode()


# --- Storage that fails: a plain message, the form kept, nothing saved -----------------------


def test_a_receipt_that_cannot_be_stored_keeps_the_form_and_saves_nothing(
    client, make_person, storage_refuses
):
    member = make_person("member")
    claim = InvolvementClaimFactory(attendance__member=member)
    sign_in(client, member)

    response = client.post(
        f"/claims/{claim.pk}/expenses/add/",
        {
            "kind": "travel",
            "description": "Taxi to the Light House",
            "amount": "12.40",
            "receipt": pdf(),
        },
    )

    page = _page(response)
    assert response.status_code in (200, 400)
    assert FAILED in page
    assert "Taxi to the Light House" in page and "12.40" in page
    assert not Expense.objects.filter(claim=claim).exists()


def test_a_panel_paper_that_cannot_be_stored_keeps_the_form_and_saves_nothing(
    client, make_person, organisation, storage_refuses
):
    meeting = MeetingFactory(panel__organisation=organisation)
    sign_in(client, make_person("engagement_lead"))
    documents_before = get_document_model().objects.count()

    response = client.post(
        f"/admin/meetings/papers/{meeting.pk}/",
        {"title": "Draft leaflet for the café", "upload": pdf("leaflet.pdf")},
    )

    page = _page(response)
    assert response.status_code == 400
    assert FAILED in page
    assert "Draft leaflet for the café" in page
    assert not MeetingPaper.objects.filter(meeting=meeting).exists()
    assert get_document_model().objects.count() == documents_before


def test_charter_evidence_that_cannot_be_stored_keeps_the_form_and_saves_nothing(
    client, make_person, organisation, storage_refuses
):
    charter = CharterFactory(organisation=organisation)
    sign_in(client, make_person("hr"))
    documents_before = get_document_model().objects.count()

    response = client.post(
        reverse("charter_evidence_upload", args=[charter.pk]),
        {"title": "Recruitment policy 2026", "upload": pdf("policy.pdf")},
    )

    page = _page(response)
    assert response.status_code == 400
    assert FAILED in page
    assert "Recruitment policy 2026" in page
    assert not Evidence.objects.filter(charter=charter).exists()
    assert get_document_model().objects.count() == documents_before


def test_the_message_says_what_to_do_next():
    assert "try in a few minutes" in STORAGE_FAILED_MESSAGE
    assert "nothing has been saved" in STORAGE_FAILED_MESSAGE


def test_a_file_stored_for_a_record_that_then_fails_is_removed(
    make_person, organisation, monkeypatch
):
    from charter import services

    charter = CharterFactory(organisation=organisation)
    hr = make_person("hr")
    stored = []
    real_save = InMemoryStorage._save

    def remember(self, name, content):
        stored.append((self, real_save(self, name, content)))
        return stored[-1][1]

    def record_fails(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(InMemoryStorage, "_save", remember)
    monkeypatch.setattr(Evidence.objects, "create", record_fails)

    with pytest.raises(RuntimeError):
        services.evidence_upload(user=hr, charter=charter, upload=pdf("policy.pdf"), title="Policy")

    assert stored, "the document's file was stored before the record failed"
    assert not any(storage.exists(name) for storage, name in stored)


def test_a_disk_that_fills_part_way_leaves_no_half_file(tmp_path):
    class FillsUp(File):
        def chunks(self, chunk_size=None):
            yield b"%PDF-1.4 first part"
            raise OSError(28, "No space left on device")

    storage = MediaStorage(location=tmp_path)

    with pytest.raises(OSError):
        storage.save("documents/paper.pdf", FillsUp(io.BytesIO(b"x"), name="paper.pdf"))

    assert not (tmp_path / "documents" / "paper.pdf").exists()


# --- Records whose file has gone: a plain page, never a server error -------------------------


def _forget(field_file):
    field_file.storage.delete(field_file.name)


def test_a_receipt_whose_file_has_gone_answers_with_a_plain_page(client, make_person):
    member = make_person("member")
    expense = ExpenseFactory(claim=InvolvementClaimFactory(attendance__member=member))
    _forget(expense.receipt)
    sign_in(client, member)

    response = client.get(f"/claims/{expense.claim_id}/expenses/{expense.pk}/receipt/")

    assert response.status_code == 410
    assert MISSING in _page(response)


def test_a_paper_whose_file_has_gone_answers_with_a_plain_page(client, make_person, organisation):
    lead = make_person("engagement_lead")
    paper = MeetingPaperFactory(meeting=MeetingFactory(panel__organisation=organisation))
    _forget(paper.document.file)
    sign_in(client, lead)

    own_route = client.get(f"/panels/meetings/{paper.meeting_id}/papers/{paper.pk}/")
    wagtail_route = client.get(
        reverse("wagtaildocs_serve", args=[paper.document.pk, paper.document.filename])
    )

    for response in (own_route, wagtail_route):
        assert response.status_code == 410
        assert MISSING in _page(response)


def test_evidence_whose_file_has_gone_answers_with_a_plain_page(client, make_person, organisation):
    evidence = EvidenceFactory(charter__organisation=organisation)
    _forget(evidence.document.file)
    sign_in(client, make_person("hr"))

    response = client.get(reverse("charter_evidence_download", args=[evidence.pk]))

    assert response.status_code == 410
    assert MISSING in _page(response)


def test_a_report_whose_file_has_gone_answers_with_a_plain_page(client, make_person, organisation):
    from charter.services import BOARD_REPORT

    hr = make_person("hr")
    charter = CharterFactory(organisation=organisation)
    job = ReportJob.objects.create(
        kind=BOARD_REPORT,
        title="Board report",
        params={"charter": charter.pk},
        requested_by=hr,
        status=ReportJob.Status.DONE,
        progress=100,
        filename="board-report.pdf",
    )
    job.file.save("board-report.pdf", ContentFile(b"%PDF-1.4"), save=True)
    _forget(job.file)
    sign_in(client, hr)

    response = client.get(reverse("report_download", args=[job.pk]))

    assert response.status_code == 410
    assert MISSING in _page(response)


def test_a_file_whose_storage_is_not_answering_gets_a_plain_try_again_page(
    client, make_person, organisation, monkeypatch
):
    """Object storage down (botocore raises its own errors, not OSError): a 503 page that
    says to try again, never a server error."""
    from botocore.exceptions import EndpointConnectionError

    member = make_person("member")
    expense = ExpenseFactory(claim=InvolvementClaimFactory(attendance__member=member))
    lead = make_person("engagement_lead")
    paper = MeetingPaperFactory(meeting=MeetingFactory(panel__organisation=organisation))

    def unreachable(*args, **kwargs):
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")

    for storage in {expense.receipt.storage, paper.document.file.storage}:
        monkeypatch.setattr(storage, "open", unreachable)
        monkeypatch.setattr(storage, "exists", unreachable)

    sign_in(client, member)
    receipt = client.get(f"/claims/{expense.claim_id}/expenses/{expense.pk}/receipt/")
    sign_in(client, lead)
    wagtail_route = client.get(
        reverse("wagtaildocs_serve", args=[paper.document.pk, paper.document.filename])
    )
    for response in (receipt, wagtail_route):
        assert response.status_code == 503
        assert "Please try again in a few minutes" in _page(response)
