"""Members' bank details in the Wagtail admin, for finance: who they pay and whether their
details are in (masked), typing in details from a form a member sent, and seeing the
details in full with a reason, which is audited and shown to the member.

Finance sees only members with claims at their organisation (administrators, every member
with a claim); anyone else is sent back to the dashboard.
"""

from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms import params
from cms.permissions import can

from ..forms.payees import BankDetailsForm, RevealForm
from ..models import InvolvementProfile, PayeeDetails
from ..services import Refused
from ..services import payees as services

PAGE_SIZE = 50


class _PayeesView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "coproduce.manage_payees"):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)


class PayeeIndexView(_PayeesView):
    page_title = "Members' bank details"
    template_name = "coproduce/payees/admin_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = services.members_finance_pays(self.request.user).order_by(
            "last_name", "first_name", "pk"
        )
        page = params.paginate(self.request, members, PAGE_SIZE)
        ids = [member.pk for member in page.object_list]
        details = {d.user_id: d for d in PayeeDetails.objects.filter(user_id__in=ids)}
        choices = dict(
            InvolvementProfile.objects.filter(user_id__in=ids).values_list(
                "user_id", "payment_choice"
            )
        )
        labels = dict(InvolvementProfile._meta.get_field("payment_choice").choices)
        context.update(
            {
                "page_obj": page,
                "rows": [
                    {
                        "member": member,
                        "choice": labels.get(choices.get(member.pk), "No profile yet"),
                        "masked": services.masked(details[member.pk])
                        if member.pk in details
                        else "",
                    }
                    for member in page.object_list
                ],
            }
        )
        return context


class PayeeMemberView(_PayeesView):
    """One member: their details masked, a form to type them in, a form to see them."""

    template_name = "coproduce/payees/admin_member.html"

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "coproduce.manage_payees"):
            return permission_denied(request)
        self.member = get_object_or_404(
            services.members_finance_pays(request.user), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Bank details of {self.member.get_full_name() or self.member.email}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("payees_index"), "label": "Members' bank details"},
            {"url": "", "label": self.get_page_title()},
        ]

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "reveal":
            return self._reveal(request)
        return self._enter(request)

    def _reveal(self, request):
        form = RevealForm(request.POST)
        full = None
        if form.is_valid():
            try:
                full = services.payee_reveal(
                    member=self.member, user=request.user, reason=form.cleaned_data["reason"]
                )
            except Refused as refusal:
                form.add_error(
                    refusal.field if refusal.field in form.fields else None, refusal.message
                )
        status = 400 if form.errors else 200
        return self.render_to_response(
            self.get_context_data(reveal_form=form, full=full), status=status
        )

    def _enter(self, request):
        ask = request.POST.get("asked_to_confirm") == "1"
        form = BankDetailsForm(request.POST, ask_to_confirm=ask)
        if form.is_valid():
            try:
                services.payee_details_save(
                    member=self.member,
                    by=request.user,
                    account_name=form.cleaned_data["account_name"],
                    sort_code=form.cleaned_data["sort_code"],
                    account_number=form.cleaned_data["account_number"],
                    confirmed=bool(form.cleaned_data.get("confirmed")),
                )
            except services.NeedsConfirming as doubt:
                form = BankDetailsForm(request.POST, ask_to_confirm=True)
                form.is_valid()
                form.add_error("confirmed", doubt.message)
            except Refused as refusal:
                form.add_error(
                    refusal.field if refusal.field in form.fields else None, refusal.message
                )
            else:
                messages.success(
                    request, "The bank details are saved, and the member has been told."
                )
                return redirect("payees_member", pk=self.member.pk)
        return self.render_to_response(self.get_context_data(enter_form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        details = PayeeDetails.objects.filter(user=self.member).first()
        profile = InvolvementProfile.objects.filter(user=self.member).first()
        context.setdefault("enter_form", BankDetailsForm())
        context.setdefault("reveal_form", RevealForm())
        context.update(
            {
                "member": self.member,
                "details": details,
                "masked": services.masked(details) if details else "",
                "choice": profile.get_payment_choice_display() if profile else "No profile yet",
            }
        )
        return context


def register_payee_urls():
    return [
        path("payees/", PayeeIndexView.as_view(), name="payees_index"),
        path("payees/<int:pk>/", PayeeMemberView.as_view(), name="payees_member"),
    ]


class PayeesMenuItem(MenuItem):
    def is_shown(self, request):
        return can(request.user, "coproduce.manage_payees")


def register_payees_menu_item():
    return PayeesMenuItem("Bank details", reverse("payees_index"), icon_name="user", order=232)
