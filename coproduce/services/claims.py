"""Involvement claims from attendance to payment: create, check, submit, approve or return,
pay. Each change of state is logged in Wagtail's audit log and guarded so that it happens
once, even when two people (or two browser tabs) try at the same moment."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation

import filetype
from django.core.files import File
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from wagtail.log_actions import log

from cms import site_address
from cms.permissions import can, require, visible_to, why_not
from cms.sanitise import plain_text
from cms.storage import FileNotStored, kept_with_their_records, save_to_storage, store_upload

from .. import audit_actions
from ..choices import PaymentChoice
from ..models import Attendance, Expense, InvolvementClaim, InvolvementProfile
from ..models.claims import PENNY
from ..selectors.claims import chosen_name
from ..storage import receipt_storage
from . import Refused

Status = InvolvementClaim.Status

RECEIPT_MAX_BYTES = 5 * 1024 * 1024
# What a receipt may be, judged by the file's first bytes, never by its name.
RECEIPT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
EXPENSE_MAX = Decimal("99999.99")  # the column holds 7 digits
DESCRIPTION_MAX = 200
REASON_MAX = 1000
REFERENCE_MAX = 60


@transaction.atomic
def claim_create_for_attendance(*, attendance: Attendance, user) -> InvolvementClaim | None:
    """Start a draft claim when a member attended; idempotent (one claim per attendance).

    Hours default to the attendance's hours, or the meeting's length; the rate and the
    member's payment choice are copied so later changes to either do not alter the claim.
    Returns None when the attendance is not "attended".
    """
    if attendance.status != Attendance.Status.ATTENDED:
        return None
    existing = InvolvementClaim.objects.filter(attendance=attendance).first()
    if existing is not None:
        return existing
    meeting = attendance.meeting
    panel = meeting.panel
    profile = InvolvementProfile.objects.filter(user_id=attendance.member_id).first()
    claim = InvolvementClaim.objects.create(
        attendance=attendance,
        member_id=attendance.member_id,
        panel=panel,
        hours=attendance.hours if attendance.hours is not None else meeting.hours,
        hourly_rate=panel.hourly_rate,
        payment_choice=profile.payment_choice if profile else PaymentChoice.PAID,
    )
    log(claim, audit_actions.CLAIM_CREATE, user=user)
    return claim


# --- Checking what people send ---------------------------------------------------------------


def receipt_extension(receipt: File | None) -> str:
    """The extension a receipt is stored under ("pdf", "jpg" or "png"), read from its content.

    Raises ``Refused`` for a missing, empty, too big or unreadable file, or any other type
    (a program renamed ``receipt.pdf`` is still a program).
    """
    if receipt is None or not receipt.size:
        raise Refused("Upload a photo or scan of the receipt or ticket.")
    if receipt.size > RECEIPT_MAX_BYTES:
        raise Refused(
            "The receipt must be smaller than 5 MB. If it is a photo, take a screenshot of "
            "the photo and upload that instead: screenshots are much smaller."
        )
    receipt.seek(0)
    kind = filetype.guess(receipt.read(8192))
    receipt.seek(0)
    if kind is None or kind.mime not in RECEIPT_TYPES:
        raise Refused(
            "The receipt must be a PDF, JPEG or PNG file. A photo from your phone is fine."
        )
    if kind.mime.startswith("image/"):
        try:
            with Image.open(receipt) as image:
                image.verify()
        except Exception:
            raise Refused(
                "The receipt picture could not be opened. Try taking the photo again."
            ) from None
        finally:
            receipt.seek(0)
    return RECEIPT_TYPES[kind.mime]


HELD_RECEIPTS = "receipts/held/"
HELD_RECEIPT_LIFETIME = timedelta(hours=24)


def receipt_hold(*, receipt: File) -> str:
    """Keep a checked receipt while the person fixes another part of the form, so they need
    not find and upload it again; returns the stored name. Receipts held for more than a
    day (forms never finished) are deleted at the same time."""
    extension = receipt_extension(receipt)
    storage = receipt_storage()
    _receipts_held_prune(storage)
    try:
        return save_to_storage(storage, f"{HELD_RECEIPTS}{uuid.uuid4().hex}.{extension}", receipt)
    except FileNotStored as failure:
        raise Refused(failure.message) from failure


def _is_held_name(name: str | None) -> bool:
    return bool(name) and name.startswith(HELD_RECEIPTS) and "/" not in name[len(HELD_RECEIPTS) :]


def receipt_held(name: str | None) -> File | None:
    """A held receipt by its stored name, or None when it is gone or the name is not one."""
    storage = receipt_storage()
    if not _is_held_name(name) or not storage.exists(name):
        return None
    return storage.open(name, "rb")


def receipt_release(name: str | None) -> None:
    """Delete a held receipt once it has been used or given up."""
    if _is_held_name(name):
        receipt_storage().delete(name)


def _receipts_held_prune(storage) -> None:
    cutoff = timezone.now() - HELD_RECEIPT_LIFETIME
    try:
        _, names = storage.listdir(HELD_RECEIPTS)
    except FileNotFoundError:
        return
    for name in names:
        path = f"{HELD_RECEIPTS}{name}"
        try:
            if storage.get_created_time(path) < cutoff:
                storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


def expense_amount(value) -> Decimal:
    """An amount of money in pounds and pence, more than nothing, as an exact Decimal."""
    try:
        amount = Decimal(str(value).strip().replace("£", "").replace(",", ""))
    except (InvalidOperation, ValueError):
        raise Refused("Enter the amount in pounds and pence, like 4.80.") from None
    if not amount.is_finite():
        raise Refused("Enter the amount in pounds and pence, like 4.80.")
    if amount <= 0:
        raise Refused("The amount must be more than £0.")
    if amount != amount.quantize(PENNY):
        raise Refused("Enter the amount with no more than 2 numbers after the point, like 4.80.")
    if amount > EXPENSE_MAX:
        raise Refused("The amount must be £99,999.99 or less.")
    return amount.quantize(PENNY)


def payment_reference_clean(value: str | None) -> str:
    reference = plain_text(value)
    if not reference:
        raise Refused("Enter the payment reference, for example the BACS run number.")
    if len(reference) > REFERENCE_MAX:
        raise Refused(f"The payment reference must be {REFERENCE_MAX} characters or fewer.")
    return reference


# --- The member checks their claim -----------------------------------------------------------


def _refuse_as_it_stands(user, rule: str, claim: InvolvementClaim):
    """Someone else changed ``claim`` first (its conditional update found it moved on):
    refuse with what the rule says of the claim as it is now."""
    raise Refused(why_not(user, rule, claim) or "This claim has changed. Refresh the page.")


def _locked(claim: InvolvementClaim) -> InvolvementClaim:
    """The claim as it is now, locked until the transaction ends (PostgreSQL; SQLite's
    immediate transactions already serialise writers)."""
    return InvolvementClaim.objects.select_for_update().select_related("panel").get(pk=claim.pk)


@kept_with_their_records
def claim_add_expense(
    *,
    claim: InvolvementClaim,
    user,
    kind: str,
    description: str,
    amount,
    receipt: File | None,
) -> Expense:
    """Add money the member spent to take part, with its receipt.

    The same expense (kind, description and amount) twice on one claim is refused, so a
    form sent twice does not claim twice. The receipt is stored with the expense or not at
    all: if storage fails, nothing is saved and the member is told to try again.
    """
    claim = _locked(claim)
    require(user, "coproduce.edit_claim", claim)
    if kind not in Expense.Kind.values:
        raise Refused("Choose what kind of expense it is.")
    description = plain_text(description)
    if not description:
        raise Refused("Enter what the expense was for, for example 'Bus there and back'.")
    if len(description) > DESCRIPTION_MAX:
        raise Refused(f"The description must be {DESCRIPTION_MAX} characters or fewer.")
    amount = expense_amount(amount)
    extension = receipt_extension(receipt)
    if claim.expenses.filter(kind=kind, description__iexact=description, amount=amount).exists():
        raise Refused(
            f"You have already added this expense ({description}, £{amount}). If you had two, "
            "give each its own description, for example 'Bus there' and 'Bus home'."
        )
    expense = Expense(claim=claim, kind=kind, description=description, amount=amount)
    # A random name: the person's own file name may say more than it should.
    try:
        store_upload(expense.receipt, f"{uuid.uuid4().hex}.{extension}", receipt)
    except FileNotStored as failure:
        raise Refused(failure.message) from failure
    expense.save()
    claim.save(update_fields=["updated_at"])
    log(
        claim,
        audit_actions.CLAIM_EXPENSE_ADD,
        user=user,
        data={"expense_id": expense.pk, "kind": kind, "amount": str(amount)},
    )
    return expense


@transaction.atomic
def claim_remove_expense(*, claim: InvolvementClaim, expense_id: int, user) -> InvolvementClaim:
    """Take an expense off a claim, and its receipt out of storage.

    Removing one that is already gone changes nothing, so a form sent twice is harmless.
    """
    claim = _locked(claim)
    require(user, "coproduce.edit_claim", claim)
    expense = claim.expenses.filter(pk=expense_id).first()
    if expense is None:
        return claim
    storage, name = expense.receipt.storage, expense.receipt.name
    data = {"expense_id": expense.pk, "kind": expense.kind, "amount": str(expense.amount)}
    expense.delete()
    # The file goes only once the row is gone for good.
    transaction.on_commit(lambda: storage.delete(name) if name else None)
    claim.save(update_fields=["updated_at"])
    log(claim, audit_actions.CLAIM_EXPENSE_REMOVE, user=user, data=data)
    return claim


@transaction.atomic
def claim_submit(*, claim: InvolvementClaim, user, declaration: bool) -> InvolvementClaim:
    """The member confirms the claim is true and sends it to the panel's lead."""
    claim = _locked(claim)
    require(user, "coproduce.edit_claim", claim)
    if not declaration:
        raise Refused("Confirm that this is a true claim.")
    total = claim.total
    if total <= 0:
        raise Refused(
            "There is nothing to pay on this claim. If you spent money to take part, add "
            "the expense with its receipt first."
        )
    now = timezone.now()
    sent = InvolvementClaim.objects.filter(
        pk=claim.pk, status__in=[Status.DRAFT, Status.RETURNED]
    ).update(status=Status.SUBMITTED, submitted_at=now, updated_at=now)
    if not sent:
        raise Refused("You have already sent this claim. It is waiting for approval.")
    claim.refresh_from_db()
    log(claim, audit_actions.CLAIM_SUBMIT, user=user, data={"total": str(total)})
    return claim


# --- The lead approves or returns it -----------------------------------------------------------


@transaction.atomic
def claim_approve(*, claim: InvolvementClaim, user) -> InvolvementClaim:
    """A lead of the panel approves a submitted claim; the amount to pay is fixed now."""
    claim = _locked(claim)
    require(user, "coproduce.approve_claim", claim)
    amount = claim.total
    now = timezone.now()
    approved = InvolvementClaim.objects.filter(pk=claim.pk, status=Status.SUBMITTED).update(
        status=Status.APPROVED,
        approved_at=now,
        approved_by=user,
        amount_approved=amount,
        updated_at=now,
    )
    if not approved:
        claim.refresh_from_db()
        _refuse_as_it_stands(user, "coproduce.approve_claim", claim)
    claim.refresh_from_db()
    log(claim, audit_actions.CLAIM_APPROVE, user=user, data={"amount_approved": str(amount)})
    _email_member(claim, "approved", f"Your claim {claim.reference} has been approved")
    return claim


@transaction.atomic
def claim_return(*, claim: InvolvementClaim, user, reason: str) -> InvolvementClaim:
    """A lead sends a submitted claim back to the member, saying what to change."""
    reason = plain_text(reason)
    if not reason:
        raise Refused("Enter the reason, so the member knows what to change.")
    if len(reason) > REASON_MAX:
        raise Refused(f"The reason must be {REASON_MAX} characters or fewer.")
    claim = _locked(claim)
    require(user, "coproduce.approve_claim", claim)
    now = timezone.now()
    returned = InvolvementClaim.objects.filter(pk=claim.pk, status=Status.SUBMITTED).update(
        status=Status.RETURNED, return_reason=reason, updated_at=now
    )
    if not returned:
        claim.refresh_from_db()
        _refuse_as_it_stands(user, "coproduce.approve_claim", claim)
    claim.refresh_from_db()
    log(claim, audit_actions.CLAIM_RETURN, user=user, data={"reason": reason})
    _email_member(claim, "returned", f"Your claim {claim.reference} needs a change")
    return claim


# --- Finance pays it ---------------------------------------------------------------------------


@transaction.atomic
def claim_mark_paid(*, claim: InvolvementClaim, user, payment_reference: str) -> InvolvementClaim:
    """Finance (or an administrator) records that an approved claim has been paid.

    The update is conditional on the claim still being approved, so of two people paying
    the same claim at once exactly one succeeds; the other is told when it was paid.
    """
    reference = payment_reference_clean(payment_reference)
    if not can(user, "coproduce.pay_claims"):
        raise Refused("Only finance staff can mark claims paid.")
    claim = InvolvementClaim.objects.select_related("panel").get(pk=claim.pk)
    if not can(user, "coproduce.view_claim", claim):
        raise Refused("Only finance staff for this organisation can mark its claims paid.")
    require(user, "coproduce.pay_claim", claim)
    now = timezone.now()
    paid = InvolvementClaim.objects.filter(pk=claim.pk, status=Status.APPROVED).update(
        status=Status.PAID,
        paid_at=now,
        paid_by=user,
        payment_reference=reference,
        updated_at=now,
    )
    claim.refresh_from_db()
    if not paid:
        _refuse_as_it_stands(user, "coproduce.pay_claim", claim)
    log(
        claim,
        audit_actions.CLAIM_PAY,
        user=user,
        data={"payment_reference": reference, "amount": str(claim.amount_approved)},
    )
    _email_member(claim, "paid", f"Your claim {claim.reference} has been paid")
    return claim


@dataclass
class PaymentRun:
    """What happened to each claim in one bulk payment."""

    paid: list[InvolvementClaim] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)

    @property
    def total_paid(self) -> Decimal:
        return sum((c.amount_approved for c in self.paid), Decimal("0.00"))


@transaction.atomic
def claims_mark_paid(*, claim_ids: Iterable[int], user, payment_reference: str) -> PaymentRun:
    """Mark many approved claims paid with one payment reference (a BACS run, say).

    Each claim is paid on its own terms: one already paid, or not approved, is listed as
    refused with the reason, and the others are paid.
    """
    reference = payment_reference_clean(payment_reference)
    if not can(user, "coproduce.pay_claims"):
        raise Refused("Only finance staff can mark claims paid.")
    ids = sorted({int(pk) for pk in claim_ids})
    if not ids:
        raise Refused("Select the claims you have paid.")
    run = PaymentRun()
    for claim in visible_to(user, InvolvementClaim).filter(pk__in=ids).order_by("pk"):
        try:
            with transaction.atomic():
                run.paid.append(
                    claim_mark_paid(claim=claim, user=user, payment_reference=reference)
                )
        except Refused as refusal:
            run.refused.append((claim.reference, refusal.message))
    return run


# --- Telling the member ---------------------------------------------------------------------


def _email_member(claim: InvolvementClaim, template: str, subject: str) -> None:
    """Email the member about their claim; the queued mail backend sends it from the task
    queue once the change is committed."""
    member = claim.member
    if not member.email:
        return
    context = {
        "claim": claim,
        "name": chosen_name(member) or member.first_name,
        "claim_url": site_address.absolute_url(
            reverse("coproduce:claim_detail", kwargs={"pk": claim.pk})
        ),
    }
    body = render_to_string(f"coproduce/email/claim_{template}.txt", context)
    send_mail(subject, body, None, [member.email])
