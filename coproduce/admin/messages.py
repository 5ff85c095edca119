"""The staff side of members' messages, in the Wagtail admin: an inbox, a conversation's
page where staff read and answer it, and closing it.

Leads see the conversations sent to "the panel's lead" of panels they facilitate, finance
the conversations sent to finance of their organisation, admins all of them (the rule is
``coproduce.rules.conversations_answered_by``). Waiting-for-you comes first, on the inbox
and on the admin home. Opening a member's conversation is written to the audit log, as
opening their claim is.
"""

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.admin_home import Row, Section, WorkPanel, counted, first_and_count
from cms.audit import audit_view
from cms.dates import day_in_words
from cms.params import choice_param, paginate
from cms.permissions import can, why_not
from cms.submissions import submit_once

from ..forms.messages import CloseConversationForm, MessageAnswerForm
from ..services import Refused
from ..services import messages as services

PAGE_SIZE = 20
READ_REASON = "Panel lead or finance read a member's messages"


def _thread_url(conversation) -> str:
    return reverse("staff_message_thread", args=[conversation.pk])


class _StaffMessagesView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "coproduce.answer_messages"):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)


class InboxView(_StaffMessagesView):
    """Members' messages to the person: waiting for an answer first."""

    template_name = "coproduce/admin/messages/inbox.html"
    page_title = "Messages from members"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        showing = choice_param(self.request, "showing", services.SHOWING)
        page = paginate(
            self.request, services.conversations_for_staff(user, showing=showing), PAGE_SIZE
        )
        for conversation in page:
            conversation.member_name = services.member_name(conversation.member)
            conversation.about = services.about_in_words(conversation)
        context.update(
            page_obj=page,
            showing=showing,
            tabs=[("", "All")] + list(services.SHOWING.items()),
            waiting_count=services.waiting_for_staff(user).count(),
        )
        return context


class _ConversationView(_StaffMessagesView):
    def dispatch(self, request, pk, *args, **kwargs):
        if not can(request.user, "coproduce.answer_messages"):
            return permission_denied(request)
        self.conversation = get_object_or_404(services.conversations_for_staff(request.user), pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("staff_messages"), "label": "Messages from members"},
            {"url": "", "label": self.conversation.subject},
        ]


class ThreadView(_ConversationView):
    """One conversation: every message, what it is about, the answer form."""

    template_name = "coproduce/admin/messages/thread.html"
    page_title = "Message from a member"

    def get_page_subtitle(self):
        return self.conversation.subject

    def get(self, request, *args, **kwargs):
        audit_view(user=request.user, instance=self.conversation, reason=READ_REASON)
        services.conversation_mark_read(conversation=self.conversation, user=request.user)
        return self.render_to_response(self.get_context_data(form=MessageAnswerForm()))

    def post(self, request, *args, **kwargs):
        form = MessageAnswerForm(request.POST)
        if form.is_valid():
            try:
                submit_once(
                    form=form,
                    user=request.user,
                    create=lambda: services.conversation_answer(
                        conversation=self.conversation,
                        user=request.user,
                        body=form.cleaned_data["body"],
                        close=form.cleaned_data["close"],
                    ),
                )
            except Refused as refusal:
                form.add_error(refusal.field, refusal.message)
            else:
                name = services.member_name(self.conversation.member)
                messages.success(
                    request,
                    f"Your answer has been sent. {name} has been told there is a reply."
                    + (" The conversation is closed." if form.cleaned_data["close"] else ""),
                )
                return HttpResponseRedirect(reverse("staff_messages"))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        conversation = self.conversation
        user = self.request.user
        claim, meeting = conversation.claim, conversation.meeting
        context.update(
            conversation=conversation,
            member_name=services.member_name(conversation.member),
            about=services.about_in_words(conversation),
            thread=services.thread(conversation),
            claim_url=reverse("claims:inspect", args=[claim.pk])
            if claim is not None and can(user, "coproduce.view_claim", claim)
            else "",
            meeting_url=reverse("meetings:inspect", args=[meeting.pk])
            if meeting is not None and can(user, "coproduce.manage_meeting", meeting)
            else "",
            may_answer=can(user, "coproduce.answer_conversation", conversation),
            answer_refusal=why_not(user, "coproduce.answer_conversation", conversation),
            may_close=can(user, "coproduce.close_conversation", conversation),
        )
        return context


class CloseView(_ConversationView):
    """Close a conversation when nothing more is needed (the member can still reply)."""

    template_name = "coproduce/admin/messages/close.html"
    page_title = "Close conversation"

    def get(self, request, *args, **kwargs):
        if refusal := why_not(request.user, "coproduce.close_conversation", self.conversation):
            messages.warning(request, refusal)
            return HttpResponseRedirect(_thread_url(self.conversation))
        return self.render_to_response(self.get_context_data(form=CloseConversationForm()))

    def post(self, request, *args, **kwargs):
        try:
            services.conversation_close(conversation=self.conversation, user=request.user)
        except Refused as refusal:
            messages.warning(request, refusal.message)
            return HttpResponseRedirect(_thread_url(self.conversation))
        messages.success(request, f"Closed: {self.conversation.subject}.")
        return HttpResponseRedirect(reverse("staff_messages"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            conversation=self.conversation,
            member_name=services.member_name(self.conversation.member),
            back_url=_thread_url(self.conversation),
        )
        return context


def register_staff_messages_urls():
    return [
        path("messages/", InboxView.as_view(), name="staff_messages"),
        path("messages/<int:pk>/", ThreadView.as_view(), name="staff_message_thread"),
        path("messages/<int:pk>/close/", CloseView.as_view(), name="staff_message_close"),
    ]


class MessagesMenuItem(MenuItem):
    """Shown to those who answer members' messages."""

    def is_shown(self, request):
        return can(request.user, "coproduce.answer_messages")


def register_staff_messages_menu_item():
    return MessagesMenuItem("Messages", reverse("staff_messages"), icon_name="mail", order=240)


# --- The admin home --------------------------------------------------------------------------


def messages_section(user) -> Section:
    first, count = first_and_count(services.waiting_for_staff(user))
    return Section(
        heading="Messages from members",
        count=count,
        count_text=counted(count, "message is", "messages are") + " waiting for your answer",
        none_text="No messages are waiting for your answer.",
        list_url=reverse("staff_messages") + "?showing=waiting",
        list_text="See all messages waiting",
        rows=[
            Row(
                title=f"{services.member_name(conversation.member)}: {conversation.subject}",
                detail=f"About {services.about_in_words(conversation)}, waiting since "
                f"{day_in_words(conversation.last_message_at)}",
                url=_thread_url(conversation),
            )
            for conversation in first
        ],
    )


def add_messages_home_panel(request, panels):
    """``construct_homepage_panels``: the messages waiting, for those who answer them."""
    if can(request.user, "coproduce.answer_messages"):
        panels.append(
            WorkPanel(
                name="messages_work",
                heading="Messages",
                order=19,
                sections=[messages_section(request.user)],
            )
        )
