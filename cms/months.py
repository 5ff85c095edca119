"""Calendar months as their first days: the one arithmetic for every monthly figure (feedback
trends, peer activity, charter periods)."""

from datetime import date


def month_start(day: date, *, months_back: int = 0) -> date:
    """The first day of the month ``months_back`` months before ``day``'s month (a negative
    number counts forward)."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s month to ``last``'s, in order."""
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = month_start(current, months_back=-1)
    return months
