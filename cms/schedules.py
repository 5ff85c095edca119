"""Every scheduled task of the platform, declared in one place and synced to django-q2.

Apps declare their schedules with ``register`` in their ``AppConfig.ready``; nothing is
written to the database at import. ``manage.py sync_schedules`` (run by ``make run`` and on
every deploy) creates, updates and removes django-q2 ``Schedule`` rows to match.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone


@dataclass(frozen=True)
class Declared:
    name: str
    func: str
    minutes: int


_declared: dict[str, Declared] = {}


def register(*, name: str, func: str, minutes: int):
    """Run ``func`` every ``minutes``. (Cron expressions would need croniter, which we do not
    install; a task that must run at a time of day checks the time itself.)"""
    if minutes < 1:
        raise ValueError("A schedule runs at most once a minute.")
    _declared[name] = Declared(name=name, func=func, minutes=minutes)


def declared() -> list[Declared]:
    return sorted(_declared.values(), key=lambda d: d.name)


@transaction.atomic
def schedules_sync() -> dict[str, int]:
    """Make django-q2's schedules match the declarations; returns counts of each change."""
    from django_q.models import Schedule

    counts = {"created": 0, "updated": 0, "removed": 0, "unchanged": 0}
    for item in declared():
        wanted = {
            "func": item.func,
            "schedule_type": Schedule.MINUTES,
            "minutes": item.minutes,
            "repeats": -1,
        }
        schedule = Schedule.objects.filter(name=item.name).first()
        if schedule is None:
            Schedule.objects.create(name=item.name, next_run=timezone.now(), **wanted)
            counts["created"] += 1
        elif any(getattr(schedule, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(schedule, key, value)
            schedule.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    stale = Schedule.objects.exclude(name__in=_declared)
    counts["removed"] = stale.count()
    stale.delete()
    return counts
