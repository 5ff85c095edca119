"""The charter at scale, for the benchmarks: a published charter with 30 measures of 24
readings each, its public progress page measured like any page, and the time its board
report takes to draw reported beside the counts (``make bench`` prints it)."""

import time
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cms.bench.big import register_dashboard
from cms.bench.generate import BATCH_SIZE, register_generator
from cms.bench.scenarios import register
from cms.models import Organisation

from .models import Charter, CharterAction, Commitment, Measure, Reading, Target
from .periods import complete_periods

BENCH_VERSION = "bench"
MEASURES = 30
READINGS = 24


def _bench_organisation() -> Organisation:
    return Organisation.objects.order_by("pk").first()


@transaction.atomic
def _bench_charter() -> tuple[Charter, int]:
    organisation = _bench_organisation()
    charter = Charter.objects.filter(organisation=organisation, version=BENCH_VERSION).first()
    if charter is not None:
        return charter, 0
    today = timezone.localdate()
    charter = Charter.objects.create(
        organisation=organisation,
        version=BENCH_VERSION,
        title="Lived Experience Charter (benchmark)",
        adopted_on=date(today.year - 7, 4, 1),
        published=True,
    )
    commitments = Commitment.objects.bulk_create(
        Commitment(charter=charter, number=n + 1, title=f"Bench commitment {n + 1}")
        for n in range(6)
    )
    measures = Measure.objects.bulk_create(
        Measure(
            commitment=commitments[n % 6],
            name=f"Bench measure {n + 1:02d}",
            unit=Measure.Unit.PERCENT,
            frequency=Measure.Frequency.MONTHLY,
            baseline=Decimal("30"),
            sort_order=n,
        )
        for n in range(MEASURES)
    )
    periods = complete_periods(charter.adopted_on, today, "monthly", most=READINGS)
    Reading.objects.bulk_create(
        (
            Reading(
                measure=measure,
                period_start=start,
                period_end=end,
                value=Decimal(30 + index + n % 7),
                numerator=30 + index,
                denominator=100,
                note="Benchmark reading",
            )
            for n, measure in enumerate(measures)
            for index, (start, end) in enumerate(periods)
        ),
        batch_size=BATCH_SIZE,
    )
    Target.objects.bulk_create(
        Target(
            measure=measure,
            due_on=today + timedelta(days=365 * years),
            value=Decimal(50 + 10 * years),
        )
        for measure in measures
        for years in (-1, 1, 3)
    )
    CharterAction.objects.bulk_create(
        CharterAction(
            charter=charter, title=f"Bench action {n}", owner="HR", due_on=today - timedelta(days=n)
        )
        for n in range(20)
    )
    return charter, 1


@register_generator
def generate_charter(*, scale: int) -> dict:
    """One benchmark charter (30 measures × 24 readings, whatever the scale), and the time
    its board report takes, in milliseconds, as the "total" of a row of its own."""
    from .reports import board_report_pdf
    from .selectors import charter_progress

    charter, created = _bench_charter()
    started = time.perf_counter()
    board_report_pdf(charter_progress(charter.pk, today=timezone.localdate()))
    milliseconds = round((time.perf_counter() - started) * 1000)
    return {
        "charter readings": {
            "created": created * MEASURES * READINGS,
            "total": Reading.objects.filter(measure__commitment__charter=charter).count(),
        },
        f"ms for the board report ({MEASURES} measures × {READINGS} readings)": {
            "created": 0,
            "total": milliseconds,
        },
    }


def _bench_charter_page() -> str:
    return f"/charter/{_bench_organisation().slug}/"


register("charter", _bench_charter_page, users=("anonymous",))


def _bench_charter_dashboard() -> str:
    charter = Charter.objects.get(organisation=_bench_organisation(), version=BENCH_VERSION)
    return reverse("charter_dashboard", args=[charter.pk])


def _bench_charter_keeper() -> str:
    """HR of the bench charter's organisation, who keeps it."""
    from cms.models import User
    from cms.roles import Role

    return (
        User.objects.filter(organisation=_bench_organisation(), groups__name=Role.HR)
        .order_by("pk")
        .values_list("email", flat=True)
        .first()
    )


register_dashboard("charter dashboard", _bench_charter_dashboard, _bench_charter_keeper)
