"""The offers directory as Open Referral UK (version 3) open data: the feed and the import.

The feed is checked against the standard's own JSON schemas and OpenAPI description, read
from ../shared/oruk (next to the repository, never copied into it); those tests skip when
that folder is absent.
"""

import copy
import json
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from cms.models import OfferPage, Organisation
from cms.oruk import ids, import_file, importer
from tests.factories import AreaFactory, NeedFactory, OfferPageFactory, offers_index
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

ORUK_DIR = Path(__file__).parents[2].parent / "shared" / "oruk"
SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
needs_oruk_files = pytest.mark.skipif(
    not ORUK_DIR.is_dir(), reason="../shared/oruk not found: ORUK schema tests skipped"
)


# --- Checking answers against the standard --------------------------------------------------


def _validator_for(openapi_path: str, status: str = "200"):
    """A JSON Schema validator for the response the ORUK OpenAPI description gives
    ``openapi_path``, with its $refs to the standard's schema files read from disk."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    def retrieve(uri: str):
        if not uri.startswith(SCHEMA_BASE):
            raise LookupError(f"Not an ORUK schema: {uri}")
        contents = json.loads((ORUK_DIR / "schema" / uri.removeprefix(SCHEMA_BASE)).read_text())
        return Resource.from_contents(contents, default_specification=DRAFT202012)

    registry = Registry(retrieve=retrieve)
    pointer = "/".join(
        part.replace("~", "~0").replace("/", "~1")
        for part in [
            "paths",
            openapi_path,
            "get",
            "responses",
            status,
            "content",
            "application/json",
            "schema",
        ]
    )
    schema = {"$ref": f"{SCHEMA_BASE}openapi.json#/{quote(pointer)}"}
    return Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _schema(name: str):
    from jsonschema import Draft202012Validator

    return Draft202012Validator(
        json.loads((ORUK_DIR / "schema" / name).read_text()),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def assert_valid(data, openapi_path: str):
    errors = sorted(_validator_for(openapi_path).iter_errors(data), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def assert_nested_parts_valid(service: dict):
    """Parts the UK profile does not nest in a service but HSDS 3.0 does (contact phones,
    language names) are checked against their own schema files too."""
    phone = _schema("phone.json")
    for contact in service.get("contacts", []):
        for number in contact.get("phones", []):
            phone.validate(number)
    language = _schema("language.json")
    for item in service.get("languages", []):
        language.validate(item)


# --- Data -------------------------------------------------------------------------------------


@pytest.fixture
def directory(db):
    """Two published offers, one draft and one unpublished; needs and areas."""
    money = NeedFactory(name="Money worries", description="Debt, benefits and bills.")
    lonely = NeedFactory(name="Feeling lonely")
    kirklees = AreaFactory(name="Kirklees")
    cafe = OfferPageFactory(
        title="Crisis café",
        summary="A calm place to go in the evening when things feel too much.",
        needs=[money, lonely],
        areas=[kirklees],
        opening_times=[(0, "18:00", "23:00"), (4, "18:00", "23:00"), (5, "12:00", "16:00")],
        email="cafe@example.org",
        phone="01484 000000",
        address="The Old Library\nHigh Street\nHuddersfield",
        postcode="HD1 1AA",
        venue_accessibility="Step-free entrance and a hearing loop.",
        languages="Urdu, Polish",
        bsl=True,
        age_from=18,
        who_for="Adults in Kirklees.",
        for_carers=True,
    )
    advice = OfferPageFactory(title="Debt advice", needs=[money], online=True, in_person=False)
    draft = OfferPageFactory(title="Secret draft offer")
    draft.unpublish()
    return {"cafe": cafe, "advice": advice, "draft": draft, "money": money, "lonely": lonely}


def _get(client, name, *args, **params):
    response = client.get(reverse(name, args=args), params)
    is_json = response["Content-Type"].startswith("application/json")
    return response, (response.json() if is_json else None)


# --- The feed --------------------------------------------------------------------------------


@needs_oruk_files
def test_the_api_root_says_which_version_of_the_standard_it_follows(client, db):
    response, data = _get(client, "oruk_root")
    assert response.status_code == 200
    assert data["version"].startswith("3.")
    assert_valid(data, "/")


@needs_oruk_files
def test_the_services_list_follows_the_standard_and_holds_only_published_offers(client, directory):
    response, data = _get(client, "oruk_services")
    assert response.status_code == 200
    assert_valid(data, "/services")
    assert [service["name"] for service in data["contents"]] == ["Crisis café", "Debt advice"]
    assert data["total_items"] == 2
    assert "Secret draft offer" not in response.content.decode()


@needs_oruk_files
def test_a_service_follows_the_standard_with_everything_a_finder_needs(client, directory):
    cafe = directory["cafe"]
    response, data = _get(client, "oruk_service", ids.service_id(cafe))
    assert response.status_code == 200
    assert_valid(data, "/services/{id}")
    assert_nested_parts_valid(data)
    assert data["name"] == "Crisis café"
    assert data["url"] == cafe.get_full_url()
    assert data["organization"]["name"] == cafe.provider.name
    assert data["minimum_age"] == 18
    assert {s["byday"]: (s["opens_at"], s["closes_at"]) for s in data["schedules"]} == {
        "MO,FR": ("18:00", "23:00"),
        "SA": ("12:00", "16:00"),
    }
    assert [area["name"] for area in data["service_areas"]] == ["Kirklees"]
    assert [lang["name"] for lang in data["languages"]] == [
        "English",
        "Urdu",
        "Polish",
        "British Sign Language",
    ]
    assert data["contacts"][0]["phones"][0]["number"] == "01484 000000"
    location = data["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "HD1 1AA"
    assert "hearing loop" in location["accessibility"][0]["description"]
    terms = {a["taxonomy_term"]["name"]: a["taxonomy_term_id"] for a in data["attributes"]}
    assert terms == {
        "Feeling lonely": ids.need_id(directory["lonely"]),
        "Money worries": ids.need_id(directory["money"]),
    }


def test_service_ids_are_stable_uuids_that_reveal_no_database_keys(client, directory):
    cafe = directory["cafe"]
    first = _get(client, "oruk_service", ids.service_id(cafe))[1]
    cafe.save_revision().publish()
    again = _get(client, "oruk_service", ids.service_id(cafe))[1]
    assert first["id"] == again["id"] == ids.service_id(cafe)
    body = json.dumps(first)
    assert f'"id": {cafe.pk}' not in body
    assert '"pk"' not in body and "owner" not in body and "latest_revision" not in body


def test_a_draft_or_unpublished_offer_is_not_found(client, directory):
    response, data = _get(client, "oruk_service", ids.service_id(directory["draft"]))
    assert response.status_code == 404
    assert data["error"] == "There is no published service with this id."


def test_an_offer_with_unpublished_changes_shows_only_what_is_published(client, directory):
    cafe = directory["cafe"]
    cafe.title = "Renamed in a draft"
    cafe.save_revision()
    data = _get(client, "oruk_service", ids.service_id(cafe))[1]
    assert data["name"] == "Crisis café"


@needs_oruk_files
def test_taxonomies_and_terms_follow_the_standard(client, directory):
    response, data = _get(client, "oruk_taxonomies")
    assert_valid(data, "/taxonomies")
    assert [t["name"] for t in data["contents"]] == ["Lived Experience Platform needs"]
    taxonomy = _get(client, "oruk_taxonomy", ids.taxonomy_id())[1]
    assert_valid(taxonomy, "/taxonomies/{id}")
    assert "Money worries" in [term["name"] for term in taxonomy["taxonomy_terms"]]
    terms = _get(client, "oruk_taxonomy_terms", per_page=100)[1]
    assert_valid(terms, "/taxonomy_terms")
    term = _get(client, "oruk_taxonomy_term", ids.need_id(directory["money"]))[1]
    assert_valid(term, "/taxonomy_terms/{id}")
    assert term["description"] == "Debt, benefits and bills."


def test_unknown_ids_are_a_json_404(client, directory):
    unknown = "00000000-0000-0000-0000-000000000001"
    for name in ["oruk_service", "oruk_taxonomy", "oruk_taxonomy_term"]:
        response, data = _get(client, name, unknown)
        assert response.status_code == 404, name
        assert data["status"] == 404


def test_services_page_through_with_the_standards_envelope(client, directory):
    for n in range(3):
        OfferPageFactory(title=f"Walking group {n}")
    first = _get(client, "oruk_services", per_page=2)[1]
    assert {k: first[k] for k in first if k != "contents"} == {
        "total_items": 5,
        "total_pages": 3,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    last = _get(client, "oruk_services", per_page=2, page=3)[1]
    assert (last["size"], last["last_page"], last["first_page"]) == (1, True, False)
    beyond = _get(client, "oruk_services", per_page=2, page=9)[1]
    assert beyond["contents"] == [] and beyond["empty"] is True


def test_a_page_size_beyond_the_most_we_give_is_refused(client, directory):
    response, data = _get(client, "oruk_services", per_page=100000)
    assert response.status_code == 400
    assert data["error"] == "'per_page' must be a whole number from 1 to 100."
    assert _get(client, "oruk_services", per_page=100)[1]["total_pages"] == 1


@pytest.mark.parametrize(
    "params",
    [{"page": "0"}, {"page": "two"}, {"per_page": "-5"}, {"taxonomy_term_id": "money"}],
)
def test_bad_query_parameters_get_a_plain_400(client, directory, params):
    response, data = _get(client, "oruk_services", **params)
    assert response.status_code == 400
    assert "must be" in data["error"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_services_filter_by_taxonomy_term(client, directory):
    lonely = ids.need_id(directory["lonely"])
    data = _get(client, "oruk_services", taxonomy_term_id=lonely)[1]
    assert [s["name"] for s in data["contents"]] == ["Crisis café"]
    unknown = _get(client, "oruk_services", taxonomy_term_id=ids.taxonomy_id())[1]
    assert unknown["total_items"] == 0


def test_services_filter_by_taxonomy(client, directory):
    OfferPageFactory(title="Offer meeting no need")
    ours = _get(client, "oruk_services", taxonomy_id=ids.taxonomy_id())[1]
    assert [s["name"] for s in ours["contents"]] == ["Crisis café", "Debt advice"]
    other = _get(client, "oruk_services", taxonomy_id="00000000-0000-0000-0000-000000000001")[1]
    assert other["total_items"] == 0


def test_services_search_by_text(client, directory):
    data = _get(client, "oruk_services", search="calm evening")[1]
    assert [s["name"] for s in data["contents"]] == ["Crisis café"]
    alias = _get(client, "oruk_services", text="Debt advice")[1]
    assert "Debt advice" in [s["name"] for s in alias["contents"]]
    assert "Secret draft offer" not in json.dumps(_get(client, "oruk_services", search="Secret")[1])


def test_every_answer_may_be_read_from_any_origin(client, directory):
    for name, args in [
        ("oruk_root", ()),
        ("oruk_services", ()),
        ("oruk_service", (ids.service_id(directory["cafe"]),)),
        ("oruk_taxonomies", ()),
        ("oruk_taxonomy", (ids.taxonomy_id(),)),
        ("oruk_taxonomy_terms", ()),
        ("oruk_taxonomy_term", (ids.need_id(directory["money"]),)),
    ]:
        response = client.get(reverse(name, args=args), HTTP_ORIGIN="https://council.example")
        assert response.status_code == 200, name
        assert response["Access-Control-Allow-Origin"] == "*", name


def test_a_cors_preflight_is_answered(client, db):
    response = client.options(
        reverse("oruk_services"),
        HTTP_ORIGIN="https://council.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_the_feed_is_read_only(client, directory):
    response = client.post(reverse("oruk_services"), {"name": "New"})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.json()["error"] == "This API is read-only: use GET."


def _queries(client, url) -> int:
    client.get(url)  # warm caches (site root paths) so both counts measure the same work
    return queries_for(client, url)


def _add_offers(count: int, needs, areas):
    for _ in range(count):
        OfferPageFactory(needs=needs, areas=areas, opening_times=[(1, "09:00", "17:00")])


def test_the_feed_makes_the_same_number_of_queries_for_3_or_60_offers(client, db):
    needs, areas = [NeedFactory(name="Housing")], [AreaFactory(name="Calderdale")]
    urls = lambda: [  # noqa: E731
        reverse("oruk_services") + "?per_page=100",
        reverse("oruk_services") + f"?per_page=100&taxonomy_term_id={ids.need_id(needs[0])}",
        reverse("oruk_taxonomy", args=[ids.taxonomy_id()]),
        reverse("oruk_taxonomy_terms"),
        reverse("oruk_service", args=[ids.service_id(OfferPage.objects.live().last())]),
    ]
    _add_offers(3, needs, areas)
    small = [_queries(client, url) for url in urls()]
    _add_offers(57, needs, areas)
    assert _get(client, "oruk_services", per_page=100)[1]["size"] == 60
    large = [_queries(client, url) for url in urls()]
    assert small == large
    assert max(large) <= 12


# --- The importer -------------------------------------------------------------------------------


def _example(name: str) -> dict:
    return json.loads((ORUK_DIR / "examples" / name).read_text())


@pytest.fixture
def index(db):
    return offers_index()


@needs_oruk_files
def test_the_standards_example_service_is_imported_as_a_published_offer(index):
    result = importer.offers_import_oruk(data=_example("service_full.json"), publish=True)
    assert (result.created, result.updated, result.unchanged, result.errors) == (1, 0, 0, [])
    offer = OfferPage.objects.get(oruk_id="ac148810-d857-441c-9679-408f346de14b")
    assert offer.live and offer.get_parent().specific == index
    assert offer.title == "Community Counselling"
    assert offer.provider.name == "Example Organization Inc."
    assert (offer.age_from, offer.age_to, offer.email) == (12, 100, "email@example.com")
    assert offer.website == "http://example.com/counselling"
    assert offer.cost == "fees_description"
    assert str(offer.last_reviewed) == "2005-01-01"
    place = offer.locations.get()
    assert (place.name, place.postcode) == ("MyCity Civic Center", "ABC 1234")
    assert place.address.startswith("1-30 Main Street")
    assert str(place.oruk_id) == "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
    assert "induction loops" in offer.venue_accessibility
    assert sorted(str(span) for span in offer.opening_times.all()) == [
        "Friday 10:00–18:00",
        "Thursday 10:00–18:00",
    ]
    assert result.unmatched_terms == ["name"]


@needs_oruk_files
def test_importing_the_same_file_again_changes_nothing(index):
    importer.offers_import_oruk(data=_example("service_full.json"))
    revisions = OfferPage.objects.get().revisions.count()
    result = importer.offers_import_oruk(data=_example("service_full.json"))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert OfferPage.objects.get().revisions.count() == revisions


@needs_oruk_files
def test_a_changed_record_updates_its_offer(index):
    importer.offers_import_oruk(data=_example("service_full.json"), publish=True)
    changed = _example("service_full.json")
    changed["name"] = "Community Counselling and Talking Therapies"
    changed["schedules"][0]["byday"] = "MO"
    result = importer.offers_import_oruk(data=changed, publish=True)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    offer = OfferPage.objects.get()
    assert offer.title == "Community Counselling and Talking Therapies" and offer.live
    assert [str(span) for span in offer.opening_times.all()] == ["Monday 10:00–18:00"]


@needs_oruk_files
def test_a_page_of_services_is_imported(index):
    result = importer.offers_import_oruk(data=_example("service_list.json"))
    assert result.created == 1


@needs_oruk_files
def test_one_bad_record_means_nothing_is_saved_and_the_record_is_named(index):
    good = _example("service_full.json")
    bad = copy.deepcopy(good)
    bad.update(id="4b0d2f2e-6f34-4b2a-9d3c-5a1d7b2c9e01", name="Drop-in", minimum_age="twelve")
    no_name = {"id": "5c4d79d7-cc55-470e-9f1f-8cad074e4892", "description": "x"}
    result = importer.offers_import_oruk(data=[good, bad, no_name])
    assert not result.ok
    assert [str(error) for error in result.errors] == [
        "Record 2 (Drop-in): The minimum age must be a number of years.",
        "Record 3: The service has no name.",
    ]
    assert result.created == 0
    assert not OfferPage.objects.exists()
    assert not Organisation.objects.filter(name="Example Organization Inc.").exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": "not-a-uuid"}, "The service id must be a UUID."),
        ({"email": "not an email"}, "The email is not right: Enter a valid email address."),
        ({"organization": None}, "Say which organisation provides the service"),
        ({"assured_date": "last year"}, "is not a date like 2025-01-31"),
        ({"minimum_age": 40, "maximum_age": 18}, "The maximum age is lower than the minimum"),
        (
            {"schedules": [{"id": "x", "byday": "XX", "opens_at": "9:00", "closes_at": "10:00"}]},
            "'XX' in a schedule's byday is not a day",
        ),
        (
            {
                "schedules": [
                    {"byday": "FR", "opens_at": "18:00", "closes_at": "02:00"},
                    {"byday": "SA", "opens_at": "01:00", "closes_at": "05:00"},
                ]
            },
            "Two schedules overlap (Friday 18:00–02:00)",
        ),
        (
            {
                "schedules": [
                    {
                        "byday": "MO",
                        "opens_at": "9:00",
                        "closes_at": "17:00",
                        "valid_from": "2026-05-01",
                        "valid_to": "2026-04-01",
                    }
                ]
            },
            "A schedule ends (2026-04-01) before it starts (2026-05-01).",
        ),
        ({"status": "closed-ish"}, "The status 'closed-ish' is not one ORUK knows."),
    ],
)
def test_bad_records_are_explained(index, change, reason):
    record = {
        "id": "ac148810-d857-441c-9679-408f346de14b",
        "name": "Talking group",
        "description": "A weekly group.",
        "status": "active",
        "organization": {"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "Mind"},
        **change,
    }
    result = importer.offers_import_oruk(data=[record])
    assert len(result.errors) == 1
    assert reason in result.errors[0].reason
    assert not OfferPage.objects.exists()


def test_services_that_are_not_running_are_left_out(index):
    record = {
        "id": "ac148810-d857-441c-9679-408f346de14b",
        "name": "Old group",
        "description": "Closed now.",
        "status": "defunct",
        "organization": {"name": "Mind"},
    }
    result = importer.offers_import_oruk(data=[record])
    assert result.ok and result.created == 0
    assert str(result.skipped[0]) == "Record 1 (Old group): Not imported: it is defunct."


def test_a_file_of_the_wrong_shape_is_refused(index):
    for data in [{"hello": "world"}, "text", [], 42]:
        with pytest.raises(import_file.OrukImportError):
            importer.offers_import_oruk(data=data)


def test_our_own_feed_imported_back_changes_nothing(client, directory):
    cafe = directory["cafe"]
    exported = _get(client, "oruk_service", ids.service_id(cafe))[1]
    result = importer.offers_import_oruk(data=exported)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert result.unmatched_terms == [] and result.unmatched_areas == []


def test_importing_our_own_feed_matches_needs_and_areas_by_id_and_name(client, directory):
    cafe = directory["cafe"]
    exported = _get(client, "oruk_service", ids.service_id(cafe))[1]
    exported["name"] = "Crisis café (evenings)"
    result = importer.offers_import_oruk(data=exported, publish=True)
    assert result.updated == 1
    cafe = OfferPage.objects.get(pk=cafe.pk)
    assert cafe.title == "Crisis café (evenings)"
    assert {n.name for n in cafe.needs.all()} == {"Money worries", "Feeling lonely"}
    assert [a.name for a in cafe.areas.all()] == ["Kirklees"]
    assert cafe.easy_read_summary == "We help people who feel sad or worried."  # untouched


# --- The editors' import page and the command --------------------------------------------------


def _upload(content: bytes, name: str = "services.json"):
    return SimpleUploadedFile(name, content, content_type="application/json")


@needs_oruk_files
def test_an_editor_imports_a_file_and_sees_the_counts(client_as, index):
    client = client_as("editor")
    content = (ORUK_DIR / "examples" / "service_full.json").read_bytes()
    response = client.post(reverse("offers_import_oruk"), {"file": _upload(content)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Import finished" in page
    assert "1 new offer" in page and "0 unchanged" in page
    assert "saved as drafts" in page
    offer = OfferPage.objects.get(title="Community Counselling")
    assert not offer.live


def test_an_editor_sees_each_bad_record_and_that_nothing_was_saved(client_as, index):
    client = client_as("editor")
    records = [{"id": "ac148810-d857-441c-9679-408f346de14b", "description": "x"}]
    response = client.post(
        reverse("offers_import_oruk"), {"file": _upload(json.dumps(records).encode())}
    )
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Record 1: The service has no name." in page
    assert not OfferPage.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<html>not json</html>", "services.json", "This file is not valid JSON."),
        (b'{"hello": 1}', "services.json", "is not an Open Referral UK list of services"),
        (b"[]", "services.json", "This file has no services in it."),
        (b"{}", "services.csv", "Choose a .json file"),
    ],
)
def test_an_upload_that_is_not_oruk_json_gets_a_clear_message(
    client_as, index, content, name, message
):
    client = client_as("editor")
    response = client.post(reverse("offers_import_oruk"), {"file": _upload(content, name)})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_upload_that_is_too_big_is_refused(client_as, index, monkeypatch):
    monkeypatch.setattr(import_file, "MAX_IMPORT_BYTES", 10)
    client = client_as("editor")
    response = client.post(
        reverse("offers_import_oruk"), {"file": _upload(b'{"id": "1", "name": "x"}')}
    )
    assert response.status_code == 400
    assert "The file is bigger than 5 MB" in response.content.decode()


def test_the_import_page_asks_for_a_file(client_as, index):
    client = client_as("editor")
    response = client.post(reverse("offers_import_oruk"), {})
    assert response.status_code == 400
    assert "Upload an Open Referral UK file (.json)" in response.content.decode()
    assert "This field is required" not in response.content.decode()


def test_a_member_cannot_import(client_as, index):
    client = client_as("member")
    records = [{"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "description": "x"}]
    response = client.post(
        reverse("offers_import_oruk"), {"file": _upload(json.dumps(records).encode())}
    )
    # Sent to log in as staff, or told this part is for staff: either way, nothing imported.
    assert response.status_code in (302, 403)
    assert "Import finished" not in response.content.decode()
    assert not OfferPage.objects.exists()


def test_staff_who_do_not_publish_cannot_import(client_as, index):
    client = client_as("engagement_lead")
    response = client.post(reverse("offers_import_oruk"), {"file": _upload(b"[]")})
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def test_the_import_menu_item_shows_only_to_those_who_may_import(client_as, index):
    assert "Import offers" in client_as("editor").get(reverse("wagtailadmin_home")).content.decode()
    hr = client_as("hr").get(reverse("wagtailadmin_home")).content.decode()
    assert "Import offers" not in hr


@needs_oruk_files
def test_the_command_imports_a_file(index, capsys):
    call_command("import_oruk", str(ORUK_DIR / "examples" / "service_full.json"))
    assert "Imported: 1 new, 0 updated, 0 unchanged." in capsys.readouterr().out
    assert not OfferPage.objects.get().live


def test_the_command_refuses_a_file_with_a_bad_record(index, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"id": "nope", "name": "x"}]))
    with pytest.raises(CommandError, match="Nothing was imported: 1 bad record"):
        call_command("import_oruk", str(path))
    assert not OfferPage.objects.exists()


@pytest.mark.django_db
def test_staff_without_mfa_can_still_read_the_public_feed_but_not_import(client_as):
    client = client_as("editor", mfa=False)
    assert client.get("/api/oruk/services").status_code == 200
    response = client.get(reverse("offers_import_oruk"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
