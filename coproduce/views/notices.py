"""Notices on the front end: a member chooses how we contact them and which notices they
get; a lead works through the calls and letters their members asked for.

The member's page has no record id: it is always the signed-in member's own. A contact
task is found only among those ``visible_to`` the lead, so anyone else's is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.audit import audit_view
from cms.params import choice_param, paginate
from cms.permissions import can, require

from ..forms.notices import ContactTaskDoneForm, NoticePreferencesForm
from ..models import ContactTask
from ..notices import (
    NO_ADDRESS,
    NOTICES,
    contact_task_letter_pdf,
    contact_task_mark_done,
    contact_tasks_visible_to,
    notice_preferences_save,
)
from ..selectors import panels as panel_selectors
from ..services import Refused
from .profiles import not_a_member

PAGE_SIZE = 25
TO_DO, DONE = "to_do", "done"
SHOWING = {TO_DO: "To do", DONE: "Done"}


@login_required
@require_http_methods(["GET", "POST"])
def notice_preferences(request):
    if not can(request.user, "coproduce.keep_profile"):
        return not_a_member(request, doing="choose how we contact you")
    profile = panel_selectors.profile_of(request.user)
    if profile is None:
        messages.info(request, "First, tell us a little about how you would like to take part.")
        return redirect(
            f"{reverse('coproduce:involvement_edit')}?next={reverse('coproduce:notice_preferences')}"
        )
    if request.method == "POST":
        form = NoticePreferencesForm(request.POST)
        if form.is_valid():
            try:
                notice_preferences_save(user=request.user, **form.cleaned_data)
            except Refused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, "Your choices are saved.")
                return redirect("coproduce:notice_preferences")
    else:
        declined = set(profile.notices_declined or [])
        form = NoticePreferencesForm(
            initial={
                "contact_preference": profile.contact_preference,
                "phone": profile.phone,
                "wanted": [key for key in NOTICES if key not in declined],
            }
        )
    return render(
        request,
        "coproduce/notices/preferences.html",
        {"form": form, "always_sent": [n for n in NOTICES.values() if not n.can_decline]},
    )


@login_required
@require_GET
def contact_task_list(request):
    require(request.user, "coproduce.view_contact_tasks")
    showing = choice_param(request, "show", SHOWING, TO_DO)
    tasks = contact_tasks_visible_to(request.user).filter(done_at__isnull=showing == TO_DO)
    tasks = tasks.order_by("-done_at" if showing == DONE else "created_at", "pk")
    return render(
        request,
        "coproduce/notices/task_list.html",
        {
            "page_obj": paginate(request, tasks, PAGE_SIZE),
            "showing": showing,
            "choices": [(key, label) for key, label in SHOWING.items()],
        },
    )


def _task_for(request, pk) -> ContactTask:
    require(request.user, "coproduce.view_contact_tasks")
    task = contact_tasks_visible_to(request.user).filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


def _phone_of(task) -> str:
    profile = getattr(task.member, "involvement_profile", None)
    return profile.phone if profile else ""


@login_required
@require_GET
def contact_task_detail(request, pk):
    task = _task_for(request, pk)
    audit_view(user=request.user, instance=task, reason="Lead opened a call or letter to a member")
    return _render_task(request, task, ContactTaskDoneForm())


def _render_task(request, task, form, status=200):
    return render(
        request,
        "coproduce/notices/task_detail.html",
        {
            "task": task,
            "form": form,
            "phone": _phone_of(task),
            "no_address": NO_ADDRESS,
            "is_letter": task.kind == ContactTask.Kind.LETTER,
        },
        status=status,
    )


@login_required
@require_POST
def contact_task_done(request, pk):
    task = _task_for(request, pk)
    if task.done_at:
        messages.info(request, "This was already marked done.")
        return redirect("coproduce:contact_task_detail", pk=task.pk)
    form = ContactTaskDoneForm(request.POST)
    if form.is_valid():
        try:
            contact_task_mark_done(task=task, user=request.user, **form.cleaned_data)
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, f"Marked done: {task.subject}")
            return redirect("coproduce:contact_task_list")
    return _render_task(request, task, form, status=400)


@login_required
@require_GET
def contact_task_letter(request, pk):
    task = _task_for(request, pk)
    if task.kind != ContactTask.Kind.LETTER:
        raise Http404
    audit_view(user=request.user, instance=task, reason="Lead printed a letter to a member")
    response = HttpResponse(contact_task_letter_pdf(task), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="letter-{task.pk}.pdf"'
    return response


urlpatterns = [
    path("involvement/notices/", notice_preferences, name="notice_preferences"),
    path("contact-tasks/", contact_task_list, name="contact_task_list"),
    path("contact-tasks/<int:pk>/", contact_task_detail, name="contact_task_detail"),
    path("contact-tasks/<int:pk>/done/", contact_task_done, name="contact_task_done"),
    path("contact-tasks/<int:pk>/letter/", contact_task_letter, name="contact_task_letter"),
]
