"""Two workers on one database (two worker nodes, or an old and a new one during a redeploy)
share the queue: every email is delivered exactly once, and a schedule that is due once runs
once."""

import signal
from collections import Counter
from datetime import timedelta

from tests.fault.harness import SCHEDULER_AT_START, SCHEDULER_BOUND, wait_for

EMAILS = 30
HEARTBEAT = "Worker heartbeat"
QUEUE_EMAILS = (
    "from django.core.mail import send_mail\n"
    "from django_q.tasks import async_task\n"
    "from cms.models import OutboundEmail\n"
    f"for number in range(1, {EMAILS} + 1):\n"
    "    send_mail(f'Message {number:02d}', 'Hello.', None, [f'person{number}@example.org'])\n"
    # A second delivery task for every message, as when the broker hands one out again.
    "for pk in OutboundEmail.objects.values_list('pk', flat=True):\n"
    "    async_task('cms.tasks.deliver_email', pk)\n"
)


def stop(*workers):
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(60)


def test_two_workers_deliver_every_queued_email_exactly_once(site):
    site.postpone_schedules()
    site.shell(QUEUE_EMAILS)
    assert site.value("select count(*) from django_q_ormq") == 2 * EMAILS
    # Both start on a full queue, so they compete for every task from the first moment.
    first = site.start_worker(name="first worker")
    second = site.start_worker(name="second worker")

    wait_for(
        lambda: len(set(site.subjects())) == EMAILS,
        90,
        lambda: f"Delivered: {sorted(set(site.subjects()))}\n{site.outputs()}",
    )
    wait_for(lambda: not site.value("select count(*) from django_q_ormq"), 90, site.outputs)
    stop(first, second)

    delivered = Counter(site.subjects())
    assert delivered == {f"Message {number:02d}": 1 for number in range(1, EMAILS + 1)}


def schedule_lock_waiters(site) -> int:
    return site.value(
        "select count(*) from pg_stat_activity where datname = current_database() "
        "and wait_event_type = 'Lock' and query ilike %s",
        ("%django_q_schedule%",),
    )


def schedule_locks(site) -> int:
    """Locks any transaction holds on the schedule table (a scheduler pass in progress)."""
    return site.value(
        "select count(*) from pg_locks l join pg_class c on c.oid = l.relation "
        "where c.relname = 'django_q_schedule' "
        "and l.database = (select oid from pg_database where datname = current_database())"
    )


def test_a_schedule_due_once_runs_once_when_two_workers_look_at_the_same_moment(site):
    # Only the heartbeat is due.
    site.postpone_schedules()
    site.execute(
        "update django_q_schedule set next_run = now() - interval '1 minute' where name = %s",
        (HEARTBEAT,),
    )
    started = site.value("select now()")
    # Hold the heartbeat's row until both workers' schedulers are waiting for it, then let
    # go: the two look at the due schedule at the same moment, the worst case.
    with site.server.connect(site.dbname) as holder, holder.transaction():
        holder.execute("select 1 from django_q_schedule where name = %s for update", (HEARTBEAT,))
        first = site.start_worker(name="first worker", **SCHEDULER_AT_START)
        second = site.start_worker(name="second worker", **SCHEDULER_AT_START)
        wait_for(
            lambda: schedule_lock_waiters(site) == 2,
            SCHEDULER_BOUND,
            lambda: f"Both schedulers never waited together.\n{site.outputs()}",
        )
    # Both passes over (each holds a lock on the table until it commits)...
    wait_for(lambda: schedule_locks(site) == 0, 30)
    first_next_run = heartbeat_next_run(site)
    # ...and everything they queued has run.
    wait_for(lambda: not site.value("select count(*) from django_q_ormq"), 60, site.outputs)
    stop(first, second)

    assert first_next_run > started
    # A later run is one the heartbeat (every minute) came due for while the test ran.
    later = (heartbeat_next_run(site) - first_next_run) // timedelta(minutes=1)
    heartbeats = [task for task in site.tasks() if task["group"] == HEARTBEAT]
    assert len(heartbeats) == 1 + later, heartbeats
    assert site.value("select runs from cms_heartbeat where name = 'worker'") == 1 + later


def heartbeat_next_run(site):
    return site.value("select next_run from django_q_schedule where name = %s", (HEARTBEAT,))
