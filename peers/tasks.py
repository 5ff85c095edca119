"""Background entry points of peer work, run by django-q2: each calls one service and holds
no logic of its own, and each is safe to run twice. Each topic appends its own."""

from .services import safeguarding, supervision


def send_supervision_reminders() -> int:
    """Scheduled daily: remind overdue workers and their supervisors, at most weekly."""
    return supervision.supervision_reminders_send()


def escalate_concerns() -> int:
    """Scheduled every 15 minutes: tell HR of concerns nobody has picked up in time, once."""
    return safeguarding.concerns_escalate()
