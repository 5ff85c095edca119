"""Panel meetings: when and where, the access arrangements booked for them, their papers,
and who came."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from wagtail.documents import get_document_model_string

from ..choices import AccessNeed


class Meeting(models.Model):
    """One meeting of a panel, in Europe/London time like everything else on the site."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        HYBRID = "hybrid", "In person and online"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Going ahead"
        CANCELLED = "cancelled", "Cancelled"

    panel = models.ForeignKey("coproduce.Panel", on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=120)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    location = models.TextField(blank=True, help_text="The address, with directions if useful.")
    joining_link = models.URLField(blank=True, help_text="The video call link.")
    agenda = models.TextField(blank=True, help_text="Plain text: what the meeting will cover.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancellation_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # iCalendar identity: calendar apps update the same event when SEQUENCE goes up.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="coproduce_meeting_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.panel})"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def hours(self) -> Decimal:
        """The meeting's length in hours, to the quarter hour, the default for claims."""
        seconds = (self.ends_at - self.starts_at).total_seconds()
        quarters = round(seconds / 900)
        return (Decimal(quarters) / 4).quantize(Decimal("0.01"))


class MeetingPaper(models.Model):
    """A document for a meeting (agenda, slides, easy read version), shown only to the panel.

    Documents live in the "Panel papers" collection, whose view restriction stops them being
    served to anyone through Wagtail's public document URLs; members get them through the
    panel's own view, which checks membership.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="papers")
    document = models.ForeignKey(
        get_document_model_string(), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=120)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "title"]

    def __str__(self):
        return self.title


class AccessArrangement(models.Model):
    """One access need for one meeting, and whether it has been booked."""

    class Status(models.TextChoices):
        NEEDED = "needed", "Not booked yet"
        BOOKED = "booked", "Booked"
        NOT_POSSIBLE = "not_possible", "Could not be booked"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="access_arrangements"
    )
    need = models.CharField(max_length=20, choices=AccessNeed.choices)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.NEEDED)
    detail = models.TextField(
        blank=True, help_text="Who is booked, or why it was not possible, in plain text."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["need"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "need"], name="coproduce_one_arrangement_per_need"
            )
        ]

    def __str__(self):
        return f"{self.get_need_display()}: {self.get_status_display()}"


class Attendance(models.Model):
    """Whether a panel member came to a meeting, recorded by the lead; attending starts a
    claim."""

    class Status(models.TextChoices):
        ATTENDED = "attended", "Attended"
        APOLOGIES = "apologies", "Sent apologies"
        ABSENT = "absent", "Did not attend"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_attendances"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], name="coproduce_one_attendance_per_member"
            ),
            models.CheckConstraint(
                condition=models.Q(hours__isnull=True)
                | (models.Q(hours__gte=0) & models.Q(hours__lte=24)),
                name="coproduce_attendance_hours_in_a_day",
            ),
        ]

    def __str__(self):
        return f"{self.member} at {self.meeting}: {self.get_status_display()}"


class MeetingReply(models.Model):
    """A member's answer to a meeting invitation: coming, not coming (their apologies) or
    maybe. The latest answer counts; the lead's attendance list starts from these."""

    class Answer(models.TextChoices):
        COMING = "coming", "Coming"
        NOT_COMING = "not_coming", "Not coming"
        MAYBE = "maybe", "Maybe"

    class Via(models.TextChoices):
        EMAIL = "email", "From the invitation email"
        MY_SPACE = "my_space", "In My space"
        STAFF = "staff", "Recorded by staff"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="replies")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_replies"
    )
    answer = models.CharField(max_length=12, choices=Answer.choices)
    # Anything the member wants the lead to know: their apologies, or why they may not come.
    note = models.CharField(max_length=500, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.MY_SPACE)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], name="coproduce_one_reply_per_member"
            )
        ]

    def __str__(self):
        return f"{self.member} to {self.meeting}: {self.get_answer_display()}"
