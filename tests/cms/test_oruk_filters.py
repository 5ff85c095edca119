"""Every query parameter the Open Referral UK OpenAPI description documents for
``/services`` and ``/service_at_locations`` works, or is refused with a JSON 400 naming it:
never silently ignored. A name the standard does not give is refused with the list of
names the list accepts; so are values that cannot be used (a bad date, a bad UUID, page
0, a page size beyond the most we give).
"""

import json
from datetime import time

import pytest
import time_machine
from django.urls import reverse

from cms.models import OpeningTime
from cms.oruk import ids, query
from tests.cms.test_oruk import ORUK_DIR
from tests.factories import NeedFactory, OfferPageFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LISTS = ["oruk_services", "oruk_service_at_locations"]


@pytest.fixture
def offers(db):
    mind = OrganisationFactory(name="Calderdale & Kirklees Mind")
    council = OrganisationFactory(name="Kirklees Council")
    low = NeedFactory(name="Feeling low")
    with time_machine.travel("2026-03-02 10:00 +00:00", tick=False):
        youth = OfferPageFactory(
            title="Youth drop-in",
            summary="A relaxed drop-in for young people after school.",
            provider=mind,
            needs=[low],
            age_from=11,
            age_to=18,
            opening_times=[(2, "15:30", "18:00")],
            address="Zone Youth Centre\nHuddersfield",
            postcode="HD1 1JF",
        )
    with time_machine.travel("2026-06-01 10:00 +00:00", tick=False):
        adults = OfferPageFactory(
            title="Evening café",
            summary="A calm café for adults in the evening.",
            provider=council,
            age_from=18,
            opening_times=[(2, "18:00", "23:00"), (4, "18:00", "02:00")],
            address="The Old Library\nDewsbury",
            postcode="WF13 1DG",
        )
        anyone = OfferPageFactory(
            title="Helpline",
            summary="Someone to talk to, any time.",
            provider=council,
            open_24_hours=True,
            in_person=False,
        )
    return {"youth": youth, "adults": adults, "anyone": anyone, "mind": mind, "low": low}


def _names(client, name="oruk_services", **params) -> list[str]:
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response.json()
    contents = response.json()["contents"]
    return [item.get("name") or item["service"]["name"] for item in contents]


def _refused(client, name="oruk_services", **params) -> str:
    response = client.get(reverse(name), params)
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data["status"] == 400
    return data["error"]


@pytest.mark.skipif(not ORUK_DIR.is_dir(), reason="../shared/oruk not found: skipped")
def test_every_documented_parameter_of_both_lists_is_accepted():
    document = json.loads((ORUK_DIR / "schema" / "openapi.json").read_text())
    components = document["components"]["parameters"]
    for path, accepted in [
        ("/services", query.SERVICE_PARAMETERS),
        ("/service_at_locations", query.SERVICE_AT_LOCATION_PARAMETERS),
    ]:
        documented = {
            components[ref["$ref"].rsplit("/", 1)[1]]["name"]
            for ref in document["paths"][path]["get"]["parameters"]
        }
        assert documented <= set(accepted), path


@pytest.mark.parametrize("name", LISTS)
def test_an_unknown_parameter_is_refused_with_the_names_accepted(client, offers, name):
    error = _refused(client, name, colour="blue", q="café")
    assert "'colour', 'q'" in error
    assert "search" in error and "per_page" in error


def test_other_answers_refuse_parameters_too(client, offers):
    assert "'page'" in _refused(client, "oruk_root", page="1")
    response = client.get(
        reverse("oruk_service", args=[ids.service_id(offers["adults"])]), {"full": "true"}
    )
    assert response.status_code == 400
    assert "'search'" in client.get(reverse("oruk_taxonomy_terms"), {"search": "x"}).json()["error"]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"page": "0"}, "'page'"),
        ({"page": "two"}, "'page'"),
        ({"per_page": "0"}, "'per_page'"),
        ({"per_page": "101"}, "'per_page'"),
        ({"per_page": "100000"}, "'per_page'"),
        ({"taxonomy_term_id": "money"}, "'taxonomy_term_id'"),
        ({"taxonomy_id": "needs"}, "'taxonomy_id'"),
        ({"organization_id": "12"}, "'organization_id'"),
        ({"minimum_age": "eleven"}, "'minimum_age'"),
        ({"minimum_age": "-1"}, "'minimum_age'"),
        ({"maximum_age": "NaN"}, "'maximum_age'"),
        ({"maximum_age": "1e999"}, "'maximum_age'"),
        ({"start_time": "25:00"}, "'start_time'"),
        ({"end_time": "6pm"}, "'end_time'"),
        ({"day": "Funday"}, "'day'"),
        ({"modified_after": "yesterday"}, "'modified_after'"),
        ({"modified_after": "2026-02-30"}, "'modified_after'"),
        ({"full": "yes please"}, "'full'"),
        ({"minimal": "maybe"}, "'minimal'"),
        ({"full": "true", "minimal": "true"}, "'full' or 'minimal'"),
        ({"format": "ndjson"}, "'format'"),
        ({"search": "x" * 201}, "'search'"),
    ],
)
def test_values_that_cannot_be_used_are_refused_by_name(client, offers, name, params, named):
    assert named in _refused(client, name, **params)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"postcode": "not a postcode"}, "'postcode'"),
        ({"proximity": "1000"}, "'postcode'"),
        ({"postcode": "HD1", "proximity": "far"}, "'proximity'"),
    ],
)
def test_places_values_that_cannot_be_used_are_refused_by_name(client, offers, params, named):
    assert named in _refused(client, "oruk_service_at_locations", **params)


def test_postcode_is_only_for_services_at_locations(client, offers):
    assert "'postcode'" in _refused(client, "oruk_services", postcode="HD1 1JF")


@pytest.mark.parametrize("name", LISTS)
def test_minimum_age_finds_services_whose_minimum_age_is_at_least_it(client, offers, name):
    assert _names(client, name, minimum_age="12") == ["Evening café"]
    assert _names(client, name, minimum_age="10.5") == ["Evening café", "Youth drop-in"]


def test_maximum_age_finds_services_whose_maximum_age_is_at_most_it(client, offers):
    assert _names(client, maximum_age="18") == ["Youth drop-in"]
    assert _names(client, maximum_age="17") == []
    assert _names(client, minimum_age="11", maximum_age="20") == ["Youth drop-in"]


def test_day_and_times_find_services_open_then(client, offers):
    assert _names(client, day="WE") == ["Evening café", "Helpline", "Youth drop-in"]
    assert _names(client, day="friday") == ["Evening café", "Helpline"]
    assert _names(client, day="MO") == ["Helpline"]
    assert _names(client, day="WE", start_time="17:00") == ["Evening café"]
    assert _names(client, day="WE", end_time="18:30") == ["Youth drop-in"]
    # Friday's opening runs past midnight: it ends after any end time that day.
    assert _names(client, day="FR", end_time="23:30") == []
    assert _names(client, start_time="00:00", end_time="23:59", day="SU") == ["Helpline"]


def test_times_whose_dates_are_over_no_longer_count(client, offers):
    youth = offers["youth"]
    OpeningTime.objects.create(
        offer=youth, weekday=0, opens=time(10), closes=time(12), valid_to="2026-01-31"
    )
    with time_machine.travel("2026-01-15 10:00 +00:00", tick=False):
        assert _names(client, day="MO", start_time="09:00") == ["Youth drop-in"]
    with time_machine.travel("2026-02-15 10:00 +00:00", tick=False):
        assert _names(client, day="MO", start_time="09:00") == []


@pytest.mark.parametrize("name", LISTS)
def test_organization_id_finds_what_that_organisation_provides(client, offers, name):
    mind = ids.organisation_id(offers["mind"])
    assert _names(client, name, organization_id=mind) == ["Youth drop-in"]
    assert _names(client, name, organization_id="00000000-0000-0000-0000-000000000001") == []


@pytest.mark.parametrize("name", LISTS)
def test_modified_after_finds_what_changed_since(client, offers, name):
    assert _names(client, name, modified_after="2026-05-01T00:00:00Z") == ["Evening café"] + (
        ["Helpline"] if name == "oruk_services" else []
    )
    assert len(_names(client, name, modified_after="2026-01-01")) >= 2


@pytest.mark.parametrize("name", LISTS)
def test_taxonomy_and_search_filter_both_lists(client, offers, name):
    low = ids.need_id(offers["low"])
    assert _names(client, name, taxonomy_term_id=low) == ["Youth drop-in"]
    assert _names(client, name, taxonomy_id=ids.taxonomy_id()) == ["Youth drop-in"]
    assert _names(client, name, search="calm evening") == ["Evening café"]


def test_minimal_gives_ids_and_dates_and_full_everything(client, offers):
    minimal = client.get(reverse("oruk_services"), {"minimal": "true", "per_page": 1000}).json()
    assert minimal["contents"][0] == {
        "id": ids.service_id(offers["adults"]),
        "last_modified": "2026-06-01T10:00:00.000Z",
    }
    full = client.get(reverse("oruk_services"), {"full": "1"}).json()["contents"]
    assert all("schedules" in service and "languages" in service for service in full)
    summary = client.get(reverse("oruk_services"), {"full": "false"}).json()["contents"]
    assert not any("schedules" in service for service in summary)
    places = client.get(reverse("oruk_service_at_locations"), {"minimal": "true"}).json()
    assert set(places["contents"][0]) == {"id", "service_id", "location_id", "last_modified"}
