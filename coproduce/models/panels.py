"""Design panels, and members' applications to join them.

An accepted application is the membership: one row per person and panel keeps the whole
story (applied, decided, by whom, why) in one place.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from cms.slugs import refuse_reserved, unique_slug

from ..choices import AccessNeed, Community, CoproductionLevel, LivedExperience
from ..choices import labels as choice_labels


class Panel(models.Model):
    """A group of experts by experience redesigning an offer or pathway with an organisation."""

    # Addresses under /panels/ that belong to other pages (meetings, calendar feeds), so no
    # panel may take them as its own.
    RESERVED_SLUGS = frozenset({"meetings", "calendar"})

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RECRUITING = "recruiting", "Recruiting"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    organisation = models.ForeignKey(
        "cms.Organisation", on_delete=models.PROTECT, related_name="design_panels"
    )
    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True, blank=True)
    purpose = models.TextField(help_text="What the panel is for, in plain English.")
    offers = models.ManyToManyField(
        "cms.OfferPage",
        blank=True,
        related_name="design_panels",
        help_text="The offers in the directory this panel redesigns.",
    )
    pathway = models.CharField(
        max_length=200, blank=True, help_text="Or the pathway it redesigns, if not one offer."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    seats = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    who_is_sought = models.TextField(
        help_text="Who you would like to hear from, in plain English, shown to applicants."
    )
    sought_lived_experience = models.JSONField(default=list, blank=True)
    sought_communities = models.JSONField(default=list, blank=True)
    coproduction_level = models.PositiveSmallIntegerField(
        choices=CoproductionLevel.choices,
        default=CoproductionLevel.CO_DESIGN,
        help_text="Where the panel's work sits on the ladder of co-production.",
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_panels"
    )
    hourly_rate = models.DecimalField(
        "Payment rate per hour (£)",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    time_commitment = models.CharField(
        max_length=200, blank=True, help_text="For example, 2 hours a month for 6 months."
    )
    applications_close_on = models.DateField(null=True, blank=True)
    sign_offs_needed = models.PositiveSmallIntegerField(
        "Members needed to sign off a change",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text='How many panel members must agree a "You said, we did" change before '
        "it can be published. If the panel has fewer members, all of them must agree.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hourly_rate__gte=0), name="coproduce_panel_rate_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(seats__gte=1), name="coproduce_panel_has_a_seat"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                Panel.objects.exclude(pk=self.pk),
                self.title,
                reserved=self.RESERVED_SLUGS,
                max_length=120,
                fallback="panel",
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("coproduce:panel_detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        refuse_reserved(self.slug, self.RESERVED_SLUGS, address="/panels/")

    @property
    def is_recruiting(self) -> bool:
        return self.status == self.Status.RECRUITING

    @property
    def sought_lived_experience_labels(self) -> list[str]:
        return choice_labels(LivedExperience, self.sought_lived_experience)

    @property
    def sought_community_labels(self) -> list[str]:
        return choice_labels(Community, self.sought_communities)


class PanelApplication(models.Model):
    """A member asking to join a panel; accepted, it is their membership."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        ACCEPTED = "accepted", "Accepted"
        WAITLISTED = "waitlisted", "On the waiting list"
        DECLINED = "declined", "Not offered a place this time"
        WITHDRAWN = "withdrawn", "Withdrawn"

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panel_applications"
    )
    statement = models.TextField(
        max_length=2000, help_text="Plain text: why the applicant would like to join."
    )
    access_needs = models.JSONField(
        default=list, blank=True, help_text="The access needs the applicant confirmed."
    )
    access_needs_other = models.CharField(max_length=500, blank=True)
    # Copied from the profile like the needs, so the people running the panel can book the
    # right interpreter without seeing the rest of the applicant's profile.
    interpreter_language = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "applicant"], name="coproduce_one_application_per_panel"
            )
        ]

    def __str__(self):
        return f"{self.applicant} — {self.panel}"

    @property
    def access_need_labels(self) -> list[str]:
        return choice_labels(AccessNeed, self.access_needs)
