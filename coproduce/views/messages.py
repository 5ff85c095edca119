"""Front-end views for a member's messages to the panel's lead or finance: writing one
from a claim or a meeting, the list of their conversations, and one conversation with its
replies, where they write again.

A member reaches only their own conversations (anyone else's, or a guessed id, is a 404,
like one that does not exist); staff read and answer in the Wagtail admin
(``coproduce.admin.messages``). Claims and meetings are found through their own
``visible_to`` lists before the rule for writing about them is asked.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cms.params import paginate
from cms.permissions import require
from cms.submissions import submit_once

from ..forms.messages import MessageForm, MessageReplyForm
from ..models import Conversation
from ..selectors import claims as claim_selectors
from ..selectors import meetings as meeting_selectors
from ..services import Refused
from ..services import messages as services

PAGE_SIZE = 10
To = Conversation.To


@login_required
@require_GET
def message_list(request):
    require(request.user, "coproduce.list_own_conversations")
    page = paginate(request, services.conversations_of_member(request.user), PAGE_SIZE)
    return render(request, "coproduce/messages/list.html", {"page_obj": page})


def _conversation_of(request, pk) -> Conversation:
    return get_object_or_404(services.conversations_of_member(request.user), pk=pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def message_thread(request, pk):
    conversation = _conversation_of(request, pk)
    if request.method == "POST":
        form = MessageReplyForm(request.POST)
        if form.is_valid():
            try:
                submit_once(
                    form=form,
                    user=request.user,
                    create=lambda: services.conversation_reply(
                        conversation=conversation,
                        member=request.user,
                        body=form.cleaned_data["body"],
                    ),
                )
            except Refused as refusal:
                form.add_error(refusal.field, refusal.message)
            else:
                messages.success(
                    request, "Your reply has been sent. We will tell you when they answer."
                )
                return redirect("coproduce:message_thread", pk=conversation.pk)
    else:
        form = MessageReplyForm()
        services.conversation_mark_read(conversation=conversation, user=request.user)
    return render(
        request,
        "coproduce/messages/thread.html",
        {
            "conversation": conversation,
            "thread": services.thread(conversation),
            "about": services.about_in_words(conversation),
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


def _write(request, *, to: str, claim=None, meeting=None):
    """The page for a new message about ``claim`` or ``meeting`` to ``to``."""
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                conversation = submit_once(
                    form=form,
                    user=request.user,
                    create=lambda: services.conversation_start(
                        member=request.user,
                        to=to,
                        subject=form.cleaned_data["subject"],
                        body=form.cleaned_data["body"],
                        claim=claim,
                        meeting=meeting,
                    ),
                ).record
            except Refused as refusal:
                form.add_error(refusal.field, refusal.message)
            else:
                if conversation is None:
                    return redirect("coproduce:message_list")
                messages.success(
                    request,
                    "Your message has been sent. We will tell you when there is a reply.",
                )
                return redirect("coproduce:message_thread", pk=conversation.pk)
    else:
        form = MessageForm(
            initial={"subject": services.default_subject(claim=claim, meeting=meeting)}
        )
    earlier = services.conversations_of_member(request.user).filter(
        closed_at__isnull=True, to=to, **({"claim": claim} if claim else {"meeting": meeting})
    )[:3]
    recipient = next(
        contact
        for contact in services.contacts_for(user=request.user, claim=claim, meeting=meeting)
        if contact.to == to
    )
    return render(
        request,
        "coproduce/messages/write.html",
        {
            "form": form,
            "claim": claim,
            "meeting": meeting,
            "recipient": recipient,
            "to_finance": to == To.FINANCE,
            "earlier": list(earlier),
        },
        status=400 if form.is_bound else 200,
    )


def _claim_to_write_about(request, pk):
    claim = get_object_or_404(claim_selectors.claims_visible_to(request.user), pk=pk)
    require(request.user, "coproduce.message_about_claim", claim)
    return claim


@login_required
@require_http_methods(["GET", "POST"])
def claim_message_lead(request, pk):
    return _write(request, to=To.LEAD, claim=_claim_to_write_about(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def claim_message_finance(request, pk):
    return _write(request, to=To.FINANCE, claim=_claim_to_write_about(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_message(request, pk):
    meeting = get_object_or_404(meeting_selectors.meetings_visible_to(request.user), pk=pk)
    require(request.user, "coproduce.message_about_meeting", meeting)
    return _write(request, to=To.LEAD, meeting=meeting)


urlpatterns = [
    path("messages/", message_list, name="message_list"),
    path("messages/<int:pk>/", message_thread, name="message_thread"),
    path("claims/<int:pk>/message/lead/", claim_message_lead, name="claim_message_lead"),
    path("claims/<int:pk>/message/finance/", claim_message_finance, name="claim_message_finance"),
    path("meetings/<int:pk>/message/", meeting_message, name="meeting_message"),
]
