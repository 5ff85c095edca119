"""Daily totals of each peer worker's session logs, kept beside the logs so the hours and
activity summary reads a few thousand rows instead of every session a worker ever logged.

The totals are a copy worked out from ``SessionLog`` and never typed by anyone: a change to
a session recounts its day (``peers.services.activity_totals``), and
``manage.py rebuild_activity_totals`` recounts them all after a bulk load.
"""

from django.db import models


class ActivityDay(models.Model):
    """One worker's sessions on one day in one setting: minutes, sessions, group sessions."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="activity_days"
    )
    date = models.DateField()
    setting = models.CharField(max_length=12)
    minutes = models.PositiveIntegerField(default=0)
    sessions = models.PositiveIntegerField(default=0)
    group_sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "date", "setting"], name="peers_activity_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sessions} sessions on {self.date}"


class ActivityPersonDay(models.Model):
    """A person (by the worker's reference) the worker supported on a day, and how often:
    distinct people over a period are counted from these rows."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="activity_people"
    )
    date = models.DateField()
    person_reference = models.CharField(max_length=40)
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "date", "person_reference"],
                name="peers_activity_person_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_reference} on {self.date}"


class ActivityTopicDay(models.Model):
    """How many of a worker's sessions on a day touched a need (topic)."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="activity_topics"
    )
    date = models.DateField()
    need = models.ForeignKey("cms.Need", on_delete=models.CASCADE, related_name="+")
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "date", "need"], name="peers_activity_topic_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sessions} sessions on {self.date}"


class ActivitySignpostDay(models.Model):
    """How many of a worker's sessions on a day signposted someone to an offer."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="activity_signposts"
    )
    date = models.DateField()
    offer = models.ForeignKey("cms.OfferPage", on_delete=models.CASCADE, related_name="+")
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "date", "offer"], name="peers_activity_signpost_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sessions} sessions on {self.date}"
