"""Reports made in the background (a panel impact report, a board report): their progress
and, when done, the file, kept in private storage for the person who asked."""

import uuid

from django.conf import settings
from django.db import models


def _private_storage():
    from django.core.files.storage import storages

    return storages["private"]


# The stored name's longest: FileField's column (Django's default 100), less the "_" and 7
# random characters a storage adds to a name already taken. People download the report under
# ``ReportJob.filename``, so shortening the stored name changes nothing they see.
FILE_NAME_MAX_LENGTH = 100
STORED_NAME_MAX_LENGTH = FILE_NAME_MAX_LENGTH - 8


def report_upload_to(job, filename: str) -> str:
    """Each job's file in a folder of its own, so two reports with the same name never meet;
    a long name is shortened (keeping its extension) to fit the column."""
    folder = f"reports/{job.pk}/"
    room = STORED_NAME_MAX_LENGTH - len(folder)
    if len(filename) > room:
        stem, dot, extension = filename.rpartition(".")
        if dot and 0 < len(extension) < room - 1:
            filename = f"{stem[: room - len(extension) - 1]}.{extension}"
        else:
            filename = filename[:room]
    return folder + filename


class ReportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Could not be made"

    # A random id, so the address of someone's report cannot be guessed.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=255, blank=True)
    file = models.FileField(
        storage=_private_storage,
        upload_to=report_upload_to,
        blank=True,
        max_length=FILE_NAME_MAX_LENGTH,
    )
    filename = models.CharField(max_length=200, blank=True)
    # Each time a worker takes the job it counts an attempt and holds it until its lease
    # ends (the task timeout): a job whose worker died or ran out of time is taken over by
    # the task handed out again, and fails visibly after REPORT_MAX_ATTEMPTS.
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "lease_expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="cms_report_progress_at_most_100"
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
