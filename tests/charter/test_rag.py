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


def test_with_no_baseline_a_lone_first_reading_is_not_judged_against_itself():
    first = rag.Point(date(2024, 6, 30), Decimal("30"))
    result = rag.status(
        latest=first, targets=TARGETS, baseline=None, first_reading=first, higher_is_better=True
    )
    assert (result.colour, result.label) == (rag.GREY, "Not yet judged")
    assert result.reason.startswith("A second reading is needed")


def test_with_no_baseline_the_second_reading_is_judged_from_the_first():
    first = rag.Point(date(2024, 6, 30), Decimal("30"))
    # From 30 on 30 June 2024 to 60 on 31 March 2025: about 50 is expected by 31 December.
    behind = rag.status(
        latest=rag.Point(date(2024, 12, 31), Decimal("40")),
        targets=TARGETS,
        baseline=None,
        first_reading=first,
        higher_is_better=True,
    )
    assert behind.colour == rag.RED and "behind the expected 50.1" in behind.reason


def test_a_baseline_judges_even_the_first_reading():
    result = status_of("30", date(2024, 6, 30))
    assert result.colour == rag.RED


def test_a_target_is_judged_only_on_a_reading_at_or_after_its_date():
    target = rag.Point(date(2026, 3, 31), Decimal("60"))
    early = [rag.Point(date(2024, 9, 30), Decimal("20"))]  # 18 months before its date
    verdict = rag.target_verdict(target, early, today=date(2025, 1, 10), higher_is_better=True)
    assert verdict == (rag.NOT_DUE, None)
    verdict = rag.target_verdict(target, early, today=date(2026, 5, 1), higher_is_better=True)
    assert verdict == (rag.NOT_KNOWN, None)
    on_the_day = rag.Point(date(2026, 3, 31), Decimal("61"))
    later = rag.Point(date(2026, 6, 30), Decimal("50"))
    readings = [*early, on_the_day, later]
    assert rag.target_verdict(target, readings, today=date(2026, 7, 1), higher_is_better=True) == (
        rag.MET,
        on_the_day,
    )
    assert rag.target_verdict(target, readings, today=date(2026, 7, 1), higher_is_better=False) == (
        rag.MISSED,
        on_the_day,
    )


def test_a_reading_two_periods_old_is_out_of_date_the_day_after():
    # April to June 2024, taken quarterly: two more quarters end on 31 December 2024.
    june = date(2024, 6, 30)
    assert not rag.is_out_of_date(june, frequency="quarterly", today=date(2024, 12, 31))
    assert rag.is_out_of_date(june, frequency="quarterly", today=date(2025, 1, 1))
    assert not rag.is_out_of_date(june, frequency="monthly", today=date(2024, 8, 31))
    assert rag.is_out_of_date(june, frequency="monthly", today=date(2024, 9, 1))
    march = date(2025, 3, 31)
    assert not rag.is_out_of_date(march, frequency="annually", today=date(2027, 3, 31))
    assert rag.is_out_of_date(march, frequency="annually", today=date(2027, 4, 1))


def test_an_out_of_date_status_keeps_its_colour_and_says_so_first():
    result = rag.status(
        latest=rag.Point(date(2024, 9, 30), Decimal("52")),
        targets=TARGETS,
        baseline=BASELINE,
        higher_is_better=True,
        out_of_date="Out of date: last reading for July to September 2024",
    )
    assert result.colour == rag.GREEN
    assert result.reason.startswith("Out of date: last reading for July to September 2024. 52")
    assert rag.worst([result]).reason == (
        "The worst status of its measures. 1 of its measures is out of date."
    )


def test_the_rule_in_words_names_every_case_the_code_decides():
    rule = rag.RULE
    for words in (
        "from its baseline",
        "or on the day the charter was adopted if no date was given",
        "the first reading is the starting point, so a second reading is needed",
        "a tenth of the target being worked towards",
        "Grey: no reading yet, no target set, or not yet judged",
        "met or missed only on the first reading for a period ending on or after its date",
        "not due yet",
        "not yet known",
        "more than two periods",
        "out of date",
    ):
        assert words in rule, words


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
