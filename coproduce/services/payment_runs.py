"""Payment runs: the one way finance pays approved claims.

Finance builds a run from an organisation's approved claims, downloads its bank upload file
(``coproduce.bank_file``), pays it in their online banking, then marks the run paid on the
day the money went: every claim in it is paid with the run's reference, and each member is
told once, with all their claims. Claims of members who chose vouchers travel in the run
but not in the bank file. A run can be cancelled while it is open; its claims go back to
waiting for a run.

A claim is in at most one open run, even when two people build runs at the same moment:
claims join a run by a conditional update that takes only claims no run holds. Every step
is written to the audit log against the run, and each claim's payment to the claim's log.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from cms import audit, site_address
from cms.dates import day_in_words
from cms.permissions import require, visible_to, why_not

from .. import audit_actions
from ..bank_file import BankPayment, bacs_text, payment_reference
from ..models import InvolvementClaim, PaymentRun
from ..notices import notify
from ..selectors.claims import chosen_name
from ..selectors.payment_runs import RUN_CLAIMS_MAX, by_bank_transfer, claims_for_a_run
from . import Refused

Status = InvolvementClaim.Status
RunStatus = PaymentRun.Status
# A claim's paid_at is the middle of the day the money went, so the date reads the same
# in any time zone the site shows it in.
PAID_AT_TIME = time(12, 0)


def _locked_run(run: PaymentRun) -> PaymentRun:
    return PaymentRun.objects.select_for_update().select_related("organisation").get(pk=run.pk)


def _refuse_unless_open(run: PaymentRun, doing: str) -> None:
    if run.status == RunStatus.PAID:
        raise Refused(
            f"Payment run {run.reference} was marked paid on {day_in_words(run.paid_on)}, "
            f"so it cannot be {doing}."
        )
    if run.status == RunStatus.CANCELLED:
        raise Refused(f"Payment run {run.reference} was cancelled, so it cannot be {doing}.")


# --- Building a run -------------------------------------------------------------------------


@dataclass
class BuildResult:
    """The run made, and the chosen claims left out of it, each with the reason."""

    run: PaymentRun
    added: int
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (claim reference, why)


@transaction.atomic
def payment_run_build(*, user, organisation, claim_ids) -> BuildResult:
    """Make an open run of ``organisation`` holding the chosen approved claims.

    Claims that cannot go in are left out with the reason: paid, in another run, or needing
    a bank transfer to a member with no bank details. When none can, nothing is made.
    """
    require(user, "coproduce.manage_payment_runs", organisation)
    try:
        ids = sorted({int(pk) for pk in claim_ids})
    except (TypeError, ValueError):
        raise Refused("Choose the claims to pay from the list.") from None
    if not ids:
        raise Refused("Choose at least one claim to pay in this run.")
    if len(ids) > RUN_CLAIMS_MAX:
        raise Refused(f"A run can pay up to {RUN_CLAIMS_MAX} claims. Choose fewer.")
    candidates = {claim.pk: claim for claim in claims_for_a_run(user, organisation)}
    chosen = [candidates[pk] for pk in ids if pk in candidates]
    payable = [c for c in chosen if not by_bank_transfer(c) or c.has_bank_details]
    left_out = [
        (c.reference, "Waiting for bank details: the member has not given them yet.")
        for c in chosen
        if c not in payable
    ]
    gone = [pk for pk in ids if pk not in candidates]
    if gone:
        for claim in visible_to(user, InvolvementClaim).filter(pk__in=gone).order_by("pk"):
            left_out.append((claim.reference, _why_not_available(user, claim)))
    if not payable:
        raise Refused(
            "None of the chosen claims can be paid in a run now. "
            + (
                " ".join(f"{reference}: {why}" for reference, why in left_out)
                or "Refresh the page to see the claims waiting to be paid."
            )
        )
    run = PaymentRun.objects.create(organisation=organisation, created_by=user)
    # Only claims still approved and in no run join: of two runs built at the same moment,
    # each claim goes in exactly one.
    joined = InvolvementClaim.objects.filter(
        pk__in=[c.pk for c in payable], status=Status.APPROVED, payment_run__isnull=True
    ).update(payment_run=run, updated_at=timezone.now())
    if joined < len(payable):
        taken = set(
            InvolvementClaim.objects.filter(pk__in=[c.pk for c in payable])
            .exclude(payment_run=run)
            .values_list("pk", flat=True)
        )
        left_out += [
            (c.reference, "Someone else put it in another run, or paid it, just now.")
            for c in payable
            if c.pk in taken
        ]
    if not joined:
        raise Refused(
            "Someone else put these claims in another run, or paid them, just now. "
            "Refresh the page to see the claims still waiting."
        )
    audit.audit_change(
        user=user,
        instance=run,
        reason=f"Built payment run {run.reference} with {joined} claim{'s' if joined != 1 else ''}",
        fields=["claims"],
    )
    return BuildResult(run=run, added=joined, left_out=left_out)


def _why_not_available(user, claim: InvolvementClaim) -> str:
    """Why a claim ``user`` can see cannot join a new run: the payment rule's own words."""
    if claim.status == Status.APPROVED and claim.payment_run_id:
        return "It is already in another payment run."
    return (
        why_not(user, "coproduce.pay_claim", claim)
        or "It is not an approved claim of this organisation waiting to be paid."
    )


# --- Cancelling ---------------------------------------------------------------------------------


@transaction.atomic
def payment_run_cancel(*, run: PaymentRun, user) -> PaymentRun:
    """Cancel an open run: its claims go back to waiting for a run, unchanged."""
    run = _locked_run(run)
    require(user, "coproduce.manage_payment_runs", run)
    _refuse_unless_open(run, "cancelled")
    now = timezone.now()
    cancelled = PaymentRun.objects.filter(pk=run.pk, status=RunStatus.OPEN).update(
        status=RunStatus.CANCELLED, cancelled_at=now
    )
    if not cancelled:
        run.refresh_from_db()
        _refuse_unless_open(run, "cancelled")
    released = InvolvementClaim.objects.filter(payment_run=run, status=Status.APPROVED).update(
        payment_run=None, updated_at=now
    )
    run.refresh_from_db()
    audit.audit_change(
        user=user,
        instance=run,
        reason=f"Cancelled payment run {run.reference}; {released} claim"
        f"{'s' if released != 1 else ''} went back to waiting for payment",
        fields=["status"],
    )
    return run


# --- The bank file --------------------------------------------------------------------------------


@transaction.atomic
def payment_run_bank_file(*, run: PaymentRun, user) -> list[BankPayment]:
    """The bank upload file's payments for an open run, one per claim paid by transfer.

    Full bank details are read only here, through ``payees.bank_details_for``, which checks
    the reader and audits each member's details read; the download itself is logged as an
    export against the run. Refused when a member's bank details have gone since the run
    was built: the file would not pay everyone the run will mark paid.
    """
    from .payees import bank_details_for

    run = _locked_run(run)
    require(user, "coproduce.manage_payment_runs", run)
    _refuse_unless_open(run, "downloaded again")
    claims = [
        claim
        for claim in run.claims.select_related("member").order_by("approved_at", "pk")
        if by_bank_transfer(claim) and (claim.amount_approved or 0) > 0
    ]
    members = list({claim.member_id: claim.member for claim in claims}.values())
    details = (
        bank_details_for(
            members, user=user, reason=f"Bank upload file of payment run {run.reference}"
        )
        if members
        else {}
    )
    missing = [claim.reference for claim in claims if claim.member_id not in details]
    if missing:
        raise Refused(
            f"No bank details for {', '.join(missing)}: the member removed them after the "
            "run was built. Cancel this run and build it again; those claims will wait "
            "for bank details."
        )
    payments = [
        BankPayment(
            name=bacs_text(details[claim.member_id].account_name),
            sort_code=details[claim.member_id].sort_code,
            account_number=details[claim.member_id].account_number,
            amount=claim.amount_approved,
            reference=payment_reference(run.reference, claim.reference),
        )
        for claim in claims
    ]
    PaymentRun.objects.filter(pk=run.pk).update(
        bank_file_downloaded_at=timezone.now(), bank_file_downloaded_by=user
    )
    audit.audit_export(
        user=user,
        instance=run,
        reason=f"Downloaded the bank upload file of payment run {run.reference}",
        count=len(payments),
    )
    return payments


# --- Marking it paid ------------------------------------------------------------------------------


def paid_on_refusal(run: PaymentRun, paid_on: date | None, *, today: date) -> str | None:
    """Why ``paid_on`` cannot be the day ``run`` was paid, or None."""
    if paid_on is None:
        return "Enter the date the money was sent, for example 31/3/2026."
    if paid_on > today:
        return "The date the money was sent must be today or in the past."
    built = timezone.localdate(run.created_at)
    if paid_on < built:
        return (
            f"The date the money was sent cannot be before the run was built, on "
            f"{day_in_words(built)}."
        )
    return None


@transaction.atomic
def payment_run_mark_paid(
    *, run: PaymentRun, user, paid_on: date, today: date | None = None
) -> PaymentRun:
    """Record that the money of an open run went on ``paid_on``: every claim in it is paid
    with the run's reference, and each member is told once, listing their claims."""
    run = _locked_run(run)
    require(user, "coproduce.manage_payment_runs", run)
    _refuse_unless_open(run, "marked paid again")
    refusal = paid_on_refusal(run, paid_on, today=today or timezone.localdate())
    if refusal:
        raise Refused(refusal, field="paid_on")
    own = run.claims.filter(member=user).values_list("pk", flat=True).first()
    if own:
        raise Refused(
            "This run holds your own claim, so someone else in finance must mark it paid."
        )
    now = timezone.now()
    marked = PaymentRun.objects.filter(pk=run.pk, status=RunStatus.OPEN).update(
        status=RunStatus.PAID, paid_on=paid_on, marked_paid_by=user, marked_paid_at=now
    )
    if not marked:
        run.refresh_from_db()
        _refuse_unless_open(run, "marked paid again")
    paid_at = timezone.make_aware(datetime.combine(paid_on, PAID_AT_TIME))
    InvolvementClaim.objects.filter(payment_run=run, status=Status.APPROVED).update(
        status=Status.PAID,
        paid_at=paid_at,
        paid_by=user,
        payment_reference=run.reference,
        updated_at=now,
    )
    run.refresh_from_db()
    claims = list(
        run.claims.filter(status=Status.PAID)
        .select_related("member", "panel__organisation", "attendance__meeting")
        .order_by("member_id", "attendance__meeting__starts_at", "pk")
    )
    for claim in claims:
        log(
            claim,
            audit_actions.CLAIM_PAY,
            user=user,
            data={"payment_reference": run.reference, "amount": str(claim.amount_approved)},
        )
    audit.audit_change(
        user=user,
        instance=run,
        reason=f"Marked payment run {run.reference} paid on {day_in_words(paid_on)}",
        fields=["status", "paid_on"],
    )
    _tell_members(run, claims)
    return run


def _tell_members(run: PaymentRun, claims: list[InvolvementClaim]) -> None:
    """One notice to each member of the run, listing all their claims it paid."""
    by_member: dict[int, list[InvolvementClaim]] = {}
    for claim in claims:
        by_member.setdefault(claim.member_id, []).append(claim)
    for member_claims in by_member.values():
        member = member_claims[0].member
        total = sum(c.amount_approved for c in member_claims)
        several = len(member_claims) > 1
        subject = (
            f"We have paid {len(member_claims)} of your claims"
            if several
            else f"Your claim {member_claims[0].reference} has been paid"
        )
        body = render_to_string(
            "coproduce/admin/payment_runs/member_paid_email.txt",
            {
                "name": chosen_name(member) or member.first_name,
                "run": run,
                "claims": [
                    (
                        claim,
                        site_address.absolute_url(
                            reverse("coproduce:claim_detail", kwargs={"pk": claim.pk})
                        ),
                    )
                    for claim in member_claims
                ],
                "total": total,
                "organisation": run.organisation.name,
                "vouchers": all(not by_bank_transfer(c) for c in member_claims),
                "some_vouchers": any(not by_bank_transfer(c) for c in member_claims),
            },
        )
        notify(
            member,
            "claims",
            subject=subject,
            body=body,
            text=f"{run.organisation.name} has paid you £{total:,.2f} (reference "
            f"{run.reference}). Your remittance is on the site.",
        )
