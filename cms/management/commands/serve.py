"""Serve the site and its django-q2 worker together until Ctrl-C, then stop both cleanly."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# `worker` may take Q_STOP_GRACE seconds to stop; this is how much longer serve waits.
STOP_MARGIN_SECONDS = 10


class Command(BaseCommand):
    help = "Run the web server and the task worker together (for development)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host, port, **options):
        manage = [sys.executable, "manage.py"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        children = [
            subprocess.Popen([*manage, "worker"], env=env),  # noqa: S603
            subprocess.Popen(  # noqa: S603
                [*manage, "runserver", "--noreload", f"{host}:{port}"], env=env
            ),
        ]
        self.stdout.write(
            f"Serving on http://{host}:{port}/ with the task worker. Ctrl-C stops both."
        )

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            # SIGTERM, not SIGINT: a process started in the background may ignore SIGINT,
            # and both runserver and worker shut down cleanly on SIGTERM.
            for child in children:
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + settings.Q_STOP_GRACE + STOP_MARGIN_SECONDS
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        if not stopping:
            raise CommandError(
                "The web server or the task worker stopped unexpectedly (see above), so "
                "both have been stopped."
            )
        self.stdout.write("Stopped the web server and the task worker.")
