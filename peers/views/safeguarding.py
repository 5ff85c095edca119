"""Front-end views of safeguarding concerns: the list (a worker's own, with their status; a
supervisor's supervisees', open ones first) and one concern, where a supervisor acknowledges
it and records what they did.

Every opening of a concern's page is audit-logged, whoever opens it, the worker included:
a safeguarding record is the most sensitive thing on the platform, and who read it when
must be answerable.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cms.permissions import can, require

from ..forms.sessions import AcknowledgeForm
from ..models import SafeguardingConcern
from ..rules import worker_of
from ..selectors import sessions as selectors
from ..services import Refused
from ..services import safeguarding as services
from .sessions import not_a_worker

PAGE_SIZE = 20


@login_required
@require_GET
def concern_list(request):
    user = request.user
    is_worker = worker_of(user) is not None
    is_supervisor = can(user, "peers.supervise")
    if not is_worker and not is_supervisor:
        return not_a_worker(request, doing="see safeguarding concerns")
    page = Paginator(selectors.concerns_list(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "peers/safeguarding/list.html",
        {"page_obj": page, "is_worker": is_worker, "is_supervisor": is_supervisor},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def concern_detail(request, pk):
    user = request.user
    concern = selectors.concern_for(user, pk)
    if concern is None:
        raise Http404
    require(user, "peers.view_concern", concern)
    form = None
    if request.method == "POST":
        if not can(user, "peers.acknowledge_concern", concern):
            messages.info(request, _why_not_acknowledged(concern))
            return redirect("peers:concern_detail", pk=concern.pk)
        form = AcknowledgeForm(request.POST)
        if form.is_valid():
            try:
                services.concern_acknowledge(
                    concern=concern, user=user, action_taken=form.cleaned_data["action_taken"]
                )
            except Refused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(
                    request,
                    f"Concern acknowledged. {concern.worker} has been told it is picked up.",
                )
                return redirect("peers:concern_detail", pk=concern.pk)
    services.concern_viewed(concern=concern, user=user)
    can_acknowledge = can(user, "peers.acknowledge_concern", concern)
    is_own = concern.worker.user_id == user.pk
    return render(
        request,
        "peers/safeguarding/detail.html",
        {
            "concern": concern,
            "session": concern.session,
            "is_own": is_own,
            "can_acknowledge": can_acknowledge,
            "form": form if form is not None else (AcknowledgeForm() if can_acknowledge else None),
            # Nobody to alert: the worker is asked to phone their manager as well.
            "has_supervisor": bool(selectors.supervisors_to_alert(concern.worker)),
            "immediate": concern.urgency == SafeguardingConcern.Urgency.IMMEDIATE,
        },
    )


def _why_not_acknowledged(concern: SafeguardingConcern) -> str:
    if not concern.is_open:
        return "This concern has already been acknowledged."
    return "Only the worker's supervisors can acknowledge a concern."


urlpatterns = [
    path("peer-work/safeguarding/", concern_list, name="concern_list"),
    path("peer-work/safeguarding/<int:pk>/", concern_detail, name="concern_detail"),
]
