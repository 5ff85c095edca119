"""Small numbers are never shown: a count of 1 to 4 people reads "fewer than 5", a share made
from 1 to 4 people is not shown, and totals are only broken down from 5 people counted."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cms.disclosure import (
    FEWER_THAN,
    SHARE_NOT_SHOWN,
    SMALLEST_SHOWN,
    count_shown,
    enough_to_break_down,
    is_small,
    total_shown,
    value_withheld,
)

small = st.integers(min_value=1, max_value=4)
big_enough = st.integers(min_value=5, max_value=10**9)
any_count = st.integers(min_value=0, max_value=10**9)


def test_the_words_and_the_line_people_see():
    assert SMALLEST_SHOWN == 5
    assert FEWER_THAN == "fewer than 5"
    assert SHARE_NOT_SHOWN == "Not shown (from fewer than 5 people)"


@given(any_count)
def test_only_1_to_4_is_small(number):
    assert is_small(number) is (1 <= number <= 4)


def test_nothing_and_zero_are_not_small_but_a_fraction_below_5_is():
    assert not is_small(None)
    assert not is_small(0)
    assert is_small(Decimal("4.9"))
    assert not is_small(Decimal("5.0"))


@given(any_count)
def test_totals_are_broken_down_only_from_5_people(counted):
    assert enough_to_break_down(counted) is (counted >= 5)


@given(small)
def test_a_small_total_reads_fewer_than_5(count):
    assert total_shown(count) == "fewer than 5"


@given(big_enough)
def test_a_total_of_5_or_more_is_the_number_itself(count):
    assert total_shown(count) == str(count)


def test_a_total_of_nobody_reads_none():
    assert total_shown(0) == "None"


@given(any_count)
def test_a_total_never_shows_a_number_from_1_to_4(count):
    assert total_shown(count) not in {"1", "2", "3", "4"}


@given(small)
def test_a_small_public_count_reads_fewer_than_5(number):
    assert count_shown(number) == "fewer than 5"


def test_a_public_count_marks_thousands_and_shows_zero_and_nothing():
    assert count_shown(1200) == "1,200"
    assert count_shown(5) == "5"
    assert count_shown(0) == "0"
    assert count_shown(None) == "-"


@given(small, st.one_of(st.none(), any_count))
def test_a_small_count_of_people_is_withheld_as_fewer_than_5(value, denominator):
    assert value_withheld(value, denominator=denominator, is_count=True) == "fewer than 5"


@given(st.one_of(st.none(), any_count), small, st.booleans())
def test_a_figure_from_1_to_4_people_is_not_shown(value, denominator, is_count):
    reason = value_withheld(value, denominator=denominator, is_count=is_count)
    if is_count and is_small(value):
        assert reason == "fewer than 5"
    else:
        assert reason == "Not shown (from fewer than 5 people)"


@given(any_count, st.one_of(st.none(), st.just(0), big_enough))
def test_a_share_from_enough_people_is_shown_whatever_its_numerator(value, denominator):
    # A share such as 3 out of 200 may be shown: only who it is made from counts.
    assert value_withheld(value, denominator=denominator, is_count=False) is None


@given(big_enough, st.one_of(st.none(), big_enough))
def test_a_count_of_5_or_more_from_enough_people_is_shown(value, denominator):
    assert value_withheld(value, denominator=denominator, is_count=True) is None
