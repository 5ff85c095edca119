"""How a member wants to be involved, and what they have agreed to."""

import secrets

from django.conf import settings
from django.db import models

from ..choices import AccessNeed, Community, ContactPreference, LivedExperience, PaymentChoice
from ..choices import labels as choice_labels
from ..consent import ConsentPurpose


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class InvolvementProfile(models.Model):
    """One per member: the name they go by, how to reach them, what they need to take part,
    how they want to be paid, and (only with consent) who they are, for anonymous totals."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="involvement_profile"
    )
    display_name = models.CharField("Name to show", max_length=80)
    pronouns = models.CharField(max_length=40, blank=True)
    contact_preference = models.CharField(
        max_length=10, choices=ContactPreference.choices, default=ContactPreference.EMAIL
    )
    phone = models.CharField(max_length=30, blank=True)
    access_needs = models.JSONField(default=list, blank=True)
    access_needs_other = models.CharField(max_length=500, blank=True)
    interpreter_language = models.CharField(max_length=80, blank=True)
    lived_experience = models.JSONField(default=list, blank=True)
    communities = models.JSONField(default=list, blank=True)
    payment_choice = models.CharField(
        max_length=10, choices=PaymentChoice.choices, default=PaymentChoice.PAID
    )
    # The notices (``coproduce.notices`` names them) the member asked not to be sent.
    notices_declined = models.JSONField(default=list, blank=True)
    # A secret address for the member's calendar app, which cannot sign in.
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "involvement profile"

    def __str__(self):
        return self.display_name

    @property
    def access_need_labels(self) -> list[str]:
        return choice_labels(AccessNeed, self.access_needs)

    @property
    def lived_experience_labels(self) -> list[str]:
        return choice_labels(LivedExperience, self.lived_experience)

    @property
    def community_labels(self) -> list[str]:
        return choice_labels(Community, self.communities)


class ConsentRecord(models.Model):
    """One agreement: who agreed to which wording (purpose and version), when, and when they
    withdrew it. Records are never deleted while the account exists, so the history stays."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_records"
    )
    purpose = models.CharField(max_length=20, choices=ConsentPurpose.choices)
    version = models.CharField(max_length=20)
    statement = models.TextField(help_text="The exact words the person agreed to.")
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="coproduce_one_current_consent_per_purpose",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="coproduce_consent_withdrawn_after_given",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} ({self.version})"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None
