"""Co-production's place in the site: its front-end URLs, its Wagtail admin (panels and
applications, meetings and attendance, claims and payments), its log actions and its My
space panels. Each topic registers its own hooks in its admin and myspace modules."""

from django.urls import include, path
from wagtail import hooks

from cms.first_run import FIRST_RUN_SECTIONS_HOOK, section
from cms.private_documents import register_private_documents

from . import (
    audit_actions,
    change_sections,  # noqa: F401
    offer_sections,  # noqa: F401
)
from .admin import claims as claims_admin  # noqa: F401
from .admin import feedback as feedback_admin  # noqa: F401
from .admin import impact as impact_admin  # noqa: F401
from .admin import meetings as meetings_admin  # noqa: F401
from .admin import panels as panels_admin  # noqa: F401
from .models import MeetingPaper, ServiceChangeIndexPage
from .myspace import claims as claims_panels  # noqa: F401
from .myspace import feedback as feedback_panels  # noqa: F401
from .myspace import meetings as meetings_panels  # noqa: F401
from .myspace import panels as panels_panels  # noqa: F401
from .services.meetings import PAPERS_COLLECTION

# Papers are opened, chosen and changed only by people who may see their meeting.
register_private_documents(MeetingPaper, field="document", collection=PAPERS_COLLECTION)


@hooks.register(FIRST_RUN_SECTIONS_HOOK)
def you_said_we_did_section(home, publish):
    """A new site's "You said, we did" section, made by ``manage.py first_run``."""
    return section(
        ServiceChangeIndexPage,
        home,
        publish,
        title="You said, we did",
        slug="you-said-we-did",
        intro="What has changed in local mental health services because people with lived "
        "experience spoke up.",
    )


@hooks.register("register_site_urls")
def register_coproduce_urls():
    return [path("", include("coproduce.urls"))]


@hooks.register("register_log_actions")
def register_coproduce_log_actions(actions):
    for action, (label, message) in audit_actions.ACTIONS.items():
        actions.register_action(action, label, message)
