"""Our published offers as Open Referral UK documents: plain functions from our models to
ORUK dicts, for the feed (``cms.oruk.views``) to serve.

Only public facts go out, with our stable ORUK ids (``cms.oruk.ids``); an ORUK field we
have nothing for is left out rather than sent empty.
"""

import re
from collections import defaultdict
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit, urlunsplit

from ..dates import day_in_words
from ..models import Closure, Location, Need, OfferPage, OpeningTime, Organisation
from ..models.offers import opens_24_hours, runs_past_midnight
from .ids import (
    WEEKDAY_CODES,
    location_id,
    need_id,
    organisation_id,
    oruk_uuid,
    place_id,
    service_at_location_id,
    service_id,
    taxonomy_id,
)
from .selectors import places_of

TAXONOMY_NAME = "Lived Experience Platform needs"
TAXONOMY_DESCRIPTION = (
    "What an offer helps with, including the wider determinants of mental health "
    "(money, housing, work, loneliness)."
)
TAXONOMY_VERSION = "1"
LINK_TYPE_NEED = "need"
BSL = "British Sign Language"
WEEKDAY_NAMES = [label for _, label in OpeningTime.Weekday.choices]
BANK_HOLIDAYS = "Closed on bank holidays in England and Wales."
# ORUK 3 has no "closed" field: a closure is a dated schedule with no opening times,
# and this note says so to a person reading it.
CLOSED_NOTE = "Closed"
STEP_FREE = {True: "Step-free access", False: "No step-free access"}


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


def _opening_schedules(offer: OfferPage, sid: str, spans, *, sal_id: str = "") -> list[dict]:
    """One weekly RRULE per opening span, with the days that share it (``MO,TU,WE``). A
    closing time before the opening time is the next day's (overnight), the same time is
    24 hours; valid_from and valid_to carry the dates a span holds between. ``sal_id``:
    these are one place's own times (the service at that location)."""
    days_by_span: dict[tuple, list[int]] = defaultdict(list)
    for span in spans:
        days_by_span[(span.opens, span.closes, span.valid_from, span.valid_to)].append(span.weekday)
    schedules = []
    for (opens, closes, valid_from, valid_to), weekdays in sorted(
        days_by_span.items(), key=lambda item: (item[0][0], item[0][1], str(item[0][2:]))
    ):
        weekdays = sorted(set(weekdays))
        days = ", ".join(WEEKDAY_NAMES[day] for day in weekdays)
        key = f"schedule:{sid}:{opens:%H:%M}:{closes:%H:%M}"
        description = f"{days}: {opens:%H:%M} to {closes:%H:%M} (UK time)"
        if runs_past_midnight(OpeningTime(opens=opens, closes=closes)):
            description += (
                ", open 24 hours"
                if opens_24_hours(OpeningTime(opens=opens, closes=closes))
                else ", closing the next day"
            )
        if valid_from or valid_to:
            key += f":{valid_from}:{valid_to}"
            description += "".join(
                f", {label} {day_in_words(day)}"
                for label, day in (("from", valid_from), ("until", valid_to))
                if day
            )
        if sal_id:
            key += f":{sal_id}"
        schedules.append(
            _without_empty(
                {
                    "id": str(oruk_uuid(key)),
                    "service_id": sid,
                    "service_at_location_id": sal_id,
                    "valid_from": valid_from.isoformat() if valid_from else None,
                    "valid_to": valid_to.isoformat() if valid_to else None,
                    "freq": "WEEKLY",
                    "interval": 1,
                    "byday": ",".join(WEEKDAY_CODES[day] for day in weekdays),
                    "opens_at": f"{opens:%H:%M}",
                    "closes_at": f"{closes:%H:%M}",
                    "description": description,
                    "notes": BANK_HOLIDAYS if offer.closed_on_bank_holidays else "",
                }
            )
        )
    return schedules


def _all_day_schedule(offer: OfferPage, sid: str) -> dict:
    """Open day and night: every day from 00:00 to 23:59, the way HSDS says "24 hours"."""
    return _without_empty(
        {
            "id": str(oruk_uuid(f"schedule:{sid}:24-hours")),
            "service_id": sid,
            "freq": "WEEKLY",
            "interval": 1,
            "byday": ",".join(WEEKDAY_CODES),
            "opens_at": "00:00",
            "closes_at": "23:59",
            "description": "Open 24 hours a day, every day (UK time)",
            "notes": BANK_HOLIDAYS if offer.closed_on_bank_holidays else "",
        }
    )


def closure_schedule(closure: Closure, sid: str) -> dict:
    """A closure as ORUK 3 says one: a schedule that holds only between its dates and
    has no opening times (no freq, byday, opens_at or closes_at), marked closed."""
    first, last = closure.first_day, closure.until
    when = (
        day_in_words(first)
        if first == last
        else f"from {day_in_words(first)} to {day_in_words(last)}"
    )
    reason = f": {closure.reason}" if closure.reason else ""
    return {
        "id": str(oruk_uuid(f"closure:{sid}:{first}:{last}")),
        "service_id": sid,
        "valid_from": first.isoformat(),
        "valid_to": last.isoformat(),
        "description": f"Closed {when}{reason}",
        "notes": CLOSED_NOTE,
    }


def service_schedules(offer: OfferPage, sid: str) -> list[dict]:
    """Everything the offer says about when it is open, for the whole service: its own
    times (or open 24 hours), each place's own times (with that service at location's
    id) and its closures."""
    spans = list(offer.opening_times.all())
    schedules = [_all_day_schedule(offer, sid)] if offer.open_24_hours else []
    schedules += _opening_schedules(offer, sid, [s for s in spans if s.location_id is None])
    for place in offer.locations.all():
        own = [span for span in spans if span.location_id == place.pk]
        if own:
            sal_id = service_at_location_id(sid, location_id(place))
            schedules += _opening_schedules(offer, sid, own, sal_id=sal_id)
    schedules += [closure_schedule(closure, sid) for closure in offer.closures.all()]
    return schedules


def place_schedules(offer: OfferPage, sid: str, place: Location | None) -> list[dict]:
    """When the offer is open at ``place``: the place's own times where it has them,
    else the offer's; the offer's closures apply at every place."""
    spans = list(offer.opening_times.all())
    own = [span for span in spans if place is not None and span.location_id == place.pk]
    if own:
        sal_id = service_at_location_id(sid, location_id(place))
        schedules = _opening_schedules(offer, sid, own, sal_id=sal_id)
    else:
        schedules = [_all_day_schedule(offer, sid)] if offer.open_24_hours else []
        schedules += _opening_schedules(offer, sid, [s for s in spans if s.location_id is None])
    return schedules + [closure_schedule(closure, sid) for closure in offer.closures.all()]


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


def address_lines(text: str) -> list[str]:
    """An address as its lines, split at line breaks and commas (editors use either)."""
    return [line.strip() for line in re.split(r"[\n,]", text) if line.strip()]


def _address(lid: str, key: str, address: str, postcode: str) -> dict:
    lines = address_lines(address)
    return {
        "id": str(oruk_uuid(f"address:{key}")),
        "location_id": lid,
        "address_1": ", ".join(lines[:-1] if len(lines) > 1 else lines),
        "city": lines[-1] if len(lines) > 1 else "",
        "state_province": "",
        "postal_code": postcode,
        "country": "GB",
        "address_type": "physical",
    }


def _coordinate(value) -> float | None:
    return None if value is None else float(value)


def location_to_oruk(offer: OfferPage, place: Location | None) -> dict:
    """A place (or the offer's own address) as an ORUK location, with its address and
    postcode, where it is on the map and whether it has step-free access."""
    sid = service_id(offer)
    lid = place_id(sid, place)
    if place is None:
        accessibility = [offer.venue_accessibility] if offer.venue_accessibility else []
        data = {
            "id": lid,
            "location_type": "physical",
            "name": offer.title,
            "addresses": [_address(lid, sid, offer.address, offer.postcode)],
        }
    else:
        accessibility = [STEP_FREE.get(place.step_free, "")]
        data = {
            "id": lid,
            "location_type": "physical",
            "name": place.name,
            "description": place.how_to_get_there,
            "latitude": _coordinate(place.latitude),
            "longitude": _coordinate(place.longitude),
            "addresses": [_address(lid, f"place:{lid}", place.address, place.postcode)],
        }
    data["accessibility"] = [
        {
            "id": str(oruk_uuid(f"accessibility:{sid if place is None else lid}")),
            "location_id": lid,
            "description": text,
        }
        for text in accessibility
        if text
    ]
    return _without_empty(data)


def service_at_location_to_oruk(offer: OfferPage, place: Location | None) -> dict:
    """The offer at one place, as a full service's ``service_at_locations`` holds it."""
    sid = service_id(offer)
    location = location_to_oruk(offer, place)
    return {
        "id": service_at_location_id(sid, location["id"]),
        "service_id": sid,
        "location_id": location["id"],
        "location": location,
    }


def service_at_location_minimal(offer: OfferPage, place: Location | None) -> dict:
    """Just the ids and when the service last changed, for ``minimal`` lists."""
    data = service_at_location_to_oruk(offer, place)
    return _without_empty(
        {
            "id": data["id"],
            "service_id": data["service_id"],
            "location_id": data["location_id"],
            "last_modified": _timestamp(offer.last_published_at),
        }
    )


def _service_at_locations(offer: OfferPage) -> list[dict]:
    return [service_at_location_to_oruk(offer, place) for place in places_of(offer)]


def service_at_location_with_service(
    offer: OfferPage, place: Location | None, *, url: str, full: bool = False
) -> dict:
    """The offer at one place with the service itself: its one-to-one fields (the
    ``/service_at_locations`` list), or with ``full`` everything, the schedules being
    those that hold at this place (``/service_at_locations/{id}``)."""
    data = service_at_location_to_oruk(offer, place)
    if full:
        service = service_to_oruk(
            offer, url=url, schedules=place_schedules(offer, data["service_id"], place)
        )
        service.pop("service_at_locations", None)
    else:
        service = service_summary_to_oruk(offer, url=url)
    data["service"] = service
    return data


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


def service_minimal_to_oruk(offer: OfferPage) -> dict:
    """Just the id and when it last changed, for ``minimal`` lists."""
    return _without_empty(
        {"id": service_id(offer), "last_modified": _timestamp(offer.last_published_at)}
    )


def service_to_oruk(offer: OfferPage, *, url: str, schedules: list[dict] | None = None) -> dict:
    """The fully nested service, as ``/services/{id}`` gives it; ``schedules`` instead of
    the whole service's when it is given at one place."""
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
                "schedules": (service_schedules(offer, sid) if schedules is None else schedules),
                "service_areas": [
                    {
                        "id": str(oruk_uuid(f"service_area:{sid}:{area.pk}")),
                        "service_id": sid,
                        "name": area.name,
                        "service_area": area.name,
                    }
                    for area in offer.areas.all()
                ],
                "service_at_locations": _service_at_locations(offer),
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
