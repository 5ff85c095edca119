"""When a supervisor can be expected to answer: office hours, 9am to 5pm, Monday to Friday,
UK time, except bank holidays in England and Wales. A safeguarding concern raised outside
them tells the worker what to do if nobody answers, and the time before an unacknowledged
concern is escalated counts office hours only (an immediate-risk concern counts every hour).

The bank holidays are the shell's one table (``cms.working_days``), the one the charter
counts working days with.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from cms.working_days import is_working_day

OPENS, CLOSES = time(9), time(17)
IN_WORDS = "9am to 5pm, Monday to Friday, except bank holidays"

# Enough days to cross the longest wait (16 office hours) over any weekend and the longest
# run of bank holidays (Christmas, Boxing Day and New Year's substitute days).
_MOST_DAYS_TO_WALK = 14


def is_out_of_hours(moment: datetime) -> bool:
    """True when ``moment`` (aware) falls outside office hours, UK time: at night, at a
    weekend or on a bank holiday."""
    local = timezone.localtime(moment)
    return not is_working_day(local.date()) or not (OPENS <= local.time() < CLOSES)


def after_office_hours(start: datetime, hours: int) -> datetime:
    """The moment ``hours`` office hours after ``start`` (aware): 2 office hours after
    4pm on a Friday is 10am on Monday, or 10am on Tuesday when Monday is a bank holiday."""
    left = timedelta(hours=hours)
    local = timezone.localtime(start)
    day = local.date()
    for _ in range(_MOST_DAYS_TO_WALK):
        if is_working_day(day):
            opens = _at(day, OPENS)
            closes = _at(day, CLOSES)
            begin = max(opens, local)
            if begin < closes:
                if begin + left <= closes:
                    return begin + left
                left -= closes - begin
        day += timedelta(days=1)
    raise ValueError(f"{hours} office hours is more than {_MOST_DAYS_TO_WALK} days.")


def _at(day, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))
