"""Schedules missed while no worker ran (a day of downtime) run once when a worker starts,
not once per missed minute, and their next run moves to the future (catch_up off)."""

import signal
from collections import Counter
from datetime import timedelta

from tests.fault.harness import SCHEDULER_AT_START, SCHEDULER_BOUND, wait_for

HEARTBEAT = "Worker heartbeat"


def heartbeat_runs(site) -> int:
    return site.value("select runs from cms_heartbeat where name = 'worker'") or 0


def test_a_day_of_missed_schedules_runs_once_when_the_worker_starts(site):
    site.execute("update django_q_schedule set next_run = now() - interval '1 day'")
    schedules = [name for (name,) in site.query("select name from django_q_schedule")]
    assert HEARTBEAT in schedules

    started = site.value("select now()")
    worker = site.start_worker(**SCHEDULER_AT_START)
    wait_for(
        lambda: heartbeat_runs(site) >= 1,
        SCHEDULER_BOUND,
        lambda: f"The worker did not run the overdue heartbeat.\n{site.outputs()}",
    )
    first_next_run = dict(site.query("select name, next_run from django_q_schedule"))
    worker.send_signal(signal.SIGTERM)
    worker.wait(60)

    # Not caught up minute by minute: one pass took every overdue schedule to its first
    # due time after the worker started.
    for name in schedules:
        assert first_next_run[name] > started, (name, first_next_run[name], started)
    # Any run after the first is one the schedule came due for while the test ran (the
    # heartbeat runs every minute, the scheduler looks every 30 s): count how many minutes
    # its next run moved on since.
    next_run = dict(site.query("select name, next_run from django_q_schedule"))
    later = {
        name: (next_run[name] - first_next_run[name]) // timedelta(minutes=1) for name in schedules
    }
    created = Counter(task["group"] for task in site.tasks())
    for name in schedules:
        assert created[name] == 1 + later[name], (name, created[name], later[name])
    assert heartbeat_runs(site) == 1 + later[HEARTBEAT]
