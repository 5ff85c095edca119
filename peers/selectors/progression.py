"""Reads of the progression pathway and induction: where a worker is on the pathway and
what is left for the next level, the workers whose pathways a person may open, what goes
into the portfolio, and the charter's count of progressions.

Each read costs a fixed number of queries whatever the number of competences, evidence,
training records or sessions: rows are fetched in one query per kind and put together in
Python, and hours are summed in SQL.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.text import slugify

from cms.permissions import visible_to

from ..models import (
    Competence,
    CompetenceEvidence,
    CompetenceSignOff,
    InductionItem,
    Level,
    PeerWorker,
    ProgressionReview,
    SessionLog,
    Training,
    TrainingRecord,
)
from ..models.progression import DOMAIN_ORDER
from ..models.sessions import Setting

# --- Helpers -----------------------------------------------------------------------------


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def hours(minutes) -> Decimal:
    """Minutes as hours, to one decimal place."""
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"))


# --- Where a worker is on the pathway ------------------------------------------------------


@dataclass
class CompetenceStatus:
    competence: Competence
    evidence: list[CompetenceEvidence]
    sign_off: CompetenceSignOff | None

    @property
    def signed_off(self) -> bool:
        return self.sign_off is not None


@dataclass
class TrainingStatus:
    """A course a level needs, and the worker's latest record of it (if any)."""

    training: Training
    record: TrainingRecord | None
    today: date

    @property
    def state(self) -> str:
        if self.record is None:
            return "missing"
        if self.record.expires_on is not None and self.record.expires_on < self.today:
            return "expired"
        return "done"


@dataclass
class Pathway:
    """A worker's place on the pathway: their level, the next one, and what is left."""

    worker: PeerWorker
    level: Level
    next_level: Level | None
    level_since: date
    competences: list[CompetenceStatus]
    training: list[TrainingStatus]
    training_records: list[TrainingRecord]
    sign_offs: list[CompetenceSignOff]
    reviews: list[ProgressionReview]
    practice_minutes: int
    evidence_count: int
    today: date = field(default_factory=timezone.localdate)

    @property
    def practice_hours(self) -> Decimal:
        return hours(self.practice_minutes)

    @property
    def minimum_hours(self) -> int:
        return self.level.minimum_practice_hours

    @property
    def hours_left(self) -> Decimal:
        return max(Decimal(self.minimum_hours) - self.practice_hours, Decimal(0))

    @property
    def months_at_level(self) -> int:
        return months_between(self.level_since, self.today)

    @property
    def minimum_months(self) -> int:
        return self.level.minimum_months

    @property
    def months_left(self) -> int:
        return max(self.minimum_months - self.months_at_level, 0)

    @property
    def competences_left(self) -> list[CompetenceStatus]:
        return [status for status in self.competences if not status.signed_off]

    @property
    def competences_signed_off(self) -> int:
        return len(self.competences) - len(self.competences_left)

    @property
    def training_left(self) -> list[TrainingStatus]:
        return [status for status in self.training if status.state != "done"]

    @property
    def training_done(self) -> int:
        return len(self.training) - len(self.training_left)

    @property
    def training_to_renew(self) -> list[TrainingRecord]:
        """The latest record of each course, where it has run out (as the portfolio marks
        it: expired before today). A course done again since is not listed."""
        latest: dict[int, TrainingRecord] = {}
        for record in self.training_records:  # newest first
            latest.setdefault(record.training_id, record)
        return [
            record
            for record in latest.values()
            if record.expires_on is not None and record.expires_on < self.today
        ]

    @property
    def other_sign_offs(self) -> list[CompetenceSignOff]:
        """Sign-offs of competences the next level does not list (earlier levels')."""
        listed = {status.competence.pk for status in self.competences}
        return [s for s in self.sign_offs if s.competence_id not in listed]

    @property
    def ready(self) -> bool:
        """Everything the next level asks for is in place (a review still decides)."""
        return (
            self.next_level is not None
            and not self.competences_left
            and not self.training_left
            and self.hours_left == 0
            and self.months_left == 0
        )


def levels() -> list[Level]:
    return list(Level.objects.order_by("order"))


def next_level_after(level: Level, all_levels: list[Level] | None = None) -> Level | None:
    for candidate in all_levels if all_levels is not None else levels():
        if candidate.order > level.order:
            return candidate
    return None


def practice_minutes_of(worker: PeerWorker) -> QuerySet:
    """Every minute of practice the worker has logged in this role, summed in SQL: a
    queryset of one column (no row before their first session), so My space can read it
    with its other numbers."""
    return (
        SessionLog.objects.filter(worker=worker)
        .order_by()
        .values("worker")
        .annotate(total=Sum("duration_minutes"))
        .values_list("total", flat=True)
    )


def practice_minutes(worker: PeerWorker) -> int:
    return next(iter(practice_minutes_of(worker)), None) or 0


def reached_level_on(worker: PeerWorker) -> QuerySet:
    """When ``worker`` was moved to their current level by a review, latest first: a
    queryset of one column (no row when they have held it since they started)."""
    return (
        ProgressionReview.objects.filter(
            worker=worker,
            decision=ProgressionReview.Decision.PROGRESS,
            to_level_id=worker.level_id,
        )
        .order_by("-date")
        .values_list("date", flat=True)
    )


_UNREAD = object()


def pathway_of(
    worker: PeerWorker,
    *,
    with_history: bool = True,
    practice: int | None = None,
    reached=_UNREAD,
) -> Pathway:
    """``worker``'s pathway (fetch the worker with ``level`` selected). The caller has
    checked ``peers.view_pathway``; evidence is included, and the page shows it only to
    those who may read it.

    A summary that shows neither evidence nor reviews leaves them out
    (``with_history=False``); one that has read the practice minutes or the
    ``reached_level_on`` date with other numbers passes them."""
    today = timezone.localdate()
    level = worker.level
    next_level = next_level_after(level)
    competences = (
        list(Competence.objects.filter(levels=next_level).order_by("order", "title"))
        if next_level
        else []
    )
    evidence_by_competence = defaultdict(list)
    evidence = (
        list(CompetenceEvidence.objects.filter(worker=worker).order_by("-date", "-added_at"))
        if with_history
        else []
    )
    for item in evidence:
        evidence_by_competence[item.competence_id].append(item)
    sign_offs = list(
        CompetenceSignOff.objects.filter(worker=worker)
        .select_related("competence", "signed_off_by")
        .order_by("-signed_off_at")
    )
    sign_off_by_competence = {sign_off.competence_id: sign_off for sign_off in sign_offs}
    training_records = list(
        TrainingRecord.objects.filter(worker=worker)
        .select_related("training")
        .order_by("-completed_on", "-added_at")
    )
    latest_record = {}
    for record in training_records:
        latest_record.setdefault(record.training_id, record)
    courses = (
        list(Training.objects.filter(levels=next_level).order_by("order", "title"))
        if next_level
        else []
    )
    if with_history:
        # Each review brings the date the level was reached, so that costs no query.
        reviews = list(
            ProgressionReview.objects.filter(worker=worker)
            .select_related("from_level", "to_level", "reviewer")
            .annotate(reached=Subquery(reached_level_on(worker)[:1]))
            .order_by("-date", "-created_at")
        )
        reached = reviews[0].reached if reviews else None
    else:
        reviews = []
        if reached is _UNREAD:
            reached = reached_level_on(worker).first()
    return Pathway(
        worker=worker,
        level=level,
        next_level=next_level,
        level_since=reached or worker.start_date,
        competences=[
            CompetenceStatus(
                competence=competence,
                evidence=evidence_by_competence.get(competence.pk, []),
                sign_off=sign_off_by_competence.get(competence.pk),
            )
            for competence in competences
        ],
        training=[
            TrainingStatus(training=course, record=latest_record.get(course.pk), today=today)
            for course in courses
        ],
        training_records=training_records,
        sign_offs=sign_offs,
        reviews=reviews,
        practice_minutes=practice_minutes(worker) if practice is None else practice,
        evidence_count=len(evidence),
        today=today,
    )


def competences_for_evidence() -> QuerySet[Competence]:
    """Every competence a worker may add evidence for, grouped by the level needing it."""
    return Competence.objects.prefetch_related("levels").order_by("order", "title")


def training_courses() -> QuerySet[Training]:
    return Training.objects.order_by("order", "title")


# --- Whose pathways a person may open --------------------------------------------------------


def workers_on_pathway_visible_to(user) -> QuerySet[PeerWorker]:
    """Current workers whose pathway ``user`` may open as someone else: a supervisor's
    supervisees and HR's organisation's workers (never the person's own record)."""
    return (
        visible_to(user, PeerWorker)
        .exclude(user=user)
        .exclude(status=PeerWorker.Status.LEFT)
        .select_related("user", "level", "organisation", "team")
        .annotate(
            signed_off=Count("competence_sign_offs", distinct=True),
            induction_open=Count(
                "induction_items", filter=Q(induction_items__done_on__isnull=True), distinct=True
            ),
        )
        .order_by("user__first_name", "user__last_name", "pk")
    )


def worker_for_pathway(user, worker_id: int) -> PeerWorker | None:
    """One worker among those ``user`` may see, or None (a guessed id looks missing)."""
    return (
        visible_to(user, PeerWorker)
        .select_related("user", "level", "organisation", "team")
        .filter(pk=worker_id)
        .first()
    )


def own_record_for_portfolio(user) -> PeerWorker | None:
    """The person's peer worker record, current or not: a leaver still takes their
    portfolio with them."""
    if not user.is_authenticated:
        return None
    return (
        PeerWorker.objects.select_related("user", "level", "organisation").filter(user=user).first()
    )


# --- Induction -----------------------------------------------------------------------------


@dataclass
class Induction:
    worker: PeerWorker
    items: list[InductionItem]
    today: date

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.done_on)

    @property
    def overdue(self) -> list[InductionItem]:
        return [item for item in self.items if not item.done_on and item.target_date < self.today]

    @property
    def complete(self) -> bool:
        return bool(self.items) and self.done == len(self.items)


def induction_items_of(worker: PeerWorker) -> QuerySet[InductionItem]:
    return InductionItem.objects.filter(worker=worker)


def induction_open_items_of(worker: PeerWorker) -> QuerySet[InductionItem]:
    """The steps not done yet: the induction is complete when it has steps and none of
    these (``Induction.complete``)."""
    return induction_items_of(worker).filter(done_on__isnull=True)


def induction_of(worker: PeerWorker) -> Induction:
    items = list(
        induction_items_of(worker).select_related("done_by").order_by("target_week", "order")
    )
    for item in items:
        item.worker = worker  # target_date reads the start date without another query
    return Induction(worker=worker, items=items, today=timezone.localdate())


# --- The portfolio ---------------------------------------------------------------------------


@dataclass
class SettingHours:
    setting: str
    label: str
    sessions: int
    minutes: int

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)


@dataclass
class Portfolio:
    """What a worker takes with them: no person they supported is in it."""

    worker: PeerWorker
    pathway: Pathway
    hours_by_setting: list[SettingHours]
    first_session: date | None
    last_session: date | None
    generated_on: date

    @property
    def total_sessions(self) -> int:
        return sum(row.sessions for row in self.hours_by_setting)

    @property
    def total_hours(self) -> Decimal:
        return hours(sum(row.minutes for row in self.hours_by_setting))


def portfolio_filename(worker: PeerWorker) -> str:
    """Like "sam-okafor-2026-03-27": the worker's name and today's date."""
    return f"{slugify(str(worker)) or 'peer-worker'}-{timezone.localdate():%Y-%m-%d}"


def hours_by_setting(worker: PeerWorker) -> list[SettingHours]:
    """Sessions and minutes per setting, counted in SQL; settings with none are left out."""
    labels = dict(Setting.choices)
    rows = (
        SessionLog.objects.filter(worker=worker)
        .values("setting")
        .annotate(sessions=Count("pk"), minutes=Sum("duration_minutes"))
        .order_by("-minutes", "setting")
    )
    return [
        SettingHours(
            setting=row["setting"],
            label=labels.get(row["setting"], row["setting"]),
            sessions=row["sessions"],
            minutes=row["minutes"] or 0,
        )
        for row in rows
    ]


def portfolio_of(worker: PeerWorker) -> Portfolio:
    span = SessionLog.objects.filter(worker=worker).aggregate(first=Min("date"), last=Max("date"))
    return Portfolio(
        worker=worker,
        pathway=pathway_of(worker),
        hours_by_setting=hours_by_setting(worker),
        first_session=span["first"],
        last_session=span["last"],
        generated_on=timezone.localdate(),
    )


def sign_offs_by_domain(sign_offs: list[CompetenceSignOff]) -> list[CompetenceSignOff]:
    """Sign-offs in the framework's domain order, then by competence order."""
    return sorted(
        sign_offs,
        key=lambda s: (DOMAIN_ORDER.get(s.competence.domain, 99), s.competence.order),
    )


# --- For the charter ---------------------------------------------------------------------------


def progressions(*, organisation_ids=None, start: date, end: date) -> int:
    """How many progression reviews decided "progress" between ``start`` and ``end``
    (inclusive), for the given organisations or all of them."""
    reviews = ProgressionReview.objects.filter(
        decision=ProgressionReview.Decision.PROGRESS, date__gte=start, date__lte=end
    )
    if organisation_ids is not None:
        reviews = reviews.filter(worker__organisation_id__in=list(organisation_ids))
    return reviews.count()
