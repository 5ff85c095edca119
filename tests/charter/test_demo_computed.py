"""A figure the demo labels computed is the calculation's own answer: every computed reading,
run again on the demo's history for its period and organisation, gives the same value,
numerator and denominator; baselines are the calculation's answer for the period before
adoption; hand-kept readings say who entered them and where they came from; and the public
page's shares are the numbers beside them."""

import io
import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from charter.calculations import get_calculation, percent
from charter.models import Charter, Measure, Reading
from charter.periods import period_containing

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 17, 12))


def _again(measure: Measure, start, end):
    return get_calculation(measure.calculation)(
        organisation_ids=[measure.commitment.charter.organisation_id], start=start, end=end
    )


def _every_computed_reading_is_its_calculation_run_again_on_the_history():
    readings = Reading.objects.filter(measure__source=Measure.Source.COMPUTED).select_related(
        "measure__commitment__charter"
    )
    assert readings.count() >= 150  # 2 charters, 8 computed measures, 10 quarters or 2 years
    for reading in readings:
        result = _again(reading.measure, reading.period_start, reading.period_end)
        assert (reading.value, reading.numerator, reading.denominator) == (
            result.value,
            result.numerator,
            result.denominator,
        ), f"{reading.measure} for {reading.period_start} to {reading.period_end}"
        assert reading.computed_at is not None and reading.entered_by is None
        assert reading.note == "Computed from the platform's own data."
        if reading.denominator:
            assert reading.value == percent(reading.numerator, reading.denominator).value


def _most_computed_figures_count_enough_people_to_be_shown():
    shares = Reading.objects.filter(
        measure__source=Measure.Source.COMPUTED, denominator__isnull=False
    )
    shown = shares.filter(denominator__gte=5).count()
    assert shown >= 0.85 * shares.count()


def _computed_baselines_are_the_calculation_for_the_period_before_adoption():
    for measure in Measure.objects.filter(source=Measure.Source.COMPUTED).select_related(
        "commitment__charter"
    ):
        adopted_on = measure.commitment.charter.adopted_on
        start, end = period_containing(adopted_on - timedelta(days=1), measure.frequency)
        result = _again(measure, start, end)
        if result.value is None:
            first = measure.readings.order_by("period_end").first()
            assert (measure.baseline, measure.baseline_on) == (first.value, first.period_end)
        else:
            assert (measure.baseline, measure.baseline_on) == (result.value, end)
        assert measure.targets.count() == 2


def _hand_kept_readings_say_who_entered_them_and_where_they_came_from():
    entered = Reading.objects.filter(measure__source=Measure.Source.ENTERED).select_related(
        "entered_by", "measure__commitment__charter__organisation"
    )
    assert entered.count() >= 20
    for reading in entered:
        assert reading.computed_at is None and reading.entered_by is not None
        assert reading.note.startswith("From ")
        assert reading.period_end < reading.created_at.date()  # entered after the period
    northdale = entered.filter(
        measure__commitment__charter__organisation__name__startswith="Northdale Health"
    )
    assert {r.entered_by.email for r in northdale} == {"hr@example.org"}
    assert all(
        r.measure.baseline is not None and r.measure.baseline_on is not None for r in entered
    )


def _the_history_is_coherent_and_answers_nothing_before_it_was_asked():
    from coproduce.models import Feedback, InvolvementClaim
    from peers.models import JobApplication

    now = timezone.now()  # frozen by the test
    for claim in InvolvementClaim.objects.select_related("attendance__meeting"):
        assert claim.attendance.meeting.ends_at <= claim.submitted_at <= now
        if claim.paid_at:
            assert claim.submitted_at < claim.approved_at <= claim.paid_at <= now
    for item in Feedback.objects.exclude(responded_at=None):
        assert item.created_at < item.triaged_at <= item.responded_at <= now
    for application in JobApplication.objects.exclude(started_on=None):
        applied = timezone.localtime(application.applied_at).date()
        interviewed = timezone.localtime(application.interview_at).date()
        assert applied < application.shortlisted_on < interviewed < application.offered_on
        assert application.offered_on < application.checks_started_on < application.started_on
        assert application.started_on <= now.date()
        assert application.worker.start_date == application.started_on


SHARE = re.compile(r"([\d.]+)% \((\d+) of (\d+)\)")


def _the_public_page_shows_each_share_with_the_numbers_it_was_worked_out_from(client):
    for charter in Charter.objects.select_related("organisation"):
        page = client.get(f"/charter/{charter.organisation.slug}/")
        assert page.status_code == 200
        shares = SHARE.findall(page.content.decode())
        assert len(shares) >= 20
        for shown, numerator, denominator in shares:
            worked_out = Decimal(numerator) * 100 / Decimal(denominator)
            assert abs(Decimal(shown) - worked_out) <= Decimal("0.05"), shares


def test_the_demo_computes_every_computed_figure_from_its_own_history(client):
    """One load (the demo takes a while), every claim about its figures."""
    with time_machine.travel(NOW, tick=False):
        call_command("demo_charter", stdout=io.StringIO())
        _every_computed_reading_is_its_calculation_run_again_on_the_history()
        _most_computed_figures_count_enough_people_to_be_shown()
        _computed_baselines_are_the_calculation_for_the_period_before_adoption()
        _hand_kept_readings_say_who_entered_them_and_where_they_came_from()
        _the_history_is_coherent_and_answers_nothing_before_it_was_asked()
        _the_public_page_shows_each_share_with_the_numbers_it_was_worked_out_from(client)
