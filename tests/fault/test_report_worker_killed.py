"""A report whose worker is killed mid-way is finished by the next worker, made once; a report
that keeps running past the task timeout ends "could not be made" with "Try again", never
"being made" for ever. Real workers; the report kinds are in tests/fault/slow_reports.py."""

import pytest

from cms.jobs import MAX_ATTEMPTS
from tests.fault.crash import crash, kill_clusters
from tests.fault.harness import wait_for
from tests.fault.slow_reports import ENDLESS, GATED

# A job's lease runs halfway from Q_TIMEOUT to Q_RETRY (cms.jobs.lease_length) from when a
# worker took it; the broker hands the task out again Q_RETRY after it was pulled from the
# queue, a moment earlier. Here that leaves 5 s for that moment on a busy machine.
KILLED = {"Q_TIMEOUT": "8", "Q_RETRY": "18"}
# Each attempt is cut off after Q_TIMEOUT (2 s; its lease is then given up at once) and the
# task handed out again Q_RETRY after it was pulled.
CUT_OFF = {"Q_TIMEOUT": "2", "Q_RETRY": "10"}
BOUND = 90


@pytest.fixture
def site(site):
    """The harness's site; the task clusters of the workers the test started die with it."""
    yield site
    kill_clusters(site)


def queue(site, kind: str, **params) -> str:
    return (
        site.shell(
            "from tests.fault.slow_reports import queue_report; "
            f"print(queue_report({kind!r}, {params!r}))"
        )
        .strip()
        .splitlines()[-1]
    )


def job_row(site, job_id) -> tuple:
    return site.query(
        "select status, attempts, progress, message, file from cms_reportjob where id = %s",
        (job_id,),
    )[0]


def status_page(site, job_id) -> str:
    return (
        site.shell(
            f"from tests.fault.slow_reports import status_page; print(status_page({job_id!r}))"
        )
        .strip()
        .splitlines()[-1]
    )


def postpone_the_rescue(site):
    """The scheduled rescue queues ``cms.tasks.run_report_job``, in a worker process where the
    test's kinds may not be registered; these tests are about the broker handing the task out
    again, so the rescue waits until they are over."""
    site.execute(
        "update django_q_schedule set next_run = now() + interval '1 hour' "
        "where func = 'cms.tasks.rescue_stuck_reports'"
    )


def test_a_report_whose_worker_is_killed_is_finished_by_the_next_worker_and_made_once(site):
    postpone_the_rescue(site)
    gate, log = site.tmp_path / "gate", site.tmp_path / "made.log"
    job_id = queue(site, GATED, gate=str(gate), log=str(log), label="impact")
    worker = site.start_worker(**KILLED)
    wait_for(
        lambda: job_row(site, job_id)[:3] == ("running", 1, 20),
        BOUND,
        lambda: f"The report never started: {job_row(site, job_id)}\n{site.outputs()}",
    )
    crash(site, worker)
    # Killed mid-report (not cut off by the timeout, which would say "Taking longer...").
    assert job_row(site, job_id)[:4] == ("running", 1, 20, "Counting sessions")
    assert not log.exists()
    gate.touch()

    site.start_worker(name="next worker", **KILLED)
    wait_for(
        lambda: job_row(site, job_id)[0] == "done",
        BOUND,
        lambda: f"The report was not finished: {job_row(site, job_id)}\n{site.outputs()}",
    )
    status, attempts, progress, message, file = job_row(site, job_id)
    assert (status, attempts, progress, message) == ("done", 2, 100, "Ready")
    assert log.read_text().splitlines() == ["impact"]
    stored = site.tmp_path / "files" / "private" / file
    assert stored.read_bytes() == b"Report impact"
    assert list(stored.parent.iterdir()) == [stored]
    page = status_page(site, job_id)
    assert page.startswith("200 ")
    assert "Your report is ready." in page and "Download the report (impact.txt)" in page


def test_a_report_that_always_runs_out_of_time_fails_visibly_after_its_attempts(site):
    postpone_the_rescue(site)
    job_id = queue(site, ENDLESS)
    site.start_worker(**CUT_OFF)
    wait_for(
        lambda: job_row(site, job_id)[0] == "failed",
        BOUND,
        lambda: f"The report did not fail: {job_row(site, job_id)}\n{site.outputs()}",
    )
    status, attempts, _, message, file = job_row(site, job_id)
    assert (status, attempts, file) == ("failed", MAX_ATTEMPTS, "")
    assert message == (
        f"This report could not be finished: it was tried {MAX_ATTEMPTS} times. Please try again."
    )
    page = status_page(site, job_id)
    assert page.startswith("200 ")
    assert f"it was tried {MAX_ATTEMPTS} times" in page and "Try again" in page
    assert "Download the report" not in page and "being made" not in page
