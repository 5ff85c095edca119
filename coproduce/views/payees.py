"""The member's "How you are paid" page: their choice of payment, in plain words about
benefits, and their bank details, shown masked and replaced (never read back in full).

Both pages are the signed-in member's own: no record id is in either address.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from cms.permissions import can

from ..forms.payees import PAYMENT_CHOICE_HINTS, BankDetailsForm, PaymentChoiceForm
from ..models import InvolvementProfile, PayeeDetails
from ..services import Refused
from ..services import payees as services
from .profiles import not_a_member


def _profile(user):
    return InvolvementProfile.objects.filter(user=user).first()


@login_required
@require_http_methods(["GET", "POST"])
def payment(request):
    if not can(request.user, "coproduce.keep_profile"):
        return not_a_member(request, doing="choose how you are paid")
    profile = _profile(request.user)
    if profile is None:
        messages.info(request, "First, tell us a little about how you would like to take part.")
        return redirect(
            f"{reverse('coproduce:involvement_edit')}?next={reverse('coproduce:payment')}"
        )
    if request.method == "POST":
        form = PaymentChoiceForm(request.POST)
        if form.is_valid():
            try:
                profile = services.payment_choice_set(
                    user=request.user, payment_choice=form.cleaned_data["payment_choice"]
                )
            except Refused as refusal:
                form.add_error(refusal.field, refusal.message)
            else:
                missing = services.missing_for_choice(request.user, profile)
                if missing:
                    messages.info(request, f"Your choice is saved. {missing}")
                    return redirect("coproduce:payee_details")
                messages.success(request, "Your choice of payment is saved.")
                return redirect("coproduce:payment")
    else:
        form = PaymentChoiceForm(initial={"payment_choice": profile.payment_choice})
    details = PayeeDetails.objects.filter(user=request.user).first()
    return render(
        request,
        "coproduce/payees/payment.html",
        {
            "form": form,
            "profile": profile,
            "details": details,
            "masked": services.masked(details) if details else "",
            "missing": services.missing_for_choice(request.user, profile),
            "hints": PAYMENT_CHOICE_HINTS,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def payee_details(request):
    if not can(request.user, "coproduce.keep_profile"):
        return not_a_member(request, doing="give bank details for payments")
    details = PayeeDetails.objects.filter(user=request.user).first()
    ask_to_confirm = False
    if request.method == "POST":
        # The box to confirm is shown once the check has doubted the numbers.
        ask_to_confirm = request.POST.get("asked_to_confirm") == "1"
        form = BankDetailsForm(request.POST, ask_to_confirm=ask_to_confirm)
        if form.is_valid():
            try:
                services.payee_details_save(
                    member=request.user,
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
                form.add_error(refusal.field, refusal.message)
            else:
                messages.success(
                    request,
                    "Your bank details are saved. We have sent you a message to say they changed.",
                )
                return redirect("coproduce:payment")
    else:
        form = BankDetailsForm()
    return render(
        request,
        "coproduce/payees/bank_details.html",
        {"form": form, "details": details, "masked": services.masked(details) if details else ""},
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("involvement/payment/", payment, name="payment"),
    path("involvement/payment/bank-details/", payee_details, name="payee_details"),
]
