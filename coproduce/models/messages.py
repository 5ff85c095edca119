"""Messages between a member and the staff who can answer them (the panel's lead, or
finance), started from a claim, a remittance or a meeting, or about anything else."""

from django.conf import settings
from django.db import models


class Conversation(models.Model):
    """One thread between a member and a team: the leads of a panel, or an organisation's
    finance staff. Staff see and answer it in the admin; the member in My space."""

    class To(models.TextChoices):
        LEAD = "lead", "The panel's lead"
        FINANCE = "finance", "Finance"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    to = models.CharField(max_length=10, choices=To.choices)
    organisation = models.ForeignKey(
        "cms.Organisation", on_delete=models.CASCADE, related_name="conversations"
    )
    panel = models.ForeignKey(
        "coproduce.Panel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
    )
    claim = models.ForeignKey(
        "coproduce.InvolvementClaim",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
    )
    meeting = models.ForeignKey(
        "coproduce.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
    )
    subject = models.CharField(max_length=120)
    started_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(db_index=True)
    # Whose turn it is: a new message from the member waits for staff, and the reverse.
    waiting_for_staff = models.BooleanField(default=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at"]
        indexes = [models.Index(fields=["organisation", "to", "waiting_for_staff"])]

    def __str__(self):
        return self.subject


class ConversationMessage(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_staff = models.BooleanField(default=False)
    body = models.TextField()
    sent_at = models.DateTimeField(auto_now_add=True)
    # When the other side first opened it.
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]

    def __str__(self):
        return f"Message {self.pk} in {self.conversation}"
