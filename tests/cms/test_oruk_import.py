"""Importing Open Referral UK services never destroys what an editor has.

A record changes only the fields it carries; a list (summary) record never clears
anything; what an import changes waits as a draft for an editor unless they tick "Publish
now"; the result lists, per offer, what changed and what in the file was not kept. Files of
the wrong shape, or too big, are refused with a plain message in the admin and the command.
"""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from cms.models import OfferPage
from cms.oruk import ids, import_file, importer
from tests.factories import AreaFactory, NeedFactory, OfferPageFactory, offers_index

pytestmark = pytest.mark.django_db

ORUK_DIR = Path(__file__).parents[2].parent / "shared" / "oruk"
needs_oruk_files = pytest.mark.skipif(
    not ORUK_DIR.is_dir(), reason="../shared/oruk not found: ORUK example-file tests skipped"
)
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


@pytest.fixture
def cafe(db):
    """A published offer with everything a list record does not carry."""
    return OfferPageFactory(
        title="Crisis café",
        summary="A calm place to go in the evening when things feel too much.",
        needs=[NeedFactory(name="Money worries"), NeedFactory(name="Feeling lonely")],
        areas=[AreaFactory(name="Kirklees")],
        opening_times=[(0, "18:00", "23:00"), (4, "18:00", "02:00"), (6, "00:00", "00:00")],
        email="cafe@example.org",
        phone="01484 000000",
        website="https://cafe.example.org/",
        address="The Old Library\nHigh Street\nHuddersfield",
        postcode="HD1 1AA",
        languages="Urdu, Polish",
        bsl=True,
    )


def _what_people_see(offer: OfferPage) -> dict:
    """Everything an import could wipe, as a person reading the offer would see it."""
    return {
        "title": offer.title,
        "needs": sorted(need.name for need in offer.needs.all()),
        "areas": sorted(area.name for area in offer.areas.all()),
        "opening times": sorted(str(span) for span in offer.opening_times.all()),
        "phone": offer.phone,
        "email": offer.email,
        "website": offer.website,
        "address": offer.address,
        "languages": (offer.languages, offer.bsl),
    }


def _latest(offer: OfferPage) -> OfferPage:
    return OfferPage.objects.get(pk=offer.pk).get_latest_revision_as_object()


def _full_record(**changes) -> dict:
    return {
        "id": SERVICE_ID,
        "name": "Talking group",
        "description": "A weekly group.",
        "status": "active",
        "organization": {"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "Mind"},
        **changes,
    }


def _cafe_record(cafe: OfferPage, **changes) -> dict:
    """The café as a council's full record would give it, with ``changes``."""
    return _full_record(
        **{
            "id": ids.service_id(cafe),
            "name": cafe.title,
            "description": cafe.summary,
            "organization": {"name": cafe.provider.name},
            **changes,
        }
    )


# --- Nothing the source does not carry is cleared ---------------------------------------------


def test_our_own_services_list_imported_back_keeps_everything(client, cafe):
    before = _what_people_see(cafe)
    published_at = OfferPage.objects.get(pk=cafe.pk).last_published_at
    listing = client.get("/api/oruk/services").json()

    result = importer.offers_import_oruk(data=listing)

    assert (result.ok, result.created, result.updated, result.unchanged) == (True, 0, 0, 1)
    live = OfferPage.objects.get(pk=cafe.pk)
    assert _what_people_see(live) == before
    assert _what_people_see(_latest(cafe)) == before
    assert live.last_published_at == published_at and not live.has_unpublished_changes


def test_a_changed_list_record_changes_only_what_it_carries_in_a_draft(client, cafe):
    before = _what_people_see(cafe)
    listing = client.get("/api/oruk/services").json()
    listing["contents"][0]["name"] = "Crisis café (evenings)"

    result = importer.offers_import_oruk(data=listing)

    assert result.updated == 1
    assert _what_people_see(OfferPage.objects.get(pk=cafe.pk)) == before  # live: untouched
    draft = _latest(cafe)
    assert _what_people_see(draft) == {**before, "title": "Crisis café (evenings)"}
    assert OfferPage.objects.get(pk=cafe.pk).has_unpublished_changes


def test_a_councils_summary_record_with_empty_values_clears_nothing(cafe):
    summary = {
        "id": ids.service_id(cafe),
        "name": "Crisis café",
        "description": "Evenings, for anyone in Kirklees.",
        "status": "active",
        "email": None,
        "url": "",
        "fees": "",
        "organization": {"name": cafe.provider.name},
    }
    importer.offers_import_oruk(data={"contents": [summary]}, publish=True)
    offer = OfferPage.objects.get(pk=cafe.pk)
    assert offer.summary == "Evenings, for anyone in Kirklees."
    assert (offer.email, offer.website, offer.cost) == (cafe.email, cafe.website, cafe.cost)


def test_empty_lists_in_a_list_of_records_clear_nothing(cafe):
    record = _cafe_record(
        cafe,
        schedules=[],
        contacts=[],
        attributes=[],
        service_areas=[],
    )
    importer.offers_import_oruk(data=[record], publish=True)
    after = _what_people_see(OfferPage.objects.get(pk=cafe.pk))
    assert after["phone"] == "01484 000000"
    assert after["opening times"] and after["needs"] and after["areas"]


def test_an_empty_list_in_a_single_full_record_clears_that_field_only(cafe):
    record = _cafe_record(cafe, contacts=[], schedules=[])
    importer.offers_import_oruk(data=record, publish=True)
    after = _what_people_see(OfferPage.objects.get(pk=cafe.pk))
    assert after["phone"] == "" and after["opening times"] == []
    assert after["needs"] == ["Feeling lonely", "Money worries"]
    assert after["areas"] == ["Kirklees"]


# --- Drafts, and publishing only when asked ----------------------------------------------------


def test_a_full_record_import_creates_a_draft_and_leaves_the_live_offer_alone(cafe):
    record = _cafe_record(
        cafe, contacts=[{"id": "c1", "phones": [{"id": "p1", "number": "01484 111111"}]}]
    )
    result = importer.offers_import_oruk(data=record)
    assert result.updated == 1 and not result.published
    assert OfferPage.objects.get(pk=cafe.pk).phone == "01484 000000"
    assert _latest(cafe).phone == "01484 111111"


def test_a_full_record_import_is_published_when_the_editor_asks(cafe):
    record = _cafe_record(cafe, name="Crisis café and garden")
    result = importer.offers_import_oruk(data=record, publish=True)
    assert result.published
    offer = OfferPage.objects.get(pk=cafe.pk)
    assert offer.title == "Crisis café and garden" and not offer.has_unpublished_changes


def test_a_new_offer_is_a_draft_until_published(db):
    offers_index()
    importer.offers_import_oruk(data=_full_record())
    offer = OfferPage.objects.get(oruk_id=SERVICE_ID)
    assert not offer.live and offer.title == "Talking group"
    assert not OfferPage.objects.live().filter(pk=offer.pk).exists()


def test_an_import_builds_on_an_editors_unpublished_draft(cafe):
    draft = _latest(cafe)
    draft.summary = "An editor's unpublished wording."
    draft.save_revision()
    record = _cafe_record(cafe, name="Crisis café and garden")
    del record["description"]
    importer.offers_import_oruk(data=[record])
    latest = _latest(cafe)
    assert latest.title == "Crisis café and garden"
    assert latest.summary == "An editor's unpublished wording."


# --- What changed and what was not kept --------------------------------------------------------


def test_the_result_lists_what_changed_and_what_was_not_kept(cafe):
    record = _cafe_record(
        cafe,
        accreditations="Quality mark",
        url="javascript:alert(1)",
        contacts=[{"id": "c1", "phones": [{"id": "p1", "number": "01484 111111"}]}],
    )
    result = importer.offers_import_oruk(data=record)
    [change] = result.offers
    assert change.title == "Crisis café" and not change.created
    assert [str(line) for line in change.changes] == ["Phone: 01484 000000 → 01484 111111"]
    assert "accreditations" in change.not_kept
    assert any(item.startswith("url") for item in change.not_kept)
    assert _latest(cafe).website == "https://cafe.example.org/"


def _upload(data, name="services.json"):
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_the_result_screen_says_what_changed_and_that_it_waits_as_a_draft(client_as, cafe):
    record = _cafe_record(
        cafe,
        accreditations="Quality mark",
        contacts=[{"id": "c1", "phones": [{"id": "p1", "number": "01484 111111"}]}],
    )
    response = client_as("editor").post(reverse("offers_import_oruk"), {"file": _upload(record)})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Import finished" in text
    assert "saved as drafts" in text
    assert "Crisis café" in text
    assert "Phone: 01484 000000 → 01484 111111" in text
    assert "Not kept from the file: accreditations" in text
    assert OfferPage.objects.get(pk=cafe.pk).phone == "01484 000000"


def test_ticking_publish_now_publishes_the_import(client_as, cafe):
    record = _cafe_record(cafe, name="Crisis café and garden")
    response = client_as("editor").post(
        reverse("offers_import_oruk"), {"file": _upload(record), "publish": "on"}
    )
    assert "published in the directory now" in response.content.decode()
    assert OfferPage.objects.get(pk=cafe.pk).title == "Crisis café and garden"


# --- Opening times from ORUK schedules --------------------------------------------------------


def test_overnight_and_dated_schedules_are_imported(db):
    offers_index()
    record = _full_record(
        schedules=[
            {"freq": "WEEKLY", "byday": "FR", "opens_at": "18:00", "closes_at": "02:00"},
            {
                "freq": "WEEKLY",
                "byday": "SA",
                "opens_at": "10:00:00",
                "closes_at": "14:00:00",
                "valid_from": "2026-04-01",
                "valid_to": "2026-09-30",
            },
            {"freq": "MONTHLY", "byday": "1MO", "opens_at": "10:00", "closes_at": "12:00"},
        ]
    )
    result = importer.offers_import_oruk(data=record, publish=True)
    offer = OfferPage.objects.get(oruk_id=SERVICE_ID)
    spans = sorted(
        (str(span), span.valid_from and str(span.valid_from), span.valid_to and str(span.valid_to))
        for span in offer.opening_times.all()
    )
    assert spans == [
        ("Friday 18:00–02:00", None, None),
        ("Saturday 10:00–14:00", "2026-04-01", "2026-09-30"),
    ]
    assert any("monthly" in item for item in result.offers[0].not_kept)


def test_schedules_round_trip_through_our_feed(client, cafe):
    OfferPage.objects.get(pk=cafe.pk).opening_times.filter(weekday=0).update(
        valid_from="2026-01-01", valid_to="2026-03-31"
    )
    exported = client.get(f"/api/oruk/services/{ids.service_id(cafe)}").json()
    result = importer.offers_import_oruk(data=exported)
    assert result.errors == []
    assert (result.updated, result.unchanged) == (0, 1)


# --- Websites ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example.org/leaflet"])
def test_a_website_that_is_not_a_web_page_is_not_kept(db, url):
    offers_index()
    result = importer.offers_import_oruk(data=_full_record(url=url), publish=True)
    assert OfferPage.objects.get(oruk_id=SERVICE_ID).website == ""
    assert any(item.startswith("url") for item in result.offers[0].not_kept)


def test_a_website_with_a_non_ascii_host_is_published_as_punycode(client, cafe):
    OfferPage.objects.filter(pk=cafe.pk).update(website="https://café.example/menu")
    cafe.provider.website = "https://café.example/"
    cafe.provider.save()
    service = client.get(f"/api/oruk/services/{ids.service_id(cafe)}").json()
    assert service["organization"]["website"] == "https://xn--caf-dma.example/"
    assert service["url"].isascii()


# --- Files that are not a list of services ------------------------------------------------------

ORGANISATION = {
    "id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
    "name": "Mind",
    "description": "A charity.",
    "website": "https://mind.example/",
    "services": [],
}
TAXONOMY = {"id": "1", "name": "Needs", "description": "x", "version": "1", "taxonomy_terms": []}
TERM = {"id": "2", "name": "Debt", "description": "x", "taxonomy_id": "1", "term": "debt"}


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (ORGANISATION, "an Open Referral UK organisation"),
        (
            {"contents": [ORGANISATION], "total_items": 1},
            "a list of Open Referral UK organisations",
        ),
        (TAXONOMY, "an Open Referral UK taxonomy"),
        ([TERM], "a list of Open Referral UK taxonomy terms"),
    ],
)
def test_a_file_of_another_oruk_shape_says_what_it_looks_like(db, data, kind):
    offers_index()
    with pytest.raises(import_file.OrukImportError) as refused:
        importer.offers_import_oruk(data=data)
    assert str(refused.value).startswith(f"This looks like {kind}, not a list of services.")


def test_the_admin_says_what_a_wrong_file_looks_like(client_as, db):
    offers_index()
    response = client_as("editor").post(
        reverse("offers_import_oruk"), {"file": _upload(ORGANISATION)}
    )
    assert response.status_code == 400
    assert "This looks like an Open Referral UK organisation, not a list of services." in (
        response.content.decode()
    )


def test_the_command_says_what_a_wrong_file_looks_like(db, tmp_path):
    offers_index()
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(TAXONOMY))
    with pytest.raises(CommandError, match="This looks like an Open Referral UK taxonomy"):
        call_command("import_oruk", str(path))


@needs_oruk_files
@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("organization_full.json", "an Open Referral UK organisation"),
        ("organization_list.json", "a list of Open Referral UK organisations"),
        ("taxonomy.json", "an Open Referral UK taxonomy"),
        ("taxonomy_term_list.json", "a list of Open Referral UK taxonomy terms"),
        ("service_at_location_full.json", "an Open Referral UK service at a location"),
    ],
)
def test_the_standards_own_example_files_of_other_shapes_are_named(db, name, kind):
    offers_index()
    data = json.loads((ORUK_DIR / "examples" / name).read_text())
    with pytest.raises(import_file.OrukImportError, match=f"This looks like {kind}"):
        importer.offers_import_oruk(data=data)


# --- The command -------------------------------------------------------------------------------


def test_the_command_has_the_admins_size_limit(db, tmp_path, monkeypatch):
    offers_index()
    monkeypatch.setattr(import_file, "MAX_IMPORT_BYTES", 10)
    path = tmp_path / "services.json"
    path.write_text(json.dumps(_full_record()))
    with pytest.raises(CommandError, match="The file is bigger than 5 MB"):
        call_command("import_oruk", str(path))
    assert not OfferPage.objects.exists()


def test_the_command_saves_drafts_unless_told_to_publish(db, tmp_path, capsys):
    offers_index()
    path = tmp_path / "services.json"
    path.write_text(json.dumps(_full_record()))
    call_command("import_oruk", str(path))
    assert "saved as drafts" in capsys.readouterr().out
    assert not OfferPage.objects.get(oruk_id=SERVICE_ID).live
    path.write_text(json.dumps(_full_record(name="Talking group (Tuesdays)")))
    call_command("import_oruk", str(path), "--publish")
    offer = OfferPage.objects.get(oruk_id=SERVICE_ID)
    assert offer.live and offer.title == "Talking group (Tuesdays)"
