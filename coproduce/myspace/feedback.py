"""My space panels for feedback: a person's own feedback with where it stands and any
reply, and, for leads, how much new feedback waits to be read.

Each panel fetches a fixed number of rows and counts, so My space costs the same queries
with 3 pieces of feedback or 300; the offers directory it links to is kept per process for the
page cache's generation (cms/page_cache.py), as the site's header is.
"""

from django.urls import reverse

from cms import page_cache
from cms.myspace import MySpacePanel
from cms.permissions import can, has_role
from cms.roles import Role

from ..models import Feedback
from ..selectors import feedback as selectors

LATEST = 3


class YourFeedbackPanel(MySpacePanel):
    """Members' and peer workers' own feedback (the latest few, their status and reply),
    and the way to give more."""

    name = "your_feedback"
    heading = "Your feedback"
    order = 45
    template_name = "coproduce/myspace/feedback_yours.html"

    def is_shown(self, request) -> bool:
        return has_role(request.user, Role.MEMBER, Role.PEER_WORKER) and can(
            request.user, "coproduce.list_own_feedback"
        )

    def get_context_data(self, request) -> dict:
        latest = list(selectors.feedback_of(request.user)[: LATEST + 1])
        return {
            "latest": latest[:LATEST],
            "more": len(latest) > LATEST,
            # Where to find an offer changes only when pages do: kept for the generation.
            "directory": page_cache.for_generation.get(
                ("my-space-directory",), selectors.directory
            ),
        }


class FeedbackToReadPanel(MySpacePanel):
    """For leads: how much new feedback on their organisation's offers waits to be read."""

    name = "feedback_to_read"
    heading = "New feedback"
    order = 62
    template_name = "coproduce/myspace/feedback_to_read.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "coproduce.moderate_feedback")

    def counts(self, request) -> dict:
        # What ``selectors.new_feedback_count`` counts, counted with the page's other numbers.
        return {
            "new": selectors.feedback_moderated_by(request.user).filter(status=Feedback.Status.NEW)
        }

    def get_context_data(self, request) -> dict:
        return {
            "count": self.counted(request, "new"),
            "url": reverse("feedback:index") + "?status=new",
            "trends_url": reverse("feedback_trends:index"),
        }


def add_feedback_panels(request, panels):
    panels.extend([YourFeedbackPanel(), FeedbackToReadPanel()])
