"""Peer roles on the site: the public list of open vacancies and each vacancy's page, and a
candidate's way in: apply (signed in with any verified account; people new to the site sign
up and come back here), the optional equality monitoring step, and their own applications,
which they may withdraw. Another person's application is a 404, as if it did not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from cms import params
from cms.middleware import public_page
from cms.page_cache import LONG
from cms.permissions import can
from cms.submissions import submit_once

from ..forms.recruitment import ApplyForm, EqualityForm, WithdrawForm
from ..selectors import recruitment as selectors
from ..services import Refused
from ..services import recruitment as services

PAGE_SIZE = 10


@public_page(cache_for=LONG)
@require_GET
def vacancy_list(request):
    page = params.paginate(request, selectors.vacancies_open(request.user), PAGE_SIZE)
    return render(request, "peers/vacancies/list.html", {"page_obj": page})


@public_page(cache_for=LONG)
@require_GET
def vacancy_detail(request, slug):
    vacancy = selectors.vacancy_for_page(request.user, slug)
    return render(
        request,
        "peers/vacancies/detail.html",
        {
            "vacancy": vacancy,
            "is_open": vacancy.is_open,
            "application": selectors.application_for(request.user, vacancy),
            "can_manage": can(request.user, "peers.manage_recruitment", vacancy),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def vacancy_apply(request, slug):
    vacancy = selectors.vacancy_for_page(request.user, slug)
    existing = selectors.application_for(request.user, vacancy)
    if existing is not None and existing.stage != existing.Stage.WITHDRAWN:
        messages.info(request, "You have already applied for this role. Here is your application.")
        return redirect("peers:job_application", pk=existing.pk)
    if not vacancy.is_open:
        messages.info(request, "This role has closed, so it is not taking applications.")
        return redirect(vacancy)
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = {}

        def apply():
            application, made["now"] = services.application_submit(
                vacancy=vacancy,
                candidate=request.user,
                statement=form.cleaned_data["statement"],
                has_lived_experience=form.cleaned_data["has_lived_experience"] == "yes",
                adjustments_requested=form.cleaned_data["adjustments_requested"],
                agree_to_adjustments=form.cleaned_data["agree_to_adjustments"],
                consent_to_contact=form.cleaned_data["consent_to_contact"],
            )
            return application

        try:
            submitted = submit_once(form=form, user=request.user, create=apply)
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            application = submitted.record
            if application is None:
                return redirect("peers:job_application_list")
            if not made.get("now") and not submitted.repeated:
                messages.info(request, "You had already applied for this role.")
                return redirect("peers:job_application", pk=application.pk)
            messages.success(
                request, "Your application has been sent. We have emailed you to confirm."
            )
            return redirect("peers:job_application_equality", pk=application.pk)
    return render(request, "peers/vacancies/apply.html", {"vacancy": vacancy, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def job_application_equality(request, pk):
    """The optional equality monitoring step, after applying; it can be skipped. Answers
    are kept only with the candidate's agreement, which they can withdraw here."""
    application = selectors.own_application(request.user, pk)
    existing = getattr(application, "equality", None)
    kept = {name: getattr(existing, name) for name in services.EQUALITY_FIELDS} if existing else {}
    if request.method == "POST" and "withdraw" in request.POST:
        return _equality_withdraw(request, application)
    form = EqualityForm(
        request.POST if request.method == "POST" else None,
        initial=kept,
        kept=kept,
        asks_consent=not services.equality_consent_is_current(existing),
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = services.equality_record(
                application=application, user=request.user, **form.cleaned_data
            )
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            if record is None:
                messages.success(request, "You did not answer any questions, so we keep none.")
            else:
                messages.success(request, "Thank you. Your answers have been saved.")
            return redirect("peers:job_application", pk=application.pk)
    return render(
        request,
        "peers/vacancies/equality.html",
        {
            "application": application,
            "vacancy": application.vacancy,
            "form": form,
            "kept": existing,
            "consent_text": services.EQUALITY_CONSENT.text,
        },
    )


def _equality_withdraw(request, application):
    try:
        deleted = services.equality_withdraw(application=application, user=request.user)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        if deleted:
            messages.success(
                request, "You have withdrawn your agreement. Your answers have been deleted."
            )
    return redirect("peers:job_application", pk=application.pk)


@login_required
@require_GET
def job_application_list(request):
    page = params.paginate(request, selectors.applications_of(request.user), PAGE_SIZE)
    return render(request, "peers/vacancies/applications.html", {"page_obj": page})


@login_required
@require_GET
def job_application(request, pk):
    application = selectors.own_application(request.user, pk)
    return render(
        request,
        "peers/vacancies/application.html",
        {
            "application": application,
            "vacancy": application.vacancy,
            "can_withdraw": services.withdrawable(application),
            "can_apply_again": application.stage == application.Stage.WITHDRAWN
            and application.vacancy.is_open,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def job_application_withdraw(request, pk):
    """Ask "are you sure?" first: withdrawing by accident would be upsetting."""
    application = selectors.own_application(request.user, pk)
    if not services.withdrawable(application):
        return redirect("peers:job_application", pk=application.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                application=application, user=request.user, reason=form.cleaned_data["reason"]
            )
        except Refused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, "You have withdrawn your application.")
        return redirect("peers:job_application", pk=application.pk)
    return render(
        request,
        "peers/vacancies/withdraw.html",
        {"application": application, "vacancy": application.vacancy, "form": form},
    )


urlpatterns = [
    path("peer-roles/", vacancy_list, name="vacancy_list"),
    path("peer-roles/applications/", job_application_list, name="job_application_list"),
    path("peer-roles/applications/<int:pk>/", job_application, name="job_application"),
    path(
        "peer-roles/applications/<int:pk>/equality/",
        job_application_equality,
        name="job_application_equality",
    ),
    path(
        "peer-roles/applications/<int:pk>/withdraw/",
        job_application_withdraw,
        name="job_application_withdraw",
    ),
    path("peer-roles/<slug:slug>/", vacancy_detail, name="vacancy_detail"),
    path("peer-roles/<slug:slug>/apply/", vacancy_apply, name="vacancy_apply"),
]
