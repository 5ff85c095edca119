"""The charter's place in the site: its public progress pages, its Wagtail admin (see
``admin``) and its log actions."""

from django.urls import include, path
from wagtail import hooks

from . import (
    admin,  # noqa: F401
    audit_actions,
)


@hooks.register("register_site_urls")
def register_charter_urls():
    return [path("", include("charter.urls"))]


@hooks.register("register_log_actions")
def register_charter_log_actions(actions):
    for action, (label, message) in audit_actions.ACTIONS.items():
        actions.register_action(action, label, message)
