"""My space panels for session logs and safeguarding: a worker's quick-log panel with their
latest sessions; for supervisors, open safeguarding concerns at the very top until each is
acknowledged, and their supervisees' sessions this week.

Each panel fetches a fixed number of rows; a worker's counts and minutes are read with the
page's other numbers. My space costs the same queries with 3 sessions or 3,000.
"""

from cms.myspace import MySpacePanel
from cms.permissions import can

from ..rules import worker_of
from ..selectors import sessions as selectors


class SessionsPanel(MySpacePanel):
    """For peer workers: log a session (or repeat the last one) and see the latest."""

    name = "peer_sessions"
    heading = "Your sessions"
    order = 20
    template_name = "peers/myspace/sessions_worker.html"

    def is_shown(self, request) -> bool:
        return worker_of(request.user) is not None

    def counts(self, request) -> dict:
        worker = worker_of(request.user)
        return {
            "this_week": selectors.worker_sessions_this_week(request.user, worker),
            "open_concerns": selectors.worker_open_concerns(request.user, worker),
        }

    def values(self, request) -> dict:
        worker = worker_of(request.user)
        this_week = selectors.worker_sessions_this_week(request.user, worker)
        return {"minutes_this_week": selectors.minutes_of(this_week)}

    def get_context_data(self, request) -> dict:
        worker = worker_of(request.user)
        return {
            "summary": selectors.WorkerSessions(
                recent=selectors.worker_recent_sessions(request.user, worker),
                count_this_week=self.counted(request, "this_week"),
                minutes_this_week=self.valued(request, "minutes_this_week") or 0,
                open_concerns=self.counted(request, "open_concerns"),
            ),
            "can_log": can(request.user, "peers.log_sessions"),
        }


class ConcernsToAcknowledgePanel(MySpacePanel):
    """For supervisors: every open concern of their supervisees, first thing on the page."""

    name = "peer_concerns_open"
    heading = "Safeguarding concerns to acknowledge"
    order = 1
    template_name = "peers/myspace/sessions_concerns.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "peers.supervise")

    def counts(self, request) -> dict:
        return {"open": selectors.open_concerns_to_acknowledge(request.user)}

    def get_context_data(self, request) -> dict:
        return {
            "concerns": selectors.supervisor_open_concerns(
                request.user, open_count=self.counted(request, "open")
            )
        }


class SuperviseesSessionsPanel(MySpacePanel):
    """For supervisors: how many sessions each supervisee logged in the last 7 days."""

    name = "peer_supervisee_sessions"
    heading = "Your supervisees' sessions"
    order = 35
    template_name = "peers/myspace/sessions_supervisees.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "peers.supervise")

    def get_context_data(self, request) -> dict:
        return {"supervisees": selectors.supervisees_with_recent_sessions(request.user)}


def add_session_panels(request, panels):
    panels.extend([SessionsPanel(), ConcernsToAcknowledgePanel(), SuperviseesSessionsPanel()])
