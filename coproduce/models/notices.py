"""Notices that cannot go by email or text: a letter to send or a phone call to make,
waiting in the panel lead's list until someone has done it."""

from django.conf import settings
from django.db import models


class ContactTask(models.Model):
    """Tell a member something by the channel they chose, when that channel is a person."""

    class Kind(models.TextChoices):
        LETTER = "letter", "Send a letter"
        PHONE = "phone", "Phone them"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_tasks"
    )
    organisation = models.ForeignKey(
        "cms.Organisation", on_delete=models.CASCADE, related_name="contact_tasks"
    )
    panel = models.ForeignKey(
        "coproduce.Panel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_tasks",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Which notice it is (``coproduce.notices`` names them), so preferences can apply.
    notice = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="What to tell them, in the words of the notice.")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["done_at", "created_at"]
        indexes = [models.Index(fields=["organisation", "done_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"
