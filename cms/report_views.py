"""Where people wait for a background report and download it: a status page that updates
itself (and works without JavaScript), its JSON for polling, and the download."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import jobs, worker
from .models import ReportJob
from .refusals import Refused
from .storage import stored_file_response

# A report still waiting after this long, with no worker checking in, says why.
WAITING_TOO_LONG = timedelta(minutes=2)


def _job_for(request, job_id) -> ReportJob:
    job = get_object_or_404(ReportJob, pk=job_id)
    if not jobs.may_download(request.user, job):
        # Somebody else's report is as good as missing: say nothing about it.
        raise Http404
    return job


@login_required
@require_GET
@never_cache
def report_status(request, job_id):
    job = _job_for(request, job_id)
    worker_stopped = (
        job.status == ReportJob.Status.QUEUED
        and timezone.now() - job.created_at > WAITING_TOO_LONG
        and not worker.worker_status()["healthy"]
    )
    return render(
        request,
        "cms/reports/status.html",
        {
            "job": job,
            "ready": _ready(job),
            "worker_stopped": worker_stopped,
            "status_url": reverse("report_status_json", args=[job.pk]),
        },
    )


def _ready(job: ReportJob) -> bool:
    """Done, with its file stored: only then is a download offered."""
    return job.status == ReportJob.Status.DONE and bool(job.file)


@login_required
@require_GET
@never_cache
def report_status_json(request, job_id):
    job = _job_for(request, job_id)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "message": job.message,
            "download_url": reverse("report_download", args=[job.pk]) if _ready(job) else None,
        }
    )


@login_required
@require_GET
def report_download(request, job_id):
    job = _job_for(request, job_id)
    if not _ready(job):
        raise Http404
    return stored_file_response(request, job.file, filename=job.filename, what="report")


@login_required
@require_POST
def report_again(request, job_id):
    """Ask again for a report that could not be made: a new job, if the rule still allows."""
    job = _job_for(request, job_id)
    try:
        again = jobs.report_again(job=job, user=request.user)
    except Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("report_status", job.pk)
    return redirect("report_status", again.pk)
