"""Hours and activity of peer workers, counted in SQL: a worker's own summary, their
supervisors' view of it, the session export, and HR's numbers for an organisation.

Every figure is an aggregate query over session logs (no Python loops over sessions), so a
worker with a hundred thousand sessions costs the same handful of queries as one with
three. These functions take the workers to count; which workers a person may ask about is
the views' question, answered by ``peers.rules`` (``peers.view_practice`` for one worker's
practice, ``peers.view_aggregates`` for an organisation's numbers). Nothing here returns
notes, and the organisation figures return no references either.

The charter reads ``hours_by_setting`` and ``activity_summary``.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat

from cms.permissions import scope_to_organisation

from ..models import PeerWorker, SafeguardingConcern, SessionLog, Team
from ..models.sessions import Setting

TOP_COUNT = 5
MONTHS_SHOWN = 12
EXPORT_CHUNK = 2000


# --- Periods -------------------------------------------------------------------------------


def week_start(today: date) -> date:
    """Monday of ``today``'s week."""
    return today - timedelta(days=today.weekday())


def month_start(today: date) -> date:
    return today.replace(day=1)


def months_back(today: date, months: int = MONTHS_SHOWN) -> date:
    """The first day of the month ``months - 1`` months before ``today``'s: with this month,
    ``months`` whole calendar months."""
    year, month = today.year, today.month - (months - 1)
    while month < 1:
        month += 12
        year -= 1
    return date(year, month, 1)


def month_starts(first: date, last: date) -> list[date]:
    """First days of every month from ``first``'s to ``last``'s, in order."""
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


# --- Shapes returned -------------------------------------------------------------------------


def _hours(minutes) -> float:
    return round((minutes or 0) / 60, 1)


@dataclass(frozen=True)
class Row:
    """One line of a chart or table: a label, hours and sessions, and the bar's length."""

    label: str
    minutes: int
    sessions: int
    percent_of_largest: int = 0

    @property
    def hours(self) -> float:
        return _hours(self.minutes)


@dataclass(frozen=True)
class Counted:
    """A topic or an offer with the number of sessions it came up in."""

    label: str
    sessions: int
    percent_of_largest: int = 0


@dataclass
class ActivitySummary:
    """What a set of workers did between ``start`` and ``end`` (both included)."""

    start: date
    end: date
    minutes: int = 0
    sessions: int = 0
    group_sessions: int = 0
    people_supported: int = 0
    by_setting: list[Row] = field(default_factory=list)
    by_month: list[Row] = field(default_factory=list)
    topics: list[Counted] = field(default_factory=list)
    signposted_to: list[Counted] = field(default_factory=list)

    @property
    def hours(self) -> float:
        return _hours(self.minutes)


@dataclass
class WorkerSummary:
    """A worker's hours this week, this month and over the last 12 months, and what the
    12 months held."""

    worker: PeerWorker
    today: date
    minutes_this_week: int
    minutes_this_month: int
    activity: ActivitySummary

    @property
    def hours_this_week(self) -> float:
        return _hours(self.minutes_this_week)

    @property
    def hours_this_month(self) -> float:
        return _hours(self.minutes_this_month)


def _scaled(rows, value) -> list:
    """Each row with the length of its bar, as a percentage of the largest."""
    largest = max((value(row) for row in rows), default=0) or 1
    return [(row, round(100 * value(row) / largest)) for row in rows]


# --- The building blocks -------------------------------------------------------------------


def _sessions_of(workers_qs: QuerySet, start: date, end: date) -> QuerySet:
    return SessionLog.objects.filter(
        worker__in=workers_qs.values("pk"), date__gte=start, date__lte=end
    )


def _scaled_rows(rows: list[Row]) -> list[Row]:
    return [
        Row(row.label, row.minutes, row.sessions, percent)
        for row, percent in _scaled(rows, lambda r: r.minutes)
    ]


def _top(through, *, workers_qs, start, end, label_field: str, limit: int) -> list[Counted]:
    """The most frequent topics (or offers) of the sessions: an M2M row names each pair of
    session and topic once, so rows are counted without DISTINCT."""
    rows = list(
        through.objects.filter(
            sessionlog__worker__in=workers_qs.values("pk"),
            sessionlog__date__gte=start,
            sessionlog__date__lte=end,
        )
        .values(label=F(label_field))
        .annotate(sessions=Count("pk"))
        .order_by("-sessions", "label")[:limit]
    )
    return [
        Counted(row["label"], row["sessions"], percent)
        for row, percent in _scaled(rows, lambda r: r["sessions"])
    ]


# --- What the charter and pages read ---------------------------------------------------------


def activity_summary(*, workers_qs: QuerySet, start: date, end: date) -> ActivitySummary:
    """Hours, sessions, people supported (distinct references per worker), settings,
    months, top topics and top offers signposted to, for ``workers_qs`` from ``start`` to
    ``end``. Four aggregate queries, whatever the number of sessions."""
    sessions = _sessions_of(workers_qs, start, end)
    # Totals per day and setting (at most 366 × 7 rows, read from the covering index), added
    # up here into months and settings: no per-row date function, which SQLite runs in
    # Python, and portable SQL.
    daily = (
        sessions.order_by()
        .values("date", "setting")
        .annotate(
            minutes=Sum("duration_minutes"),
            sessions=Count("pk"),
            groups=Count("pk", filter=Q(group_size__gt=1) | Q(setting=Setting.GROUP)),
        )
    )
    months = {month: [0, 0] for month in month_starts(start, end)}
    settings = {value: [0, 0] for value in Setting.values}
    group_sessions = 0
    for row in daily:
        for bucket in (months[month_start(row["date"])], settings[row["setting"]]):
            bucket[0] += row["minutes"] or 0
            bucket[1] += row["sessions"]
        group_sessions += row["groups"]
    # Two workers may each know someone as "JT": a reference names a person per worker.
    people = sessions.aggregate(
        people=Count(
            Concat(Cast("worker_id", output_field=IntegerField()), Value(":"), "person_reference"),
            filter=~Q(person_reference=""),
            distinct=True,
        )
    )["people"]
    by_setting = sorted(
        (Row(label, *settings[value]) for value, label in Setting.choices if settings[value][1]),
        key=lambda row: -row.minutes,
    )
    return ActivitySummary(
        start=start,
        end=end,
        minutes=sum(minutes for minutes, _ in months.values()),
        sessions=sum(count for _, count in months.values()),
        group_sessions=group_sessions,
        people_supported=people,
        by_setting=_scaled_rows(by_setting),
        by_month=_scaled_rows([Row(f"{month:%B %Y}", *months[month]) for month in months]),
        topics=_top(
            SessionLog.topics.through,
            workers_qs=workers_qs,
            start=start,
            end=end,
            label_field="need__name",
            limit=TOP_COUNT,
        ),
        signposted_to=_top(
            SessionLog.signposted_to.through,
            workers_qs=workers_qs,
            start=start,
            end=end,
            label_field="offerpage__title",
            limit=TOP_COUNT,
        ),
    )


def hours_by_setting(
    worker: PeerWorker, *, start: date | None = None, end: date | None = None
) -> list[Row]:
    """A worker's logged time per setting (all time unless a period is given), most first."""
    sessions = SessionLog.objects.filter(worker=worker)
    if start:
        sessions = sessions.filter(date__gte=start)
    if end:
        sessions = sessions.filter(date__lte=end)
    counted = {
        row["setting"]: row
        for row in sessions.order_by()
        .values("setting")
        .annotate(minutes=Sum("duration_minutes"), sessions=Count("pk"))
    }
    rows = [
        Row(label, counted[value]["minutes"], counted[value]["sessions"])
        for value, label in Setting.choices
        if value in counted
    ]
    return _scaled_rows(sorted(rows, key=lambda row: -row.minutes))


def worker_summary(worker: PeerWorker, *, today: date) -> WorkerSummary:
    """The worker's summary page: this week, this month, and the last 12 months."""
    start = months_back(today)
    this_week = week_start(today)
    this_month = month_start(today)
    recent = SessionLog.objects.filter(worker=worker, date__gte=min(this_week, this_month))
    totals = recent.aggregate(
        week=Coalesce(Sum("duration_minutes", filter=Q(date__gte=this_week)), 0),
        month=Coalesce(Sum("duration_minutes", filter=Q(date__gte=this_month)), 0),
    )
    workers = PeerWorker.objects.filter(pk=worker.pk)
    return WorkerSummary(
        worker=worker,
        today=today,
        minutes_this_week=totals["week"],
        minutes_this_month=totals["month"],
        activity=activity_summary(workers_qs=workers, start=start, end=today),
    )


def supervisees_with_hours(supervisor, *, today: date) -> QuerySet:
    """The supervisor's current supervisees, each with ``minutes_this_month``,
    ``hours_this_month`` and ``sessions_this_month``, in one query."""
    this_month = month_start(today)
    in_month = Q(sessions__date__gte=this_month, sessions__date__lte=today)
    return (
        PeerWorker.objects.filter(supervisors=supervisor)
        .exclude(status=PeerWorker.Status.LEFT)
        .select_related("user", "organisation", "team", "level")
        .annotate(
            minutes_this_month=Coalesce(Sum("sessions__duration_minutes", filter=in_month), 0),
            sessions_this_month=Count("sessions", filter=in_month),
        )
        .annotate(hours_this_month=Cast("minutes_this_month", FloatField()) / 60.0)
        .order_by("user__first_name", "user__last_name", "pk")
    )


# --- The session export -------------------------------------------------------------------

EXPORT_HEADINGS = [
    "Date",
    "Minutes",
    "Setting",
    "Offer",
    "Person reference",
    "Group size",
    "Topics",
    "Signposted to",
    "Outcome measure",
    "Outcome score",
    "Safeguarding concern raised",
]


def session_export_rows(worker: PeerWorker) -> tuple[int, Iterator[list]]:
    """The worker's sessions for a spreadsheet, newest first, without private notes, and
    how many there are. Rows are read in chunks (topics and offers fetched per chunk), so a
    long history streams without being held in memory."""
    sessions = (
        SessionLog.objects.filter(worker=worker)
        .select_related("offer")
        .prefetch_related("topics", "signposted_to")
        .annotate(concern=Exists(SafeguardingConcern.objects.filter(session=OuterRef("pk"))))
        .order_by("-date", "-pk")
    )
    count = sessions.count()
    settings = dict(Setting.choices)

    def rows() -> Iterator[list]:
        for session in sessions.iterator(chunk_size=EXPORT_CHUNK):
            yield [
                session.date.isoformat(),
                session.duration_minutes,
                settings.get(session.setting, session.setting),
                session.offer.title if session.offer else "",
                session.person_reference,
                session.group_size,
                "; ".join(topic.name for topic in session.topics.all()),
                "; ".join(offer.title for offer in session.signposted_to.all()),
                session.get_outcome_measure_display() if session.outcome_measure else "",
                "" if session.outcome_score is None else session.outcome_score,
                "Yes" if session.concern else "No",
            ]

    return count, rows()


# --- HR's numbers for an organisation --------------------------------------------------------


@dataclass
class TeamRow:
    label: str
    workers: int
    minutes: int
    sessions: int

    @property
    def hours(self) -> float:
        return _hours(self.minutes)


@dataclass
class OrganisationActivity:
    """An organisation's peer work in numbers: never a note, a reference or a name of a
    person supported. Staff activity counts, so small numbers are shown as they are."""

    activity: ActivitySummary
    teams: list[TeamRow]
    workers: int


def organisations_for_aggregates(user) -> QuerySet:
    """The organisations whose numbers ``user`` may see (HR: their own; partnership-wide
    HR and admins: every one with peer workers)."""
    from cms.models import Organisation

    in_scope = scope_to_organisation(user, PeerWorker.objects.all())
    return Organisation.objects.filter(pk__in=in_scope.values("organisation")).order_by("name")


def organisation_activity(*, organisation, start: date, end: date) -> OrganisationActivity:
    """Hours, sessions, settings, topics and months for one organisation's workers, and
    the same per team (workers with no team counted together)."""
    workers = PeerWorker.objects.filter(organisation=organisation)
    in_period = Q(sessions__date__gte=start, sessions__date__lte=end)
    team_in_period = Q(workers__sessions__date__gte=start, workers__sessions__date__lte=end)
    teams = [
        TeamRow(
            row.name,
            row.worker_count,
            row.minutes,
            row.session_count,
        )
        for row in Team.objects.filter(organisation=organisation)
        .annotate(
            worker_count=Count("workers", distinct=True),
            minutes=Coalesce(Sum("workers__sessions__duration_minutes", filter=team_in_period), 0),
            session_count=Count("workers__sessions", filter=team_in_period),
        )
        .order_by("name")
    ]
    teamless = workers.filter(team__isnull=True).aggregate(
        worker_count=Count("pk", distinct=True),
        minutes=Coalesce(Sum("sessions__duration_minutes", filter=in_period), 0),
        session_count=Count("sessions", filter=in_period),
    )
    if teamless["worker_count"]:
        teams.append(
            TeamRow(
                "Not in a team",
                teamless["worker_count"],
                teamless["minutes"],
                teamless["session_count"],
            )
        )
    return OrganisationActivity(
        activity=activity_summary(workers_qs=workers, start=start, end=end),
        teams=teams,
        workers=workers.exclude(status=PeerWorker.Status.LEFT).count(),
    )
