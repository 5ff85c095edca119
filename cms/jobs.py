"""Reports made in the background, with progress shown to the person who asked.

Apps register each kind of report once::

    jobs.register_report(
        "coproduce.panel_impact",
        generate=build_impact_report,       # fn(params, progress) -> (filename, bytes)
        may_request=lambda user, params: ..., # checked when asked for and when downloaded
    )

``report_request`` stores a ``ReportJob`` and queues ``cms.tasks.run_report_job``; the task
claims the job (so it runs once, however often it is offered), calls ``generate`` with a
``progress(percent, message)`` callback, and stores the file in private storage. The status
page polls until it is ready; only the person who asked may download it, and only while the
rule that let them ask still holds.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from .models import ReportJob

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]
KEEP_REPORTS_FOR = timedelta(days=7)


@dataclass(frozen=True)
class ReportKind:
    name: str
    generate: Callable[[dict, Progress], tuple[str, bytes]]
    may_request: Callable[[object, dict], bool]


_kinds: dict[str, ReportKind] = {}


def register_report(name: str, *, generate, may_request) -> None:
    _kinds[name] = ReportKind(name=name, generate=generate, may_request=may_request)


def kind_of(job: ReportJob) -> ReportKind:
    return _kinds[job.kind]


def may_download(user, job: ReportJob) -> bool:
    if not user.is_authenticated or job.requested_by_id != user.pk:
        return False
    kind = _kinds.get(job.kind)
    return kind is not None and bool(kind.may_request(user, job.params))


class ReportRefused(Exception):
    pass


@transaction.atomic
def report_request(*, kind: str, title: str, params: dict, user) -> ReportJob:
    """Ask for a report; the worker makes it. Refused unless the kind's rule allows it."""
    report_kind = _kinds.get(kind)
    if report_kind is None or not report_kind.may_request(user, params):
        raise ReportRefused("You cannot ask for this report.")
    job = ReportJob.objects.create(kind=kind, title=title, params=params, requested_by=user)

    def enqueue():
        async_task("cms.tasks.run_report_job", str(job.pk), task_name=f"report-{job.pk}")

    # Like email: the worker must find the committed row; tests run tasks inline at once.
    if settings.EMAIL_QUEUE_ON_COMMIT:
        transaction.on_commit(enqueue)
    else:
        enqueue()
    return job


def report_run(*, job_id) -> ReportJob | None:
    """Make the report for ``job_id`` once: a job already claimed is left alone."""
    claimed = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.QUEUED).update(
        status=ReportJob.Status.RUNNING, message="Starting"
    )
    job = ReportJob.objects.filter(pk=job_id).first()
    if not claimed or job is None:
        return job

    def progress(percent: int, message: str = "") -> None:
        ReportJob.objects.filter(pk=job.pk).update(
            progress=max(0, min(int(percent), 99)), message=message[:255]
        )

    try:
        filename, content = kind_of(job).generate(job.params, progress)
    except Exception:
        logger.exception("Report %s (%s) failed", job.pk, job.kind)
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.FAILED,
            message="Something went wrong making this report. Please try again.",
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    job.file.save(filename, ContentFile(content), save=False)
    job.filename = filename
    job.status = ReportJob.Status.DONE
    job.progress = 100
    job.message = "Ready"
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "filename", "status", "progress", "message", "finished_at"])
    return job


def reports_purge(*, now=None) -> int:
    """Delete reports (and their files) older than a week: they hold personal data."""
    cutoff = (now or timezone.now()) - KEEP_REPORTS_FOR
    old = list(ReportJob.objects.filter(created_at__lt=cutoff))
    for job in old:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return len(old)
