"""One Open Referral UK service record read into a plan for an offer, or refused with a
plain reason (``BadRecord``).

A plan holds only what the record carries: a field it does not give is None and the
importer leaves the offer's value alone. A record in a list never gives an empty field
(``full=False``); only a single full service may clear one by carrying it empty. Needs
and areas are matched to ours by id, name or slug, never added.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from wagtail.models import Site

from .. import site_address
from ..models import Area, Location, Need, OfferPage, OpeningTime, Organisation
from ..models.offers import LAST_MINUTE, MIDNIGHT, opening_time_clashes, web_address
from .ids import WEEKDAY_CODES, address_location_id, need_id

EMPTY = (None, "", [], {})
SHORT = 60


class BadRecord(Exception):
    """One record cannot be imported; the message says why in plain English."""


# The parts of an ORUK service the importer reads; any other part of a record is listed
# as not kept.
READ_KEYS = {
    "id",
    "name",
    "description",
    "url",
    "email",
    "status",
    "fees",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "last_modified",
    "organization",
    "organization_id",
    "schedules",
    "holiday_schedules",
    "service_areas",
    "service_at_locations",
    "languages",
    "cost_options",
    "contacts",
    "phones",
    "attributes",
}


@dataclass
class Lookups:
    """Needs and areas are editors' taxonomies: an import links to them, never adds to them."""

    needs: dict[int, Need]
    areas: dict[int, Area]
    needs_by_key: dict[str, Need]
    areas_by_key: dict[str, Area]
    unmatched_terms: set[str] = field(default_factory=set)
    unmatched_areas: set[str] = field(default_factory=set)
    own_urls: tuple[str, ...] = ()

    @classmethod
    def load(cls) -> "Lookups":
        needs = {need.pk: need for need in Need.objects.all()}
        areas = {area.pk: area for area in Area.objects.all()}
        needs_by_key = {}
        for need in needs.values():
            needs_by_key.update({need_id(need): need, need.name.lower(): need, need.slug: need})
        areas_by_key = {}
        for area in areas.values():
            areas_by_key.update({area.name.lower(): area, area.slug: area})
        # A service whose url is one of our own pages came from our feed: that url is the
        # offer's page, not its website.
        own_urls = {site.root_url + "/" for site in Site.objects.all()}
        own_urls.add(site_address.absolute_url("/"))
        return cls(needs, areas, needs_by_key, areas_by_key, own_urls=tuple(own_urls))


Span = tuple[int, time, time, date | None, date | None]


@dataclass
class Plan:
    """What one good record would make of an offer: only what the record carries (None:
    not carried, so left alone)."""

    index: int
    oruk_id: uuid.UUID
    values: dict
    provider_name: str | None
    provider_website: str
    need_ids: frozenset[int] | None
    area_ids: frozenset[int] | None
    opening_times: frozenset[Span] | None
    not_kept: list[str]
    places: tuple["PlacePlan", ...] | None = None
    closures: frozenset["ClosureSpan"] | None = None


ClosureSpan = tuple[date, date | None, str]
COORDINATE = Decimal("0.000001")
STEP_FREE_WORDS = {"step-free access": True, "no step-free access": False}


@dataclass(frozen=True)
class PlacePlan:
    """One place (an ORUK location) the record says the service is delivered at, with
    the opening times it has of its own (None: the offer's hold there)."""

    oruk_id: uuid.UUID
    name: str
    address: str
    postcode: str
    latitude: Decimal | None
    longitude: Decimal | None
    step_free: bool | None
    how_to_get_there: str
    spans: frozenset[Span] | None
    # What the location says about access beyond step-free, for the offer's venue
    # accessibility (our places keep only whether they are step-free).
    access: str = ""


def short(value, limit: int = SHORT) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(record: dict, key: str, *, label: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRecord(f"The {label} must be text.")
    return value.strip()


def _list(record: dict, key: str) -> list[dict]:
    value = record.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise BadRecord(f"'{key}' must be a list of objects.")
    return value


def _age(record: dict, key: str) -> int | None:
    value = record.get(key)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise BadRecord(f"The {key.replace('_', ' ')} must be a number of years.") from None
    if number != number.to_integral_value() or not 0 <= number <= 130:
        raise BadRecord(
            f"The {key.replace('_', ' ')} must be a whole number of years from 0 to 130."
        )
    return int(number)


CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")


def _clock(value, *, label: str) -> time:
    """A schedule's time of day; a time zone suffix is dropped (offers keep UK time)."""
    match = CLOCK.fullmatch(value.strip()) if isinstance(value, str) else None
    try:
        if match is None:
            raise ValueError
        return time(int(match[1]), int(match[2]), int(match[3] or 0))
    except ValueError:
        raise BadRecord(f"The schedule's {label} '{value}' is not a time like 09:00.") from None


def _schedule_date(schedule: dict, key: str) -> date | None:
    value = schedule.get(key)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise BadRecord(f"The schedule's {key} '{value}' is not a date like 2025-01-31.") from None


def _is_closure(schedule: dict) -> bool:
    """ORUK 3 has no "closed" field: a schedule that holds only between dates and gives
    no opening times at all says the service is closed then."""
    return bool(schedule.get("valid_from")) and not any(
        schedule.get(key) for key in ("opens_at", "closes_at", "byday", "bymonthday", "freq")
    )


def _closure(schedule: dict, *, first: str, last: str) -> ClosureSpan:
    first_day = _schedule_date(schedule, first)
    last_day = _schedule_date(schedule, last)
    if last_day is not None and last_day < first_day:
        raise BadRecord(f"A closure ends ({last_day}) before it starts ({first_day}).")
    words = str(schedule.get("description") or "").strip()
    # Our own feed says "Closed 25 December 2026: Christmas"; keep the reason.
    if words.startswith("Closed"):
        reason = words.split(": ", 1)[1] if ": " in words else ""
    else:
        reason = words
    return (first_day, None if last_day == first_day else last_day, short(reason, 150))


def _is_all_day_every_day(schedule: dict) -> bool:
    days = {code.strip().upper() for code in str(schedule.get("byday") or "").split(",")}
    return (
        days == set(WEEKDAY_CODES)
        and bool(schedule.get("opens_at") and schedule.get("closes_at"))
        and not (schedule.get("valid_from") or schedule.get("valid_to"))
        and _clock(schedule.get("opens_at"), label="opens_at") == MIDNIGHT
        and _clock(schedule.get("closes_at"), label="closes_at") in (MIDNIGHT, LAST_MINUTE)
    )


@dataclass
class Schedules:
    """A record's schedules, sorted: the offer's own spans, each place's (by service at
    location id), its closures, and whether it is open 24 hours."""

    spans: set = field(default_factory=set)
    by_place: dict = field(default_factory=dict)
    closures: set = field(default_factory=set)
    all_day: bool = False


def _spans_of(schedule: dict, not_kept: list[str]) -> list[Span]:
    freq = str(schedule.get("freq") or "WEEKLY").upper()
    if freq != "WEEKLY" or not schedule.get("byday"):
        not_kept.append(f"schedules: a {freq.lower()} schedule (only weekly ones are kept)")
        return []
    if not (schedule.get("opens_at") and schedule.get("closes_at")):
        not_kept.append("schedules: one with no opening and closing times")
        return []
    if str(schedule.get("interval") or 1) != "1":
        not_kept.append(f"schedules: one every {schedule['interval']} weeks")
        return []
    opens = _clock(schedule["opens_at"], label="opens_at")
    closes = _clock(schedule["closes_at"], label="closes_at")
    valid_from = _schedule_date(schedule, "valid_from")
    valid_to = _schedule_date(schedule, "valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        raise BadRecord(f"A schedule ends ({valid_to}) before it starts ({valid_from}).")
    spans = []
    for code in str(schedule["byday"]).split(","):
        code = code.strip().upper()
        if code not in WEEKDAY_CODES:
            raise BadRecord(f"'{code}' in a schedule's byday is not a day (use MO, TU ... SU).")
        spans.append((WEEKDAY_CODES.index(code), opens, closes, valid_from, valid_to))
    return spans


def _check_clashes(spans) -> frozenset[Span]:
    ordered = sorted(spans, key=lambda span: (span[0], span[1]))
    for _, clash in opening_time_clashes((span, opening_time(span)) for span in ordered):
        raise BadRecord(f"Two schedules overlap ({clash}).")
    return frozenset(spans)


def _schedules(record: dict, not_kept: list[str]) -> Schedules:
    """Weekly schedules as opening spans (overnight and 24-hour ones included), with the
    dates they hold between, sorted by the place they belong to; dated schedules with no
    times (and ORUK 1 and 2 holiday schedules marked closed) as closures; schedules of
    other kinds listed as not kept."""
    found = Schedules()
    place_schedules = [
        (str(link.get("id") or ""), schedule)
        for link in _list(record, "service_at_locations")
        for schedule in _list(link, "schedules")
    ]
    for sal_id, schedule in [
        *((str(s.get("service_at_location_id") or ""), s) for s in _list(record, "schedules")),
        *place_schedules,
    ]:
        if _is_closure(schedule):
            found.closures.add(_closure(schedule, first="valid_from", last="valid_to"))
        elif not sal_id and schedule.get("opens_at") and _is_all_day_every_day(schedule):
            found.all_day = True
        elif sal_id:
            found.by_place.setdefault(sal_id, set()).update(_spans_of(schedule, not_kept))
        else:
            found.spans.update(_spans_of(schedule, not_kept))
    for holiday in _list(record, "holiday_schedules"):
        if holiday.get("closed") in (True, "true", "True", 1) and holiday.get("start_date"):
            found.closures.add(_closure(holiday, first="start_date", last="end_date"))
        else:
            not_kept.append("holiday_schedules: one with special opening times")
    found.spans = _check_clashes(found.spans)
    found.by_place = {key: _check_clashes(spans) for key, spans in found.by_place.items()}
    return found


def opening_time(span: Span) -> OpeningTime:
    day, opens, closes, valid_from, valid_to = span
    return OpeningTime(
        weekday=day, opens=opens, closes=closes, valid_from=valid_from, valid_to=valid_to
    )


def _cost(record: dict, carries) -> str:
    """What the offer costs in words, or "" when the record says nothing about it."""
    fees = _text(record, "fees", label="fees") if carries("fees") else ""
    if fees:
        return fees
    for option in _list(record, "cost_options"):
        amount = option.get("amount")
        words = str(option.get("amount_description") or option.get("option") or "").strip()
        if amount in (0, "0") and not words:
            return "Free"
        if isinstance(amount, int | float) and not isinstance(amount, bool):
            return " ".join(filter(None, [f"£{amount:g}", words]))
        if words:
            return words
    return ""


def _languages_and_bsl(record: dict) -> tuple[str, bool]:
    names, bsl = [], False
    for language in _list(record, "languages"):
        name = str(language.get("name") or "").strip()
        if not name or name.lower() == "english":
            continue
        if name.lower() in ("british sign language", "bsl") or language.get("code") == "bfi":
            bsl = True
        elif name not in names:
            names.append(name)
    return ", ".join(names), bsl


def _phone(record: dict, not_kept: list[str]) -> str:
    phones = list(_list(record, "phones"))
    for contact in _list(record, "contacts"):
        phones.extend(_list(contact, "phones"))
    numbers = [str(phone.get("number") or "").strip() for phone in phones]
    numbers = [number for number in numbers if number]
    if len(numbers) > 1:
        not_kept.append(f"contacts: {len(numbers) - 1} more phone number(s) ({numbers[1]}…)")
    return numbers[0] if numbers else ""


def _address_text(address: dict) -> str:
    lines = [
        str(address.get(key) or "").strip()
        for key in ("address_1", "address_2", "city", "region", "state_province")
    ]
    return "\n".join(line for line in lines if line)


def _coordinate(location: dict, key: str, limit: int, not_kept: list[str]) -> Decimal | None:
    """A latitude or longitude in degrees; one that is off the map is left out (noted),
    not a reason to refuse the service."""
    value = location.get(key)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not -limit <= number <= limit:
        not_kept.append(f"service_at_locations: a {key} off the map ({short(value, 20)})")
        return None
    return number.quantize(COORDINATE)


def _place(link: dict, location: dict, spans, not_kept: list[str]) -> PlacePlan | None:
    try:
        oruk_id = uuid.UUID(str(location.get("id")))
    except ValueError:
        raise BadRecord("A location's id must be a UUID.") from None
    addresses = _list(location, "addresses")
    address = addresses[0] if addresses else {}
    name = str(location.get("name") or "").strip() or _address_text(address).split("\n")[0]
    step_free, other_words = None, []
    for item in _list(location, "accessibility"):
        words = str(item.get("description") or item.get("accessibility") or "").strip()
        if words.lower() in STEP_FREE_WORDS:
            step_free = STEP_FREE_WORDS[words.lower()]
        elif words:
            other_words.append(words)
    place = PlacePlan(
        oruk_id=oruk_id,
        name=name,
        address=_address_text(address),
        postcode=str(address.get("postal_code") or "").strip(),
        latitude=_coordinate(location, "latitude", 90, not_kept),
        longitude=_coordinate(location, "longitude", 180, not_kept),
        step_free=step_free,
        how_to_get_there=str(location.get("description") or "").strip(),
        spans=spans,
        access="\n".join(other_words),
    )
    for name_, value in (
        ("name", place.name),
        ("address", place.address),
        ("postcode", place.postcode),
    ):
        model_field = Location._meta.get_field(name_)
        try:
            model_field.clean(value, None)
        except ValidationError as error:
            not_kept.append(
                f"service_at_locations: {short(name or 'a place', 40)} "
                f"(its {model_field.verbose_name}: {' '.join(error.messages)})"
            )
            return None
    return place


def _locations(
    record: dict, sid: uuid.UUID, schedules: Schedules, not_kept: list[str]
) -> tuple[tuple[str | None, str | None, str] | None, tuple[PlacePlan, ...]]:
    """The record's physical locations: the offer's own address (the one location our
    feed gives an offer with no places; or only the first place's access words) and its
    places."""
    own_address, places = None, []
    for link in _list(record, "service_at_locations"):
        location = link.get("location")
        if not isinstance(location, dict) or location.get("location_type") == "virtual":
            continue
        if str(location.get("id")) == address_location_id(str(sid)):
            addresses = _list(location, "addresses")
            address = addresses[0] if addresses else {}
            accessibility = "\n".join(
                str(item.get("description") or item.get("accessibility") or "").strip()
                for item in _list(location, "accessibility")
            ).strip()
            own_address = (
                _address_text(address),
                str(address.get("postal_code") or "").strip(),
                accessibility,
            )
            continue
        spans = schedules.by_place.get(str(link.get("id") or ""))
        place = _place(link, location, spans, not_kept)
        if place is not None and place.oruk_id not in {p.oruk_id for p in places}:
            places.append(place)
    if own_address is None and places and places[0].access:
        own_address = (None, None, places[0].access)
    return own_address, tuple(places)


def _need_ids(record: dict, needs_by_key: dict[str, Need], unmatched: set[str]) -> frozenset:
    found = set()
    for attribute in _list(record, "attributes"):
        term = attribute.get("taxonomy_term")
        term = term if isinstance(term, dict) else {}
        keys = [attribute.get("taxonomy_term_id"), term.get("id"), term.get("name")]
        matches = [needs_by_key.get(str(key).lower()) for key in keys if key]
        need = next((match for match in matches if match is not None), None)
        if need is not None:
            found.add(need.pk)
        elif term.get("name"):
            unmatched.add(str(term["name"]))
    return frozenset(found)


def _area_ids(record: dict, areas_by_key: dict[str, Area], unmatched: set[str]) -> frozenset:
    found = set()
    for item in _list(record, "service_areas"):
        name = str(item.get("name") or item.get("service_area") or "").strip()
        area = areas_by_key.get(name.lower())
        if area is not None:
            found.add(area.pk)
        elif name:
            unmatched.add(name[:100])
    return frozenset(found)


def _website(url: str, lookups: Lookups, values: dict, not_kept: list[str]) -> None:
    if not url:
        values["website"] = ""
    elif url.startswith(lookups.own_urls):
        return  # our own page for the offer, from our feed: not its website
    else:
        try:
            values["website"] = OfferPage._meta.get_field("website").clean(url, None)
        except ValidationError as error:
            not_kept.append(f"url: {short(url, 40)} ({' '.join(error.messages)})")


def read_record(record, lookups: Lookups, *, index: int, full: bool) -> Plan:
    """What ``record`` (the ``index``-th, counting from 1) would make of an offer; raises
    BadRecord when it cannot be imported. ``full``: a single full service, which may clear
    a field by carrying it empty."""
    if not isinstance(record, dict):
        raise BadRecord("Each service must be an object with an id and a name.")

    def carries(*keys) -> bool:
        """Whether the record gives this field: a list record never gives an empty one."""
        return any(key in record and (full or record[key] not in EMPTY) for key in keys)

    try:
        oruk_id = uuid.UUID(str(record.get("id")))
    except ValueError:
        raise BadRecord("The service id must be a UUID.") from None
    title = _text(record, "name", label="name")
    if not title:
        raise BadRecord("The service has no name.")
    not_kept = sorted(
        key for key, value in record.items() if key not in READ_KEYS and value not in EMPTY
    )
    schedules = (
        _schedules(record, not_kept)
        if carries("schedules", "holiday_schedules", "service_at_locations")
        else None
    )
    own_address, places = None, None
    if carries("service_at_locations"):
        own_address, places = _locations(record, oruk_id, schedules, not_kept)
    values = _values(
        record,
        carries,
        lookups,
        not_kept,
        title=title,
        own_address=own_address,
        all_day=schedules.all_day if carries("schedules") else None,
    )
    provider_name, provider_website = _provider_named(record)
    return Plan(
        index=index,
        oruk_id=oruk_id,
        values=values,
        provider_name=provider_name or None,
        provider_website=provider_website,
        need_ids=(
            _need_ids(record, lookups.needs_by_key, lookups.unmatched_terms)
            if carries("attributes")
            else None
        ),
        area_ids=(
            _area_ids(record, lookups.areas_by_key, lookups.unmatched_areas)
            if carries("service_areas")
            else None
        ),
        opening_times=schedules.spans if carries("schedules") else None,
        not_kept=not_kept,
        places=places,
        closures=(
            frozenset(schedules.closures)
            if schedules is not None and (schedules.closures or (full and carries("schedules")))
            else None
        ),
    )


def _values(
    record: dict,
    carries,
    lookups: Lookups,
    not_kept: list[str],
    *,
    title: str,
    own_address: tuple[str | None, str | None, str] | None,
    all_day: bool | None,
) -> dict:
    """The offer's own fields the record carries, each checked as the offer's field does."""
    values: dict = {"title": title}
    # An offer always has a summary: an empty description never clears it.
    summary = _text(record, "description", label="description")
    if summary:
        values["summary"] = summary
    if carries("url"):
        _website(_text(record, "url", label="url"), lookups, values, not_kept)
    if carries("email"):
        values["email"] = _text(record, "email", label="email")
    if carries("minimum_age"):
        values["age_from"] = _age(record, "minimum_age")
    if carries("maximum_age"):
        values["age_to"] = _age(record, "maximum_age")
    low, high = values.get("age_from"), values.get("age_to")
    if low is not None and high is not None and high < low:
        raise BadRecord("The maximum age is lower than the minimum age.")
    assured = _text(record, "assured_date", label="assured date")
    if assured:
        try:
            values["last_reviewed"] = date.fromisoformat(assured[:10])
        except ValueError:
            raise BadRecord(
                f"The assured date '{assured}' is not a date like 2025-01-31."
            ) from None
    if carries("fees", "cost_options"):
        cost = _cost(record, carries)
        if cost:
            values["cost"] = cost
    if carries("languages"):
        values["languages"], values["bsl"] = _languages_and_bsl(record)
    if carries("contacts", "phones"):
        values["phone"] = _phone(record, not_kept)
    if own_address is not None:
        address, postcode, accessibility = own_address
        values["venue_accessibility"] = accessibility
        if address is not None:
            values.update(address=address, postcode=postcode)
    if all_day is not None:
        values["open_24_hours"] = all_day
    for name, value in values.items():
        model_field = OfferPage._meta.get_field(name)
        try:
            model_field.clean(value, None)
        except ValidationError as error:
            label = model_field.verbose_name
            raise BadRecord(f"The {label} is not right: {' '.join(error.messages)}") from None
    return values


def _provider_named(record: dict) -> tuple[str, str]:
    """The name and website of the organisation the record says provides the service
    ("" when it gives none); a website that would not save is dropped, not refused."""
    organization = record.get("organization")
    provider_name = provider_website = ""
    if isinstance(organization, dict):
        provider_name = str(organization.get("name") or "").strip()[:200]
        provider_website = str(organization.get("website") or "").strip()
        try:
            Organisation._meta.get_field("website").clean(provider_website, None)
            if provider_website:
                web_address(provider_website)
        except ValidationError:
            provider_website = ""
    return provider_name, provider_website
