"""Reads for payment runs and for claims waiting to be paid: what a run builder, a run's
page, the runs list, the claims list and finance's My space panel show. Always through
``visible_to``, with what each row shows fetched up front, so a page costs the same few
queries with 3 claims or 300.

"Waiting too long" is per organisation: its ``PaymentPolicy.unpaid_warning_days`` (14 when
it has set no policy) after the claim was approved.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cms.permissions import visible_to

from ..choices import PaymentChoice
from ..models import InvolvementClaim, PayeeDetails, PaymentPolicy, PaymentRun

Status = InvolvementClaim.Status
DEFAULT_UNPAID_WARNING_DAYS = PaymentPolicy._meta.get_field("unpaid_warning_days").default
# The most claims one run may hold: a bank's importer and a person checking the list both
# cope with this many; the rest wait for the next run.
RUN_CLAIMS_MAX = 200
ZERO = Decimal("0.00")


def warning_days_expression():
    """The number of days after approval at which a claim's organisation counts it as
    waiting too long, as an expression on a claim."""
    return Coalesce(
        Subquery(
            PaymentPolicy.objects.filter(organisation_id=OuterRef("panel__organisation_id")).values(
                "unpaid_warning_days"
            )[:1]
        ),
        Value(DEFAULT_UNPAID_WARNING_DAYS),
        output_field=IntegerField(),
    )


def unpaid_warning_days(organisation) -> int:
    """How many days an approved claim of ``organisation`` may wait before it is flagged."""
    days = (
        PaymentPolicy.objects.filter(organisation=organisation)
        .values_list("unpaid_warning_days", flat=True)
        .first()
    )
    return days or DEFAULT_UNPAID_WARNING_DAYS


def with_waiting(queryset: QuerySet[InvolvementClaim]) -> QuerySet[InvolvementClaim]:
    """Claims annotated with ``warning_days`` (their organisation's limit), for
    ``days_unpaid`` and ``is_overdue``."""
    return queryset.annotate(warning_days=warning_days_expression())


def days_unpaid(claim, *, now: datetime | None = None) -> int | None:
    """Whole days since an approved, unpaid claim was approved; None otherwise."""
    if claim.status != Status.APPROVED or claim.approved_at is None:
        return None
    now = now or timezone.now()
    return (timezone.localdate(now) - timezone.localdate(claim.approved_at)).days


def is_overdue(claim, *, now: datetime | None = None) -> bool:
    """An approved claim unpaid for longer than its organisation allows (read from the
    ``warning_days`` annotation of ``with_waiting``)."""
    days = days_unpaid(claim, now=now)
    limit = getattr(claim, "warning_days", None) or DEFAULT_UNPAID_WARNING_DAYS
    return days is not None and days > limit


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def overdue_filter(*, now: datetime | None = None) -> Q:
    """Approved claims past their organisation's limit: approved before the start of the
    day that many days ago. Organisations are few, so their limits are read once and
    each becomes a condition of its own (the same filter on SQLite and PostgreSQL)."""
    today = timezone.localdate(now or timezone.now())
    limits = dict(PaymentPolicy.objects.values_list("organisation_id", "unpaid_warning_days"))
    waited = Q(panel__organisation_id__in=list(limits)) & Q(pk__in=[])
    for organisation_id, days in limits.items():
        waited |= Q(
            panel__organisation_id=organisation_id,
            approved_at__lt=_start_of_day(today - timedelta(days=days)),
        )
    waited |= ~Q(panel__organisation_id__in=list(limits)) & Q(
        approved_at__lt=_start_of_day(today - timedelta(days=DEFAULT_UNPAID_WARNING_DAYS))
    )
    return Q(status=Status.APPROVED) & waited


def claims_to_pay_counts(user, *, now: datetime | None = None) -> tuple[int, int]:
    """(approved claims ``user`` may pay that are in no run, those of them waiting too
    long), in one query."""
    queryset = with_waiting(
        visible_to(user, InvolvementClaim)
        .filter(status=Status.APPROVED, payment_run__isnull=True)
        .exclude(member=user)
    )
    counts = queryset.aggregate(
        waiting=Count("pk"), overdue=Count("pk", filter=overdue_filter(now=now))
    )
    return counts["waiting"], counts["overdue"]


# --- Building a run -------------------------------------------------------------------------


@dataclass
class RunPlan:
    """The approved claims of one organisation that a new run could pay, sorted into what
    goes in the bank file, what is paid in vouchers, and what must wait for bank details.
    Each list is oldest approval first."""

    organisation: object
    bank: list[InvolvementClaim] = field(default_factory=list)
    vouchers: list[InvolvementClaim] = field(default_factory=list)
    waiting_for_bank_details: list[InvolvementClaim] = field(default_factory=list)
    warning_days: int = DEFAULT_UNPAID_WARNING_DAYS
    more: bool = False  # more than RUN_CLAIMS_MAX claims wait: the oldest are shown

    @property
    def can_be_paid(self) -> list[InvolvementClaim]:
        return self.bank + self.vouchers

    @property
    def overdue_count(self) -> int:
        return sum(
            1
            for claim in self.bank + self.vouchers + self.waiting_for_bank_details
            if claim.overdue
        )


def by_bank_transfer(claim) -> bool:
    """Members paid by bank transfer, including those paid only their expenses."""
    return claim.payment_choice != PaymentChoice.VOUCHER


def claims_for_a_run(user, organisation) -> QuerySet[InvolvementClaim]:
    """Approved claims of ``organisation`` that ``user`` may pay and no open run holds,
    oldest approval first, each with ``has_bank_details`` and ``warning_days``."""
    return with_waiting(
        visible_to(user, InvolvementClaim)
        .filter(
            status=Status.APPROVED,
            payment_run__isnull=True,
            panel__organisation=organisation,
        )
        .exclude(member=user)
        .select_related("member", "panel", "attendance__meeting")
        .annotate(
            has_bank_details=Exists(PayeeDetails.objects.filter(user_id=OuterRef("member_id")))
        )
        .order_by("approved_at", "pk")
    )


def run_plan(user, organisation, *, now: datetime | None = None) -> RunPlan:
    now = now or timezone.now()
    claims = list(claims_for_a_run(user, organisation)[: RUN_CLAIMS_MAX + 1])
    plan = RunPlan(
        organisation=organisation,
        warning_days=unpaid_warning_days(organisation),
        more=len(claims) > RUN_CLAIMS_MAX,
    )
    for claim in claims[:RUN_CLAIMS_MAX]:
        claim.days_unpaid = days_unpaid(claim, now=now)
        claim.overdue = is_overdue(claim, now=now)
        if not by_bank_transfer(claim):
            plan.vouchers.append(claim)
        elif claim.has_bank_details:
            plan.bank.append(claim)
        else:
            plan.waiting_for_bank_details.append(claim)
    return plan


def organisations_with_claims_to_pay(user) -> QuerySet:
    """The organisations whose approved claims ``user`` may put in a run, by name."""
    from cms.models import Organisation

    return Organisation.objects.filter(
        pk__in=visible_to(user, InvolvementClaim)
        .filter(status=Status.APPROVED, payment_run__isnull=True)
        .exclude(member=user)
        .values("panel__organisation_id")
    ).order_by("name")


# --- Runs -------------------------------------------------------------------------------------


def _money_sum(path: str, **filters):
    return Coalesce(
        Sum(path, filter=Q(**filters) if filters else None),
        Value(ZERO),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def runs_visible_to(user) -> QuerySet[PaymentRun]:
    """The runs ``user`` may see, newest first, with their count and total, who built
    them and who marked them paid."""
    return (
        visible_to(user, PaymentRun)
        .select_related("organisation", "created_by", "marked_paid_by", "bank_file_downloaded_by")
        .annotate(
            claim_count=Count("claims"),
            total=_money_sum("claims__amount_approved"),
        )
        .order_by("-created_at", "-pk")
    )


@dataclass
class RunContents:
    """What a run's page shows: its claims split as the bank file and vouchers see them."""

    run: PaymentRun
    bank: list[InvolvementClaim]
    vouchers: list[InvolvementClaim]
    nothing_to_transfer: list[InvolvementClaim]

    @property
    def claims(self) -> list[InvolvementClaim]:
        return self.bank + self.vouchers + self.nothing_to_transfer

    @property
    def total(self) -> Decimal:
        return sum((c.amount_approved or ZERO for c in self.claims), ZERO)

    @property
    def bank_total(self) -> Decimal:
        return sum((c.amount_approved for c in self.bank), ZERO)

    @property
    def vouchers_total(self) -> Decimal:
        return sum((c.amount_approved for c in self.vouchers), ZERO)

    @property
    def members(self) -> int:
        return len({c.member_id for c in self.claims})


def run_contents(run: PaymentRun) -> RunContents:
    """The claims of ``run`` (found through the run, which the caller found through
    ``runs_visible_to``), oldest approval first."""
    claims = list(
        with_waiting(run.claims.all())
        .select_related("member", "panel", "attendance__meeting")
        .annotate(
            has_bank_details=Exists(PayeeDetails.objects.filter(user_id=OuterRef("member_id")))
        )
        .order_by("approved_at", "pk")
    )
    contents = RunContents(run=run, bank=[], vouchers=[], nothing_to_transfer=[])
    for claim in claims:
        claim.overdue = run.status == PaymentRun.Status.OPEN and is_overdue(claim)
        claim.days_unpaid = days_unpaid(claim)
        if not by_bank_transfer(claim):
            contents.vouchers.append(claim)
        elif (claim.amount_approved or ZERO) <= 0:
            contents.nothing_to_transfer.append(claim)
        else:
            contents.bank.append(claim)
    return contents
