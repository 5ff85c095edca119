"""When a supervisor can be expected to answer: office hours, 9am to 5pm, Monday to Friday,
UK time. A safeguarding concern raised outside them tells the worker what to do if nobody
answers, and the time before an unacknowledged concern is escalated counts office hours
only (an immediate-risk concern counts every hour).

Bank holidays count as working days here: being told what to do if nobody answers on a
bank holiday morning costs less than keeping a second holiday table.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

OPENS, CLOSES = time(9), time(17)
WORKING_DAYS = range(0, 5)  # Monday to Friday
IN_WORDS = "9am to 5pm, Monday to Friday"

# Enough days to cross the longest wait (16 office hours) over any weekend.
_MOST_DAYS_TO_WALK = 14


def is_out_of_hours(moment: datetime) -> bool:
    """True when ``moment`` (aware) falls outside office hours, UK time."""
    local = timezone.localtime(moment)
    return local.weekday() not in WORKING_DAYS or not (OPENS <= local.time() < CLOSES)


def after_office_hours(start: datetime, hours: int) -> datetime:
    """The moment ``hours`` office hours after ``start`` (aware): 2 office hours after
    4pm on a Friday is 10am on Monday."""
    left = timedelta(hours=hours)
    local = timezone.localtime(start)
    day = local.date()
    for _ in range(_MOST_DAYS_TO_WALK):
        if day.weekday() in WORKING_DAYS:
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
