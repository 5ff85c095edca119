"""Peer work's place in the shell, and the one place it registers with Wagtail: its site
URLs, the HR admin views and offer outcome figures, its section of every offer page, its
audit log actions and its My space panels. The topic modules define what is registered
here; none of them registers itself."""

from django.urls import include, path
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from cms.sections import PUBLIC_SECTIONS_HOOK
from cms.site_search import SITE_SEARCH_HOOK
from cms.sitemap import SITEMAP_ITEMS_HOOK

from . import audit_actions, offer_sections, public_search
from .admin import home_panels as home_panels_admin
from .admin import offer_outcomes as offer_outcomes_admin
from .admin import workers as workers_admin
from .admin.recruitment import vacancies as vacancies_admin
from .admin.recruitment import viewsets as recruitment_admin
from .models import OfferOutcomeFigures, PeerWorker, Team, Vacancy
from .myspace import pathway as pathway_panels
from .myspace import sessions as session_panels
from .myspace import supervision as supervision_panels
from .myspace import wellbeing as wellbeing_panels


@hooks.register("register_site_urls")
def register_peers_urls():
    return [path("", include("peers.urls"))]


# Peer roles in the site's sections, its search and its sitemap.
hooks.register(PUBLIC_SECTIONS_HOOK, public_search.sections)
hooks.register(SITE_SEARCH_HOOK, public_search.search_source)
hooks.register(SITEMAP_ITEMS_HOOK, public_search.sitemap_items)


# --- What the admin lets people do with each record --------------------------------------------

register_permission_policy(PeerWorker, workers_admin.KeptRecordsPolicy(PeerWorker))
register_permission_policy(Team, workers_admin.KeptRecordsPolicy(Team))
register_permission_policy(Vacancy, vacancies_admin.VacancyPermissionPolicy(Vacancy))
register_permission_policy(
    OfferOutcomeFigures, offer_outcomes_admin.OutcomeFiguresPolicy(OfferOutcomeFigures)
)


# --- The Wagtail admin ------------------------------------------------------------------------

hooks.register("register_admin_viewset", recruitment_admin.register_recruitment_viewsets)
hooks.register("register_admin_viewset", workers_admin.register_peer_work_viewsets)
hooks.register("register_admin_viewset", offer_outcomes_admin.register_offer_outcomes_viewset)
# What waits on HR in peer work, on their admin home.
hooks.register("construct_homepage_panels", home_panels_admin.add_home_panels)


# --- Offer pages ------------------------------------------------------------------------------

# Before what people said about the offer: first what changed for the people who used it.
hooks.register("construct_offer_page_sections", offer_sections.add_outcomes_section, order=-10)


@hooks.register("register_public_content_models")
def outcome_figures_are_public_content():
    """Saving a partner's figures shows on the offer page at once, not when its copy ends."""
    return [OfferOutcomeFigures]


# --- The audit log ----------------------------------------------------------------------------


@hooks.register("register_log_actions")
def register_peers_log_actions(actions):
    for action, (label, message) in audit_actions.ACTIONS.items():
        actions.register_action(action, label, message)


# --- My space ---------------------------------------------------------------------------------

hooks.register("construct_my_space_panels", pathway_panels.add_pathway_panels)
hooks.register("construct_my_space_panels", session_panels.add_session_panels)
hooks.register("construct_my_space_panels", supervision_panels.add_supervision_panels)
hooks.register("construct_my_space_panels", wellbeing_panels.add_wellbeing_panel)


@hooks.register("register_public_content_models")
def peers_public_content():
    """What peer work's public pages show (cms/page_cache.py): vacancies, and the outcomes
    offers and programmes show, worked out from session logs and entered figures."""
    return [
        "peers.Vacancy",
        "peers.Team",
        "peers.Level",
        "peers.SessionLog",
        "peers.OfferOutcomeFigures",
    ]
