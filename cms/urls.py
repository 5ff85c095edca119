"""The site's URLs: accounts (allauth), the Wagtail admin, My space, each app's own pages
(through the ``register_site_urls`` hook) and public pages."""

from django.conf import settings
from django.urls import include, path, re_path, reverse_lazy
from django.views.generic import RedirectView
from django.views.static import serve as serve_file
from wagtail import hooks
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports.aging_pages import AgingPagesView
from wagtail.admin.views.reports.locked_pages import LockedPagesView
from wagtail.admin.views.reports.workflows import WorkflowTasksView, WorkflowView
from wagtail.contrib.redirects.views import IndexView as RedirectsIndexView
from wagtail.documents import urls as wagtaildocs_urls

from . import erasure_views, report_views, views, who_looked, your_data_views
from . import sitemap as site_sitemap
from .exports import SpreadsheetSafeExportMixin
from .oruk import views as oruk_views
from .reports import SiteHistoryReport
from .storage import PUBLIC_MEDIA_FOLDERS


class QueryKeepingRedirect(RedirectView):
    """Send Wagtail's own account views to allauth's, keeping ?next=."""

    query_string = True
    permanent = False


def public_media_urls():
    """While developing (DEBUG), Django serves the public media: Wagtail's images and their
    renditions, and nothing else under MEDIA_ROOT. Documents (panel papers, charter
    evidence) are only ever served by Wagtail's document view, which checks who is asking;
    receipts and reports live in the private storage and have no URL at all."""
    folders = "|".join(PUBLIC_MEDIA_FOLDERS)
    prefix = settings.MEDIA_URL.lstrip("/")
    return [
        re_path(
            rf"^{prefix}(?P<path>(?:{folders})/.*)$",
            serve_file,
            {"document_root": settings.MEDIA_ROOT},
            name="public_media",
        )
    ]


def _spreadsheet_safe(view_class, **initkwargs):
    """One of Wagtail's own listings, its CSV and Excel exports made spreadsheet-safe."""
    safe = type(
        f"SpreadsheetSafe{view_class.__name__}", (SpreadsheetSafeExportMixin, view_class), {}
    )
    return require_admin_access(safe.as_view(**initkwargs))


# Wagtail's own reports export page titles and paths people typed: the same views, with the
# project's spreadsheet-safe exports, answer those URLs first (names end "_safe").
WAGTAIL_EXPORTS = [
    ("admin/reports/locked/", LockedPagesView, "locked_pages"),
    ("admin/reports/workflow/", WorkflowView, "workflow"),
    ("admin/reports/workflow_tasks/", WorkflowTasksView, "workflow_tasks"),
    ("admin/reports/aging-pages/", AgingPagesView, "aging_pages"),
    ("admin/redirects/", RedirectsIndexView, "redirects"),
]
wagtail_exports_made_safe = [
    pattern
    for prefix, view_class, name in WAGTAIL_EXPORTS
    for pattern in (
        path(prefix, _spreadsheet_safe(view_class), name=f"{name}_safe"),
        path(
            f"{prefix}results/",
            _spreadsheet_safe(view_class, results_only=True),
            name=f"{name}_results_safe",
        ),
    )
]

urlpatterns = [
    # No log-in route bypasses allauth: Wagtail's own are sent to allauth's.
    path(
        "admin/login/",
        QueryKeepingRedirect.as_view(url=reverse_lazy("account_login")),
        name="wagtailadmin_login_redirect",
    ),
    path(
        "admin/password_reset/",
        QueryKeepingRedirect.as_view(url=reverse_lazy("account_reset_password")),
        name="wagtailadmin_password_reset_redirect",
    ),
    *wagtail_exports_made_safe,
    # Wagtail's site history, shadowed by the same view limited to administrators.
    path(
        "admin/reports/site-history/",
        require_admin_access(SiteHistoryReport.as_view()),
        name="site_history_for_administrators",
    ),
    path(
        "admin/reports/site-history/results/",
        require_admin_access(SiteHistoryReport.as_view(results_only=True)),
        name="site_history_results_for_administrators",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/", include("allauth.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("my-space/", views.my_space, name="my_space"),
    path("my-space/your-data/", your_data_views.your_data, name="your_data"),
    path("my-space/who-looked/", who_looked.who_looked, name="who_looked"),
    path("my-space/close-account/", erasure_views.close_account, name="close_account"),
    path("search/", views.search, name="search"),
    path("reports/<uuid:job_id>/", report_views.report_status, name="report_status"),
    path(
        "reports/<uuid:job_id>/status.json",
        report_views.report_status_json,
        name="report_status_json",
    ),
    path("reports/<uuid:job_id>/download/", report_views.report_download, name="report_download"),
    path("reports/<uuid:job_id>/again/", report_views.report_again, name="report_again"),
    path("help-now/", views.crisis_help, name="crisis_help"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", site_sitemap.sitemap, name="sitemap"),
    # The offers directory as Open Referral UK open data (paths as the standard names them).
    path("api/oruk/", oruk_views.api_root, name="oruk_root"),
    path("api/oruk/services", oruk_views.services, name="oruk_services"),
    path("api/oruk/services/<uuid:service_id>", oruk_views.service_detail, name="oruk_service"),
    path("api/oruk/taxonomies", oruk_views.taxonomies, name="oruk_taxonomies"),
    path(
        "api/oruk/taxonomies/<uuid:taxonomy_id>",
        oruk_views.taxonomy_detail,
        name="oruk_taxonomy",
    ),
    path("api/oruk/taxonomy_terms", oruk_views.taxonomy_terms, name="oruk_taxonomy_terms"),
    path(
        "api/oruk/taxonomy_terms/<uuid:term_id>",
        oruk_views.taxonomy_term_detail,
        name="oruk_taxonomy_term",
    ),
    path(
        "api/oruk/service_at_locations",
        oruk_views.service_at_locations,
        name="oruk_service_at_locations",
    ),
    path(
        "api/oruk/service_at_locations/<uuid:service_at_location_id>",
        oruk_views.service_at_location_detail,
        name="oruk_service_at_location",
    ),
]

# Apps add their front-end URLs through a hook, so the shell imports none of them:
# ``@hooks.register("register_site_urls")`` returning a list of patterns.
for register_site_urls in hooks.get_hooks("register_site_urls"):
    urlpatterns += register_site_urls()

if settings.DEBUG:
    urlpatterns += public_media_urls()

urlpatterns += [
    # Wagtail's front-end log-in (for private pages) is sent to allauth's too.
    path(
        "_util/login/",
        QueryKeepingRedirect.as_view(url=reverse_lazy("account_login")),
        name="wagtailcore_login_redirect",
    ),
    path("", include(wagtail_urls)),
]

handler404 = "cms.views.page_not_found"
handler500 = "cms.views.server_error"
