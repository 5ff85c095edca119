"""Peer work's place in the shell, and the one place it registers with Wagtail: its site
URLs, the HR admin views, its audit log actions and its My space panels. The topic modules
define what is registered here; none of them registers itself."""

from django.urls import include, path
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from . import audit_actions
from .admin import home_panels as home_panels_admin
from .admin import workers as workers_admin
from .admin.recruitment import vacancies as vacancies_admin
from .admin.recruitment import viewsets as recruitment_admin
from .models import PeerWorker, Team, Vacancy
from .myspace import pathway as pathway_panels
from .myspace import sessions as session_panels
from .myspace import supervision as supervision_panels
from .myspace import wellbeing as wellbeing_panels


@hooks.register("register_site_urls")
def register_peers_urls():
    return [path("", include("peers.urls"))]


# --- What the admin lets people do with each record --------------------------------------------

register_permission_policy(PeerWorker, workers_admin.KeptRecordsPolicy(PeerWorker))
register_permission_policy(Team, workers_admin.KeptRecordsPolicy(Team))
register_permission_policy(Vacancy, vacancies_admin.VacancyPermissionPolicy(Vacancy))


# --- The Wagtail admin ------------------------------------------------------------------------

hooks.register("register_admin_viewset", recruitment_admin.register_recruitment_viewsets)
hooks.register("register_admin_viewset", workers_admin.register_peer_work_viewsets)
# What waits on HR in peer work, on their admin home.
hooks.register("construct_homepage_panels", home_panels_admin.add_home_panels)


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
