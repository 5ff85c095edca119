"""Open Referral UK: each offer at each of its places (``/service_at_locations``), and the
places inside a full service, with addresses, postcodes, map points, step-free access and
the times that hold at each place (its own where it has them, else the offer's),
overnight, 24-hour and closed days included.

Answers are checked against the standard's schemas, read from ../shared/oruk (skipped when
absent). The OpenAPI description points ``/service_at_locations/{id}`` at the service
schema, though it describes (and its own example is) a service at a location; the detail
is checked against ``compiled/service_at_location.json``.
"""

import json
import uuid
from datetime import date, time
from decimal import Decimal

import pytest
from django.urls import reverse

from cms.models import Closure, Location, OpeningTime
from cms.oruk import ids
from tests.cms.test_oruk import _schema, assert_valid, needs_oruk_files
from tests.factories import NeedFactory, OfferPageFactory, OrganisationFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db


def add_place(offer, name, postcode, *, own_times=(), **fields) -> Location:
    """A place of a published offer, as publishing it leaves the rows (with any times of
    its own: ``[(weekday, "10:00", "14:00")]``)."""
    place = Location.objects.create(
        offer=offer,
        name=name,
        address=fields.pop("address", f"{name}\nMarket Street\nHuddersfield"),
        postcode=postcode,
        **fields,
    )
    for weekday, opens, closes in own_times:
        OpeningTime.objects.create(
            offer=offer,
            location=place,
            weekday=weekday,
            opens=time.fromisoformat(opens),
            closes=time.fromisoformat(closes),
        )
    return place


@pytest.fixture
def places(db):
    """A café at two places (one with its own times), a 24-hour helpline at one place,
    an online-only offer and a draft with a place."""
    cafe = OfferPageFactory(
        title="Crisis café",
        provider=OrganisationFactory(name="Calderdale & Kirklees Mind"),
        needs=[NeedFactory(name="Feeling low")],
        opening_times=[(0, "18:00", "02:00"), (4, "18:00", "23:00")],
        closed_on_bank_holidays=True,
        age_from=16,
    )
    Closure.objects.create(
        offer=cafe, first_day=date(2026, 12, 25), last_day=date(2026, 12, 26), reason="Christmas"
    )
    library = add_place(
        cafe,
        "Huddersfield Library",
        "HD1 2SU",
        latitude=Decimal("53.646400"),
        longitude=Decimal("-1.782500"),
        step_free=True,
        how_to_get_there="Buses 301 and 302 stop outside. Use the Princess Alexandra Walk door.",
    )
    dewsbury = add_place(
        cafe,
        "Dewsbury Town Hall",
        "WF13 1DG",
        latitude=Decimal("53.690600"),
        longitude=Decimal("-1.630000"),
        step_free=False,
        own_times=[(3, "10:00", "14:00")],
    )
    helpline = OfferPageFactory(title="Night line", open_24_hours=True, in_person=True)
    hub = add_place(helpline, "Halifax Wellbeing Hub", "HX1 1UJ")
    online = OfferPageFactory(title="Online peer chat", in_person=False, online=True)
    draft = OfferPageFactory(title="Secret draft offer")
    add_place(draft, "Secret place", "HD1 1AA")
    draft.unpublish()
    return {
        "cafe": cafe,
        "library": library,
        "dewsbury": dewsbury,
        "helpline": helpline,
        "hub": hub,
        "online": online,
    }


def _get(client, name, *args, **params):
    response = client.get(reverse(name, args=args), params)
    return response, response.json()


def _sal_id(offer, place) -> str:
    sid = ids.service_id(offer)
    return ids.service_at_location_id(sid, ids.place_id(sid, place))


def _sal_schema_errors(data) -> list[str]:
    validator = _schema("compiled/service_at_location.json")
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


@needs_oruk_files
def test_the_list_has_each_published_offer_at_each_of_its_places(client, places):
    response, data = _get(client, "oruk_service_at_locations")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert_valid(data, "/service_at_locations")
    assert [(item["service"]["name"], item["location"]["name"]) for item in data["contents"]] == [
        ("Crisis café", "Huddersfield Library"),
        ("Crisis café", "Dewsbury Town Hall"),
        ("Night line", "Halifax Wellbeing Hub"),
    ]
    assert data["total_items"] == 3
    first = data["contents"][0]
    assert first["id"] == _sal_id(places["cafe"], places["library"])
    assert first["service_id"] == ids.service_id(places["cafe"])
    assert first["location"]["addresses"][0]["postal_code"] == "HD1 2SU"
    assert (first["location"]["latitude"], first["location"]["longitude"]) == (53.6464, -1.7825)
    body = response.content.decode()
    assert "Secret" not in body and "Online peer chat" not in body


@needs_oruk_files
def test_a_service_at_a_location_has_the_place_and_the_times_that_hold_there(client, places):
    cafe, dewsbury = places["cafe"], places["dewsbury"]
    response, data = _get(client, "oruk_service_at_location", _sal_id(cafe, dewsbury))
    assert response.status_code == 200
    assert not _sal_schema_errors(data)
    location = data["location"]
    assert location["name"] == "Dewsbury Town Hall"
    assert location["addresses"][0] | {"id": None} == {
        "id": None,
        "location_id": ids.location_id(dewsbury),
        "address_1": "Dewsbury Town Hall, Market Street",
        "city": "Huddersfield",
        "state_province": "",
        "postal_code": "WF13 1DG",
        "country": "GB",
        "address_type": "physical",
    }
    assert [item["description"] for item in location["accessibility"]] == ["No step-free access"]
    service = data["service"]
    assert service["name"] == "Crisis café" and service["minimum_age"] == 16
    opening = [s for s in service["schedules"] if "byday" in s]
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in opening] == [
        ("TH", "10:00", "14:00")
    ]
    assert opening[0]["service_at_location_id"] == data["id"]
    closed = [s for s in service["schedules"] if "byday" not in s]
    assert closed == [
        {
            "id": closed[0]["id"],
            "service_id": ids.service_id(cafe),
            "valid_from": "2026-12-25",
            "valid_to": "2026-12-26",
            "description": "Closed from 25 December 2026 to 26 December 2026: Christmas",
            "notes": "Closed",
        }
    ]


@needs_oruk_files
def test_a_place_without_its_own_times_has_the_offers_overnight_ones(client, places):
    data = _get(client, "oruk_service_at_location", _sal_id(places["cafe"], places["library"]))[1]
    assert not _sal_schema_errors(data)
    assert [item["description"] for item in data["location"]["accessibility"]] == [
        "Step-free access"
    ]
    assert data["location"]["description"].startswith("Buses 301 and 302")
    opening = {s["byday"]: s for s in data["service"]["schedules"] if "byday" in s}
    assert (opening["MO"]["opens_at"], opening["MO"]["closes_at"]) == ("18:00", "02:00")
    assert "closing the next day" in opening["MO"]["description"]
    assert opening["MO"]["notes"] == "Closed on bank holidays in England and Wales."
    assert "service_at_location_id" not in opening["MO"]


def test_open_24_hours_is_every_day_from_midnight_to_midnight(client, places):
    helpline = places["helpline"]
    data = _get(client, "oruk_service_at_location", _sal_id(helpline, places["hub"]))[1]
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in data["service"]["schedules"]] == [
        ("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")
    ]
    assert "24 hours" in data["service"]["schedules"][0]["description"]


@needs_oruk_files
def test_a_full_service_has_its_places_and_each_places_own_times(client, places):
    cafe = places["cafe"]
    response, data = _get(client, "oruk_service", ids.service_id(cafe))
    assert_valid(data, "/services/{id}")
    listed = _get(client, "oruk_service_at_locations")[1]["contents"]
    assert [link["id"] for link in data["service_at_locations"]] == [
        item["id"] for item in listed[:2]
    ]
    assert [
        link["location"]["addresses"][0]["postal_code"] for link in data["service_at_locations"]
    ] == [
        "HD1 2SU",
        "WF13 1DG",
    ]
    by_place = {(s.get("service_at_location_id"), s.get("byday")) for s in data["schedules"]}
    dewsbury = _sal_id(cafe, places["dewsbury"])
    assert by_place == {(None, "MO"), (None, "FR"), (dewsbury, "TH"), (None, None)}


def test_an_offer_with_no_places_keeps_its_address_as_its_one_location(client, db):
    offer = OfferPageFactory(
        title="Advice shop", address="2 Cross Church Street\nHuddersfield", postcode="HD1 2PT"
    )
    sid = ids.service_id(offer)
    listed = _get(client, "oruk_service_at_locations")[1]["contents"]
    assert [item["id"] for item in listed] == [str(ids.oruk_uuid(f"service_at_location:{sid}"))]
    assert listed[0]["location"]["addresses"][0]["postal_code"] == "HD1 2PT"
    detail = _get(client, "oruk_service_at_location", listed[0]["id"])[1]
    assert detail["location"]["name"] == "Advice shop"


def test_ids_are_stable_and_reveal_no_database_keys(client, places):
    cafe = places["cafe"]
    before = _get(client, "oruk_service_at_locations")[1]["contents"]
    cafe.save_revision().publish()
    after = _get(client, "oruk_service_at_locations")[1]["contents"]
    assert [item["id"] for item in before] == [item["id"] for item in after]
    assert all(uuid.UUID(item["location"]["id"]) for item in after)
    body = json.dumps(after)
    assert f'"id": {places["library"].pk}' not in body and '"pk"' not in body


def test_a_place_brought_in_with_an_id_keeps_it(client, places):
    library = places["library"]
    library.oruk_id = uuid.UUID("3a19ff88-4620-4d17-9830-ac1d859eb5d5")
    library.save()
    first = _get(client, "oruk_service_at_locations")[1]["contents"][0]
    assert first["location_id"] == "3a19ff88-4620-4d17-9830-ac1d859eb5d5"


def test_unknown_or_draft_services_at_locations_are_a_json_404(client, places):
    for sal_id in ["00000000-0000-0000-0000-000000000001", _sal_id(places["online"], None)]:
        response, data = _get(client, "oruk_service_at_location", sal_id)
        assert response.status_code == 404
        assert data["error"] == "There is no published service at a location with this id."


def test_the_list_pages_through(client, places):
    first = _get(client, "oruk_service_at_locations", per_page=2)[1]
    assert (first["size"], first["total_pages"], first["last_page"]) == (2, 2, False)
    last = _get(client, "oruk_service_at_locations", per_page=2, page=2)[1]
    assert [item["location"]["name"] for item in last["contents"]] == ["Halifax Wellbeing Hub"]


def test_full_list_mode_nests_everything(client, places):
    data = _get(client, "oruk_service_at_locations", full="true")[1]
    dewsbury = data["contents"][1]
    assert [s["byday"] for s in dewsbury["service"]["schedules"] if "byday" in s] == ["TH"]
    assert dewsbury["service"]["attributes"][0]["taxonomy_term"]["name"] == "Feeling low"
    services = _get(client, "oruk_services", full="true")[1]["contents"]
    cafe = next(item for item in services if item["name"] == "Crisis café")
    assert len(cafe["service_at_locations"]) == 2


def test_postcode_finds_places_in_it_or_in_its_district(client, places):
    whole = _get(client, "oruk_service_at_locations", postcode="wf13 1dg")[1]
    assert [item["location"]["name"] for item in whole["contents"]] == ["Dewsbury Town Hall"]
    district = _get(client, "oruk_service_at_locations", postcode="HD1")[1]
    assert [item["location"]["name"] for item in district["contents"]] == ["Huddersfield Library"]


def test_proximity_finds_places_within_that_many_metres_of_the_postcode(client, places):
    # Dewsbury is about 11 km from Huddersfield Library.
    near = _get(client, "oruk_service_at_locations", postcode="HD1 2SU", proximity="5000")[1]
    assert [item["location"]["name"] for item in near["contents"]] == ["Huddersfield Library"]
    wider = _get(client, "oruk_service_at_locations", postcode="HD1 2SU", proximity="15000")[1]
    assert [item["location"]["name"] for item in wider["contents"]] == [
        "Huddersfield Library",
        "Dewsbury Town Hall",
    ]
    response, data = _get(client, "oruk_service_at_locations", postcode="ZE1 0AA", proximity="100")
    assert response.status_code == 400
    assert "ZE10AA" in data["error"] and "proximity" in data["error"]


def test_times_at_a_place_are_its_own_where_it_has_them(client, places):
    thursday = _get(client, "oruk_service_at_locations", day="TH")[1]["contents"]
    assert [item["location"]["name"] for item in thursday] == [
        "Dewsbury Town Hall",
        "Halifax Wellbeing Hub",
    ]
    monday_evening = _get(client, "oruk_service_at_locations", day="MO", start_time="17:00")[1]
    assert [item["location"]["name"] for item in monday_evening["contents"]] == [
        "Huddersfield Library"
    ]


def _places_for(count: int, need):
    for n in range(count):
        offer = OfferPageFactory(needs=[need], opening_times=[(1, "09:00", "17:00")])
        add_place(
            offer,
            f"Place {n}",
            "HD1 2SU",
            own_times=[(2, "10:00", "12:00")],
            latitude=Decimal("53.6464"),
            longitude=Decimal("-1.7825"),
        )
        add_place(offer, f"Second place {n}", "HD2 1AA")
        Closure.objects.create(offer=offer, first_day=date(2026, 12, 25))


def test_the_places_feed_makes_the_same_number_of_queries_for_3_or_30_offers(client, db):
    def urls():
        first = client.get(reverse("oruk_service_at_locations")).json()["contents"][0]
        return [
            reverse("oruk_service_at_locations") + "?per_page=100",
            reverse("oruk_service_at_locations") + "?per_page=100&full=true&day=WE",
            reverse("oruk_service_at_locations") + "?postcode=HD1&proximity=1000&per_page=100",
            reverse("oruk_services") + "?per_page=100&full=true",
            reverse("oruk_service_at_location", args=[first["id"]]),
            reverse("oruk_service", args=[first["service_id"]]),
        ]

    def counts():
        found = []
        for url in urls():
            client.get(url)
            found.append(queries_for(client, url))
        return found

    need = NeedFactory(name="Housing")
    _places_for(3, need)
    small = counts()
    _places_for(27, need)
    assert client.get(reverse("oruk_service_at_locations") + "?per_page=100").json()["size"] == 60
    assert counts() == small
    assert max(small) <= 12


# --- Importing places ---------------------------------------------------------------------------

LIBRARY_ID = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
LINK_ID = "e94c9f38-1e8f-4564-91d4-d53501ab1765"


def _service_with_places(**changes) -> dict:
    """An ORUK 3 service at two places, one with its own times, and a closure."""
    record = {
        "id": SERVICE_ID,
        "name": "Sanctuary café",
        "description": "A calm place to go in the evening.",
        "status": "active",
        "organization": {"id": str(uuid.uuid4()), "name": "Kirklees Mind"},
        "schedules": [
            {
                "id": str(uuid.uuid4()),
                "freq": "WEEKLY",
                "byday": "MO,FR",
                "opens_at": "18:00",
                "closes_at": "02:00",
            },
            {
                "id": str(uuid.uuid4()),
                "freq": "WEEKLY",
                "byday": "TH",
                "opens_at": "10:00",
                "closes_at": "14:00",
                "service_at_location_id": LINK_ID,
            },
            {
                "id": str(uuid.uuid4()),
                "valid_from": "2026-12-25",
                "valid_to": "2026-12-26",
                "description": "Closed 25 to 26 December: Christmas",
            },
        ],
        "service_at_locations": [
            {
                "id": str(uuid.uuid4()),
                "location": {
                    "id": LIBRARY_ID,
                    "location_type": "physical",
                    "name": "Huddersfield Library",
                    "latitude": 53.6464,
                    "longitude": -1.7825,
                    "addresses": [
                        {
                            "id": str(uuid.uuid4()),
                            "address_1": "Princess Alexandra Walk",
                            "city": "Huddersfield",
                            "state_province": "",
                            "postal_code": "HD1 2SU",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                    "accessibility": [{"id": str(uuid.uuid4()), "description": "Step-free access"}],
                },
            },
            {
                "id": LINK_ID,
                "location": {
                    "id": str(uuid.UUID(int=7)),
                    "location_type": "physical",
                    "name": "Dewsbury Town Hall",
                    "addresses": [
                        {
                            "id": str(uuid.uuid4()),
                            "address_1": "Wakefield Old Road",
                            "city": "Dewsbury",
                            "state_province": "",
                            "postal_code": "WF13 1DG",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            },
            {
                "id": str(uuid.uuid4()),
                "location": {"id": str(uuid.uuid4()), "location_type": "virtual"},
            },
        ],
    }
    record.update(changes)
    return record


def _imported():
    from cms.models import OfferPage

    offer = OfferPage.objects.get(oruk_id=SERVICE_ID)
    return offer, {
        "places": [
            (p.name, p.postcode, p.step_free, str(p.latitude), str(p.oruk_id))
            for p in offer.locations.order_by("sort_order")
        ],
        "times": sorted(
            (str(t), t.location.name if t.location_id else None) for t in offer.opening_times.all()
        ),
        "closures": [(str(c.first_day), str(c.last_day), c.reason) for c in offer.closures.all()],
    }


def test_places_their_own_times_and_closures_are_imported(db):
    from cms.oruk import importer
    from tests.factories import offers_index

    offers_index()
    result = importer.offers_import_oruk(data=[_service_with_places()], publish=True)
    assert (result.created, result.errors) == (1, [])
    offer, seen = _imported()
    assert offer.live
    assert seen == {
        "places": [
            ("Huddersfield Library", "HD1 2SU", True, "53.646400", LIBRARY_ID),
            ("Dewsbury Town Hall", "WF13 1DG", None, "None", str(uuid.UUID(int=7))),
        ],
        "times": [
            ("Friday 18:00–02:00", None),
            ("Monday 18:00–02:00", None),
            ("Thursday 10:00–14:00", "Dewsbury Town Hall"),
        ],
        "closures": [("2026-12-25", "2026-12-26", "Christmas")],
    }


def test_importing_places_again_updates_them_and_adds_none(db):
    from cms.oruk import importer
    from tests.factories import offers_index

    offers_index()
    importer.offers_import_oruk(data=[_service_with_places()], publish=True)
    again = importer.offers_import_oruk(data=[_service_with_places()], publish=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    record = _service_with_places()
    record["service_at_locations"][0]["location"]["name"] = "Huddersfield Central Library"
    changed = importer.offers_import_oruk(data=[record], publish=True)
    assert (changed.updated, changed.unchanged) == (1, 0)
    assert any(change.label == "Places" for change in changed.offers[0].changes)
    offer, seen = _imported()
    assert [place[0] for place in seen["places"]] == [
        "Huddersfield Central Library",
        "Dewsbury Town Hall",
    ]
    assert Location.objects.count() == 2


def test_a_place_two_services_share_is_kept_for_each(db):
    from cms.oruk import importer
    from tests.factories import offers_index

    offers_index()
    other = _service_with_places(id=str(uuid.UUID(int=99)), name="Walk and talk", schedules=[])
    result = importer.offers_import_oruk(data=[_service_with_places(), other], publish=True)
    assert (result.created, result.errors) == (2, [])
    assert Location.objects.filter(name="Huddersfield Library").count() == 2
    again = importer.offers_import_oruk(data=[_service_with_places(), other], publish=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_new_place_with_its_own_times_on_a_live_offer_waits_for_its_times(db):
    from cms.oruk import importer
    from tests.factories import offers_index

    offers_index()
    record = _service_with_places()
    first = dict(
        record,
        service_at_locations=record["service_at_locations"][:1],
        schedules=record["schedules"][:1],
    )
    importer.offers_import_oruk(data=[first], publish=True)
    result = importer.offers_import_oruk(data=[record])
    assert result.updated == 1
    assert any("Dewsbury Town Hall (a new place)" in note for note in result.offers[0].not_kept)
    offer, seen = _imported()
    assert [place[0] for place in seen["places"]] == ["Huddersfield Library"]  # the draft waits


def test_our_own_feed_with_places_imported_back_changes_nothing(client, places):
    from cms.oruk import importer

    services = [
        client.get(reverse("oruk_service", args=[ids.service_id(offer)])).json()
        for offer in (places["cafe"], places["helpline"])
    ]
    result = importer.offers_import_oruk(data=services)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2), [
        [str(change) for change in offer.changes] for offer in result.offers
    ]
