"""My space panels for supervision: a supervisor's supervisees who are overdue or due soon,
a worker's next supervision and open actions, and HR's compliance figure.

Each panel costs a fixed number of queries whatever the number of workers or records.
"""

from django.utils import timezone

from cms.myspace import MySpacePanel
from cms.permissions import can, has_role
from cms.roles import Role

from ..rules import worker_of
from ..selectors import supervision as selectors

LISTED = 5


class SuperviseesDuePanel(MySpacePanel):
    """For supervisors: whose supervision is overdue or due within a week."""

    name = "supervision_due"
    heading = "Supervision due"
    order = 22
    template_name = "peers/myspace/supervision_due.html"

    def is_shown(self, request) -> bool:
        return has_role(request.user, Role.SUPERVISOR)

    def get_context_data(self, request) -> dict:
        statuses = selectors.supervisee_statuses(request.user, as_of=timezone.localdate())
        needing = [s for s in statuses if s.state in ("overdue", "due_soon")]
        return {
            "supervisee_count": len(statuses),
            "needing": needing[:LISTED],
            "more": max(len(needing) - LISTED, 0),
            "overdue": sum(s.state == "overdue" for s in statuses),
            "due_soon": sum(s.state == "due_soon" for s in statuses),
        }


class YourSupervisionPanel(MySpacePanel):
    """For peer workers: when their next supervision is due and what they agreed to do."""

    name = "supervision_yours"
    heading = "Your supervision"
    order = 32
    template_name = "peers/myspace/supervision_yours.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "peers.view_practice", worker_of(request.user))

    def counts(self, request) -> dict:
        return {"open_actions": selectors.open_actions_of(worker_of(request.user))}

    def values(self, request) -> dict:
        worker = worker_of(request.user)
        return {"last_date": selectors.last_supervision_date(worker, as_of=timezone.localdate())}

    def get_context_data(self, request) -> dict:
        worker = worker_of(request.user)
        last_date = self.valued(request, "last_date")
        return {
            "status": selectors.status_of(worker, last_date, timezone.localdate()),
            "open_actions": list(selectors.open_actions_of(worker)[:3]),
            "open_action_count": self.counted(request, "open_actions"),
        }


class SupervisionCompliancePanel(MySpacePanel):
    """For HR: the share of their organisation's active workers supervised in time."""

    name = "supervision_compliance"
    heading = "Supervision compliance"
    order = 72
    template_name = "peers/myspace/supervision_compliance.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "peers.view_aggregates")

    def get_context_data(self, request) -> dict:
        compliance = selectors.compliance_for(request.user, as_of=timezone.localdate())
        return {"total": compliance.total}


def add_supervision_panels(request, panels):
    panels.extend([SuperviseesDuePanel(), YourSupervisionPanel(), SupervisionCompliancePanel()])
