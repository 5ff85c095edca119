"""Feedback on offers on the site: the form anyone may fill in (with or without an
account, or a peer worker for someone they support), the thank-you page, every published
comment on an offer, and a person's own feedback with what became of it.

People without an account leave nothing that identifies them; a hidden field and
allauth's rate limiter keep software and floods out, and a person sent away by the limit
keeps everything they typed.
"""

import ipaddress

from allauth import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.http import require_GET, require_http_methods

from cms import params
from cms.middleware import public_page
from cms.page_cache import LONG
from cms.permissions import can, require
from cms.submissions import submit_once

from ..forms.feedback import FeedbackForm
from ..models import Theme
from ..selectors import feedback as selectors
from ..services import Refused
from ..services import feedback as services

PAGE_SIZE = 10
RATE_LIMIT_ACTION = "feedback"
TOO_MANY = (
    "A lot of feedback has been sent from your connection in a short time, so we cannot take "
    "this now. Please wait 10 minutes, then send it again. What you wrote is still here."
)


def _connection(request) -> str:
    """The person's connection, for the flood limit, as a keyed hash of their address (an
    IPv6 address by its network, as allauth counts them). The limit must tell connections
    apart, not know them: not even its counters, kept for an hour, hold an address."""
    address = get_adapter().get_client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        pass
    else:
        if ip.version == 6:
            prefix = allauth_settings.RATE_LIMIT_IPV6_PREFIX
            address = str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
    return salted_hmac("coproduce.feedback.rate_limit", address).hexdigest()


def _may_send(request) -> bool:
    """Within the limit of feedback from one connection (ACCOUNT_RATE_LIMITS["feedback"])."""
    return bool(ratelimit.consume(request, action=RATE_LIMIT_ACTION, key=_connection(request)))


def _form_page(request, offer, form, *, status=200):
    return render(
        request,
        "coproduce/feedback/give.html",
        {"offer": offer, "form": form, "on_behalf_allowed": "on_behalf" in form.fields},
        status=status,
    )


@public_page
@require_http_methods(["GET", "POST"])
def feedback_give(request, offer_id):
    offer = selectors.offer_for_feedback(offer_id)
    require(request.user, "coproduce.give_feedback", offer)
    signed_in = request.user.is_authenticated
    form_kwargs = {
        "themes": Theme.objects.all(),
        "on_behalf_allowed": can(request.user, "coproduce.give_feedback_on_behalf"),
        "signed_in": signed_in,
    }
    if request.method == "GET":
        return _form_page(request, offer, FeedbackForm(**form_kwargs))
    form = FeedbackForm(request.POST, **form_kwargs)
    if form.is_from_software:
        # Thanked like anyone, so the software learns nothing; kept nowhere.
        _may_send(request)
        return redirect("coproduce:feedback_thanks", offer_id=offer.pk)
    if not form.is_valid():
        return _form_page(request, offer, form, status=400)
    # Only feedback without an account is limited: an account is already accountable, and
    # a peer worker may write down several people's feedback at a drop-in.
    if not signed_in and not _may_send(request):
        form.add_error(None, TOO_MANY)
        return _form_page(request, offer, form, status=429)
    values = form.cleaned_data
    on_behalf = values.get("on_behalf") == "other"
    try:
        submit_once(
            form=form,
            user=request.user,
            create=lambda: services.feedback_give(
                offer=offer,
                user=request.user,
                went_well=values["went_well"],
                could_be_better=values["could_be_better"],
                rating=values["rating"],
                felt_listened_to=values["felt_listened_to"],
                themes=values["themes"],
                consent_to_publish=values["consent_to_publish"],
                on_behalf=on_behalf,
            ),
        )
    except Refused as refusal:
        form.add_error(None, refusal.message)
        return _form_page(request, offer, form, status=400)
    thanks = reverse("coproduce:feedback_thanks", kwargs={"offer_id": offer.pk})
    return redirect(f"{thanks}?for=someone-else" if on_behalf else thanks)


@public_page(cache_for=LONG)
@require_GET
def feedback_thanks(request, offer_id):
    offer = selectors.offer_for_feedback(offer_id)
    require(request.user, "coproduce.give_feedback", offer)
    on_behalf_allowed = can(request.user, "coproduce.give_feedback_on_behalf")
    for_someone_else = params.choice_param(request, "for", ["someone-else"]) == "someone-else"
    return render(
        request,
        "coproduce/feedback/thanks.html",
        {
            "offer": offer,
            "on_behalf_allowed": on_behalf_allowed,
            # Only changes the words: what was written down for someone is not theirs to
            # follow in "Your feedback".
            "for_someone_else": on_behalf_allowed and for_someone_else,
        },
    )


@public_page(cache_for=LONG)
@require_GET
def feedback_on_offer(request, offer_id):
    """Every published comment on an offer, newest first, with the ratings."""
    offer = selectors.offer_for_feedback(offer_id)
    require(request.user, "coproduce.read_published_feedback", offer)
    page = params.paginate(request, selectors.published_on(offer), PAGE_SIZE)
    return render(
        request,
        "coproduce/feedback/offer_all.html",
        {"offer": offer, "ratings": selectors.offer_ratings(offer), "page_obj": page},
    )


@login_required
@require_GET
def feedback_mine(request):
    """The person's own feedback, with its status, any response and the change it led to."""
    require(request.user, "coproduce.list_own_feedback")
    page = params.paginate(request, selectors.feedback_of(request.user), PAGE_SIZE)
    return render(request, "coproduce/feedback/mine.html", {"page_obj": page})


urlpatterns = [
    path("feedback/offers/<int:offer_id>/", feedback_give, name="feedback_give"),
    path("feedback/offers/<int:offer_id>/thank-you/", feedback_thanks, name="feedback_thanks"),
    path(
        "feedback/offers/<int:offer_id>/what-people-said/",
        feedback_on_offer,
        name="feedback_on_offer",
    ),
    path("feedback/yours/", feedback_mine, name="feedback_mine"),
]
