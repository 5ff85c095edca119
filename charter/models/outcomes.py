"""Partnership outcomes: programmes (interventions the whole partnership runs, such as peer
mentoring after a hospital stay), the outcome measures each is judged by, figures compared
before and after it, and dated partnership targets.

They belong to the partnership, not to one organisation's charter: a programme may be led
by some organisations and delivered through offers and peer-worker teams of several.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from cms.dates import day_in_words
from cms.slugs import refuse_reserved, unique_slug

# Addresses under /outcomes/ that belong to no programme (kept free for pages to come).
RESERVED_SLUGS = frozenset({"programmes", "targets", "about"})


class Programme(models.Model):
    """An intervention or programme the partnership runs, and whose outcomes it reports."""

    RESERVED_SLUGS = RESERVED_SLUGS

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=120,
        unique=True,
        blank=True,
        help_text="The last part of its web address, /outcomes/…/. Leave empty to make it "
        "from the name.",
    )
    summary = models.TextField(help_text="Plain text: what it is, in one or two sentences.")
    description = models.TextField(
        blank=True, help_text="Plain text: who it is for, how it works and who delivers it."
    )
    published = models.BooleanField(
        default=False, help_text="Show this programme on the public outcomes page."
    )
    lead_organisations = models.ManyToManyField(
        "cms.Organisation",
        blank=True,
        related_name="programmes_led",
        verbose_name="Led by",
        help_text="Leave empty for a programme of the whole partnership.",
    )
    offers = models.ManyToManyField(
        "cms.OfferPage",
        blank=True,
        related_name="programmes",
        help_text="The offers in the directory that deliver it.",
    )
    teams = models.ManyToManyField(
        "peers.Team",
        blank=True,
        related_name="programmes",
        verbose_name="Peer-worker teams",
        help_text="The peer-worker teams that deliver it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                Programme.objects.exclude(pk=self.pk),
                self.name,
                reserved=self.RESERVED_SLUGS,
                max_length=100,
                fallback="programme",
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("outcomes:programme", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.slug:
            try:
                refuse_reserved(self.slug, self.RESERVED_SLUGS, address="/outcomes/")
            except ValidationError as error:
                raise ValidationError({"slug": error.messages}) from None


class OutcomeMeasure(models.Model):
    """What a programme is judged by, compared before and after it: a count (bed days) or a
    rate (contacts per 1,000 people)."""

    class Kind(models.TextChoices):
        COUNT = "count", "A count"
        RATE = "rate", "A rate (a number out of a number of people)"

    class Better(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="measures")
    name = models.CharField(max_length=200)
    counted = models.TextField(
        "What is counted",
        help_text="Plain text, for example 'Days spent in a mental health hospital bed by "
        "the people mentored'.",
    )
    kind = models.CharField(
        "Count or rate", max_length=10, choices=Kind.choices, default=Kind.COUNT
    )
    per = models.PositiveIntegerField(
        "Per how many people",
        null=True,
        blank=True,
        help_text="For a rate: 100 for a percentage, or 1,000 for 'per 1,000 people'.",
    )
    better = models.CharField(
        "Which direction is better", max_length=10, choices=Better.choices, default=Better.LOWER
    )
    method = models.TextField(
        "Method in words",
        help_text="Plain text: where the figures come from and how they were counted.",
    )
    baseline = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="For dated targets: where the partnership started, where known.",
    )
    baseline_on = models.DateField(
        "Baseline date", null=True, blank=True, help_text="The day the baseline was true."
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["programme", "sort_order", "pk"]

    def __str__(self):
        return f"{self.name} ({self.programme})" if self.programme_id else self.name

    @property
    def is_rate(self) -> bool:
        return self.kind == self.Kind.RATE

    def clean(self):
        super().clean()
        errors = {}
        if self.is_rate and not self.per:
            errors["per"] = "Enter how many people the rate is per: 100 for a percentage"
        if not self.is_rate and self.per:
            errors["per"] = "Leave this empty for a count"
        if self.baseline is not None and self.baseline < 0:
            errors["baseline"] = "Enter a baseline of 0 or more"
        if (self.baseline is None) != (self.baseline_on is None):
            field = "baseline_on" if self.baseline_on is None else "baseline"
            errors[field] = "Enter both the baseline and the day it was true, or neither"
        if errors:
            raise ValidationError(errors)


class Comparison(models.Model):
    """One outcome measure's figure before the programme and after it, each over a period
    that has ended. A rate keeps its numerator and denominator, so small numbers can be held
    back; the change and % change are always worked out (``charter.change``), never typed."""

    class Source(models.TextChoices):
        COMPUTED = "computed", "Computed from the platform's own data"
        ENTERED = "entered", "Entered by hand"

    measure = models.ForeignKey(
        OutcomeMeasure, on_delete=models.CASCADE, related_name="comparisons"
    )
    before_start = models.DateField("Before: from")
    before_end = models.DateField("Before: to")
    before_value = models.DecimalField(
        "Before: figure",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="For a count. For a rate, enter the numbers below and the rate is worked out.",
    )
    before_numerator = models.PositiveIntegerField("Before: how many", null=True, blank=True)
    before_denominator = models.PositiveIntegerField("Before: out of", null=True, blank=True)
    after_start = models.DateField("After: from")
    after_end = models.DateField("After: to")
    after_value = models.DecimalField(
        "After: figure", max_digits=14, decimal_places=2, null=True, blank=True
    )
    after_numerator = models.PositiveIntegerField("After: how many", null=True, blank=True)
    after_denominator = models.PositiveIntegerField("After: out of", null=True, blank=True)
    source = models.CharField(
        "Where the figures come from",
        max_length=10,
        choices=Source.choices,
        default=Source.ENTERED,
    )
    note = models.TextField(
        blank=True, help_text="Plain text: the source of entered figures, and anything to know."
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["measure", "-after_end", "pk"]
        verbose_name = "before and after figures"
        verbose_name_plural = "before and after figures"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(before_end__gte=models.F("before_start"))
                & models.Q(after_end__gte=models.F("after_start")),
                name="charter_comparison_periods_end_after_they_start",
                violation_error_message="Each period must end on or after the day it starts",
            ),
            models.CheckConstraint(
                condition=models.Q(after_start__gt=models.F("before_end")),
                name="charter_comparison_after_follows_before",
                violation_error_message="The after period must start after the before period ends",
            ),
            models.CheckConstraint(
                condition=(models.Q(before_value__gte=0) | models.Q(before_value__isnull=True))
                & (models.Q(after_value__gte=0) | models.Q(after_value__isnull=True)),
                name="charter_comparison_figures_not_negative",
                violation_error_message="Enter figures of 0 or more: a count cannot be negative",
            ),
        ]

    def __str__(self):
        return f"{self.measure.name}: {self.before_end.year} and {self.after_end.year}"

    def clean(self):
        """The periods in order and over, the figures 0 or more; for a rate, its numbers
        (the rate itself is worked out by ``charter.change.rate``)."""
        from ..change import rate

        super().clean()
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.before_start and self.before_end and self.before_end < self.before_start:
            errors["before_end"] = "The before period must end on or after the day it starts"
        if self.after_start and self.after_end and self.after_end < self.after_start:
            errors["after_end"] = "The after period must end on or after the day it starts"
        if self.before_end and self.after_start and self.after_start <= self.before_end:
            errors["after_start"] = (
                f"The after period must start after the before period ends "
                f"({day_in_words(self.before_end)})"
            )
        for field in ("before_end", "after_end"):
            day = getattr(self, field)
            if day and day > today and field not in errors:
                errors[field] = (
                    f"{day_in_words(day)} is in the future. Enter figures for a period that "
                    "has ended"
                )
        measure = self.measure if self.measure_id else None
        for side in ("before", "after"):
            value = getattr(self, f"{side}_value")
            numerator = getattr(self, f"{side}_numerator")
            denominator = getattr(self, f"{side}_denominator")
            if measure is not None and measure.is_rate:
                if numerator is None:
                    errors[f"{side}_numerator"] = "Enter how many people (or things) were counted"
                if not denominator:
                    errors[f"{side}_denominator"] = "Enter how many people it is out of (1 or more)"
                if numerator is not None and denominator and measure.per:
                    setattr(self, f"{side}_value", rate(numerator, denominator, measure.per))
            elif measure is not None:
                if value is None:
                    errors[f"{side}_value"] = "Enter the figure"
                if numerator is not None or denominator is not None:
                    errors[f"{side}_numerator"] = "Leave these empty for a count"
            if value is not None and value < 0 and not (measure and measure.is_rate):
                errors[f"{side}_value"] = "Enter a figure of 0 or more: a count cannot be negative"
        if errors:
            raise ValidationError(errors)

    @property
    def is_entered(self) -> bool:
        return self.source == self.Source.ENTERED


class OutcomeTarget(models.Model):
    """A dated partnership target on an outcome measure ("200 people using direct payments
    by April 2027"), judged by the charter's own rule (``charter.rag``)."""

    measure = models.ForeignKey(OutcomeMeasure, on_delete=models.CASCADE, related_name="targets")
    due_on = models.DateField("Target date")
    value = models.DecimalField("Target value", max_digits=14, decimal_places=2, validators=[])
    note = models.CharField(
        max_length=255, blank=True, help_text="In words, for example '200 people by April 2027'."
    )

    class Meta:
        ordering = ["measure", "due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "due_on"], name="charter_outcome_target_once_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0),
                name="charter_outcome_target_not_negative",
                violation_error_message="Enter a target of 0 or more",
            ),
        ]

    def __str__(self):
        return f"{self.value.normalize():f} by {day_in_words(self.due_on)}"

    def clean(self):
        super().clean()
        if self.value is not None and self.value < Decimal("0"):
            raise ValidationError({"value": "Enter a target of 0 or more"})
