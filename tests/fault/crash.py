"""Killing a task worker as a crash would: everything at once, with no chance to clean up.

``manage.py worker`` runs qcluster in a process group of its own, so killing the worker's
group leaves the cluster running; a crash (the machine's out-of-memory killer, a container
stopped hard) takes both. ``crash`` SIGKILLs the cluster's group and the worker's.

``kill_clusters`` is for a test's end: the harness's teardown kills each process's own group,
which would leave the qcluster of a worker still running behind, working on against a
database that is gone.
"""

import contextlib
import os
import signal

from tests.fault.harness import child_pids, live_processes_in_group, wait_for

# qcluster's group has its sentinel, monitor, pusher and workers once it is ready.
READY_PROCESSES = 3
BOUND = 60


def cluster_of(site, worker) -> int:
    """The process group of the qcluster that ``worker`` started, once it has its workers."""
    return wait_for(
        lambda: next(
            (
                pid
                for pid in child_pids(worker.pid)
                if len(live_processes_in_group(pid)) >= READY_PROCESSES
            ),
            None,
        ),
        BOUND,
        lambda: f"The worker did not start qcluster.\n{site.outputs()}",
    )


def kill_clusters(site) -> None:
    """SIGKILL the qcluster group of every worker the test started that still runs. Each
    worker is stopped first, so it cannot start a cluster while its children are read."""
    for process in site.processes:
        if process.returncode is not None:
            continue
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGSTOP)
        for child in child_pids(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child, signal.SIGKILL)
        process.kill()


def crash(site, worker) -> None:
    """SIGKILL the worker and every process of its cluster, and wait until they are gone."""
    cluster = cluster_of(site, worker)
    os.killpg(cluster, signal.SIGKILL)
    worker.kill()
    wait_for(
        lambda: not live_processes_in_group(cluster),
        BOUND,
        "qcluster's processes outlived SIGKILL",
    )
