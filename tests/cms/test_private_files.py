"""Private documents are served only through views that check who is asking, and keep the
scope of the record they belong to through every route Wagtail offers.

Panel papers follow their meeting (the leads of the panel's organisation, and its members
through the panel's own page); charter evidence follows its charter (HR of its
organisation). Another organisation's staff cannot download, list, choose, edit, replace or
delete them, whatever the collection's permissions grant.
"""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, reverse
from wagtail.documents import get_document_model

from cms.storage import MediaStorage
from coproduce.factories import MeetingPaperFactory, PanelPaperDocumentFactory
from tests.conftest import sign_in
from tests.factories import EvidenceFactory, MeetingFactory

pytestmark = pytest.mark.django_db


# --- /media/ in DEBUG: images only ---------------------------------------------------------


@pytest.fixture
def debug_urls(settings, tmp_path):
    """The URLs as ``make run`` builds them (DEBUG on), with media on a real disk."""
    import cms.urls

    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    importlib.reload(cms.urls)
    clear_url_caches()
    yield tmp_path
    with override_settings(DEBUG=False):
        importlib.reload(cms.urls)
    clear_url_caches()


def test_in_debug_a_papers_file_has_no_public_media_address(client, debug_urls):
    paper = MeetingPaperFactory()
    on_disk = debug_urls / paper.document.file.name
    on_disk.parent.mkdir(parents=True)
    on_disk.write_bytes(b"%PDF-1.4 private")

    response = client.get(f"/media/{paper.document.file.name}")

    assert response.status_code == 404


def test_in_debug_images_are_still_served_from_media(client, debug_urls):
    image = debug_urls / "original_images" / "logo.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"\x89PNG\r\n\x1a\n")

    response = client.get("/media/original_images/logo.png")

    assert response.status_code == 200


def test_documents_are_served_through_wagtails_checked_view(settings):
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"


# --- Panel papers keep their panel's scope ---------------------------------------------------


@pytest.fixture
def media_on_disk(monkeypatch, tmp_path):
    """Documents on a real disk, as in production (Wagtail serves documents from a path).

    Only the document file field's storage is swapped: changing ``STORAGES`` would make
    Django build new storage objects, leaving models that captured the old ones (expense
    receipts) pointing elsewhere for every later test in the same process."""
    field = get_document_model()._meta.get_field("file")
    monkeypatch.setattr(field, "storage", MediaStorage(location=tmp_path))
    return tmp_path


@pytest.fixture
def paper(media_on_disk, organisation):
    return MeetingPaperFactory(meeting=MeetingFactory(panel__organisation=organisation))


@pytest.fixture
def lead_a(make_person):
    return make_person("engagement_lead")


@pytest.fixture
def lead_b(make_person, other_organisation):
    return make_person("engagement_lead", organisation=other_organisation)


def _serve(client, document):
    return client.get(reverse("wagtaildocs_serve", args=[document.pk, document.filename]))


def test_the_panels_own_lead_downloads_and_edits_its_paper(client, media_on_disk, lead_a):
    sign_in(client, lead_a)
    document = MeetingPaperFactory(meeting__panel__organisation=lead_a.organisation).document

    assert _serve(client, document).status_code == 200
    assert client.get(reverse("wagtaildocs:edit", args=[document.pk])).status_code == 200
    assert document.title in client.get(reverse("wagtaildocs:index")).content.decode()
    chooser = client.get(reverse("wagtaildocs_chooser:choose"))
    assert document.title in chooser.json()["html"]


def test_another_organisations_lead_cannot_download_the_paper(client, paper, lead_b):
    sign_in(client, lead_b)

    assert _serve(client, paper.document).status_code == 404


def test_another_organisations_lead_cannot_edit_replace_or_delete_the_paper(client, paper, lead_b):
    sign_in(client, lead_b)
    document = paper.document
    title = document.title

    edit = client.get(reverse("wagtaildocs:edit", args=[document.pk]))
    client.post(reverse("wagtaildocs:edit", args=[document.pk]), {"title": "Mine now"})
    client.post(reverse("wagtaildocs:edit_multiple", args=[document.pk]), {"title": "Mine now"})
    delete = client.post(reverse("wagtaildocs:delete", args=[document.pk]))

    assert edit.status_code != 200
    assert delete.status_code != 200
    document.refresh_from_db()
    assert document.title == title


def test_another_organisations_lead_does_not_see_the_paper_listed_or_to_choose(
    client, paper, lead_b
):
    sign_in(client, lead_b)
    own = PanelPaperDocumentFactory(title="Our own agenda", uploaded_by_user=lead_b)

    listing = client.get(reverse("wagtaildocs:index")).content.decode()
    chooser = client.get(reverse("wagtaildocs_chooser:choose")).json()["html"]
    chosen = client.get(reverse("wagtaildocs_chooser:chosen", args=[paper.document.pk]))

    assert paper.document.title not in listing
    assert paper.document.title not in chooser
    assert own.title in listing and own.title in chooser
    assert chosen.status_code != 200


def test_an_editor_with_every_collection_cannot_open_or_change_panel_papers(
    client, paper, make_person
):
    sign_in(client, make_person("editor"))
    document = paper.document

    assert _serve(client, document).status_code == 404
    assert document.title not in client.get(reverse("wagtaildocs:index")).content.decode()
    assert client.get(reverse("wagtaildocs:edit", args=[document.pk])).status_code != 200


def test_the_public_cannot_download_a_paper(client, paper):
    assert _serve(client, paper.document).status_code == 404


# --- Charter evidence keeps its charter's scope ----------------------------------------------


@pytest.fixture
def evidence(media_on_disk, organisation):
    return EvidenceFactory(charter__organisation=organisation)


def test_hr_of_the_charters_organisation_downloads_its_evidence(client, evidence, make_person):
    sign_in(client, make_person("hr"))

    response = client.get(reverse("charter_evidence_download", args=[evidence.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_hr_of_another_organisation_cannot_reach_the_evidence_by_any_route(
    client, evidence, make_person, other_organisation
):
    sign_in(client, make_person("hr", organisation=other_organisation))
    document = evidence.document

    own_route = client.get(reverse("charter_evidence_download", args=[evidence.pk]))
    listing = client.get(reverse("wagtaildocs:index")).content.decode()

    assert own_route.status_code == 404
    assert _serve(client, document).status_code == 404
    assert document.title not in listing
    assert client.get(reverse("wagtaildocs:edit", args=[document.pk])).status_code != 200


def test_an_editor_cannot_open_or_change_charter_evidence(client, evidence, make_person):
    sign_in(client, make_person("editor"))
    document = evidence.document

    assert _serve(client, document).status_code == 404
    assert document.title not in client.get(reverse("wagtaildocs:index")).content.decode()
    client.post(reverse("wagtaildocs:delete", args=[document.pk]))
    document.refresh_from_db()
