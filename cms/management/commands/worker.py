"""Run django-q2's cluster (`qcluster`) and stop it within a bound.

On SIGTERM, django-q2 stops taking tasks and then waits for the tasks in flight with no
limit, so a redeploy or a process manager can hang on one slow report. This command runs
`qcluster` in a process group of its own, passes SIGTERM (or Ctrl-C) on to it, waits at most
Q_STOP_GRACE seconds and then kills the whole group, workers included. A task cut off that
way was never acknowledged, so the queue hands it out again after Q_RETRY seconds.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

POLL_SECONDS = 0.2


class Command(BaseCommand):
    help = "Run the task worker (django-q2's qcluster); SIGTERM stops it within Q_STOP_GRACE s."

    def handle(self, *args, **options):
        stop_requested = False

        def request_stop(signum, frame):
            nonlocal stop_requested
            stop_requested = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        cluster = subprocess.Popen(  # noqa: S603
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "qcluster"],
            process_group=0,
        )
        try:
            while not stop_requested and cluster.poll() is None:
                time.sleep(POLL_SECONDS)
            if not stop_requested:
                raise CommandError(
                    f"The task worker (qcluster) stopped unexpectedly with exit code "
                    f"{cluster.returncode}; see its output above."
                )
            self._stop(cluster)
        finally:
            # Whatever happened, leave none of the cluster's processes behind.
            if cluster.poll() is None:
                cluster.kill()
                cluster.wait()
            _kill_group(cluster.pid)

    def _stop(self, cluster: subprocess.Popen) -> None:
        grace = settings.Q_STOP_GRACE
        started = time.monotonic()
        cluster.send_signal(signal.SIGTERM)
        try:
            cluster.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            _kill_group(cluster.pid)
            cluster.wait()
            self.stderr.write(
                f"Task worker stopped after {time.monotonic() - started:.0f} s; unfinished "
                f"tasks will be handed out again after Q_RETRY ({settings.Q_RETRY}) s."
            )
        else:
            self.stdout.write("Task worker stopped.")


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
