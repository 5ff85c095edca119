"""Front-end views for wellbeing check-ins: the worker's history with its trend, the
check-in form, the result (with support options when the score is low), sharing with
supervisors, and deleting a check-in.

A check-in is found only among those ``visible_to`` the person (their own, or shared with
them as supervisor), so anyone else's is a 404. A supervisor's look at a shared check-in is
written to the audit log; nothing about a score ever goes to anyone but its owner.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.audit import audit_view
from cms.permissions import can, require
from cms.submissions import submit_once

from .. import wellbeing_scale as scale
from ..forms.wellbeing import CheckInForm
from ..selectors import wellbeing as selectors
from ..services import Refused
from ..services import wellbeing as services

PAGE_SIZE = 20


@never_cache
@login_required
@require_GET
def wellbeing_history(request):
    require(request.user, "peers.check_in")
    page = Paginator(selectors.own_check_ins(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "peers/wellbeing/history.html",
        {"page_obj": page, "trend": selectors.trend(request.user)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def wellbeing_check_in(request):
    require(request.user, "peers.check_in")
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check_in = submit_once(
                form=form,
                user=request.user,
                create=lambda: services.wellbeing_check_in(
                    user=request.user,
                    answers=form.answers(),
                    note=form.cleaned_data["note"],
                    share=form.cleaned_data["share"],
                ),
            ).record
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            if check_in is None:
                return redirect("peers:wellbeing_history")
            return redirect("peers:wellbeing_result", pk=check_in.pk)
    return render(
        request,
        "peers/wellbeing/check_in.html",
        {"form": form, "introduction": scale.INTRODUCTION},
    )


def _check_in_for(request, pk):
    check_in = selectors.check_in_for(request.user, pk)
    if check_in is None:
        raise Http404
    require(request.user, "peers.view_wellbeing", check_in)
    return check_in


@never_cache
@login_required
@require_GET
def wellbeing_result(request, pk):
    check_in = _check_in_for(request, pk)
    is_own = can(request.user, "peers.share_wellbeing", check_in)
    if not is_own:
        audit_view(
            user=request.user,
            instance=check_in,
            reason="Supervisor read a wellbeing check-in their supervisee shared with them",
        )
    change = selectors.change_since_previous(request.user, check_in) if is_own else None
    change = None if change is None else scale.change_in_points(change)
    answers = [
        (item.wording, dict(scale.ANSWERS)[getattr(check_in, item.field)]) for item in scale.ITEMS
    ]
    return render(
        request,
        "peers/wellbeing/result.html",
        {
            "check_in": check_in,
            "answers": answers,
            "is_own": is_own,
            # Support options are for the worker's eyes: never computed for anyone else.
            "support": scale.support_level(check_in.metric_score) if is_own else "",
            "change": change,
            "change_size": abs(change) if change is not None else None,
        },
    )


@login_required
@require_POST
def wellbeing_share(request, pk):
    check_in = _check_in_for(request, pk)
    require(request.user, "peers.share_wellbeing", check_in)
    shared = request.POST.get("shared") == "yes"
    try:
        services.wellbeing_share(user=request.user, check_in=check_in, shared=shared)
    except Refused as refusal:
        messages.info(request, refusal.message)
    else:
        messages.success(
            request,
            "Your supervisor can now see this check-in."
            if shared
            else "This check-in is private again: only you can see it.",
        )
    return redirect("peers:wellbeing_result", pk=check_in.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def wellbeing_delete(request, pk):
    check_in = _check_in_for(request, pk)
    require(request.user, "peers.share_wellbeing", check_in)
    if request.method == "POST":
        services.wellbeing_delete(user=request.user, check_in=check_in)
        messages.success(request, "The check-in has been deleted.")
        return redirect("peers:wellbeing_history")
    return render(request, "peers/wellbeing/delete.html", {"check_in": check_in})


urlpatterns = [
    path("peer-work/wellbeing/", wellbeing_history, name="wellbeing_history"),
    path("peer-work/wellbeing/check-in/", wellbeing_check_in, name="wellbeing_check_in"),
    path("peer-work/wellbeing/<int:pk>/", wellbeing_result, name="wellbeing_result"),
    path("peer-work/wellbeing/<int:pk>/share/", wellbeing_share, name="wellbeing_share"),
    path("peer-work/wellbeing/<int:pk>/delete/", wellbeing_delete, name="wellbeing_delete"),
]
