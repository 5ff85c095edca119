"""Hours and activity: a peer worker's own summary, their supervisors' view of it, the list
of a supervisor's supervisees with this month's hours, and the sessions download.

A worker's summary is found among the workers ``visible_to`` the person and shown only
when ``peers.view_practice`` allows (the worker and their supervisors): anyone else gets a
404, exactly as for a worker who does not exist. The download leaves private notes out and
is written to the audit log.
"""

import itertools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from cms.audit import audit_export, audit_view
from cms.exports import csv_response
from cms.months import month_start
from cms.permissions import can, visible_to

from ..models import PeerWorker
from ..rules import worker_of
from ..selectors import activity as selectors

PAGE_SIZE = 25


def _practice_of(request, worker_id: int) -> PeerWorker:
    """The worker whose practice the person may see; anyone else's is a 404."""
    worker = get_object_or_404(
        visible_to(request.user, PeerWorker).select_related("user", "organisation", "level"),
        pk=worker_id,
    )
    if not can(request.user, "peers.view_practice", worker):
        raise Http404
    return worker


def _not_a_worker(request):
    """The kind refusal for people signed in without a current peer worker record."""
    return render(request, "peers/summary/not_a_worker.html", status=403)


def _render_summary(request, worker: PeerWorker, *, own: bool):
    summary = selectors.worker_summary(worker, today=timezone.localdate())
    return render(
        request,
        "peers/summary/summary.html",
        {
            "worker": worker,
            "summary": summary,
            "activity": summary.activity,
            "own": own,
            "name": str(worker),
            "supervises": not own and can(request.user, "peers.supervise", worker),
        },
    )


@login_required
@require_GET
def my_summary(request):
    worker = worker_of(request.user)
    if worker is None:
        if can(request.user, "peers.supervise"):
            return redirect("peers:supervisee_summaries")
        return _not_a_worker(request)
    return _render_summary(request, worker, own=True)


@login_required
@require_GET
def worker_summary(request, worker_id: int):
    worker = _practice_of(request, worker_id)
    own = worker.user_id == request.user.pk
    if not own:
        audit_view(
            user=request.user,
            instance=worker,
            reason="Supervisor opened their supervisee's hours and activity summary",
        )
    return _render_summary(request, worker, own=own)


@login_required
@require_GET
def supervisee_summaries(request):
    if not can(request.user, "peers.supervise"):
        raise PermissionDenied
    today = timezone.localdate()
    return render(
        request,
        "peers/summary/supervisees.html",
        {
            "page_obj": Paginator(
                selectors.supervisees_with_hours(request.user, today=today), PAGE_SIZE
            ).get_page(request.GET.get("page")),
            "month": month_start(today),
        },
    )


def _sessions_csv(request, worker: PeerWorker, *, own: bool):
    count, rows = selectors.session_export_rows(worker)
    audit_export(
        user=request.user,
        instance=worker,
        reason=(
            "The peer worker downloaded their own sessions (no private notes)"
            if own
            else "A supervisor downloaded a supervisee's sessions (no private notes)"
        ),
        count=count,
    )
    filename = f"sessions-{worker.pk}-{timezone.localdate():%Y-%m-%d}.csv"
    return csv_response(itertools.chain([selectors.EXPORT_HEADINGS], rows), filename)


@login_required
@require_GET
def my_sessions_export(request):
    worker = worker_of(request.user)
    if worker is None:
        return _not_a_worker(request)
    return _sessions_csv(request, worker, own=True)


@login_required
@require_GET
def worker_sessions_export(request, worker_id: int):
    worker = _practice_of(request, worker_id)
    return _sessions_csv(request, worker, own=worker.user_id == request.user.pk)


urlpatterns = [
    path("peer-work/summary/", my_summary, name="summary"),
    path("peer-work/summary/sessions.csv", my_sessions_export, name="sessions_export"),
    path("peer-work/summary/supervisees/", supervisee_summaries, name="supervisee_summaries"),
    path("peer-work/summary/<int:worker_id>/", worker_summary, name="worker_summary"),
    path(
        "peer-work/summary/<int:worker_id>/sessions.csv",
        worker_sessions_export,
        name="worker_sessions_export",
    ),
]
