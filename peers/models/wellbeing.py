"""Wellbeing check-ins on the Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS).

Private to the worker unless they choose to share one with their supervisor. A low score
offers support; it never raises a flag to management.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cms.dates import day_in_words

from .. import wellbeing_scale

ITEM = [MinValueValidator(1), MaxValueValidator(5)]


class WellbeingCheckIn(models.Model):
    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="wellbeing_check_ins"
    )
    completed_at = models.DateTimeField(auto_now_add=True)
    optimistic = models.PositiveSmallIntegerField(validators=ITEM)
    useful = models.PositiveSmallIntegerField(validators=ITEM)
    relaxed = models.PositiveSmallIntegerField(validators=ITEM)
    dealing_with_problems = models.PositiveSmallIntegerField(validators=ITEM)
    thinking_clearly = models.PositiveSmallIntegerField(validators=ITEM)
    close_to_others = models.PositiveSmallIntegerField(validators=ITEM)
    own_mind = models.PositiveSmallIntegerField(validators=ITEM)
    raw_score = models.PositiveSmallIntegerField()
    metric_score = models.DecimalField(max_digits=4, decimal_places=2)
    shared_with_supervisor = models.BooleanField(default=False)
    note = models.TextField("private note", blank=True)

    class Meta:
        ordering = ["-completed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(raw_score__gte=7) & models.Q(raw_score__lte=35),
                name="peers_wellbeing_raw_score_range",
            )
        ]

    def __str__(self) -> str:
        return f"Wellbeing check-in on {day_in_words(self.completed_at)}"

    @property
    def score_in_points(self) -> int:
        """The score as people read it: whole points, like the change since last time."""
        return wellbeing_scale.score_in_points(self.metric_score)
