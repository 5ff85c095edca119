"""The site shell's Wagtail admin: organisations, users, audit actions, worker status."""

from django.template.loader import render_to_string
from wagtail import hooks
from wagtail.admin.ui.components import Component

from . import audit, permissions, worker
from .viewsets import OrganisationViewSet


@hooks.register("register_admin_viewset")
def register_organisation_viewset():
    return OrganisationViewSet("organisations")


@hooks.register("register_log_actions")
def register_audit_actions(actions):
    for action, (label, message) in audit.ACTIONS.items():
        actions.register_action(action, label, message)


class WorkerStatusPanel(Component):
    """Tells administrators whether the background worker is running."""

    name = "worker_status"
    order = 50

    def __init__(self, status):
        self.status = status

    def render_html(self, parent_context=None):
        return render_to_string("cms/admin/worker_status_panel.html", {"status": self.status})


@hooks.register("construct_homepage_panels")
def add_worker_status_panel(request, panels):
    if permissions.can(request.user, "cms.view_worker_status"):
        panels.append(WorkerStatusPanel(worker.worker_status()))


@hooks.register("construct_my_space_panels")
def add_shell_panels(request, panels):
    from .myspace_panels import AccountPanel, GettingStartedPanel, StaffToolsPanel

    panels.extend([GettingStartedPanel(), StaffToolsPanel(), AccountPanel()])
