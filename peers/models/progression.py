"""The progression pathway: its levels (trainee peer to lived experience practitioner), the
competences and training each level asks for, the evidence workers add and supervisors sign
off, progression reviews, and the induction checklist of a worker's first 12 weeks."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cms.dates import day_in_words


class Level(models.Model):
    """One step of the progression pathway, in order."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(unique=True)
    summary = models.TextField(blank=True)
    minimum_practice_hours = models.PositiveIntegerField(
        default=0, help_text="Hours of logged practice needed before moving past this level."
    )
    minimum_months = models.PositiveSmallIntegerField(
        default=0, help_text="Months at this level before a progression review."
    )

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


# --- What each level asks for ------------------------------------------------------------


class Domain(models.TextChoices):
    """The nine domains of The Competence Framework for Mental Health Peer Support Workers
    (Health Education England and the National Collaborating Centre for Mental Health, 2020),
    in the framework's order."""

    VALUES = "values", "Understanding the values and principles of peer support"
    KNOWLEDGE = "knowledge", "Knowledge for peer support workers"
    RELATIONAL = "relational", "Core relational skills"
    SUPPORTING = "supporting", "Supporting people as a peer support worker"
    TEAMS_AND_RIGHTS = "teams_rights", "Working with teams and promoting people's rights"
    SELF_CARE = "self_care", "Self-care and support"
    OPTIONAL = "optional", "Optional skills: psychological approaches to personal recovery"
    META = "meta", "Meta-competences"
    ORGANISATIONAL = "organisational", "Organisational competences"


DOMAIN_ORDER = {value: index for index, value in enumerate(Domain.values)}


class Competence(models.Model):
    """Something a peer worker shows they can do, drawn from a domain of the national
    framework; ``levels`` are the levels that require it to have been signed off."""

    domain = models.CharField(max_length=20, choices=Domain.choices)
    title = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    levels = models.ManyToManyField(Level, related_name="competences", blank=True)

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title


class Training(models.Model):
    """A course in the pathway's catalogue; ``levels`` are the levels that require it.
    Courses that must be refreshed say for how long a completion counts."""

    title = models.CharField(max_length=200, unique=True)
    provider = models.CharField(max_length=200, blank=True, help_text="Who usually runs it.")
    description = models.TextField(blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    valid_for_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Leave empty if it never needs refreshing."
    )
    order = models.PositiveSmallIntegerField(default=0)
    levels = models.ManyToManyField(Level, related_name="training", blank=True)

    class Meta:
        ordering = ["order", "title"]
        verbose_name_plural = "training courses"

    def __str__(self) -> str:
        return self.title


# --- What a worker has done ----------------------------------------------------------------


class TrainingRecord(models.Model):
    """A course a worker completed, with when it runs out (if it does)."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="training_records"
    )
    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="records")
    provider = models.CharField(max_length=200, blank=True)
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "-added_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gt=models.F("completed_on")),
                name="peers_training_expires_after_completion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.training} ({day_in_words(self.completed_on)})"


class CompetenceEvidence(models.Model):
    """What a worker did that shows a competence, in their own words (plain text, and
    never anything that identifies a person they support)."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="competence_evidence"
    )
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="evidence")
    description = models.TextField()
    date = models.DateField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-added_at"]
        verbose_name_plural = "competence evidence"
        indexes = [models.Index(fields=["worker", "competence"])]

    def __str__(self) -> str:
        return f"Evidence for {self.competence} ({day_in_words(self.date)})"


class CompetenceSignOff(models.Model):
    """A supervisor's word that a worker has shown a competence; once per competence."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="competence_sign_offs"
    )
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="sign_offs")
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-signed_off_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "competence"], name="peers_sign_off_once_per_competence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.competence} signed off"


class ProgressionReview(models.Model):
    """A review of whether a worker is ready for the next level, and what was decided.
    A "progress" decision moves the worker to ``to_level``."""

    class Decision(models.TextChoices):
        PROGRESS = "progress", "Progress to the next level"
        NOT_YET = "not_yet", "Not yet"
        DEFERRED = "deferred", "Deferred"

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="progression_reviews"
    )
    from_level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    to_level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    readiness_summary = models.TextField()
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        indexes = [models.Index(fields=["decision", "date"])]

    def __str__(self) -> str:
        return f"Progression review on {day_in_words(self.date)}"


# --- Induction -------------------------------------------------------------------------------


class InductionItem(models.Model):
    """One step of a new worker's first 12 weeks, due by a target week after they start."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="induction_items"
    )
    key = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    hint = models.CharField(max_length=300, blank=True)
    target_week = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    order = models.PositiveSmallIntegerField(default=0)
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["target_week", "order"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "key"], name="peers_induction_item_once")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def target_date(self):
        return self.worker.start_date + timedelta(weeks=self.target_week)
