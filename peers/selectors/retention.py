"""Keeping peer workers: why people left and after how long, and 12-month retention.

12-month retention on a date: of the workers who started between 24 and 12 months before
it (both days included), the share still in post on the first anniversary of their start
(someone who left on or after that anniversary counts as retained). Workers are counted
wherever they are recorded, by the organisation they worked for.
"""

import statistics
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from cms.months import add_months

from ..models import PeerWorker


def _workers(organisation_ids):
    workers = PeerWorker.objects.all()
    if organisation_ids is not None:
        workers = workers.filter(organisation_id__in=list(organisation_ids))
    return workers


def twelve_month_retention(*, organisation_ids=None, as_of: date) -> tuple[int, int]:
    """(workers retained for 12 months, workers in the cohort) on ``as_of``."""
    cohort_from = add_months(as_of, -24)
    cohort_to = add_months(as_of, -12)
    retained = cohort = 0
    rows = (
        _workers(organisation_ids)
        .filter(start_date__gte=cohort_from, start_date__lte=cohort_to)
        .values_list("start_date", "left_on", "status")
    )
    for start_date, left_on, status in rows:
        cohort += 1
        stayed_a_year = left_on is None or left_on >= add_months(start_date, 12)
        if status != PeerWorker.Status.LEFT or stayed_a_year:
            retained += 1
    return retained, cohort


def length_of_service_months(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end``."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


@dataclass(frozen=True)
class LeavingReasonRow:
    reason: str
    label: str
    leavers: int
    median_months: float | None


@dataclass(frozen=True)
class Leavers:
    total: int
    median_months: float | None
    by_reason: list[LeavingReasonRow]


def leavers(*, organisation_ids=None, start: date, end: date) -> Leavers:
    """Who left in the period (by the day they left), why, and their median length of
    service in whole months, overall and for each reason. One query."""
    rows = (
        _workers(organisation_ids)
        .filter(status=PeerWorker.Status.LEFT, left_on__gte=start, left_on__lte=end)
        .filter(~Q(leaving_reason=""))
        .values_list("leaving_reason", "start_date", "left_on")
    )
    months_by_reason: dict[str, list[int]] = {}
    for reason, start_date, left_on in rows:
        months_by_reason.setdefault(reason, []).append(
            length_of_service_months(start_date, left_on)
        )
    every = [months for values in months_by_reason.values() for months in values]
    by_reason = [
        LeavingReasonRow(
            reason=value,
            label=label,
            leavers=len(months_by_reason.get(value, [])),
            median_months=_median(months_by_reason.get(value, [])),
        )
        for value, label in PeerWorker.LeavingReason.choices
    ]
    by_reason.sort(key=lambda row: -row.leavers)
    return Leavers(total=len(every), median_months=_median(every), by_reason=by_reason)


def _median(values) -> float | None:
    return float(statistics.median(values)) if values else None


@dataclass(frozen=True)
class RetentionReport:
    as_of: date
    retained: int
    cohort: int
    percent: int | None
    leavers: Leavers
    in_post: int


def retention_report(*, organisation_ids=None, start: date, end: date) -> RetentionReport:
    retained, cohort = twelve_month_retention(organisation_ids=organisation_ids, as_of=end)
    in_post = (
        _workers(organisation_ids)
        .filter(start_date__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=end))
        .count()
    )
    return RetentionReport(
        as_of=end,
        retained=retained,
        cohort=cohort,
        percent=round(100 * retained / cohort) if cohort else None,
        leavers=leavers(organisation_ids=organisation_ids, start=start, end=end),
        in_post=in_post,
    )
