"""The induction checklist of a worker's first 12 weeks: the worker reads theirs, their
supervisors tick items off (and can start a checklist for someone who has none), and HR of
the worker's organisation reads it.

Workers are found as on the pathway pages: a guessed id is a 404; someone who may look but
not tick (HR, or the worker) gets a 403 from the ticking URLs.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import DateField
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from cms.audit import audit_view
from cms.permissions import can

from ..models import InductionItem
from ..rules import supervises, worker_of
from ..selectors import progression as selectors
from ..services import Refused
from ..services import progression as services
from .pathway import not_a_worker, pathway_worker_or_404


def _render(request, worker, *, own: bool):
    return render(
        request,
        "peers/induction/induction.html",
        {
            "worker": worker,
            "induction": selectors.induction_of(worker),
            "own": own,
            "can_tick": can(request.user, "peers.tick_induction", worker),
        },
    )


@login_required
@require_GET
def my_induction(request):
    worker = worker_of(request.user)
    if worker is None:
        if can(request.user, "peers.list_pathways"):
            return redirect("peers:pathway_workers")
        return not_a_worker(request, doing="have an induction checklist")
    return _render(request, worker, own=True)


@login_required
@require_GET
def worker_induction(request, worker_id: int):
    worker = pathway_worker_or_404(request, worker_id)
    if worker.user_id == request.user.pk:
        return redirect("peers:induction")
    audit_view(
        user=request.user,
        instance=worker,
        reason=(
            "Supervisor opened their supervisee's induction checklist"
            if supervises(request.user, worker)
            else "HR opened a peer worker's induction checklist"
        ),
    )
    return _render(request, worker, own=False)


def _tickable(request, worker_id: int):
    worker = pathway_worker_or_404(request, worker_id)
    if not can(request.user, "peers.tick_induction", worker):
        raise PermissionDenied
    return worker


@login_required
@require_POST
def induction_start(request, worker_id: int):
    worker = _tickable(request, worker_id)
    services.induction_create(worker=worker, user=request.user)
    messages.success(request, f"Induction checklist started for {worker}.")
    return redirect("peers:induction_worker", worker_id=worker.pk)


@login_required
@require_POST
def induction_mark(request, worker_id: int, item_id: int):
    worker = _tickable(request, worker_id)
    item = get_object_or_404(InductionItem.objects.filter(worker=worker), pk=item_id)
    item.worker = worker
    done = request.POST.get("done") == "1"
    done_on = None
    if done and request.POST.get("done_on"):
        try:
            done_on = DateField().clean(request.POST["done_on"])
        except ValidationError:
            messages.error(request, "Enter the date it was done as year-month-day.")
            return redirect("peers:induction_worker", worker_id=worker.pk)
    try:
        services.induction_item_mark(item=item, user=request.user, done=done, done_on=done_on)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request, f"‘{item.title}’ marked {'done' if done else 'not done'} for {worker}."
        )
    return redirect("peers:induction_worker", worker_id=worker.pk)


urlpatterns = [
    path("peer-work/induction/", my_induction, name="induction"),
    path("peer-work/induction/<int:worker_id>/", worker_induction, name="induction_worker"),
    path("peer-work/induction/<int:worker_id>/start/", induction_start, name="induction_start"),
    path(
        "peer-work/induction/<int:worker_id>/items/<int:item_id>/",
        induction_mark,
        name="induction_mark",
    ),
]
