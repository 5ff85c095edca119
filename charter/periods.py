"""The periods a measure is read over: calendar months, quarters (April to June, July to
September, October to December, January to March) and financial years (April to March)."""

from datetime import date, timedelta
from functools import lru_cache

from cms.months import month_start


def _months_in(frequency: str) -> int:
    return {"monthly": 1, "quarterly": 3, "annually": 12}[frequency]


def period_containing(day: date, frequency: str) -> tuple[date, date]:
    """The (first day, last day) of the period of ``frequency`` that ``day`` falls in."""
    months = _months_in(frequency)
    # Financial years and quarters both start in April: count months from April.
    offset = (day.month - 4) % 12 if months == 12 else (day.month - 1) % months
    start = month_start(day, months_back=offset)
    end = month_start(start, months_back=-months) - timedelta(days=1)
    return start, end


def last_complete_period(today: date, frequency: str) -> tuple[date, date]:
    """The most recent period that has ended by ``today`` (inclusive)."""
    start, end = period_containing(today, frequency)
    if end <= today:
        return start, end
    return period_containing(start - timedelta(days=1), frequency)


def complete_periods(since: date, today: date, frequency: str, *, most: int = 24):
    """The periods that have ended by ``today`` and end on or after ``since``, oldest first,
    at most ``most`` of them (the latest)."""
    periods = []
    start, end = last_complete_period(today, frequency)
    while end >= since and len(periods) < most:
        periods.append((start, end))
        start, end = period_containing(start - timedelta(days=1), frequency)
    return list(reversed(periods))


# A dashboard says the same few dozen periods for every measure: each is worked out once.
@lru_cache(maxsize=1024)
def period_label(start: date, end: date) -> str:
    """Like "April 2026", "April to June 2026" or "April 2026 to March 2027"; a period
    that is not whole months is given by its days."""
    whole_months = start.day == 1 and (end + timedelta(days=1)).day == 1
    if not whole_months:
        return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%B %Y}"
    if start.year == end.year:
        return f"{start:%B} to {end:%B %Y}"
    return f"{start:%B %Y} to {end:%B %Y}"
