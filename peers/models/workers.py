"""Peer workers: the people employed (or volunteering) for their lived experience, and the
teams and supervisors they work with. Every practice record hangs off a ``PeerWorker``."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class EmploymentType(models.TextChoices):
    EMPLOYED = "employed", "Employed"
    BANK = "bank", "Bank"
    VOLUNTEER = "volunteer", "Volunteer"
    TRAINEE = "trainee", "Trainee"


class Team(models.Model):
    """A team of peer workers within an organisation: supervision compliance is reported per
    team. Blended teams across organisations belong to the organisation that hosts them."""

    organisation = models.ForeignKey(
        "cms.Organisation", on_delete=models.CASCADE, related_name="peer_teams"
    )
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="peers_team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class PeerWorker(models.Model):
    """One person's employment (or volunteering) as a peer worker in one organisation."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ON_LEAVE = "on_leave", "On leave"
        LEFT = "left", "Left"

    class LeavingReason(models.TextChoices):
        NEW_JOB = "new_job", "Moved to another job"
        PROGRESSION = "progression", "Promoted or moved to a non-peer role"
        HEALTH = "health", "Their health"
        CARING = "caring", "Caring responsibilities"
        CONTRACT_ENDED = "contract_ended", "Fixed-term contract or funding ended"
        STUDY = "study", "Went into education or training"
        RETIRED = "retired", "Retired"
        DISMISSED = "dismissed", "Dismissed"
        OTHER = "other", "Other"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="peer_worker"
    )
    organisation = models.ForeignKey(
        "cms.Organisation", on_delete=models.PROTECT, related_name="peer_workers"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="workers"
    )
    level = models.ForeignKey(
        "peers.Level",
        on_delete=models.PROTECT,
        related_name="workers",
        verbose_name="role level",
    )
    job_title = models.CharField(max_length=120, default="Peer support worker")
    employment_type = models.CharField(
        max_length=12, choices=EmploymentType.choices, default=EmploymentType.EMPLOYED
    )
    start_date = models.DateField(default=timezone.localdate)
    contracted_hours = models.DecimalField(
        "contracted hours a week",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
        help_text="Leave empty for bank workers and volunteers with no set hours.",
    )
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="supervisees", blank=True
    )
    supervision_every_days = models.PositiveSmallIntegerField(
        "supervision expected every (days)",
        default=28,
        validators=[MinValueValidator(7), MaxValueValidator(120)],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    left_on = models.DateField(null=True, blank=True)
    leaving_reason = models.CharField(max_length=20, choices=LeavingReason.choices, blank=True)
    leaving_note = models.TextField(blank=True)
    # The day the overdue-supervision reminder last went out, so the daily task sends one.
    supervision_reminded_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        indexes = [models.Index(fields=["organisation", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="left")
                | (models.Q(left_on__isnull=False) & ~models.Q(leaving_reason="")),
                name="peers_worker_left_has_date_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.email

    @property
    def is_current(self) -> bool:
        return self.status != self.Status.LEFT
