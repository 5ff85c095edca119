"""What changed for the people who used an offer, by outcome measure and period: worked out
from the outcome scores peer workers record in session logs, and read from the figures a
partner collated and entered themselves (``OfferOutcomeFigures``).

For each measure, a person counts when they have at least two scored one-to-one sessions of
the offer in the period: their first and latest scores there are compared, by the measure's
rule (``peers.outcome_measures``), as improved, stayed about the same or got worse. A person
is the worker's own reference with that worker (references are the worker's, so the same
reference with two workers is two people); group sessions have no one person's score and
are left out.

These are public numbers about an offer, not records: nothing here returns a session, a
reference or a worker, and the offer page holds back small ones (``cms.disclosure``). The
whole calculation is one SQL query (a grouped query inside an aggregate), and the partner's
figures one more, however many sessions and people there are.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from ..models import OfferOutcomeFigures, SessionLog
from ..models.sessions import Setting
from ..outcome_measures import MEASURES, RULES, MeasureRule

# --- Periods -------------------------------------------------------------------------------

LAST_12_MONTHS = "last-12-months"
YEARS_OFFERED = 3
QUARTERS_OFFERED = 4
_QUARTER_MONTHS = ((1, 3), (4, 6), (7, 9), (10, 12))


@dataclass(frozen=True)
class Period:
    """A period the offer page can show: its key in the address, its name in the chooser,
    and its first and last days (the last never after today)."""

    key: str
    label: str
    start: date
    end: date


def _quarter_of(day: date) -> int:
    return (day.month - 1) // 3


def _quarter(year: int, index: int, today: date) -> Period:
    first_month, last_month = _QUARTER_MONTHS[index]
    start = date(year, first_month, 1)
    end = (date(year + (last_month == 12), last_month % 12 + 1, 1)) - timedelta(days=1)
    label = f"{start:%B} to {end:%B %Y}"
    if end > today:
        end, label = today, f"{label} (so far)"
    return Period(key=f"{year}-q{index + 1}", label=label, start=start, end=end)


def periods_offered(today: date | None = None) -> list[Period]:
    """The periods the offer page offers: the last 12 months (the default), this year and
    the two before it, and this quarter and the three before it."""
    today = today or timezone.localdate()
    offered = [
        Period(
            key=LAST_12_MONTHS,
            label="The last 12 months",
            start=today - timedelta(days=364),
            end=today,
        )
    ]
    for year in range(today.year, today.year - YEARS_OFFERED, -1):
        current = year == today.year
        offered.append(
            Period(
                key=str(year),
                label=f"{year} (so far)" if current else str(year),
                start=date(year, 1, 1),
                end=today if current else date(year, 12, 31),
            )
        )
    year, index = today.year, _quarter_of(today)
    for _ in range(QUARTERS_OFFERED):
        offered.append(_quarter(year, index, today))
        year, index = (year, index - 1) if index else (year - 1, 3)
    return offered


def period_chosen(key: str, today: date | None = None) -> Period:
    """The offered period called ``key``; the last 12 months for any other key."""
    offered = periods_offered(today)
    return next((period for period in offered if period.key == key), offered[0])


def dates_in_words(start: date, end: date) -> str:
    """Like "1 January to 31 December 2026", or with both years when they differ."""
    first = f"{start.day} {start:%B}" if start.year == end.year else f"{start.day} {start:%B %Y}"
    return f"{first} to {end.day} {end:%B %Y}"


def between_in_words(start: date, end: date) -> str:
    """Like "between 1 January and 31 December 2026", or with both years when they differ."""
    return "between " + dates_in_words(start, end).replace(" to ", " and ", 1)


# --- Worked out from session logs -------------------------------------------------------------


@dataclass(frozen=True)
class MeasureOutcome:
    """One measure's figures for one offer and period, in full: the page decides what it
    may show of them."""

    rule: MeasureRule
    people: int
    improved: int
    same: int
    worse: int
    average_first: Decimal | None
    average_latest: Decimal | None


def _one_decimal(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def scored_sessions(offer, start: date, end: date):
    """The offer's one-to-one sessions in the period with a score within its measure's range:
    what the calculation reads."""
    in_range = Q()
    for measure, rule in RULES.items():
        in_range |= Q(outcome_measure=measure, outcome_score__range=(rule.lowest, rule.highest))
    return (
        SessionLog.objects.filter(offer=offer, date__range=(start, end))
        .filter(in_range)
        .filter(group_size=1)
        .exclude(setting=Setting.GROUP)
        .exclude(person_reference="")
    )


def offer_outcomes(offer, start: date, end: date) -> list[MeasureOutcome]:
    """Each measure's figures for ``offer`` from ``start`` to ``end`` (both included), in
    the measures' order, leaving out measures with nobody scored at least twice. One query."""
    sessions = scored_sessions(offer, start, end)
    same_person = {
        "worker_id": OuterRef("worker_id"),
        "person_reference": OuterRef("person_reference"),
        "outcome_measure": OuterRef("outcome_measure"),
    }
    theirs = sessions.filter(**same_person).values("outcome_score")
    people = (
        sessions.values("worker_id", "person_reference", "outcome_measure")
        .annotate(
            scores=Count("pk"),
            first_score=Subquery(theirs.order_by("date", "created_at", "pk")[:1]),
            latest_score=Subquery(theirs.order_by("-date", "-created_at", "-pk")[:1]),
        )
        .filter(scores__gte=2)
        .annotate(change=F("latest_score") - F("first_score"))
        .order_by()
    )
    figures = {}
    for measure, rule in RULES.items():
        this = Q(outcome_measure=measure)
        figures |= {
            f"{measure}_people": Count("worker_id", filter=this),
            f"{measure}_improved": Count(
                "worker_id", filter=this & Q(change__gte=rule.improved_by)
            ),
            f"{measure}_worse": Count("worker_id", filter=this & Q(change__lte=-rule.improved_by)),
            f"{measure}_first": Avg("first_score", filter=this),
            f"{measure}_latest": Avg("latest_score", filter=this),
        }
    totals = people.aggregate(**figures)
    outcomes = []
    for measure in MEASURES:
        counted = totals[f"{measure}_people"] or 0
        if not counted:
            continue
        improved, worse = totals[f"{measure}_improved"], totals[f"{measure}_worse"]
        outcomes.append(
            MeasureOutcome(
                rule=RULES[measure],
                people=counted,
                improved=improved,
                same=counted - improved - worse,
                worse=worse,
                average_first=_one_decimal(totals[f"{measure}_first"]),
                average_latest=_one_decimal(totals[f"{measure}_latest"]),
            )
        )
    return outcomes


# --- Entered by partners ----------------------------------------------------------------------


def figures_for_period(offer, start: date, end: date) -> list[OfferOutcomeFigures]:
    """The figures partners entered for ``offer`` whose own period overlaps ``start`` to
    ``end``, by measure, latest first. One query."""
    order = {measure: position for position, measure in enumerate(MEASURES)}
    figures = list(
        OfferOutcomeFigures.objects.filter(
            offer=offer, period_start__lte=end, period_end__gte=start
        ).order_by("-period_end", "pk")
    )
    return sorted(figures, key=lambda entered: order.get(entered.measure, len(order)))


def offer_has_outcomes(offer) -> bool:
    """Is there anything at all to show about outcomes on ``offer``'s page, in any period:
    a scored session, or figures a partner entered? One query."""
    scored = SessionLog.objects.filter(offer=offer, outcome_score__isnull=False).exclude(
        outcome_measure=""
    )
    entered = OfferOutcomeFigures.objects.filter(offer=offer)
    return type(offer).objects.filter(pk=offer.pk).filter(Exists(scored) | Exists(entered)).exists()
