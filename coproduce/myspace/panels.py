"""My space panels for a member's involvement: their profile and consent at a glance, and
their panel applications with each decision (or, before any, the panels recruiting now)."""

from cms.myspace import MySpacePanel
from cms.permissions import can

from ..selectors import panels as selectors
from .person import APPLICATIONS_SHOWN, person_of

RECRUITING_SHOWN = 3


class InvolvementPanel(MySpacePanel):
    """Whether the member's profile is made, and where they stand with each consent."""

    name = "involvement"
    heading = "Your involvement"
    order = 20
    template_name = "coproduce/myspace/panels_involvement.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "coproduce.keep_profile")

    def get_context_data(self, request) -> dict:
        return {
            "profile": person_of(request.user).profile,
            "consents": selectors.consent_states(request.user),
        }


class ApplicationsPanel(MySpacePanel):
    """The member's latest applications with their status and the lead's note; with none
    yet, a few panels they could apply to."""

    name = "panel_applications"
    heading = "Your panel applications"
    order = 30
    template_name = "coproduce/myspace/panels_applications.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "coproduce.keep_profile")

    def get_context_data(self, request) -> dict:
        # One more than is shown is read, to know whether to offer "see all" without counting.
        applications = person_of(request.user).latest_applications
        recruiting = (
            []
            if applications
            else list(selectors.panels_recruiting(request.user)[: RECRUITING_SHOWN + 1])
        )
        return {
            "applications": applications[:APPLICATIONS_SHOWN],
            "more_applications": len(applications) > APPLICATIONS_SHOWN,
            "recruiting": recruiting[:RECRUITING_SHOWN],
            "more_recruiting": len(recruiting) > RECRUITING_SHOWN,
        }


def add_involvement_panels(request, panels):
    panels.extend([InvolvementPanel(), ApplicationsPanel()])
