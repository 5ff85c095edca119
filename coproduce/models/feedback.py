"""Feedback on offers, and the editor-managed themes it is sorted by.

Feedback must never vanish: every item keeps its status (new → triaged → responded →
closed), its public response and the service change that answered it. People without an
account can give feedback too; then nothing that identifies them is kept.
"""

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from cms.models.mixins import SlugFromNameMixin


class Theme(SlugFromNameMixin, models.Model):
    """What feedback is about (waiting times, being listened to, the building...), kept by
    editors so leads can see trends by theme."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, blank=True)
    description = models.CharField(max_length=255, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Feedback(index.Indexed, models.Model):
    """One person's feedback on one offer."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        TRIAGED = "triaged", "Triaged"
        RESPONDED = "responded", "Responded"
        CLOSED = "closed", "Closed"

    class Rating(models.IntegerChoices):
        VERY_POOR = 1, "Very poor"
        POOR = 2, "Poor"
        OKAY = 3, "Neither good nor poor"
        GOOD = 4, "Good"
        VERY_GOOD = 5, "Very good"

    class Listened(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"
        NOT_SURE = "not_sure", "Not sure"

    class Source(models.TextChoices):
        MEMBER = "member", "A member, signed in"
        PUBLIC = "public", "A member of the public"
        PEER_WORKER = "peer_worker", "A peer worker, on someone's behalf"

    offer = models.ForeignKey(
        "cms.OfferPage", on_delete=models.SET_NULL, null=True, related_name="feedback"
    )
    # Kept so the feedback still says what it was about if the offer page is deleted.
    offer_title = models.CharField(max_length=255)
    organisation = models.ForeignKey(
        "cms.Organisation",
        on_delete=models.PROTECT,
        related_name="feedback",
        help_text="The organisation providing the offer, whose leads answer it.",
    )
    source = models.CharField(max_length=12, choices=Source.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_given",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_recorded",
        help_text="The peer worker who wrote this down for someone.",
    )
    went_well = models.TextField("What went well", max_length=3000, blank=True)
    could_be_better = models.TextField("What could be better", max_length=3000, blank=True)
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    felt_listened_to = models.CharField(max_length=10, choices=Listened.choices)
    themes = models.ManyToManyField(Theme, blank=True, related_name="feedback")
    consent_to_publish = models.BooleanField(
        default=False, help_text="They agreed to an anonymised quote being published."
    )
    personal_details = models.JSONField(
        default=list,
        blank=True,
        help_text="Kinds of personal detail that seem to be in the text, for the moderator.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=255, blank=True)
    public_quote = models.TextField(
        max_length=3000,
        blank=True,
        help_text="The words to publish, with anything identifying removed by the moderator.",
    )
    public_response = models.TextField(max_length=5000, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    service_change = models.ForeignKey(
        "coproduce.ServiceChangePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    search_fields = [
        index.SearchField("went_well"),
        index.SearchField("could_be_better"),
        index.SearchField("offer_title"),
        index.FilterField("status"),
        index.FilterField("organisation_id"),
    ]

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"
        indexes = [
            models.Index(fields=["organisation", "status", "created_at"]),
            # Covers the feedback trends and their monthly totals (coproduce.selectors.feedback,
            # coproduce.services.feedback_totals): an organisation's feedback over a period,
            # counted from the index alone. The period comes straight after the organisation:
            # SQLite cannot seek on "hidden" (Django writes hidden=False as NOT "hidden"), so
            # a range after it would read every piece the organisation ever had.
            models.Index(
                fields=[
                    "organisation",
                    "created_at",
                    "hidden",
                    "author",
                    "rating",
                    "felt_listened_to",
                    "offer",
                    "offer_title",
                ],
                name="coproduce_feedback_period",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1) & models.Q(rating__lte=5),
                name="coproduce_feedback_rating_one_to_five",
            ),
            # Public feedback keeps nobody's identity.
            models.CheckConstraint(
                condition=~models.Q(source="public")
                | (models.Q(author__isnull=True) & models.Q(recorded_by__isnull=True)),
                name="coproduce_public_feedback_is_anonymous",
            ),
        ]

    def __str__(self):
        return f"Feedback on {self.offer_title} ({self.created_at:%d %b %Y})"

    @property
    def is_published(self) -> bool:
        """Shown on the offer page: agreed to, given a checked quote, and not hidden."""
        return self.consent_to_publish and bool(self.public_quote) and not self.hidden
