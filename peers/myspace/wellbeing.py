"""My space panel for wellbeing: the worker's own way in to a check-in. It shows when they
last checked in, never a score (My space may be open on a shared screen)."""

from cms.myspace import MySpacePanel
from cms.permissions import can

from ..selectors import wellbeing as selectors


class WellbeingPanel(MySpacePanel):
    name = "wellbeing"
    heading = "Your wellbeing"
    order = 34
    template_name = "peers/myspace/wellbeing.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "peers.check_in")

    def values(self, request) -> dict:
        return {
            "latest": selectors.own_check_ins(request.user).values_list("completed_at", flat=True)
        }

    def get_context_data(self, request) -> dict:
        return {"latest_at": self.valued(request, "latest")}


def add_wellbeing_panel(request, panels):
    panels.append(WellbeingPanel())
