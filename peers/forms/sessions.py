"""Forms for session logs and safeguarding: the session form (quick on a phone: only the
date, length and setting are needed, the rest folds away), raising a concern, a supervisor's
acknowledgement, and the filters above the session lists.

Each field is checked by the same function the service uses, so the message next to the
field is the service's own and the rule lives in one place.
"""

from datetime import date

from django import forms
from django.utils import timezone

from cms.forms import ClearRequiredMessages, OnceOnlyForm

from ..models import SafeguardingConcern, SessionLog
from ..models.sessions import OutcomeMeasure, Setting
from ..selectors import sessions as selectors
from ..services import Refused
from ..services import safeguarding as safeguarding_services
from ..services import sessions as services


def _checked(check, *values):
    try:
        return check(*values)
    except Refused as refusal:
        raise forms.ValidationError(refusal.message) from None


def _whole_number(label: str, example: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "spellcheck": "false",
                "autocomplete": "off",
            }
        ),
        error_messages={"invalid": f"Enter a whole number, for example {example}"},
    )


class OfferChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, offer):
        return f"{offer.title} ({offer.provider.name})"


class OffersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, offer):
        return f"{offer.title} ({offer.provider.name})"


PERSONAL_DETAILS_FIELDS = {"person_reference": "reference", "notes": "notes"}


class SessionForm(OnceOnlyForm, forms.Form):
    """Log or correct a session. With ``with_concern``, a checkbox reveals the fields to
    raise a safeguarding concern (without JavaScript they are simply shown)."""

    date = forms.DateField(
        label="Date of the session",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date of the session",
            "invalid": "Enter the date as day, month and year, for example 21 November 2026",
        },
    )
    duration_minutes = _whole_number("How long was it, in minutes?", "45")
    setting = forms.ChoiceField(
        label="Where did it take place?",
        choices=Setting.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose where the session took place",
            "invalid_choice": "Choose where the session took place",
        },
    )
    group_size = _whole_number("How many people did you support?", "1")
    person_reference = forms.CharField(
        label="Your reference for the person (optional)",
        help_text="Something only you and your team will recognise, such as JT-café-3. "
        "Never their name. Leave it empty for a group.",
        required=False,
        max_length=services.REFERENCE_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": "The reference must be 40 characters or fewer"},
    )
    offer = OfferChoiceField(
        label="Was it part of an offer? (optional)",
        queryset=None,
        required=False,
        empty_label="Not part of an offer",
        error_messages={"invalid_choice": "Choose an offer from the list"},
    )
    topics = forms.ModelMultipleChoiceField(
        label="What did you talk about? (optional)",
        help_text="Select all that apply, including money, housing, work and loneliness.",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose topics from the list"},
    )
    signposted_to = OffersChoiceField(
        label="Offers you signposted them to (optional)",
        help_text="Select all that apply.",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose offers from the list"},
    )
    outcome_measure = forms.ChoiceField(
        label="Outcome measure used (optional)",
        choices=OutcomeMeasure.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose an outcome measure from the list"},
    )
    outcome_score = _whole_number("Score", "24")
    notes = forms.CharField(
        label="Private notes (optional)",
        help_text="Only you and your supervisors can read these. Do not write names, "
        "addresses or phone numbers.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    details_checked = forms.BooleanField(
        label="I have checked: nothing here could identify the person",
        required=False,
    )
    raise_concern = forms.BooleanField(
        label="I need to raise a safeguarding concern",
        help_text="Your supervisors are told at once.",
        required=False,
    )
    concern_urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=SafeguardingConcern.Urgency.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose how urgent the concern is"},
    )
    concern_description = forms.CharField(
        label="What happened, and who may be at risk?",
        help_text="Your supervisors need this to act. Only they and you can read it.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    concern_immediate_action = forms.CharField(
        label="What have you already done? (optional)",
        help_text="For example, called 999 or told the ward manager.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    CONCERN_FIELDS = (
        "raise_concern",
        "concern_urgency",
        "concern_description",
        "concern_immediate_action",
    )

    def __init__(self, *args, with_concern: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_concern = with_concern
        if not with_concern:
            for name in self.CONCERN_FIELDS:
                del self.fields[name]
        self.fields["offer"].queryset = selectors.offers_to_choose()
        self.fields["signposted_to"].queryset = selectors.offers_to_choose()
        self.fields["topics"].queryset = selectors.topics_to_choose()
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        # Filled in by clean(): the personal details spotted, by field name.
        self.personal_details: dict[str, list[str]] = {}

    # --- Each field, checked by the service's own rules --------------------------------------

    def clean_date(self):
        return _checked(services.session_date_check, self.cleaned_data.get("date"))

    def clean_duration_minutes(self):
        return _checked(services.duration_check, self.cleaned_data.get("duration_minutes"))

    def clean_group_size(self):
        size = self.cleaned_data.get("group_size")
        return _checked(services.group_size_check, size)

    def clean_person_reference(self):
        return _checked(services.reference_clean, self.cleaned_data.get("person_reference"))

    def clean_notes(self):
        return _checked(services.notes_clean, self.cleaned_data.get("notes"))

    def clean(self):
        data = super().clean()
        if "outcome_measure" in data and "outcome_score" not in self.errors:
            try:
                services.outcome_check(data["outcome_measure"], data.get("outcome_score"))
            except Refused as refusal:
                self.add_error(refusal.field, refusal.message)
        self._check_personal_details(data)
        if self.with_concern and data.get("raise_concern"):
            self._check_concern(data)
        return data

    def _check_personal_details(self, data):
        self.personal_details = services.personal_details_warnings(
            person_reference=data.get("person_reference") or "",
            notes=data.get("notes") or "",
        )
        if data.get("details_checked"):
            return
        for name, kinds in self.personal_details.items():
            if name in self.errors:
                continue
            self.add_error(
                name,
                f"Your {PERSONAL_DETAILS_FIELDS[name]} may contain {' or '.join(kinds)}. "
                "Take out anything that could identify the person, or tick ‘I have "
                "checked’ below to save as it is",
            )

    def _check_concern(self, data):
        if not data.get("concern_urgency") and "concern_urgency" not in self.errors:
            self.add_error("concern_urgency", "Choose how urgent the concern is")
        details = safeguarding_services.ConcernDetails(
            urgency=data.get("concern_urgency") or SafeguardingConcern.Urgency.TODAY,
            description=data.get("concern_description") or "",
            immediate_action=data.get("concern_immediate_action") or "",
        )
        try:
            safeguarding_services.concern_details_clean(details)
        except Refused as refusal:
            self.add_error(f"concern_{refusal.field}", refusal.message)

    @property
    def asks_to_check_details(self) -> bool:
        """Whether to show the "I have checked" box: once something has been spotted."""
        return bool(self.personal_details) or bool(self.data.get("details_checked"))

    # --- What the services take --------------------------------------------------------------

    def details(self) -> services.SessionDetails:
        data = self.cleaned_data
        return services.SessionDetails(
            date=data["date"],
            duration_minutes=data["duration_minutes"],
            setting=data["setting"],
            offer=data.get("offer"),
            person_reference=data.get("person_reference", ""),
            group_size=data["group_size"],
            topics=list(data.get("topics") or []),
            signposted_to=list(data.get("signposted_to") or []),
            outcome_measure=data.get("outcome_measure") or "",
            outcome_score=data.get("outcome_score"),
            notes=data.get("notes", ""),
        )

    def concern(self) -> safeguarding_services.ConcernDetails | None:
        if not self.with_concern or not self.cleaned_data.get("raise_concern"):
            return None
        data = self.cleaned_data
        return safeguarding_services.ConcernDetails(
            urgency=data["concern_urgency"],
            description=data["concern_description"],
            immediate_action=data.get("concern_immediate_action", ""),
        )


def new_session_initial(repeat: dict | None = None) -> dict:
    """A new log starts today, an hour long, one-to-one; "repeat last session" fills in
    the rest from the worker's latest log."""
    initial = {
        "date": timezone.localdate(),
        "duration_minutes": services.DEFAULT_MINUTES,
        "group_size": 1,
        "outcome_measure": "",
    }
    initial.update(repeat or {})
    return initial


def session_initial(session: SessionLog) -> dict:
    """The form as the session was logged, for correcting it."""
    return {
        "date": session.date,
        "duration_minutes": session.duration_minutes,
        "setting": session.setting,
        "group_size": session.group_size,
        "person_reference": session.person_reference,
        "offer": session.offer_id,
        "topics": [need.pk for need in session.topics.all()],
        "signposted_to": [offer.pk for offer in session.signposted_to.all()],
        "outcome_measure": session.outcome_measure,
        "outcome_score": session.outcome_score,
        "notes": session.notes,
    }


class ConcernForm(OnceOnlyForm, forms.Form):
    """Raising a concern from a session already logged."""

    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=SafeguardingConcern.Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how urgent the concern is",
            "invalid_choice": "Choose how urgent the concern is",
        },
    )
    description = forms.CharField(
        label="What happened, and who may be at risk?",
        help_text="Your supervisors need this to act. Only they and you can read it.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Describe what happened and who may be at risk"},
    )
    immediate_action = forms.CharField(
        label="What have you already done? (optional)",
        help_text="For example, called 999 or told the ward manager.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            cleaned = safeguarding_services.concern_details_clean(self.details(data))
        except Refused as refusal:
            self.add_error(refusal.field, refusal.message)
            return data
        data["description"] = cleaned.description
        return data

    def details(self, data=None) -> safeguarding_services.ConcernDetails:
        data = data if data is not None else self.cleaned_data
        return safeguarding_services.ConcernDetails(
            urgency=data["urgency"],
            description=data["description"],
            immediate_action=data.get("immediate_action", ""),
        )


class AcknowledgeForm(ClearRequiredMessages, forms.Form):
    """A supervisor's acknowledgement: what they have done about the concern. The hint
    names the worker who raised it, who reads what is written here."""

    action_taken = forms.CharField(
        label="What have you done about it?",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter what you have done about the concern, for example "
            "‘Referred to the adult safeguarding team’"
        },
    )

    def __init__(self, *args, worker_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_taken"].help_text = (
            f"For example, ‘Spoke to {worker_name}, referred to the adult safeguarding team "
            f"(ref 4471)’. {worker_name} can read this."
        )

    def clean_action_taken(self):
        return _checked(
            safeguarding_services.action_taken_clean, self.cleaned_data.get("action_taken")
        )


class SessionFilterForm(ClearRequiredMessages, forms.Form):
    """The filters above a session list: month and setting (and, for a supervisor, whose)."""

    worker = forms.ChoiceField(label="Peer worker", required=False)
    month = forms.ChoiceField(label="Month", required=False)
    setting = forms.ChoiceField(
        label="Setting", required=False, choices=[("", "All settings"), *Setting.choices]
    )

    def __init__(self, *args, months, supervisees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [("", "All months")] + [
            (f"{month:%Y-%m}", f"{month:%B %Y}") for month in months
        ]
        if supervisees is None:
            del self.fields["worker"]
        else:
            self.fields["worker"].choices = [("", "All your supervisees")] + [
                (str(worker.pk), str(worker)) for worker in supervisees
            ]

    def chosen(self, name: str) -> str:
        """A filter's value if it is one of the choices, otherwise nothing."""
        self.is_valid()
        return self.cleaned_data.get(name, "")

    def month_chosen(self) -> date | None:
        """The first day of the month chosen, if one was."""
        value = self.chosen("month")
        if not value:
            return None
        year, month = value.split("-")
        return date(int(year), int(month), 1)
