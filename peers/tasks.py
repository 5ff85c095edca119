"""Background entry points of peer work, run by django-q2: each calls one service and holds
no logic of its own, and each is safe to run twice. Each topic appends its own."""

from .services import supervision


def send_supervision_reminders() -> int:
    """Scheduled daily: remind overdue workers and their supervisors, at most weekly."""
    return supervision.supervision_reminders_send()
