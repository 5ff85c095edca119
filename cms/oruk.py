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

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.text import slugify
from wagtail.models import Site

from .models import Area, Need, OfferPage, OffersIndexPage, OpeningTime, Organisation

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
            "website": organisation.website,
        }
    )


def _schedules(offer: OfferPage, sid: str) -> list[dict]:
    """One weekly RRULE per opening span, with the days that share it (``MO,TU,WE``)."""
    days_by_span: dict[tuple[time, time], list[int]] = defaultdict(list)
    for span in offer.opening_times.all():
        days_by_span[(span.opens, span.closes)].append(span.weekday)
    schedules = []
    for (opens, closes), weekdays in sorted(days_by_span.items()):
        weekdays = sorted(set(weekdays))
        days = ", ".join(WEEKDAY_NAMES[day] for day in weekdays)
        schedules.append(
            {
                "id": str(oruk_uuid(f"schedule:{sid}:{opens:%H:%M}:{closes:%H:%M}")),
                "service_id": sid,
                "freq": "WEEKLY",
                "interval": 1,
                "byday": ",".join(WEEKDAY_CODES[day] for day in weekdays),
                "opens_at": f"{opens:%H:%M}",
                "closes_at": f"{closes:%H:%M}",
                "description": f"{days}: {opens:%H:%M} to {closes:%H:%M} (UK time)",
            }
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
            "url": url,
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
        ranked = OfferPage.objects.live().public().search(search)[:SEARCH_RESULTS_LIMIT]
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


class OrukImportError(Exception):
    """The file as a whole cannot be imported (wrong shape, nowhere to put offers)."""


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


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
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
    "cost",
    "age_from",
    "age_to",
    "last_reviewed",
    "languages",
    "bsl",
    "phone",
    "address",
    "postcode",
    "venue_accessibility",
]


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
        if getattr(settings, "WAGTAILADMIN_BASE_URL", ""):
            own_urls.add(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/")
        return cls(needs, areas, needs_by_key, areas_by_key, own_urls=tuple(own_urls))


@dataclass
class _Plan:
    """What one good record would make of an offer."""

    oruk_id: uuid.UUID
    values: dict
    provider_name: str
    provider_website: str
    need_ids: frozenset[int]
    area_ids: frozenset[int]
    opening_times: frozenset[tuple[int, time, time]]


def _records_in(data) -> list:
    if isinstance(data, list):
        records = data
    elif isinstance(data, dict) and isinstance(data.get("contents"), list):
        records = data["contents"]
    elif isinstance(data, dict) and "id" in data and "name" in data:
        records = [data]
    else:
        raise OrukImportError(
            "This file is not an Open Referral UK list of services. It must hold one service, "
            "a list of services, or a page of services with 'contents'."
        )
    if not records:
        raise OrukImportError("This file has no services in it.")
    if len(records) > MAX_RECORDS:
        raise OrukImportError(
            f"This file has {len(records)} services; import at most {MAX_RECORDS} at a time."
        )
    return records


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


def _opening_times(record: dict) -> frozenset[tuple[int, time, time]]:
    spans = set()
    for schedule in _list(record, "schedules"):
        freq = (schedule.get("freq") or "WEEKLY").upper()
        if freq != "WEEKLY" or not schedule.get("byday"):
            continue  # monthly or free-text schedules have no weekly opening time
        if not (schedule.get("opens_at") and schedule.get("closes_at")):
            continue
        opens = _clock(schedule["opens_at"], label="opens_at")
        closes = _clock(schedule["closes_at"], label="closes_at")
        if closes <= opens:
            raise _Bad(f"A schedule closes ({closes:%H:%M}) before it opens ({opens:%H:%M}).")
        for code in str(schedule["byday"]).split(","):
            code = code.strip().upper()
            if code not in WEEKDAY_CODES:
                raise _Bad(f"'{code}' in a schedule's byday is not a day (use MO, TU ... SU).")
            spans.add((WEEKDAY_CODES.index(code), opens, closes))
    ordered = sorted(spans)
    for (day, _, closes), (next_day, next_opens, _) in zip(ordered, ordered[1:], strict=False):
        if day == next_day and next_opens < closes:
            raise _Bad(f"Two schedules overlap on {WEEKDAY_NAMES[day]}.")
    return frozenset(spans)


def _cost(record: dict) -> str:
    fees = _text(record, "fees", label="fees")
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
    return "Free"


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


def _phone(record: dict) -> str:
    phones = list(_list(record, "phones"))
    for contact in _list(record, "contacts"):
        phones.extend(_list(contact, "phones"))
    for phone in phones:
        number = str(phone.get("number") or "").strip()
        if number:
            return number
    return ""


def _location(record: dict) -> tuple[str, str, str]:
    """The first physical location's address, postcode and accessibility."""
    for link in _list(record, "service_at_locations"):
        location = link.get("location")
        if not isinstance(location, dict) or location.get("location_type") == "virtual":
            continue
        for address in _list(location, "addresses"):
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
            return text, postcode, accessibility
    return "", "", ""


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


def _plan(record, lookups: "_Lookups") -> _Plan:
    if not isinstance(record, dict):
        raise _Bad("Each service must be an object with an id and a name.")
    try:
        oruk_id = uuid.UUID(str(record.get("id")))
    except ValueError:
        raise _Bad("The service id must be a UUID.") from None
    title = _text(record, "name", label="name")
    if not title:
        raise _Bad("The service has no name.")
    summary = _text(record, "description", label="description")
    if not summary:
        raise _Bad("The service has no description: every offer needs a summary.")
    organization = record.get("organization")
    if not isinstance(organization, dict) or not str(organization.get("name") or "").strip():
        raise _Bad("Say which organisation provides the service (organization.name).")
    assured = _text(record, "assured_date", label="assured date")
    try:
        last_reviewed = date.fromisoformat(assured[:10]) if assured else None
    except ValueError:
        raise _Bad(f"The assured date '{assured}' is not a date like 2025-01-31.") from None
    age_from, age_to = _age(record, "minimum_age"), _age(record, "maximum_age")
    if age_from is not None and age_to is not None and age_to < age_from:
        raise _Bad("The maximum age is lower than the minimum age.")
    languages, bsl = _languages_and_bsl(record)
    address, postcode, accessibility = _location(record)
    url = _text(record, "url", label="url")
    values = {
        "title": title,
        "summary": summary,
        "website": url,
        "email": _text(record, "email", label="email"),
        "cost": _cost(record),
        "age_from": age_from,
        "age_to": age_to,
        "languages": languages,
        "bsl": bsl,
        "phone": _phone(record),
        "address": address,
        "postcode": postcode,
        "venue_accessibility": accessibility,
    }
    if last_reviewed is not None:
        values["last_reviewed"] = last_reviewed
    if url.startswith(lookups.own_urls):
        del values["website"]
    for name, value in values.items():
        model_field = OfferPage._meta.get_field(name)
        try:
            model_field.clean(value, None)
        except ValidationError as error:
            label = model_field.verbose_name
            raise _Bad(f"The {label} is not right: {' '.join(error.messages)}") from None
    provider_website = str(organization.get("website") or "").strip()
    return _Plan(
        oruk_id=oruk_id,
        values=values,
        provider_name=str(organization["name"]).strip()[:200],
        provider_website=provider_website if len(provider_website) <= 200 else "",
        need_ids=_need_ids(record, lookups.needs_by_key, lookups.unmatched_terms),
        area_ids=_area_ids(record, lookups.areas_by_key, lookups.unmatched_areas),
        opening_times=_opening_times(record),
    )


def _normal(name: str, value):
    if name == "address":
        return ", ".join(_address_lines(value or ""))
    return value


def _is_unchanged(offer: OfferPage, plan: _Plan) -> bool:
    if any(
        _normal(name, getattr(offer, name)) != _normal(name, value)
        for name, value in plan.values.items()
    ):
        return False
    return (
        offer.provider.name.lower() == plan.provider_name.lower()
        and {need.pk for need in offer.needs.all()} == plan.need_ids
        and {area.pk for area in offer.areas.all()} == plan.area_ids
        and {(s.weekday, s.opens, s.closes) for s in offer.opening_times.all()}
        == plan.opening_times
    )


def _provider(plan: _Plan) -> Organisation:
    provider = Organisation.objects.filter(name__iexact=plan.provider_name).first()
    if provider is None:
        provider = Organisation.objects.create(
            name=plan.provider_name, website=plan.provider_website
        )
    return provider


def _apply(offer: OfferPage, plan: _Plan, lookups: "_Lookups") -> None:
    for name, value in plan.values.items():
        if name == "address" and _normal(name, offer.address) == _normal(name, value):
            continue
        setattr(offer, name, value)
    offer.provider = _provider(plan)
    offer.needs = [lookups.needs[pk] for pk in sorted(plan.need_ids)]
    offer.areas = [lookups.areas[pk] for pk in sorted(plan.area_ids)]
    offer.opening_times = [
        OpeningTime(weekday=day, opens=opens, closes=closes)
        for day, opens, closes in sorted(plan.opening_times)
    ]


def _free_slug(index_page: OffersIndexPage, title: str, taken: set[str]) -> str:
    base = slugify(title)[:200] or "offer"
    taken.update(index_page.get_children().values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug = f"{base[:190]}-{number}"
        number += 1
    taken.add(slug)
    return slug


def offers_import_oruk(*, data, user=None) -> ImportResult:
    """Create or update offers from ORUK services: all of them, or (if any is bad) none.

    Records are matched to offers by ORUK id: the id an earlier import stored, or the id
    our own feed gives an offer. Each offer is published as a new revision by ``user``;
    the caller must have checked ``can(user, "cms.import_offers")``.
    Raises OrukImportError when the data as a whole is not ORUK services.
    """
    records = _records_in(data)
    lookups = _Lookups.load()
    result = ImportResult()
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
            plan = _plan(record, lookups)
            if plan.oruk_id in first_seen:
                raise _Bad(f"It has the same id as record {first_seen[plan.oruk_id]}.")
            first_seen[plan.oruk_id] = index
            plans.append(plan)
        except _Bad as bad:
            result.errors.append(RecordError(index, name, str(bad)))
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
        existing = _existing_offers([plan.oruk_id for plan in plans])
        taken_slugs: set[str] = set()
        for plan in plans:
            offer = existing.get(plan.oruk_id)
            if offer is not None and _is_unchanged(offer, plan):
                result.unchanged += 1
                continue
            if offer is None:
                offer = OfferPage(oruk_id=plan.oruk_id, title=plan.values["title"])
                offer.slug = _free_slug(index_page, plan.values["title"], taken_slugs)
                _apply(offer, plan, lookups)
                index_page.add_child(instance=offer)
                result.created += 1
            else:
                if offer.oruk_id is None:
                    offer.oruk_id = plan.oruk_id
                _apply(offer, plan, lookups)
                result.updated += 1
            # Who may import (and so publish what they import) is decided once, by the
            # "cms.import_offers" rule, before this is called; the command line has no user
            # for Wagtail's page permissions to check.
            revision = offer.save_revision(user=user, log_action=True)
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
