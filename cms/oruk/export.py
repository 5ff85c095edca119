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
from ..models import Need, OfferPage, OpeningTime, Organisation
from .ids import WEEKDAY_CODES, need_id, organisation_id, oruk_uuid, service_id, taxonomy_id

TAXONOMY_NAME = "Lived Experience Platform needs"
TAXONOMY_DESCRIPTION = (
    "What an offer helps with, including the wider determinants of mental health "
    "(money, housing, work, loneliness)."
)
TAXONOMY_VERSION = "1"
LINK_TYPE_NEED = "need"
BSL = "British Sign Language"
WEEKDAY_NAMES = [label for _, label in OpeningTime.Weekday.choices]


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


def address_lines(text: str) -> list[str]:
    """An address as its lines, split at line breaks and commas (editors use either)."""
    return [line.strip() for line in re.split(r"[\n,]", text) if line.strip()]


def _service_at_locations(offer: OfferPage, sid: str) -> list[dict]:
    if not (offer.in_person and (offer.address or offer.postcode)):
        return []
    location_id = str(oruk_uuid(f"location:{sid}"))
    lines = address_lines(offer.address)
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
