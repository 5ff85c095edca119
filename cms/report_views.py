"""Where people wait for a background report and download it: a status page that updates
itself (and works without JavaScript), its JSON for polling, and the download."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import jobs
from .models import ReportJob
from .storage import stored_file_response


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
    return render(
        request,
        "cms/reports/status.html",
        {"job": job, "status_url": reverse("report_status_json", args=[job.pk])},
    )


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
            "download_url": reverse("report_download", args=[job.pk])
            if job.status == ReportJob.Status.DONE
            else None,
        }
    )


@login_required
@require_GET
def report_download(request, job_id):
    job = _job_for(request, job_id)
    if job.status != ReportJob.Status.DONE or not job.file:
        raise Http404
    return stored_file_response(request, job.file, filename=job.filename, what="report")
