"""What each commitment is measured by, the dated targets it aims for, and the readings
taken over time (computed from the platform's own data, or entered by HR)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Measure(models.Model):
    """A number that shows whether a commitment is being kept."""

    class Unit(models.TextChoices):
        COUNT = "count", "Count (people or things)"
        PERCENT = "percent", "Percentage"
        DAYS = "days", "Days"
        POUNDS = "pounds", "Pounds (£)"

    class Better(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUALLY = "annually", "Annually (financial year, April to March)"

    class Source(models.TextChoices):
        COMPUTED = "computed", "Computed from the platform's own data"
        ENTERED = "entered", "Entered by HR, with a note and evidence"

    commitment = models.ForeignKey(
        "charter.Commitment", on_delete=models.CASCADE, related_name="measures"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Plain text: how it is counted.")
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    better = models.CharField(
        "Which direction is better", max_length=10, choices=Better.choices, default=Better.HIGHER
    )
    frequency = models.CharField(
        "How often", max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    source = models.CharField(
        "Where the number comes from", max_length=10, choices=Source.choices, default=Source.ENTERED
    )
    calculation = models.CharField(
        max_length=80,
        blank=True,
        help_text="For a computed measure: which of the platform's calculations gives it.",
    )
    baseline = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The value when the charter was adopted, where known. The trajectory to the "
        "first target starts here.",
    )
    baseline_on = models.DateField(
        "Baseline date",
        null=True,
        blank=True,
        help_text="The day the baseline was true. Leave empty to use the charter's adoption date.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["commitment", "sort_order", "pk"]

    def __str__(self):
        return self.name

    @property
    def is_computed(self) -> bool:
        return self.source == self.Source.COMPUTED

    def clean(self):
        from ..calculations import calculation_names

        if self.source == self.Source.COMPUTED:
            if self.calculation not in calculation_names():
                raise ValidationError(
                    {"calculation": "Choose the calculation that gives this measure"}
                )
        elif self.calculation:
            raise ValidationError(
                {"calculation": "Leave the calculation empty for a measure HR enters by hand"}
            )


class Target(models.Model):
    """A dated milestone: the value a measure should reach by a day ("60 by April 2027")."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="targets")
    due_on = models.DateField("Target date")
    value = models.DecimalField("Target value", max_digits=12, decimal_places=2)
    note = models.CharField(
        max_length=255, blank=True, help_text="In words, for example '30 people in paid work'."
    )

    class Meta:
        ordering = ["measure", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "due_on"], name="charter_target_once_a_day")
        ]

    def __str__(self):
        return f"{self.value} by {self.due_on:%d %b %Y}"


class Reading(models.Model):
    """A measure's value for one period: computed (and snapshotted, once a period) or
    entered by HR. A percentage keeps its numerator and denominator, so small numbers can be
    held back on the public page."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="readings")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    evidence = models.ForeignKey(
        "charter.Evidence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="readings",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    computed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["measure", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period_start", "period_end"],
                name="charter_one_reading_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="charter_reading_period_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.measure}: {self.value} ({self.period_start} to {self.period_end})"
