"""A charter an organisation adopts, the commitments it makes, and the quarterly reviews
that check it is being kept."""

from django.conf import settings
from django.db import models


class Charter(models.Model):
    """One organisation's Lived Experience Charter, in one version.

    Only a published charter is shown on the public progress page; an organisation may keep
    earlier versions, and the page shows the latest published one.
    """

    organisation = models.ForeignKey(
        "cms.Organisation", on_delete=models.PROTECT, related_name="charters"
    )
    title = models.CharField(max_length=200, default="Lived Experience Charter")
    version = models.CharField(max_length=20, default="1", help_text="For example 1, or 2.1")
    adopted_on = models.DateField(
        "Adopted on", help_text="The day the board adopted it. Targets start from here."
    )
    published = models.BooleanField(
        default=False, help_text="Show this charter's progress on the public charter page."
    )
    introduction = models.TextField(
        blank=True, help_text="Plain text: why the organisation signed the charter."
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="charters_led",
        verbose_name="Charter lead",
        help_text="Reminded by email before each quarterly review.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name", "-adopted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="charter_one_charter_per_version"
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.organisation}, version {self.version})"


class Commitment(models.Model):
    """One promise in a charter, such as "clear progression pathways"."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="commitments")
    number = models.PositiveSmallIntegerField(help_text="Its place in the charter: 1, 2, 3…")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Plain text: what this promise means.")

    class Meta:
        ordering = ["charter", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["charter", "number"], name="charter_commitment_number_once"
            )
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Review(models.Model):
    """A quarterly review of the charter by its lead: when it is due, when it was held and
    what it decided. The lead is reminded once, two weeks before it is due."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="Plain text: what the review found.")
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["charter", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["charter", "due_on"], name="charter_review_once")
        ]

    def __str__(self):
        return f"Review of {self.charter} due {self.due_on:%d %b %Y}"
