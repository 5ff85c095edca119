"""Reports whose speed a fault test controls, and the task a real worker runs to make them.

The worker imports this module by name when it runs ``run_slow_report``, so the kinds are
registered in whichever worker process runs the task, the one it is handed out to again
after a crash included. Each kind takes its files from the job's params:

- ``GATED`` reports some progress, then waits (bounded) for the ``gate`` file before it
  finishes, and appends a line to ``log`` each time it finishes: the test counts the lines to
  see how often the report was really made.
- ``ENDLESS`` reports some progress, then sleeps far longer than any task timeout the fault
  tests use, so django-q2 cuts it off every time.

``queue_report`` and ``status_page`` run in the site (``Site.shell``): they ask for a report as
its owner would, and read its status page as its owner sees it.
"""

import time
from pathlib import Path

from bs4 import BeautifulSoup
from django.test import Client
from django_q.tasks import async_task

from cms import jobs, tasks
from cms.models import ReportJob
from tests.factories import UserFactory

GATED = "fault.gated"
ENDLESS = "fault.endless"
OWNER = "report.owner@example.org"
GATE_BOUND = 120
ENDLESS_SECONDS = 600


def _gated(params, progress):
    progress(20, "Counting sessions")
    gate = Path(params["gate"])
    deadline = time.monotonic() + GATE_BOUND
    while not gate.exists():
        if time.monotonic() >= deadline:
            raise RuntimeError(f"{gate} was not opened within {GATE_BOUND} s")
        time.sleep(0.1)
    with Path(params["log"]).open("a") as log:
        log.write(f"{params['label']}\n")
    return f"{params['label']}.txt", f"Report {params['label']}".encode()


def _endless(params, progress):
    progress(10, "Counting sessions")
    time.sleep(ENDLESS_SECONDS)
    return "never.txt", b"Should have been cut off"


def register_kinds() -> None:
    jobs.register_report(GATED, generate=_gated, may_request=lambda user, params: True)
    jobs.register_report(ENDLESS, generate=_endless, may_request=lambda user, params: True)


def run_slow_report(job_id: str) -> str:
    """The task: the same as ``cms.tasks.run_report_job``, with the test kinds registered."""
    register_kinds()
    return tasks.run_report_job(job_id)


def queue_report(kind: str, params: dict) -> str:
    """Store a job for the owner and queue the task, as ``jobs.report_request`` does; returns
    the job's id."""
    owner = UserFactory(email=OWNER)
    job = ReportJob.objects.create(
        kind=kind, title="Slow report", params=params, requested_by=owner
    )
    async_task(
        "tests.fault.slow_reports.run_slow_report", str(job.pk), task_name=f"report-{job.pk}"
    )
    return str(job.pk)


def status_page(job_id: str) -> str:
    """The text of the job's status page as its owner sees it (and the status code)."""
    register_kinds()
    client = Client()
    client.force_login(UserFactory(email=OWNER))
    response = client.get(f"/reports/{job_id}/")
    text = " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())
    return f"{response.status_code} {text}"
