"""Settings that only show in a running `manage.py` process, as a deployment runs it.

On the SQLite default (`make run`), forty people saving at once queue for the write lock
instead of being told "database is locked"; and Q_LOG_LEVEL sets the level django-q2 logs at.

The writers run in a separate process against a temporary SQLite file, with the settings a
deployment uses, so the test does the same on every database this suite runs against.
"""

import json
import sqlite3

import pytest

from tests import processes as manage

# Its own processes and SQLite file: the same on every pass of .ci/run, so run once.
pytestmark = pytest.mark.same_every_pass

WRITERS = 40
WRITES_EACH = 10
# What a view spends inside its transaction besides the insert (its other queries, its
# checks). With it the writers keep the lock busy for several seconds on end, longer than the
# five seconds the old `PRAGMA busy_timeout=5000` let a writer wait: that setting failed
# about one write in ten here.
WORK_SECONDS = 0.01

# Each writer saves a form the way a view does: one transaction that reads a little, then
# inserts a row. A barrier starts them together, so they all want the write lock at once.
BUSY_WRITERS = f"""
import json, threading, time, uuid
from django.db import OperationalError, connection, transaction
from cms.models import FormSubmission

errors = []
start = threading.Barrier({WRITERS}, timeout=60)


def write(number):
    try:
        start.wait()
        for _ in range({WRITES_EACH}):
            try:
                with transaction.atomic():
                    FormSubmission.objects.filter(form_key=f"writer-{{number}}").count()
                    time.sleep({WORK_SECONDS})
                    FormSubmission.objects.create(
                        token=uuid.uuid4(), form_key=f"writer-{{number}}"
                    )
            except OperationalError as error:
                errors.append(str(error))
    finally:
        connection.close()


threads = [threading.Thread(target=write, args=(n,)) for n in range({WRITERS})]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(timeout=240)
print(json.dumps({{"errors": errors, "unfinished": sum(t.is_alive() for t in threads)}}))
"""


def test_forty_concurrent_writers_all_save_and_none_is_told_the_database_is_locked(tmp_path):
    db_path = tmp_path / "writers.sqlite3"
    env = manage.manage_env(
        DJANGO_SETTINGS_MODULE="cms.settings.test", DATABASE_URL=f"sqlite:///{db_path}"
    )
    migrated = manage.run_manage("migrate", "cms", "--noinput", env=env)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr

    result = manage.run_manage("shell", "--no-imports", "-c", BUSY_WRITERS, env=env, timeout=300)

    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["unfinished"] == 0
    assert report["errors"] == []
    with sqlite3.connect(db_path, timeout=30) as db:
        saved = dict(
            db.execute(
                "select form_key, count(*) from cms_formsubmission group by form_key"
            ).fetchall()
        )
    assert saved == {f"writer-{number}": WRITES_EACH for number in range(WRITERS)}


def test_q_log_level_sets_the_level_of_django_q2s_own_logger():
    result = manage.run_manage(
        "shell",
        "--no-imports",
        "-c",
        "import logging; print(logging.getLevelName(logging.getLogger('django-q').level))",
        env=manage.manage_env(
            DJANGO_SETTINGS_MODULE="cms.settings.test",
            DATABASE_URL="sqlite:///:memory:",
            Q_LOG_LEVEL="DEBUG",
        ),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "DEBUG"
