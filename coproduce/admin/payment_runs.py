"""Payment runs in the Wagtail admin: finance's one way to pay approved claims.

The runs list and each run's page (totals, counts, status, who did what and when); the run
builder (an organisation's approved claims in no open run, oldest first, all ticked, those
waiting too long flagged, vouchers and claims waiting for bank details apart); the bank
upload file; marking a run paid on the day the money went; cancelling an open run. Every
view asks ``coproduce.manage_payment_runs`` and finds runs only through
``runs_visible_to``; every change is one service call.
"""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.models import ModelLogEntry

from cms import audit
from cms.admin_dates import DateField
from cms.exports import csv_response
from cms.forms import ClearRequiredMessages
from cms.params import int_param
from cms.permissions import can

from ..bank_file import bank_file_name, bank_rows
from ..choices import PAYMENT_METHODS
from ..models import PaymentRun
from ..selectors import payment_runs as selectors
from ..services import Refused
from ..services import payment_runs as services

RUNS_PER_PAGE = 50
RULE = "coproduce.manage_payment_runs"


class MarkPaidForm(ClearRequiredMessages, forms.Form):
    """The day the money of a run went."""

    paid_on = DateField(label="Date the money was sent", what="the date the money was sent")


class _RunsView(WagtailAdminTemplateMixin):
    """A page of payment runs, for finance (and admins) only."""

    header_icon = "tick"

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, RULE):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("payment_runs:index"), "label": "Payment runs"},
            {"url": "", "label": self.get_page_title()},
        ]


class _OneRunView(_RunsView):
    """A page about one run the person may see (404 otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, RULE):
            return permission_denied(request)
        self.run = get_object_or_404(selectors.runs_visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.run.reference

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("payment_runs:index"), "label": "Payment runs"},
            {
                "url": reverse("payment_runs:detail", args=[self.run.pk]),
                "label": self.run.reference,
            },
            {"url": "", "label": self.get_page_title()},
        ]

    @property
    def detail_url(self) -> str:
        return reverse("payment_runs:detail", args=[self.run.pk])

    def refused(self, refusal: Refused):
        messages.error(self.request, refusal.message)
        return redirect(self.detail_url)


class RunIndexView(_RunsView, TemplateView):
    page_title = "Payment runs"
    template_name = "coproduce/admin/payment_runs/index.html"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton("Build a payment run", url=reverse("payment_runs:build"), icon_name="plus")
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        runs = Paginator(selectors.runs_visible_to(self.request.user), RUNS_PER_PAGE)
        page = runs.get_page(int_param(self.request, "p", 1))
        waiting, overdue = selectors.claims_to_pay_counts(self.request.user)
        context.update(
            {
                "page_obj": page,
                "runs": list(page.object_list),
                "waiting": waiting,
                "overdue": overdue,
                "build_url": reverse("payment_runs:build"),
            }
        )
        return context


class RunBuildView(_RunsView, TemplateView):
    """Pick approved claims of one organisation and make a run of them."""

    page_title = "Build a payment run"
    template_name = "coproduce/admin/payment_runs/build.html"

    @cached_property
    def organisations(self):
        return list(selectors.organisations_with_claims_to_pay(self.request.user))

    @cached_property
    def organisation(self):
        wanted = int_param(self.request, "organisation", 0, min_value=0)
        for organisation in self.organisations:
            if organisation.pk == wanted:
                return organisation
        own = getattr(self.request.user, "organisation_id", None)
        for organisation in self.organisations:
            if organisation.pk == own:
                return organisation
        return self.organisations[0] if self.organisations else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = (
            selectors.run_plan(self.request.user, self.organisation) if self.organisation else None
        )
        posted = self.request.method == "POST"
        context.update(
            {
                "organisations": self.organisations,
                "organisation": self.organisation,
                "plan": plan,
                "max": selectors.RUN_CLAIMS_MAX,
                "payment_methods": PAYMENT_METHODS,
                "selected": {str(pk) for pk in self.request.POST.getlist("claims")},
                "all_selected": not posted,
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        organisation = self._posted_organisation()
        if organisation is None:
            return permission_denied(request)
        try:
            result = services.payment_run_build(
                user=request.user,
                organisation=organisation,
                claim_ids=request.POST.getlist("claims"),
            )
        except Refused as refusal:
            context = self.get_context_data(error=refusal.message)
            return self.render_to_response(context, status=400)
        count = result.added
        messages.success(
            request,
            f"Payment run {result.run.reference} built with {count} claim"
            f"{'s' if count != 1 else ''}. Download its bank file, pay it, then mark it paid.",
        )
        for reference, why in result.left_out:
            messages.warning(request, f"{reference} was left out. {why}")
        return redirect("payment_runs:detail", result.run.pk)

    def _posted_organisation(self):
        """The organisation the form was for, if the person pays its claims."""
        from cms.models import Organisation

        try:
            wanted = int(self.request.POST.get("organisation", ""))
        except ValueError:
            return None
        found = Organisation.objects.filter(pk=wanted).first()
        return found if found and can(self.request.user, RULE, found) else None


class RunDetailView(_OneRunView, TemplateView):
    page_title = "Payment run"
    template_name = "coproduce/admin/payment_runs/detail.html"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("payment_runs:index"), "label": "Payment runs"},
            {"url": "", "label": self.run.reference},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.run
        is_open = run.status == PaymentRun.Status.OPEN
        context.update(
            {
                "run": run,
                "contents": selectors.run_contents(run),
                "is_open": is_open,
                "history": _run_history(run),
                "payment_methods": PAYMENT_METHODS,
                "form": kwargs.get("form") or MarkPaidForm(),
                "today": timezone.localdate(),
            }
        )
        return context


def _run_history(run: PaymentRun) -> list[dict]:
    """Who did what to the run, and when, from the audit log (newest last)."""
    entries = (
        ModelLogEntry.objects.for_instance(run)
        .filter(action__in=[audit.CHANGE, audit.EXPORT])
        .select_related("user")
        .order_by("timestamp", "pk")
    )
    return [
        {
            "when": entry.timestamp,
            "who": entry.user_display_name,
            "what": (entry.data or {}).get("reason", ""),
        }
        for entry in entries
    ]


class RunBankFileView(_OneRunView, TemplateView):
    """The bank upload file (``coproduce.bank_file``), streamed; audited by the service."""

    def get(self, request, *args, **kwargs):
        try:
            payments = services.payment_run_bank_file(run=self.run, user=request.user)
        except Refused as refusal:
            return self.refused(refusal)
        return csv_response(
            bank_rows(payments), bank_file_name(self.run.reference), byte_order_mark=False
        )


class RunMarkPaidView(_OneRunView, FormView):
    page_title = "Mark paid"
    template_name = "coproduce/admin/payment_runs/detail.html"
    form_class = MarkPaidForm
    http_method_names = ["post"]

    def form_invalid(self, form):
        view = RunDetailView()
        view.setup(self.request, pk=self.run.pk)
        view.run = self.run
        return view.render_to_response(view.get_context_data(form=form), status=400)

    def form_valid(self, form):
        try:
            run = services.payment_run_mark_paid(
                run=self.run, user=self.request.user, paid_on=form.cleaned_data["paid_on"]
            )
        except Refused as refusal:
            if refusal.field:
                form.add_error(refusal.field, refusal.message)
                return self.form_invalid(form)
            return self.refused(refusal)
        messages.success(
            self.request,
            f"Payment run {run.reference} marked paid. Each member has been told, and "
            "their remittance advice shows the date and reference.",
        )
        return redirect(self.detail_url)


class RunCancelView(_OneRunView, TemplateView):
    page_title = "Cancel payment run"
    template_name = "coproduce/admin/payment_runs/cancel.html"

    def get(self, request, *args, **kwargs):
        if self.run.status != PaymentRun.Status.OPEN:
            messages.warning(request, f"Payment run {self.run.reference} is not open.")
            return redirect(self.detail_url)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["run"] = self.run
        context["count"] = self.run.claim_count
        return context

    def post(self, request, *args, **kwargs):
        try:
            run = services.payment_run_cancel(run=self.run, user=request.user)
        except Refused as refusal:
            return self.refused(refusal)
        messages.success(
            request,
            f"Payment run {run.reference} cancelled. Its claims are waiting to be paid again.",
        )
        return redirect("payment_runs:index")


urlpatterns = [
    path("", RunIndexView.as_view(), name="index"),
    path("build/", RunBuildView.as_view(), name="build"),
    path("<int:pk>/", RunDetailView.as_view(), name="detail"),
    path("<int:pk>/bank-file.csv", RunBankFileView.as_view(), name="bank_file"),
    path("<int:pk>/mark-paid/", RunMarkPaidView.as_view(), name="mark_paid"),
    path("<int:pk>/cancel/", RunCancelView.as_view(), name="cancel"),
]


def register_payment_run_urls():
    return [path("payment-runs/", include((urlpatterns, "payment_runs"), namespace="payment_runs"))]


class PaymentRunsMenuItem(MenuItem):
    """Shown only to finance and admins."""

    def is_shown(self, request):
        return can(request.user, RULE)


def register_payment_runs_menu_item():
    return PaymentRunsMenuItem(
        "Payment runs", reverse("payment_runs:index"), icon_name="tick", order=231
    )
