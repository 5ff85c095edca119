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
from ..models import Area, Need, OfferPage, OpeningTime, Organisation
from ..models.offers import opening_time_clashes, web_address
from .ids import WEEKDAY_CODES, need_id

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


def _opening_times(record: dict, not_kept: list[str]) -> frozenset[Span]:
    """Weekly schedules as opening spans (overnight and 24-hour ones included), with the
    dates they hold between; schedules of other kinds are listed as not kept."""
    spans = set()
    for schedule in _list(record, "schedules"):
        freq = str(schedule.get("freq") or "WEEKLY").upper()
        if freq != "WEEKLY" or not schedule.get("byday"):
            not_kept.append(f"schedules: a {freq.lower()} schedule (only weekly ones are kept)")
            continue
        if not (schedule.get("opens_at") and schedule.get("closes_at")):
            not_kept.append("schedules: one with no opening and closing times")
            continue
        if str(schedule.get("interval") or 1) != "1":
            not_kept.append(f"schedules: one every {schedule['interval']} weeks")
            continue
        opens = _clock(schedule["opens_at"], label="opens_at")
        closes = _clock(schedule["closes_at"], label="closes_at")
        valid_from = _schedule_date(schedule, "valid_from")
        valid_to = _schedule_date(schedule, "valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            raise BadRecord(f"A schedule ends ({valid_to}) before it starts ({valid_from}).")
        for code in str(schedule["byday"]).split(","):
            code = code.strip().upper()
            if code not in WEEKDAY_CODES:
                raise BadRecord(f"'{code}' in a schedule's byday is not a day (use MO, TU ... SU).")
            spans.add((WEEKDAY_CODES.index(code), opens, closes, valid_from, valid_to))
    ordered = sorted(spans, key=lambda span: (span[0], span[1]))
    for _, clash in opening_time_clashes((span, opening_time(span)) for span in ordered):
        raise BadRecord(f"Two schedules overlap ({clash}).")
    return frozenset(spans)


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


def _location(record: dict, not_kept: list[str]) -> tuple[str, str, str]:
    """The first physical location's address, postcode and accessibility."""
    found = None
    for link in _list(record, "service_at_locations"):
        location = link.get("location")
        if not isinstance(location, dict) or location.get("location_type") == "virtual":
            continue
        for address in _list(location, "addresses"):
            if found is not None:
                not_kept.append("service_at_locations: the locations after the first")
                return found
            lines = [
                str(address.get(key) or "").strip()
                for key in ("address_1", "address_2", "city", "region", "state_province")
            ]
            text = "\n".join(line for line in lines if line)
            postcode = str(address.get("postal_code") or "").strip()
            accessibility = "\n".join(
                str(item.get("description") or item.get("accessibility") or "").strip()
                for item in _list(location, "accessibility")
            ).strip()
            found = (text, postcode, accessibility)
    return found or ("", "", "")


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
    values = _values(record, carries, lookups, not_kept, title=title)
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
        opening_times=_opening_times(record, not_kept) if carries("schedules") else None,
        not_kept=not_kept,
    )


def _values(record: dict, carries, lookups: Lookups, not_kept: list[str], *, title: str) -> dict:
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
    if carries("service_at_locations"):
        address, postcode, accessibility = _location(record, not_kept)
        values.update(address=address, postcode=postcode, venue_accessibility=accessibility)
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
