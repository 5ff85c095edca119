"""Background entry points of co-production, run by django-q2: each calls one service and
holds no logic of its own, and each is safe to run twice."""

from .services import meetings


def send_meeting_reminders() -> int:
    """Scheduled every 15 minutes: remind members of meetings starting within two days."""
    return meetings.meeting_reminders_send()


def send_meeting_reminder(meeting_id: int) -> int:
    """Remind one meeting's members now, if they have not been reminded already."""
    return meetings.meeting_remind(meeting_id=meeting_id)


def notify_service_change(page_id: int) -> int:
    """Tell the members whose feedback is linked to a published change about its status,
    each person once per status."""
    from .services.changes import service_change_notify_members

    return service_change_notify_members(page_id=page_id)
