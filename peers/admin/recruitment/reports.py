"""HR's recruitment and retention reports, for their organisation (or every one, for
admins and partnership-wide HR), over a period they choose."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.admin_dates import DateField
from cms.forms import ClearRequiredMessages
from cms.permissions import can

from ...selectors import recruitment as selectors
from ...selectors import retention as retention_selectors
from .vacancies import organisation_ids_for


class PeriodForm(ClearRequiredMessages, forms.Form):
    """The period a report covers, both days included."""

    # The same typed date box, with its hint, as every other admin date.
    start = DateField(label="From", what="the start of the period")
    end = DateField(label="To (this day is included)", what="the end of the period")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", "The end of the period must be on or after its start.")
        return cleaned


def default_period():
    today = timezone.localdate()
    return today - timedelta(days=365), today


class _ReportView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "peers.manage_recruitment"):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def period(self):
        start, end = default_period()
        form = PeriodForm(self.request.GET or None, initial={"start": start, "end": end})
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        return form, start, end


class RecruitmentReportView(_ReportView):
    """Applications and where they went, for the period."""

    template_name = "peers/admin/recruitment/report.html"
    page_title = "Recruitment report"

    def get_context_data(self, **kwargs):
        form, start, end = self.period()
        report = selectors.recruitment_report(
            organisation_ids=organisation_ids_for(self.request.user), start=start, end=end
        )
        return super().get_context_data(form=form, report=report, **kwargs)


class RetentionReportView(_ReportView):
    """Who stayed and who left, for the period."""

    template_name = "peers/admin/recruitment/retention.html"
    page_title = "Retention report"

    def get_context_data(self, **kwargs):
        form, start, end = self.period()
        report = retention_selectors.retention_report(
            organisation_ids=organisation_ids_for(self.request.user), start=start, end=end
        )
        return super().get_context_data(form=form, report=report, start=start, end=end, **kwargs)
