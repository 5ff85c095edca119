"""Figures from co-production that the Lived Experience Charter measures: raw dates and
levels, by organisation and period. Charter's calculations turn them into percentages;
co-production does not know it is being measured, so nothing here decides what "on time"
means."""

from datetime import date, datetime, time

from django.db.models import Q
from django.utils import timezone

from ..models import Feedback, InvolvementClaim, ServiceChangePage


def _span(start: date, end: date) -> tuple[datetime, datetime]:
    """The period from the start of ``start`` to the end of ``end``, in local time."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end, time.max, tzinfo=zone),
    )


def claims_submitted_and_paid(
    *, organisation_ids: list[int], start: date, end: date
) -> list[tuple[datetime, datetime | None]]:
    """(submitted at, paid at or None) of every involvement claim a member submitted in the
    period to a panel of one of the organisations."""
    first, last = _span(start, end)
    return list(
        InvolvementClaim.objects.filter(
            panel__organisation_id__in=organisation_ids,
            submitted_at__gte=first,
            submitted_at__lte=last,
        ).values_list("submitted_at", "paid_at")
    )


def feedback_received_and_answered(
    *, organisation_ids: list[int], start: date, end: date
) -> list[tuple[datetime, datetime | None]]:
    """(received at, publicly answered at or None) of the feedback given in the period on
    the organisations' offers. Hidden feedback (spam, abuse) is left out: nobody answers it."""
    first, last = _span(start, end)
    return list(
        Feedback.objects.filter(
            organisation_id__in=organisation_ids,
            hidden=False,
            created_at__gte=first,
            created_at__lte=last,
        ).values_list("created_at", "responded_at")
    )


def service_change_levels(
    *, organisation_ids: list[int], start: date, end: date
) -> list[int | None]:
    """The co-production level (on the ladder, 1 to 7; None when not given) of each live
    "You said, we did" change first published in the period whose panel belongs to one of
    the organisations or which touched one of their offers. A change with no level of its
    own takes its panel's."""
    first, last = _span(start, end)
    changes = (
        ServiceChangePage.objects.live()
        .filter(first_published_at__gte=first, first_published_at__lte=last)
        .filter(
            Q(panel__organisation_id__in=organisation_ids)
            | Q(offers__provider_id__in=organisation_ids)
        )
        .distinct()
        .values_list("pk", "coproduction_level", "panel__coproduction_level")
    )
    return [own if own is not None else panel for _pk, own, panel in changes]
