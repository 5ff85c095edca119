"""Reads that feed the charter's dashboard, public page and board report, with their
``select_related`` / ``prefetch_related``: a charter's whole progress costs the same handful
of queries however many commitments, measures and readings it has."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Min, Prefetch, Q
from django.http import Http404

from cms.disclosure import FEWER_THAN, count_shown, value_withheld
from cms.permissions import visible_to

from . import rag
from .calculations import calculation_names, get_calculation
from .charts import Chart, chart
from .display import format_value
from .models import Charter, CharterAction, Commitment, Evidence, Measure, Reading, Review
from .periods import period_label
from .rules import charters_kept_by


@dataclass(frozen=True)
class ReadingRow:
    period: str
    period_end: date
    value: str
    expected: str
    numerator: str
    denominator: str
    note: str
    source: str
    evidence: Evidence | None = None


@dataclass(frozen=True)
class TargetRow:
    due_on: date
    value: str
    note: str
    met: str  # "Met", "Missed", "Not due yet", "Not measured"


@dataclass
class MeasureProgress:
    measure: Measure
    status: rag.Status
    chart: Chart
    rows: list[ReadingRow]
    targets: list[TargetRow]
    latest: str
    definition: str
    chart_id: str = ""

    @property
    def unit_label(self) -> str:
        return self.measure.get_unit_display()


@dataclass
class CommitmentProgress:
    commitment: Commitment
    status: rag.Status
    measures: list[MeasureProgress]
    actions: list[CharterAction] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class CharterProgress:
    charter: Charter
    commitments: list[CommitmentProgress]
    actions: list[CharterAction]
    overdue_actions: list[CharterAction]
    evidence: list[Evidence]
    next_review: Review | None
    today: date
    rule: str = rag.RULE

    @property
    def counts(self) -> list[tuple[rag.Status, int]]:
        """How many commitments are in each status, worst first, for the summary."""
        order = [rag.RED, rag.AMBER, rag.GREEN, rag.GREY]
        return [
            (rag.Status(colour, rag.LABELS[colour], ""), count)
            for colour in order
            if (count := sum(1 for c in self.commitments if c.status.colour == colour))
        ]

    @property
    def measure_count(self) -> int:
        return sum(len(c.measures) for c in self.commitments)


def _measures_prefetch() -> Prefetch:
    return Prefetch(
        "measures",
        queryset=Measure.objects.prefetch_related(
            Prefetch(
                "readings",
                queryset=Reading.objects.select_related("evidence__document").order_by(
                    "period_end"
                ),
            ),
            "targets",
        ),
    )


def _definition(measure: Measure) -> str:
    if measure.is_computed and measure.calculation in calculation_names():
        return get_calculation(measure.calculation).definition
    return measure.description or "Entered by HR each period, with a note and evidence."


def measure_progress(
    measure: Measure, *, adopted_on: date, today: date, public: bool
) -> MeasureProgress:
    unit = measure.unit
    readings: list[Reading] = list(measure.readings.all())
    targets = sorted(measure.targets.all(), key=lambda t: t.due_on)

    def describe(value) -> str:
        return format_value(value, unit)

    shown = [r for r in readings if not (public and _withheld(r, unit))]
    baseline = rag.Point(adopted_on, measure.baseline) if measure.baseline is not None else None
    first = rag.Point(readings[0].period_end, readings[0].value) if readings else None
    target_points = [rag.Point(t.due_on, t.value) for t in targets]
    latest_reading = readings[-1] if readings else None
    if public and latest_reading is not None and _withheld(latest_reading, unit):
        status = rag.Status(
            rag.GREY, "Not shown", f"The latest reading counts {FEWER_THAN} people."
        )
    else:
        status = rag.status(
            latest=rag.Point(latest_reading.period_end, latest_reading.value)
            if latest_reading
            else None,
            targets=target_points,
            baseline=baseline,
            higher_is_better=measure.better == Measure.Better.HIGHER,
            first_reading=first,
            describe=describe,
        )
    start = baseline or first
    trajectory = (
        [start, *[t for t in target_points if t.day > start.day]] if start else target_points
    )

    def expected_text(day: date) -> str:
        if not target_points:
            return "-"
        return describe(rag.expected_on(day, trajectory))

    rows = [
        ReadingRow(
            period=period_label(r.period_start, r.period_end),
            period_end=r.period_end,
            value=(_withheld(r, unit) or describe(r.value)) if public else describe(r.value),
            expected=expected_text(r.period_end),
            numerator=count_shown(r.numerator) if public else _plain_count(r.numerator),
            denominator=count_shown(r.denominator) if public else _plain_count(r.denominator),
            note="" if public else r.note,
            source="Computed" if r.computed_at else "Entered by HR",
            evidence=None if public else r.evidence,
        )
        for r in reversed(readings)
    ]
    target_rows = [_target_row(t, readings, measure, today, describe) for t in targets]
    return MeasureProgress(
        measure=measure,
        status=status,
        chart=chart(
            readings=[(r.period_end, r.value, describe(r.value)) for r in shown],
            targets=[(t.due_on, t.value, f"Target {describe(t.value)}") for t in targets],
            trajectory=[(p.day, p.value) for p in trajectory] if len(trajectory) > 1 else [],
            unit=unit,
            describe=describe,
        ),
        rows=rows,
        targets=target_rows,
        latest=rows[0].value if rows else "Not yet measured",
        definition=_definition(measure),
        chart_id=f"measure-{measure.pk}",
    )


def _plain_count(number) -> str:
    return "-" if number is None else f"{number:,}"


def _withheld(reading: Reading, unit: str) -> str | None:
    """What the public sees instead of ``reading``'s value, or None when it may be shown."""
    return value_withheld(reading.value, denominator=reading.denominator, is_count=unit == "count")


def _target_row(target, readings, measure, today, describe) -> TargetRow:
    """Was the target met? The reading whose period ends nearest on or before its date."""
    if target.due_on > today:
        met = "Not due yet"
    else:
        before = [r for r in readings if r.period_end <= target.due_on]
        if not before:
            met = "Not measured"
        else:
            value = before[-1].value
            higher = measure.better == Measure.Better.HIGHER
            met = (
                "Met" if (value >= target.value if higher else value <= target.value) else "Missed"
            )
    return TargetRow(target.due_on, describe(target.value), target.note, met)


def charter_progress(charter_id: int, *, today: date, public: bool = False) -> CharterProgress:
    """A charter's commitments with each measure's readings, targets, status and chart, its
    actions (overdue first), evidence and next review, in seven queries."""
    charter = (
        Charter.objects.select_related("organisation", "lead")
        .prefetch_related(
            Prefetch(
                "commitments", queryset=Commitment.objects.prefetch_related(_measures_prefetch())
            )
        )
        .get(pk=charter_id)
    )
    actions = list(
        CharterAction.objects.filter(charter=charter)
        .select_related("commitment")
        .order_by("due_on", "pk")
    )
    evidence = list(
        Evidence.objects.filter(charter=charter).select_related("commitment", "document")
    )
    next_review = (
        Review.objects.filter(charter=charter, held_on__isnull=True, due_on__gte=today)
        .order_by("due_on")
        .first()
    )
    commitments = []
    for commitment in charter.commitments.all():
        measures = [
            measure_progress(m, adopted_on=charter.adopted_on, today=today, public=public)
            for m in commitment.measures.all()
        ]
        commitments.append(
            CommitmentProgress(
                commitment=commitment,
                status=rag.worst([m.status for m in measures]),
                measures=measures,
                actions=[a for a in actions if a.commitment_id == commitment.pk],
                evidence=[e for e in evidence if e.commitment_id == commitment.pk],
            )
        )
    return CharterProgress(
        charter=charter,
        commitments=commitments,
        actions=actions,
        overdue_actions=[a for a in actions if a.is_overdue(today)],
        evidence=evidence,
        next_review=next_review,
        today=today,
    )


# --- HR's admin home ------------------------------------------------------------------------


def charters_to_keep(user, *, today: date) -> list[Charter]:
    """The charters the person keeps, newest first, each with what is waiting on them:
    ``actions_open`` and ``actions_overdue`` (not done) and ``next_review_due`` (not held)."""
    not_done = ~Q(actions__status=CharterAction.Status.DONE)
    return list(
        charters_kept_by(user)
        .select_related("organisation")
        .annotate(
            actions_open=Count("actions", filter=not_done, distinct=True),
            actions_overdue=Count(
                "actions", filter=not_done & Q(actions__due_on__lt=today), distinct=True
            ),
            next_review_due=Min("reviews__due_on", filter=Q(reviews__held_on__isnull=True)),
        )
        .order_by("organisation__name", "-adopted_on", "-pk")
    )


# --- The public pages ------------------------------------------------------------------------


def charters_published(user) -> list[Charter]:
    """The latest published charter of each organisation, by organisation name."""
    charters = (
        visible_to(user, Charter)
        .filter(published=True)
        .select_related("organisation")
        .order_by("organisation__name", "-adopted_on", "-pk")
    )
    latest: dict[int, Charter] = {}
    for charter in charters:
        latest.setdefault(charter.organisation_id, charter)
    return list(latest.values())


def charter_for_public_page(user, organisation_slug: str) -> Charter:
    """The organisation's latest published charter, or a 404."""
    charter = (
        visible_to(user, Charter)
        .filter(published=True, organisation__slug=organisation_slug)
        .select_related("organisation")
        .order_by("-adopted_on", "-pk")
        .first()
    )
    if charter is None:
        raise Http404
    return charter
