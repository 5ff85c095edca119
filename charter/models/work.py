"""The work behind a charter: actions with owners and due dates, and the evidence documents
that show what was done."""

from django.conf import settings
from django.db import models
from wagtail.documents import get_document_model_string


class CharterAction(models.Model):
    """Something someone will do to keep a commitment, by a date."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    charter = models.ForeignKey("charter.Charter", on_delete=models.CASCADE, related_name="actions")
    commitment = models.ForeignKey(
        "charter.Commitment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    title = models.CharField(max_length=200)
    owner = models.CharField(
        max_length=120, help_text="Who will do it: a name or a role, like 'Director of People'."
    )
    due_on = models.DateField("Due date")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "charter action"

    def __str__(self):
        return self.title

    def is_overdue(self, today) -> bool:
        return self.status != self.Status.DONE and self.due_on < today


class Evidence(models.Model):
    """A document that shows a commitment being kept (a policy, a board paper, a survey).

    The document lives in the private "Charter evidence" collection, whose view restriction
    keeps it from Wagtail's public document URLs; only HR and admins open it.
    """

    charter = models.ForeignKey(
        "charter.Charter", on_delete=models.CASCADE, related_name="evidence"
    )
    commitment = models.ForeignKey(
        "charter.Commitment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
    )
    title = models.CharField(max_length=200)
    document = models.ForeignKey(
        get_document_model_string(), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.title
