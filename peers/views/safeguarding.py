"""Front-end views of safeguarding concerns: the list (a worker's own, with their status; a
supervisor's supervisees', open ones first) and one concern, where a supervisor acknowledges
it and records what they did.

Every opening of a concern's page is audit-logged, whoever opens it, the worker included:
a safeguarding record is the most sensitive thing on the platform, and who read it when
must be answerable.

An alert email that has not got through is said on screen, so nobody relies on an email
that never came: the worker who raised the concern is asked to phone (the concern's page is
also where they land right after raising it), and a supervisor sees who has not been
reached and since when. The list marks such concerns too.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models.fields.json import KeyTransform
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cms import mail
from cms.models import OutboundEmail
from cms.permissions import can, require, why_not

from .. import office_hours
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
        {
            "page_obj": page,
            "is_worker": is_worker,
            "is_supervisor": is_supervisor,
            "not_delivered": _with_undelivered_email(list(page), user),
        },
    )


def _with_undelivered_email(concerns: list[SafeguardingConcern], user) -> set[int]:
    """Which of ``concerns`` have an email about them that has not got through and that
    ``user`` should be told of, in one query for the page (as ``cms.mail.undelivered_about``
    answers for one record)."""
    if not concerns:
        return set()
    workers = {concern.pk: concern.worker.user_id for concern in concerns}
    emails = (
        mail.undelivered_about_each(SafeguardingConcern, workers)
        .annotate(to_addresses=KeyTransform("to", "message"))
        .values_list("about_id", "to_addresses")
    )
    return {
        int(about_id)
        for about_id, to in emails
        if _worth_telling(to, reader=user, worker_user_id=workers[int(about_id)])
    }


def _undelivered(concern: SafeguardingConcern, user) -> list[OutboundEmail]:
    """The emails about ``concern`` that have not got through and that ``user`` should be
    told of."""
    return [
        email
        for email in mail.undelivered_about(concern)
        if _worth_telling(email.recipients, reader=user, worker_user_id=concern.worker.user_id)
    ]


def _worth_telling(recipients: list[str], *, reader, worker_user_id: int) -> bool:
    """Every undelivered email is worth telling a supervisor of; the worker who raised the
    concern is not told of the one to themselves (that it was picked up): they are reading
    its news."""
    return not (reader.pk == worker_user_id and recipients == [reader.email])


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
        if refusal := why_not(user, "peers.acknowledge_concern", concern):
            messages.info(request, refusal)
            return redirect("peers:concern_detail", pk=concern.pk)
        form = AcknowledgeForm(request.POST, worker_name=_called(concern))
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
    # Nobody to alert: the worker is asked to phone their manager as well.
    has_supervisor = bool(selectors.supervisors_to_alert(concern.worker))
    undelivered = _undelivered(concern, user)
    return render(
        request,
        "peers/safeguarding/detail.html",
        {
            "concern": concern,
            "session": concern.session,
            "is_own": is_own,
            "can_acknowledge": can_acknowledge,
            "form": form
            if form is not None
            else (AcknowledgeForm(worker_name=_called(concern)) if can_acknowledge else None),
            "has_supervisor": has_supervisor,
            "immediate": concern.urgency == SafeguardingConcern.Urgency.IMMEDIATE,
            "undelivered": undelivered,
            # Given up on only once every undelivered email has used its attempts.
            "still_trying": any(
                email.status != OutboundEmail.Status.FAILED for email in undelivered
            ),
            "supervisors_told": has_supervisor and not undelivered,
            # Raised out of hours: the worker is told what to do if nobody answers.
            "out_of_hours": services.raised_out_of_hours(concern),
            "office_hours": office_hours.IN_WORDS,
            "on_call": services.on_call_for(concern.worker),
        },
    )


def _called(concern: SafeguardingConcern) -> str:
    """The name the worker who raised ``concern`` goes by."""
    return concern.worker.user.first_name or str(concern.worker)


urlpatterns = [
    path("peer-work/safeguarding/", concern_list, name="concern_list"),
    path("peer-work/safeguarding/<int:pk>/", concern_detail, name="concern_detail"),
]
