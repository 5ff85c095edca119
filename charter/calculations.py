"""The named, tested calculations that give computed measures their readings.

Each reads the other apps only through their selectors and returns a ``Result`` for a set
of organisations and a period. A measure names its calculation; the scheduled snapshot
(``services.readings_snapshot``) stores one reading per period, so a board sees the number
as it was, not as the data say today.

Co-production's figures come from ``coproduce.selectors.charter_figures`` and peer work's
from ``peers.selectors``: this module does the arithmetic, they do the counting.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from cms.working_days import working_days_between
from coproduce.choices import CoproductionLevel
from coproduce.selectors.charter_figures import (
    claims_submitted_and_paid,
    feedback_received_and_answered,
    service_change_levels,
)
from peers.selectors import progression as peer_progression
from peers.selectors import recruitment as peer_recruitment
from peers.selectors import retention as peer_retention
from peers.selectors import supervision as peer_supervision

PAID_WITHIN_DAYS = 30
ANSWERED_WITHIN_WORKING_DAYS = 20
CO_DESIGN = CoproductionLevel.CO_DESIGN  # the ladder's second-highest rung


@dataclass(frozen=True)
class Result:
    """A calculation's answer: ``value`` (None when there was nothing to count) and, for a
    share, the numerator and denominator it came from."""

    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None


@dataclass(frozen=True)
class Calculation:
    name: str
    label: str
    unit: str
    better: str
    definition: str
    fn: Callable[..., Result]

    def __call__(self, *, organisation_ids: list[int], start: date, end: date) -> Result:
        return self.fn(organisation_ids=list(organisation_ids), start=start, end=end)


class CalculationUnavailable(Exception):
    """A measure names a calculation this platform does not have (renamed or removed)."""


_registry: dict[str, Calculation] = {}


def calculation(name: str, *, unit: str, better: str, label: str):
    """Register ``fn(*, organisation_ids, start, end) -> Result`` as ``name``; its docstring
    is the definition shown to HR beside the measure."""

    def decorator(fn):
        if name in _registry:
            raise ValueError(f"A calculation called {name!r} is already registered.")
        _registry[name] = Calculation(
            name=name,
            label=label,
            unit=unit,
            better=better,
            definition=" ".join((fn.__doc__ or "").split()),
            fn=fn,
        )
        return fn

    return decorator


def calculations() -> list[Calculation]:
    return sorted(_registry.values(), key=lambda c: c.label)


def calculation_names() -> set[str]:
    return set(_registry)


def get_calculation(name: str) -> Calculation:
    try:
        return _registry[name]
    except KeyError:
        raise CalculationUnavailable(f"There is no calculation called {name!r}.") from None


def calculation_choices() -> list[tuple[str, str]]:
    return [(c.name, c.label) for c in calculations()]


def percent(numerator: int, denominator: int) -> Result:
    """``numerator`` out of ``denominator`` as a percentage to one decimal place."""
    if not denominator:
        return Result(None, numerator, denominator)
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return Result(value, numerator, denominator)


def _now():
    return timezone.now()


# --- From co-production ----------------------------------------------------------------------


@calculation(
    "panel_members_paid_within_30_days",
    unit="percent",
    better="higher",
    label="Panel members paid within 30 days",
)
def panel_members_paid_within_30_days(*, organisation_ids, start, end) -> Result:
    """Of the involvement claims members submitted in the period, the share paid within 30
    days of submitting. A claim still unpaid counts as late once 30 days have passed; one
    submitted less than 30 days ago and not yet paid is left out until its time is up."""
    now = _now()
    on_time = counted = 0
    for submitted_at, paid_at in claims_submitted_and_paid(
        organisation_ids=organisation_ids, start=start, end=end
    ):
        deadline = submitted_at + timedelta(days=PAID_WITHIN_DAYS)
        if paid_at is not None and paid_at <= deadline:
            on_time += 1
            counted += 1
        elif paid_at is not None or now > deadline:
            counted += 1
    return percent(on_time, counted)


@calculation(
    "feedback_answered_within_20_working_days",
    unit="percent",
    better="higher",
    label="Feedback answered within 20 working days",
)
def feedback_answered_within_20_working_days(*, organisation_ids, start, end) -> Result:
    """Of the feedback received in the period on the organisation's offers, the share given
    a public answer within 20 working days (weekends and England and Wales bank holidays do
    not count). Feedback not yet answered counts as late once 20 working days have passed,
    and is left out until then. Hidden feedback (spam, abuse) is not counted."""
    today = timezone.localdate(_now())
    on_time = counted = 0
    for received_at, answered_at in feedback_received_and_answered(
        organisation_ids=organisation_ids, start=start, end=end
    ):
        received = timezone.localdate(received_at)
        if answered_at is not None:
            counted += 1
            taken = working_days_between(received, timezone.localdate(answered_at))
            on_time += taken <= ANSWERED_WITHIN_WORKING_DAYS
        elif working_days_between(received, today) > ANSWERED_WITHIN_WORKING_DAYS:
            counted += 1
    return percent(on_time, counted)


@calculation(
    "changes_coproduced_at_co_design_or_higher",
    unit="percent",
    better="higher",
    label="Service changes co-produced at co-design level or higher",
)
def changes_coproduced_at_co_design_or_higher(*, organisation_ids, start, end) -> Result:
    """Of the "You said, we did" service changes first published in the period (made by the
    organisation's panels or touching its offers), the share co-produced at co-design or
    co-production level on the ladder of co-production. A change with no level counts as
    below co-design."""
    levels = service_change_levels(organisation_ids=organisation_ids, start=start, end=end)
    return percent(sum(1 for level in levels if (level or 0) >= CO_DESIGN), len(levels))


# --- From peer work ---------------------------------------------------------------------------


def _share(pair) -> Result:
    numerator, denominator = pair
    return percent(int(numerator), int(denominator))


@calculation(
    "roles_filled_by_lived_experience",
    unit="percent",
    better="higher",
    label="Peer roles filled by people with lived experience",
)
def roles_filled_by_lived_experience(*, organisation_ids, start, end) -> Result:
    """Of the peer roles filled in the period, the share filled by people who told us they
    have lived experience."""
    return _share(
        peer_recruitment.roles_filled_by_lived_experience(
            organisation_ids=organisation_ids, start=start, end=end
        )
    )


@calculation(
    "interviews_with_lived_experience",
    unit="percent",
    better="higher",
    label="Interviews with a lived-experience panel member",
)
def interviews_with_lived_experience(*, organisation_ids, start, end) -> Result:
    """Of the interviews for peer roles held in the period, the share whose interview panel
    included a person with lived experience."""
    return _share(
        peer_recruitment.interviews_with_lived_experience(
            organisation_ids=organisation_ids, start=start, end=end
        )
    )


@calculation("time_to_hire_days", unit="days", better="lower", label="Time to hire (median days)")
def time_to_hire_days(*, organisation_ids, start, end) -> Result:
    """The median number of days from applying for a peer role to starting in it, for
    people who started in the period."""
    days = peer_recruitment.time_to_hire_days(
        organisation_ids=organisation_ids, start=start, end=end
    )
    if days is None:
        return Result(None)
    return Result(Decimal(str(days)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@calculation(
    "twelve_month_retention",
    unit="percent",
    better="higher",
    label="Peer workers still in post after 12 months",
)
def twelve_month_retention(*, organisation_ids, start, end) -> Result:
    """Of the peer workers who started 12 to 24 months before the end of the period, the
    share still in post 12 months after they started."""
    return _share(
        peer_retention.twelve_month_retention(organisation_ids=organisation_ids, as_of=end)
    )


@calculation("progressions", unit="count", better="higher", label="Progressions (peer workers)")
def progressions(*, organisation_ids, start, end) -> Result:
    """How many peer workers moved up a level of the progression pathway in the period."""
    count = peer_progression.progressions(organisation_ids=organisation_ids, start=start, end=end)
    return Result(Decimal(count), count, None)


@calculation(
    "supervision_compliance",
    unit="percent",
    better="higher",
    label="Peer workers supervised on time",
)
def supervision_compliance(*, organisation_ids, start, end) -> Result:
    """Of the active peer workers at the end of the period, the share whose last supervision
    was within their agreed interval."""
    figures = peer_supervision.supervision_compliance(organisation_ids=organisation_ids, as_of=end)
    return percent(int(figures["supervised_in_time"]), int(figures["workers"]))
