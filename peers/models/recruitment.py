"""Peer-role recruitment: vacancies published on the site, the applications people make to
them, and what HR records as each application moves through the pipeline (interview panel,
pre-employment checks). Equality monitoring answers are kept in their own table, apart from
the application, and are only ever reported in suppressed totals.

Every stage an application reaches is stamped with its date, so an application that later
becomes unsuccessful still counts as having been shortlisted or interviewed: stage
conversion and time to hire are computed from those dates.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from cms.slugs import refuse_reserved, unique_slug

from .workers import EmploymentType

DEFAULT_ADJUSTMENTS_STATEMENT = (
    "We will make reasonable adjustments at every step, from applying to starting work. "
    "Tell us what would help you, for example extra time, a quiet room, questions in "
    "advance, a BSL interpreter or an interview online. You do not have to tell us why."
)


class Vacancy(models.Model):
    """A peer role an organisation is recruiting to."""

    # Addresses under /peer-roles/ that belong to other pages.
    RESERVED_SLUGS = frozenset({"applications"})

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    organisation = models.ForeignKey(
        "cms.Organisation", on_delete=models.PROTECT, related_name="peer_vacancies"
    )
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=170, unique=True, editable=False)
    level = models.ForeignKey(
        "peers.Level", on_delete=models.PROTECT, related_name="vacancies", verbose_name="level"
    )
    pay = models.CharField(
        "band or pay",
        max_length=150,
        help_text="For example: Band 4, £26,530 to £29,114 a year.",
    )
    hours_per_week = models.DecimalField(
        "hours a week",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Leave empty for bank roles with no set hours.",
    )
    employment_type = models.CharField(
        max_length=12, choices=EmploymentType.choices, default=EmploymentType.EMPLOYED
    )
    closing_date = models.DateField(help_text="The last day people can apply.")
    lived_experience_essential = models.BooleanField(
        "lived experience is an essential criterion",
        default=True,
        help_text="Peer roles are for people with their own lived experience of mental "
        "ill health or of caring.",
    )
    description = models.TextField(help_text="What the role involves, in plain English.")
    reasonable_adjustments = models.TextField(
        "reasonable adjustments statement", default=DEFAULT_ADJUSTMENTS_STATEMENT
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["closing_date", "title"]
        verbose_name_plural = "vacancies"
        indexes = [models.Index(fields=["status", "closing_date"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                Vacancy.objects.exclude(pk=self.pk),
                self.title,
                reserved=self.RESERVED_SLUGS,
                max_length=150,
                fallback="peer-role",
                reserved_suffix="role",
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("peers:vacancy_detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        refuse_reserved(self.slug, self.RESERVED_SLUGS, address="/peer-roles/")

    def is_open_on(self, day) -> bool:
        return self.status == self.Status.OPEN and self.closing_date >= day

    @property
    def is_open(self) -> bool:
        return self.is_open_on(timezone.localdate())


class JobApplication(models.Model):
    """One person's application to one vacancy, and its way through the pipeline."""

    class Stage(models.TextChoices):
        APPLIED = "applied", "Applied"
        SHORTLISTED = "shortlisted", "Shortlisted"
        INTERVIEW = "interview", "Interview"
        OFFER = "offer", "Offer"
        CHECKS = "checks", "Pre-employment checks"
        STARTED = "started", "Started"
        UNSUCCESSFUL = "unsuccessful", "Unsuccessful"
        WITHDRAWN = "withdrawn", "Withdrawn"

    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="applications")
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_applications"
    )
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.APPLIED)
    statement = models.TextField("why this role, and your lived experience")
    has_lived_experience = models.BooleanField(
        "declared lived experience",
        default=False,
        help_text="The candidate said they have lived experience of mental ill health or of "
        "caring.",
    )
    adjustments_requested = models.TextField(blank=True)
    # Adjustments can say something about a person's health, so they are kept only with the
    # candidate's agreement to the wording shown on the form: which version, and when.
    adjustments_consent_version = models.CharField(max_length=20, blank=True)
    adjustments_consent_given_at = models.DateTimeField(null=True, blank=True)
    adjustments_agreed = models.TextField(blank=True)
    consent_to_contact = models.BooleanField(default=False)
    applied_at = models.DateTimeField(default=timezone.now)
    shortlisted_on = models.DateField(null=True, blank=True)
    interview_at = models.DateTimeField(null=True, blank=True)
    interview_panel_has_lived_experience = models.BooleanField(null=True, blank=True)
    offered_on = models.DateField(null=True, blank=True)
    proposed_start_date = models.DateField(null=True, blank=True)
    checks_started_on = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    feedback_offered_on = models.DateField(null=True, blank=True)
    feedback_note = models.TextField(blank=True)
    worker = models.OneToOneField(
        "peers.PeerWorker",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="job_application",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["applied_at"]
        indexes = [models.Index(fields=["vacancy", "stage"])]
        constraints = [
            models.UniqueConstraint(
                fields=["vacancy", "candidate"], name="peers_one_application_per_vacancy"
            ),
            models.CheckConstraint(
                condition=models.Q(proposed_start_date__isnull=True)
                | models.Q(offered_on__isnull=True)
                | models.Q(proposed_start_date__gte=models.F("offered_on")),
                name="peers_application_start_after_offer",
            ),
        ]

    def __str__(self) -> str:
        return f"Application to {self.vacancy}"

    @property
    def candidate_name(self) -> str:
        return self.candidate.get_full_name() or self.candidate.email

    @property
    def is_closed(self) -> bool:
        return self.stage in (self.Stage.UNSUCCESSFUL, self.Stage.WITHDRAWN, self.Stage.STARTED)


class InterviewPanelMember(models.Model):
    """Someone on an application's interview panel; the charter asks that every panel
    includes a person with lived experience."""

    application = models.ForeignKey(
        JobApplication, on_delete=models.CASCADE, related_name="panel_members"
    )
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120, blank=True)
    has_lived_experience = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class PreEmploymentCheck(models.Model):
    """References, DBS or occupational health for one application, with its dates."""

    class Kind(models.TextChoices):
        REFERENCES = "references", "References"
        DBS = "dbs", "DBS check"
        OCCUPATIONAL_HEALTH = "occupational_health", "Occupational health"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting"
        SATISFACTORY = "satisfactory", "Satisfactory"
        NOT_SATISFACTORY = "not_satisfactory", "Not satisfactory"

    application = models.ForeignKey(JobApplication, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    requested_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="peers_one_check_of_kind")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_complete(self) -> bool:
        return self.completed_on is not None and self.outcome == self.Outcome.SATISFACTORY


class EqualityMonitoring(models.Model):
    """A candidate's optional equality monitoring answers. Kept apart from the application
    and never shown against a name: only counted, with small numbers suppressed."""

    class AgeBand(models.TextChoices):
        UNDER_25 = "16_24", "16 to 24"
        FROM_25 = "25_34", "25 to 34"
        FROM_35 = "35_44", "35 to 44"
        FROM_45 = "45_54", "45 to 54"
        FROM_55 = "55_64", "55 to 64"
        OVER_65 = "65_plus", "65 or over"
        PREFER_NOT = "prefer_not", "Prefer not to say"

    class Gender(models.TextChoices):
        WOMAN = "woman", "Woman"
        MAN = "man", "Man"
        NON_BINARY = "non_binary", "Non-binary"
        OTHER = "other", "In another way"
        PREFER_NOT = "prefer_not", "Prefer not to say"

    class Ethnicity(models.TextChoices):
        ASIAN = "asian", "Asian or Asian British"
        BLACK = "black", "Black, Black British, Caribbean or African"
        MIXED = "mixed", "Mixed or multiple ethnic groups"
        WHITE = "white", "White"
        OTHER = "other", "Another ethnic group"
        PREFER_NOT = "prefer_not", "Prefer not to say"

    class Disability(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        PREFER_NOT = "prefer_not", "Prefer not to say"

    class SexualOrientation(models.TextChoices):
        STRAIGHT = "straight", "Straight or heterosexual"
        GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
        BISEXUAL = "bisexual", "Bisexual"
        OTHER = "other", "Another sexual orientation"
        PREFER_NOT = "prefer_not", "Prefer not to say"

    application = models.OneToOneField(
        JobApplication, on_delete=models.CASCADE, related_name="equality"
    )
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(max_length=10, choices=Ethnicity.choices, blank=True)
    disability = models.CharField(max_length=10, choices=Disability.choices, blank=True)
    sexual_orientation = models.CharField(
        max_length=12, choices=SexualOrientation.choices, blank=True
    )
    # The answers are kept only with the candidate's agreement to the wording shown with
    # the questions: which version, and when. Empty on answers given before it was asked.
    consent_version = models.CharField(max_length=20, blank=True)
    consent_given_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)

    QUESTIONS = ("age_band", "gender", "ethnicity", "disability", "sexual_orientation")

    def __str__(self) -> str:
        return "Equality monitoring answers"
