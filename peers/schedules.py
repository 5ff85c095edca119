"""Peer work's scheduled tasks, declared to the shell's one schedule registry
(``cms.schedules``) from ``PeersConfig.ready``; ``manage.py sync_schedules`` writes them to
django-q2."""

from cms import schedules

DAY_IN_MINUTES = 24 * 60
ESCALATION_CHECK_MINUTES = 15


def register_peers_schedules() -> None:
    # Daily is enough: a worker is overdue by the day, and each is reminded at most weekly
    # (PeerWorker.supervision_reminded_on), so a rerun or a missed day sends nothing twice.
    schedules.register(
        name="Overdue supervision reminders",
        func="peers.tasks.send_supervision_reminders",
        minutes=DAY_IN_MINUTES,
    )
    # Often enough that an immediate-risk concern (escalated after an hour) waits at most
    # a quarter of an hour more; each concern is escalated once (escalated_at).
    schedules.register(
        name="Escalate safeguarding concerns nobody has picked up",
        func="peers.tasks.escalate_concerns",
        minutes=ESCALATION_CHECK_MINUTES,
    )
