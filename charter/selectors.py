"""Reads that feed the charter's dashboard, public page and board report, with their
``select_related`` / ``prefetch_related``: a charter's whole progress costs the same handful
of queries however many commitments, measures and readings it has."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Min, Prefetch, Q, prefetch_related_objects
from django.http import Http404

from cms.dates import day_in_words, uk_time
from cms.disclosure import FEWER_THAN, count_shown, value_withheld
from cms.permissions import visible_to

from . import rag
from .calculations import calculation_names, get_calculation
from .charts import Chart, chart
from .display import format_value
from .models import (
    Charter,
    CharterAction,
    Commitment,
    Evidence,
    Measure,
    Reading,
    Review,
    Target,
)
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
    source: str  # "Computed by the platform on …" or "Entered by … on …"
    evidence: Evidence | None = None
    withheld: bool = False  # held back from the public: its counts are not shown either
    is_target = False

    @property
    def sort_key(self) -> tuple[date, int]:
        return (self.period_end, 0)

    @property
    def counts(self) -> str:
        """What follows the value when it was worked out from counts that may be shown, like
        " (8 of 20)"; empty otherwise."""
        if self.denominator == "-" or self.withheld:
            return ""
        return f" ({self.numerator} of {self.denominator})"


@dataclass(frozen=True)
class TargetRow:
    due_on: date
    value: str
    note: str
    met: str  # rag.MET, rag.MISSED, rag.NOT_DUE or rag.NOT_KNOWN
    judged_on: str = ""  # the reading it was judged on: "61% for January to March 2025"
    is_target = True

    @property
    def sort_key(self) -> tuple[date, int]:
        # A target sits just after the reading that ends on its date (that reading judges it).
        return (self.due_on, 1)

    @property
    def verdict(self) -> str:
        """Like "Met: 61% for January to March 2025" or "Not due yet"."""
        return f"{self.met}: {self.judged_on}" if self.judged_on else self.met


@dataclass
class MeasureProgress:
    measure: Measure
    status: rag.Status
    chart: Chart
    rows: list[ReadingRow]
    targets: list[TargetRow]
    latest: str
    definition: str
    starting_point: str = ""
    chart_id: str = ""

    @property
    def unit_label(self) -> str:
        return self.measure.get_unit_display()

    @property
    def out_of_date(self) -> str:
        return self.status.out_of_date

    @property
    def table(self) -> list[ReadingRow | TargetRow]:
        """Readings and targets in one list, newest first: what the chart draws, in words."""
        return sorted([*self.rows, *self.targets], key=lambda row: row.sort_key, reverse=True)


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
    rule_parts: tuple[str, ...] = rag.RULE_PARTS

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
    # Each is ordered within its parent, as its model's ordering would: that ordering starts
    # from the parent's own and so joins every table up to the organisation.
    return Prefetch(
        "measures",
        queryset=Measure.objects.order_by("sort_order", "pk").prefetch_related(
            Prefetch(
                "readings",
                queryset=Reading.objects.select_related("evidence", "entered_by").order_by(
                    "period_end"
                ),
            ),
            Prefetch("targets", queryset=Target.objects.order_by("due_on")),
        ),
    )


def _definition(measure: Measure) -> str:
    if measure.is_computed and measure.calculation in calculation_names():
        return get_calculation(measure.calculation).definition
    return measure.description or "Entered by HR each period, with a note and evidence."


def _days_in_words() -> Callable[[date], str]:
    """``day_in_words``, each day worked out once: a charter's hundreds of readings were
    computed or entered on a few days, and saying a day is the dearest part of a row."""
    said: dict[date, str] = {}

    def say(value: date) -> str:
        day = uk_time(value).date() if isinstance(value, datetime) else value
        words = said.get(day)
        if words is None:
            words = said[day] = day_in_words(day)
        return words

    return say


def _source(
    reading: Reading,
    *,
    organisation: str,
    public: bool,
    say_day: Callable[[date], str] = day_in_words,
) -> str:
    """Who made the figure and when: the platform's calculation, or a person (the
    organisation, in public: no staff names on the public page)."""
    if reading.computed_at:
        return f"Computed by the platform on {say_day(reading.computed_at)}"
    if public:
        who = organisation
    else:
        who = (
            (reading.entered_by.get_full_name() or reading.entered_by.email)
            if (reading.entered_by)
            else "HR"
        )
    return f"Entered by {who} on {say_day(reading.updated_at)}"


def measure_progress(
    measure: Measure,
    *,
    adopted_on: date,
    today: date,
    public: bool,
    organisation: str = "",
    days_in_words: Callable[[date], str] | None = None,
) -> MeasureProgress:
    """One measure's status, chart and table. Its readings and targets must be prefetched
    (``_measures_prefetch``) and ``organisation`` is the name said for entered figures in
    public; ``days_in_words`` (from ``_days_in_words``) may be shared by a charter's
    measures."""
    say_day = days_in_words or _days_in_words()
    unit = measure.unit
    readings: list[Reading] = list(measure.readings.all())
    targets = sorted(measure.targets.all(), key=lambda t: t.due_on)
    higher = measure.better == Measure.Better.HIGHER

    def describe(value) -> str:
        return format_value(value, unit)

    def shown_value(reading: Reading) -> str:
        return (
            (_withheld(reading, unit) or describe(reading.value))
            if public
            else describe(reading.value)
        )

    shown = [r for r in readings if not (public and _withheld(r, unit))]
    baseline = None
    if measure.baseline is not None:
        baseline = rag.Point(measure.baseline_on or adopted_on, measure.baseline)
    points = [rag.Point(r.period_end, r.value) for r in readings]
    first = points[0] if points else None
    target_points = [rag.Point(t.due_on, t.value) for t in targets]
    latest_reading = readings[-1] if readings else None
    out_of_date = ""
    if latest_reading is not None and rag.is_out_of_date(
        latest_reading.period_end, frequency=measure.frequency, today=today
    ):
        period = period_label(latest_reading.period_start, latest_reading.period_end)
        out_of_date = f"Out of date: last reading for {period}"
    # In public, a trajectory that starts from a withheld first reading would give its value
    # away (the expected figures and the line lead back to it), so none of it is shown.
    start_withheld = bool(public and baseline is None and readings and _withheld(readings[0], unit))
    if public and latest_reading is not None and _withheld(latest_reading, unit):
        status = rag.Status(
            rag.GREY,
            rag.NOT_SHOWN,
            f"The latest reading counts {FEWER_THAN} people.",
            out_of_date=out_of_date,
        )
    elif start_withheld and target_points and len(readings) > 1:
        status = rag.Status(
            rag.GREY,
            rag.NOT_SHOWN,
            f"The starting point, the first reading, counts {FEWER_THAN} people, so the "
            "trajectory and this status are not shown.",
            out_of_date=out_of_date,
        )
    else:
        status = rag.status(
            latest=points[-1] if points else None,
            targets=target_points,
            baseline=baseline,
            higher_is_better=higher,
            first_reading=first,
            describe=describe,
            out_of_date=out_of_date,
        )
    trajectory = [] if start_withheld else rag.trajectory(baseline or first, target_points)

    def expected_text(reading: Reading) -> str:
        if not target_points:
            return "-"
        if baseline is None and reading is readings[0]:
            return "Starting point"
        if start_withheld:
            return "Not shown"
        return describe(rag.expected_on(reading.period_end, trajectory))

    rows = [
        ReadingRow(
            period=period_label(r.period_start, r.period_end),
            period_end=r.period_end,
            value=shown_value(r),
            expected=expected_text(r),
            numerator=count_shown(r.numerator) if public else _plain_count(r.numerator),
            denominator=count_shown(r.denominator) if public else _plain_count(r.denominator),
            note="" if public else r.note,
            source=_source(r, organisation=organisation, public=public, say_day=say_day),
            evidence=None if public else r.evidence,
            withheld=bool(public and _withheld(r, unit)),
        )
        for r in reversed(readings)
    ]
    by_point = dict(zip(points, readings, strict=True))
    target_rows = []
    for target, point in zip(targets, target_points, strict=True):
        met, judged = rag.target_verdict(point, points, today=today, higher_is_better=higher)
        judged_on = ""
        if judged is not None:
            reading = by_point[judged]
            if public and _withheld(reading, unit):
                met = "Not shown"
            period = period_label(reading.period_start, reading.period_end)
            judged_on = f"{shown_value(reading)} for {period}"
        target_rows.append(
            TargetRow(target.due_on, describe(target.value), target.note, met, judged_on)
        )
    if baseline is not None:
        starting_point = f"Baseline: {describe(baseline.value)} on {say_day(baseline.day)}."
    elif not targets:
        starting_point = ""
    elif readings:
        starting_point = (
            "No baseline was recorded, so the first reading, for "
            f"{period_label(readings[0].period_start, readings[0].period_end)}, is the "
            "starting point."
        )
    else:
        starting_point = "No baseline was recorded: the first reading will be the starting point."
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
        starting_point=starting_point,
        chart_id=f"measure-{measure.pk}",
    )


def _plain_count(number) -> str:
    return "-" if number is None else f"{number:,}"


def _withheld(reading: Reading, unit: str) -> str | None:
    """What the public sees instead of ``reading``'s value, or None when it may be shown."""
    return value_withheld(reading.value, denominator=reading.denominator, is_count=unit == "count")


def charter_progress(
    charter: int | Charter, *, today: date, public: bool = False
) -> CharterProgress:
    """A charter's commitments with each measure's readings, targets, status and chart, its
    actions (overdue first), evidence and next review, in eight queries; seven when given
    the charter itself, already fetched with its organisation, rather than its id."""
    commitments_prefetch = Prefetch(
        "commitments",
        queryset=Commitment.objects.order_by("number").prefetch_related(_measures_prefetch()),
    )
    if isinstance(charter, Charter):
        prefetch_related_objects([charter], commitments_prefetch)
    else:
        charter = (
            Charter.objects.select_related("organisation")
            .prefetch_related(commitments_prefetch)
            .get(pk=charter)
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
    days_in_words = _days_in_words()
    for commitment in charter.commitments.all():
        measures = [
            measure_progress(
                m,
                adopted_on=charter.adopted_on,
                today=today,
                public=public,
                organisation=charter.organisation.name,
                days_in_words=days_in_words,
            )
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


def charter_versions_published(user, organisation_slug: str) -> list[Charter]:
    """Every published version of the organisation's charter, latest adopted first (the one
    the organisation's own address shows), in one query; a 404 when there is none."""
    versions = list(
        visible_to(user, Charter)
        .filter(published=True, organisation__slug=organisation_slug)
        .select_related("organisation")
        .order_by("-adopted_on", "-pk")
    )
    if not versions:
        raise Http404
    return versions
