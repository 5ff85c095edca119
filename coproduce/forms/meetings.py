"""Forms for meetings: the lead's meeting, cancellation, papers, access arrangements,
replies and attendance forms in the Wagtail admin, and the member's reply and calendar
address reset.

Forms only read and check what was typed, with messages in plain English; the rules
(overlaps, times in the past, claims already submitted) are the services' to apply. When a
service refuses, ``add_refusal`` puts its message beside the field it is about.
"""

from datetime import datetime

from django import forms
from django.conf import settings
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.documents import get_document_model

from cms.dates import UK, uk_time
from cms.forms import ClearRequiredMessages

from ..models import AccessArrangement, Attendance, Meeting, MeetingReply
from ..rules import panels_led_by
from ..selectors.meetings import paper_documents_for
from ..services.meetings import (
    PAPER_MAX_BYTES,
    PAPERS_COLLECTION,
    REPLY_NOTE_MAX,
    ArrangementEntry,
    AttendanceEntry,
    MeetingDetails,
)

HOURS_ERRORS = {
    "invalid": "Enter hours as a number, like 2 or 1.5",
    "min_value": "Hours cannot be negative",
    "max_value": "Hours must be 24 or fewer",
    "max_decimal_places": "Enter hours to no more than 2 decimal places",
    "max_digits": "Hours must be 24 or fewer",
    "max_whole_digits": "Hours must be 24 or fewer",
}


class RefusalMixin:
    """Show a service's refusal on the form, beside the field it names when there is one."""

    field_for_refusal: dict[str, str] = {}

    def add_refusal(self, error) -> None:
        name = getattr(error, "field", None)
        name = self.field_for_refusal.get(name, name)
        self.add_error(name if name in self.fields else None, error.message)


class MeetingForm(RefusalMixin, WagtailAdminModelForm):
    """Scheduling or changing a meeting. The day and times are separate fields in UK time,
    whatever time zone the lead's browser or admin profile is set to."""

    field_for_refusal = {"starts_at": "start_time", "ends_at": "end_time"}

    # The browser's own date and time pickers: accessible, and they need no inline script
    # (which the site's Content Security Policy would block).
    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date of the meeting",
            "invalid": "Enter the date as year-month-day, for example 2026-12-01",
        },
    )
    start_time = forms.TimeField(
        label="Start time",
        help_text="UK time, for example 10:00, or 14:30 for half past two in the afternoon.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter the start time",
            "invalid": "Enter the start time as hours and minutes, for example 14:30",
        },
    )
    end_time = forms.TimeField(
        label="End time",
        help_text="UK time, for example 12:00.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter the end time",
            "invalid": "Enter the end time as hours and minutes, for example 16:00",
        },
    )

    class Meta:
        model = Meeting
        fields = ["panel", "title", "mode", "location", "joining_link", "agenda"]
        labels = {
            "mode": "How people take part",
            "location": "Address",
            "joining_link": "Link to join online",
        }
        help_texts = {
            "title": "For example: Leaflet review, or Planning the spring events.",
            "location": "Needed for in-person and hybrid meetings. Add directions if useful.",
            "joining_link": "Needed for online and hybrid meetings: the video call link.",
            "agenda": "Plain text: what the meeting will cover. Members see it on the "
            "meeting's page and in their calendar.",
        }
        widgets = {"mode": forms.RadioSelect}
        error_messages = {
            "panel": {
                "required": "Choose the panel that is meeting",
                "invalid_choice": "Choose a panel you run",
            },
            "title": {"required": "Enter a title for the meeting"},
            "joining_link": {"invalid": "Enter a full web address, starting with https://"},
        }

    field_order = [
        "panel",
        "title",
        "date",
        "start_time",
        "end_time",
        "mode",
        "location",
        "joining_link",
        "agenda",
    ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["panel"].queryset = panels_led_by(for_user).order_by("title")
        self.fields["panel"].empty_label = None
        meeting = self.instance
        if meeting.pk:
            # A meeting stays with its panel: members of another panel were never invited.
            self.fields["panel"].disabled = True
            self.fields["panel"].help_text = "A meeting cannot move to another panel."
            starts, ends = uk_time(meeting.starts_at), uk_time(meeting.ends_at)
            self.initial.setdefault("date", starts.date())
            self.initial.setdefault("start_time", starts.time().replace(second=0))
            self.initial.setdefault("end_time", ends.time().replace(second=0))

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            data["starts_at"] = datetime.combine(day, start, tzinfo=UK)
            data["ends_at"] = datetime.combine(day, end, tzinfo=UK)
        return data

    def _post_clean(self):
        # Leave the meeting itself alone: the service decides what changes, and a refused
        # change must not linger on the object the page goes on to show.
        pass

    def details(self) -> MeetingDetails:
        data = self.cleaned_data
        return MeetingDetails(
            panel=data["panel"],
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            mode=data["mode"],
            location=data.get("location", ""),
            joining_link=data.get("joining_link", ""),
            agenda=data.get("agenda", ""),
        )


class CancelMeetingForm(ClearRequiredMessages, RefusalMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the meeting cancelled?",
        help_text="In plain words: members see this in the email telling them.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter the reason the meeting is cancelled",
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )


class PaperForm(ClearRequiredMessages, RefusalMixin, forms.Form):
    """Add a paper: a document already in the private collection, or a new upload (which
    goes into that collection)."""

    document = forms.ModelChoiceField(
        label="Choose a document already uploaded",
        queryset=get_document_model().objects.none(),
        required=False,
        empty_label="None: I will upload one",
        help_text=f"Documents in the “{PAPERS_COLLECTION}” collection, newest first.",
        error_messages={
            "invalid_choice": f"Choose a document from the “{PAPERS_COLLECTION}” collection",
        },
    )
    upload = forms.FileField(
        label="Or upload a new document",
        required=False,
        help_text=f"{', '.join(e.upper() for e in settings.WAGTAILDOCS_EXTENSIONS)}, "
        f"at most {PAPER_MAX_BYTES // (1024 * 1024)} MB. Easy read and large print "
        "versions are welcome as separate papers.",
        error_messages={"empty": "The file is empty. Choose the document again."},
    )
    title = forms.CharField(
        label="Title shown to members",
        required=False,
        max_length=120,
        help_text="Leave blank to use the document's own title.",
        error_messages={"max_length": "The title must be 120 characters or fewer"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = paper_documents_for(
            user, collection_name=PAPERS_COLLECTION
        )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        if upload.size > PAPER_MAX_BYTES:
            raise forms.ValidationError(
                f"The document must be smaller than {PAPER_MAX_BYTES // (1024 * 1024)} MB"
            )
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in settings.WAGTAILDOCS_EXTENSIONS:
            raise forms.ValidationError(
                "Upload a document of one of these types: "
                + ", ".join(e.upper() for e in settings.WAGTAILDOCS_EXTENSIONS)
            )
        return upload

    def clean(self):
        data = super().clean()
        chosen, upload = data.get("document"), data.get("upload")
        if not self.errors:
            if chosen is None and upload is None:
                self.add_error("document", "Choose a document, or upload a new one")
            elif chosen is not None and upload is not None:
                self.add_error("upload", "Choose a document or upload a new one, not both")
        return data


class AccessArrangementsForm(ClearRequiredMessages, RefusalMixin, forms.Form):
    """One status and detail per access need of the panel's members."""

    def __init__(self, *args, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs = needs
        for summary in needs:
            self.fields[f"{summary.need}-status"] = forms.ChoiceField(
                label=summary.label,
                choices=AccessArrangement.Status.choices,
                initial=summary.status,
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose whether “{summary.label}” is booked"},
            )
            self.fields[f"{summary.need}-detail"] = forms.CharField(
                label=f"Details for “{summary.label}”",
                required=False,
                max_length=2000,
                initial=summary.arrangement.detail if summary.arrangement else "",
                help_text="Who is booked and when they arrive, or why it was not possible. "
                "Members who need it see this.",
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"max_length": "Details must be 2,000 characters or fewer"},
            )
        self.field_for_refusal = {s.need: f"{s.need}-detail" for s in needs}

    def rows(self):
        """(summary, status field, detail field) for each need, for the template."""
        return [(s, self[f"{s.need}-status"], self[f"{s.need}-detail"]) for s in self.needs]

    def entries(self) -> list[ArrangementEntry]:
        data = self.cleaned_data
        return [
            ArrangementEntry(
                need=s.need,
                status=data[f"{s.need}-status"],
                detail=data.get(f"{s.need}-detail", ""),
            )
            for s in self.needs
        ]


class AttendanceForm(ClearRequiredMessages, RefusalMixin, forms.Form):
    """Who came, for each member: attended (with hours), sent apologies, or did not come."""

    NOT_RECORDED = ""

    def __init__(self, *args, rows, default_hours, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = rows
        for row in rows:
            recorded = row.attendance
            choices = list(Attendance.Status.choices)
            if recorded is None:
                choices.insert(0, (self.NOT_RECORDED, "Not recorded yet"))
            self.fields[f"status-{row.user_id}"] = forms.ChoiceField(
                label=f"Attendance for {row.name}",
                choices=choices,
                required=recorded is not None,
                # Not recorded yet: start from what they replied; the lead confirms.
                initial=recorded.status if recorded else row.status_from_reply,
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose whether {row.name} came"},
            )
            hours = recorded.hours if recorded and recorded.hours is not None else default_hours
            self.fields[f"hours-{row.user_id}"] = forms.DecimalField(
                label=f"Hours for {row.name}",
                required=False,
                min_value=0,
                max_value=24,
                max_digits=4,
                decimal_places=2,
                initial=hours,
                error_messages=HOURS_ERRORS,
                widget=forms.NumberInput(attrs={"step": "0.25", "min": "0", "max": "24"}),
            )
        self.field_for_refusal = {str(row.user_id): f"hours-{row.user_id}" for row in rows}

    def rows(self):
        return [
            (row, self[f"status-{row.user_id}"], self[f"hours-{row.user_id}"]) for row in self.sheet
        ]

    def entries(self) -> list[AttendanceEntry]:
        data = self.cleaned_data
        entries = []
        for row in self.sheet:
            status = data.get(f"status-{row.user_id}") or self.NOT_RECORDED
            if status == self.NOT_RECORDED:
                continue
            entries.append(
                AttendanceEntry(
                    member_id=row.user_id,
                    status=status,
                    hours=data.get(f"hours-{row.user_id}"),
                )
            )
        return entries


class CalendarResetForm(ClearRequiredMessages, forms.Form):
    """Carries the address the person was looking at, so a double click resets it once."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


REPLY_ERRORS = {
    "required": "Choose whether you are coming",
    "invalid_choice": "Choose coming, not coming or maybe",
}
NOTE_ERRORS = {"max_length": f"The note must be {REPLY_NOTE_MAX} characters or fewer"}


class MeetingReplyForm(ClearRequiredMessages, RefusalMixin, forms.Form):
    """A member's answer to a meeting invitation, with an optional note for the lead.

    One reply per member and meeting, updated in place: sending it twice changes nothing.
    """

    answer = forms.ChoiceField(
        label="Are you coming?",
        choices=MeetingReply.Answer.choices,
        widget=forms.RadioSelect,
        error_messages=REPLY_ERRORS,
    )
    note = forms.CharField(
        label="Anything the people running the panel should know (optional)",
        help_text="For example, your apologies, or that you may be late. "
        f"Up to {REPLY_NOTE_MAX} characters.",
        required=False,
        max_length=REPLY_NOTE_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=NOTE_ERRORS,
    )


class QuickReplyForm(ClearRequiredMessages, forms.Form):
    """The answer alone, from the buttons on My space; the note, if any, is kept."""

    answer = forms.ChoiceField(choices=MeetingReply.Answer.choices, error_messages=REPLY_ERRORS)


class StaffReplyForm(ClearRequiredMessages, RefusalMixin, forms.Form):
    """A lead records the answer a member gave by phone, in person or by letter."""

    member = forms.TypedChoiceField(
        label="Member",
        coerce=int,
        error_messages={
            "required": "Choose the member who replied",
            "invalid_choice": "Choose a member of this panel",
        },
    )
    answer = forms.ChoiceField(
        label="Their answer",
        choices=MeetingReply.Answer.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether they are coming",
            "invalid_choice": "Choose coming, not coming or maybe",
        },
    )
    note = forms.CharField(
        label="What they said (optional)",
        help_text="Their apologies, or anything else they asked you to note. Members see "
        "this on the meeting's page.",
        required=False,
        max_length=REPLY_NOTE_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=NOTE_ERRORS,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "Choose a member")] + [
            (m.user_id, m.name) for m in members
        ]
