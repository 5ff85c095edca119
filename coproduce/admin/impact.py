"""Where engagement leads ask for a panel impact report, in the Wagtail admin's Reports menu.

The form offers only what the person may report on (their organisation's panels, or every
organisation's for admins and partnership-wide leads) and a period; the service checks both
again, logs the request and hands it to the background worker. The person is then sent to
the report's status page, which shows progress and the download.
"""

from django import forms
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.admin_dates import DateField
from cms.forms import ClearRequiredMessages
from cms.models import Organisation
from cms.permissions import can

from ..models import Panel
from ..selectors import impact as selectors
from ..services import Refused
from ..services import impact as services


class ImpactReportForm(ClearRequiredMessages, forms.Form):
    """Which panels, and the period: the choices are only what the person may report on."""

    scope = forms.ChoiceField(
        label="Which panels",
        error_messages={
            "required": "Choose a panel, or all your organisation's panels",
            "invalid_choice": "Choose a panel, or all your organisation's panels",
        },
    )
    start = DateField(label="From", what="the start date of the period")
    end = DateField(label="To (this day is included)", what="the end date of the period")

    def __init__(self, *args, organisations, panels, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.organisations = {str(o.pk): o for o in organisations}
        self.panels = {str(p.pk): p for p in panels}
        several = len(organisations) > 1
        every = [
            (f"organisation:{o.pk}", f"All panels of {o.name}" if several else "All panels")
            for o in organisations
        ]
        one = [
            (
                f"panel:{p.pk}",
                f"{p.title} ({p.organisation.name}, {p.get_status_display().lower()})"
                if several
                else f"{p.title} ({p.get_status_display().lower()})",
            )
            for p in panels
        ]
        choices = [("", "Choose which panels")]
        if every:
            choices.append(("All panels together", every))
        if one:
            choices.append(("One panel", one))
        self.fields["scope"].choices = choices

    def clean_scope(self):
        kind, _, pk = self.cleaned_data["scope"].partition(":")
        subject = (self.panels if kind == "panel" else self.organisations).get(pk)
        if subject is None:
            raise forms.ValidationError("Choose a panel, or all your organisation's panels")
        return subject

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            problem = services.period_problem(start=start, end=end, today=self.today)
            if problem:
                self.add_error(*problem)
        return cleaned


class ImpactReportView(WagtailAdminTemplateMixin, FormView):
    """Ask for a panel impact report; see your latest ones."""

    template_name = "coproduce/admin/impact/request.html"
    form_class = ImpactReportForm
    page_title = "Panel impact report"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "coproduce.request_impact_report"):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    @cached_property
    def organisations(self) -> list[Organisation]:
        return selectors.organisations_reported_on_by(self.request.user)

    @cached_property
    def panels(self) -> list[Panel]:
        return selectors.panels_reported_on_by(self.request.user, self.organisations)

    def get_initial(self):
        start, end = services.default_period(timezone.localdate())
        initial = {"start": start, "end": end}
        asked = self.request.GET.get("panel", "")
        if asked.isdigit() and any(str(p.pk) == asked for p in self.panels):
            initial["scope"] = f"panel:{asked}"
        elif len(self.organisations) == 1:
            initial["scope"] = f"organisation:{self.organisations[0].pk}"
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            organisations=self.organisations, panels=self.panels, today=timezone.localdate()
        )
        return kwargs

    def form_valid(self, form):
        subject = form.cleaned_data["scope"]
        try:
            job = services.impact_report_request(
                user=self.request.user,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                panel=subject if isinstance(subject, Panel) else None,
                organisation=subject if isinstance(subject, Organisation) else None,
            )
        except Refused as refusal:
            form.add_error(None, refusal.message)
            return self.form_invalid(form)
        return redirect("report_status", job.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            has_scope=bool(self.organisations),
            recent=selectors.impact_reports_of(self.request.user, kind=services.IMPACT_REPORT),
        )
        return context


def register_impact_report_url():
    return [path("reports/panel-impact/", ImpactReportView.as_view(), name="panel_impact_report")]


class ImpactReportMenuItem(MenuItem):
    """Shown only to people who may ask for impact reports."""

    def is_shown(self, request):
        return can(request.user, "coproduce.request_impact_report")


def register_impact_report_menu_item():
    return ImpactReportMenuItem(
        "Panel impact", reverse("panel_impact_report"), icon_name="doc-full", order=650
    )
