"""Front-end views for a member's involvement claims: the list, one claim, adding and
removing expenses, checking and sending, the receipts and the remittance advice.

Views are thin: they find the claim through ``claims_visible_to`` (a claim the person may
not see is a 404, like one that does not exist), ask ``can()``, bind a form and call one
service. A refusal is shown as the service worded it.
"""

import mimetypes
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cms.audit import audit_view
from cms.permissions import can, require, visible_to, why_not
from cms.storage import stored_file_response
from cms.submissions import submit_once

from ..forms.claims import ExpenseForm, SubmitClaimForm
from ..models import Expense
from ..selectors import claims as selectors
from ..services import Refused
from ..services import claims as services
from ..services.payment_policy import mileage_rate_for

PAGE_SIZE = 10


def _claim_for(request, pk):
    claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=pk)
    require(request.user, "coproduce.view_claim", claim)
    return claim


def _audit_staff_look(request, instance, claim, reason: str) -> None:
    """Staff (the panel's lead, finance) opening a member's claim is written to the log."""
    if claim.member_id != request.user.pk:
        audit_view(user=request.user, instance=instance, reason=reason)


def _claim_to_change(request, pk):
    """The claim, if the person may change it; otherwise why not, on the claim's page."""
    claim = _claim_for(request, pk)
    if claim.member_id != request.user.pk:
        raise PermissionDenied
    if refusal := why_not(request.user, "coproduce.edit_claim", claim):
        messages.info(request, refusal)
        return claim, redirect("coproduce:claim_detail", pk=claim.pk)
    return claim, None


@login_required
@require_GET
def claim_list(request):
    require(request.user, "coproduce.list_own_claims")
    paginator = Paginator(selectors.claims_of_member(request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "coproduce/claims/claim_list.html", {"page_obj": page})


@login_required
@require_GET
def claim_detail(request, pk):
    claim = _claim_for(request, pk)
    user = request.user
    lines = services.expense_lines(claim.expenses.all())
    _audit_staff_look(
        request, claim, claim, "Panel lead or finance opened a member's payment claim"
    )
    return render(
        request,
        "coproduce/claims/claim_detail.html",
        {
            "claim": claim,
            "meeting": claim.attendance.meeting,
            "hours": selectors.hours_in_words(claim.hours),
            "expenses": lines,
            "reduced": [line for line in lines if line.reduced],
            "expenses_allowed": services.expenses_allowed(lines)
            if claim.amount_approved is not None
            else None,
            "history": selectors.claim_history(claim),
            "is_owner": claim.member_id == user.pk,
            "can_edit": can(user, "coproduce.edit_claim", claim),
            "can_download_remittance": can(user, "coproduce.download_remittance", claim),
        },
    )


HELD_RECEIPTS_KEY = "coproduce_held_receipts"


def _held_receipt(request, claim) -> dict | None:
    """The receipt kept from this person's last try at adding an expense to ``claim``."""
    return request.session.get(HELD_RECEIPTS_KEY, {}).get(str(claim.pk))


def _hold_receipt(request, claim, upload) -> None:
    _release_receipt(request, claim)
    try:
        name = services.receipt_hold(receipt=upload)
    except Refused:
        return
    held = request.session.get(HELD_RECEIPTS_KEY, {})
    held[str(claim.pk)] = {"name": name, "filename": PurePath(upload.name or "").name[:120]}
    request.session[HELD_RECEIPTS_KEY] = held


def _release_receipt(request, claim) -> None:
    held = request.session.get(HELD_RECEIPTS_KEY, {})
    kept = held.pop(str(claim.pk), None)
    if kept:
        services.receipt_release(kept["name"])
        request.session[HELD_RECEIPTS_KEY] = held


def _expense_form_page(request, claim, form, held_receipt: str = ""):
    return render(
        request,
        "coproduce/claims/expense_form.html",
        {
            "claim": claim,
            "form": form,
            "held_receipt": held_receipt,
            "mileage_rate": services.rate_in_words(mileage_rate_for(claim.panel.organisation_id)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def expense_add(request, pk):
    """Add an expense: mileage as miles, anything else as an amount with its receipt. When
    something else on the form needs fixing, a receipt that was fine is kept (for this
    person and claim only) so they need not upload it again."""
    claim, elsewhere = _claim_to_change(request, pk)
    if elsewhere:
        return elsewhere
    if request.method == "GET":
        _release_receipt(request, claim)
        return _expense_form_page(request, claim, ExpenseForm())
    held = _held_receipt(request, claim)
    form = ExpenseForm(request.POST, request.FILES, held_receipt=held["filename"] if held else "")
    upload = request.FILES.get("receipt")
    if form.is_valid():
        mileage = form.cleaned_data["kind"] == Expense.Kind.MILEAGE
        kept = None if upload or mileage else services.receipt_held(held and held["name"])
        try:
            expense = submit_once(
                form=form,
                user=request.user,
                create=lambda: services.claim_add_expense(
                    claim=claim,
                    user=request.user,
                    kind=form.cleaned_data["kind"],
                    description=form.cleaned_data["description"],
                    amount=form.cleaned_data["amount"],
                    miles=form.cleaned_data["miles"],
                    receipt=form.cleaned_data["receipt"] or kept,
                ),
            ).record
        except Refused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            _release_receipt(request, claim)
            if expense is not None:
                words = services.mileage_in_words(expense)
                messages.success(
                    request,
                    f"Expense added: {expense.description}, "
                    + (words if words else f"£{expense.amount}")
                    + ".",
                )
            return redirect("coproduce:claim_detail", pk=claim.pk)
        finally:
            if kept is not None:
                kept.close()
    if upload is not None:
        # A new file replaces the kept one; it is kept in turn only if it was fine.
        if "receipt" in form.errors:
            _release_receipt(request, claim)
        else:
            _hold_receipt(request, claim, upload)
    held = _held_receipt(request, claim)
    return _expense_form_page(request, claim, form, held["filename"] if held else "")


@login_required
@require_http_methods(["GET", "POST"])
def expense_remove(request, pk, expense_id):
    claim, elsewhere = _claim_to_change(request, pk)
    if elsewhere:
        return elsewhere
    expense = next((e for e in claim.expenses.all() if e.pk == expense_id), None)
    if request.method == "POST":
        try:
            services.claim_remove_expense(claim=claim, expense_id=expense_id, user=request.user)
        except Refused as refusal:
            messages.info(request, refusal.message)
        else:
            messages.success(request, "The expense has been removed.")
        return redirect("coproduce:claim_detail", pk=claim.pk)
    if expense is None:
        messages.info(request, "That expense has already been removed.")
        return redirect("coproduce:claim_detail", pk=claim.pk)
    return render(
        request, "coproduce/claims/expense_remove.html", {"claim": claim, "expense": expense}
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_submit(request, pk):
    claim, elsewhere = _claim_to_change(request, pk)
    if elsewhere:
        return elsewhere
    if request.method == "POST":
        form = SubmitClaimForm(request.POST)
        if form.is_valid():
            try:
                services.claim_submit(
                    claim=claim, user=request.user, declaration=form.cleaned_data["declaration"]
                )
            except Refused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(
                    request,
                    "Your claim has been sent. We will email you when it is approved.",
                )
                return redirect("coproduce:claim_detail", pk=claim.pk)
    else:
        form = SubmitClaimForm()
    return render(
        request,
        "coproduce/claims/claim_submit.html",
        {
            "claim": claim,
            "meeting": claim.attendance.meeting,
            "hours": selectors.hours_in_words(claim.hours),
            "expenses": services.expense_lines(claim.expenses.all()),
            "form": form,
        },
    )


@never_cache
@login_required
@require_GET
def receipt(request, pk, expense_id):
    claim = _claim_for(request, pk)
    expense = get_object_or_404(
        visible_to(request.user, Expense).filter(claim=claim).exclude(receipt=""), pk=expense_id
    )
    _audit_staff_look(
        request, expense, claim, "Panel lead or finance opened a receipt on a member's claim"
    )
    extension = PurePath(expense.receipt.name).suffix.lower()
    return stored_file_response(
        request,
        expense.receipt,
        filename=f"receipt-{claim.reference}-{expense.pk}{extension}",
        content_type=mimetypes.types_map.get(extension, "application/octet-stream"),
        as_attachment=False,
        what="receipt",
    )


@never_cache
@login_required
@require_GET
def remittance(request, pk):
    claim = _claim_for(request, pk)
    require(request.user, "coproduce.download_remittance", claim)
    # Imported here: the PDF library is loaded when a remittance is asked for, not at start.
    from ..reports import remittance_pdf

    response = HttpResponse(remittance_pdf(claim), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="remittance-{claim.reference}.pdf"'
    return response


urlpatterns = [
    path("claims/", claim_list, name="claim_list"),
    path("claims/<int:pk>/", claim_detail, name="claim_detail"),
    path("claims/<int:pk>/expenses/add/", expense_add, name="claim_expense_add"),
    path(
        "claims/<int:pk>/expenses/<int:expense_id>/remove/",
        expense_remove,
        name="claim_expense_remove",
    ),
    path(
        "claims/<int:pk>/expenses/<int:expense_id>/receipt/",
        receipt,
        name="claim_receipt",
    ),
    path("claims/<int:pk>/submit/", claim_submit, name="claim_submit"),
    path("claims/<int:pk>/remittance.pdf", remittance, name="claim_remittance"),
]
