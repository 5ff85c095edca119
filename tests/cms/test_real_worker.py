"""A real django-q2 worker process, sharing the test database through the ORM broker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.mail import send_mail
from django.core.management import call_command
from django.db import connection
from django_q.conf import Conf

from cms.models import Heartbeat, OutboundEmail

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for(condition) -> bool:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_delivers_queued_email_and_runs_the_scheduled_heartbeat(
    tmp_path, monkeypatch
):
    if connection.settings_dict["NAME"] in ("", ":memory:") or "mode=memory" in str(
        connection.settings_dict["NAME"]
    ):
        pytest.skip("The test database is in memory, so no other process can share it")
    monkeypatch.setattr(Conf, "SYNC", False)
    send_mail("From the worker", "Delivered by a real worker.", None, ["sam@example.org"])
    outbound = OutboundEmail.objects.get()
    assert outbound.status == OutboundEmail.Status.PENDING
    call_command("sync_schedules", verbosity=0)

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": _database_url(),
        "Q_SYNC": "0",
        "Q_GUARD_CYCLE": "0.1",
        "EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
    }
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        delivered = _wait_for(
            lambda: OutboundEmail.objects.filter(
                pk=outbound.pk, status=OutboundEmail.Status.SENT
            ).exists()
        )
        beat = _wait_for(lambda: Heartbeat.objects.filter(name="worker").exists())
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert delivered, f"The worker did not deliver the email. Worker output:\n{output}"
    assert beat, f"The worker did not run the heartbeat. Worker output:\n{output}"
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    assert "Subject: From the worker" in files[0].read_text()
