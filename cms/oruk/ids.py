"""Which Open Referral UK we speak, and the stable ids our records have in it.

ORUK ids are UUIDs. Ours are derived (uuid5) from a fixed namespace and a stable key, so
the same offer keeps the same id in every response; an offer brought in by the importer
keeps the id it had in the file (``OfferPage.oruk_id``). Never our database keys as such.
"""

import uuid

from ..models import Location, Need, OfferPage, Organisation

ORUK_VERSION = "3.0"
ORUK_PROFILE_URL = "https://openreferraluk.org/"
ORUK_OPENAPI_URL = (
    "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
)
NAMESPACE = uuid.UUID("5b0f6f3e-0c1f-4d0e-9a57-2f7e3c1b8d41")
# ORUK's day codes (RRULE BYDAY), Monday first as ``OpeningTime.weekday`` counts.
WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def oruk_uuid(key: str) -> uuid.UUID:
    """The stable ORUK id for one of our records, e.g. ``oruk_uuid("need:12")``."""
    return uuid.uuid5(NAMESPACE, key)


def derived_service_id(translation_key) -> uuid.UUID:
    """The id our feed gives an offer that did not come in with one of its own."""
    return oruk_uuid(f"offer:{translation_key}")


def service_id(offer: OfferPage) -> str:
    return str(offer.oruk_id or derived_service_id(offer.translation_key))


def derived_location_id(pk: int) -> uuid.UUID:
    """The id our feed gives a place that did not come in with one of its own: a place
    keeps its row (and so this id) from one publish of its offer to the next."""
    return oruk_uuid(f"place:{pk}")


def location_id(location: Location) -> str:
    return str(location.oruk_id or derived_location_id(location.pk))


def address_location_id(sid: str) -> str:
    """The id of the one place an offer with no places of its own has: its address."""
    return str(oruk_uuid(f"location:{sid}"))


def place_id(sid: str, place: Location | None) -> str:
    """The location id of one of the offer's places, or (None) of its own address."""
    return address_location_id(sid) if place is None else location_id(place)


def service_at_location_id(sid: str, lid: str) -> str:
    """The offer ``sid`` at the place ``lid``; the place of an offer's own address keeps
    the id it had before offers had places."""
    if lid == address_location_id(sid):
        return str(oruk_uuid(f"service_at_location:{sid}"))
    return str(oruk_uuid(f"service_at_location:{sid}:{lid}"))


def organisation_id(organisation: Organisation) -> str:
    return str(oruk_uuid(f"organisation:{organisation.pk}"))


def need_id(need: Need) -> str:
    return str(oruk_uuid(f"need:{need.pk}"))


def taxonomy_id() -> str:
    return str(oruk_uuid("taxonomy:needs"))
