"""Outcome figures a partner collated themselves for an offer (from their own patient-reported
outcome measures), entered by an editor or engagement lead of the offer's provider, and
shown on the offer page beside the figures worked out from session logs.

They hold counts only, never a person: how many people filled in a measure at least twice in
a period, and how many of them improved by the measure's rule (``peers.outcome_measures``).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from cms.dates import day_in_words

from ..outcome_measures import MEASURE_CHOICES, RULES, improvement_rules_in_words


class OfferOutcomeFigures(models.Model):
    """One measure's collated figures for one offer over one period, with their source."""

    offer = models.ForeignKey(
        "cms.OfferPage", on_delete=models.CASCADE, related_name="outcome_figures"
    )
    measure = models.CharField(max_length=10, choices=MEASURE_CHOICES)
    period_start = models.DateField("First day of the period")
    period_end = models.DateField("Last day of the period")
    people = models.PositiveIntegerField(
        "People counted",
        help_text="How many people filled in the measure at least twice in the period.",
    )
    improved = models.PositiveIntegerField(
        "How many improved",
        help_text="Of the people counted, how many had a latest score higher than their "
        f"first by at least {improvement_rules_in_words()}.",
    )
    average_first = models.DecimalField(
        "Average first score",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Optional: the average of each person's first score in the period.",
    )
    average_latest = models.DecimalField(
        "Average latest score",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Optional: the average of each person's latest score in the period.",
    )
    source = models.CharField(
        "Where the figures come from",
        max_length=200,
        help_text="Plain text, for example 'Somerset NHS Foundation Trust PROMs collation'.",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    entered_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["offer", "measure", "-period_end", "pk"]
        verbose_name = "offer outcome figures"
        verbose_name_plural = "offer outcome figures"
        indexes = [models.Index(fields=["offer", "period_end"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")),
                name="peers_outcome_figures_period_ends_after_it_starts",
                violation_error_message="The period must end after the day it starts",
            ),
            models.CheckConstraint(
                condition=models.Q(improved__lte=models.F("people")),
                name="peers_outcome_figures_improved_within_people",
                violation_error_message="How many improved cannot be more than the people counted",
            ),
        ]

    def __str__(self) -> str:
        name = RULES[self.measure].name if self.measure in RULES else self.measure
        return f"{name}, {day_in_words(self.period_start)} to {day_in_words(self.period_end)}"

    def clean(self):
        """The period in order and over, no more improved than counted, and averages within
        the measure's range: each refusal shown beside its field."""
        super().clean()
        errors: dict[str, str] = {}
        if self.period_start and self.period_end:
            if self.period_end <= self.period_start:
                errors["period_end"] = (
                    f"The last day must be after the first day ({day_in_words(self.period_start)})"
                )
            elif self.period_end > timezone.localdate():
                errors["period_end"] = (
                    f"{day_in_words(self.period_end)} is in the future. Enter figures for a "
                    "period that has ended"
                )
        if self.people is not None and self.improved is not None and self.improved > self.people:
            errors["improved"] = (
                f"How many improved cannot be more than the {self.people} people counted"
            )
        rule = RULES.get(self.measure)
        if rule is not None:
            for field in ("average_first", "average_latest"):
                value = getattr(self, field)
                if value is not None and not (
                    Decimal(rule.lowest) <= value <= Decimal(rule.highest)
                ):
                    errors[field] = (
                        f"Enter an average {rule.range_in_words}: {rule.name} scores are "
                        f"{rule.range_in_words}"
                    )
        if errors:
            raise ValidationError(errors)
