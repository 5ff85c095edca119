"""A member's own involvement pages: their profile, their private answers, their consent
choices, their applications and a download of everything we keep about their involvement.

Each page is the signed-in member's own: there is no record id in any address, so nobody
can ask for someone else's. People without the member role get a page that says why.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from cms.permissions import can
from cms.submissions import submit_once

from ..consent import ConsentPurpose
from ..forms.profiles import ConsentChoiceForm, EqualityForm, ProfileForm
from ..selectors import panels as selectors
from ..services import Refused
from ..services import profiles as services

APPLICATIONS_PAGE_SIZE = 20


def not_a_member(request, *, doing: str):
    """The kind refusal for people signed in without the member role."""
    return render(request, "coproduce/profiles/not_a_member.html", {"doing": doing}, status=403)


def safe_next(request, default: str) -> str:
    """Where to go after a form: the ``next`` it was given if it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@login_required
@require_GET
def involvement(request):
    if not can(request.user, "coproduce.keep_profile"):
        return not_a_member(request, doing="keep an involvement profile")
    profile = selectors.profile_of(request.user)
    consents = selectors.consent_states(request.user)
    access_consent = _state(consents, ConsentPurpose.ACCESS_NEEDS)
    return render(
        request,
        "coproduce/profiles/involvement.html",
        {
            "profile": profile,
            "consents": consents,
            "equality_consent": _state(consents, ConsentPurpose.EQUALITY).is_current,
            "access_consent": access_consent,
            # Needs kept before today's wording was agreed to: ask again on every visit.
            "ask_about_access_needs": profile is not None
            and not access_consent.is_current
            and any(getattr(profile, name) for name in services.ACCESS_NEEDS_FIELDS),
        },
    )


def _state(consents, purpose: ConsentPurpose):
    return next(state for state in consents if state.purpose == purpose)


def _profile_initial(request, profile) -> dict:
    if profile is None:
        return {
            "display_name": request.user.first_name,
            "contact_preference": "email",
            "payment_choice": "paid",
        }
    return {
        "display_name": profile.display_name,
        "pronouns": profile.pronouns,
        "contact_preference": profile.contact_preference,
        "phone": profile.phone,
        "access_needs": profile.access_needs,
        "access_needs_other": profile.access_needs_other,
        "interpreter_language": profile.interpreter_language,
        "payment_choice": profile.payment_choice,
    }


@login_required
@require_http_methods(["GET", "POST"])
def involvement_edit(request):
    if not can(request.user, "coproduce.keep_profile"):
        return not_a_member(request, doing="keep an involvement profile")
    profile = selectors.profile_of(request.user)
    next_url = safe_next(request, reverse("coproduce:involvement"))
    access_consent = _state(selectors.consent_states(request.user), ConsentPurpose.ACCESS_NEEDS)
    asks = not access_consent.is_current
    if request.method == "POST":
        form = ProfileForm(request.POST, asks_access_consent=asks)
        if form.is_valid():
            try:
                submit_once(
                    form=form,
                    user=request.user,
                    create=lambda: services.profile_save(user=request.user, **form.cleaned_data),
                )
            except Refused as refusal:
                form.add_error(None, refusal.message)
            else:
                profile = selectors.profile_of(request.user)
                if not _access_needs_held_back(form, profile):
                    messages.success(request, "Your involvement profile is saved.")
                    return redirect(next_url)
                # The rest is saved; the page stays, with what they chose, so nothing they
                # typed is lost if they decide to agree after all.
                messages.info(request, ACCESS_NEEDS_NOT_KEPT)
    else:
        form = ProfileForm(initial=_profile_initial(request, profile), asks_access_consent=asks)
    return render(
        request,
        "coproduce/profiles/edit.html",
        {
            "form": form,
            "profile": profile,
            "next": next_url,
            "access_consent": access_consent,
        },
    )


ACCESS_NEEDS_NOT_KEPT = (
    "Your other details are saved, but not what would help you take part: we only keep that "
    "if you agree. To keep it, tick the box to agree and save again. If you would rather "
    "not tell us, that is fine: you do not need to do anything else."
)


def _access_needs_held_back(form, profile) -> bool:
    """Access needs were sent without the agreement, and differ from what we keep."""
    if not form.access_needs_not_agreed():
        return False
    if profile is None:
        return True
    kept = (
        frozenset(profile.access_needs),
        profile.access_needs_other.strip(),
        profile.interpreter_language.strip(),
    )
    return form.access_needs_sent() != kept


@login_required
@require_http_methods(["GET", "POST"])
def involvement_equality(request):
    """The private questions: only with a current equality consent, and only once the
    profile they are kept on exists."""
    if not can(request.user, "coproduce.keep_profile"):
        return not_a_member(request, doing="answer questions about yourself")
    profile = selectors.profile_of(request.user)
    if profile is None:
        messages.info(request, "First, tell us a little about how you would like to take part.")
        return redirect(
            f"{reverse('coproduce:involvement_edit')}?next={reverse('coproduce:involvement_equality')}"
        )
    consent = selectors.current_consent_record(request.user, ConsentPurpose.EQUALITY)
    if consent is None:
        return render(
            request,
            "coproduce/profiles/equality_consent.html",
            {
                "state": next(
                    s
                    for s in selectors.consent_states(request.user)
                    if s.purpose == ConsentPurpose.EQUALITY
                )
            },
        )
    if request.method == "POST":
        form = EqualityForm(request.POST)
        if form.is_valid():
            try:
                services.profile_set_equality_answers(user=request.user, **form.cleaned_data)
            except Refused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, "Your answers are saved. Thank you.")
                return redirect("coproduce:involvement")
    else:
        form = EqualityForm(
            initial={
                "lived_experience": profile.lived_experience,
                "communities": profile.communities,
            }
        )
    return render(
        request,
        "coproduce/profiles/equality.html",
        {"form": form, "consent": consent},
    )


CONSENT_MESSAGES = {
    ("give", ConsentPurpose.INVOLVEMENT): "Thank you. You have agreed to us keeping your "
    "details to involve you.",
    ("give", ConsentPurpose.EQUALITY): "Thank you. You have agreed to us using your answers "
    "in anonymous totals. You can answer the questions now.",
    ("withdraw", ConsentPurpose.INVOLVEMENT): "You have withdrawn your agreement to us keeping "
    "your details to involve you. You will not be able to apply to panels unless you agree "
    "again.",
    ("withdraw", ConsentPurpose.EQUALITY): "You have withdrawn your agreement. Your answers "
    "about lived experience and communities have been deleted.",
    ("give", ConsentPurpose.ACCESS_NEEDS): "Thank you. You have agreed to us keeping your "
    "access needs. You can tell us what would help you take part on your involvement "
    "profile.",
    ("withdraw", ConsentPurpose.ACCESS_NEEDS): "You have withdrawn your agreement. Your "
    "access needs have been deleted from your profile and from your panel applications.",
}


@login_required
@require_http_methods(["GET", "POST"])
def involvement_consent(request):
    if not can(request.user, "coproduce.keep_profile"):
        return not_a_member(request, doing="manage what you have agreed to")
    if request.method == "POST":
        form = ConsentChoiceForm(request.POST)
        if form.is_valid():
            purpose = ConsentPurpose(form.cleaned_data["purpose"])
            action = form.cleaned_data["action"]
            change = services.consent_give if action == "give" else services.consent_withdraw
            try:
                change(user=request.user, purpose=purpose)
            except Refused as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(request, CONSENT_MESSAGES[(action, purpose)])
            return redirect(safe_next(request, reverse("coproduce:involvement_consent")))
        messages.error(request, "Something went wrong with that button. Please try again.")
        return redirect("coproduce:involvement_consent")
    return render(
        request,
        "coproduce/profiles/consent.html",
        {"consents": selectors.consent_states(request.user)},
    )


@login_required
@require_GET
def involvement_applications(request):
    if not can(request.user, "coproduce.keep_profile"):
        return not_a_member(request, doing="apply to panels")
    page = Paginator(selectors.applications_of(request.user), APPLICATIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "coproduce/profiles/applications.html", {"page_obj": page})


@login_required
@require_GET
def involvement_download(request):
    """The old "download your involvement data" address: everyone's copy of all their data
    is now made on one page in My space."""
    return redirect("your_data")


urlpatterns = [
    path("involvement/", involvement, name="involvement"),
    path("involvement/profile/", involvement_edit, name="involvement_edit"),
    path("involvement/about-you/", involvement_equality, name="involvement_equality"),
    path("involvement/consent/", involvement_consent, name="involvement_consent"),
    path("involvement/applications/", involvement_applications, name="involvement_applications"),
    path("involvement/download/", involvement_download, name="involvement_download"),
]
