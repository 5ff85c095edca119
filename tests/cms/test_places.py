"""No wrong door: an offer says where it is (each place, its address, step-free access, how to
get there, its own times), what kind of help it is, which areas it serves and when it is
closed, on its page, its card, its easy read page and in its schema.org data; editors are
told when a drop-in does not say where."""

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.test import override_settings

from cms.models import Closure, Location, Need, OfferPage, OpeningTime
from tests.conftest import kept_for_the_class
from tests.factories import AreaFactory, OfferPageFactory, offers_index
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
CHRISTMAS_NOON = datetime(2026, 12, 25, 12, 0, tzinfo=LONDON)
WEDNESDAY_3PM = datetime(2026, 11, 25, 15, 0, tzinfo=LONDON)


def text_of(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def add_place(offer, name="The Lantern", **fields) -> Location:
    values = {
        "address": "Unit 3, Canal Wharf\nNorthdale",
        "postcode": "ND2 7HA",
        "latitude": Decimal("54.304600"),
        "longitude": Decimal("-1.816800"),
        "step_free": True,
        "how_to_get_there": "Bus 36 stops on Wharf Road until 11pm.",
        **fields,
    }
    return Location.objects.create(offer=offer, name=name, **values)


@pytest.fixture
def cafe():
    """A crisis café in two places, one with its own (shorter) nights, closed at Christmas."""
    offer = OfferPageFactory(
        title="Night Cafe",
        kind=OfferPage.Kind.CRISIS_CAFE,
        self_referral=True,
        self_referral_drop_in=True,
        phone="01632 960110",
        areas=[AreaFactory(name="Northdale"), AreaFactory(name="Southmoor")],
        needs=[Need.objects.get(slug="crisis")],
        opening_times=[(day, "18:00", "02:00") for day in range(7)],
    )
    add_place(offer)
    hub = add_place(
        offer,
        "Southmoor Wellbeing Hub",
        address="40 High Street\nSouthmoor",
        postcode="SU1 2HS",
        step_free=None,
        how_to_get_there="",
    )
    OpeningTime.objects.create(offer=offer, weekday=4, opens="19:00", closes="23:00", location=hub)
    Closure.objects.create(offer=offer, first_day=date(2026, 12, 25), reason="Christmas Day")
    Closure.objects.create(offer=offer, first_day=date(2025, 12, 25), reason="Christmas Day")
    return offer


# --- The offer page -------------------------------------------------------------------------


def test_an_offer_page_shows_each_place_and_its_own_times(client, cafe):
    with time_machine.travel(WEDNESDAY_3PM, tick=False):
        text = text_of(client.get(cafe.url))
    assert "Where to go" in text
    assert "The Lantern Unit 3, Canal Wharf Northdale ND2 7HA" in text
    assert "Step-free access: you can get in and around without steps." in text
    assert "How to get there: Bus 36 stops on Wharf Road until 11pm." in text
    assert "Southmoor Wellbeing Hub 40 High Street Southmoor SU1 2HS" in text
    assert "We do not know if there is step-free access." in text
    assert "Opening times at Southmoor Wellbeing Hub Friday: 7pm to 11pm" in text
    assert "Some places have their own times" in text
    assert "For people who live in Northdale or Southmoor." in text
    assert "Opens today at 6pm." in text


def test_an_offer_page_lists_closures_still_to_come(client, cafe):
    with time_machine.travel(WEDNESDAY_3PM, tick=False):
        text = text_of(client.get(cafe.url))
    assert "Closed on these days Friday 25 December 2026 (Christmas Day)" in text
    assert "2025" not in text


def test_on_a_closed_day_the_page_says_why_and_when_it_opens_again(client, cafe):
    with time_machine.travel(CHRISTMAS_NOON, tick=False):
        text = text_of(client.get(cafe.url))
    assert "Closed today (Christmas Day). Opens tomorrow at 6pm." in text
    assert "Open now" not in text


def test_a_24_hour_offer_needs_no_times_and_says_so(client):
    offer = OfferPageFactory(title="Night line", open_24_hours=True, in_person=False)
    with time_machine.travel(WEDNESDAY_3PM, tick=False):
        text = text_of(client.get(offer.url))
    assert "Open now (24 hours)" in text
    assert "Open 24 hours a day, every day." in text
    assert "Contact them for opening times" not in text


def test_an_in_person_offer_without_a_place_says_they_will_tell_you_where(client):
    offer = OfferPageFactory(title="Home treatment", in_person=True)
    assert "They will tell you where to go when you get in touch." in text_of(client.get(offer.url))


def test_the_schema_org_data_gives_each_place_an_address(client, cafe):
    page = BeautifulSoup(client.get(cafe.url).content, "html.parser")
    data = json.loads(page.find("script", type="application/ld+json").string)
    places = [channel["serviceLocation"] for channel in data["availableChannel"]]
    assert places[0]["name"] == "The Lantern"
    assert places[0]["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Unit 3, Canal Wharf",
        "addressLocality": "Northdale",
        "postalCode": "ND2 7HA",
        "addressCountry": "GB",
    }
    assert places[0]["geo"]["latitude"] == 54.3046
    assert "geo" not in places[1] or places[1]["geo"]
    assert places[1]["openingHoursSpecification"][0]["opens"] == "19:00"
    assert len(data["hoursAvailable"]) == 7  # the hub's own Friday is not the offer's


def test_the_schema_org_data_of_a_24_hour_offer_covers_every_day(client):
    offer = OfferPageFactory(title="Night line", open_24_hours=True)
    page = BeautifulSoup(client.get(offer.url).content, "html.parser")
    data = json.loads(page.find("script", type="application/ld+json").string)
    (hours,) = data["hoursAvailable"]
    assert len(hours["dayOfWeek"]) == 7
    assert (hours["opens"], hours["closes"]) == ("00:00", "23:59")


# --- Easy read ------------------------------------------------------------------------------


def test_easy_read_says_where_to_go_and_how_to_get_there(client, cafe):
    text = text_of(client.get(f"{cafe.url}easy-read/"))
    assert "You can go to: The Lantern , Unit 3, Canal Wharf, Northdale, ND2 7HA." in text
    assert "How to get there: Bus 36 stops on Wharf Road until 11pm." in text
    assert "There are no steps. You can use a wheelchair." in text
    assert "You can just turn up." in text
    assert "Phone 01632 960110" in text
    assert "It is open here on: Friday 7pm to 11pm." in text


def test_easy_read_never_says_just_turn_up_without_saying_where(client):
    offer = OfferPageFactory(title="Somewhere", self_referral_drop_in=True, phone="01632 960111")
    text = text_of(client.get(f"{offer.url}easy-read/"))
    assert "just turn up" not in text
    assert "Phone or email them to ask where to go." in text


def test_easy_read_uses_the_contact_address_when_there_is_no_place(client):
    offer = OfferPageFactory(
        title="Advice desk",
        self_referral_drop_in=True,
        address="Civic Centre, Castle Hill\nNorthdale",
        postcode="ND1 4PT",
    )
    text = text_of(client.get(f"{offer.url}easy-read/"))
    assert "You can go to: Civic Centre, Castle Hill Northdale, ND1 4PT." in text
    assert "You can just turn up." in text


# --- Cards and the directory ----------------------------------------------------------------


def _card(client, title, url=None):
    page = BeautifulSoup(client.get(url or offers_index().url).content, "html.parser")
    return next(
        card.get_text(" ", strip=True)
        for card in page.select(".lep-offer-card")
        if title in card.get_text(" ")
    )


def test_a_card_says_what_kind_of_help_where_and_when(client, cafe):
    with time_machine.travel(WEDNESDAY_3PM, tick=False):
        card = _card(client, "Night Cafe")
    assert "Crisis café or safe haven, run by" in card
    assert "Where: The Lantern, Northdale ND2 7HA, and 1 other place" in card
    assert "When: Opens today at 6pm." in card
    with time_machine.travel(datetime(2026, 11, 25, 19, 0, tzinfo=LONDON), tick=False):
        assert "When: Open now until 2am" in _card(client, "Night Cafe")


def test_the_directory_filters_by_kind_of_help(client, cafe):
    OfferPageFactory(title="Debt line", kind=OfferPage.Kind.HELPLINE)
    url = f"{offers_index().url}?kind=crisis_cafe"
    page = BeautifulSoup(client.get(url).content, "html.parser")
    assert [a.get_text(strip=True) for a in page.select(".lep-offer-card h3 a")] == ["Night Cafe"]
    assert page.find("option", {"value": "crisis_cafe"}).has_attr("selected")


def test_a_crisis_cafe_open_tonight_is_found_with_open_now(client, cafe):
    url = f"{offers_index().url}?kind=crisis_cafe&open_now=on"
    with time_machine.travel(datetime(2026, 11, 25, 23, 30, tzinfo=LONDON), tick=False):
        assert "Night Cafe" in text_of(client.get(url))
    with time_machine.travel(CHRISTMAS_NOON.replace(hour=20), tick=False):
        assert "Night Cafe" not in text_of(client.get(url))


def _offers_with_places(count, start=0):
    area = AreaFactory(name="Northdale") if not start else None
    for n in range(start, start + count):
        offer = OfferPageFactory(
            title=f"Offer {n:03d}",
            needs=[Need.objects.get(slug="crisis")],
            areas=[area] if area else [],
            opening_times=[(0, "09:00", "12:00"), (2, "18:00", "02:00")],
        )
        place = add_place(offer, f"Place {n}")
        add_place(offer, f"Second place {n}", postcode="SU1 1AP")
        OpeningTime.objects.create(
            offer=offer, weekday=4, opens="10:00", closes="12:00", location=place
        )
        Closure.objects.create(offer=offer, first_day=date(2026, 12, 25), reason="Christmas Day")


def test_directory_queries_stay_the_same_with_places_and_closures_on_3_or_30_offers(client):
    _offers_with_places(3)
    index = offers_index()
    urls = [index.url, f"{index.url}?open_now=on&kind=other&need=crisis"]
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=LONDON), tick=False):
        client.get(index.url)
        few = [queries_for(client, url) for url in urls]
        _offers_with_places(27, start=3)
        client.get(index.url)  # publishing drops the cached header; warm it again
        assert [queries_for(client, url) for url in urls] == few


def test_offer_page_queries_stay_the_same_with_3_or_30_places_and_closures(client):
    offer = OfferPageFactory(title="The offer", opening_times=[(0, "09:00", "17:00")])
    for n in range(3):
        add_place(offer, f"Place {n}")
        Closure.objects.create(offer=offer, first_day=date(2026, 12, 20 + n))
    client.get(offer.url)
    few = queries_for(client, offer.url)
    for n in range(3, 30):
        place = add_place(offer, f"Place {n}")
        OpeningTime.objects.create(
            offer=offer, weekday=n % 7, opens="18:00", closes="20:00", location=place
        )
        Closure.objects.create(offer=offer, first_day=date(2027, 1, n))
    offer.save_revision().publish()
    client.get(offer.url)
    assert queries_for(client, offer.url) == few


# --- The editor's form ----------------------------------------------------------------------


def _add_url():
    return f"/admin/pages/add/cms/offerpage/{offers_index().pk}/"


def _form(provider, **overrides):
    data = {
        "title": "New offer",
        "slug": "new-offer",
        "provider": str(provider.pk),
        "kind": "drop_in",
        "summary": "Support for people who are struggling.",
        "cost": "Free",
        "last_reviewed": "2026-11-01",
        "open_to_all": "on",
        "in_person": "on",
    }
    for inline in ("opening_times", "locations", "closures"):
        data.update(
            {
                f"{inline}-TOTAL_FORMS": "0",
                f"{inline}-INITIAL_FORMS": "0",
                f"{inline}-MIN_NUM_FORMS": "0",
                f"{inline}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


def _place_rows(*places):
    data = {"locations-TOTAL_FORMS": str(len(places))}
    for i, place in enumerate(places):
        row = {
            "name": "The Lantern",
            "address": "Unit 3, Canal Wharf\nNorthdale",
            "postcode": "ND2 7HA",
            "latitude": "54.3046",
            "longitude": "-1.8168",
            "step_free": "true",
            "how_to_get_there": "Bus 36.",
            **place,
        }
        data.update({f"locations-{i}-{k}": v for k, v in row.items()})
        data[f"locations-{i}-ORDER"] = str(i + 1)
    return data


def _closure_rows(*closures):
    data = {"closures-TOTAL_FORMS": str(len(closures))}
    for i, (first_day, last_day, reason) in enumerate(closures):
        data.update(
            {
                f"closures-{i}-first_day": first_day,
                f"closures-{i}-last_day": last_day,
                f"closures-{i}-reason": reason,
                f"closures-{i}-ORDER": str(i + 1),
            }
        )
    return data


def _time_rows(*rows):
    data = {"opening_times-TOTAL_FORMS": str(len(rows))}
    for i, (day, opens, closes, location) in enumerate(rows):
        data.update(
            {
                f"opening_times-{i}-weekday": str(day),
                f"opening_times-{i}-opens": opens,
                f"opening_times-{i}-closes": closes,
                f"opening_times-{i}-location": location,
                f"opening_times-{i}-ORDER": str(i + 1),
            }
        )
    return data


def test_an_editor_adds_a_drop_in_with_its_place_and_closures(client_as, organisation):
    response = client_as("editor").post(
        _add_url(),
        _form(
            organisation,
            self_referral="on",
            self_referral_drop_in="on",
            **_place_rows({}),
            **_closure_rows(("2026-12-24", "2027-01-01", "Christmas and New Year")),
            **_time_rows((2, "18:00", "02:00", "")),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    offer = OfferPage.objects.get(slug="new-offer")
    (place,) = offer.locations.all()
    assert (place.name, place.postcode, place.step_free) == ("The Lantern", "ND2 7HA", True)
    assert place.address == "Unit 3, Canal Wharf\nNorthdale"
    (closure,) = offer.closures.all()
    assert (closure.first_day, closure.last_day) == (date(2026, 12, 24), date(2027, 1, 1))


def test_an_editor_gives_a_place_its_own_times_from_this_offers_places_only(
    client_as, organisation, cafe
):
    editor = client_as("editor")
    page = BeautifulSoup(editor.get(f"/admin/pages/{cafe.pk}/edit/").content, "html.parser")
    select = page.find("select", {"name": "opening_times-0-location"})
    options = {option.get_text(strip=True) for option in select.find_all("option")}
    assert options == {"---------", "The Lantern", "Southmoor Wellbeing Hub"}
    assert "A place you have just added can be chosen once you save the offer." in page.get_text()


def test_a_place_of_another_offer_cannot_be_chosen(client_as, organisation, cafe):
    elsewhere = Location.objects.get(name="The Lantern")
    response = client_as("editor").post(
        _add_url(),
        _form(organisation, **_place_rows({}), **_time_rows((0, "09:00", "17:00", elsewhere.pk))),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not OfferPage.objects.filter(slug="new-offer").exists()


def test_24_hour_offers_save_without_opening_times(client_as, organisation):
    response = client_as("editor").post(
        _add_url(), _form(organisation, kind="helpline", in_person="", open_24_hours="on")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert OfferPage.objects.get(slug="new-offer").open_24_hours


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"self_referral": "on", "self_referral_drop_in": "on", "kind": "group"},
            "Add the place people can drop in to, under &quot;Places&quot;",
        ),
        ({"kind": "crisis_cafe"}, "an offer people drop in to must say where"),
        (
            {**_place_rows({}), **_closure_rows(("2026-12-24", "2026-12-20", ""))},
            "The last day must be on or after the first day.",
        ),
        ({**_place_rows({"postcode": "NOT A CODE"})}, "Enter a full UK postcode, like ND1 4AB."),
        (
            {**_place_rows({"longitude": ""})},
            "Give both the latitude and the longitude, or neither.",
        ),
        (
            {"open_24_hours": "on", **_place_rows({}), **_time_rows((0, "09:00", "17:00", ""))},
            "An offer open 24 hours needs no opening times",
        ),
    ],
)
def test_editors_are_told_what_is_missing_and_nothing_is_saved(
    client_as, organisation, extra, message
):
    response = client_as("editor").post(_add_url(), _form(organisation, **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OfferPage.objects.filter(slug="new-offer").exists()
    assert "Support for people who are struggling." in response.content.decode()


def test_places_at_different_addresses_may_keep_the_same_hours(client_as, organisation):
    response = client_as("editor").post(
        _add_url(),
        _form(organisation, kind="group", **_time_rows((0, "09:00", "17:00", ""))),
    )
    assert response.status_code == 302, response.content.decode()[:3000]


@pytest.mark.parametrize("role", ["member", "engagement_lead", "hr", "finance"])
def test_only_editors_change_an_offers_places(client_as, cafe, role):
    client = client_as(role)
    response = client.get(f"/admin/pages/{cafe.pk}/edit/")
    assert response.status_code in (302, 403)
    assert "The Lantern" not in response.content.decode()


# --- The demo -------------------------------------------------------------------------------


@pytest.fixture(scope="class")
def demo_offers(django_db_setup, django_db_blocker):
    """The demo's offers, made once for the tests of the class."""
    with kept_for_the_class(django_db_blocker):
        with override_settings(DEBUG=True):
            call_command("demo_cms")
        yield


@pytest.mark.usefixtures("demo_offers")
class TestTheDemo:
    def test_the_demo_says_where_every_offer_people_go_to_is(self, settings, client):
        settings.DEBUG = True
        offers = list(OfferPage.objects.live().prefetch_related("locations", "closures"))
        assert all(offer.kind != OfferPage.Kind.OTHER for offer in offers)
        for offer in offers:
            if offer.in_person or offer.self_referral_drop_in:
                assert offer.locations.all(), offer.title
            assert offer.phone or offer.email or offer.website, offer.title
            for place in offer.locations.all():
                assert place.town in ("Northdale", "Southmoor"), place
                assert place.postcode.startswith({"Northdale": "ND", "Southmoor": "SU"}[place.town])
                assert place.latitude is not None and place.step_free is not None
                assert place.how_to_get_there
        assert sum(len(offer.locations.all()) > 1 for offer in offers) >= 3
        assert OpeningTime.objects.filter(location__isnull=False).exists()
        assert any(offer.open_24_hours and not offer.in_person for offer in offers)
        assert sum(offer.closed_on_bank_holidays for offer in offers) >= 10
        assert Closure.objects.filter(reason="Christmas Day").count() >= 2

    def test_the_demo_has_crisis_cafes_open_late_tonight_with_an_address(self, settings, client):
        settings.DEBUG = True
        tonight = datetime(2026, 11, 25, 23, 30, tzinfo=LONDON)
        with time_machine.travel(tonight, tick=False):
            page = BeautifulSoup(
                client.get(f"{offers_index().url}?kind=crisis_cafe&open_now=on").content,
                "html.parser",
            )
            cards = [card.get_text(" ", strip=True) for card in page.select(".lep-offer-card")]
        assert len(cards) >= 2
        assert all("Where:" in card and "When: Open now until" in card for card in cards)


def test_copying_an_offer_with_an_imported_place_gives_the_copy_new_ids():
    """Open Referral ids are unique: a copy of an offer whose place came from an import is
    saved, and its place claims none of the original's ids."""
    import uuid

    from wagtail.actions.copy_page import CopyPageAction

    offer = OfferPageFactory(title="Open Door", slug="open-door")
    imported = uuid.uuid4()
    add_place(offer, oruk_id=imported)

    copy = CopyPageAction(
        offer, update_attrs={"title": "Open Door (copy)", "slug": "open-door-copy"}
    ).execute()

    copied_place = copy.specific.locations.get()
    assert copied_place.name == "The Lantern"
    assert copied_place.oruk_id is None
    assert Location.objects.get(offer=offer).oruk_id == imported
