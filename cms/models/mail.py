"""Outgoing email, kept until a worker has handed it to the mail server or given up."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class OutboundEmail(models.Model):
    """One message waiting for, or past, delivery; the row makes delivery idempotent."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be delivered"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    message = models.JSONField(help_text="The serialised message: subject, body, recipients.")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When a waiting message is next tried (empty: as soon as a worker is free), and until
    # when a worker sending it holds it: past that, the worker is taken to have died.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # What the message is about (a safeguarding concern, say), so that record's page can
    # say when its email could not be delivered.
    about_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    about_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outbound email"
        verbose_name_plural = "outbound mail"
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["about_type", "about_id"]),
        ]

    def __str__(self):
        return f"{self.subject} ({self.get_status_display()})"

    @property
    def subject(self) -> str:
        return self.message.get("subject", "")

    @property
    def recipients(self) -> list[str]:
        return [
            *self.message.get("to", []),
            *self.message.get("cc", []),
            *self.message.get("bcc", []),
        ]


class OutboundText(models.Model):
    """One text message (SMS) waiting for, or past, delivery through ``TEXT_BACKEND``; like
    ``OutboundEmail``, the row makes delivery idempotent and a failure visible. The phone
    number and the words are kept only until the message is sent or given up, then cleared
    by retention, so the row does not become a second copy of what people were told."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be delivered"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    phone_number = models.CharField(max_length=30)
    body = models.TextField()
    # The provider's own id for the message (GOV.UK Notify's notification id), once sent.
    provider_reference = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outbound text message"
        verbose_name_plural = "outbound text messages"
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self):
        return f"Text message {self.pk} ({self.get_status_display()})"
