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

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat

from cms.exports import rows_before
from cms.models import Need, OfferPage
from cms.months import month_start, months_between, whole_months
from cms.permissions import scope_to_organisation

from ..models import (
    ActivityDay,
    ActivityPersonDay,
    ActivityPersonMonth,
    ActivitySignpostDay,
    ActivitySignpostYear,
    ActivityTopicDay,
    PeerWorker,
    SafeguardingConcern,
    SessionLog,
    Team,
)
from ..models.sessions import OutcomeMeasure, Setting

TOP_COUNT = 5
MONTHS_SHOWN = 12
EXPORT_CHUNK = 2000


# --- Periods -------------------------------------------------------------------------------


def week_start(today: date) -> date:
    """Monday of ``today``'s week."""
    return today - timedelta(days=today.weekday())


def months_back(today: date, months: int = MONTHS_SHOWN) -> date:
    """The first day of the month ``months - 1`` months before ``today``'s: with this month,
    ``months`` whole calendar months."""
    year, month = today.year, today.month - (months - 1)
    while month < 1:
        month += 12
        year -= 1
    return date(year, month, 1)


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
    months = {month: [0, 0] for month in months_between(start, end)}
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


def _whole_months(start: date, end: date) -> tuple[date, date] | None:
    """The first day of the first whole calendar month within ``start``..``end`` and the
    first day after the last one, or None when the period holds no whole month."""
    months = whole_months(start, end)
    if months is None:
        return None
    first, last = months
    return first, month_start(last, months_back=-1)


def _people_supported(worker: PeerWorker, start: date, end: date) -> int:
    """Distinct references the worker supported in the period, in one query: the whole
    months from the monthly rows (a few hundred a month), only the days of part months
    from the daily ones."""
    months = _whole_months(start, end)
    days = ActivityPersonDay.objects.filter(worker=worker).order_by()
    if months is None:
        return (
            days.filter(date__gte=start, date__lte=end)
            .values("person_reference")
            .distinct()
            .count()
        )
    first, after = months
    by_month = ActivityPersonMonth.objects.filter(
        worker=worker, month__gte=first, month__lt=after
    ).order_by()
    # Each part month as its own query in the union, so the index is read for those days
    # alone (a range joined with OR would be read for the whole worker).
    part_months = [
        days.filter(date__gte=since, date__lte=until).values("person_reference")
        for since, until in ((start, first - timedelta(days=1)), (after, end))
        if since <= until
    ]
    # UNION (not UNION ALL) leaves each reference once.
    return by_month.values("person_reference").union(*part_months).count()


def worker_activity(worker: PeerWorker, *, start: date, end: date) -> ActivitySummary:
    """The same figures as ``activity_summary`` for one worker, read from their daily and
    monthly totals (``peers.services.activity_totals``): a few thousand rows whatever the
    number of sessions, in a handful of queries."""
    days = ActivityDay.objects.filter(worker=worker, date__gte=start, date__lte=end)
    months = {month: [0, 0] for month in months_between(start, end)}
    settings = {value: [0, 0] for value in Setting.values}
    group_sessions = 0
    for day, setting, minutes, count, groups in days.values_list(
        "date", "setting", "minutes", "sessions", "group_sessions"
    ):
        for bucket in (months[month_start(day)], settings.setdefault(setting, [0, 0])):
            bucket[0] += minutes
            bucket[1] += count
        group_sessions += groups
    by_setting = sorted(
        (Row(label, *settings[value]) for value, label in Setting.choices if settings[value][1]),
        key=lambda row: -row.minutes,
    )
    topics = (
        ActivityTopicDay.objects.filter(worker=worker, date__gte=start, date__lte=end)
        .values("need_id")
        .annotate(count=Sum("sessions"))
        .values_list("need_id", "count")
    )
    return ActivitySummary(
        start=start,
        end=end,
        minutes=sum(minutes for minutes, _ in months.values()),
        sessions=sum(count for _, count in months.values()),
        group_sessions=group_sessions,
        people_supported=_people_supported(worker, start, end),
        by_setting=_scaled_rows(by_setting),
        by_month=_scaled_rows([Row(f"{month:%B %Y}", *months[month]) for month in months]),
        topics=_top_counted(topics.order_by(), (Need, "name")),
        signposted_to=_top_offers(worker, start, end),
    )


def _top_counted(counted, names) -> list[Counted]:
    """The most frequent topics (or offers) from (id, count) rows, an id perhaps on several
    rows: counted per id without a join to pages, then only the leaders are named. Names
    order ties, so every id tied with the last place is named."""
    totals: dict[int, int] = defaultdict(int)
    for pk, count in counted:
        totals[pk] += count
    ranked = sorted(totals.values(), reverse=True)
    if not ranked:
        return []
    last_place = ranked[min(TOP_COUNT, len(ranked)) - 1]
    named_model, name_field = names
    named = dict(
        named_model.objects.filter(
            pk__in=[pk for pk, count in totals.items() if count >= last_place]
        ).values_list("pk", name_field)
    )
    rows = sorted(
        ({"label": named[pk], "count": totals[pk]} for pk in named),
        key=lambda row: (-row["count"], row["label"]),
    )[:TOP_COUNT]
    return [
        Counted(row["label"], row["count"], percent)
        for row, percent in _scaled(rows, lambda r: r["count"])
    ]


def _top_offers(worker: PeerWorker, start: date, end: date) -> list[Counted]:
    """The offers the worker signposted to most in the period. For the summary's twelve
    months (with no session after ``end`` in its month, as none can be logged ahead) the
    worker's twelve-month totals are read in order of sessions, as far as the last place
    and its ties; any other period is counted from the daily totals."""
    last_month = month_start(end)
    year = ActivitySignpostYear.objects.filter(worker=worker, month=last_month)
    ahead = ActivitySignpostDay.objects.filter(
        worker=worker, date__gt=end, date__lt=month_start(last_month + timedelta(days=31))
    )
    if start != months_back(end) or ahead.exists():
        return _top_counted(
            ActivitySignpostDay.objects.filter(worker=worker, date__gte=start, date__lte=end)
            .values("offer_id")
            .annotate(count=Sum("sessions"))
            .values_list("offer_id", "count")
            .order_by(),
            (OfferPage, "title"),
        )
    # The leaders and everyone tied with the last place (so names can settle the order),
    # in one query whatever their number.
    last_place = year.order_by("-sessions").values("sessions")[TOP_COUNT - 1 : TOP_COUNT]
    leaders = year.filter(sessions__gte=Coalesce(Subquery(last_place), 0))
    return _top_counted(leaders.values_list("offer_id", "sessions"), (OfferPage, "title"))


def worker_summary(worker: PeerWorker, *, today: date) -> WorkerSummary:
    """The worker's summary page: this week, this month, and the last 12 months, from the
    worker's daily totals."""
    start = months_back(today)
    activity = worker_activity(worker, start=start, end=today)
    this_week = week_start(today)
    # This week may begin in last month, which the 12 months shown always include.
    week = ActivityDay.objects.filter(
        worker=worker, date__gte=this_week, date__lte=today
    ).aggregate(minutes=Coalesce(Sum("minutes"), 0))["minutes"]
    return WorkerSummary(
        worker=worker,
        today=today,
        minutes_this_week=week,
        minutes_this_month=activity.by_month[-1].minutes,
        activity=activity,
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
    how many there are. Read a chunk at a time, each chunk after the last one's (date, id)
    so no query holds a cursor open or sorts the whole history, as plain values (no model
    objects), each with its topics, offers and whether it raised a concern: a million
    sessions stream in constant memory."""
    sessions = SessionLog.objects.filter(worker=worker)
    count = sessions.count()
    settings = dict(Setting.choices)
    measures = dict(OutcomeMeasure.choices)
    chunk_of = _chunk_postgresql if connection.vendor == "postgresql" else _chunk_sqlite

    def rows() -> Iterator[list]:
        offer_titles: dict[int, str] = {}
        after = None
        while True:
            window = sessions.order_by("-date", "-pk")
            if after is not None:
                # The index on (worker, date, id) starts right after the last row sent.
                window = window.filter(rows_before(("date", "pk"), after))
            chunk = chunk_of(window)
            if not chunk:
                return
            after = (chunk[-1][1], chunk[-1][0])
            missing = {row[4] for row in chunk if row[4] and row[4] not in offer_titles}
            if missing:
                offer_titles.update(
                    OfferPage.objects.filter(pk__in=missing).values_list("pk", "title")
                )
            for row in chunk:
                _, day, minutes, setting, offer, reference, size, measure, score = row[:9]
                topics, signposted, concern = row[9:]
                yield [
                    day.isoformat(),
                    minutes,
                    settings.get(setting, setting),
                    offer_titles.get(offer, "") if offer else "",
                    reference,
                    size,
                    topics or "",
                    signposted or "",
                    measures.get(measure, measure) if measure else "",
                    "" if score is None else score,
                    "Yes" if concern else "No",
                ]
            if len(chunk) < EXPORT_CHUNK:
                return

    return count, rows()


# What each exported row is read as, before its topics, offers and concern.
_EXPORT_COLUMNS = (
    "pk",
    "date",
    "duration_minutes",
    "setting",
    "offer_id",
    "person_reference",
    "group_size",
    "outcome_measure",
    "outcome_score",
)


def _chunk_postgresql(window: QuerySet) -> list[tuple]:
    """The next chunk of ``window``, each row ending with its topics' names ("a; b"), the
    offers' titles and whether it raised a concern, in one query: PostgreSQL looks each
    session's links up in their unique index, which costs less than planning and matching
    a list of two thousand ids per link table."""
    from django.contrib.postgres.aggregates import StringAgg

    def names(through, field: str) -> Subquery:
        return Subquery(
            through.objects.filter(sessionlog_id=OuterRef("pk"))
            .values("sessionlog_id")
            .annotate(names=StringAgg(field, "; ", order_by=field))
            .values("names")
        )

    return list(
        window.annotate(
            topic_names=names(SessionLog.topics.through, "need__name"),
            signpost_names=names(SessionLog.signposted_to.through, "offerpage__title"),
            concern=Exists(SafeguardingConcern.objects.filter(session_id=OuterRef("pk"))),
        ).values_list(*_EXPORT_COLUMNS, "topic_names", "signpost_names", "concern")[:EXPORT_CHUNK]
    )


def _chunk_sqlite(window: QuerySet) -> list[tuple]:
    """As ``_chunk_postgresql``, in four queries: the chunk, then its topics, offers and
    concerns, each finding the chunk's sessions from the chunk's own query as a subquery
    (SQLite prepares that faster than two thousand ids, and has no ordered aggregate)."""
    chunk = list(window.values_list(*_EXPORT_COLUMNS)[:EXPORT_CHUNK])
    if not chunk:
        return chunk
    in_chunk = window.values("pk")[:EXPORT_CHUNK]
    topics = _names_by_session(
        SessionLog.topics.through.objects.filter(sessionlog_id__in=in_chunk)
        .order_by("need__name")
        .values_list("sessionlog_id", "need__name")
    )
    signposted = _names_by_session(
        SessionLog.signposted_to.through.objects.filter(sessionlog_id__in=in_chunk)
        .order_by("offerpage__title")
        .values_list("sessionlog_id", "offerpage__title")
    )
    concerns = set(
        SafeguardingConcern.objects.filter(session_id__in=in_chunk).values_list(
            "session_id", flat=True
        )
    )
    return [
        (*row, topics.get(row[0], ""), signposted.get(row[0], ""), row[0] in concerns)
        for row in chunk
    ]


def _names_by_session(pairs) -> dict[int, str]:
    """ "a; b" per session id from (session id, name) pairs."""
    names: dict[int, list[str]] = {}
    for session_id, name in pairs:
        names.setdefault(session_id, []).append(name)
    return {session_id: "; ".join(found) for session_id, found in names.items()}


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
