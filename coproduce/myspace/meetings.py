"""My space panels for meetings: a member's next few meetings, with their reply and buttons
to give or change it, and for leads the coming meetings where the access need of a member
who may come is not booked yet (or a booking is no longer needed).

Each panel reads a fixed number of rows with a fixed number of queries, so My space costs
the same with 3 meetings or 30.
"""

from django.urls import reverse
from django.utils import timezone

from cms.myspace import MySpacePanel
from cms.permissions import can, has_role
from cms.roles import Role

from ..calendar import meeting_when
from ..models import MeetingReply
from ..selectors import meetings as selectors
from ..services.meetings import meeting_reply_refusal
from .person import person_of

NEXT_MEETINGS_SHOWN = 3
MEETINGS_NEEDING_ACCESS_SHOWN = 5


class NextMeetingsPanel(MySpacePanel):
    """For members on a panel: their next meetings, each linking to its page, with their
    answer and a button for each answer (one click, changed until the meeting starts)."""

    name = "next_meetings"
    heading = "Your next meetings"
    order = 25
    template_name = "coproduce/myspace/meetings_next.html"

    def is_shown(self, request) -> bool:
        user = request.user
        # Members not on a panel yet have nothing to meet about: the applications panel
        # speaks to them instead.
        return (
            has_role(user, Role.MEMBER)
            and can(user, "coproduce.view_meetings")
            and bool(person_of(user).accepted_panels)
        )

    def get_context_data(self, request) -> dict:
        now = timezone.now()
        meetings = selectors.meetings_next(request.user, now=now, limit=NEXT_MEETINGS_SHOWN)
        for meeting in meetings:
            meeting.when_text = meeting_when(meeting)
            meeting.replies_open = meeting_reply_refusal(meeting, now=now) is None
        return {
            "meetings": meetings,
            "answers": MeetingReply.Answer.choices,
            "list_url": reverse("coproduce:meeting_list"),
        }


class AccessToBookPanel(MySpacePanel):
    """For leads: coming meetings with a member's access need still to book."""

    name = "meetings_access"
    heading = "Access needs to book"
    order = 55
    template_name = "coproduce/myspace/meetings_access.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "coproduce.manage_panels")

    def get_context_data(self, request) -> dict:
        items = selectors.meetings_with_unbooked_needs(
            request.user, now=timezone.now(), limit=MEETINGS_NEEDING_ACCESS_SHOWN
        )
        return {
            "items": [
                {
                    "meeting": item.meeting,
                    "when": meeting_when(item.meeting),
                    "needs": item.unsettled,
                    "unneeded": item.unneeded,
                    "url": reverse("meetings:access", args=[item.meeting.pk]),
                }
                for item in items
            ],
            "meetings_url": reverse("meetings:index") + "?when=upcoming",
        }


def add_meeting_panels(request, panels):
    panels.extend([NextMeetingsPanel(), AccessToBookPanel()])
