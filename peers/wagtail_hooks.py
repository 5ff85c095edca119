"""Peer work's place in the shell: its site URLs, audit log actions, My space panels and
the HR admin views."""

from django.urls import include, path
from wagtail import hooks

from . import audit_actions
from .admin import recruitment as recruitment_admin  # noqa: F401
from .admin import workers as workers_admin  # noqa: F401
from .myspace import pathway as pathway_panels  # noqa: F401
from .myspace import sessions as session_panels  # noqa: F401
from .myspace import supervision as supervision_panels  # noqa: F401
from .myspace import wellbeing as wellbeing_panels  # noqa: F401


@hooks.register("register_site_urls")
def register_peers_urls():
    return [path("", include("peers.urls"))]


@hooks.register("register_log_actions")
def register_peers_log_actions(actions):
    for action, (label, message) in audit_actions.ACTIONS.items():
        actions.register_action(action, label, message)
