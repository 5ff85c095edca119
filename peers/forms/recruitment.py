"""Forms of peer-role recruitment: the candidate's short application and the optional
equality monitoring step on the site, and HR's pipeline actions in the admin. Forms check
what they can alone (a date, a required answer); the rules that need the record are in
``peers.services.recruitment`` and come back as form errors."""

from django import forms

from cms.forms import ClearRequiredMessages, OnceOnlyForm

from ..models import EqualityMonitoring, PreEmploymentCheck
from ..services.recruitment import (
    ADJUSTMENTS_CONSENT,
    ADJUSTMENTS_MAX_LENGTH,
    EQUALITY_CONSENT,
    EQUALITY_FIELDS,
    REASON_MAX_LENGTH,
    STATEMENT_MAX_LENGTH,
)

YES_NO = [("yes", "Yes"), ("no", "No")]


class ApplyForm(OnceOnlyForm, forms.Form):
    """Why this role, lived experience, adjustments for the interview, consent to contact.

    Adjustments can say something about a person's health, so they come with an "I agree"
    box whose label is the statement itself; adjustments sent without it are not taken
    silently: the candidate is asked to agree, or to clear them.
    """

    statement = forms.CharField(
        label="Why would you like this role?",
        help_text="Tell us why you would like to do peer work, and a little about how your "
        "own lived experience could help others. Share only what you are comfortable "
        f"with. Up to {STATEMENT_MAX_LENGTH} characters.",
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Tell us why you would like this role.",
            "max_length": f"Keep what you write to {STATEMENT_MAX_LENGTH} characters or fewer.",
        },
    )
    has_lived_experience = forms.ChoiceField(
        label="Do you have lived experience of mental ill health, or of caring for someone "
        "who has?",
        help_text="Peer roles are for people with their own lived experience, so we ask "
        "everyone who applies. You do not need to give details. Only the people recruiting "
        "for this role see your answer, and it is kept with your application.",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no."},
    )
    adjustments_requested = forms.CharField(
        label="Is there anything that would help you at an interview? (optional)",
        help_text="For example extra time, a quiet room, the questions in advance, a BSL "
        "interpreter or an interview online.",
        required=False,
        max_length=ADJUSTMENTS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": f"Keep this to {ADJUSTMENTS_MAX_LENGTH} characters or fewer."
        },
    )
    # The box's label is the statement itself: what is ticked is exactly what is agreed to.
    agree_to_adjustments = forms.BooleanField(label=ADJUSTMENTS_CONSENT.text, required=False)
    consent_to_contact = forms.BooleanField(
        label="I agree that the organisation may contact me by email about this application.",
        error_messages={
            "required": "To apply, tick the box to agree that we may contact you about "
            "your application."
        },
    )

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("adjustments_requested") or "").strip() and not cleaned.get(
            "agree_to_adjustments"
        ):
            self.add_error(
                "agree_to_adjustments",
                "To let us arrange the adjustments you asked for, tick the box to agree to us "
                "keeping what you wrote. If you would rather not tell us, clear the box above.",
            )
        return cleaned


def _optional_radio(label: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices.choices,
        required=False,
        widget=forms.RadioSelect,
    )


class EqualityForm(ClearRequiredMessages, forms.Form):
    """Optional equality monitoring: every question may be left empty, and answers are
    kept only with the candidate's agreement to how they are used. Unless their agreement
    to today's wording stands (``asks_consent=False``), the questions end with the statement
    as the label of an "I agree" box; ``kept`` are the answers held already, which may be
    sent back unchanged without agreeing again."""

    age_band = _optional_radio("What is your age?", EqualityMonitoring.AgeBand)
    gender = _optional_radio("How would you describe your gender?", EqualityMonitoring.Gender)
    ethnicity = _optional_radio("What is your ethnic group?", EqualityMonitoring.Ethnicity)
    disability = _optional_radio(
        "Do you consider yourself to have a disability or long-term condition?",
        EqualityMonitoring.Disability,
    )
    sexual_orientation = _optional_radio(
        "What is your sexual orientation?", EqualityMonitoring.SexualOrientation
    )
    agree = forms.BooleanField(label=EQUALITY_CONSENT.text, required=False)

    def __init__(self, *args, asks_consent: bool = True, kept: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = kept or {}
        if not asks_consent:
            del self.fields["agree"]

    @property
    def asks_consent(self) -> bool:
        return "agree" in self.fields

    def clean(self):
        cleaned = super().clean()
        answers = {name: cleaned.get(name) or "" for name in EQUALITY_FIELDS}
        if (
            self.asks_consent
            and any(answers.values())
            and not cleaned.get("agree")
            and answers != {name: self.kept.get(name, "") for name in EQUALITY_FIELDS}
        ):
            self.add_error(
                "agree",
                "To keep your answers, tick the box to agree to how we use them. If you would "
                "rather not, skip these questions.",
            )
        return cleaned


class WithdrawForm(ClearRequiredMessages, forms.Form):
    reason = forms.CharField(
        label="Would you like to tell us why? (optional)",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"Keep this to {REASON_MAX_LENGTH} characters or fewer."},
    )


# --- HR's actions in the admin ---------------------------------------------------------------


def _date(label: str, *, required: bool = True, help_text: str = "", message: str = ""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": message or f"Enter the {label.lower()}.",
            "invalid": f"Enter the {label.lower()} as a real date, like 31 3 2025.",
        },
    )


class InterviewForm(ClearRequiredMessages, forms.Form):
    """The interview's date and time and up to four people on the panel."""

    PANEL_ROWS = 4

    interview_at = forms.DateTimeField(
        label="Date and time of the interview",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "Enter the date and time of the interview.",
            "invalid": "Enter the date and time of the interview, like 31 3 2025 10:00.",
        },
    )
    go_ahead_without_lived_experience = forms.BooleanField(
        label="Go ahead although no one on the panel has lived experience (this is recorded)",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(self.PANEL_ROWS):
            self.fields[f"member_{n}_name"] = forms.CharField(
                label=f"Panel member {n + 1}: name", required=False, max_length=120
            )
            self.fields[f"member_{n}_role"] = forms.CharField(
                label=f"Panel member {n + 1}: role", required=False, max_length=120
            )
            self.fields[f"member_{n}_lived"] = forms.BooleanField(
                label=f"Panel member {n + 1} has lived experience", required=False
            )

    def panel_rows(self):
        return [
            (
                self[f"member_{n}_name"],
                self[f"member_{n}_role"],
                self[f"member_{n}_lived"],
            )
            for n in range(self.PANEL_ROWS)
        ]

    def clean(self):
        cleaned = super().clean()
        if not any((cleaned.get(f"member_{n}_name") or "").strip() for n in range(self.PANEL_ROWS)):
            self.add_error("member_0_name", "Add at least one person on the interview panel.")
        return cleaned

    def panel(self):
        from ..services.recruitment import PanelMember

        return [
            PanelMember(
                name=self.cleaned_data[f"member_{n}_name"],
                role=self.cleaned_data[f"member_{n}_role"],
                has_lived_experience=self.cleaned_data[f"member_{n}_lived"],
            )
            for n in range(self.PANEL_ROWS)
            if (self.cleaned_data.get(f"member_{n}_name") or "").strip()
        ]


class OfferForm(ClearRequiredMessages, forms.Form):
    offered_on = _date("Date of the offer")
    proposed_start_date = _date(
        "Proposed start date", required=False, help_text="On or after the date of the offer."
    )

    def clean(self):
        cleaned = super().clean()
        offered, start = cleaned.get("offered_on"), cleaned.get("proposed_start_date")
        if offered and start and start < offered:
            self.add_error(
                "proposed_start_date",
                "The proposed start date must be on or after the date of the offer.",
            )
        return cleaned


class CheckForm(ClearRequiredMessages, forms.Form):
    kind = forms.ChoiceField(choices=PreEmploymentCheck.Kind.choices, widget=forms.HiddenInput)
    requested_on = _date("Date requested", required=False)
    completed_on = _date("Date completed", required=False)
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=PreEmploymentCheck.Outcome.choices,
        error_messages={"required": "Choose the outcome of the check."},
    )
    expires_on = _date(
        "Date it expires", required=False, help_text="Leave empty if it does not expire."
    )


class StartForm(ClearRequiredMessages, forms.Form):
    start_date = _date("Start date", message="Enter the date they start.")


class ReasonForm(ClearRequiredMessages, forms.Form):
    """Unsuccessful, or withdrawn on the candidate's behalf: the reason is for HR only."""

    reason = forms.CharField(
        label="Reason",
        help_text="For HR's records only: the candidate's email does not include it.",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason."},
    )


class AdjustmentsForm(ClearRequiredMessages, forms.Form):
    adjustments_agreed = forms.CharField(
        label="Adjustments agreed",
        help_text="What you have agreed with the candidate. It is included in their "
        "interview email.",
        required=False,
        max_length=ADJUSTMENTS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FeedbackForm(ClearRequiredMessages, forms.Form):
    feedback_offered_on = _date("Date feedback was offered")
    feedback_note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
