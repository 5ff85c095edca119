"""Reads of involvement claims for pages, panels and the remittance: always through
``visible_to``, with the related rows each page shows fetched up front, so a page costs the
same few queries with 3 claims or 300."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import audit
from cms.permissions import visible_to

from .. import audit_actions
from ..choices import PaymentChoice
from ..models import Expense, InvolvementClaim, InvolvementProfile

Status = InvolvementClaim.Status
NEEDS_MEMBER = (Status.DRAFT, Status.RETURNED)


def chosen_name(member) -> str:
    """The name a member chose to be shown by in their involvement profile, if any."""
    return (
        InvolvementProfile.objects.filter(user_id=member.pk)
        .values_list("display_name", flat=True)
        .first()
        or ""
    )


def name_to_show(member) -> str:
    """The name a member chose to be shown by, else their own name, else their email."""
    return chosen_name(member) or member.get_full_name() or member.email


def hours_in_words(hours: Decimal) -> str:
    """Time as people say it: "2 hours 30 minutes", "1 hour", "45 minutes"."""
    minutes = int((Decimal(hours) * 60).to_integral_value())
    whole, rest = divmod(minutes, 60)
    parts = []
    if whole:
        parts.append(f"{whole} hour{'s' if whole != 1 else ''}")
    if rest or not whole:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def claims_visible_to(user) -> QuerySet[InvolvementClaim]:
    """Every claim ``user`` may see, with what a claim's page or row shows."""
    return (
        visible_to(user, InvolvementClaim)
        .select_related("panel__organisation", "attendance__meeting", "member")
        .prefetch_related("expenses")
    )


def _waits_for_member() -> Q:
    """Claims the member should act on: drafts and returned claims, except the drafts of
    people who chose not to be paid for their time and added no expense, which have
    nothing to claim unless they spent something (they are not nagged about them)."""
    nothing_to_claim = Q(status=Status.DRAFT, payment_choice=PaymentChoice.NOT_PAID) & ~Exists(
        Expense.objects.filter(claim=OuterRef("pk"))
    )
    return Q(status__in=NEEDS_MEMBER) & ~nothing_to_claim


def claims_of_member(user) -> QuerySet[InvolvementClaim]:
    """The person's own claims: those waiting for them first, then the newest meetings."""
    return (
        claims_visible_to(user)
        .filter(member=user)
        .annotate(
            waits_for_member=Case(
                When(_waits_for_member(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-waits_for_member", "-attendance__meeting__starts_at", "-pk")
    )


def tax_year_start(today: date) -> date:
    """The first day of the UK tax year (6 April) that ``today`` falls in."""
    start = date(today.year, 4, 6)
    return start if today >= start else date(today.year - 1, 4, 6)


@dataclass(frozen=True)
class MemberPayments:
    """What "Your payments" on My space shows."""

    to_do: list[InvolvementClaim]
    to_do_count: int
    recent: list[InvolvementClaim]
    paid_this_tax_year: Decimal
    tax_year_start: date


def member_payments(user, *, today: date | None = None, limit: int = 3) -> MemberPayments:
    """Claims waiting for the member, their latest others, and what they were paid this tax
    year (for benefits and tax, the year that matters).

    One query of the claims and one of their expenses, however many claims: each row read
    carries its place among the claims waiting for the member or among their others, and,
    counted over all their claims, how many wait for them and what was paid this tax year.
    """
    today = today or timezone.localdate()
    start = tax_year_start(today)
    start_at = timezone.make_aware(datetime.combine(start, time.min))
    money_field = DecimalField(max_digits=12, decimal_places=2)
    rows = list(
        claims_of_member(user)
        .annotate(
            finished=Case(
                When(status__in=NEEDS_MEMBER, then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            )
        )
        .annotate(
            to_do_place=Window(
                RowNumber(),
                partition_by=[F("waits_for_member")],
                order_by=[F("attendance__meeting__starts_at").desc(), F("pk").desc()],
            ),
            recent_place=Window(
                RowNumber(),
                partition_by=[F("finished")],
                order_by=[F("updated_at").desc(), F("pk").desc()],
            ),
            to_do_count=Window(
                Sum(Case(When(waits_for_member=True, then=Value(1)), default=Value(0)))
            ),
            paid_this_year=Window(
                Sum(
                    Case(
                        When(
                            status=Status.PAID,
                            paid_at__gte=start_at,
                            then=F("amount_approved"),
                        ),
                        default=Value(Decimal("0.00")),
                        output_field=money_field,
                    )
                ),
                output_field=money_field,
            ),
        )
        .filter(
            Q(waits_for_member=True, to_do_place__lte=limit)
            | Q(finished=True, recent_place__lte=limit)
        )
    )
    to_do = sorted((c for c in rows if c.waits_for_member), key=lambda c: c.to_do_place)
    recent = sorted((c for c in rows if c.finished), key=lambda c: c.recent_place)
    # Paid claims are finished, so whenever anything was paid a row carries the total.
    paid = rows[0].paid_this_year if rows else None
    return MemberPayments(
        to_do=to_do,
        to_do_count=rows[0].to_do_count if rows else 0,
        recent=recent,
        paid_this_tax_year=Decimal(paid or 0).quantize(Decimal("0.01")),
        tax_year_start=start,
    )


def claims_waiting_for_approval(user) -> QuerySet[InvolvementClaim]:
    """Submitted claims of the panels ``user`` leads, never their own."""
    return visible_to(user, InvolvementClaim).filter(status=Status.SUBMITTED).exclude(member=user)


def claims_to_pay(user) -> QuerySet[InvolvementClaim]:
    """Approved claims ``user`` may pay (finance sees only approved and paid ones)."""
    return visible_to(user, InvolvementClaim).filter(status=Status.APPROVED).exclude(member=user)


@dataclass(frozen=True)
class HistoryItem:
    """One change in a claim's life, in words for the member."""

    when: datetime
    what: str
    who: str
    reason: str


# Members read their claim's history in their own words; staff names are shown only for
# the decisions a member may want to ask about.
_HISTORY_WORDS = {
    audit_actions.CLAIM_CREATE: ("Claim started after the meeting", False),
    audit_actions.CLAIM_EXPENSE_ADD: ("Expense added", False),
    audit_actions.CLAIM_EXPENSE_REMOVE: ("Expense removed", False),
    audit_actions.CLAIM_SUBMIT: ("Sent for approval", False),
    audit_actions.CLAIM_RETURN: ("Returned to you", True),
    audit_actions.CLAIM_APPROVE: ("Approved", True),
    audit_actions.CLAIM_PAY: ("Paid", False),
}


def claim_history(claim: InvolvementClaim) -> list[HistoryItem]:
    """The claim's changes of state from Wagtail's audit log, oldest first."""
    entries = (
        ModelLogEntry.objects.for_instance(claim)
        .filter(action__in=list(_HISTORY_WORDS))
        .select_related("user")
        .order_by("timestamp", "pk")
    )
    items = []
    for entry in entries:
        what, named = _HISTORY_WORDS[entry.action]
        who = ""
        if named and entry.user is not None:
            who = entry.user.get_full_name() or ""
        items.append(
            HistoryItem(
                when=entry.timestamp,
                what=what,
                who=who,
                reason=(entry.data or {}).get("reason", ""),
            )
        )
    return items


def claims_to_pay_listing(user) -> QuerySet[InvolvementClaim]:
    """Approved claims ``user`` may pay, oldest approval first, with what a row shows."""
    return (
        claims_to_pay(user)
        .select_related("member", "panel__organisation", "attendance__meeting")
        .order_by("approved_at", "pk")
    )


@dataclass(frozen=True)
class StaffHistoryItem:
    """One entry of a claim's audit log, for staff: who did what, when, and any reason."""

    when: datetime
    what: str
    who: str
    detail: str


def claim_staff_history(claim: InvolvementClaim, *, limit: int = 50) -> list[StaffHistoryItem]:
    """The claim's latest log entries, newest first, in the log's own words."""
    entries = (
        ModelLogEntry.objects.for_instance(claim)
        # What was done to it; who merely looked is on the person's "who looked" page.
        .exclude(action=audit.VIEW)
        .select_related("user")
        .order_by("-timestamp", "-pk")[:limit]
    )
    items = []
    for entry in entries:
        data = entry.data or {}
        detail = data.get("reason") or data.get("payment_reference") or ""
        if "amount_approved" in data:
            detail = f"£{data['amount_approved']}"
        items.append(
            StaffHistoryItem(
                when=entry.timestamp,
                what=audit_actions.ACTIONS.get(entry.action, (entry.action, entry.action))[1],
                who=entry.user_display_name,
                detail=detail,
            )
        )
    return items
