"""Files on any number of machines.

With object storage (S3; here moto's S3 server on 127.0.0.1, started by the fixture), a
receipt, a report and a panel paper saved by one node are downloaded through the site's
views on another, byte for byte, with nothing on either node's disk; an image's address works
for anyone, a private file's is refused; a file gone from the bucket is the plain 410 page. On
local disk, no private document's file is ever under MEDIA_ROOT, and `move_private_media`
moves the ones an older release left there.

The storages are built from cms/settings/base.py in a fresh process, from the environment
variables the README gives, as a node starting would build them.
"""

import io
import json
import logging
import socket
import subprocess
import sys

import boto3
import httpx
import pytest
from django.core.files.storage import StorageHandler, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from moto.server import ThreadedMotoServer
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from cms import jobs
from cms.factories import TINY_PDF
from cms.models import ReportJob
from cms.storage import PUBLIC_MEDIA_FOLDERS
from coproduce.factories import InvolvementClaimFactory, MeetingPaperFactory
from coproduce.models import Expense
from coproduce.services import claims as services
from tests.conftest import sign_in
from tests.coproduce.test_claims import png_bytes
from tests.factories import EvidenceFactory
from tests.processes import ROOT, manage_env
from tests.s3 import make_media_buckets

pytestmark = pytest.mark.django_db

REGION = "eu-west-2"
KEYS = {"MEDIA_S3_ACCESS_KEY_ID": "lep-test", "MEDIA_S3_SECRET_ACCESS_KEY": "lep-test-secret"}


def settings_from_environment(**environ) -> dict:
    """STORAGES and the CSP's img-src as cms/settings/base.py builds them, in a new process,
    from the environment variables ``environ``."""
    program = (
        "import json; from cms.settings import base; print(json.dumps({'STORAGES': "
        "base.STORAGES, 'img-src': base.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']}, "
        "default=str))"
    )
    clean = {k: v for k, v in manage_env().items() if not k.startswith("MEDIA_S3_")}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", program],
        env={**clean, **environ},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3():
    """moto's S3 server on 127.0.0.1, with a public bucket (anyone may read it, by bucket
    policy, as the README says to set one up) and a private one (nobody but the site)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["MEDIA_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["MEDIA_S3_SECRET_ACCESS_KEY"],
    )
    public, private = make_media_buckets(client, REGION)
    configured = settings_from_environment(
        MEDIA_S3_BUCKET=public,
        MEDIA_S3_PRIVATE_BUCKET=private,
        MEDIA_S3_ENDPOINT_URL=endpoint,
        MEDIA_S3_REGION=REGION,
        **KEYS,
    )
    yield {
        "endpoint": endpoint,
        "client": client,
        "public": public,
        "private": private,
        "storages": configured["STORAGES"],
        "img-src": configured["img-src"],
    }
    server.stop()


def _keys(s3, bucket: str) -> list[str]:
    listing = s3["client"].list_objects_v2(Bucket=s3[bucket])
    return sorted(entry["Key"] for entry in listing.get("Contents", []))


def _anonymous_get(url: str) -> httpx.Response:
    with httpx.Client(trust_env=False, timeout=30) as client:
        return client.get(url)


def _files_kept_in(handler, monkeypatch) -> None:
    """Every model's files in ``handler``'s storages, as in a process started with them
    (receipts and reports capture their storage when their models are imported)."""
    private = [Expense._meta.get_field("receipt"), ReportJob._meta.get_field("file")]
    default = [
        get_document_model()._meta.get_field("file"),
        get_image_model()._meta.get_field("file"),
        get_image_model().get_rendition_model()._meta.get_field("file"),
    ]
    for fields, alias in ((private, "private"), (default, "default")):
        for field in fields:
            monkeypatch.setattr(field, "storage", handler[alias])


@pytest.fixture
def nodes(s3, settings, monkeypatch, tmp_path):
    """``nodes(n)`` makes node ``n`` (a process of its own, as far as files go: its own
    storage objects, built from the same settings) the one serving what comes next."""
    media, private = tmp_path / "media", tmp_path / "private"
    settings.STORAGES = {**s3["storages"], "staticfiles": settings.STORAGES["staticfiles"]}
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = media, private
    handlers = {}

    def on_node(number: int):
        handler = handlers.setdefault(number, StorageHandler(settings.STORAGES))
        _files_kept_in(handler, monkeypatch)
        return handler

    on_node(1)
    yield on_node
    # Nothing was written to either node's disk.
    assert not media.exists() and not private.exists()
    for bucket in ("public", "private"):
        for key in _keys(s3, bucket):
            s3["client"].delete_object(Bucket=s3[bucket], Key=key)


# --- Object storage: saved on one node, downloaded on another ---------------------------------


@pytest.fixture
def member(client, make_person):
    return make_person("member")


def test_a_receipt_saved_on_one_node_is_downloaded_through_the_site_on_another(
    client, nodes, s3, member
):
    sign_in(client, member)
    claim = InvolvementClaimFactory(attendance__member=member)
    added = client.post(
        f"/claims/{claim.pk}/expenses/add/",
        {
            "kind": "travel",
            "description": "Bus there and back",
            "amount": "4.80",
            "receipt": SimpleUploadedFile("ticket.pdf", TINY_PDF, content_type="application/pdf"),
        },
    )
    assert added.status_code == 302
    expense = claim.expenses.get()
    assert _keys(s3, "private") == [expense.receipt.name]
    assert _keys(s3, "public") == []

    nodes(2)
    response = client.get(f"/claims/{claim.pk}/expenses/{expense.pk}/receipt/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TINY_PDF
    assert "no-store" in response["Cache-Control"]


@pytest.fixture
def impact_report():
    jobs.register_report(
        "test.storage",
        generate=lambda params, progress: ("impact.txt", b"Report for panel 7"),
        may_request=lambda user, params: True,
    )
    yield "test.storage"
    jobs._kinds.pop("test.storage", None)


def test_a_report_made_on_one_node_is_downloaded_through_the_site_on_another(
    client, nodes, s3, member, impact_report
):
    job = jobs.report_request(kind=impact_report, title="Impact", params={}, user=member)
    job.refresh_from_db()
    assert job.status == "done"
    assert _keys(s3, "private") == [f"reports/{job.pk}/impact.txt"]

    nodes(2)
    sign_in(client, member)
    response = client.get(f"/reports/{job.pk}/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Report for panel 7"


def test_an_uploaded_images_address_works_for_anyone(client, nodes, s3, make_person):
    sign_in(client, make_person("admin"))
    picture = png_bytes()
    uploaded = client.post(
        reverse("wagtailimages:add"),
        {
            "title": "Our panel",
            "file": SimpleUploadedFile("panel.png", picture, content_type="image/png"),
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert uploaded.status_code == 302

    nodes(2)
    image = get_image_model().objects.get(title="Our panel")
    original = _anonymous_get(image.file.url)
    rendition = _anonymous_get(image.get_rendition("width-2").url)

    assert image.file.url.startswith(f"{s3['endpoint']}/{s3['public']}/original_images/")
    assert s3["endpoint"] in s3["img-src"]  # the Content-Security-Policy lets pages show it
    assert (original.status_code, original.content) == (200, picture)
    assert rendition.status_code == 200
    assert rendition.content.startswith(b"\x89PNG")
    assert {key.split("/")[0] for key in _keys(s3, "public")} <= set(PUBLIC_MEDIA_FOLDERS)
    assert _keys(s3, "private") == []


def test_a_panel_paper_is_in_the_private_bucket_and_only_the_site_serves_it(
    client, nodes, s3, make_person
):
    lead = make_person("engagement_lead")
    document = MeetingPaperFactory(meeting__panel__organisation=lead.organisation).document
    assert document.file.name.startswith("documents/")
    assert _keys(s3, "private") == [document.file.name]
    assert _keys(s3, "public") == []

    nodes(2)
    served = reverse("wagtaildocs_serve", args=[document.pk, document.filename])
    anonymous = client.get(served)
    sign_in(client, lead)
    as_lead = client.get(served)

    assert (
        _anonymous_get(f"{s3['endpoint']}/{s3['private']}/{document.file.name}").status_code == 403
    )
    assert _anonymous_get(f"{s3['endpoint']}/{s3['public']}/{document.file.name}").status_code in (
        403,
        404,
    )
    assert anonymous.status_code == 404
    assert as_lead.status_code == 200
    assert b"".join(as_lead.streaming_content) == TINY_PDF


def test_a_receipt_or_paper_gone_from_the_bucket_is_the_plain_no_longer_available_page(
    client, nodes, s3, member, make_person
):
    claim = InvolvementClaimFactory(attendance__member=member)
    expense = services.claim_add_expense(
        claim=claim,
        user=member,
        kind=Expense.Kind.TRAVEL,
        description="Bus",
        amount="2.40",
        receipt=SimpleUploadedFile("ticket.pdf", TINY_PDF),
    )
    lead = make_person("engagement_lead")
    document = MeetingPaperFactory(meeting__panel__organisation=lead.organisation).document
    for key in _keys(s3, "private"):
        s3["client"].delete_object(Bucket=s3["private"], Key=key)

    nodes(2)
    sign_in(client, member)
    receipt = client.get(f"/claims/{claim.pk}/expenses/{expense.pk}/receipt/")
    sign_in(client, lead)
    paper = client.get(reverse("wagtaildocs_serve", args=[document.pk, document.filename]))

    assert receipt.status_code == 410
    assert "This receipt is no longer available" in receipt.content.decode()
    assert paper.status_code == 410
    assert "This document is no longer available" in paper.content.decode()


def test_object_storage_without_a_separate_private_bucket_is_refused():
    for private in ("", "lep-media"):
        program = "from cms.settings import base"
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", program],
            env={
                **manage_env(),
                "MEDIA_S3_BUCKET": "lep-media",
                "MEDIA_S3_PRIVATE_BUCKET": private,
            },
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0
        assert "Set MEDIA_S3_PRIVATE_BUCKET to a second bucket" in result.stderr


# --- Local disk: nothing private under MEDIA_ROOT ------------------------------------------


@pytest.fixture
def on_disk(settings, monkeypatch, tmp_path):
    """Files on local disk, with STORAGES as the settings build them for these folders."""
    media, private = tmp_path / "media", tmp_path / "private"
    configured = settings_from_environment(MEDIA_ROOT=str(media), PRIVATE_MEDIA_ROOT=str(private))[
        "STORAGES"
    ]
    settings.STORAGES = {**configured, "staticfiles": settings.STORAGES["staticfiles"]}
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = media, private
    _files_kept_in(storages, monkeypatch)
    return media, private


def _files(folder) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def test_on_disk_no_file_of_a_private_document_is_under_media_root(client, on_disk, make_person):
    media, private = on_disk
    lead = make_person("engagement_lead")
    paper = MeetingPaperFactory(meeting__panel__organisation=lead.organisation).document
    evidence = EvidenceFactory(charter__organisation=lead.organisation).document
    image = get_image_model().objects.create(
        title="Logo", file=SimpleUploadedFile("logo.png", png_bytes())
    )
    image.get_rendition("width-2")

    sign_in(client, lead)
    served = client.get(reverse("wagtaildocs_serve", args=[paper.pk, paper.filename]))

    assert {name.split("/")[0] for name in _files(media)} == set(PUBLIC_MEDIA_FOLDERS)
    assert image.file.name in _files(media)
    assert {paper.file.name, evidence.file.name} <= set(_files(private))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == TINY_PDF


def test_documents_an_older_release_left_in_media_root_are_moved_once(client, on_disk, make_person):
    media, private = on_disk
    lead = make_person("engagement_lead")
    paper = MeetingPaperFactory(meeting__panel__organisation=lead.organisation).document
    # As an older release kept it: in MEDIA_ROOT/documents/, beside the images.
    (media / "documents").mkdir(parents=True)
    (private / paper.file.name).rename(media / paper.file.name)
    (media / "original_images").mkdir()
    (media / "original_images" / "logo.png").write_bytes(png_bytes())
    sign_in(client, lead)
    served = reverse("wagtaildocs_serve", args=[paper.pk, paper.filename])
    assert client.get(served).status_code == 410

    first, again = io.StringIO(), io.StringIO()
    call_command("move_private_media", stdout=first)
    call_command("move_private_media", stdout=again)

    assert "Moved 1 file" in first.getvalue()
    assert "Moved 0 files" in again.getvalue()
    assert _files(media) == ["original_images/logo.png"]
    assert (private / paper.file.name).read_bytes() == TINY_PDF
    response = client.get(served)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TINY_PDF


def test_a_document_of_the_same_name_but_different_content_is_left_for_a_person_to_check(
    on_disk,
):
    media, private = on_disk
    for folder, content in ((media, b"older"), (private, b"newer file")):
        (folder / "documents").mkdir(parents=True)
        (folder / "documents" / "agenda.pdf").write_bytes(content)

    errors = io.StringIO()
    with pytest.raises(CommandError, match="Some files were left"):
        call_command("move_private_media", stdout=io.StringIO(), stderr=errors)

    assert "Left documents/agenda.pdf in the public media" in errors.getvalue()
    assert (media / "documents" / "agenda.pdf").read_bytes() == b"older"
    assert (private / "documents" / "agenda.pdf").read_bytes() == b"newer file"
