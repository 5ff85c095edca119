"""Front-end views of session logs: a worker's own list, logging (and "repeat last session"),
one session, correcting and deleting it, raising a safeguarding concern from it; and a
supervisor's list of their supervisees' sessions.

Views are thin: a session is found through ``sessions_visible_to`` (one the person may not
see is a 404, like one that does not exist), ``can()`` decides the rest, and one service
does the work. Opening a session's page shows its private notes, so every view by someone
other than the worker who logged it (their supervisors) is audit-logged; the worker reading
their own notes is not a disclosure and is not logged.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from cms.audit import audit_view
from cms.permissions import can, has_role, require, why_not
from cms.roles import Role
from cms.submissions import submit_once

from ..forms.sessions import (
    ConcernForm,
    SessionFilterForm,
    SessionForm,
    new_session_initial,
    session_initial,
)
from ..models import SessionLog
from ..rules import SESSION_DELETE_WINDOW_DAYS, worker_of
from ..selectors import sessions as selectors
from ..services import Refused
from ..services import safeguarding as safeguarding_services
from ..services import sessions as services

PAGE_SIZE = 20


def not_a_worker(request, *, doing: str):
    """A kind 403: who these pages are for, and where to go instead."""
    return render(
        request,
        "peers/sessions/not_a_worker.html",
        {"doing": doing, "is_supervisor": has_role(request.user, Role.SUPERVISOR)},
        status=403,
    )


def _session_for(request, pk) -> SessionLog:
    session = selectors.session_for(request.user, pk)
    if session is None:
        raise Http404
    require(request.user, "peers.view_session", session)
    return session


def _filtered(request, sessions, *, supervisees=None):
    """The list's filters, the page of sessions they choose, and the query string to keep."""
    form = SessionFilterForm(
        request.GET, months=selectors.months_with_sessions(sessions), supervisees=supervisees
    )
    worker_id = form.chosen("worker") if supervisees is not None else ""
    if worker_id:
        sessions = sessions.filter(worker_id=int(worker_id))
    sessions = selectors.sessions_filtered(
        sessions, month=form.month_chosen(), setting=form.chosen("setting")
    )
    kept = {
        name: value
        for name, value in (
            ("worker", worker_id),
            ("month", form.chosen("month")),
            ("setting", form.chosen("setting")),
        )
        if value
    }
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return form, page, urlencode(kept), bool(kept)


@login_required
@require_GET
def session_list(request):
    worker = worker_of(request.user)
    if worker is None:
        return not_a_worker(request, doing="see session logs")
    form, page, query_string, filtered = _filtered(
        request, selectors.sessions_of_worker(request.user, worker)
    )
    return render(
        request,
        "peers/sessions/list.html",
        {
            "worker": worker,
            "filter_form": form,
            "page_obj": page,
            "query_string": query_string,
            "filtered": filtered,
            "can_log": can(request.user, "peers.log_sessions"),
        },
    )


@login_required
@require_GET
def supervisee_sessions(request):
    if not can(request.user, "peers.supervise"):
        return not_a_worker(request, doing="see your supervisees' sessions")
    supervisees = list(selectors.supervisees_of(request.user))
    form, page, query_string, filtered = _filtered(
        request, selectors.sessions_of_supervisees(request.user), supervisees=supervisees
    )
    return render(
        request,
        "peers/sessions/supervisees.html",
        {
            "supervisees": supervisees,
            "filter_form": form,
            "page_obj": page,
            "query_string": query_string,
            "filtered": filtered,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_log(request):
    """Log a session: today, an hour, one-to-one unless changed; ``?repeat=last`` fills in
    the rest from the worker's latest log."""
    if not can(request.user, "peers.log_sessions"):
        return not_a_worker(request, doing="log sessions")
    worker = worker_of(request.user)
    repeating = request.GET.get("repeat") == "last"
    if request.method == "POST":
        form = SessionForm(request.POST)
        if form.is_valid():
            try:
                submitted = submit_once(
                    form=form,
                    user=request.user,
                    create=lambda: services.session_log(
                        user=request.user, details=form.details(), concern=form.concern()
                    ),
                )
            except Refused as refusal:
                _add_refusal(form, refusal)
            else:
                if submitted.record is None:
                    return redirect("peers:session_list")
                return _after_logging(request, submitted.record)
    else:
        repeat = selectors.session_repeat_initial(worker) if repeating else None
        if repeating and repeat is None:
            messages.info(request, "You have no sessions to repeat yet, so this is a new one.")
        form = SessionForm(initial=new_session_initial(repeat))
    return render(
        request,
        "peers/sessions/form.html",
        {"form": form, "session": None, "repeating": repeating and request.method == "GET"},
    )


def _add_refusal(form, refusal: Refused) -> None:
    field = getattr(refusal, "field", None)
    form.add_error(field if field in form.fields else None, refusal.message)


def _after_logging(request, session: SessionLog):
    concern = getattr(session, "safeguarding_concern", None)
    if concern is not None:
        messages.success(request, "Session logged and safeguarding concern raised.")
        return redirect("peers:concern_detail", pk=concern.pk)
    messages.success(
        request,
        f"Session logged: {session.get_setting_display()}, {date_format(session.date, 'j F')}, "
        f"{session.duration_minutes} minutes.",
    )
    return redirect("peers:session_list")


@login_required
@require_GET
def session_detail(request, pk):
    session = _session_for(request, pk)
    user = request.user
    is_own = session.worker.user_id == user.pk
    if not is_own:
        audit_view(
            user=user,
            instance=session,
            reason="Supervisor read their supervisee's session log and its notes",
        )
    concern = getattr(session, "safeguarding_concern", None)
    return render(
        request,
        "peers/sessions/detail.html",
        {
            "session": session,
            "concern": concern,
            "is_own": is_own,
            "can_edit": can(user, "peers.edit_session", session),
            "can_delete": can(user, "peers.delete_session", session),
            "can_raise_concern": concern is None and can(user, "peers.raise_concern", session),
            "delete_window_days": SESSION_DELETE_WINDOW_DAYS,
        },
    )


def _own_session(request, pk) -> SessionLog:
    session = _session_for(request, pk)
    if not can(request.user, "peers.edit_session", session):
        raise PermissionDenied
    return session


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, pk):
    session = _own_session(request, pk)
    if request.method == "POST":
        form = SessionForm(request.POST, with_concern=False)
        if form.is_valid():
            try:
                services.session_update(session=session, user=request.user, details=form.details())
            except Refused as refusal:
                _add_refusal(form, refusal)
            else:
                messages.success(request, "Your changes to the session are saved.")
                return redirect("peers:session_detail", pk=session.pk)
    else:
        form = SessionForm(initial=session_initial(session), with_concern=False)
    return render(
        request, "peers/sessions/form.html", {"form": form, "session": session, "repeating": False}
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_delete(request, pk):
    session = _own_session(request, pk)
    if refusal := why_not(request.user, "peers.delete_session", session):
        messages.info(request, refusal)
        return redirect("peers:session_detail", pk=session.pk)
    if request.method == "POST":
        try:
            services.session_delete(session=session, user=request.user)
        except Refused as refusal:
            messages.info(request, refusal.message)
            return redirect("peers:session_detail", pk=session.pk)
        messages.success(request, "The session has been deleted.")
        return redirect("peers:session_list")
    return render(request, "peers/sessions/delete.html", {"session": session})


@login_required
@require_http_methods(["GET", "POST"])
def concern_raise(request, pk):
    """Raise a safeguarding concern from a session already logged."""
    session = _own_session(request, pk)
    concern = getattr(session, "safeguarding_concern", None)
    if concern is not None:
        messages.info(request, "A safeguarding concern has already been raised for this session.")
        return redirect("peers:concern_detail", pk=concern.pk)
    if request.method == "POST":
        form = ConcernForm(request.POST)
        if form.is_valid():
            try:
                submitted = submit_once(
                    form=form,
                    user=request.user,
                    create=lambda: safeguarding_services.concern_raise(
                        session=session, user=request.user, details=form.details()
                    ),
                )
            except Refused as refusal:
                _add_refusal(form, refusal)
            else:
                if submitted.record is None:
                    return redirect("peers:session_detail", pk=session.pk)
                messages.success(request, "Safeguarding concern raised.")
                return redirect("peers:concern_detail", pk=submitted.record.pk)
    else:
        form = ConcernForm()
    return render(request, "peers/safeguarding/raise.html", {"form": form, "session": session})


urlpatterns = [
    path("peer-work/sessions/", session_list, name="session_list"),
    path("peer-work/sessions/log/", session_log, name="session_log"),
    path("peer-work/sessions/supervisees/", supervisee_sessions, name="supervisee_sessions"),
    path("peer-work/sessions/<int:pk>/", session_detail, name="session_detail"),
    path("peer-work/sessions/<int:pk>/edit/", session_edit, name="session_edit"),
    path("peer-work/sessions/<int:pk>/delete/", session_delete, name="session_delete"),
    path("peer-work/sessions/<int:pk>/safeguarding/", concern_raise, name="concern_raise"),
]
