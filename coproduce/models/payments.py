"""Paying members properly: each organisation's payment policy, a member's payee details
(kept encrypted), and the payment runs finance builds from approved claims.

Bank details are stored only as ``cms.encryption`` ciphertext; the last digits kept beside
them are all that staff other than finance ever see. Reading them in full goes through
``coproduce.services.payees``, which checks the reader is finance and audits every read.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class PaymentPolicy(models.Model):
    """How an organisation pays for involvement: set by its finance staff in the admin."""

    organisation = models.OneToOneField(
        "cms.Organisation", on_delete=models.CASCADE, related_name="payment_policy"
    )
    mileage_rate = models.DecimalField(
        "Mileage rate (£ a mile)",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.45"),
        validators=[MinValueValidator(Decimal("0.00")), MaxValueValidator(Decimal("5.00"))],
        help_text="What a member is paid for each mile they drive to take part. HMRC's "
        "approved rate for cars is 45p a mile for the first 10,000 miles in a tax year.",
    )
    unpaid_warning_days = models.PositiveSmallIntegerField(
        "Warn when an approved claim is unpaid after (days)",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "payment policy"
        verbose_name_plural = "payment policies"

    def __str__(self):
        return f"Payment policy of {self.organisation}"


class PayeeDetails(models.Model):
    """Where a member's payments go, when they chose to be paid by bank transfer.

    ``account_name``, ``sort_code`` and ``account_number`` hold ``cms.encryption``
    ciphertext only. The last digits are kept in clear so a masked form ("sort code
    ••-••-56, account ending 4321") can be shown without decrypting.
    """

    class ModulusCheck(models.TextChoices):
        PASSED = "passed", "Passed the UK bank account check"
        CONFIRMED = "confirmed", "Did not pass the check; the member confirmed the details"
        NOT_CHECKED = "not_checked", "Not checked (no check exists for this sort code)"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payee_details"
    )
    account_name = models.TextField()
    sort_code = models.TextField()
    account_number = models.TextField()
    sort_code_last_digits = models.CharField(max_length=2)
    account_number_last_digits = models.CharField(max_length=4)
    modulus_check = models.CharField(
        max_length=12, choices=ModulusCheck.choices, default=ModulusCheck.NOT_CHECKED
    )
    # Finance may type the details in from a form the member sent; the member is told.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_by_finance = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "payee details"
        verbose_name_plural = "payee details"

    def __str__(self):
        return f"Bank account ending {self.account_number_last_digits}"

    @property
    def masked_sort_code(self) -> str:
        return f"••-••-{self.sort_code_last_digits}"

    @property
    def masked_account_number(self) -> str:
        return f"••••{self.account_number_last_digits}"


class PaymentRun(models.Model):
    """Approved claims finance pays together: built, its bank file downloaded, then marked
    paid on the day the money went, which tells each member and dates their remittance."""

    class Status(models.TextChoices):
        OPEN = "open", "Being prepared"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    organisation = models.ForeignKey(
        "cms.Organisation", on_delete=models.PROTECT, related_name="payment_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    bank_file_downloaded_at = models.DateTimeField(null=True, blank=True)
    bank_file_downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_on = models.DateField(null=True, blank=True)
    marked_paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_on__isnull=False),
                name="coproduce_paid_run_has_date",
            )
        ]

    def __str__(self):
        return f"Payment run {self.reference}"

    @property
    def reference(self) -> str:
        """The reference on the bank file and on every remittance in the run."""
        return f"PR-{self.pk:06d}" if self.pk else "PR-new"
