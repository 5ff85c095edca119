"""The charter's place in the site: its public progress pages, its Wagtail admin (see
``admin``) and its log actions."""

from django.urls import include, path
from wagtail import hooks

from cms.private_documents import register_private_documents

from . import (
    admin,  # noqa: F401
    audit_actions,
)
from .models import Evidence
from .services import EVIDENCE_COLLECTION

# Evidence is opened, chosen and changed only by people who keep its charter.
register_private_documents(Evidence, field="document", collection=EVIDENCE_COLLECTION)


@hooks.register("register_site_urls")
def register_charter_urls():
    return [path("", include("charter.urls"))]


@hooks.register("register_log_actions")
def register_charter_log_actions(actions):
    for action, (label, message) in audit_actions.ACTIONS.items():
        actions.register_action(action, label, message)
