"""Where finance sets their organisation's payment policy, in the Wagtail admin under
Settings: the mileage rate members are paid a mile, and after how many days an approved
claim still unpaid is flagged. Administrators (partnership-wide) choose the organisation
first; everyone else is refused. Each change is audited with the values before and after,
and the page shows that history.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import ModelLogEntry

from cms.forms import ClearRequiredMessages
from cms.models import Organisation
from cms.permissions import can, sees_whole_partnership

from .. import audit_actions
from ..models import PaymentPolicy
from ..services import Refused
from ..services import claims as claim_services
from ..services import payment_policy as services

HISTORY_SHOWN = 10


class PaymentPolicyForm(ClearRequiredMessages, forms.Form):
    """An organisation's mileage rate and unpaid-claim warning."""

    mileage_rate = forms.CharField(
        label="Mileage rate (£ a mile)",
        help_text="What a member is paid for each mile they drive to take part, like 0.45. "
        "HMRC's approved rate for cars is 45p a mile for the first 10,000 miles in a tax "
        "year. Mileage already claimed keeps the rate of the day it was added.",
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": "Enter the mileage rate, like 0.45."},
    )
    unpaid_warning_days = forms.IntegerField(
        label="Flag approved claims unpaid after (days)",
        help_text="An approved claim still not paid after this many days is highlighted "
        "for finance. People on low incomes are waiting for this money.",
        min_value=1,
        max_value=services.DAYS_MAX,
        error_messages={
            "required": "Enter the number of days, like 14.",
            "invalid": "Enter the number of days as a whole number, like 14.",
            "min_value": f"The number of days must be between 1 and {services.DAYS_MAX}.",
            "max_value": f"The number of days must be between 1 and {services.DAYS_MAX}.",
        },
    )

    def clean_mileage_rate(self):
        typed = self.cleaned_data["mileage_rate"].strip().replace("£", "")
        try:
            rate = Decimal(typed)
        except InvalidOperation:
            raise forms.ValidationError("Enter the mileage rate in pounds, like 0.45.") from None
        if not rate.is_finite() or rate < 0 or rate > services.RATE_MAX:
            raise forms.ValidationError("The mileage rate must be between £0.00 and £5.00 a mile.")
        if rate != rate.quantize(Decimal("0.01")):
            raise forms.ValidationError("Enter the mileage rate in pounds and pence, like 0.45.")
        return rate.quantize(Decimal("0.01"))


def _organisations_for(user):
    """The organisations whose policy ``user`` may set."""
    organisations = Organisation.objects.order_by("name")
    if not can(user, "coproduce.set_payment_policy"):
        return organisations.none()
    if sees_whole_partnership(user):
        return organisations
    return organisations.filter(pk=getattr(user, "organisation_id", None))


class PaymentPolicyIndexView(WagtailAdminTemplateMixin, TemplateView):
    """Finance of one organisation go straight to its policy; administrators pick one."""

    page_title = "Payment policy"
    header_icon = "cog"
    template_name = "coproduce/admin/payment_policy/index.html"

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "coproduce.set_payment_policy"):
            return permission_denied(request)
        organisations = list(_organisations_for(request.user))
        if len(organisations) == 1:
            return redirect("payment_policy_edit", organisations[0].slug)
        self.organisations = organisations
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policies = {
            policy.organisation_id: policy
            for policy in PaymentPolicy.objects.filter(
                organisation__in=[o.pk for o in self.organisations]
            )
        }
        context["rows"] = [
            {
                "organisation": organisation,
                "policy": policies.get(organisation.pk)
                or PaymentPolicy(organisation_id=organisation.pk),
                "url": reverse("payment_policy_edit", args=[organisation.slug]),
            }
            for organisation in self.organisations
        ]
        context["rate_in_words"] = claim_services.rate_in_words
        return context


class PaymentPolicyEditView(WagtailAdminTemplateMixin, FormView):
    """Set one organisation's policy; another organisation's is not found."""

    header_icon = "cog"
    template_name = "coproduce/admin/payment_policy/edit.html"
    form_class = PaymentPolicyForm

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "coproduce.set_payment_policy"):
            return permission_denied(request)
        self.organisation = get_object_or_404(
            _organisations_for(request.user), slug=kwargs["organisation_slug"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return "Payment policy"

    def get_page_subtitle(self):
        return self.organisation.name

    @cached_property
    def policy(self) -> PaymentPolicy:
        return services.payment_policy_for(self.organisation.pk)

    @cached_property
    def several(self) -> bool:
        return _organisations_for(self.request.user).count() > 1

    def get_breadcrumbs_items(self):
        items = [{"url": "", "label": self.organisation.name}]
        if self.several:
            items.insert(0, {"url": reverse("payment_policy"), "label": "Payment policy"})
        else:
            items.insert(0, {"url": "", "label": "Payment policy"})
        return self.breadcrumbs_items + items

    def get_initial(self):
        return {
            "mileage_rate": f"{self.policy.mileage_rate:.2f}",
            "unpaid_warning_days": self.policy.unpaid_warning_days,
        }

    def history(self) -> list[dict]:
        if self.policy.pk is None:
            return []
        entries = (
            ModelLogEntry.objects.for_instance(self.policy)
            .filter(action=audit_actions.PAYMENT_POLICY_CHANGE)
            .select_related("user")
            .order_by("-timestamp", "-pk")[:HISTORY_SHOWN]
        )
        return [
            {
                "when": entry.timestamp,
                "who": entry.user.get_full_name() or entry.user.email if entry.user else "",
                "before": entry.data.get("before", {}),
                "after": entry.data.get("after", {}),
            }
            for entry in entries
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "organisation": self.organisation,
                "policy": self.policy,
                "rate_words": claim_services.rate_in_words(self.policy.mileage_rate),
                "history": self.history(),
            }
        )
        return context

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        before = (self.policy.mileage_rate, self.policy.unpaid_warning_days)
        try:
            policy = services.payment_policy_update(
                organisation=self.organisation,
                user=self.request.user,
                mileage_rate=form.cleaned_data["mileage_rate"],
                unpaid_warning_days=form.cleaned_data["unpaid_warning_days"],
            )
        except Refused as refusal:
            form.add_error(None, refusal.message)
            return self.form_invalid(form)
        if before == (policy.mileage_rate, policy.unpaid_warning_days):
            messages.success(self.request, "Nothing was changed.")
        else:
            messages.success(
                self.request,
                f"Payment policy of {self.organisation.name} saved: mileage at "
                f"{claim_services.rate_in_words(policy.mileage_rate)}, unpaid claims flagged "
                f"after {policy.unpaid_warning_days} days. Mileage already claimed keeps its "
                "rate.",
            )
        return redirect("payment_policy_edit", self.organisation.slug)


def register_payment_policy_urls():
    return [
        path("payment-policy/", PaymentPolicyIndexView.as_view(), name="payment_policy"),
        path(
            "payment-policy/<slug:organisation_slug>/",
            PaymentPolicyEditView.as_view(),
            name="payment_policy_edit",
        ),
    ]


class PaymentPolicyMenuItem(MenuItem):
    """Shown under Settings only to people who may set a payment policy."""

    def is_shown(self, request):
        return can(request.user, "coproduce.set_payment_policy")


def register_payment_policy_menu_item():
    return PaymentPolicyMenuItem(
        "Payment policy", reverse("payment_policy"), icon_name="cog", order=620
    )
