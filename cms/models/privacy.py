"""The register a data protection officer keeps: requests people made about their data
(by letter, phone or through the site) and each run of the retention task."""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models

from ..dates import date_in_words, day_in_words


class DataRequest(models.Model):
    """A request from a person to see or erase their data, kept to prove it was answered
    within the month UK GDPR allows (Article 12(3))."""

    class Kind(models.TextChoices):
        ACCESS = "access", "A copy of their data (subject access)"
        ERASURE = "erasure", "Erase their data (close their account)"

    class Channel(models.TextChoices):
        SITE = "site", "Through the website"
        LETTER = "letter", "By letter"
        PHONE = "phone", "By phone"
        EMAIL = "email", "By email"
        IN_PERSON = "in_person", "In person"

    class Status(models.TextChoices):
        OPEN = "open", "Being dealt with"
        DONE = "done", "Done"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_requests"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    received_on = models.DateField()
    # How staff made sure the request came from the person (never a copy of the document).
    identity_checked = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    report = models.ForeignKey(
        "cms.ReportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        verbose_name = "request about personal data"
        verbose_name_plural = "requests about personal data"
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["status", "received_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} received {day_in_words(self.received_on)}"

    @property
    def due_on(self):
        """One calendar month from receipt (UK GDPR Article 12(3))."""
        return self.received_on + relativedelta(months=1)


class RetentionRun(models.Model):
    """One pass of the retention task: what it would do (a dry run) or what it did."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    # [{"key", "label", "data_class", "fate", "count"}] for each registered kind of record.
    results = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self):
        kind = "Dry run" if self.dry_run else "Run"
        return f"{kind} of {date_in_words(self.started_at)}"
