"""Dates and times in words: the one way the site says them.

- a day: ``1 December 2026``, or ``Tuesday 1 December 2026`` with its weekday;
- a moment: ``Tuesday 1 December 2026 at 3:05pm`` (``12:00am`` at midnight);
- a time of day the NHS way, for opening hours and meetings: ``9am``, ``5:30pm``, ``midnight``;
- a length of time in hours: ``4 hours``, ``1 hour``, ``1.5 hours``.

Two ways with times, on purpose. ``clock`` is for times people plan by (opening hours, a
meeting's start), written the NHS way: ``3pm``, ``midnight``. ``time_in_words`` and
``moment_in_words`` are for when something was recorded (a claim sent, a page looked at):
always with minutes, so a list of them lines up, and ``12:00am`` rather than "midnight",
which leaves people unsure which day it ended.

Moments are said in UK time (Europe/London), so a moment stored in UTC on either side of
the clocks changing reads as the hour people saw on the wall. A moment with no time zone
is taken to be in UK time already. Months are in English whatever the server's locale.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils import dateformat, timezone

UK = ZoneInfo(settings.TIME_ZONE)


def uk_time(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` in UK time; a moment with no time zone is left as it is."""
    if timezone.is_aware(moment):
        return timezone.localtime(moment, UK)
    return moment


def day_in_words(value: datetime.date, *, weekday: bool = False) -> str:
    """``1 December 2026`` (``Tuesday 1 December 2026`` with ``weekday``): a date, or the
    UK day of a moment."""
    if isinstance(value, datetime.datetime):
        value = uk_time(value)
    return dateformat.format(value, "l j F Y" if weekday else "j F Y")


def time_in_words(moment: datetime.datetime | datetime.time) -> str:
    """``3:05pm``, ``9:30am``, ``12:00am``: the time of a moment, in UK time."""
    if isinstance(moment, datetime.datetime):
        moment = uk_time(moment)
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{moment.hour % 12 or 12}:{moment.minute:02d}{suffix}"


def moment_in_words(moment: datetime.datetime, *, weekday: bool = True) -> str:
    """``Tuesday 1 December 2026 at 3:05pm`` (``1 December 2026 at 3:05pm`` without
    ``weekday``), in UK time."""
    return f"{day_in_words(moment, weekday=weekday)} at {time_in_words(moment)}"


def date_in_words(value: datetime.date) -> str:
    """Whatever it is, in words: a date as ``1 December 2026``, a moment as
    ``1 December 2026 at 3:05pm`` (UK time)."""
    if isinstance(value, datetime.datetime):
        return moment_in_words(value, weekday=False)
    return day_in_words(value)


def hours_in_words(hours) -> str:
    """A length of time in hours, to one decimal place and only when it needs one:
    ``4 hours``, ``1 hour``, ``1.5 hours``, ``1,250 hours``; never ``4.0 hours``."""
    tenths = Decimal(str(hours or 0)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    number = floatformat(tenths, "-1g")
    return f"{number} hour" if number == "1" else f"{number} hours"


def clock(value: datetime.time | datetime.datetime | None) -> str:
    """A time of day the NHS way: ``9am``, ``5:30pm``, ``midnight`` (also for 23:59, the
    end of a day that runs to midnight). Empty for no time. Read as given: put a moment in
    UK time first."""
    if value is None:
        return ""
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    if value.hour == 23 and value.minute == 59:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


__all__ = [
    "UK",
    "clock",
    "date_in_words",
    "day_in_words",
    "moment_in_words",
    "time_in_words",
    "uk_time",
]
