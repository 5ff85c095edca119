"""The bench's export measurement: a download streamed to its end, counted, and measured in a
process that holds the site as a web process does, and nothing of the bench's own.

Memory is read, never judged here: the bench judges it (issue 19's goal); these tests check
what is counted and what the measured process has loaded."""

import json
import os
import subprocess
import sys
from datetime import date

import pytest
from django.conf import settings

from cms.bench.big import stream_export
from tests.factories import PeerWorkerFactory, SessionLogFactory


@pytest.mark.django_db
def test_an_export_is_streamed_to_its_end_and_its_rows_and_memory_counted():
    worker = PeerWorkerFactory()
    for day in range(1, 4):
        SessionLogFactory(worker=worker, date=date(2026, 11, day))

    measurement = stream_export(
        "peer sessions CSV", "/peer-work/summary/sessions.csv", worker.user.email
    )

    assert measurement.error == ""
    assert measurement.status == 200
    assert measurement.rows == 3
    assert measurement.size_mb is not None
    assert 0 < measurement.baseline_rss_mb <= measurement.peak_rss_mb
    assert measurement.added_rss_mb == round(
        measurement.peak_rss_mb - measurement.baseline_rss_mb, 1
    )


@pytest.mark.django_db
def test_a_refused_download_is_reported_not_counted():
    worker, other = PeerWorkerFactory(), PeerWorkerFactory()

    # Another worker's sessions are not theirs to download.
    path = f"/peer-work/summary/{worker.pk}/sessions.csv"
    measurement = stream_export("x", path, other.user.email)

    assert measurement.rows is None
    assert measurement.status == 404
    assert "answered" in measurement.error


BENCH_ONLY = ("factory", "faker", "cms.bench.generate", "cms.factories", "peers.bench")


def test_the_measured_process_loads_the_site_but_none_of_the_bench_generators():
    """The export's process must hold what a web process holds: the bench's generators
    import the test factories and Faker (about 10 MB) that no web process loads."""
    script = (
        "import json, sys\n"
        "from cms.bench.big import load_site\n"
        "load_site()\n"
        "import cms.urls\n"
        f"print(json.dumps([name for name in {BENCH_ONLY!r} if name in sys.modules]))\n"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test"}
    finished = subprocess.run(  # noqa: S603 - our own fixed command
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert json.loads(finished.stdout.splitlines()[-1]) == []
