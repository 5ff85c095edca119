"""My space panel for panel members: the "You said, we did" changes their panel worked on
that wait for them to read and answer before they are published.

It reads a fixed number of queries however many changes and members there are.
"""

from cms.myspace import MySpacePanel
from cms.permissions import has_role
from cms.roles import Role

from ..services.sign_off import sign_off_requests_for
from .person import person_of

SHOWN = 10


class SignOffPanel(MySpacePanel):
    """Changes for the member to sign off, those still waiting for their answer first."""

    name = "sign_off"
    heading = "Changes for you to sign off"
    order = 22
    template_name = "coproduce/sign_off/myspace.html"

    def is_shown(self, request) -> bool:
        if not has_role(request.user, Role.MEMBER):
            return False
        # Fetched once here and kept for the render: the panel shows only when there is
        # something to sign off, so members with nothing waiting see no empty box.
        self._requests = _requests(request)
        return bool(self._requests)

    def get_context_data(self, request) -> dict:
        requests = getattr(self, "_requests", None)
        if requests is None:
            requests = _requests(request)
        return {
            "requests": requests[:SHOWN],
            "more": max(len(requests) - SHOWN, 0),
            "waiting": sum(1 for item in requests if item.answer is None),
        }


def _requests(request):
    return sign_off_requests_for(request.user, panels=person_of(request.user).accepted_panels)


def add_sign_off_panels(request, panels):
    panels.append(SignOffPanel())
