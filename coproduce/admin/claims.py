"""Involvement claims in the Wagtail admin: leads approve or return their panels' claims,
finance exports approved ones and pays them in payment runs (``admin.payment_runs``).

The viewset lists and inspects claims through ``visible_to`` (``ScopedModelViewSet``), so a
lead sees their organisation's panels' claims and finance only approved and paid ones.
Nobody edits a claim's amounts here: the permission policy grants "view" only, and every
change goes through a view of its own that calls one service.
"""

from urllib.parse import urlsplit

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.generic import FormView, View
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.auth import permission_denied
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton, ListingButton
from wagtail.permission_policies import ModelPermissionPolicy

from cms import audit
from cms.dates import day_in_words
from cms.exports import BYTE_ORDER_MARK, export_audit_subject
from cms.permissions import can, has_role, visible_to, why_not
from cms.roles import Role
from cms.viewsets import ScopedModelViewSet

from ..choices import PAYMENT_METHODS
from ..forms.claims import ApproveClaimForm, ReturnClaimForm
from ..models import InvolvementClaim, Panel, PaymentRun
from ..rules import FINANCE_STATUSES, leads_panel
from ..selectors import claims as selectors
from ..selectors import payment_runs as run_selectors
from ..services import Refused
from ..services import claims as services
from ..services.payees import payee_summary

Status = InvolvementClaim.Status
# The model's labels speak to the member ("Waiting for you to check"); staff read whose
# move it is.
STAFF_STATUS_LABELS = {
    Status.DRAFT: "Draft: with the member",
    Status.SUBMITTED: "Waiting for approval",
    Status.RETURNED: "Returned to the member",
    Status.APPROVED: "Approved: waiting for payment",
    Status.PAID: "Paid",
}


class ClaimPermissionPolicy(ModelPermissionPolicy):
    """Claims are looked at in the admin, never added, edited or deleted there: their
    amounts are fixed by attendance, the member's expenses and the approval."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        if "view" not in actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(["view"])


def _is_finance_only(user) -> bool:
    return has_role(user, Role.FINANCE) and not has_role(user, Role.ENGAGEMENT_LEAD, Role.ADMIN)


def claims_list_to_return_to(request) -> str:
    """The claims list as the person left it (its filters, search and page), carried in
    ``next`` by the links to a claim's pages; the whole list when there is none, or when
    ``next`` points anywhere else (another site, another admin page)."""
    listing = reverse("claims:index")
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate
        and url_has_allowed_host_and_scheme(candidate, allowed_hosts=None)
        and urlsplit(candidate).path == listing
    ):
        return candidate
    return listing


def _next_if_given(request) -> str:
    """The ``next`` to pass on to the next page: the list to go back to, if one was given."""
    listing = claims_list_to_return_to(request)
    return "" if listing == reverse("claims:index") else listing


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class ClaimFilterSet(WagtailFilterSet):
    """Filters whose choices show only what the person may see: their panels, and for
    finance only the statuses finance works with."""

    status = ChoiceFilter(
        choices=list(STAFF_STATUS_LABELS.items()), empty_label="All", widget=forms.RadioSelect
    )
    panel = ModelChoiceFilter(
        queryset=lambda request: visible_to(request.user, Panel).filter(
            pk__in=visible_to(request.user, InvolvementClaim).values("panel_id")
        ),
        empty_label="All",
    )

    class Meta:
        model = InvolvementClaim
        fields = ["status", "panel", "payment_choice"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None and _is_finance_only(request.user):
            self.filters["status"].extra["choices"] = [
                (value, label)
                for value, label in STAFF_STATUS_LABELS.items()
                if value in FINANCE_STATUSES
            ]


def _amount(claim) -> str:
    amount = claim.amount_approved if claim.amount_approved is not None else claim.total
    return f"£{amount:,.2f}"


def _staff_status(claim) -> str:
    label = STAFF_STATUS_LABELS[claim.status]
    if run_selectors.is_overdue(claim):
        # In words, not only colour: finance sees how long it has waited.
        days = run_selectors.days_unpaid(claim)
        return format_html(
            '{} <span class="w-status w-status--label">Unpaid {} days: overdue</span>',
            label,
            days,
        )
    return label


def _meeting_day(claim) -> str:
    return day_in_words(claim.attendance.meeting.starts_at, weekday=True)


EXPORT_HEADINGS = {
    "reference": "Reference",
    "member": "Member",
    "member_email": "Member email",
    "panel": "Panel",
    "organisation": "Organisation",
    "meeting_date": "Meeting date",
    "hours": "Hours",
    "hourly_rate": "Rate per hour (£)",
    "fee": "Fee (£)",
    "expenses": "Expenses (£)",
    "total": "Total (£)",
    "payment_method": "Payment method",
    "status": "Status",
    "approved_at": "Approved on",
    "paid_at": "Paid on",
    "payment_reference": "Payment reference",
}


def claim_export_row(claim: InvolvementClaim) -> dict:
    """One claim as a row of the finance export; the total is the amount approved. (The
    index view makes every value spreadsheet-safe on the way out.)"""
    meeting = claim.attendance.meeting
    total = claim.amount_approved if claim.amount_approved is not None else claim.total
    # Once approved, the expenses are what was allowed (a lead may allow part of a line),
    # so fee + expenses = total on every row.
    expenses = total - claim.fee if claim.amount_approved is not None else claim.expenses_total
    return {
        "reference": claim.reference,
        "member": claim.member.get_full_name() or claim.member.email,
        "member_email": claim.member.email,
        "panel": claim.panel.title,
        "organisation": claim.panel.organisation.name,
        "meeting_date": _local_date(meeting.starts_at),
        "hours": f"{claim.hours:.2f}",
        "hourly_rate": f"{claim.hourly_rate:.2f}",
        "fee": f"{claim.fee:.2f}",
        "expenses": f"{expenses:.2f}",
        "total": f"{total:.2f}",
        "payment_method": PAYMENT_METHODS.get(claim.payment_choice, ""),
        "status": STAFF_STATUS_LABELS[claim.status],
        "approved_at": _local_date(claim.approved_at),
        "paid_at": _local_date(claim.paid_at),
        "payment_reference": claim.payment_reference,
    }


def _local_date(moment) -> str:
    """A date as spreadsheets sort it (2026-12-01), in Europe/London."""
    return timezone.localtime(moment).date().isoformat() if moment else ""


class ClaimIndexView(ScopedModelViewSet.index_view_class):
    """The claims list, with the related rows each row shows fetched up front; finance
    exports it (CSV or Excel), and every export is written to the audit log."""

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("member", "panel__organisation", "attendance__meeting")
            .prefetch_related("expenses")
            .annotate(warning_days=run_selectors.warning_days_expression())
        )

    def to_row_dict(self, item):
        return claim_export_row(item)

    @cached_property
    def may_export(self) -> bool:
        return can(self.request.user, "coproduce.pay_claims")

    @cached_property
    def show_export_buttons(self):
        return self.may_export

    def stream_csv(self, queryset):
        yield BYTE_ORDER_MARK
        yield from super().stream_csv(queryset)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        if not self.may_export:
            raise PermissionDenied
        audit.audit_export(
            user=self.request.user,
            instance=export_audit_subject(self.request.user),
            reason="Involvement claims exported for payment",
            count=queryset.count(),
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.may_export:
            buttons.append(
                HeaderButton(
                    "Export approved (CSV)",
                    url=reverse("claims:index") + "?status=approved&export=csv",
                    icon_name="download",
                )
            )
            buttons.append(
                HeaderButton(
                    "Build a payment run", url=reverse("payment_runs:build"), icon_name="tick"
                )
            )
        return buttons

    @cached_property
    def listing_url(self) -> str:
        """This list as it is shown now (the results view refreshes it in place), for the
        pages of a claim to come back to."""
        query = self.request.GET.copy()
        query.pop("export", None)
        return f"{self.index_url}?{query.urlencode()}" if query else ""

    def get_inspect_url(self, instance):
        url = super().get_inspect_url(instance)
        return _with_next(url, self.listing_url) if url else url

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        user = self.request.user
        if instance.status == Status.SUBMITTED and can(user, "coproduce.approve_claim", instance):
            buttons.append(
                ListingButton(
                    "Approve or return",
                    url=_with_next(reverse("claims:review", args=[instance.pk]), self.listing_url),
                    icon_name="tick",
                    priority=5,
                )
            )
        return buttons


INSPECT_LABELS = {
    "reference": "Reference",
    "member": "Member",
    "panel": "Panel",
    "meeting": "Meeting",
    "hours": "Hours",
    "hourly_rate": "Rate per hour",
    "payment_choice": "Payment choice",
    "fee": "Fee",
    "expenses_total": "Expenses",
    "total": "Total",
    "status": "Status",
    "return_reason": "Reason returned",
    "submitted_at": "Sent for approval",
    "approved_by": "Approved by",
    "approved_at": "Approved on",
    "amount_approved": "Amount approved",
    "paid_by": "Marked paid by",
    "paid_at": "Paid on",
    "payment_reference": "Payment reference",
}


class ClaimInspectView(ScopedModelViewSet.inspect_view_class):
    """One claim: how it adds up, its expenses with their receipts, its history, and the
    next step the person may take."""

    template_name = "coproduce/admin/claims/inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.claims_visible_to(self.request.user), pk=self.pk)

    def get(self, request, *args, **kwargs):
        audit.audit_view(
            user=request.user,
            instance=self.object,
            reason="Panel lead or finance opened a member's payment claim",
        )
        return super().get(request, *args, **kwargs)

    def get_field_label(self, field_name, field):
        return INSPECT_LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        claim = self.object
        if field_name == "meeting":
            meeting = claim.attendance.meeting
            return f"{meeting.title}, {day_in_words(meeting.starts_at, weekday=True)}"
        if field_name in ("fee", "expenses_total", "total", "hourly_rate", "amount_approved"):
            value = getattr(claim, field_name)
            return "-" if value is None else f"£{value:,.2f}"
        if field_name in ("submitted_at", "approved_at", "paid_at"):
            value = getattr(claim, field_name)
            return day_in_words(value, weekday=True) if value else "-"
        if field_name == "status":
            return STAFF_STATUS_LABELS[claim.status]
        if field_name in ("approved_by", "paid_by", "return_reason", "payment_reference"):
            return getattr(claim, field_name) or "-"
        return super().get_field_display_value(field_name, field)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        claim = self.object
        next_url = _next_if_given(self.request)
        context.update(
            {
                "claim": claim,
                "expenses": services.expense_lines(claim.expenses.all()),
                "history": selectors.claim_staff_history(claim),
                "payee": payee_summary(claim.member),
                "can_see_payee": can(user, "coproduce.manage_payees"),
                "can_review": can(user, "coproduce.approve_claim", claim),
                "can_pay": claim.payment_run_id is None and can(user, "coproduce.pay_claim", claim),
                "run": _run_of(user, claim),
                "review_url": _with_next(reverse("claims:review", args=[claim.pk]), next_url),
                "pay_url": _builder_url(claim),
            }
        )
        return context


class ClaimHistoryView(ScopedModelViewSet.history_view_class):
    """The claim's full audit log; looking is enough, since nobody edits claims here."""

    any_permission_required = ["view"]


class _ClaimActionView(WagtailAdminTemplateMixin, FormView):
    """A form about one claim the person can see (404 otherwise), in the admin's furniture."""

    header_icon = "form"
    # Why the person opening the form reads the member's claim, for the audit log.
    audit_reason = ""

    def dispatch(self, request, *args, **kwargs):
        self.claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=kwargs["pk"])
        refusal = self.refusal()
        if refusal is PermissionDenied:
            return permission_denied(request)
        if refusal:
            messages.warning(request, refusal)
            inspect = reverse("claims:inspect", args=[self.claim.pk])
            return redirect(_with_next(inspect, _next_if_given(request)))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        audit.audit_view(
            user=request.user,
            instance=self.claim,
            reason=self.audit_reason,
        )
        return super().get(request, *args, **kwargs)

    def refusal(self):
        """PermissionDenied for someone with no business here; a message for a claim that
        is not at this step; None to go ahead."""
        raise NotImplementedError

    def get_page_subtitle(self):
        return f"Claim {self.claim.reference}"

    @cached_property
    def back_to_list(self) -> str:
        return claims_list_to_return_to(self.request)

    def get_breadcrumbs_items(self):
        next_url = _next_if_given(self.request)
        return self.breadcrumbs_items + [
            {"url": self.back_to_list, "label": "Involvement claims"},
            {
                "url": _with_next(reverse("claims:inspect", args=[self.claim.pk]), next_url),
                "label": self.claim.reference,
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.claim
        context.update(
            {
                "claim": claim,
                "meeting": claim.attendance.meeting,
                "expenses": services.expense_lines(self.expenses),
                "next": _next_if_given(self.request),
            }
        )
        return context

    @cached_property
    def expenses(self):
        return list(self.claim.expenses.all())

    def refused(self, form, refusal: Refused):
        form.add_error(None, refusal.message)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ClaimReviewView(_ClaimActionView):
    """A lead approves a submitted claim, deciding on each expense line (all of it, part or
    none, with a reason whenever less is allowed), or returns it to the member with a
    reason. Every line starts as "allow in full", so approving a claim as sent is one click.
    """

    page_title = "Approve or return"
    template_name = "coproduce/admin/claims/review.html"
    audit_reason = "Panel lead opened a member's claim to approve or return it"
    form_class = ReturnClaimForm

    def refusal(self):
        user = self.request.user
        if self.claim.member_id == user.pk or not leads_panel(user, self.claim.panel):
            return PermissionDenied
        return why_not(user, "coproduce.approve_claim", self.claim)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("approve_form", ApproveClaimForm(expenses=self.expenses))
        context = super().get_context_data(**kwargs)
        context["deciding"] = True
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "approve":
            return self.approve(ApproveClaimForm(request.POST, expenses=self.expenses))
        return super().post(request, *args, **kwargs)

    def approve(self, approve_form):
        if approve_form.is_valid():
            try:
                claim = services.claim_approve(
                    claim=self.claim,
                    user=self.request.user,
                    decisions=approve_form.cleaned_data["decisions"],
                )
            except Refused as refusal:
                approve_form.add_error(None, refusal.message)
            else:
                reduced = sum(1 for e in claim.expenses.all() if e.approved_amount < e.amount)
                less = (
                    f" {reduced} expense{'s' if reduced != 1 else ''} not allowed in full, "
                    "with your reasons."
                    if reduced
                    else ""
                )
                messages.success(
                    self.request,
                    f"Claim {claim.reference} approved: £{claim.amount_approved:,.2f}.{less} "
                    "The member has been told.",
                )
                return redirect(self.back_to_list)
        context = self.get_context_data(form=self.get_form_class()(), approve_form=approve_form)
        return self.render_to_response(context, status=400)

    def form_valid(self, form):
        try:
            claim = services.claim_return(
                claim=self.claim, user=self.request.user, reason=form.cleaned_data["reason"]
            )
        except Refused as refusal:
            return self.refused(form, refusal)
        messages.success(
            self.request,
            f"Claim {claim.reference} returned to the member, who has been emailed the reason.",
        )
        return redirect(self.back_to_list)


class ClaimPayRedirectView(View):
    """Where "mark this claim paid" was before payment runs, kept for old links and
    bookmarks: finance go on to the run that pays the claim, or to the run builder of its
    organisation; nothing is paid here."""

    http_method_names = ["get", "post", "head"]

    def get(self, request, pk):
        user = request.user
        if not can(user, "coproduce.pay_claims"):
            return permission_denied(request)
        claim = get_object_or_404(visible_to(user, InvolvementClaim).select_related("panel"), pk=pk)
        run = _run_of(user, claim)
        if run is not None:
            messages.info(request, f"Claim {claim.reference} is in payment run {run.reference}.")
            return redirect("payment_runs:detail", run.pk)
        if claim.status == Status.APPROVED:
            messages.info(request, PAID_IN_RUNS)
            return redirect(_builder_url(claim))
        messages.info(request, why_not(user, "coproduce.pay_claim", claim) or PAID_IN_RUNS)
        return redirect("claims:inspect", claim.pk)

    post = get


class ClaimBulkPayRedirectView(View):
    """Where finance marked many claims paid before payment runs: on to the run builder."""

    http_method_names = ["get", "post", "head"]

    def get(self, request):
        if not can(request.user, "coproduce.pay_claims"):
            return permission_denied(request)
        messages.info(request, PAID_IN_RUNS)
        return redirect("payment_runs:build")

    post = get


PAID_IN_RUNS = (
    "Approved claims are now paid in payment runs: build a run, download its bank file, "
    "pay it, then mark the run paid."
)


def _run_of(user, claim: InvolvementClaim) -> PaymentRun | None:
    """The payment run holding ``claim``, if ``user`` may see it."""
    if claim.payment_run_id is None:
        return None
    return visible_to(user, PaymentRun).filter(pk=claim.payment_run_id).first()


def _builder_url(claim: InvolvementClaim) -> str:
    """The run builder, showing the claims of ``claim``'s organisation."""
    return (
        reverse("payment_runs:build")
        + "?"
        + urlencode({"organisation": claim.panel.organisation_id})
    )


class ClaimViewSet(ScopedModelViewSet):
    """Involvement claims for leads (their organisation's panels) and finance (approved
    and paid claims of their organisation)."""

    model = InvolvementClaim
    name = "claims"
    icon = "form"
    menu_label = "Involvement claims"
    menu_order = 230
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ClaimIndexView
    inspect_view_class = ClaimInspectView
    history_view_class = ClaimHistoryView
    # Filters by status, panel and payment choice (the filter set's Meta.fields).
    filterset_class = ClaimFilterSet
    list_export = list(EXPORT_HEADINGS)
    export_headings = EXPORT_HEADINGS
    search_fields = ["member__first_name", "member__last_name", "member__email", "panel__title"]
    search_backend_name = None
    list_per_page = 50
    export_filename = "involvement-claims"
    inspect_view_fields = list(INSPECT_LABELS)

    @cached_property
    def list_display(self):
        return [
            "reference",
            "member",
            "panel",
            Column("meeting_date", label="Meeting", accessor=_meeting_day),
            Column("status", label="Status", accessor=_staff_status, sort_key="status"),
            Column("amount", label="Amount", accessor=_amount),
        ]

    @property
    def url_finder_class(self):
        inspect_url_name = self.get_url_name("inspect")

        class ClaimURLFinder(ModelAdminURLFinder):
            """Links to a claim from elsewhere in the admin (site history) go to its inspect
            view, for those who may see it: claims are not edited here."""

            edit_url_name = inspect_url_name

            def get_edit_url(self, instance):
                if (
                    self.user
                    and not visible_to(self.user, InvolvementClaim).filter(pk=instance.pk).exists()
                ):
                    return None
                return self.construct_edit_url(instance)

        return ClaimURLFinder

    def get_common_view_kwargs(self, **kwargs):
        # The views that do not exist are not linked from the ones that do.
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    def get_urlpatterns(self):
        # No add, edit, delete, copy or usage views: claims change only through the views
        # below, each of which calls one service.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("review/<int:pk>/", ClaimReviewView.as_view(), name="review"),
            # Old "mark paid" addresses: finance now pay in payment runs.
            path("pay/<int:pk>/", ClaimPayRedirectView.as_view(), name="pay"),
            path("pay/", ClaimBulkPayRedirectView.as_view(), name="pay_many"),
        ]


def register_claim_viewset():
    return ClaimViewSet()
