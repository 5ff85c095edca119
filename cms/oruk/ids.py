"""Which Open Referral UK we speak, and the stable ids our records have in it.

ORUK ids are UUIDs. Ours are derived (uuid5) from a fixed namespace and a stable key, so
the same offer keeps the same id in every response; an offer brought in by the importer
keeps the id it had in the file (``OfferPage.oruk_id``). Never our database keys as such.
"""

import uuid

from ..models import Need, OfferPage, Organisation

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


def organisation_id(organisation: Organisation) -> str:
    return str(oruk_uuid(f"organisation:{organisation.pk}"))


def need_id(need: Need) -> str:
    return str(oruk_uuid(f"need:{need.pk}"))


def taxonomy_id() -> str:
    return str(oruk_uuid("taxonomy:needs"))
