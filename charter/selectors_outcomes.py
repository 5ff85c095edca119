"""Reads behind the public outcomes pages and the board report's "Partnership outcomes":
each programme with its outcome measures, their before-and-after comparisons (figures as
they may be shown, ``charter.change``) and dated targets judged by the charter's own rule
(``charter.rag``). A programme's whole page costs the same handful of queries however many
measures, comparisons, offers and teams it has."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.http import Http404

from cms.dates import day_in_words
from cms.models import OfferPage
from cms.permissions import can, visible_to

from . import change, rag
from .models import Comparison, OutcomeMeasure, Programme
from .periods import period_label

# Outcomes are compared year on year: a latest figure is out of date after two years.
FREQUENCY = "annually"
TARGETS_RULE = (
    "Targets are judged by the charter's own rule, taking each before and after figure as a "
    f"reading on the last day of its period. {rag.RULE}"
)


@dataclass(frozen=True)
class ComparisonLine:
    comparison: Comparison
    before_period: str
    after_period: str
    figures: change.Figures
    source: str
    note: str


@dataclass(frozen=True)
class TargetLine:
    due_on: date
    value: str
    note: str
    met: str


@dataclass(frozen=True)
class MeasureOutcome:
    measure: OutcomeMeasure
    comparisons: list[ComparisonLine]
    targets: list[TargetLine]
    status: rag.Status | None  # None when the measure has no targets
    method: str

    @property
    def anchor(self) -> str:
        return f"measure-{self.measure.pk}"


@dataclass(frozen=True)
class OfferLink:
    title: str
    url: str
    provider: str


@dataclass(frozen=True)
class ProgrammeOutcomes:
    programme: Programme
    measures: list[MeasureOutcome]
    offers: list[OfferLink]
    teams: list[str]
    led_by: list[str]
    today: date
    change_method: str = change.METHOD
    targets_rule: str = TARGETS_RULE

    @property
    def has_targets(self) -> bool:
        return any(m.targets for m in self.measures)


def _describe(measure: OutcomeMeasure):
    per = measure.per if measure.is_rate else None

    def describe(value) -> str:
        return f"{change.number(value)}{change.unit_words(per)}"

    return describe


def _source(comparison: Comparison, *, public: bool) -> str:
    if not comparison.is_entered:
        return "Computed from the platform's own data"
    when = f" on {day_in_words(comparison.entered_at)}" if comparison.entered_at else ""
    who = "" if public or comparison.entered_by is None else f" by {comparison.entered_by}"
    return f"Entered by hand{who}{when}"


def _points(measure: OutcomeMeasure, comparisons: list[Comparison]) -> list[rag.Point]:
    """The comparisons' figures as readings, each on the last day of its period."""
    by_day = {}
    for c in sorted(comparisons, key=lambda c: (c.after_end, c.pk)):
        by_day[c.before_end] = c.before_value
        by_day[c.after_end] = c.after_value
    return [rag.Point(day, value) for day, value in sorted(by_day.items()) if value is not None]


def _held_back(measure: OutcomeMeasure, comparisons: list[Comparison], day: date) -> bool:
    """Is the figure read on ``day`` one the small-numbers rule holds back?"""
    return any(
        change.withheld(c, measure, side)
        for c in comparisons
        for side in ("before", "after")
        if getattr(c, f"{side}_end") == day
    )


def measure_outcome(measure: OutcomeMeasure, *, today: date, public: bool) -> MeasureOutcome:
    comparisons = list(measure.comparisons.all())
    targets = sorted(measure.targets.all(), key=lambda t: t.due_on)
    describe = _describe(measure)
    higher = measure.better == OutcomeMeasure.Better.HIGHER
    points = _points(measure, comparisons)
    status = None
    if targets:
        latest = points[-1] if points else None
        out_of_date = ""
        if latest is not None and rag.is_out_of_date(latest.day, frequency=FREQUENCY, today=today):
            ended = day_in_words(latest.day)
            out_of_date = f"Out of date: the latest figure is for a period that ended on {ended}"
        if public and latest is not None and _held_back(measure, comparisons, latest.day):
            status = rag.Status(rag.GREY, rag.NOT_SHOWN, "The latest figure is held back.")
        else:
            status = rag.status(
                latest=latest,
                targets=[rag.Point(t.due_on, t.value) for t in targets],
                baseline=rag.Point(measure.baseline_on, measure.baseline)
                if measure.baseline is not None and measure.baseline_on
                else None,
                higher_is_better=higher,
                first_reading=points[0] if points else None,
                describe=describe,
                out_of_date=out_of_date,
            )
    method = measure.method
    if measure.is_rate:
        method = f"{method} {change.RATE_METHOD}"
    return MeasureOutcome(
        measure=measure,
        comparisons=[
            ComparisonLine(
                comparison=c,
                before_period=period_label(c.before_start, c.before_end),
                after_period=period_label(c.after_start, c.after_end),
                figures=change.figures(c, measure),
                source=_source(c, public=public),
                note=c.note,
            )
            for c in comparisons
        ],
        targets=[
            TargetLine(
                due_on=t.due_on,
                value=describe(t.value),
                note=t.note,
                met=rag.target_verdict(
                    rag.Point(t.due_on, t.value), points, today=today, higher_is_better=higher
                )[0],
            )
            for t in targets
        ],
        status=status,
        method=method,
    )


def _programmes_with_everything():
    return Programme.objects.prefetch_related(
        Prefetch(
            "measures",
            queryset=OutcomeMeasure.objects.prefetch_related(
                Prefetch(
                    "comparisons",
                    queryset=Comparison.objects.select_related("entered_by").order_by(
                        "-after_end", "pk"
                    ),
                ),
                "targets",
            ),
        ),
        Prefetch(
            "offers",
            queryset=OfferPage.objects.live().select_related("provider").order_by("title"),
        ),
        Prefetch("teams", queryset=_team_queryset()),
        "lead_organisations",
    )


def _team_queryset():
    return Programme.teams.rel.model.objects.select_related("organisation").order_by(
        "organisation__name", "name"
    )


def _outcomes(programme: Programme, *, today: date, public: bool, request=None):
    return ProgrammeOutcomes(
        programme=programme,
        measures=[measure_outcome(m, today=today, public=public) for m in programme.measures.all()],
        offers=[
            OfferLink(title=o.title, url=o.get_url(request) or "", provider=o.provider.name)
            for o in programme.offers.all()
        ],
        teams=[f"{t.name} ({t.organisation.name})" for t in programme.teams.all()],
        led_by=[o.name for o in programme.lead_organisations.all()],
        today=today,
    )


# --- The public pages --------------------------------------------------------------------------


def programmes_published(user) -> list[Programme]:
    """Every published programme, by name, with the organisations that lead it."""
    return list(
        visible_to(user, Programme)
        .filter(published=True)
        .prefetch_related("lead_organisations")
        .order_by("name")
    )


def programme_for_public_page(user, slug: str) -> Programme:
    """The programme at ``slug`` if the person may read it (published, or a keeper
    previewing a draft), or a 404."""
    programme = visible_to(user, Programme).filter(slug=slug).first()
    if programme is None or not can(user, "charter.view_programme", programme):
        raise Http404
    return programme


def programme_outcomes(
    programme_id: int, *, today: date, public: bool = True, request=None
) -> ProgrammeOutcomes:
    """A programme with every measure's comparisons and targets, its offers (live ones) and
    teams, in eight queries."""
    programme = _programmes_with_everything().get(pk=programme_id)
    return _outcomes(programme, today=today, public=public, request=request)


# --- The board report --------------------------------------------------------------------------


def partnership_outcomes(*, today: date) -> list[ProgrammeOutcomes]:
    """Every published programme's outcomes, for the board report, by name. Figures are
    shown as on the public page (small numbers held back): a board report travels."""
    programmes = _programmes_with_everything().filter(published=True).order_by("name")
    return [_outcomes(p, today=today, public=True) for p in programmes]
