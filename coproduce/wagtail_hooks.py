"""Co-production's place in the site, and the one place it registers with Wagtail: its
front-end URLs and first-run section, its Wagtail admin (panels and applications, feedback
and its themes, meetings, claims and payments, the impact report), its log actions, its My
space panels and its sections of every offer page. The topic modules define what is
registered here; none of them registers itself."""

from django.urls import include, path
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from cms.first_run import FIRST_RUN_SECTIONS_HOOK, section
from cms.myspace import CHOSEN_NAME_HOOK as MY_SPACE_CHOSEN_NAME_HOOK
from cms.private_documents import register_private_documents
from cms.sections import PUBLIC_SECTIONS_HOOK
from cms.site_search import SITE_SEARCH_HOOK
from cms.sitemap import SITEMAP_ITEMS_HOOK

from . import audit_actions, change_sections, offer_sections, public_search
from .admin import claims as claims_admin
from .admin import feedback as feedback_admin
from .admin import home_panels as home_panels_admin
from .admin import impact as impact_admin
from .admin import meetings as meetings_admin
from .admin import messages as messages_admin
from .admin import panels as panels_admin
from .admin import payees as payees_admin
from .admin import payment_policy as payment_policy_admin
from .admin import payment_runs as payment_runs_admin
from .models import (
    Feedback,
    InvolvementClaim,
    MeetingPaper,
    PanelApplication,
    ServiceChangeIndexPage,
)
from .myspace import claims as claims_panels
from .myspace import feedback as feedback_panels
from .myspace import meetings as meetings_panels
from .myspace import messages as messages_panels
from .myspace import notices as notices_panels
from .myspace import panels as panels_panels
from .myspace import sign_off as sign_off_panels
from .myspace.person import greeting_name
from .services.meetings import PAPERS_COLLECTION
from .views import sign_off as sign_off_views

# --- Meeting papers --------------------------------------------------------------------------

# Papers are opened, chosen and changed only by people who may see their meeting.
register_private_documents(MeetingPaper, field="document", collection=PAPERS_COLLECTION)


# --- What the admin lets people do with each record --------------------------------------------

register_permission_policy(
    PanelApplication, panels_admin.ApplicationPermissionPolicy(PanelApplication)
)
register_permission_policy(InvolvementClaim, claims_admin.ClaimPermissionPolicy(InvolvementClaim))
register_permission_policy(Feedback, feedback_admin.FeedbackPermissionPolicy(Feedback))


# --- The site and its first run -------------------------------------------------------------


@hooks.register("register_site_urls")
def register_coproduce_urls():
    return [path("", include("coproduce.urls"))]


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


# "You said, we did" and the panels in the site's sections, its search and its sitemap.
hooks.register(PUBLIC_SECTIONS_HOOK, public_search.sections)
hooks.register(SITE_SEARCH_HOOK, public_search.changes_source)
hooks.register(SITE_SEARCH_HOOK, public_search.panels_source)
hooks.register(SITEMAP_ITEMS_HOOK, public_search.sitemap_items)


# --- Offer pages ------------------------------------------------------------------------------

hooks.register("construct_offer_page_sections", offer_sections.add_feedback_section)
# After the feedback section: first what people say, then what changed because of it.
hooks.register("construct_offer_page_sections", change_sections.add_changes_section, order=10)


# --- The Wagtail admin ------------------------------------------------------------------------

hooks.register("register_admin_viewset", claims_admin.register_claim_viewset)
hooks.register("register_admin_viewset", feedback_admin.register_feedback_viewsets)
hooks.register("register_admin_viewset", meetings_admin.register_meeting_viewset)
hooks.register("register_admin_viewset", panels_admin.register_panels_viewsets)

# Feedback themes, a snippet editors keep.
register_snippet(feedback_admin.ThemeViewSet)

# What waits on leads and finance, on their admin home.
hooks.register("construct_homepage_panels", home_panels_admin.add_home_panels)

# A change waiting for its panel: where the members' answers stand, above the editor, and
# members asked again when its draft is edited.
hooks.register("before_edit_page", sign_off_views.editor_sign_off_message)
hooks.register("after_edit_page", sign_off_views.draft_edited)

hooks.register("register_admin_urls", impact_admin.register_impact_report_url)
hooks.register("register_admin_urls", payees_admin.register_payee_urls)
hooks.register("register_admin_menu_item", payees_admin.register_payees_menu_item)

# Members' messages to the panel's lead or finance: the inbox, its menu item, the home panel.
hooks.register("register_admin_urls", messages_admin.register_staff_messages_urls)
hooks.register("register_admin_menu_item", messages_admin.register_staff_messages_menu_item)
hooks.register("construct_homepage_panels", messages_admin.add_messages_home_panel)
# Payment runs: finance's one way to pay approved claims.
hooks.register("register_admin_urls", payment_runs_admin.register_payment_run_urls)
hooks.register("register_admin_menu_item", payment_runs_admin.register_payment_runs_menu_item)
hooks.register("register_reports_menu_item", impact_admin.register_impact_report_menu_item)

# Each organisation's mileage rate and unpaid-claim warning, set by its finance staff.
hooks.register("register_admin_urls", payment_policy_admin.register_payment_policy_urls)
hooks.register(
    "register_settings_menu_item", payment_policy_admin.register_payment_policy_menu_item
)


# --- The audit log ----------------------------------------------------------------------------


@hooks.register("register_log_actions")
def register_coproduce_log_actions(actions):
    for action, (label, message) in audit_actions.ACTIONS.items():
        actions.register_action(action, label, message)


# --- My space ---------------------------------------------------------------------------------

hooks.register("construct_my_space_panels", claims_panels.add_claim_panels)
hooks.register("construct_my_space_panels", feedback_panels.add_feedback_panels)
hooks.register("construct_my_space_panels", meetings_panels.add_meeting_panels)
hooks.register("construct_my_space_panels", messages_panels.add_message_panels)
hooks.register("construct_my_space_panels", notices_panels.add_notice_panels)
hooks.register("construct_my_space_panels", panels_panels.add_involvement_panels)
hooks.register("construct_my_space_panels", sign_off_panels.add_sign_off_panels)
# My space greets a member by the name they chose in their involvement profile.
hooks.register(MY_SPACE_CHOSEN_NAME_HOOK, greeting_name)


@hooks.register("register_public_content_models")
def coproduce_public_content():
    """What co-production's public pages show (cms/page_cache.py): a change to any of these
    refreshes visitors' copies of every page. Service changes are pages (their publishing
    refreshes them); their updates, recommendations and links are saved with them."""
    return [
        "coproduce.Feedback",
        "coproduce.Theme",
        "coproduce.Panel",
        "coproduce.ServiceChangeUpdate",
        "coproduce.PanelRecommendation",
        # The public page says how many members signed a change off.
        "coproduce.PanelMemberSignOff",
    ]
