"""The retention task: records past their time limit are deleted, anonymised or (for
dormant accounts) closed, as the registry of personal data says (``cms.data_registry``).

``retention_plan`` says what the next run will do, and what falls due soon after;
``retention_run`` does it, or with ``dry_run`` only counts. Each kind of record is dealt
with in its own transaction, so one that fails leaves the others done, and its error is
kept on the run. A run deals with at most ``BATCH`` records of each kind, so a backlog (the
first run on old data) is worked through over a few days rather than in one giant
transaction. The ``RetentionRun`` row is the record of what happened: no audit entry is
written per record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import data_registry
from .data_registry import Fate, PersonalData
from .models import RetentionRun

logger = logging.getLogger("cms.retention")

# The most records of one kind a run deals with; the rest wait for the next day's run.
BATCH = 5000
# What happens to records whose entry has its own way of expiring them (dormant accounts).
CLOSED = "closed"
FATE_WORDS = {
    Fate.DELETE.value: "Deleted",
    Fate.ANONYMISE.value: "Kept, with the details that identify the person removed",
    Fate.KEEP.value: "Kept as they are",
    CLOSED: "Account closed, as if its owner had closed it",
}
# A run that has not finished after this long is taken to have died.
RUN_LASTS_AT_MOST = timedelta(hours=1)
ERROR_SHOWN = 500


class RetentionBusy(Exception):
    """Another real run is still going."""


@dataclass(frozen=True)
class Line:
    """One kind of record in the plan: how many are due now and how many fall due soon."""

    key: str
    label: str
    data_class: str
    fate: str
    reason: str
    kept_for: str
    due: int
    coming: int

    @property
    def fate_words(self) -> str:
        return FATE_WORDS[self.fate]

    @property
    def next_run(self) -> int:
        """How many the next run deals with (at most ``BATCH``)."""
        return min(self.due, BATCH)


def on_the_clock() -> list[PersonalData]:
    """Registered kinds of record with a time limit (the others go when an account closes)."""
    return [entry for entry in data_registry.entries() if entry.retention.counted_from]


def fate_of(entry: PersonalData) -> str:
    return CLOSED if entry.expire is not None else str(entry.retention.then)


def retention_plan(now: datetime | None = None, horizon_days: int = 0) -> list[Line]:
    """Per kind of record on a time limit: how many are past it now, and how many more pass
    it within ``horizon_days``. Two counts per kind, whatever the number of records."""
    now = now or timezone.now()
    lines = []
    for entry in on_the_clock():
        due = entry.due_for_retention(now).count()
        coming = 0
        if horizon_days:
            later = entry.due_for_retention(now + timedelta(days=horizon_days)).count()
            coming = max(later - due, 0)
        lines.append(
            Line(
                key=entry.key,
                label=entry.label,
                data_class=entry.data_class.label,
                fate=fate_of(entry),
                reason=entry.retention.reason,
                kept_for=entry.retention.words,
                due=due,
                coming=coming,
            )
        )
    return lines


def retention_run(
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    by=None,
    by_id: int | None = None,
    batch: int = BATCH,
) -> RetentionRun:
    """Apply each kind of record's fate to (at most ``batch`` of) its records past their
    time limit, or with ``dry_run`` only count them. ``by`` (or ``by_id``) is the admin who
    asked; nobody for the daily run. Always finishes: a kind that fails is rolled back on
    its own, logged and named in the run's ``error``."""
    now = now or timezone.now()
    if by is None and by_id is not None:
        by = get_user_model().objects.filter(pk=by_id).first()
    if not dry_run:
        _refuse_if_running()
    run = RetentionRun.objects.create(started_at=timezone.now(), dry_run=dry_run, ran_by=by)
    results, errors = [], []
    for entry in on_the_clock():
        result = {
            "key": entry.key,
            "label": entry.label,
            "data_class": str(entry.data_class),
            "fate": fate_of(entry),
            "count": 0,
            "left": 0,
        }
        try:
            result["count"], result["left"] = _deal_with(entry, now, dry_run, batch)
        except Exception as error:
            logger.exception("Retention failed for %s", entry.key)
            result["failed"] = True
            errors.append(f"{entry.label} ({entry.key}): {type(error).__name__}: {error}")
        results.append(result)
    run.results = results
    run.total = sum(result["count"] for result in results)
    run.error = "\n".join(error[:ERROR_SHOWN] for error in errors)
    run.finished_at = timezone.now()
    run.save(update_fields=["results", "total", "error", "finished_at"])
    return run


def is_running() -> bool:
    """Is a real run under way (started within the hour and not finished)?"""
    return RetentionRun.objects.filter(
        dry_run=False,
        finished_at__isnull=True,
        started_at__gte=timezone.now() - RUN_LASTS_AT_MOST,
    ).exists()


def _refuse_if_running() -> None:
    if is_running():
        raise RetentionBusy("The retention task is already running. Try again in an hour.")


def _deal_with(entry: PersonalData, now: datetime, dry_run: bool, batch: int) -> tuple[int, int]:
    """(how many dealt with, how many still due after) for one kind of record."""
    with transaction.atomic():
        due = entry.due_for_retention(now)
        waiting = due.count()
        if dry_run or not waiting:
            count = min(waiting, batch)
            return count, waiting - count
        count = _apply_fate(entry, _first(due, batch))
        return count, max(waiting - count, 0)


def _first(due: QuerySet, batch: int) -> QuerySet:
    """The first ``batch`` due rows, still checked against the time limit as they change
    (an account signed in to a moment ago is no longer dormant)."""
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:batch])
    return due.filter(pk__in=ids)


def _apply_fate(entry: PersonalData, rows: QuerySet) -> int:
    if entry.expire is not None:
        return entry.expire(rows)
    return data_registry.erase(entry, rows, entry.retention.then)


def retention_runs() -> QuerySet:
    """Every run, newest first, with who started it."""
    return RetentionRun.objects.select_related("ran_by").order_by("-started_at", "-pk")
