"""How meeting times are written: in words for people ("Tuesday 1 December 2026, 10am to
12pm"), and as iCalendar (RFC 5545) for calendar apps.

Everything is in UK time (Europe/London), whatever time zone the server or a member's
device is in. iCalendar output is built by hand because it is small and exact: CRLF line
endings, lines folded at 75 octets, text escaped, times given with TZID=Europe/London and a
VTIMEZONE that describes British Summer Time, so calendar apps show the right hour on both
sides of the clocks changing.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cms import site_address
from cms.dates import clock, day_in_words, uk_time

TZID = settings.TIME_ZONE
PRODID = "-//Lived Experience Platform//Panel meetings//EN"
MAX_LINE_OCTETS = 75

# Europe/London since 1996: BST from 1am UTC on the last Sunday of March to 1am UTC on the
# last Sunday of October.
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19810329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19961027T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


# --- In words ------------------------------------------------------------------------------


def when_text(starts_at: datetime, ends_at: datetime | None = None) -> str:
    """'Tuesday 1 December 2026, 10am to 12pm' (the NHS way of writing dates and times)."""
    start = uk_time(starts_at)
    text = f"{day_in_words(start, weekday=True)}, {clock(start)}"
    if ends_at is None:
        return text
    end = uk_time(ends_at)
    if end.date() == start.date():
        return f"{text} to {clock(end)}"
    return f"{text} to {day_in_words(ends_at, weekday=True)}, {clock(end)}"


def meeting_when(meeting) -> str:
    return when_text(meeting.starts_at, meeting.ends_at)


def meeting_day(meeting) -> str:
    """'Tuesday 1 December 2026': the day a meeting starts, in UK time."""
    return day_in_words(meeting.starts_at, weekday=True)


# --- iCalendar ------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold one content line so that no physical line is longer than 75 octets, never
    splitting a UTF-8 character; continuation lines start with a space (RFC 5545 3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_LINE_OCTETS:
        return line
    parts, current, limit = [], b"", MAX_LINE_OCTETS
    for char in line:
        octets = char.encode("utf-8")
        if len(current) + len(octets) > limit:
            parts.append(current.decode("utf-8"))
            current, limit = b"", MAX_LINE_OCTETS - 1  # the leading space counts
        current += octets
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _local_stamp(moment: datetime) -> str:
    return uk_time(moment).strftime("%Y%m%dT%H%M%S")


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _where(meeting) -> str:
    if meeting.mode == meeting.Mode.ONLINE:
        return f"Online: {meeting.joining_link}" if meeting.joining_link else "Online"
    lines = [" ".join(line.split()) for line in (meeting.location or "").splitlines()]
    return ", ".join(line for line in lines if line)


def _description(meeting, page_url: str) -> str:
    parts = []
    if meeting.is_cancelled:
        reason = f" {meeting.cancellation_reason}" if meeting.cancellation_reason else ""
        parts.append(f"This meeting has been cancelled.{reason}")
    parts.append(f"{meeting.panel.title}.")
    if meeting.joining_link and meeting.mode != meeting.Mode.IN_PERSON:
        parts.append(f"Join online: {meeting.joining_link}")
    if meeting.agenda:
        parts.append(f"Agenda:\n{meeting.agenda}")
    if page_url:
        parts.append(f"Papers and access arrangements: {page_url}")
    return "\n\n".join(parts)


def event_lines(meeting, *, page_url: str, domain: str, stamp: datetime) -> list[str]:
    """One VEVENT; ``page_url`` is the meeting's page, ``domain`` makes the UID global."""
    summary = meeting.title
    if meeting.is_cancelled:
        summary = f"Cancelled: {summary}"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(f'{meeting.uid}@{domain}')}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTAMP:{_utc_stamp(stamp)}",
        f"DTSTART;TZID={TZID}:{_local_stamp(meeting.starts_at)}",
        f"DTEND;TZID={TZID}:{_local_stamp(meeting.ends_at)}",
        f"SUMMARY:{escape_text(summary)}",
        f"STATUS:{'CANCELLED' if meeting.is_cancelled else 'CONFIRMED'}",
    ]
    where = _where(meeting)
    if where:
        lines.append(f"LOCATION:{escape_text(where)}")
    if page_url:
        lines.append(f"URL:{page_url}")
    lines.append(f"DESCRIPTION:{escape_text(_description(meeting, page_url))}")
    lines.append("END:VEVENT")
    return lines


def calendar_bytes(
    meetings: Iterable,
    *,
    page_url_for,
    domain: str,
    name: str = "",
    refresh_hours: int | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """A whole VCALENDAR for ``meetings`` (each with its panel loaded), as UTF-8 bytes.

    ``page_url_for(meeting)`` gives the absolute address of a meeting's page; ``name`` and
    ``refresh_hours`` are for subscribed feeds, so calendar apps show a name and check back.
    """
    stamp = stamp or timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
        lines.append(f"X-WR-TIMEZONE:{TZID}")
    if refresh_hours:
        lines.append(f"REFRESH-INTERVAL;VALUE=DURATION:PT{refresh_hours}H")
        lines.append(f"X-PUBLISHED-TTL:PT{refresh_hours}H")
    lines.extend(VTIMEZONE)
    for meeting in meetings:
        lines.extend(
            event_lines(meeting, page_url=page_url_for(meeting), domain=domain, stamp=stamp)
        )
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")


# --- Addresses ------------------------------------------------------------------------------


def site_url(path: str) -> str:
    """An absolute address on this site, for emails and calendar apps (no request at hand)."""
    return site_address.absolute_url(path)


def calendar_domain() -> str:
    """The site's host name, which makes each meeting's UID unique across the world."""
    return site_address.site_host()


def meeting_page_url(meeting) -> str:
    return site_url(reverse("coproduce:meeting_detail", kwargs={"pk": meeting.pk}))


def meetings_calendar(meetings: Iterable, *, name: str = "", refresh_hours=None) -> bytes:
    """iCalendar for ``meetings``, each linking to its page on this site."""
    return calendar_bytes(
        meetings,
        page_url_for=meeting_page_url,
        domain=calendar_domain(),
        name=name,
        refresh_hours=refresh_hours,
    )
