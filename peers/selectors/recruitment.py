"""Reads of peer-role recruitment: the public listing, a candidate's own applications, HR's
pipeline board, and the numbers the recruitment report and the charter use (time to hire,
stage conversion, interview panels with lived experience, roles filled by people with lived
experience, equality monitoring in suppressed totals).

Every list starts from ``visible_to``. The report's numbers take ``organisation_ids`` (None
for every organisation) and a period; an application belongs to the period it was made in,
a hire to the period it started in.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from cms.disclosure import enough_to_break_down, total_shown
from cms.permissions import scope_to_organisation, visible_to

from ..models import EqualityMonitoring, JobApplication, PreEmploymentCheck, Vacancy
from ..services.recruitment import PIPELINE

Stage = JobApplication.Stage

# --- The public listing and the candidate's own ------------------------------------------------


def vacancies_open(user, *, today: date | None = None):
    """Open vacancies whose closing date has not passed, soonest closing first."""
    today = today or timezone.localdate()
    return (
        visible_to(user, Vacancy)
        .filter(status=Vacancy.Status.OPEN, closing_date__gte=today)
        .select_related("organisation", "level")
        .order_by("closing_date", "title")
    )


def vacancy_for_page(user, slug: str) -> Vacancy:
    """A vacancy's public page: open or closed ones (a closed one says so); drafts are a 404
    for everyone but HR of its organisation."""
    vacancy = (
        Vacancy.objects.select_related("organisation", "level")
        .filter(slug=slug)
        .exclude(status=Vacancy.Status.DRAFT)
        .first()
    )
    if vacancy is None:
        vacancy = (
            visible_to(user, Vacancy)
            .select_related("organisation", "level")
            .filter(slug=slug)
            .first()
        )
    if vacancy is None:
        raise Http404
    return vacancy


def applications_of(user):
    """The person's own applications, newest first."""
    if not user.is_authenticated:
        return JobApplication.objects.none()
    return (
        visible_to(user, JobApplication)
        .filter(candidate=user)
        .select_related("vacancy__organisation")
        .order_by("-applied_at")
    )


def own_application(user, pk: int) -> JobApplication:
    """One of the person's own applications; anyone else's is a 404, as if it did not exist."""
    application = applications_of(user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def application_for(user, vacancy: Vacancy) -> JobApplication | None:
    if not user.is_authenticated:
        return None
    return applications_of(user).filter(vacancy=vacancy).first()


# --- HR's pipeline --------------------------------------------------------------------------


def vacancies_managed_by(user):
    """The vacancies HR runs: their organisation's (every one, for partnership-wide access)."""
    return scope_to_organisation(user, visible_to(user, Vacancy))


def applications_managed_by(user):
    return visible_to(user, JobApplication).filter(
        vacancy__in=vacancies_managed_by(user).values("pk")
    )


@dataclass
class Column:
    stage: str
    label: str
    cards: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.cards)


def pipeline_board(user, vacancy: Vacancy) -> list[Column]:
    """The vacancy's applications in columns by stage, in pipeline order, then the closed
    ones. Two queries whatever the number of candidates."""
    columns = {stage: Column(stage, stage.label) for stage in [*PIPELINE, *CLOSED_COLUMNS]}
    applications = (
        applications_managed_by(user)
        .filter(vacancy=vacancy)
        .select_related("candidate")
        .prefetch_related(Prefetch("checks", queryset=PreEmploymentCheck.objects.order_by("kind")))
        .order_by("applied_at")
    )
    for application in applications:
        columns[application.stage].cards.append(application)
    return list(columns.values())


CLOSED_COLUMNS = [Stage.UNSUCCESSFUL, Stage.WITHDRAWN]


def application_for_hr(user, pk: int) -> JobApplication:
    application = (
        applications_managed_by(user)
        .select_related("vacancy__organisation", "vacancy__level", "candidate", "worker")
        .prefetch_related("panel_members", "checks")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    return application


# --- Numbers for the report and the charter ---------------------------------------------------


def _in_organisations(queryset, organisation_ids, field: str = "vacancy__organisation_id"):
    if organisation_ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": list(organisation_ids)})


def _hires(*, organisation_ids, start: date, end: date):
    return _in_organisations(
        JobApplication.objects.filter(
            stage=Stage.STARTED, started_on__gte=start, started_on__lte=end
        ),
        organisation_ids,
    )


def _median(values) -> float | None:
    values = list(values)
    return float(statistics.median(values)) if values else None


def time_to_hire_days(*, organisation_ids=None, start: date, end: date) -> float | None:
    """The median days from applying to starting, for people who started in the period."""
    hires = _hires(organisation_ids=organisation_ids, start=start, end=end)
    return _median(
        (started_on - timezone.localtime(applied_at).date()).days
        for started_on, applied_at in hires.values_list("started_on", "applied_at")
    )


def closing_to_offer_days(*, organisation_ids=None, start: date, end: date) -> float | None:
    """The median days from a vacancy's closing date to its offers, for offers made in the
    period (an offer made before the closing date counts as 0)."""
    offers = _in_organisations(
        JobApplication.objects.filter(offered_on__gte=start, offered_on__lte=end),
        organisation_ids,
    )
    return _median(
        max((offered_on - closing).days, 0)
        for offered_on, closing in offers.values_list("offered_on", "vacancy__closing_date")
    )


def interviews_with_lived_experience(
    *, organisation_ids=None, start: date, end: date
) -> tuple[int, int]:
    """(interviews whose panel included someone with lived experience, all interviews), for
    interviews held in the period."""
    interviews = _in_organisations(
        JobApplication.objects.filter(
            interview_at__date__gte=start,
            interview_at__date__lte=end,
            interview_panel_has_lived_experience__isnull=False,
        ),
        organisation_ids,
    ).aggregate(
        total=Count("pk"),
        with_lived=Count("pk", filter=Q(interview_panel_has_lived_experience=True)),
    )
    return interviews["with_lived"], interviews["total"]


def roles_filled_by_lived_experience(
    *, organisation_ids=None, start: date, end: date
) -> tuple[int, int]:
    """(hires whose application declared lived experience, all hires) in the period."""
    hires = _hires(organisation_ids=organisation_ids, start=start, end=end).aggregate(
        total=Count("pk"), lived=Count("pk", filter=Q(has_lived_experience=True))
    )
    return hires["lived"], hires["total"]


# The date each stage is reached; an application that has a date reached that stage, even if
# it later became unsuccessful or was withdrawn.
STAGE_REACHED = {
    Stage.APPLIED: Q(),
    Stage.SHORTLISTED: Q(shortlisted_on__isnull=False),
    Stage.INTERVIEW: Q(interview_at__isnull=False),
    Stage.OFFER: Q(offered_on__isnull=False),
    Stage.CHECKS: Q(checks_started_on__isnull=False),
    Stage.STARTED: Q(started_on__isnull=False),
}


@dataclass(frozen=True)
class StageConversion:
    stage: str
    label: str
    reached: int
    percent: int  # of all applications


def stage_conversion(*, organisation_ids=None, start: date, end: date) -> list[StageConversion]:
    """Of the applications made in the period, how many (and what share) reached each stage.
    One query."""
    applications = _in_organisations(
        JobApplication.objects.filter(applied_at__date__gte=start, applied_at__date__lte=end),
        organisation_ids,
    )
    counts = applications.aggregate(
        **{stage.value: Count("pk", filter=condition) for stage, condition in STAGE_REACHED.items()}
    )
    total = counts[Stage.APPLIED.value]
    return [
        StageConversion(
            stage=stage,
            label=stage.label,
            reached=counts[stage.value],
            percent=round(100 * counts[stage.value] / total) if total else 0,
        )
        for stage in STAGE_REACHED
    ]


def outcomes(*, organisation_ids=None, start: date, end: date) -> dict[str, int]:
    """Applications made in the period that ended unsuccessful or withdrawn, and how many
    unsuccessful candidates were offered feedback."""
    applications = _in_organisations(
        JobApplication.objects.filter(applied_at__date__gte=start, applied_at__date__lte=end),
        organisation_ids,
    )
    return applications.aggregate(
        unsuccessful=Count("pk", filter=Q(stage=Stage.UNSUCCESSFUL)),
        withdrawn=Count("pk", filter=Q(stage=Stage.WITHDRAWN)),
        feedback_offered=Count(
            "pk", filter=Q(stage=Stage.UNSUCCESSFUL, feedback_offered_on__isnull=False)
        ),
        with_adjustments=Count("pk", filter=Q(adjustments_requested__gt="")),
        with_adjustments_agreed=Count(
            "pk", filter=Q(adjustments_requested__gt="", adjustments_agreed__gt="")
        ),
    )


# --- Equality monitoring, only in suppressed totals -------------------------------------------


@dataclass(frozen=True)
class EqualityQuestion:
    label: str
    rows: list[tuple[str, str]]  # (answer, suppressed count)


EQUALITY_QUESTIONS = [
    ("age_band", "Age", EqualityMonitoring.AgeBand),
    ("gender", "Gender", EqualityMonitoring.Gender),
    ("ethnicity", "Ethnic group", EqualityMonitoring.Ethnicity),
    ("disability", "Disability or long-term condition", EqualityMonitoring.Disability),
    ("sexual_orientation", "Sexual orientation", EqualityMonitoring.SexualOrientation),
]


@dataclass(frozen=True)
class EqualitySummary:
    answered: str  # how many applications answered, suppressed
    enough: bool  # only then are totals by answer shown at all
    questions: list[EqualityQuestion]


def equality_summary(*, organisation_ids=None, start: date, end: date) -> EqualitySummary:
    """Equality monitoring answers of applications made in the period, counted per answer.
    Below 5 answers in all, nothing is broken down: with so few, any total could point at
    someone. One query per question."""
    answers = _in_organisations(
        EqualityMonitoring.objects.filter(
            application__applied_at__date__gte=start, application__applied_at__date__lte=end
        ),
        organisation_ids,
        field="application__vacancy__organisation_id",
    )
    total = answers.count()
    questions = []
    if enough_to_break_down(total):
        for name, label, choices in EQUALITY_QUESTIONS:
            counts = dict(answers.exclude(**{name: ""}).values_list(name).annotate(n=Count("pk")))
            rows = [
                (choice_label, total_shown(counts.get(value, 0)))
                for value, choice_label in choices.choices
            ]
            rows.append(("Not answered", total_shown(total - sum(counts.values()))))
            questions.append(EqualityQuestion(label, rows))
    return EqualitySummary(
        answered=total_shown(total), enough=enough_to_break_down(total), questions=questions
    )


@dataclass(frozen=True)
class RecruitmentReport:
    start: date
    end: date
    time_to_hire: float | None
    closing_to_offer: float | None
    conversion: list[StageConversion]
    interviews_with_lived: int
    interviews: int
    hires_with_lived: int
    hires: int
    outcomes: dict
    equality: EqualitySummary


def recruitment_report(*, organisation_ids=None, start: date, end: date) -> RecruitmentReport:
    period = {"organisation_ids": organisation_ids, "start": start, "end": end}
    with_lived, interviews = interviews_with_lived_experience(**period)
    hires_lived, hires = roles_filled_by_lived_experience(**period)
    return RecruitmentReport(
        start=start,
        end=end,
        time_to_hire=time_to_hire_days(**period),
        closing_to_offer=closing_to_offer_days(**period),
        conversion=stage_conversion(**period),
        interviews_with_lived=with_lived,
        interviews=interviews,
        hires_with_lived=hires_lived,
        hires=hires,
        outcomes=outcomes(**period),
        equality=equality_summary(**period),
    )
