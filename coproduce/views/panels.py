"""Public panel pages and a member's way onto a panel: the list of panels recruiting, each
panel's page, the application form, and the member's own application (with withdrawing).

Anyone may read recruiting panels; applying needs a member account, an involvement profile
(made on the way, then back to the form) and the involvement consent (asked on the form).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from cms import params
from cms.middleware import public_page
from cms.page_cache import LONG
from cms.permissions import can
from cms.submissions import submit_once

from ..consent import ConsentPurpose, current_statement
from ..forms.panels import ApplicationForm
from ..selectors import panels as selectors
from ..services import Refused
from ..services import applications as services
from .profiles import not_a_member

PAGE_SIZE = 10


@public_page(cache_for=LONG)
@require_GET
def panel_list(request):
    page = params.paginate(request, selectors.panels_recruiting(request.user), PAGE_SIZE)
    return render(request, "coproduce/panels/list.html", {"page_obj": page})


@public_page(cache_for=LONG)
@require_GET
def panel_detail(request, slug):
    panel = selectors.panel_for_page(request.user, slug)
    is_member = can(request.user, "coproduce.keep_profile")
    return render(
        request,
        "coproduce/panels/detail.html",
        {
            "panel": panel,
            "coproduction_meaning": selectors.coproduction_meaning(panel),
            "open_for_applications": selectors.panel_is_open_for_applications(panel),
            "is_member": is_member,
            "application": selectors.application_of(request.user, panel) if is_member else None,
            "can_manage": can(request.user, "coproduce.manage_panel", panel),
        },
    )


def _member_panel(request, slug):
    """The panel, for a member acting on it; the refusal page for anyone else."""
    if not can(request.user, "coproduce.keep_profile"):
        return None, not_a_member(request, doing="apply to panels")
    return selectors.panel_for_page(request.user, slug), None


@login_required
@require_http_methods(["GET", "POST"])
def panel_apply(request, slug):
    panel, refusal = _member_panel(request, slug)
    if refusal:
        return refusal
    user = request.user
    existing = selectors.application_of(user, panel)
    if existing is not None and existing.status != existing.Status.WITHDRAWN:
        messages.info(request, "You have already applied to this panel. Here is your application.")
        return redirect("coproduce:panel_application", slug=panel.slug)
    if not selectors.panel_is_open_for_applications(panel):
        messages.info(request, "This panel is not taking applications at the moment.")
        return redirect(panel)
    profile = selectors.profile_of(user)
    if profile is None:
        messages.info(
            request,
            "Before you apply, tell us a little about how you would like to take part. "
            "Then we will bring you back to your application.",
        )
        here = reverse("coproduce:panel_apply", kwargs={"slug": panel.slug})
        return redirect(f"{reverse('coproduce:involvement_edit')}?{urlencode({'next': here})}")
    needs_consent = not selectors.has_current_consent(user, ConsentPurpose.INVOLVEMENT)
    consent_text = current_statement(ConsentPurpose.INVOLVEMENT).text
    asks_access_consent = not selectors.has_current_consent(user, ConsentPurpose.ACCESS_NEEDS)
    if request.method == "POST":
        form = ApplicationForm(
            request.POST,
            needs_consent=needs_consent,
            consent_text=consent_text,
            asks_access_consent=asks_access_consent,
        )
        if form.is_valid():
            made = {}

            def apply():
                application, made["now"] = services.application_submit(
                    panel=panel,
                    applicant=user,
                    statement=form.cleaned_data["statement"],
                    access_needs=form.cleaned_data["access_needs"],
                    access_needs_other=form.cleaned_data["access_needs_other"],
                    interpreter_language=form.cleaned_data["interpreter_language"],
                    agree_to_involvement=form.cleaned_data.get("agree_to_involvement", False),
                    agree_to_access_needs=form.cleaned_data.get("agree_to_access_needs", False),
                )
                return application

            try:
                submitted = submit_once(form=form, user=user, create=apply)
            except Refused as refusal:
                form.add_error(None, refusal.message)
            else:
                # A repeat of this same form is thanked like the first post.
                if made.get("now") or submitted.repeated:
                    messages.success(
                        request,
                        "Your application has been sent. We have emailed you to confirm, and "
                        "we will email you again with the decision.",
                    )
                else:
                    messages.info(
                        request, "You had already applied to this panel. Here is your application."
                    )
                return redirect("coproduce:panel_application", slug=panel.slug)
    else:
        form = ApplicationForm(
            initial={
                "access_needs": profile.access_needs,
                "access_needs_other": profile.access_needs_other,
                "interpreter_language": profile.interpreter_language,
            },
            needs_consent=needs_consent,
            consent_text=consent_text,
            asks_access_consent=asks_access_consent,
        )
    return render(
        request,
        "coproduce/panels/apply.html",
        {"panel": panel, "form": form, "needs_consent": needs_consent},
    )


@login_required
@require_GET
def panel_application(request, slug):
    panel, refusal = _member_panel(request, slug)
    if refusal:
        return refusal
    application = selectors.application_of(request.user, panel)
    if application is None:
        raise Http404
    return render(
        request,
        "coproduce/panels/application.html",
        {
            "panel": panel,
            "application": application,
            "can_withdraw": application.status in services.WITHDRAWABLE,
            "can_apply_again": application.status == application.Status.WITHDRAWN
            and selectors.panel_is_open_for_applications(panel),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def panel_application_withdraw(request, slug):
    """Ask "are you sure?" first: withdrawing by accident would be upsetting."""
    panel, refusal = _member_panel(request, slug)
    if refusal:
        return refusal
    application = selectors.application_of(request.user, panel)
    if application is None:
        raise Http404
    if request.method == "POST":
        try:
            services.application_withdraw(application=application, user=request.user)
        except Refused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, "You have withdrawn your application.")
        return redirect("coproduce:panel_application", slug=panel.slug)
    if application.status not in services.WITHDRAWABLE:
        return redirect("coproduce:panel_application", slug=panel.slug)
    return render(
        request,
        "coproduce/panels/withdraw.html",
        {"panel": panel, "application": application},
    )


urlpatterns = [
    path("panels/", panel_list, name="panel_list"),
    path("panels/<slug:slug>/", panel_detail, name="panel_detail"),
    path("panels/<slug:slug>/apply/", panel_apply, name="panel_apply"),
    path("panels/<slug:slug>/your-application/", panel_application, name="panel_application"),
    path(
        "panels/<slug:slug>/your-application/withdraw/",
        panel_application_withdraw,
        name="panel_application_withdraw",
    ),
]
