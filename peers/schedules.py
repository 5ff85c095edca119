"""Peer work's scheduled tasks, declared to the shell's one schedule registry
(``cms.schedules``) from ``PeersConfig.ready``; ``manage.py sync_schedules`` writes them to
django-q2."""

from cms import schedules

DAY_IN_MINUTES = 24 * 60


def register_peers_schedules() -> None:
    # Daily is enough: a worker is overdue by the day, and each is reminded at most weekly
    # (PeerWorker.supervision_reminded_on), so a rerun or a missed day sends nothing twice.
    schedules.register(
        name="Overdue supervision reminders",
        func="peers.tasks.send_supervision_reminders",
        minutes=DAY_IN_MINUTES,
    )
