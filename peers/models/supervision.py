"""Supervision: line-management, reflective and clinical supervision records with the
actions agreed in them. How often each worker should be supervised is on their record."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from cms.dates import day_in_words


class Supervision(models.Model):
    class Kind(models.TextChoices):
        LINE_MANAGEMENT = "line", "Line management"
        REFLECTIVE = "reflective", "Reflective"
        CLINICAL = "clinical", "Clinical"

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="supervisions"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervisions_given"
    )
    date = models.DateField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    notes = models.TextField("private notes", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        indexes = [models.Index(fields=["worker", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} supervision on {day_in_words(self.date)}"


class SupervisionAction(models.Model):
    """Something agreed in supervision, with who does it and by when."""

    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    due_date = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.description

    @property
    def is_overdue(self) -> bool:
        """Not done, and its due date has passed."""
        return (
            self.done_on is None
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )
