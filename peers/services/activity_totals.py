"""Keeping each worker's daily activity totals equal to their session logs.

The hours and activity summary reads ``ActivityDay`` and its siblings instead of counting
up to a million sessions each time. A totals row is never adjusted by adding or taking
away: the whole day is recounted from ``SessionLog`` (a few hundred rows at most, read
through the worker-and-date index), so a retried or repeated recount gives the same answer.

Every change made through the ORM to one session — logging, correcting, deleting (also by
a retention purge or a closed account), adding or removing its topics or offers — recounts
its day through the receivers connected in ``PeersConfig.ready``: the totals are a cache
of the logs, refreshed as a side effect, like a page cache purge. Bulk loads (``bulk_create``,
``update``) send no signals, so the demo and the bench call ``activity_totals_rebuild``
afterwards; ``manage.py rebuild_activity_totals`` does the same for everyone.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from ..models import (
    ActivityDay,
    ActivityPersonDay,
    ActivitySignpostDay,
    ActivityTopicDay,
    PeerWorker,
    SessionLog,
)
from ..models.sessions import Setting

BATCH_SIZE = 2000
TOTALS = (ActivityDay, ActivityPersonDay, ActivityTopicDay, ActivitySignpostDay)


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


@transaction.atomic
def activity_totals_recount(days: Iterable[tuple[int, date]]) -> None:
    """Recount the totals of each (worker id, day) from that day's sessions."""
    by_worker: dict[int, set[date]] = defaultdict(set)
    for worker_id, day in days:
        if worker_id is not None and day is not None:
            by_worker[worker_id].add(day)
    for worker_id, dates in by_worker.items():
        for model in TOTALS:
            model.objects.filter(worker_id=worker_id, date__in=dates).delete()
        _count_into_totals(SessionLog.objects.filter(worker_id=worker_id, date__in=dates))


@transaction.atomic
def activity_totals_rebuild(*, workers: QuerySet | None = None) -> int:
    """Recount every total of ``workers`` (everyone when not given) from their sessions,
    after a bulk load or to repair; returns the number of day-and-setting rows made."""
    sessions = SessionLog.objects.all()
    if workers is None:
        for model in TOTALS:
            model.objects.all().delete()
    else:
        ids = list(workers.values_list("pk", flat=True))
        for model in TOTALS:
            model.objects.filter(worker_id__in=ids).delete()
        sessions = sessions.filter(worker_id__in=ids)
    _count_into_totals(sessions)
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
    """A session's topics or offers were added, removed or cleared."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        activity_totals_recount([(instance.worker_id, instance.date)])
    elif pk_set:
        activity_totals_recount(
            SessionLog.objects.filter(pk__in=pk_set).values_list("worker_id", "date").distinct()
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
