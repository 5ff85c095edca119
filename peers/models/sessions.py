"""Session logs: what a peer worker did, where and for how long, kept pseudonymous.

The person supported is known only by a reference the worker chooses ("JT-café-3"), never a
name. Private notes are visible to the worker and their supervisors only, and every view of
them is audit-logged.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cms.dates import day_in_words

MAX_SESSION_MINUTES = 24 * 60 - 1


class Setting(models.TextChoices):
    CRISIS_CAFE = "crisis_cafe", "Crisis café"
    WARD = "ward", "Ward"
    COMMUNITY = "community", "Community"
    HOME = "home", "Home visit"
    PHONE = "phone", "Phone"
    ONLINE = "online", "Online"
    GROUP = "group", "Group"


class OutcomeMeasure(models.TextChoices):
    NONE = "", "None"
    REQOL10 = "reqol10", "ReQoL-10 (0 to 40)"
    SWEMWBS = "swemwbs", "SWEMWBS (7 to 35)"
    GOAL = "goal", "Goal-based outcome (0 to 10)"


OUTCOME_RANGES = {
    OutcomeMeasure.REQOL10: (0, 40),
    OutcomeMeasure.SWEMWBS: (7, 35),
    OutcomeMeasure.GOAL: (0, 10),
}


class SessionLog(models.Model):
    """One support session, one-to-one or with a group."""

    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="sessions"
    )
    date = models.DateField()
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSION_MINUTES)]
    )
    setting = models.CharField(max_length=12, choices=Setting.choices)
    offer = models.ForeignKey(
        "cms.OfferPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="peer_sessions",
        help_text="The offer this session was part of, if any.",
    )
    person_reference = models.CharField(
        max_length=40,
        blank=True,
        help_text="Your own reference for the person, never their name. Leave empty for groups.",
    )
    group_size = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    topics = models.ManyToManyField("cms.Need", related_name="peer_sessions", blank=True)
    signposted_to = models.ManyToManyField(
        "cms.OfferPage", related_name="peer_signposts", blank=True
    )
    outcome_measure = models.CharField(
        max_length=10, choices=OutcomeMeasure.choices, blank=True, default=""
    )
    outcome_score = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField("private notes", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        indexes = [
            # The id after the date: the sessions export reads a chunk at a time, each
            # chunk seeking to just after the last (date, id) it sent.
            models.Index(fields=["worker", "date", "id"]),
            # Covers the hours and activity summaries, so they are read from the index alone
            # (peers.selectors.activity): fast with a hundred thousand sessions.
            models.Index(
                fields=[
                    "worker",
                    "date",
                    "setting",
                    "duration_minutes",
                    "group_size",
                    "person_reference",
                ],
                name="peers_session_activity",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1)
                & models.Q(duration_minutes__lte=MAX_SESSION_MINUTES),
                name="peers_session_duration_within_a_day",
            ),
            models.CheckConstraint(
                condition=models.Q(group_size__gte=1), name="peers_session_group_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_setting_display()} session on {day_in_words(self.date)}"

    @property
    def is_group(self) -> bool:
        return self.group_size > 1 or self.setting == Setting.GROUP

    @property
    def hours(self) -> float:
        return self.duration_minutes / 60


class SafeguardingConcern(models.Model):
    """A concern raised from a session; supervisors are alerted at once and must acknowledge
    it and record what they did."""

    class Urgency(models.TextChoices):
        IMMEDIATE = "immediate", "Someone is at immediate risk"
        TODAY = "today", "Needs action today"
        SOON = "soon", "Needs action in the next few days"

    session = models.OneToOneField(
        SessionLog, on_delete=models.CASCADE, related_name="safeguarding_concern"
    )
    worker = models.ForeignKey(
        "peers.PeerWorker", on_delete=models.CASCADE, related_name="safeguarding_concerns"
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.TODAY)
    description = models.TextField(help_text="What happened and who may be at risk.")
    immediate_action = models.TextField(
        "what you have already done", blank=True, help_text="For example, called 999."
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    alert_queued_at = models.DateTimeField(null=True, blank=True)
    # When HR were told that no supervisor had picked the concern up in time, so they are
    # told once (``services.safeguarding.concerns_escalate``).
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["acknowledged_at"])]
        constraints = [
            # An acknowledgement always says what was done.
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True) | ~models.Q(action_taken=""),
                name="peers_concern_acknowledged_with_action",
            ),
        ]

    def __str__(self) -> str:
        return f"Safeguarding concern raised {day_in_words(self.raised_at)}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None
