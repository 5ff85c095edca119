"""The site shell's Wagtail admin: organisations, users, audit actions, worker status,
outbound mail and its dashboard warning, the directory's taxonomies and the overdue-offers
report."""

import logging

from django.http import Http404
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.auth import user_has_any_page_permission
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.documents import get_document_model, get_document_model_string
from wagtail.models import TaskState
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import (
    admin_home,
    audit,
    data_requests_admin,
    mail,
    mail_admin,
    outbound_admin,
    page_cache,
    permissions,
    public_site,
    retention_admin,
    texts,
    texts_admin,
    worker,
)
from .dates import date_in_words
from .models import Area, DataRequest, Need, OutboundEmail, OutboundText
from .oruk import admin as oruk_admin
from .private_documents import PrivateDocumentPermissionPolicy, is_private, may_reach
from .reports import OffersOverdueReport
from .sections import PUBLIC_SECTIONS_HOOK
from .site_search import SITE_SEARCH_HOOK
from .sitemap import SITEMAP_ITEMS_HOOK
from .storage import file_missing_response, file_unavailable_response
from .viewsets import OnceOnlyAddViewSet, OrganisationViewSet

# --- Private documents ---------------------------------------------------------------------------

# Documents on a record (panel papers, charter evidence) keep that record's scope in every
# Wagtail document view. ``exact_class`` wins over the policy Wagtail's own app registers
# when it becomes ready, whichever happens first.
register_permission_policy(
    get_document_model(),
    PrivateDocumentPermissionPolicy(
        get_document_model_string(),
        auth_model="wagtaildocs.Document",
        owner_field_name="uploaded_by_user",
    ),
    exact_class=True,
)

# --- What the admin lets people do with each record --------------------------------------------

register_permission_policy(
    OutboundEmail, outbound_admin.OutboundPolicy(OutboundEmail), exact_class=True
)
register_permission_policy(
    DataRequest, data_requests_admin.DataRequestPolicy(DataRequest), exact_class=True
)
register_permission_policy(
    OutboundText, outbound_admin.OutboundPolicy(OutboundText), exact_class=True
)


logger = logging.getLogger(__name__)


@hooks.register("before_serve_document", order=-10)
def serve_private_documents_to_their_people_only(document, request):
    """Wagtail's document URL: a private document is a 404 for anyone who may not reach
    it (as if it did not exist), and a document whose file has gone is a plain page."""
    if is_private(document) and not may_reach(request.user, document):
        raise Http404
    try:
        present = document.file.storage.exists(document.file.name)
    except Exception:
        # Object storage that cannot be reached raises its own errors (botocore's).
        logger.exception("Storage could not be reached for %s", document.file.name)
        return file_unavailable_response(request, "document")
    if not present:
        return file_missing_response(request, "document")
    return None


# --- The Wagtail admin: organisations, outbound mail, the audit log ------------------------------


@hooks.register("register_admin_viewset")
def register_organisation_viewset():
    return OrganisationViewSet("organisations")


@hooks.register("register_admin_viewset")
def register_outbound_mail_viewset():
    return mail_admin.OutboundMailViewSet()


@hooks.register("register_admin_viewset")
def register_outbound_texts_viewset():
    return texts_admin.OutboundTextViewSet()


@hooks.register("register_log_actions")
def register_audit_actions(actions):
    for action, (label, message) in audit.ACTIONS.items():
        actions.register_action(action, label, message)


# --- The dashboard -------------------------------------------------------------------------------


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


class MailHealthPanel(Component):
    """Warns administrators, in plain words, while email is not getting through; otherwise
    one calm line, so a quiet dashboard is known to have checked rather than to have
    nothing to say."""

    name = "mail_health"
    order = 40

    def __init__(self, health):
        self.health = health

    def render_html(self, parent_context=None):
        oldest = self.health["oldest_retrying"]
        list_url = reverse("outbound_mail:index")
        return render_to_string(
            "cms/admin/mail_health_panel.html",
            {
                "health": self.health,
                "oldest": date_in_words(oldest) if oldest else "",
                "list_url": list_url,
                "retrying_url": f"{list_url}?status={outbound_admin.RETRYING}",
                "failed_url": f"{list_url}?status={mail_admin.Status.FAILED}",
                "retries_last": outbound_admin.retries_last(),
            },
        )


@hooks.register("construct_homepage_panels")
def add_mail_health_panel(request, panels):
    if permissions.can(request.user, "cms.manage_outbound_mail"):
        panels.append(MailHealthPanel(mail.mail_health()))


class TextHealthPanel(Component):
    """Warns administrators while text messages are not getting through (or go only to
    the log); says nothing while they are, as most sites send few texts."""

    name = "text_health"
    order = 41

    def __init__(self, health):
        self.health = health

    def render_html(self, parent_context=None):
        oldest = self.health["oldest_retrying"]
        list_url = reverse("outbound_texts:index")
        return render_to_string(
            "cms/texts/health_panel.html",
            {
                "health": self.health,
                "oldest": date_in_words(oldest) if oldest else "",
                "retrying_url": f"{list_url}?status={outbound_admin.RETRYING}",
                "failed_url": f"{list_url}?status={texts_admin.Status.FAILED}",
                "retries_last": outbound_admin.retries_last(),
            },
        )


@hooks.register("construct_homepage_panels")
def add_text_health_panel(request, panels):
    if permissions.can(request.user, "cms.manage_outbound_mail"):
        health = texts.text_health()
        if not health["healthy"]:
            panels.append(TextHealthPanel(health))


@hooks.register("construct_homepage_panels")
def add_editor_panel(request, panels):
    if permissions.can(request.user, "cms.edit_pages"):
        panels.append(admin_home.editor_work_panel(today=timezone.localdate()))


@hooks.register("construct_homepage_panels", order=100)
def finish_the_admin_home(request, panels):
    """After every app's panels: people who may not work on pages are not offered a search
    of them, and someone no panel speaks to reads one calm line, not an empty page."""
    user = request.user
    if not user_has_any_page_permission(user):
        panels.append(admin_home.WithoutPageSearch())
    if admin_home.speaks_to_nobody(panels) and not TaskState.objects.reviewable_by(user).exists():
        panels.append(admin_home.NothingWaitingPanel())


# --- The page editor ----------------------------------------------------------------------------


@hooks.register("insert_editor_js")
def name_rich_text_boxes():
    """Rich text boxes get their field's label as their name (see the script)."""
    return format_html('<script src="{}"></script>', static("cms/js/admin-rich-text-labels.js"))


# --- My space ------------------------------------------------------------------------------------


@hooks.register("construct_my_space_panels")
def add_shell_panels(request, panels):
    from .myspace_panels import AccountPanel, GettingStartedPanel, StaffToolsPanel

    panels.extend([GettingStartedPanel(), StaffToolsPanel(), AccountPanel()])


# --- The directory's taxonomies ------------------------------------------------------------------


class NeedViewSet(OnceOnlyAddViewSet, SnippetViewSet):
    """The needs offers meet: editors keep this taxonomy."""

    model = Need
    icon = "tag"
    menu_label = "Needs"
    menu_order = 300
    list_display = ["name", "wider_determinant", "sort_order"]
    list_filter = ["wider_determinant"]
    search_fields = ["name"]
    add_to_admin_menu = False


class AreaViewSet(OnceOnlyAddViewSet, SnippetViewSet):
    model = Area
    icon = "site"
    menu_label = "Areas"
    list_display = ["name"]
    search_fields = ["name"]


class DirectoryViewSetGroup(SnippetViewSetGroup):
    items = (NeedViewSet, AreaViewSet)
    menu_icon = "list-ul"
    menu_label = "Directory"
    menu_order = 300


register_snippet(DirectoryViewSetGroup)


# --- Reports, data retention, data requests, the ORUK import -------------------------------------


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path(
            "reports/offers-overdue/", OffersOverdueReport.as_view(), name="offers_overdue_report"
        ),
        path(
            "reports/offers-overdue/results/",
            OffersOverdueReport.as_view(results_only=True),
            name="offers_overdue_report_results",
        ),
    ]


class _EditorsMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.can(request.user, "cms.edit_pages")


@hooks.register("register_reports_menu_item")
def register_overdue_offers_menu_item():
    return _EditorsMenuItem(
        "Offers overdue for review", reverse("offers_overdue_report"), icon_name="date", order=700
    )


@hooks.register("register_admin_urls")
def register_data_retention_urls():
    return retention_admin.retention_urls()


@hooks.register("register_reports_menu_item")
def register_data_retention_menu_item():
    return retention_admin.retention_menu_item()


@hooks.register("register_admin_viewset")
def register_data_requests_viewset():
    return data_requests_admin.DataRequestViewSet()


@hooks.register("register_admin_urls")
def register_oruk_import_url():
    return [path("offers/import-oruk/", oruk_admin.oruk_import_view, name="offers_import_oruk")]


@hooks.register("register_admin_menu_item")
def register_oruk_import_menu_item():
    return oruk_admin.oruk_import_menu_item()


@hooks.register("construct_reports_menu")
def hide_site_history_from_all_but_administrators(request, menu_items):
    if not permissions.can(request.user, "cms.view_audit_log"):
        menu_items[:] = [item for item in menu_items if item.name != "site-history"]


# --- The public site: its "Find support" section, the offers in site search, the sitemap ----

hooks.register(PUBLIC_SECTIONS_HOOK, public_site.sections)
hooks.register(SITE_SEARCH_HOOK, public_site.search_source)
hooks.register(SITEMAP_ITEMS_HOOK, public_site.sitemap_items)


# --- Visitors' copies of public pages (cms/page_cache.py) -----------------------------------


@hooks.register("before_serve_page")
def keep_visitors_copy(page, request, serve_args, serve_kwargs):
    """Every Wagtail page may be kept for visitors; pages that say what is open now
    (the directory and each offer) for a minute only. Restricted pages are marked
    never-cache by Wagtail, so they are not kept."""
    from .models import OfferPage, OffersIndexPage

    clock = isinstance(page, OfferPage | OffersIndexPage)
    page_cache.mark_for_cache(request, page_cache.CLOCK if clock else page_cache.LONG)


@hooks.register(page_cache.HOOK)
def shell_public_content():
    """What the shell's public pages show besides pages: the directory's taxonomies and
    providers, offers' places and times, and the header and footer settings."""
    return [
        "cms.Need",
        "cms.Area",
        "cms.Organisation",
        "cms.OpeningTime",
        "cms.Location",
        "cms.Closure",
        "wagtailcore.Site",
        "wagtailnhsukfrontendsettings.HeaderSettings",
        "wagtailnhsukfrontendsettings.NavigationLink",
        "wagtailnhsukfrontendsettings.FooterSettings",
        "wagtailnhsukfrontendsettings.FooterLinks",
        "wagtailimages.Image",
        "wagtaildocs.Document",
        "wagtailcore.PageViewRestriction",
        "wagtailcore.CollectionViewRestriction",
    ]
