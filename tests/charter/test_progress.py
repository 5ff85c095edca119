"""A charter's progress stays cheap to read however big it grows (issue 19): the same
queries for 3 measures of one reading as for 30 measures of 24, and the shortcuts that keep
the dashboard fast (coordinates written once, each day said once) say exactly what the
slower way said."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from hypothesis import example, given
from hypothesis import strategies as st

from charter.charts import svg_number
from charter.models import Charter, Reading
from charter.periods import complete_periods
from charter.selectors import ReadingRow, charter_progress
from tests.conftest import sign_in
from tests.factories import (
    CharterActionFactory,
    CharterFactory,
    CommitmentFactory,
    EvidenceFactory,
    MeasureFactory,
    ReviewFactory,
    TargetFactory,
    UserFactory,
)

TODAY = date(2026, 4, 20)


@pytest.fixture
def hr_client(client, make_person):
    return sign_in(client, make_person("hr"))


def _charter(organisation, *, measures: int, readings: int) -> Charter:
    """A charter whose measures each have ``readings`` monthly readings (the latest entered
    by a person, with evidence), two targets, an action and a review."""
    charter = CharterFactory(organisation=organisation, adopted_on=date(2023, 4, 1))
    person = UserFactory(organisation=organisation, first_name="Morgan", last_name="Hughes")
    periods = complete_periods(charter.adopted_on, TODAY, "monthly", most=readings)
    for number in range(measures):
        commitment = CommitmentFactory(charter=charter, number=number + 1)
        measure = MeasureFactory(commitment=commitment, frequency="monthly", baseline=Decimal("30"))
        TargetFactory(measure=measure, due_on=date(2025, 3, 31), value=Decimal("50"))
        TargetFactory(measure=measure, due_on=date(2027, 3, 31), value=Decimal("70"))
        evidence = EvidenceFactory(charter=charter, commitment=commitment)
        Reading.objects.bulk_create(
            Reading(
                measure=measure,
                period_start=start,
                period_end=end,
                value=Decimal(35 + index),
                numerator=35 + index,
                denominator=100,
                entered_by=person if index == len(periods) - 1 else None,
                evidence=evidence if index == len(periods) - 1 else None,
            )
            for index, (start, end) in enumerate(periods)
        )
        CharterActionFactory(charter=charter, commitment=commitment, overdue=True)
    ReviewFactory(charter=charter, due_on=TODAY + timedelta(days=30))
    return charter


@pytest.mark.django_db
@pytest.mark.parametrize("public", [False, True])
def test_a_charters_progress_costs_eight_queries_for_3_measures_or_30_of_24_readings(
    organisation, django_assert_num_queries, public
):
    few = _charter(organisation, measures=3, readings=1)
    many = _charter(organisation, measures=30, readings=24)
    for charter in (few, many):
        with django_assert_num_queries(8):
            progress = charter_progress(charter.pk, today=TODAY, public=public)
            assert progress.measure_count in (3, 30)
        fetched = Charter.objects.select_related("organisation").get(pk=charter.pk)
        with django_assert_num_queries(7):
            again = charter_progress(fetched, today=TODAY, public=public)
        assert [m.rows for c in again.commitments for m in c.measures] == [
            m.rows for c in progress.commitments for m in c.measures
        ]


@pytest.mark.django_db
def test_the_30_measure_dashboard_shows_every_reading_and_who_entered_the_latest(
    organisation, hr_client
):
    charter = _charter(organisation, measures=30, readings=24)
    page = hr_client.get(f"/admin/charter/{charter.pk}/dashboard/").content.decode()
    assert page.count("(35 of 100)") == 30  # the first reading of each measure
    assert page.count("(58 of 100)") == 30  # the 24th
    assert page.count("Entered by Morgan Hughes on") == 30
    assert page.count('r="4.5"') == 30 * 24  # a dot for every reading on the charts


@pytest.mark.django_db
def test_a_figure_entered_late_on_a_summer_evening_says_the_uk_day(organisation):
    charter = _charter(organisation, measures=1, readings=2)
    latest = Reading.objects.filter(measure__commitment__charter=charter).latest("period_end")
    # 23:30 UTC on 30 June is 00:30 on 1 July in UK summer time.
    Reading.objects.filter(pk=latest.pk).update(
        updated_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    )
    (measure,) = charter_progress(charter.pk, today=TODAY).commitments[0].measures
    assert measure.rows[0].source == "Entered by Morgan Hughes on 1 July 2026"
    assert measure.starting_point == "Baseline: 30% on 1 April 2023."


def _row(numerator: str, denominator: str, *, withheld: bool = False) -> ReadingRow:
    return ReadingRow(
        period="April 2026",
        period_end=date(2026, 4, 30),
        value="40%",
        expected="-",
        numerator=numerator,
        denominator=denominator,
        note="",
        source="",
        withheld=withheld,
    )


def test_a_reading_shows_its_counts_unless_it_has_none_or_they_are_held_back():
    assert _row("8", "20").counts == " (8 of 20)"
    assert _row("fewer than 5", "20").counts == " (fewer than 5 of 20)"
    assert _row("-", "-").counts == ""
    assert _row("2", "3", withheld=True).counts == ""


# Coordinates on a 640 by 260 chart, give or take; floatformat writes numbers of more than
# 200 digits (like 1e-186) as they are, which no chart places.
@given(
    st.floats(min_value=-1000, max_value=2000, allow_nan=False).filter(
        lambda value: value == 0 or abs(value) > 1e-9
    )
)
@example(0.25)
@example(-0.04)
@example(12.35)
@example(219.95)
@example(56.0)
def test_chart_coordinates_read_exactly_as_floatformat_wrote_them(value):
    assert svg_number(value) == floatformat(value, 1)
