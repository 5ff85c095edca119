"""Keeping each worker's daily activity totals equal to their session logs.

The hours and activity summary reads ``ActivityDay`` and its siblings instead of counting
up to a million sessions each time. A totals row is never adjusted by adding or taking
away: the whole day is recounted from ``SessionLog`` (a few hundred rows at most, read
through the worker-and-date index), then the monthly people and twelve-month offers whose
count on the day changed, from the daily totals, so a retried or repeated recount gives the
same answer.

Every change made through the ORM to one session — logging, correcting, deleting (also by
a retention purge or a closed account), adding or removing its topics or offers — recounts
its day through the receivers connected in ``PeersConfig.ready``: the totals are a cache
of the logs, refreshed as a side effect, like a page cache purge. Bulk loads (``bulk_create``,
``update``) send no signals, so the demo and the bench call ``activity_totals_rebuild``
afterwards; ``manage.py rebuild_activity_totals`` does the same for everyone.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from itertools import groupby

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from ..models import (
    ActivityDay,
    ActivityPersonDay,
    ActivityPersonMonth,
    ActivitySignpostDay,
    ActivitySignpostYear,
    ActivityTopicDay,
    PeerWorker,
    SessionLog,
)
from ..models.sessions import Setting

BATCH_SIZE = 2000
TOTALS = (ActivityDay, ActivityPersonDay, ActivityTopicDay, ActivitySignpostDay)
# The months a twelve-month total covers: its own and the eleven before.
YEAR_MONTHS = 12


def _insert(model, rows: Iterable[dict]) -> int:
    """Create ``model`` rows from dicts, in batches, without holding them all at once."""
    made, batch = 0, []
    for row in rows:
        batch.append(model(**row))
        if len(batch) >= BATCH_SIZE:
            model.objects.bulk_create(batch)
            made, batch = made + len(batch), []
    if batch:
        model.objects.bulk_create(batch)
        made += len(batch)
    return made


def _count_into_totals(sessions: QuerySet) -> None:
    """Add the totals of ``sessions`` (whose days hold no totals yet) in four grouped
    queries."""
    sessions = sessions.order_by()
    _insert(
        ActivityDay,
        (
            {
                "worker_id": row["worker_id"],
                "date": row["date"],
                "setting": row["setting"],
                "minutes": row["minutes"] or 0,
                "sessions": row["count"],
                "group_sessions": row["groups"],
            }
            for row in sessions.values("worker_id", "date", "setting")
            .annotate(
                minutes=Sum("duration_minutes"),
                count=Count("pk"),
                groups=Count("pk", filter=Q(group_size__gt=1) | Q(setting=Setting.GROUP)),
            )
            .iterator(chunk_size=BATCH_SIZE)
        ),
    )
    _insert(
        ActivityPersonDay,
        (
            {
                "worker_id": row["worker_id"],
                "date": row["date"],
                "person_reference": row["person_reference"],
                "sessions": row["count"],
            }
            for row in sessions.exclude(person_reference="")
            .values("worker_id", "date", "person_reference")
            .annotate(count=Count("pk"))
            .iterator(chunk_size=BATCH_SIZE)
        ),
    )
    for model, through, target in (
        (ActivityTopicDay, SessionLog.topics.through, "need_id"),
        (ActivitySignpostDay, SessionLog.signposted_to.through, "offerpage_id"),
    ):
        key = "need_id" if model is ActivityTopicDay else "offer_id"
        _insert(
            model,
            (
                {
                    "worker_id": row["sessionlog__worker_id"],
                    "date": row["sessionlog__date"],
                    key: row[target],
                    "sessions": row["count"],
                }
                for row in through.objects.filter(sessionlog__in=sessions.values("pk"))
                .order_by()
                .values("sessionlog__worker_id", "sessionlog__date", target)
                .annotate(count=Count("pk"))
                .iterator(chunk_size=BATCH_SIZE)
            ),
        )


def _count_into_months(days: Q) -> None:
    """Add the monthly people of the daily totals matching ``days`` (whose monthly rows were
    removed or never made) in one grouped query."""
    _insert(
        ActivityPersonMonth,
        (
            {
                "worker_id": row["worker_id"],
                "month": row["month"],
                "person_reference": row["person_reference"],
                "sessions": row["count"],
            }
            for row in ActivityPersonDay.objects.filter(days)
            .order_by()
            .annotate(month=TruncMonth("date"))
            .values("worker_id", "month", "person_reference")
            .annotate(count=Sum("sessions"))
            .iterator(chunk_size=BATCH_SIZE)
        ),
    )


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_of_number(number: int) -> date:
    return date(number // 12, number % 12 + 1, 1)


def _month_of(day: date) -> tuple[date, date]:
    """The first and last days of ``day``'s month."""
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _year_rows(monthly: Iterable[dict], windows: dict[int, set[int]] | None) -> Iterable[dict]:
    """Twelve-month totals from monthly counts of (worker, offer) pairs, read in order of
    worker and offer: for each pair, a row per last month in ``windows[offer]`` (every
    month from its first to eleven after its last when not given) with sessions in it."""
    for (worker_id, offer_id), rows in groupby(
        monthly, key=lambda row: (row["worker_id"], row["offer_id"])
    ):
        counts = {_month_number(row["month"]): row["count"] for row in rows}
        if windows is None:
            ends = range(min(counts), max(counts) + YEAR_MONTHS)
        else:
            ends = sorted(windows.get(offer_id, ()))
        for end in ends:
            sessions = sum(counts.get(month, 0) for month in range(end - YEAR_MONTHS + 1, end + 1))
            if sessions:
                yield {
                    "worker_id": worker_id,
                    "month": _month_of_number(end),
                    "offer_id": offer_id,
                    "sessions": sessions,
                }


def _monthly_signposts(days: Q):
    return (
        ActivitySignpostDay.objects.filter(days)
        .annotate(month=TruncMonth("date"))
        .values("worker_id", "offer_id", "month")
        .annotate(count=Sum("sessions"))
        .order_by("worker_id", "offer_id", "month")
        .iterator(chunk_size=BATCH_SIZE)
    )


def _recount_years(worker_id: int, changed: set[tuple[date, int]]) -> None:
    """Recount the twelve-month totals that hold a changed (day, offer) count."""
    if not changed:
        return
    windows: dict[int, set[int]] = defaultdict(set)
    for day, offer_id in changed:
        month = _month_number(day)
        windows[offer_id].update(range(month, month + YEAR_MONTHS))
    ends = set().union(*windows.values())
    ActivitySignpostYear.objects.filter(
        worker_id=worker_id,
        offer_id__in=list(windows),
        month__in=[_month_of_number(end) for end in ends],
    ).delete()
    first = _month_of_number(min(ends) - YEAR_MONTHS + 1)
    last = _month_of(_month_of_number(max(ends)))[1]
    _insert(
        ActivitySignpostYear,
        _year_rows(
            _monthly_signposts(
                Q(worker_id=worker_id, offer_id__in=list(windows), date__gte=first, date__lte=last)
            ),
            windows,
        ),
    )


def _recount_people_months(worker_id: int, changed: set[tuple[date, str]]) -> None:
    """Recount the monthly people rows of the changed (day, reference) counts."""
    if not changed:
        return
    by_month: dict[tuple[date, date], set[str]] = defaultdict(set)
    for day, reference in changed:
        by_month[_month_of(day)].add(reference)
    for (first, last), references in by_month.items():
        ActivityPersonMonth.objects.filter(
            worker_id=worker_id, month=first, person_reference__in=references
        ).delete()
        _count_into_months(
            Q(
                worker_id=worker_id,
                person_reference__in=references,
                date__gte=first,
                date__lte=last,
            )
        )


def _people_on(worker_id: int, dates: set[date]) -> set[tuple[date, str, int]]:
    return set(
        ActivityPersonDay.objects.filter(worker_id=worker_id, date__in=dates).values_list(
            "date", "person_reference", "sessions"
        )
    )


def _signposts_on(worker_id: int, dates: set[date]) -> set[tuple[date, int, int]]:
    return set(
        ActivitySignpostDay.objects.filter(worker_id=worker_id, date__in=dates).values_list(
            "date", "offer_id", "sessions"
        )
    )


@transaction.atomic
def activity_totals_recount(days: Iterable[tuple[int, date]]) -> None:
    """Recount the totals of each (worker id, day) from that day's sessions, then the
    monthly people and twelve-month offers of each reference or offer whose count on the
    day changed."""
    by_worker: dict[int, set[date]] = defaultdict(set)
    for worker_id, day in days:
        if worker_id is not None and day is not None:
            by_worker[worker_id].add(day)
    for worker_id, dates in by_worker.items():
        people_were, signposts_were = _people_on(worker_id, dates), _signposts_on(worker_id, dates)
        for model in TOTALS:
            model.objects.filter(worker_id=worker_id, date__in=dates).delete()
        _count_into_totals(SessionLog.objects.filter(worker_id=worker_id, date__in=dates))
        # Only what changed on the day is counted again over its month or twelve months.
        _recount_people_months(
            worker_id,
            {(day, ref) for day, ref, _sessions in people_were ^ _people_on(worker_id, dates)},
        )
        _recount_years(
            worker_id,
            {
                (day, offer_id)
                for day, offer_id, _sessions in signposts_were ^ _signposts_on(worker_id, dates)
            },
        )


@transaction.atomic
def activity_totals_rebuild(*, workers: QuerySet | None = None) -> int:
    """Recount every total of ``workers`` (everyone when not given) from their sessions,
    after a bulk load or to repair; returns the number of day-and-setting rows made."""
    sessions = SessionLog.objects.all()
    derived = (ActivityPersonMonth, ActivitySignpostYear)
    if workers is None:
        for model in (*TOTALS, *derived):
            model.objects.all().delete()
        days = Q()
    else:
        ids = list(workers.values_list("pk", flat=True))
        for model in (*TOTALS, *derived):
            model.objects.filter(worker_id__in=ids).delete()
        sessions = sessions.filter(worker_id__in=ids)
        days = Q(worker_id__in=ids)
    _count_into_totals(sessions)
    _count_into_months(days)
    _insert(ActivitySignpostYear, _year_rows(_monthly_signposts(days), None))
    if workers is None:
        return ActivityDay.objects.count()
    return ActivityDay.objects.filter(worker_id__in=ids).count()


# --- Keeping them up to date as sessions change ----------------------------------------------


def _remember_the_old_day(sender, instance: SessionLog, raw=False, **kwargs) -> None:
    """A correction may move a session to another day or worker: both days are recounted."""
    instance._activity_day_was = None
    if raw or instance.pk is None:
        return
    instance._activity_day_was = (
        SessionLog.objects.filter(pk=instance.pk).values_list("worker_id", "date").first()
    )


def _session_saved(sender, instance: SessionLog, raw=False, **kwargs) -> None:
    if raw:
        return
    activity_totals_recount(
        [
            (instance.worker_id, instance.date),
            getattr(instance, "_activity_day_was", None) or (None, None),
        ]
    )


def _session_deleting(sender, instance: SessionLog, origin=None, **kwargs) -> None:
    """The day as stored: the object being deleted may be an older copy of the session
    (read before a correction moved it to another day)."""
    instance._activity_day_was = (
        SessionLog.objects.filter(pk=instance.pk).values_list("worker_id", "date").first()
    )


def _session_deleted(sender, instance: SessionLog, origin=None, **kwargs) -> None:
    # When a whole worker record goes, its totals go with it (they cascade from it):
    # recounting would write rows for a worker being deleted.
    if isinstance(origin, PeerWorker) or (
        isinstance(origin, QuerySet) and origin.model is not SessionLog
    ):
        return
    if origin is not None and not isinstance(origin, SessionLog | QuerySet):
        return
    stored = getattr(instance, "_activity_day_was", None)
    activity_totals_recount([stored or (instance.worker_id, instance.date)])


def _links_changed(sender, instance, action: str, reverse: bool, pk_set=None, **kwargs) -> None:
    """A session's topics or offers were added, removed or cleared (from either side). A
    need's or offer's sessions cleared from its side name no sessions afterwards, so they
    are noted before."""
    if reverse and action == "pre_clear":
        field = "topics" if sender is SessionLog.topics.through else "signposted_to"
        instance._sessions_before_clear = set(
            SessionLog.objects.filter(**{field: instance}).values_list("pk", flat=True)
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        activity_totals_recount([(instance.worker_id, instance.date)])
        return
    pks = pk_set if action != "post_clear" else getattr(instance, "_sessions_before_clear", ())
    if pks:
        activity_totals_recount(
            SessionLog.objects.filter(pk__in=pks).values_list("worker_id", "date").distinct()
        )


def connect_activity_totals() -> None:
    """Called once from ``PeersConfig.ready``."""
    pre_save.connect(_remember_the_old_day, sender=SessionLog, dispatch_uid="peers_totals_pre")
    post_save.connect(_session_saved, sender=SessionLog, dispatch_uid="peers_totals_saved")
    pre_delete.connect(_session_deleting, sender=SessionLog, dispatch_uid="peers_totals_deleting")
    post_delete.connect(_session_deleted, sender=SessionLog, dispatch_uid="peers_totals_deleted")
    for through in (SessionLog.topics.through, SessionLog.signposted_to.through):
        m2m_changed.connect(
            _links_changed, sender=through, dispatch_uid=f"peers_totals_{through.__name__}"
        )
