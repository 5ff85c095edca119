"""My space panel for messages: how many of a member's conversations have a reply they
have not read, their latest conversations, and the way to all of them. Staff who answer
members' messages see how many wait for them, with the way to the admin inbox.

Each panel costs the same few queries with 3 conversations or 300.
"""

from django.urls import reverse

from cms.myspace import MySpacePanel
from cms.permissions import can

from ..services import messages as services

LATEST_SHOWN = 3


class YourMessagesPanel(MySpacePanel):
    """A member's messages to the panel's lead or finance, and the replies."""

    name = "your_messages"
    heading = "Your messages"
    order = 45
    template_name = "coproduce/messages/myspace_yours.html"

    def is_shown(self, request) -> bool:
        # Shown once there is a conversation: the way to write one is on a claim or meeting.
        return can(request.user, "coproduce.list_own_conversations") and bool(self._latest(request))

    def _latest(self, request) -> list:
        return self._read(request)[0]

    def _read(self, request) -> tuple[list, int]:
        # Read once for the check and the render: the latest few and the unread count.
        if not hasattr(request, "_your_messages"):
            request._your_messages = services.member_latest_conversations(
                request.user, limit=LATEST_SHOWN
            )
        return request._your_messages

    def get_context_data(self, request) -> dict:
        latest, unread = self._read(request)
        return {"latest": latest, "unread": unread}


class MessagesToAnswerPanel(MySpacePanel):
    """For leads and finance: how many members' messages wait for their answer."""

    name = "messages_to_answer"
    heading = "Messages from members"
    order = 59
    template_name = "coproduce/messages/myspace_to_answer.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "coproduce.answer_messages")

    def counts(self, request) -> dict:
        return {"waiting": services.waiting_for_staff(request.user)}

    def get_context_data(self, request) -> dict:
        return {
            "count": self.counted(request, "waiting"),
            "url": reverse("staff_messages") + "?showing=waiting",
        }


def add_message_panels(request, panels):
    panels.extend([YourMessagesPanel(), MessagesToAnswerPanel()])
