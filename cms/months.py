"""Calendar months as their first days: the one arithmetic for every monthly figure (feedback
trends, peer activity, charter periods and reviews, training expiry, retention)."""

import calendar
from datetime import date, timedelta


def month_start(day: date, *, months_back: int = 0) -> date:
    """The first day of the month ``months_back`` months before ``day``'s month (a negative
    number counts forward)."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months (a negative number moves back); the 29th to 31st become
    the month's last day when it is shorter (31 January plus a month is 28 or 29 February;
    29 February 2024 plus 12 months is 28 February 2025)."""
    start = month_start(day, months_back=-months)
    return start.replace(day=min(day.day, calendar.monthrange(start.year, start.month)[1]))


def months_between(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s month to ``last``'s, in order."""
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = month_start(current, months_back=-1)
    return months


def whole_months(first: date, last: date, *, today: date | None = None) -> tuple[date, date] | None:
    """The first days of the first and last whole calendar months from ``first`` to ``last``
    (both included), or None when there is no whole month between them: what monthly totals
    can answer, leaving only the days before and after to count one by one.

    With ``today``, the month of ``last`` is whole also when ``last`` is today or later:
    nothing has happened after today, so the rest of the month has nothing to count."""
    start = first if first.day == 1 else month_start(first, months_back=-1)
    ends_its_month = (last + timedelta(days=1)).day == 1
    final = (
        month_start(last)
        if ends_its_month or (today is not None and last >= today)
        else month_start(last, months_back=1)
    )
    return (start, final) if start <= final else None
