"""Outgoing email, kept until a worker has handed it to the mail server."""

import uuid

from django.db import models


class OutboundEmail(models.Model):
    """One message waiting for, or past, delivery; the row makes delivery idempotent."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    message = models.JSONField(help_text="The serialised message: subject, body, recipients.")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.message.get('subject', '')} ({self.get_status_display()})"
