"""Dates and moments in words: the one way the site says them (cms.dates)."""

import datetime

import pytest

from cms.dates import (
    clock,
    date_in_words,
    day_in_words,
    hours_in_words,
    moment_in_words,
    time_in_words,
)

UTC = datetime.UTC


def test_a_date_reads_like_a_letter():
    assert day_in_words(datetime.date(2026, 12, 1)) == "1 December 2026"
    assert day_in_words(datetime.date(2026, 12, 1), weekday=True) == "Tuesday 1 December 2026"
    assert date_in_words(datetime.date(2026, 12, 1)) == "1 December 2026"


def test_a_moment_says_its_day_and_time():
    moment = datetime.datetime(2026, 12, 1, 15, 5, tzinfo=UTC)
    assert moment_in_words(moment) == "Tuesday 1 December 2026 at 3:05pm"
    assert moment_in_words(moment, weekday=False) == "1 December 2026 at 3:05pm"
    assert date_in_words(moment) == "1 December 2026 at 3:05pm"


def test_midnight_and_noon():
    midnight = datetime.datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    noon = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert moment_in_words(midnight) == "Tuesday 1 December 2026 at 12:00am"
    assert moment_in_words(noon) == "Tuesday 1 December 2026 at 12:00pm"
    assert clock(datetime.time(0, 0)) == "midnight"
    assert clock(datetime.time(23, 59)) == "midnight"
    assert clock(datetime.time(12, 0)) == "12pm"
    assert clock(datetime.time(17, 30)) == "5:30pm"
    assert clock(None) == ""


def test_summer_moments_are_said_in_british_summer_time():
    late_utc = datetime.datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
    assert moment_in_words(late_utc) == "Wednesday 15 July 2026 at 12:30am"
    assert day_in_words(late_utc) == "15 July 2026"


def test_the_days_the_clocks_change():
    # Clocks go forward at 1am UTC on Sunday 29 March 2026, back at 1am UTC on 25 October.
    before_spring = datetime.datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    after_spring = datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert time_in_words(before_spring) == "12:30am"
    assert time_in_words(after_spring) == "2:30am"
    first_half_past_one = datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second_half_past_one = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert moment_in_words(first_half_past_one) == "Sunday 25 October 2026 at 1:30am"
    assert moment_in_words(second_half_past_one) == "Sunday 25 October 2026 at 1:30am"
    # Late on the Saturday in UTC is already Sunday in summer time, but not in winter.
    assert day_in_words(datetime.datetime(2026, 3, 28, 23, 30, tzinfo=UTC)) == "28 March 2026"
    assert day_in_words(datetime.datetime(2026, 10, 24, 23, 30, tzinfo=UTC)) == "25 October 2026"


def test_a_moment_with_no_time_zone_is_taken_as_uk_time():
    naive = datetime.datetime(2026, 7, 14, 23, 30)
    assert moment_in_words(naive) == "Tuesday 14 July 2026 at 11:30pm"
    assert date_in_words(naive) == "14 July 2026 at 11:30pm"
    aware = datetime.datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
    assert date_in_words(aware) == "15 July 2026 at 12:30am"


def test_a_date_and_a_moment_differ_only_by_the_time():
    day = datetime.date(2027, 1, 1)
    moment = datetime.datetime(2027, 1, 1, 9, 30, tzinfo=UTC)
    assert date_in_words(day) == "1 January 2027"
    assert date_in_words(moment) == "1 January 2027 at 9:30am"
    assert time_in_words(datetime.time(9, 5)) == "9:05am"


@pytest.mark.parametrize(
    "hours, words",
    [
        (4.0, "4 hours"),
        (1.0, "1 hour"),
        (1.5, "1.5 hours"),
        (0, "0 hours"),
        (None, "0 hours"),
        (0.04, "0 hours"),
        (1250.0, "1,250 hours"),
    ],
)
def test_hours_are_whole_numbers_without_a_point_nought(hours, words):
    assert hours_in_words(hours) == words
