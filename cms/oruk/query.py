"""What a finder asks the Open Referral UK feed's lists for: every query parameter the ORUK
OpenAPI description documents for ``/services`` and ``/service_at_locations``, read
strictly into one ``ListQuery``.

A value that cannot be used is a ``params.BadParameter`` naming the parameter (the feed
answers 400), never quietly ignored; a name the description does not give is refused
too, with the names that are accepted. The words of the filters follow the description:
``minimum_age`` finds services whose minimum age is at least the value, ``maximum_age``
those whose maximum age is at most it, ``start_time`` / ``end_time`` / ``day`` those
with an opening that starts no earlier, ends no later (the same day) and falls on that
day.
"""

import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .. import params
from ..params import BadParameter
from .ids import WEEKDAY_CODES

SEARCH_MAX_LENGTH = 200
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
# ``minimal`` asks for every service in one call: ids and dates are small.
MAX_PER_PAGE_MINIMAL = 1000
MAX_AGE = 130
# Ten times round the Earth: any proximity beyond this is a typing mistake.
MAX_PROXIMITY_METRES = 400_000_000

# The names each list accepts: the OpenAPI description's own for the path, the general
# ones its components define (full, minimal, modified_after, organization_id, format),
# and ``text``, the name earlier versions of the standard gave ``search``.
SERVICE_PARAMETERS = (
    "search",
    "text",
    "page",
    "per_page",
    "taxonomy_term_id",
    "taxonomy_id",
    "organization_id",
    "minimum_age",
    "maximum_age",
    "start_time",
    "end_time",
    "day",
    "modified_after",
    "full",
    "minimal",
    "format",
)
SERVICE_AT_LOCATION_PARAMETERS = (*SERVICE_PARAMETERS, "postcode", "proximity")
PAGING_PARAMETERS = ("page", "per_page")

DAY_NAMES = {
    **{code: index for index, code in enumerate(WEEKDAY_CODES)},
    **{
        name: index
        for index, name in enumerate(
            ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
        )
    },
}
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?:Z|[+-]\d{2}:?\d{2})?")
_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?(?: ?\d[A-Z]{2})?")
_TRUE, _FALSE = ("true", "1"), ("false", "0")


@dataclass(frozen=True)
class ListQuery:
    """One list request's filters and shape; None (or "") is "not asked"."""

    search: str = ""
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    start_time: time | None = None
    end_time: time | None = None
    day: int | None = None
    modified_after: datetime | None = None
    full: bool = False
    minimal: bool = False
    postcode: str = ""
    proximity: float | None = None

    @property
    def asks_about_times(self) -> bool:
        return any(value is not None for value in (self.start_time, self.end_time, self.day))


def refuse_unknown(request, accepted: tuple[str, ...]) -> None:
    """The standard says nothing of names it does not give: refusing them (rather than
    answering as if they were not there) tells a finder its filter did not apply."""
    unknown = sorted(params.names_given(request) - set(accepted))
    if unknown:
        names = ", ".join(f"'{name}'" for name in unknown)
        raise BadParameter(f"This list does not know {names}. It accepts: {', '.join(accepted)}.")


def bool_param(request, name: str) -> bool:
    raw = params.text_param(request, name, strict=True).lower()
    if raw in ("", *_FALSE):
        return False
    if raw in _TRUE:
        return True
    raise BadParameter(f"'{name}' must be true or false.")


def _number(request, name: str, *, upper: int) -> Decimal | None:
    raw = params.text_param(request, name, strict=True)
    if not raw:
        return None
    message = f"'{name}' must be a number from 0 to {upper}."
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise BadParameter(message) from None
    if not number.is_finite() or not 0 <= number <= upper:
        raise BadParameter(message)
    return number


def _clock(request, name: str) -> time | None:
    raw = params.text_param(request, name, strict=True)
    if not raw:
        return None
    match = _CLOCK.fullmatch(raw)
    if match is None:
        raise BadParameter(f"'{name}' must be a time of day like 09:30 (UK time).")
    return time(int(match[1]), int(match[2]), int(match[3] or 0))


def _day(request) -> int | None:
    raw = params.text_param(request, "day", strict=True).upper()
    if not raw:
        return None
    if raw not in DAY_NAMES:
        raise BadParameter("'day' must be a day of the week: MO, TU, WE, TH, FR, SA or SU.")
    return DAY_NAMES[raw]


def _moment(request, name: str) -> datetime | None:
    raw = params.text_param(request, name, strict=True)
    if not raw:
        return None
    message = f"'{name}' must be a date and time like 2025-01-31T09:00:00Z, or a date."
    try:
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            moment = datetime.combine(day, time()) if day is not None else None
    except ValueError:
        moment = None
    if moment is None:
        raise BadParameter(message)
    if timezone.is_naive(moment):
        try:
            moment = timezone.make_aware(moment)
        except (ValueError, OverflowError):
            raise BadParameter(message) from None
    return moment


def _postcode(request) -> str:
    raw = params.text_param(request, "postcode", max_length=10, strict=True)
    if not raw:
        return ""
    compact = "".join(raw.upper().split())
    if not _POSTCODE.fullmatch(compact):
        raise BadParameter("'postcode' must be a UK postcode like HD1 1AA, or its first part.")
    return compact


def _proximity(request) -> float | None:
    number = _number(request, "proximity", upper=MAX_PROXIMITY_METRES)
    return None if number is None else float(number)


def list_query(request, accepted: tuple[str, ...]) -> ListQuery:
    """Every parameter of the list request, checked; raises BadParameter for the first
    that cannot be used."""
    refuse_unknown(request, accepted)
    search = params.text_param(
        request, "search", max_length=SEARCH_MAX_LENGTH, strict=True
    ) or params.text_param(request, "text", max_length=SEARCH_MAX_LENGTH, strict=True)
    # JSON pages only: ``format=ndjson`` (everything in one stream) is refused by name.
    params.choice_param(request, "format", ["json"], "json", strict=True)
    minimum, maximum = (
        _number(request, "minimum_age", upper=MAX_AGE),
        _number(request, "maximum_age", upper=MAX_AGE),
    )
    query = ListQuery(
        search=search,
        taxonomy_term_id=params.uuid_param(request, "taxonomy_term_id", strict=True),
        taxonomy_id=params.uuid_param(request, "taxonomy_id", strict=True),
        organization_id=params.uuid_param(request, "organization_id", strict=True),
        # Ages are whole years: at least 12.5 is at least 13, at most 12.5 at most 12.
        minimum_age=None if minimum is None else math.ceil(minimum),
        maximum_age=None if maximum is None else math.floor(maximum),
        start_time=_clock(request, "start_time"),
        end_time=_clock(request, "end_time"),
        day=_day(request),
        modified_after=_moment(request, "modified_after"),
        full=bool_param(request, "full"),
        minimal=bool_param(request, "minimal"),
        postcode=_postcode(request) if "postcode" in accepted else "",
        proximity=_proximity(request) if "proximity" in accepted else None,
    )
    if query.full and query.minimal:
        raise BadParameter("Ask for 'full' or 'minimal', not both.")
    if query.proximity is not None and not query.postcode:
        raise BadParameter("'proximity' is measured from a postcode: give 'postcode' too.")
    return query


def page_numbers(request, *, minimal: bool = False) -> tuple[int, int]:
    """The page asked for and its size; a size above the most we give is refused."""
    page_number = params.int_param(request, "page", 1, strict=True)
    most = MAX_PER_PAGE_MINIMAL if minimal else MAX_PER_PAGE
    per_page = params.int_param(request, "per_page", DEFAULT_PER_PAGE, max_value=most, strict=True)
    return page_number, per_page
