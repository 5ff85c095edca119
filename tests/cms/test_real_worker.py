"""`manage.py serve` (what `make run` runs): the site answers, a real django-q2 worker
delivers queued email and runs schedules, and Ctrl-C stops both.

The worker is a separate process, so it cannot see the test's own (uncommitted, possibly
in-memory) database; this test builds a small site of its own in a temporary SQLite file
with the management commands, as a deployment would.
"""

import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request

import pytest

from tests import processes as manage

# Its own processes and SQLite file: the same on every pass of .ci/run, so run once.
pytestmark = pytest.mark.same_every_pass

WAIT_SECONDS = 60

QUEUE_EMAIL = (
    "from django.core.mail import send_mail; "
    "send_mail('From the worker', 'Delivered by a real worker.', None, ['sam@example.org'])"
)


def _env(tmp_path):
    return manage.manage_env(
        DJANGO_SETTINGS_MODULE="cms.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        Q_SYNC="0",
        Q_GUARD_CYCLE="0.1",
        EMAIL_DELIVERY_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
    )


def _manage(env, *args):
    result = manage.run_manage(*args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _query(db_path, sql):
    with sqlite3.connect(db_path, timeout=10) as db:
        return db.execute(sql).fetchall()


def _wait_for(condition) -> bool:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def test_serve_runs_the_site_and_a_real_worker_and_ctrl_c_stops_both(tmp_path):
    env = _env(tmp_path)
    db_path = tmp_path / "worker.sqlite3"
    _manage(env, "migrate", "--noinput")
    _manage(env, "createcachetable")
    _manage(env, "sync_schedules")
    _manage(env, "shell", "--no-imports", "-c", QUEUE_EMAIL)
    assert _query(db_path, "select status from cms_outboundemail") == [("pending",)]

    port = _free_port()
    worker = subprocess.Popen(  # noqa: S603
        manage.manage_python("serve", "--port", str(port)),
        cwd=manage.ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        serving = _wait_for(lambda: _answers(f"http://127.0.0.1:{port}/robots.txt"))
        delivered = _wait_for(
            lambda: _query(db_path, "select status from cms_outboundemail") == [("sent",)]
        )
        beat = _wait_for(
            lambda: bool(_query(db_path, "select runs from cms_heartbeat where name='worker'"))
        )
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            # serve waits up to Q_STOP_GRACE (25 s) + 10 s for the worker to stop.
            output, _ = worker.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert serving, f"The site did not answer. Output:\n{output}"
    assert worker.returncode == 0, output
    assert "Stopped the web server and the task worker." in output
    assert delivered, f"The worker did not deliver the email. Worker output:\n{output}"
    assert beat, f"The worker did not run the heartbeat. Worker output:\n{output}"
    files = list((tmp_path / "mail").iterdir())
    assert len(files) == 1
    assert "Subject: From the worker" in files[0].read_text()
