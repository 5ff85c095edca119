"""The web process (gunicorn cms.wsgi) leaves what it loaded at start out of the garbage
collector's full passes, so those passes walk only what requests make."""

import subprocess
import sys

import pytest

from tests.processes import ROOT, manage_env

SCRIPT = """
import gc
gc.collect()
before = gc.get_freeze_count()
import cms.wsgi
from django.apps import apps
print(before, gc.get_freeze_count(), apps.ready)
"""


@pytest.mark.same_every_pass
def test_the_web_process_freezes_what_it_loaded_at_start():
    finished = subprocess.run(  # noqa: S603 - our own fixed command
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=manage_env(DJANGO_SETTINGS_MODULE="cms.settings.test"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    before, frozen, ready = finished.stdout.split()
    assert int(before) == 0
    assert ready == "True"
    # Django, Wagtail and the apps: far more than a bare interpreter's few thousand.
    assert int(frozen) > 50_000
