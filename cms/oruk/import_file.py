"""An Open Referral UK file as a whole, before any record in it is read: one size limit
for the admin's upload and the command line, JSON or a plain refusal, and whether it
holds services at all (not another ORUK directory's organisations or taxonomy).
"""

import json

from .import_records import READ_KEYS

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
MAX_RECORDS = 5000


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


# Telling a list of services from the other things an ORUK directory publishes: keys that
# only a service has, then the other kinds by the keys only they have.
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


def records_in(data) -> tuple[list, bool]:
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
