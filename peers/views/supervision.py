"""Front-end views for supervision: a worker's own records and actions, a supervisor's
supervisees and each one's records, recording a supervision, adding and completing agreed
actions, and compliance per team for supervisors and HR.

Views are thin: records are found through the supervision selectors (which start from
``visible_to``), so a record someone may not see is a 404, like one that does not exist;
``can()`` decides the rest and a refusal is shown as the service worded it. Every view of a
supervision's notes is written to the audit log.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.audit import audit_view
from cms.permissions import can, require, visible_to
from cms.submissions import submit_once

from ..forms.supervision import ACTION_ROWS, ActionForm, SupervisionForm
from ..models import PeerWorker
from ..rules import worker_of
from ..selectors import supervision as selectors
from ..services import Refused
from ..services import supervision as services

PAGE_SIZE = 20


def _own_worker(request) -> PeerWorker:
    worker = worker_of(request.user)
    require(request.user, "peers.view_practice", worker)
    return worker


@never_cache
@login_required
@require_GET
def supervision_mine(request):
    """The worker's own supervision: when the next is due, open actions and past records."""
    worker = _own_worker(request)
    page = Paginator(selectors.supervisions_of(request.user, worker), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "peers/supervision/mine.html",
        {
            "worker": worker,
            "status": selectors.status_of_worker(worker, as_of=timezone.localdate()),
            "open_actions": list(selectors.open_actions_of(worker)),
            "page_obj": page,
        },
    )


@never_cache
@login_required
@require_GET
def supervision_supervisees(request):
    """A supervisor's current supervisees, the most overdue first."""
    require(request.user, "peers.supervise")
    statuses = selectors.supervisee_statuses(request.user, as_of=timezone.localdate())
    return render(
        request,
        "peers/supervision/supervisees.html",
        {
            "statuses": statuses,
            "overdue": sum(s.state == "overdue" for s in statuses),
            "due_soon": sum(s.state == "due_soon" for s in statuses),
        },
    )


def _supervisee(request, worker_id) -> PeerWorker:
    worker = get_object_or_404(
        visible_to(request.user, PeerWorker).select_related("user", "team"), pk=worker_id
    )
    require(request.user, "peers.supervise", worker)
    return worker


@never_cache
@login_required
@require_GET
def supervision_worker(request, worker_id):
    """One supervisee's supervision records and open actions, for their supervisor."""
    worker = _supervisee(request, worker_id)
    audit_view(
        user=request.user,
        instance=worker,
        reason="Supervisor opened their supervisee's supervision records",
    )
    page = Paginator(selectors.supervisions_of(request.user, worker), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "peers/supervision/worker.html",
        {
            "worker": worker,
            "status": selectors.status_of_worker(worker, as_of=timezone.localdate()),
            "open_actions": list(selectors.open_actions_of(worker)),
            "shared_check_ins": selectors.shared_check_ins_of(request.user, worker),
            "page_obj": page,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def supervision_record(request, worker_id):
    worker = _supervisee(request, worker_id)
    if request.method == "POST":
        form = SupervisionForm(request.POST, worker=worker)
        if form.is_valid():
            try:
                supervision = submit_once(
                    form=form,
                    user=request.user,
                    create=lambda: services.supervision_record(
                        user=request.user,
                        worker=worker,
                        date=form.cleaned_data["date"],
                        kind=form.cleaned_data["kind"],
                        duration_minutes=form.cleaned_data["duration_minutes"],
                        notes=form.cleaned_data["notes"],
                        actions=form.actions(),
                    ),
                ).record
            except Refused as refusal:
                form.add_error(None, refusal.message)
            else:
                if supervision is None:
                    return redirect("peers:supervision_worker", worker_id=worker.pk)
                messages.success(request, f"Supervision with {worker} recorded.")
                return redirect("peers:supervision_detail", pk=supervision.pk)
    else:
        form = SupervisionForm(worker=worker, initial={"duration_minutes": 60})
    action_rows = [
        (form[f"action_{n}"], form[f"action_{n}_due"]) for n in range(1, ACTION_ROWS + 1)
    ]
    return render(
        request,
        "peers/supervision/record.html",
        {"worker": worker, "form": form, "action_rows": action_rows},
    )


def _supervision_for(request, pk):
    supervision = selectors.supervision_for(request.user, pk)
    if supervision is None:
        raise Http404
    return supervision


@never_cache
@login_required
@require_GET
def supervision_detail(request, pk):
    supervision = _supervision_for(request, pk)
    audit_view(user=request.user, instance=supervision, reason="Read a supervision record")
    is_supervisor = can(request.user, "peers.supervise", supervision.worker)
    return render(
        request,
        "peers/supervision/detail.html",
        {
            "supervision": supervision,
            "worker": supervision.worker,
            "actions": list(supervision.actions.all()),
            "is_supervisor": is_supervisor,
            "is_own": supervision.worker.user_id == request.user.pk,
            "action_form": ActionForm() if is_supervisor else None,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def supervision_action_add(request, pk):
    supervision = _supervision_for(request, pk)
    require(request.user, "peers.supervise", supervision.worker)
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submit_once(
                form=form,
                user=request.user,
                create=lambda: services.supervision_action_add(
                    user=request.user,
                    supervision=supervision,
                    description=form.cleaned_data["description"],
                    due_date=form.cleaned_data["due_date"],
                ),
            )
        except Refused as refusal:
            form.add_error("description", refusal.message)
        else:
            messages.success(request, "Action added.")
            return redirect("peers:supervision_detail", pk=supervision.pk)
    return render(
        request,
        "peers/supervision/action_add.html",
        {"supervision": supervision, "worker": supervision.worker, "form": form},
    )


@login_required
@require_POST
def supervision_action_mark(request, pk):
    """Mark an action done or not done, then go back to where the button was."""
    action = selectors.action_for(request.user, pk)
    if action is None:
        raise Http404
    done = request.POST.get("done") == "yes"
    try:
        services.supervision_action_mark(user=request.user, action=action, done=done)
    except Refused as refusal:
        messages.info(request, refusal.message)
    else:
        messages.success(
            request,
            f"‘{action.description}’ marked as {'done' if done else 'not done'}.",
        )
    if request.POST.get("back") == "mine":
        return redirect("peers:supervision_mine")
    return redirect("peers:supervision_detail", pk=action.supervision_id)


@never_cache
@login_required
@require_GET
def supervision_compliance(request):
    """Per team: how many active workers were supervised within their expected frequency.
    Counts only, never names or notes."""
    require(request.user, "peers.view_supervision_compliance")
    compliance = selectors.compliance_for(request.user, as_of=timezone.localdate())
    return render(request, "peers/supervision/compliance.html", {"compliance": compliance})


urlpatterns = [
    path("peer-work/supervision/", supervision_mine, name="supervision_mine"),
    path(
        "peer-work/supervision/supervisees/",
        supervision_supervisees,
        name="supervision_supervisees",
    ),
    path(
        "peer-work/supervision/compliance/",
        supervision_compliance,
        name="supervision_compliance",
    ),
    path(
        "peer-work/supervision/workers/<int:worker_id>/",
        supervision_worker,
        name="supervision_worker",
    ),
    path(
        "peer-work/supervision/workers/<int:worker_id>/record/",
        supervision_record,
        name="supervision_record",
    ),
    path("peer-work/supervision/<int:pk>/", supervision_detail, name="supervision_detail"),
    path(
        "peer-work/supervision/<int:pk>/actions/add/",
        supervision_action_add,
        name="supervision_action_add",
    ),
    path(
        "peer-work/supervision/actions/<int:pk>/mark/",
        supervision_action_mark,
        name="supervision_action_mark",
    ),
]
