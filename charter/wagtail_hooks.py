"""The charter's place in the site, and the one place it registers with Wagtail: its public
progress pages, its Wagtail admin (the viewsets and HR's own pages, defined in ``admin``),
its log actions and its private evidence."""

from django.urls import include, path
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from cms.private_documents import register_private_documents
from cms.sections import PUBLIC_SECTIONS_HOOK
from cms.site_search import SITE_SEARCH_HOOK
from cms.sitemap import SITEMAP_ITEMS_HOOK

from . import admin, admin_outcomes, audit_actions, public_search
from .models import Evidence, Reading
from .services import EVIDENCE_COLLECTION

# --- Evidence ---------------------------------------------------------------------------------

# Evidence is opened, chosen and changed only by people who keep its charter.
register_private_documents(Evidence, field="document", collection=EVIDENCE_COLLECTION)


# --- The site ---------------------------------------------------------------------------------


@hooks.register("register_site_urls")
def register_charter_urls():
    return [path("", include("charter.urls"))]


@hooks.register("register_site_urls")
def register_outcomes_urls():
    # /outcomes/, not /charter/outcomes/: every /charter/<slug>/ names an organisation.
    return [path("", include("charter.urls_outcomes"))]


# The charters and outcomes in the site's sections, its search and its sitemap.
hooks.register(PUBLIC_SECTIONS_HOOK, public_search.sections)
hooks.register(SITE_SEARCH_HOOK, public_search.charters_source)
hooks.register(SITE_SEARCH_HOOK, public_search.outcomes_source)
hooks.register(SITEMAP_ITEMS_HOOK, public_search.sitemap_items)


# --- What the admin lets people do with each record --------------------------------------------

register_permission_policy(Reading, admin.EnteredThroughServicesPolicy(Reading))
register_permission_policy(Evidence, admin.EnteredThroughServicesPolicy(Evidence))
# The partnership's outcomes: one rule (partnership-wide HR and admins) decides every action.
for outcome_model in admin_outcomes.MODELS:
    register_permission_policy(outcome_model, admin_outcomes.OutcomesPolicy(outcome_model))


# --- The Wagtail admin ------------------------------------------------------------------------

hooks.register("register_admin_viewset", admin.register_charter_viewsets)
hooks.register("register_admin_viewset", admin_outcomes.register_outcome_viewsets)
hooks.register("register_admin_urls", admin.register_charter_admin_urls)
hooks.register("construct_homepage_panels", admin.charter_work_panel)


# --- The audit log ----------------------------------------------------------------------------


@hooks.register("register_log_actions")
def register_charter_log_actions(actions):
    for action, (label, message) in audit_actions.ACTIONS.items():
        actions.register_action(action, label, message)


@hooks.register("register_public_content_models")
def charter_public_content():
    """What the charter's public progress and outcomes pages show (cms/page_cache.py)."""
    return [
        "charter.Charter",
        "charter.Commitment",
        "charter.Measure",
        "charter.Target",
        "charter.Reading",
        "charter.CharterAction",
        "charter.Evidence",
        "charter.Review",
        "charter.Programme",
        "charter.OutcomeMeasure",
        "charter.Comparison",
        "charter.OutcomeTarget",
    ]
