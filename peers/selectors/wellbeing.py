"""Reads about wellbeing check-ins: a worker's own history and its trend, and one
check-in as the worker or (when shared) a supervisor sees it. Nothing here counts or lists
check-ins for anyone but their owner and, when shared, the owner's supervisors."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from cms.permissions import visible_to

from .. import wellbeing_scale as scale
from ..models import WellbeingCheckIn

TREND_POINTS = 12


def own_check_ins(user) -> QuerySet[WellbeingCheckIn]:
    """``user``'s own check-ins, newest first (a supervisor's view never comes through here)."""
    return visible_to(user, WellbeingCheckIn).filter(worker__user=user)


def check_in_for(user, pk: int) -> WellbeingCheckIn | None:
    """One check-in ``user`` may see (their own, or shared with them), else None."""
    return visible_to(user, WellbeingCheckIn).select_related("worker__user").filter(pk=pk).first()


@dataclass(frozen=True)
class TrendPoint:
    check_in: WellbeingCheckIn
    percent_of_scale: int  # how far along 7..35 the metric score is, for the bar

    @property
    def metric_score(self) -> Decimal:
        return self.check_in.metric_score


def trend(user, *, points: int = TREND_POINTS) -> list[TrendPoint]:
    """The latest ``points`` check-ins, oldest first, for the chart and its table."""
    latest = list(
        own_check_ins(user).only("pk", "completed_at", "metric_score", "raw_score")[:points]
    )
    low, high = Decimal(scale.RAW_MIN), Decimal(scale.METRIC_SCORES[scale.RAW_MAX])
    return [
        TrendPoint(
            check_in=check_in,
            percent_of_scale=round(100 * (check_in.metric_score - low) / (high - low)),
        )
        for check_in in reversed(latest)
    ]


def change_since_previous(user, check_in: WellbeingCheckIn) -> Decimal | None:
    """How much the metric score moved since the worker's check-in before this one."""
    previous = (
        own_check_ins(user)
        .filter(completed_at__lt=check_in.completed_at)
        .values_list("metric_score", flat=True)
        .first()
    )
    return None if previous is None else check_in.metric_score - previous
