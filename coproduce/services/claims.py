"""Involvement claims from attendance to approval: create, check, submit, approve or return.
``payment_runs`` pays them. Each change of state is logged in Wagtail's audit log and
guarded so that it happens once, even when two people (or two browser tabs) try at the
same moment."""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

import filetype
from django.core.files import File
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from wagtail.log_actions import log

from cms import site_address
from cms.permissions import require, why_not
from cms.sanitise import plain_text
from cms.storage import FileNotStored, kept_with_their_records, save_to_storage, store_upload

from .. import audit_actions
from ..choices import PaymentChoice
from ..models import Attendance, Expense, InvolvementClaim, InvolvementProfile
from ..models.claims import PENNY, money
from ..notices import notify
from ..selectors.claims import chosen_name
from ..storage import receipt_storage
from . import Refused
from .payment_policy import mileage_rate_for

Status = InvolvementClaim.Status

RECEIPT_MAX_BYTES = 5 * 1024 * 1024
# What a receipt may be, judged by the file's first bytes, never by its name.
RECEIPT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
EXPENSE_MAX = Decimal("99999.99")  # the column holds 7 digits
DESCRIPTION_MAX = 200
REASON_MAX = 1000
LINE_REASON_MAX = 500  # the column holding why a line was not allowed in full
# A journey to a meeting and back; more than this is a typing slip, or a talk with the lead.
MILES_MAX = Decimal("1000")
MILES_STEP = Decimal("0.1")


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


def miles_clean(value) -> Decimal:
    """Miles driven, more than none, to a tenth of a mile, as an exact Decimal."""
    text = str(value if value is not None else "").strip().lower()
    for unit in ("miles", "mile", "mi"):
        text = text.removesuffix(unit).strip()
    try:
        miles = Decimal(text.replace(",", ""))
    except (InvalidOperation, ValueError):
        raise Refused("Enter the miles as a number, like 12 or 12.5.") from None
    if not miles.is_finite():
        raise Refused("Enter the miles as a number, like 12 or 12.5.")
    if miles <= 0:
        raise Refused("The miles must be more than 0.")
    if miles != miles.quantize(MILES_STEP):
        raise Refused("Enter the miles with no more than 1 number after the point, like 12.5.")
    if miles > MILES_MAX:
        raise Refused(
            "The miles must be 1,000 or fewer. If you really drove further, talk to the "
            "panel's lead before you claim."
        )
    return miles.quantize(MILES_STEP)


def mileage_amount(miles: Decimal, rate: Decimal) -> Decimal:
    """What a journey is paid: miles times the rate a mile, to the penny, half up."""
    return money(Decimal(miles) * Decimal(rate))


def rate_in_words(rate: Decimal) -> str:
    """A rate a mile as people say it: "45p a mile", "£1.05 a mile"."""
    rate = money(rate)
    if rate < 1:
        return f"{int(rate * 100)}p a mile"
    return f"£{rate:,.2f} a mile"


def miles_in_words(miles: Decimal) -> str:
    text = f"{Decimal(miles):,.1f}".removesuffix(".0")
    return f"{text} mile" if text == "1" else f"{text} miles"


def mileage_in_words(expense: Expense) -> str:
    """How a mileage expense adds up, in words: "12.5 miles at 45p a mile: £5.63". Empty for
    any other expense (or mileage added before miles were asked for)."""
    if expense.kind != Expense.Kind.MILEAGE or expense.miles is None:
        return ""
    return (
        f"{miles_in_words(expense.miles)} at {rate_in_words(expense.mileage_rate)}: "
        f"£{expense.amount:,.2f}"
    )


@dataclass(frozen=True)
class ExpenseLine:
    """One expense as the member, the lead, finance and the remittance show it: what was
    claimed and, once the claim is approved, what was allowed and why."""

    expense: Expense
    mileage: str  # "12.5 miles at 45p a mile: £5.63", or empty

    @property
    def claimed(self) -> Decimal:
        return self.expense.amount

    @property
    def allowed(self) -> Decimal | None:
        return self.expense.approved_amount

    @property
    def decided(self) -> bool:
        return self.expense.approved_amount is not None

    @property
    def reduced(self) -> bool:
        return self.decided and self.expense.approved_amount < self.expense.amount

    @property
    def not_allowed(self) -> bool:
        return self.decided and self.expense.approved_amount == 0

    @property
    def reason(self) -> str:
        return self.expense.decision_reason

    @property
    def decision_in_words(self) -> str:
        """What the lead decided, for the member: empty when allowed in full."""
        if not self.reduced:
            return ""
        if self.not_allowed:
            return f"Not allowed: you claimed £{self.claimed:,.2f}, and nothing is paid for it."
        return f"£{self.allowed:,.2f} allowed of the £{self.claimed:,.2f} you claimed."


def expense_lines(expenses: Iterable[Expense]) -> list[ExpenseLine]:
    return [ExpenseLine(expense, mileage_in_words(expense)) for expense in expenses]


def expenses_allowed(lines: Iterable[ExpenseLine]) -> Decimal:
    """What was allowed of a claim's expenses (each in full, if decided before lines were)."""
    return money(
        sum((line.allowed if line.decided else line.claimed for line in lines), Decimal("0"))
    )


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
    amount=None,
    receipt: File | None = None,
    miles=None,
) -> Expense:
    """Add money the member spent to take part: mileage as miles, anything else as an
    amount with its receipt.

    Mileage is paid at the mileage rate of the panel's organisation, fixed on the expense
    now so a later change of rate does not alter it; it needs no receipt and no amount.
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
    expense = Expense(claim=claim, kind=kind, description=description)
    if kind == Expense.Kind.MILEAGE:
        _mileage_fields(expense, claim=claim, miles=miles, amount=amount, receipt=receipt)
        extension = None
    else:
        if miles not in (None, ""):
            raise Refused(
                "Miles are only for mileage. Leave the miles empty, or choose 'Mileage' if "
                "you drove.",
                field="miles",
            )
        expense.amount = expense_amount(amount)
        extension = receipt_extension(receipt)
    if claim.expenses.filter(
        kind=kind, description__iexact=description, amount=expense.amount
    ).exists():
        raise Refused(
            f"You have already added this expense ({description}, £{expense.amount}). If you "
            "had two, give each its own description, for example 'Bus there' and 'Bus home'."
        )
    if extension:
        # A random name: the person's own file name may say more than it should.
        try:
            store_upload(expense.receipt, f"{uuid.uuid4().hex}.{extension}", receipt)
        except FileNotStored as failure:
            raise Refused(failure.message) from failure
    expense.save()
    claim.save(update_fields=["updated_at"])
    data = {"expense_id": expense.pk, "kind": kind, "amount": str(expense.amount)}
    if expense.miles is not None:
        data |= {"miles": str(expense.miles), "mileage_rate": str(expense.mileage_rate)}
    log(claim, audit_actions.CLAIM_EXPENSE_ADD, user=user, data=data)
    return expense


def _mileage_fields(expense: Expense, *, claim, miles, amount, receipt) -> None:
    """Fill in a mileage expense's miles, rate and amount, refusing what does not belong."""
    if amount not in (None, ""):
        raise Refused(
            "For mileage we work out the amount from the miles, so leave the amount empty. "
            "If you paid a fare, choose the kind of expense that matches it.",
            field="amount",
        )
    if receipt is not None and receipt.size:
        raise Refused(
            "Mileage needs no receipt. Send the form again without the file, or choose "
            "another kind of expense if you have a receipt for it.",
            field="receipt",
        )
    if miles in (None, ""):
        raise Refused("Enter how many miles you drove, for example 12.5.", field="miles")
    expense.miles = miles_clean(miles)
    expense.mileage_rate = mileage_rate_for(claim.panel.organisation_id)
    expense.amount = mileage_amount(expense.miles, expense.mileage_rate)
    if expense.amount <= 0:
        if expense.mileage_rate <= 0:
            raise Refused(
                "This organisation does not pay for mileage. If you paid for parking or "
                "fares, add those instead, or ask the panel's lead."
            )
        raise Refused(
            f"At {rate_in_words(expense.mileage_rate)}, {miles_in_words(expense.miles)} "
            "comes to less than 1p. Check the miles you entered."
        )
    if expense.amount > EXPENSE_MAX:
        raise Refused("The amount must be £99,999.99 or less.")


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


@dataclass(frozen=True)
class LineDecision:
    """What a lead allows of one expense line: an amount from nothing to all of it, and
    why, whenever it is less than was claimed."""

    allowed: Decimal
    reason: str = ""


def line_decision_problem(expense: Expense, decision: LineDecision) -> tuple[str, str] | None:
    """Why ``decision`` cannot stand for ``expense``: the part at fault ("allowed" or
    "reason") and what to do, in words for the lead. None when it can stand."""
    try:
        allowed = Decimal(str(decision.allowed))
    except (InvalidOperation, ValueError):
        allowed = None
    if allowed is None or not allowed.is_finite():
        return "allowed", "Enter the amount to allow in pounds and pence, like 4.80."
    if allowed < 0:
        return (
            "allowed",
            "The amount to allow cannot be less than £0. To allow nothing, choose 'Do not allow'.",
        )
    if allowed != allowed.quantize(PENNY):
        return "allowed", "Enter the amount to allow with no more than 2 numbers after the point."
    if allowed > expense.amount:
        return (
            "allowed",
            f"You cannot allow more than the £{expense.amount:,.2f} claimed. To allow all of "
            "it, choose 'Allow in full'.",
        )
    reason = plain_text(decision.reason)
    if allowed < expense.amount and not reason:
        return "reason", "Enter why you are not allowing all of it. The member will see this."
    if len(reason) > LINE_REASON_MAX:
        return "reason", f"The reason must be {LINE_REASON_MAX} characters or fewer."
    return None


@transaction.atomic
def claim_approve(
    *, claim: InvolvementClaim, user, decisions: Mapping[int, LineDecision] | None = None
) -> InvolvementClaim:
    """A lead of the panel approves a submitted claim; the amount to pay is fixed now.

    ``decisions`` says, by expense id, what is allowed of each expense line; without it
    every line is allowed in full. When given, it must name exactly the claim's lines as
    they are now, so a claim that changed since the lead looked is not approved unseen.
    The fee for the member's time is always paid in full: if the hours are wrong, the lead
    returns the claim. Each line's allowed amount and reason, and the total (the fee and
    what is allowed of the expenses), are fixed together, once.
    """
    claim = _locked(claim)
    require(user, "coproduce.approve_claim", claim)
    expenses = list(claim.expenses.all())
    if decisions is None:
        decisions = {expense.pk: LineDecision(expense.amount) for expense in expenses}
    if set(decisions) != {expense.pk for expense in expenses}:
        raise Refused(
            "The expenses on this claim have changed since you opened it. Check it again, "
            "then approve it."
        )
    for expense in expenses:
        decision = decisions[expense.pk]
        if problem := line_decision_problem(expense, decision):
            raise Refused(f"{expense.description}: {problem[1]}")
        expense.approved_amount = money(str(decision.allowed))
        expense.decision_reason = (
            plain_text(decision.reason) if expense.approved_amount < expense.amount else ""
        )
    amount = money(claim.fee + sum((e.approved_amount for e in expenses), Decimal("0")))
    if amount <= 0:
        raise Refused(
            "Nothing on this claim is allowed, so there is nothing to pay. Return it to the "
            "member instead, saying why."
        )
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
    Expense.objects.bulk_update(expenses, ["approved_amount", "decision_reason"])
    claim.refresh_from_db()
    reduced = [e for e in expenses if e.approved_amount < e.amount]
    data = {"amount_approved": str(amount)}
    if reduced:
        data["lines_reduced"] = [
            {
                "expense_id": e.pk,
                "claimed": str(e.amount),
                "allowed": str(e.approved_amount),
                "reason": e.decision_reason,
            }
            for e in reduced
        ]
    log(claim, audit_actions.CLAIM_APPROVE, user=user, data=data)
    _email_member(
        claim,
        "approved",
        f"Your claim {claim.reference} has been approved",
        extra={"reduced": reduced},
        text=f"Your claim {claim.reference} has been approved: £{amount:,.2f}."
        + (" Some expenses were not paid in full: see your claim." if reduced else ""),
    )
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


# --- Telling the member ---------------------------------------------------------------------


def _email_member(
    claim: InvolvementClaim, template: str, subject: str, *, extra=None, text: str = ""
) -> None:
    """Tell the member about their claim, by the channel they chose; an email goes from the
    task queue once the change is committed."""
    member = claim.member
    context = {
        "claim": claim,
        "name": chosen_name(member) or member.first_name,
        "claim_url": site_address.absolute_url(
            reverse("coproduce:claim_detail", kwargs={"pk": claim.pk})
        ),
        **(extra or {}),
    }
    body = render_to_string(f"coproduce/email/claim_{template}.txt", context)
    notify(
        member,
        "claims",
        subject=subject,
        body=body,
        text=text,
        panel=claim.panel,
        link=context["claim_url"],
    )
