"""The offers directory as Open Referral UK (version 3) open data, in and out.

Council directories and service finders read our live offers through the ORUK feed
(``cms/oruk_views.py``); editors bring offers in from another directory's ORUK file. This
module holds both halves as plain functions: serialisers from our models to ORUK dicts
(only published offers, only public facts, ids as stable UUIDs, never our database keys),
the reads the feed needs, and the importer service.

ORUK ids are UUIDs. Ours are derived (uuid5) from a fixed namespace and a stable key, so
the same offer keeps the same id in every response; an offer brought in by the importer
keeps the id it had in the file (``OfferPage.oruk_id``).
"""

import json
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from urllib.parse import quote, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.text import capfirst
from wagtail.models import Site

from . import site_address
from .dates import day_in_words
from .models import Area, Need, OfferPage, OffersIndexPage, OpeningTime, Organisation
from .models.offers import opening_time_clashes, web_address
from .params import search_words
from .slugs import unique_slug

ORUK_VERSION = "3.0"
ORUK_PROFILE_URL = "https://openreferraluk.org/"
ORUK_OPENAPI_URL = (
    "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
)
NAMESPACE = uuid.UUID("5b0f6f3e-0c1f-4d0e-9a57-2f7e3c1b8d41")
TAXONOMY_NAME = "Lived Experience Platform needs"
TAXONOMY_DESCRIPTION = (
    "What an offer helps with, including the wider determinants of mental health "
    "(money, housing, work, loneliness)."
)
TAXONOMY_VERSION = "1"
LINK_TYPE_NEED = "need"
BSL = "British Sign Language"
WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WEEKDAY_NAMES = [label for _, label in OpeningTime.Weekday.choices]
SEARCH_RESULTS_LIMIT = 1000
MAX_RECORDS = 5000
# Services that are not running are reported and left out rather than published.
CLOSED_STATUSES = ("inactive", "defunct", "temporarily closed")


def oruk_uuid(key: str) -> uuid.UUID:
    """The stable ORUK id for one of our records, e.g. ``oruk_uuid("need:12")``."""
    return uuid.uuid5(NAMESPACE, key)


def _derived_service_id(translation_key) -> uuid.UUID:
    return oruk_uuid(f"offer:{translation_key}")


def service_id(offer: OfferPage) -> str:
    return str(offer.oruk_id or _derived_service_id(offer.translation_key))


def organisation_id(organisation: Organisation) -> str:
    return str(oruk_uuid(f"organisation:{organisation.pk}"))


def need_id(need: Need) -> str:
    return str(oruk_uuid(f"need:{need.pk}"))


def taxonomy_id() -> str:
    return str(oruk_uuid("taxonomy:needs"))


def _timestamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _without_empty(data: dict) -> dict:
    """ORUK fields are optional: leave out the ones we have nothing for (an empty string
    is not a valid email or URL)."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def web_uri(value: str) -> str:
    """A web address as the feed publishes it: a valid URI (the ORUK schema's "uri"
    format, RFC 3986), so a host like café.example goes out in its IDNA form
    (xn--caf-dma.example) and other non-ASCII characters percent-encoded. Anything that is
    not an http(s) address is left out ("")."""
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        if parts.scheme.lower() not in ("http", "https") or not host:
            return ""
        host = host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return ""
    return urlunsplit(
        (
            parts.scheme.lower(),
            host + port,
            quote(parts.path, safe="/%:@!$&'()*+,;=-._~"),
            quote(parts.query, safe="/?%:@!$&'()*+,;=-._~"),
            quote(parts.fragment, safe="/?%:@!$&'()*+,;=-._~"),
        )
    )


# --- Our models as ORUK ---------------------------------------------------------------------


def taxonomy_to_oruk(*, needs: list[Need] | None = None) -> dict:
    data = {
        "id": taxonomy_id(),
        "name": TAXONOMY_NAME,
        "description": TAXONOMY_DESCRIPTION,
        "version": TAXONOMY_VERSION,
    }
    if needs is not None:
        data["taxonomy_terms"] = [taxonomy_term_to_oruk(need) for need in needs]
    return data


def taxonomy_term_to_oruk(need: Need) -> dict:
    return {
        "id": need_id(need),
        "name": need.name,
        "description": need.description or need.name,
        "taxonomy": TAXONOMY_NAME,
        "taxonomy_id": taxonomy_id(),
        "term": need.name,
    }


def organisation_to_oruk(organisation: Organisation) -> dict:
    kind = organisation.get_kind_display()
    description = f"{kind} serving {organisation.area}." if organisation.area else f"{kind}."
    return _without_empty(
        {
            "id": organisation_id(organisation),
            "name": organisation.name,
            "description": description,
            "website": web_uri(organisation.website),
        }
    )


def _schedules(offer: OfferPage, sid: str) -> list[dict]:
    """One weekly RRULE per opening span, with the days that share it (``MO,TU,WE``). A
    closing time before the opening time is the next day's (overnight), the same time is
    24 hours; valid_from and valid_to carry the dates a span holds between."""
    days_by_span: dict[tuple, list[int]] = defaultdict(list)
    for span in offer.opening_times.all():
        days_by_span[(span.opens, span.closes, span.valid_from, span.valid_to)].append(span.weekday)
    schedules = []
    for (opens, closes, valid_from, valid_to), weekdays in sorted(
        days_by_span.items(), key=lambda item: (item[0][0], item[0][1], str(item[0][2:]))
    ):
        weekdays = sorted(set(weekdays))
        days = ", ".join(WEEKDAY_NAMES[day] for day in weekdays)
        key = f"schedule:{sid}:{opens:%H:%M}:{closes:%H:%M}"
        description = f"{days}: {opens:%H:%M} to {closes:%H:%M} (UK time)"
        if valid_from or valid_to:
            key += f":{valid_from}:{valid_to}"
            description += "".join(
                f", {label} {day_in_words(day)}"
                for label, day in (("from", valid_from), ("until", valid_to))
                if day
            )
        schedules.append(
            _without_empty(
                {
                    "id": str(oruk_uuid(key)),
                    "service_id": sid,
                    "valid_from": valid_from.isoformat() if valid_from else None,
                    "valid_to": valid_to.isoformat() if valid_to else None,
                    "freq": "WEEKLY",
                    "interval": 1,
                    "byday": ",".join(WEEKDAY_CODES[day] for day in weekdays),
                    "opens_at": f"{opens:%H:%M}",
                    "closes_at": f"{closes:%H:%M}",
                    "description": description,
                }
            )
        )
    return schedules


def _languages(offer: OfferPage, sid: str) -> list[dict]:
    names = ["English", *offer.language_list]
    if offer.bsl:
        names.append(BSL)
    return [
        {"id": str(oruk_uuid(f"language:{sid}:{name.lower()}")), "service_id": sid, "name": name}
        for name in names
    ]


def _contacts(offer: OfferPage, sid: str) -> list[dict]:
    if not offer.phone:
        return []
    contact_id = str(oruk_uuid(f"contact:{sid}"))
    return [
        {
            "id": contact_id,
            "service_id": sid,
            "name": offer.title,
            "phones": [
                {
                    "id": str(oruk_uuid(f"phone:{sid}")),
                    "contact_id": contact_id,
                    "number": offer.phone,
                }
            ],
        }
    ]


def _address_lines(text: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\n,]", text) if line.strip()]


def _service_at_locations(offer: OfferPage, sid: str) -> list[dict]:
    if not (offer.in_person and (offer.address or offer.postcode)):
        return []
    location_id = str(oruk_uuid(f"location:{sid}"))
    lines = _address_lines(offer.address)
    location = {
        "id": location_id,
        "location_type": "physical",
        "name": offer.title,
        "addresses": [
            {
                "id": str(oruk_uuid(f"address:{sid}")),
                "location_id": location_id,
                "address_1": ", ".join(lines[:-1] if len(lines) > 1 else lines),
                "city": lines[-1] if len(lines) > 1 else "",
                "state_province": "",
                "postal_code": offer.postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ],
    }
    if offer.venue_accessibility:
        location["accessibility"] = [
            {
                "id": str(oruk_uuid(f"accessibility:{sid}")),
                "location_id": location_id,
                "description": offer.venue_accessibility,
            }
        ]
    return [
        {
            "id": str(oruk_uuid(f"service_at_location:{sid}")),
            "service_id": sid,
            "location_id": location_id,
            "location": location,
        }
    ]


def _cost_options(offer: OfferPage, sid: str) -> list[dict]:
    if not offer.cost:
        return []
    option = {
        "id": str(oruk_uuid(f"cost_option:{sid}")),
        "service_id": sid,
        "amount_description": offer.cost,
    }
    if offer.cost.strip().lower() == "free":
        option["amount"] = 0
    return [option]


def service_summary_to_oruk(offer: OfferPage, *, url: str) -> dict:
    """The service's one-to-one fields, as ``/services`` lists them."""
    sid = service_id(offer)
    return _without_empty(
        {
            "id": sid,
            "organization_id": organisation_id(offer.provider),
            "name": offer.title,
            "description": offer.summary,
            "url": web_uri(url),
            "email": offer.email,
            "status": "active",
            "fees": offer.cost,
            "minimum_age": offer.age_from,
            "maximum_age": offer.age_to,
            "assured_date": offer.last_reviewed.isoformat() if offer.last_reviewed else None,
            "last_modified": _timestamp(offer.last_published_at),
            "organization": organisation_to_oruk(offer.provider),
        }
    )


def service_to_oruk(offer: OfferPage, *, url: str) -> dict:
    """The fully nested service, as ``/services/{id}`` gives it."""
    sid = service_id(offer)
    data = service_summary_to_oruk(offer, url=url)
    eligibility = offer.who_for.strip()
    if offer.for_carers:
        eligibility = " ".join(filter(None, [eligibility, "Carers are welcome."]))
    data.update(
        _without_empty(
            {
                # HSDS 3.0 fields the UK profile leaves open (it allows extra properties).
                "eligibility_description": eligibility,
                "schedules": _schedules(offer, sid),
                "service_areas": [
                    {
                        "id": str(oruk_uuid(f"service_area:{sid}:{area.pk}")),
                        "service_id": sid,
                        "name": area.name,
                        "service_area": area.name,
                    }
                    for area in offer.areas.all()
                ],
                "service_at_locations": _service_at_locations(offer, sid),
                "languages": _languages(offer, sid),
                "cost_options": _cost_options(offer, sid),
                "contacts": _contacts(offer, sid),
                "attributes": [
                    {
                        "id": str(oruk_uuid(f"attribute:{sid}:{need.pk}")),
                        "link_id": sid,
                        "link_type": LINK_TYPE_NEED,
                        "link_entity": "service",
                        "taxonomy_term_id": need_id(need),
                        "taxonomy_term": taxonomy_term_to_oruk(need),
                    }
                    for need in offer.needs.all()
                ],
            }
        )
    )
    return data


# --- Reads for the feed ----------------------------------------------------------------------


def oruk_offers() -> QuerySet[OfferPage]:
    """The offers the feed publishes: live and public, never drafts or private pages."""
    return OfferPage.objects.live().public().select_related("provider").order_by("title", "pk")


def oruk_offers_nested(queryset: QuerySet[OfferPage]) -> QuerySet[OfferPage]:
    return queryset.prefetch_related(
        "areas", "opening_times", Prefetch("needs", queryset=Need.objects.order_by("name"))
    )


def oruk_offers_matching(*, search: str = "", need: Need | None = None, any_need: bool = False):
    offers = oruk_offers()
    if need is not None:
        offers = offers.filter(needs=need)
    elif any_need:
        offers = offers.filter(needs__isnull=False).distinct()
    if search:
        # Only the words reach the search backend: quotes or symbols alone find nothing.
        words = search_words(search)
        ranked = (
            OfferPage.objects.live().public().search(words)[:SEARCH_RESULTS_LIMIT] if words else []
        )
        offers = offers.filter(pk__in=[page.pk for page in ranked])
    return offers


def oruk_offer_by_id(sid: uuid.UUID) -> OfferPage | None:
    """The live offer whose ORUK id is ``sid``, or None."""
    offers = oruk_offers_nested(oruk_offers())
    offer = offers.filter(oruk_id=sid).first()
    if offer is not None:
        return offer
    for pk, translation_key, stored in oruk_offers().values_list(
        "pk", "translation_key", "oruk_id"
    ):
        if stored is None and _derived_service_id(translation_key) == sid:
            return offers.get(pk=pk)
    return None


def need_by_oruk_id(term_id: uuid.UUID) -> Need | None:
    for need in Need.objects.all():
        if need_id(need) == str(term_id):
            return need
    return None


# --- The importer -------------------------------------------------------------------------
#
# An import never destroys what an editor has. A record changes only the fields it
# carries: a field absent from it leaves the offer's value alone. Records in a list or a
# page of services (the summary shape of /services, or a council's bulk file) never clear
# anything: an empty value or an empty list in them is read as "not given". Only a single
# full service (the /services/{id} shape, one object in the file) may clear a field, by
# carrying it empty: ``"contacts": []`` there means the service has no phone now.
#
# What an import changes is saved as a draft revision of each offer, built on the offer's
# latest revision (an editor's unpublished draft is kept), for an editor to check and
# publish; it is published at once only when the editor asks. The result lists, per
# offer, each field that changed (before → after) and what in the record was not kept.

# One limit for the admin's upload and the command line, in one place.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
TOO_BIG = "The file is bigger than 5 MB. Split it into smaller files and import each."
NOT_JSON = (
    "This file is not valid JSON. Check it is the ORUK export, not a web page or a spreadsheet."
)
NOT_SERVICES = (
    "This file is not an Open Referral UK list of services. It must hold one service, "
    "a list of services, or a page of services with 'contents'."
)
EMPTY = (None, "", [], {})
SHORT = 60


class OrukImportError(Exception):
    """The file as a whole cannot be imported (wrong shape, nowhere to put offers)."""


def load_import_file(stream) -> object:
    """The JSON in an ORUK file (a binary stream: an upload or an open file), refused
    with a plain message when it is too big or not JSON. Reads no more than the limit."""
    raw = stream.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise OrukImportError(TOO_BIG)
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise OrukImportError(NOT_JSON) from None


@dataclass(frozen=True)
class RecordError:
    index: int  # 1-based: "record 3" as a person counts
    name: str
    reason: str

    def __str__(self):
        label = f"Record {self.index}"
        if self.name:
            label += f" ({self.name})"
        return f"{label}: {self.reason}"


@dataclass(frozen=True)
class FieldChange:
    """One field of an offer an import changed, in short, as the result screen shows it."""

    label: str
    before: str
    after: str

    def __str__(self):
        return f"{self.label}: {self.before or '(none)'} → {self.after or '(none)'}"


@dataclass
class OfferChange:
    """What an import did to one offer, and what in its record was not kept."""

    title: str
    page_id: int | None
    created: bool = False
    changes: list[FieldChange] = field(default_factory=list)
    not_kept: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: bool = False
    offers: list[OfferChange] = field(default_factory=list)
    skipped: list[RecordError] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    unmatched_terms: list[str] = field(default_factory=list)
    unmatched_areas: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class _Bad(Exception):
    """One record cannot be imported; the message says why in plain English."""


# Fields an ORUK service can express. Everything else on an offer (easy read, how to get in,
# who it is for) belongs to the editors and is never touched by an import.
IMPORTED_FIELDS = [
    "title",
    "summary",
    "website",
    "email",
    "phone",
    "address",
    "postcode",
    "venue_accessibility",
    "cost",
    "age_from",
    "age_to",
    "last_reviewed",
    "languages",
    "bsl",
]
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
class _Lookups:
    """Needs and areas are editors' taxonomies: an import links to them, never adds to them."""

    needs: dict[int, Need]
    areas: dict[int, Area]
    needs_by_key: dict[str, Need]
    areas_by_key: dict[str, Area]
    unmatched_terms: set[str] = field(default_factory=set)
    unmatched_areas: set[str] = field(default_factory=set)
    own_urls: tuple[str, ...] = ()

    @classmethod
    def load(cls) -> "_Lookups":
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
class _Plan:
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


# --- Telling a list of services from the other things an ORUK directory publishes ------------

_SERVICE_KEYS = READ_KEYS - {"id", "name", "description", "email", "last_modified"} | {
    "accreditations",
    "alert",
    "assurer_email",
    "eligibility_description",
    "funding",
}
# (what one looks like, what many look like, keys only that kind has)
_OTHER_SHAPES = [
    (
        "an Open Referral UK service at a location",
        "Open Referral UK services at locations",
        {"service", "location", "service_id", "location_id"},
    ),
    (
        "an Open Referral UK taxonomy term",
        "Open Referral UK taxonomy terms",
        {"term", "taxonomy_id", "term_uri", "parent_id", "taxonomy", "code"},
    ),
    (
        "an Open Referral UK taxonomy",
        "Open Referral UK taxonomies",
        {"taxonomy_terms", "version"},
    ),
    (
        "an Open Referral UK organisation",
        "Open Referral UK organisations",
        {
            "services",
            "website",
            "logo",
            "organization_identifiers",
            "parent_organization_id",
            "legal_status",
            "tax_status",
            "tax_id",
            "year_incorporated",
        },
    ),
    (
        "an Open Referral UK location",
        "Open Referral UK locations",
        {"location_type", "addresses", "latitude", "longitude"},
    ),
]


def _looks_like(record: dict, *, many: bool) -> str | None:
    """What ``record`` looks like when it is some ORUK thing other than a service."""
    if _SERVICE_KEYS & record.keys():
        return None
    for one, several, keys in _OTHER_SHAPES:
        if keys & record.keys():
            return f"a list of {several}" if many else one
    return None


def _records_in(data) -> tuple[list, bool]:
    """The records in ``data``, and whether it is a single full service (which may clear
    fields) rather than a list or page of them (which never clears any)."""
    if isinstance(data, list):
        records, single = data, False
    elif isinstance(data, dict) and isinstance(data.get("contents"), list):
        records, single = data["contents"], False
    elif isinstance(data, dict):
        records, single = [data], True
    else:
        raise OrukImportError(NOT_SERVICES)
    first = next((record for record in records if isinstance(record, dict)), None)
    kind = _looks_like(first, many=not single) if first is not None else None
    if kind:
        raise OrukImportError(
            f"This looks like {kind}, not a list of services. Export the directory's services "
            "(from its /services address) and upload that file instead."
        )
    if single and not ("id" in data and "name" in data):
        raise OrukImportError(NOT_SERVICES)
    if not records:
        raise OrukImportError("This file has no services in it.")
    if len(records) > MAX_RECORDS:
        raise OrukImportError(
            f"This file has {len(records)} services; import at most {MAX_RECORDS} at a time."
        )
    return records, single


# --- Reading one record -------------------------------------------------------------------------


def _short(value, limit: int = SHORT) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(record: dict, key: str, *, label: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Bad(f"The {label} must be text.")
    return value.strip()


def _list(record: dict, key: str) -> list[dict]:
    value = record.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _Bad(f"'{key}' must be a list of objects.")
    return value


def _age(record: dict, key: str) -> int | None:
    value = record.get(key)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _Bad(f"The {key.replace('_', ' ')} must be a number of years.") from None
    if number != number.to_integral_value() or not 0 <= number <= 130:
        raise _Bad(f"The {key.replace('_', ' ')} must be a whole number of years from 0 to 130.")
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
        raise _Bad(f"The schedule's {label} '{value}' is not a time like 09:00.") from None


def _schedule_date(schedule: dict, key: str) -> date | None:
    value = schedule.get(key)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise _Bad(f"The schedule's {key} '{value}' is not a date like 2025-01-31.") from None


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
            raise _Bad(f"A schedule ends ({valid_to}) before it starts ({valid_from}).")
        for code in str(schedule["byday"]).split(","):
            code = code.strip().upper()
            if code not in WEEKDAY_CODES:
                raise _Bad(f"'{code}' in a schedule's byday is not a day (use MO, TU ... SU).")
            spans.add((WEEKDAY_CODES.index(code), opens, closes, valid_from, valid_to))
    ordered = sorted(spans, key=lambda span: (span[0], span[1]))
    for _, clash in opening_time_clashes((span, _opening_time(span)) for span in ordered):
        raise _Bad(f"Two schedules overlap ({clash}).")
    return frozenset(spans)


def _opening_time(span: Span) -> OpeningTime:
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


def _website(url: str, lookups: _Lookups, values: dict, not_kept: list[str]) -> None:
    if not url:
        values["website"] = ""
    elif url.startswith(lookups.own_urls):
        return  # our own page for the offer, from our feed: not its website
    else:
        try:
            values["website"] = OfferPage._meta.get_field("website").clean(url, None)
        except ValidationError as error:
            not_kept.append(f"url: {_short(url, 40)} ({' '.join(error.messages)})")


def _plan(record, lookups: _Lookups, *, index: int, full: bool) -> _Plan:
    if not isinstance(record, dict):
        raise _Bad("Each service must be an object with an id and a name.")

    def carries(*keys) -> bool:
        """Whether the record gives this field: a list record never gives an empty one."""
        return any(key in record and (full or record[key] not in EMPTY) for key in keys)

    try:
        oruk_id = uuid.UUID(str(record.get("id")))
    except ValueError:
        raise _Bad("The service id must be a UUID.") from None
    title = _text(record, "name", label="name")
    if not title:
        raise _Bad("The service has no name.")
    not_kept = sorted(
        key for key, value in record.items() if key not in READ_KEYS and value not in EMPTY
    )
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
        raise _Bad("The maximum age is lower than the minimum age.")
    assured = _text(record, "assured_date", label="assured date")
    if assured:
        try:
            values["last_reviewed"] = date.fromisoformat(assured[:10])
        except ValueError:
            raise _Bad(f"The assured date '{assured}' is not a date like 2025-01-31.") from None
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
            raise _Bad(f"The {label} is not right: {' '.join(error.messages)}") from None
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
    return _Plan(
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


# --- Applying a record to an offer ---------------------------------------------------------------


def _span_words(span) -> str:
    dates = " ".join(
        f"{label} {day:%Y-%m-%d}"
        for label, day in (("from", span.valid_from), ("to", span.valid_to))
        if day
    )
    return f"{span} ({dates})" if dates else str(span)


def _facts(offer: OfferPage) -> dict[str, str]:
    """What an import may change on ``offer``, in short words, by label: compared before
    and after to tell "unchanged" and to list what changed."""
    facts = {"Provider": offer.provider.name if offer.provider_id else ""}
    for name in IMPORTED_FIELDS:
        model_field = OfferPage._meta.get_field(name)
        value = getattr(offer, name)
        if name == "address":
            value = ", ".join(_address_lines(value or ""))
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        facts[capfirst(model_field.verbose_name)] = "" if value is None else str(value)
    facts["Needs"] = ", ".join(sorted(need.name for need in offer.needs.all()))
    facts["Areas"] = ", ".join(sorted(area.name for area in offer.areas.all()))
    facts["Opening times"] = "; ".join(
        _span_words(span)
        for span in sorted(offer.opening_times.all(), key=lambda s: (s.weekday, s.opens))
    )
    return facts


def _field_changes(before: dict[str, str], after: dict[str, str]) -> list[FieldChange]:
    return [
        FieldChange(label, _short(before.get(label, "")), _short(value))
        for label, value in after.items()
        if before.get(label, "") != value
    ]


def _provider(plan: _Plan) -> Organisation:
    provider = Organisation.objects.filter(name__iexact=plan.provider_name).first()
    if provider is None:
        provider = Organisation.objects.create(
            name=plan.provider_name, website=plan.provider_website
        )
    return provider


def _apply(offer: OfferPage, plan: _Plan, lookups: _Lookups) -> None:
    """Set on ``offer`` (in memory) what the record carries, and nothing else."""
    for name, value in plan.values.items():
        if name == "address" and _address_lines(offer.address) == _address_lines(value):
            continue  # the same address: keep the editor's line breaks
        setattr(offer, name, value)
    current = offer.provider.name.lower() if offer.provider_id else None
    if plan.provider_name and plan.provider_name.lower() != current:
        offer.provider = _provider(plan)
    if plan.need_ids is not None:
        offer.needs = [lookups.needs[pk] for pk in sorted(plan.need_ids)]
    if plan.area_ids is not None:
        offer.areas = [lookups.areas[pk] for pk in sorted(plan.area_ids)]
    if plan.opening_times is not None:
        offer.opening_times = [
            _opening_time(span)
            for span in sorted(plan.opening_times, key=lambda span: (span[0], span[1]))
        ]


def _plans(records, lookups: _Lookups, result: ImportResult, *, full: bool) -> list[_Plan]:
    plans: list[_Plan] = []
    first_seen: dict[uuid.UUID, int] = {}
    for index, record in enumerate(records, start=1):
        name = str(record.get("name") or "")[:80] if isinstance(record, dict) else ""
        status = (record.get("status") or "active") if isinstance(record, dict) else "active"
        if status in CLOSED_STATUSES:
            result.skipped.append(RecordError(index, name, f"Not imported: it is {status}."))
            continue
        try:
            if status != "active":
                raise _Bad(f"The status '{status}' is not one ORUK knows.")
            plan = _plan(record, lookups, index=index, full=full)
            if plan.oruk_id in first_seen:
                raise _Bad(f"It has the same id as record {first_seen[plan.oruk_id]}.")
            first_seen[plan.oruk_id] = index
            plans.append(plan)
        except _Bad as bad:
            result.errors.append(RecordError(index, name, str(bad)))
    return plans


def _new_offers_are_complete(plans, existing, result: ImportResult) -> None:
    """A record that makes a new offer must say what an offer cannot be without."""
    for plan in plans:
        if plan.oruk_id in existing:
            continue
        name = plan.values["title"][:80]
        if "summary" not in plan.values:
            reason = "The service has no description: every offer needs a summary."
            result.errors.append(RecordError(plan.index, name, reason))
        elif not plan.provider_name:
            reason = "Say which organisation provides the service (organization.name)."
            result.errors.append(RecordError(plan.index, name, reason))
    result.errors.sort(key=lambda error: error.index)


def offers_import_oruk(*, data, user=None, publish: bool = False) -> ImportResult:
    """Create or update offers from ORUK services: all of them, or (if any is bad) none.

    Records are matched to offers by ORUK id: the id an earlier import stored, or the id
    our own feed gives an offer. Each new or changed offer gets a draft revision by
    ``user``, published only when ``publish`` is true; the caller must have checked
    ``can(user, "cms.import_offers")``. Raises OrukImportError when the data as a whole
    is not ORUK services.
    """
    records, full = _records_in(data)
    lookups = _Lookups.load()
    result = ImportResult(published=publish)
    plans = _plans(records, lookups, result, full=full)
    existing = _existing_offers([plan.oruk_id for plan in plans])
    _new_offers_are_complete(plans, existing, result)
    result.unmatched_terms = sorted(lookups.unmatched_terms)
    result.unmatched_areas = sorted(lookups.unmatched_areas)
    if result.errors:
        return result

    with transaction.atomic():
        index_page = OffersIndexPage.objects.first()
        if index_page is None:
            raise OrukImportError(
                "There is no offers directory to import into. Add the directory page first."
            )
        taken_slugs: set[str] = set()
        for plan in plans:
            offer = existing.get(plan.oruk_id)
            if offer is None:
                offer = OfferPage(oruk_id=plan.oruk_id, live=False, has_unpublished_changes=True)
                _apply(offer, plan, lookups)
                offer.slug = unique_slug(
                    index_page.get_children(),
                    offer.title,
                    max_length=200,
                    fallback="offer",
                    taken=taken_slugs,
                )
                taken_slugs.add(offer.slug)
                index_page.add_child(instance=offer)
                change = OfferChange(offer.title, offer.pk, created=True)
                change.changes = _field_changes({}, _facts(offer))
                result.created += 1
            else:
                # The latest revision, so an editor's unpublished draft is built on, not lost.
                offer = offer.get_latest_revision_as_object()
                before = _facts(offer)
                _apply(offer, plan, lookups)
                change = OfferChange(offer.title, offer.pk)
                change.changes = _field_changes(before, _facts(offer))
                if not change.changes:
                    result.unchanged += 1
                else:
                    result.updated += 1
            change.not_kept = plan.not_kept
            result.offers.append(change)
            if not (change.created or change.changes):
                continue
            # Who may import (and so publish what they import) is decided once, by the
            # "cms.import_offers" rule, before this is called; the command line has no user
            # for Wagtail's page permissions to check.
            revision = offer.save_revision(user=user, log_action=True)
            if publish:
                revision.publish(user=user, skip_permission_checks=True)
    return result


def _existing_offers(ids: list[uuid.UUID]) -> dict[uuid.UUID, OfferPage]:
    """Offers (live or not) that these ORUK ids name, by stored or derived id."""
    wanted = set(ids)
    found: dict[uuid.UUID, int] = {}
    for pk, translation_key, stored in OfferPage.objects.values_list(
        "pk", "translation_key", "oruk_id"
    ):
        key = stored or _derived_service_id(translation_key)
        if key in wanted:
            found[key] = pk
    offers = (
        OfferPage.objects.filter(pk__in=found.values())
        .select_related("provider")
        .prefetch_related("needs", "areas", "opening_times")
        .in_bulk()
    )
    return {key: offers[pk] for key, pk in found.items()}
