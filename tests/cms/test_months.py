"""Month arithmetic has one home, ``cms.months``. Each function there replaced copies that
apps had written for themselves; these tests keep the copies, word for word, and show the
shared function gives what each copy gave, on every day and number of months its caller
can ask about — at month ends, on 29 February, and going back as well as forward."""

import calendar
from datetime import date, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from cms.months import add_months, month_start, months_between, whole_months

DAYS = st.dates(min_value=date(1800, 1, 1), max_value=date(2300, 12, 31))
MONTHS = st.integers(min_value=-1200, max_value=1200)


# --- The copies the shared functions replaced (as they were, for comparison) ----------------


def progression_add_months(day: date, months: int) -> date:
    """peers/services/progression.py: training expiry, the demo's progression."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retention_add_months(day: date, months: int) -> date:
    """peers/selectors/retention.py: the 12-month cohort and retention, the demo's history."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def charter_add_months(value: date, months: int) -> date:
    """charter/services.py: the dates of a charter's reviews."""
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for day_of_month in range(value.day, 27, -1):
        try:
            return date(year, month, day_of_month)
        except ValueError:
            continue
    return date(year, month, min(value.day, 28))


def feedback_whole_months(first: date, last: date, today: date):
    """coproduce/selectors/feedback.py: which months of the trends the totals answer."""
    start = first if first.day == 1 else month_start(first, months_back=-1)
    month_after_last = month_start(last, months_back=-1)
    final = (
        month_start(last)
        if last + timedelta(days=1) >= month_after_last or last >= today
        else month_start(last, months_back=1)
    )
    return (start, final) if start <= final else None


def activity_whole_months(start: date, end: date):
    """peers/selectors/activity.py: which months of a worker's people supported come from
    the monthly rows; (first month, first day after the last), not inclusive."""
    first = start if start.day == 1 else month_start(start + timedelta(days=31))
    after = month_start(end + timedelta(days=1))
    return (first, after) if first < after else None


# --- Adding months ---------------------------------------------------------------------------


@given(day=DAYS, months=MONTHS)
@example(day=date(2026, 1, 31), months=1)
@example(day=date(2024, 1, 31), months=1)
@example(day=date(2024, 2, 29), months=12)
@example(day=date(2024, 2, 29), months=-12)
@example(day=date(2026, 3, 31), months=-1)
@example(day=date(2026, 1, 15), months=-13)
def test_adding_months_gives_what_each_old_copy_gave(day, months):
    moved = add_months(day, months)
    assert moved == progression_add_months(day, months)
    assert moved == retention_add_months(day, months)
    assert moved == charter_add_months(day, months)


def test_a_day_the_month_lacks_becomes_its_last_day_going_either_way():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 5, 31), -25) == date(2024, 4, 30)
    assert add_months(date(2026, 1, 15), -13) == date(2024, 12, 15)


# --- Whole months within a period ------------------------------------------------------------


def periods():
    return st.tuples(DAYS, st.integers(min_value=0, max_value=800)).map(
        lambda pair: (pair[0], pair[0] + timedelta(days=pair[1]))
    )


@given(period=periods(), today_offset=st.integers(min_value=-400, max_value=400))
@example(period=(date(2026, 1, 31), date(2026, 2, 28)), today_offset=10)
@example(period=(date(2026, 3, 1), date(2026, 5, 9)), today_offset=0)
@example(period=(date(2026, 3, 2), date(2026, 3, 31)), today_offset=-5)
def test_the_trends_whole_months_are_what_the_feedback_copy_gave(period, today_offset):
    first, last = period
    today = last + timedelta(days=today_offset)
    assert whole_months(first, last, today=today) == feedback_whole_months(first, last, today)


def whole_within(month: date, first: date, last: date) -> bool:
    return first <= month and month_start(month, months_back=-1) - timedelta(days=1) <= last


@given(period=periods())
@example(period=(date(2026, 1, 31), date(2026, 2, 28)))
@example(period=(date(2026, 3, 31), date(2026, 6, 30)))
@example(period=(date(2026, 1, 2), date(2026, 3, 31)))
def test_peer_activity_whole_months_are_the_old_copys_and_the_one_it_skipped(period):
    """The activity copy found the first whole month as the month 31 days after the first
    day, which skips February after 29–31 January, and April after 31 March: that month's
    days were then read from the daily rows. The people counted were the same (the two
    kinds of row are joined with UNION), only read the slower way. The shared function
    names that month too; every other answer is the copy's."""
    first, last = period
    new = whole_months(first, last)
    months = [] if new is None else _months(*new)
    # Exactly the months that lie wholly within the period.
    assert months == [
        month for month in months_between(first, last) if whole_within(month, first, last)
    ]
    old = activity_whole_months(first, last)
    old_months = [] if old is None else _months(old[0], month_start(old[1], months_back=1))
    missed = month_start(first, months_back=-1)
    if first.day != 1 and missed != month_start(first + timedelta(days=31)) and missed in months:
        assert months == [missed, *old_months]
    else:
        assert months == old_months


def _months(first: date, final: date) -> list[date]:
    months = [first]
    while months[-1] < final:
        months.append(month_start(months[-1], months_back=-1))
    return months
