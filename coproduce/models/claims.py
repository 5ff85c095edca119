"""Involvement claims: paying members for their time and expenses, quickly and once.

A claim starts as a draft when a lead records that a member attended a meeting. The member
checks it and adds expenses (each with a receipt), the lead approves it or returns it with a
reason, and finance pays it. Amounts are Decimal; the approved total is fixed at approval so
that finance pays exactly what was approved.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from ..choices import PaymentChoice
from ..storage import receipt_storage

PENNY = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


class InvolvementClaim(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Waiting for you to check"
        SUBMITTED = "submitted", "Waiting for approval"
        RETURNED = "returned", "Returned to you"
        APPROVED = "approved", "Approved, waiting for payment"
        PAID = "paid", "Paid"

    attendance = models.OneToOneField(
        "coproduce.Attendance", on_delete=models.PROTECT, related_name="claim"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="involvement_claims"
    )
    panel = models.ForeignKey("coproduce.Panel", on_delete=models.PROTECT, related_name="claims")
    hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )
    hourly_rate = models.DecimalField(max_digits=6, decimal_places=2)
    payment_choice = models.CharField(max_length=10, choices=PaymentChoice.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amount_approved = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payment_reference = models.CharField(max_length=60, blank=True)
    payment_run = models.ForeignKey(
        "coproduce.PaymentRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gte=0) & models.Q(hours__lte=24),
                name="coproduce_claim_hours_in_a_day",
            ),
            models.CheckConstraint(
                condition=models.Q(hourly_rate__gte=0), name="coproduce_claim_rate_not_negative"
            ),
            # A paid claim always says when it was paid and how much had been approved.
            models.CheckConstraint(
                condition=~models.Q(status="paid")
                | (models.Q(paid_at__isnull=False) & models.Q(amount_approved__isnull=False)),
                name="coproduce_paid_claim_has_payment",
            ),
        ]

    def __str__(self):
        return f"Claim {self.reference}"

    @property
    def reference(self) -> str:
        return f"IC-{self.pk:06d}" if self.pk else "IC-new"

    @property
    def fee(self) -> Decimal:
        """Payment for time: nothing for people who chose not to be paid."""
        if self.payment_choice == PaymentChoice.NOT_PAID:
            return money(0)
        return money(self.hours * self.hourly_rate)

    @property
    def expenses_total(self) -> Decimal:
        return money(sum((e.amount for e in self.expenses.all()), Decimal("0")))

    @property
    def total(self) -> Decimal:
        return money(self.fee + self.expenses_total)

    @property
    def is_editable_by_member(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class Expense(models.Model):
    """Money a member spent to take part, with a receipt (image or PDF)."""

    class Kind(models.TextChoices):
        TRAVEL = "travel", "Travel (bus, train, taxi)"
        MILEAGE = "mileage", "Mileage (miles you drove)"
        PARKING = "parking", "Parking"
        CARE = "care", "Care or childcare cover"
        MEALS = "meals", "Food and drink"
        OTHER = "other", "Something else"

    claim = models.ForeignKey(InvolvementClaim, on_delete=models.CASCADE, related_name="expenses")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(PENNY)]
    )
    # Mileage needs no receipt: its amount is miles times the rate fixed when it was added.
    receipt = models.FileField(storage=receipt_storage, upload_to="receipts/%Y/%m/", blank=True)
    miles = models.DecimalField(
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    mileage_rate = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    # The lead's decision on this line: empty until the claim is approved, then the amount
    # allowed (all, part or none of it) and, when less than claimed, why.
    approved_amount = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="coproduce_expense_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(approved_amount__isnull=True)
                | (
                    models.Q(approved_amount__gte=0)
                    & models.Q(approved_amount__lte=models.F("amount"))
                ),
                name="coproduce_expense_approved_within_claimed",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="mileage")
                | models.Q(miles__isnull=True)
                | models.Q(mileage_rate__isnull=False),
                name="coproduce_mileage_has_rate",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: £{self.amount}"
