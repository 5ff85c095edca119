"""Background entry points of the charter, run by django-q2: each calls one service, holds
no logic of its own, and is safe to run twice."""

from . import services


def take_charter_readings() -> int:
    """Scheduled: snapshot computed measures for every period that has ended."""
    return services.readings_snapshot()


def send_review_reminders() -> int:
    """Scheduled hourly: remind charter leads of reviews due within two weeks, once each."""
    return services.review_reminders_send()
