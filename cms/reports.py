"""Wagtail admin reports of the site shell: offers overdue for review, and the site history
(audit log) limited to administrators."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.admin.views.reports.audit_logging import LogEntriesView

from . import permissions, selectors
from .admin_dates import DateColumn
from .exports import SpreadsheetSafeExportMixin


class OffersOverdueReport(SpreadsheetSafeExportMixin, ReportView):
    """Offers whose details were last checked more than a year ago, oldest first, so
    editors can ask providers to confirm them; exportable to CSV and Excel."""

    page_title = "Offers overdue for review"
    header_icon = "date"
    index_url_name = "offers_overdue_report"
    index_results_url_name = "offers_overdue_report_results"
    permission_policy = None
    list_export = ["title", "provider.name", "last_reviewed", "full_url"]
    export_headings = {
        "title": "Offer",
        "provider.name": "Provider",
        "last_reviewed": "Last reviewed",
        "full_url": "Web address",
    }
    columns = [
        TitleColumn(
            "title",
            label="Offer",
            get_url=lambda offer: reverse("wagtailadmin_pages:edit", args=[offer.pk]),
        ),
        Column("provider", label="Provider", accessor="provider.name"),
        DateColumn("last_reviewed", label="Last reviewed"),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can(request.user, "cms.edit_pages"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.offers_overdue_for_review()

    def get_filename(self):
        return f"offers-overdue-for-review-{timezone.localdate():%Y-%m-%d}"


class SiteHistoryReport(SpreadsheetSafeExportMixin, LogEntriesView):
    """Wagtail's site history, for administrators only.

    Wagtail shows anyone the log entries of every model they have any permission on, but
    our log holds who viewed which sensitive record and every claim's history across
    organisations: a lead or finance officer must not read other organisations' entries.
    """

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can(request.user, "cms.view_audit_log"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
