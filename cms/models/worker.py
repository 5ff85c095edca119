"""Proof that the background worker is alive: a scheduled task touches this row."""

from django.db import models


class Heartbeat(models.Model):
    """The last time the scheduled heartbeat task ran; one row per task name."""

    name = models.CharField(max_length=100, unique=True)
    last_seen = models.DateTimeField()
    runs = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} at {self.last_seen:%Y-%m-%d %H:%M}"
