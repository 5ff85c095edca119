"""Reports made in the background, with progress shown to the person who asked.

Apps register each kind of report once::

    jobs.register_report(
        "coproduce.panel_impact",
        generate=build_impact_report,       # fn(params, progress) -> (filename, bytes)
        may_request=lambda user, params: ..., # checked when asked for and when downloaded
    )

``report_request`` stores a ``ReportJob`` and queues ``cms.tasks.run_report_job``. Every job
finishes or fails where its owner can see it:

- A worker *takes* the job for a lease that ends with the task timeout, counting an attempt.
  However often the task is offered, only one worker holds a live lease.
- A worker that dies (a redeploy, SIGKILL) or runs out of time leaves its lease to run out;
  django-q2 hands the task out again after ``Q_RETRY`` seconds, longer than the timeout, and
  that worker takes the job over. ``reports_rescue`` (scheduled) queues any job the broker
  has given up on.
- After ``MAX_ATTEMPTS`` the job is marked failed, and its page offers "Try again".
- A worker that lost its lease cannot write progress or a result over its successor's.

The file is stored under the job's own folder before the job says "ready", so the status
page never offers a download that is not there yet.
"""

import logging
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django_q.exceptions import TimeoutException
from django_q.tasks import async_task

from .models import ReportJob
from .refusals import Refused

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


def report_kind(name: str) -> ReportKind | None:
    return _kinds.get(name)


def report_kind_names() -> list[str]:
    return sorted(_kinds)


def may_download(user, job: ReportJob) -> bool:
    if not user.is_authenticated or job.requested_by_id != user.pk:
        return False
    kind = _kinds.get(job.kind)
    return kind is not None and bool(kind.may_request(user, job.params))


@transaction.atomic
def report_request(*, kind: str, title: str, params: dict, user) -> ReportJob:
    """Ask for a report; the worker makes it. Refused unless the kind's rule allows it."""
    report_kind = _kinds.get(kind)
    if report_kind is None or not report_kind.may_request(user, params):
        raise Refused("You cannot ask for this report.")
    job = ReportJob.objects.create(kind=kind, title=title, params=params, requested_by=user)
    # Like email: the worker must find the committed row; tests run tasks inline at once.
    if settings.EMAIL_QUEUE_ON_COMMIT:
        transaction.on_commit(lambda: _enqueue(job.pk))
    else:
        _enqueue(job.pk)
    return job


def _enqueue(job_id) -> None:
    async_task("cms.tasks.run_report_job", str(job_id), task_name=f"report-{job_id}")


MAX_ATTEMPTS = 3


def lease_length() -> timedelta:
    """Halfway between the task timeout and the broker's retry: a live worker never loses
    its job (django-q2 stops it at the timeout), and the task handed out again after
    ``Q_RETRY`` always finds the lease over."""
    return timedelta(seconds=(settings.Q_TIMEOUT + settings.Q_RETRY) / 2)


class LeaseLost(Exception):
    """Another worker took this job over (ours ran out of time): stop without writing."""


def _take(job_id, now) -> tuple[ReportJob | None, bool]:
    """Take the job for one attempt, or say why not: it is finished, another worker holds a
    live lease, or it has used its attempts (then it is marked failed here)."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job, False
        held = job.status == ReportJob.Status.RUNNING and job.lease_expires_at
        if held and job.lease_expires_at > now:
            return job, False
        if job.attempts >= MAX_ATTEMPTS:
            job.status = ReportJob.Status.FAILED
            job.message = (
                "This report could not be finished: it was tried "
                f"{job.attempts} times. Please try again."
            )
            job.lease_expires_at = None
            job.finished_at = now
            job.save(update_fields=["status", "message", "lease_expires_at", "finished_at"])
            logger.error("Report %s (%s) gave up after %s attempts", job.pk, job.kind, job.attempts)
            return job, False
        job.attempts += 1
        job.status = ReportJob.Status.RUNNING
        job.lease_expires_at = now + lease_length()
        job.message = "Starting" if job.attempts == 1 else "Starting again"
        job.save(update_fields=["attempts", "status", "lease_expires_at", "message"])
        return job, True


def _mine(job: ReportJob):
    """The job's row, as long as this attempt still holds it."""
    return ReportJob.objects.filter(
        pk=job.pk, attempts=job.attempts, status=ReportJob.Status.RUNNING
    )


def report_run(*, job_id, now=None) -> ReportJob | None:
    """Make the report for ``job_id`` if no live worker holds it (see the module's notes)."""
    job, taken = _take(job_id, now or timezone.now())
    if not taken:
        return job

    def progress(percent: int, message: str = "") -> None:
        updated = _mine(job).update(progress=max(0, min(int(percent), 99)), message=message[:255])
        if not updated:
            raise LeaseLost

    try:
        filename, content = kind_of(job).generate(job.params, progress)
    except LeaseLost:
        logger.warning("Report %s was taken over by another worker; this one stops", job.pk)
        return ReportJob.objects.filter(pk=job.pk).first()
    except TimeoutException:
        # Out of time: give the lease up now, so the task handed out again takes over at
        # once; the broker retries it, since the task fails.
        _mine(job).update(lease_expires_at=timezone.now(), message="Taking longer than expected")
        logger.warning("Report %s ran out of time (attempt %s)", job.pk, job.attempts)
        raise
    except Exception:
        logger.exception("Report %s (%s) failed", job.pk, job.kind)
        _mine(job).update(
            status=ReportJob.Status.FAILED,
            message="Something went wrong making this report. Please try again.",
            lease_expires_at=None,
            finished_at=timezone.now(),
        )
        return ReportJob.objects.filter(pk=job.pk).first()
    field = job.file.field
    name = field.storage.save(field.generate_filename(job, filename), ContentFile(content))
    with _deleted_if_not_recorded(field.storage, name):
        finished = _mine(job).update(
            file=name,
            filename=filename,
            status=ReportJob.Status.DONE,
            progress=100,
            message="Ready",
            lease_expires_at=None,
            finished_at=timezone.now(),
        )
    if not finished:
        # Our lease ran out while the file was being written: the newer attempt owns the job.
        field.storage.delete(name)
    return ReportJob.objects.filter(pk=job.pk).first()


@contextmanager
def _deleted_if_not_recorded(storage, name: str):
    """A stored file whose record cannot be written is removed, not left orphaned."""
    try:
        yield
    except BaseException:
        storage.delete(name)
        raise


def reports_rescue(*, now=None) -> int:
    """Queue again every unfinished job the broker will not hand out any more: waiting or
    held past its lease for longer than the broker's retry. The attempt count bounds it."""
    now = now or timezone.now()
    overdue = now - timedelta(seconds=settings.Q_RETRY)
    stuck = list(
        ReportJob.objects.filter(
            models.Q(status=ReportJob.Status.QUEUED, created_at__lt=overdue)
            | models.Q(status=ReportJob.Status.RUNNING, lease_expires_at__lt=overdue)
            | models.Q(status=ReportJob.Status.RUNNING, lease_expires_at__isnull=True)
        ).values_list("pk", flat=True)
    )
    for job_id in stuck:
        _enqueue(job_id)
    return len(stuck)


def report_again(*, job: ReportJob, user) -> ReportJob:
    """A new job with the same request, for a report that failed."""
    if job.status != ReportJob.Status.FAILED:
        raise Refused("Only a report that could not be made can be tried again.")
    return report_request(kind=job.kind, title=job.title, params=job.params, user=user)


def reports_purge(*, now=None) -> int:
    """Delete reports (and their files) older than a week: they hold personal data."""
    cutoff = (now or timezone.now()) - KEEP_REPORTS_FOR
    old = list(ReportJob.objects.filter(created_at__lt=cutoff))
    for job in old:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return len(old)
