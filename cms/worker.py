"""Services about the background worker itself: the heartbeat and its health."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Heartbeat


def heartbeat_record(*, name: str) -> Heartbeat:
    """Note that the worker ran now; called by the scheduled heartbeat task."""
    now = timezone.now()
    with transaction.atomic():
        beat, created = Heartbeat.objects.get_or_create(
            name=name, defaults={"last_seen": now, "runs": 1}
        )
        if not created:
            Heartbeat.objects.filter(pk=beat.pk).update(last_seen=now, runs=F("runs") + 1)
            beat.refresh_from_db()
    return beat


def worker_status(*, now=None) -> dict:
    """What an admin needs to know: when the worker last ran, and whether that is too long."""
    now = now or timezone.now()
    beat = Heartbeat.objects.filter(name="worker").first()
    stale_after = timedelta(seconds=settings.HEARTBEAT_STALE_AFTER)
    return {
        "last_seen": beat.last_seen if beat else None,
        "runs": beat.runs if beat else 0,
        "healthy": bool(beat and now - beat.last_seen <= stale_after),
        "stale_after": stale_after,
    }
