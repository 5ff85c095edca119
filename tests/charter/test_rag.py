"""Red, amber, green from the latest reading against the trajectory between milestones."""

from datetime import date
from decimal import Decimal

from charter import rag

ADOPTED = date(2024, 4, 1)
TARGETS = [rag.Point(date(2025, 3, 31), Decimal("60")), rag.Point(date(2027, 3, 31), Decimal("80"))]
BASELINE = rag.Point(ADOPTED, Decimal("40"))


def status_of(value, day, *, higher=True, targets=TARGETS, baseline=BASELINE):
    return rag.status(
        latest=rag.Point(day, Decimal(value)),
        targets=targets,
        baseline=baseline,
        higher_is_better=higher,
    )


def test_the_trajectory_is_a_straight_line_between_baseline_and_milestones():
    trajectory = [BASELINE, *TARGETS]
    # Halfway (by days) from 1 April 2024 (40) to 31 March 2025 (60) is about 50.
    assert round(rag.expected_on(date(2024, 9, 30), trajectory)) == 50
    # Halfway between the milestones: 70.
    assert round(rag.expected_on(date(2026, 3, 31), trajectory)) == 70
    # After the last milestone the last target is what is expected.
    assert rag.expected_on(date(2028, 1, 1), trajectory) == Decimal("80")


def test_on_or_better_than_the_trajectory_is_green_and_says_why():
    result = status_of("52", date(2024, 9, 30))
    assert result.colour == rag.GREEN
    assert result.label == "On track"
    assert "on the way to 60 by 31 March 2025" in result.reason


def test_behind_by_no_more_than_a_tenth_of_the_target_is_amber():
    # Expected about 50, tolerance 6 (a tenth of 60): 45 is amber, 43 is red.
    assert status_of("45", date(2024, 9, 30)).colour == rag.AMBER
    assert status_of("43", date(2024, 9, 30)).colour == rag.RED


def test_a_missed_milestone_is_red_after_its_date():
    assert status_of("50", date(2025, 3, 31)).colour == rag.RED


def test_when_lower_is_better_the_comparison_turns_round():
    targets = [rag.Point(date(2025, 3, 31), Decimal("40"))]
    baseline = rag.Point(ADOPTED, Decimal("80"))

    # Expected about 60 on the way from 80 down to 40; tolerance 4 (a tenth of 40).
    def colour(value):
        return status_of(
            value, date(2024, 9, 30), higher=False, targets=targets, baseline=baseline
        ).colour

    assert (colour("58"), colour("63"), colour("70")) == (rag.GREEN, rag.AMBER, rag.RED)


def test_with_no_baseline_the_first_reading_starts_the_trajectory():
    result = rag.status(
        latest=rag.Point(date(2024, 6, 30), Decimal("30")),
        targets=TARGETS,
        baseline=None,
        first_reading=rag.Point(date(2024, 6, 30), Decimal("30")),
        higher_is_better=True,
    )
    assert result.colour == rag.GREEN


def test_no_reading_is_grey_not_yet_measured_and_no_target_is_grey_too():
    none_yet = rag.status(latest=None, targets=TARGETS, baseline=BASELINE, higher_is_better=True)
    assert (none_yet.colour, none_yet.label) == (rag.GREY, "Not yet measured")
    no_target = status_of("50", date(2024, 9, 30), targets=[])
    assert (no_target.colour, no_target.label) == (rag.GREY, "No target set")


def test_a_commitment_takes_its_worst_measured_status():
    green = status_of("60", date(2025, 3, 31))
    red = status_of("10", date(2025, 3, 31))
    grey = rag.status(latest=None, targets=[], baseline=None, higher_is_better=True)
    assert rag.worst([green, grey, red]).colour == rag.RED
    assert rag.worst([green, grey]).colour == rag.GREEN
    assert rag.worst([grey]).colour == rag.GREY
