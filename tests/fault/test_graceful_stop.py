"""`manage.py worker` stops within Q_STOP_GRACE seconds even when a task never ends, leaves
none of django-q2's processes behind, and the task it cut off is handed out again."""

import os
import signal

from tests.fault.harness import child_pids, live_processes_in_group, wait_for

# Long enough that the task is still running when the worker is told to stop on a busy
# machine (after Q_TIMEOUT, django-q2 would cut it off itself), short enough to wait for
# the task to be handed out again (Q_RETRY after it was taken).
TIMEOUTS = {"Q_TIMEOUT": "10", "Q_RETRY": "14", "Q_STOP_GRACE": "5"}
STOP_BOUND = 30


def queue_sleeping_task(site, marker, seconds):
    site.shell(
        "from django_q.tasks import async_task; "
        f"async_task('tests.fault.tasks_for_tests.sleep_on_first_run', {str(marker)!r}, "
        f"{seconds}, task_name='long-task')"
    )


def cluster_of(site, worker):
    """The process group of the qcluster that ``worker`` runs, once it has its workers."""
    return wait_for(
        lambda: next(
            (pid for pid in child_pids(worker.pid) if len(live_processes_in_group(pid)) >= 3),
            None,
        ),
        60,
        lambda: f"The worker did not start qcluster.\n{site.outputs()}",
    )


def no_cluster_left(cluster):
    """Killed processes go within moments (SIGKILL is delivered as each is next scheduled)."""
    wait_for(
        lambda: live_processes_in_group(cluster) == [],
        10,
        lambda: f"qcluster's processes outlived the worker: {live_processes_in_group(cluster)}",
    )


def test_worker_stops_within_its_grace_and_the_cut_off_task_runs_again_later(site):
    site.postpone_schedules()
    marker = site.tmp_path / "long-task"
    queue_sleeping_task(site, marker, 600)
    worker = site.start_worker(**TIMEOUTS)
    cluster = cluster_of(site, worker)
    wait_for(marker.exists, 60, lambda: f"The task never started.\n{site.outputs()}")

    worker.send_signal(signal.SIGTERM)

    assert worker.wait(STOP_BOUND) == 0, worker.output()
    assert "Task worker stopped after" in worker.output()
    assert "unfinished tasks will be handed out again after Q_RETRY (14) s" in worker.output()
    no_cluster_left(cluster)
    # The task was never acknowledged: it waits in the queue until Q_RETRY after it was taken.
    assert site.value("select count(*) from django_q_ormq") == 1
    assert not marker.with_name("long-task.finished").exists()

    second = site.start_worker(name="second worker", **TIMEOUTS)
    wait_for(
        marker.with_name("long-task.finished").exists,
        60,
        lambda: f"The cut-off task was not handed out again.\n{site.outputs()}",
    )
    wait_for(lambda: site.value("select count(*) from django_q_ormq") == 0, 30, site.outputs)
    assert site.query("select name, success from django_q_task") == [("long-task", True)]
    second.send_signal(signal.SIGTERM)
    assert second.wait(STOP_BOUND) == 0, second.output()
    assert "Task worker stopped" in second.output()


def test_worker_fails_when_its_cluster_dies_on_its_own(site):
    worker = site.start_worker()
    cluster = cluster_of(site, worker)

    os.kill(cluster, signal.SIGKILL)

    assert worker.wait(STOP_BOUND) != 0
    assert "The task worker (qcluster) stopped unexpectedly" in worker.output()
    no_cluster_left(cluster)
