"""Forms for the progression pathway: a worker's evidence and training, a supervisor's
sign-off note and progression review.

Text and dates are checked by the same functions the services use, so the form says what
to fix next to the field and each rule lives in one place.
"""

from django import forms

from cms.forms import OnceOnlyForm

from ..models import ProgressionReview
from ..selectors import progression as selectors
from ..services import Refused
from ..services import progression as services

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _checked(check, *args, **kwargs):
    try:
        return check(*args, **kwargs)
    except Refused as refusal:
        raise forms.ValidationError(refusal.message) from None


def _date_field(label: str, *, required_message: str, required: bool = True, help_text=""):
    return forms.DateField(
        label=label,
        help_text=help_text or "For example, 2026-03-27.",
        required=required,
        widget=DATE_WIDGET,
        error_messages={
            "required": required_message,
            "invalid": "Enter the date as year-month-day, for example 2026-03-27",
        },
    )


class EvidenceForm(OnceOnlyForm, forms.Form):
    """Evidence for one competence, in the worker's own words."""

    competence = forms.TypedChoiceField(
        label="Which competence does this show?",
        coerce=int,
        error_messages={"required": "Choose the competence this evidence shows"},
    )
    description = forms.CharField(
        label="What did you do?",
        help_text=(
            "Describe what you did and what you learned. Do not write the name or any "
            "details of people you support: write 'a person I support'."
        ),
        max_length=services.EVIDENCE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Describe what you did that shows this competence",
            "max_length": "The description must be 2,000 characters or fewer",
        },
    )
    date = _date_field(
        "When did you do it?", required_message="Enter the date you did it, for example 2026-03-27"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.competences = {c.pk: c for c in selectors.competences_for_evidence()}
        groups: dict[str, list] = {}
        for competence in self.competences.values():
            level = min(competence.levels.all(), key=lambda lvl: lvl.order, default=None)
            heading = f"Needed for {level}" if level else "Other competences"
            groups.setdefault(heading, []).append((competence.pk, competence.title))
        self.fields["competence"].choices = [("", "Choose a competence"), *groups.items()]

    def clean_competence(self):
        return self.competences[self.cleaned_data["competence"]]

    def clean_description(self):
        return _checked(services.evidence_description, self.cleaned_data["description"])

    def clean_date(self):
        return _checked(services.not_in_future, self.cleaned_data["date"], what="you did it")


class TrainingRecordForm(OnceOnlyForm, forms.Form):
    """A course the worker completed."""

    training = forms.ModelChoiceField(
        label="Which course did you complete?",
        queryset=selectors.training_courses(),
        empty_label="Choose a course",
        error_messages={"required": "Choose the course you completed"},
    )
    completed_on = _date_field(
        "When did you complete it?",
        required_message="Enter the date you completed the course, for example 2026-03-27",
    )
    expires_on = _date_field(
        "When does it run out? (optional)",
        required=False,
        required_message="",
        help_text=(
            "Leave empty and we will work it out for courses that need refreshing, such as "
            "safeguarding."
        ),
    )
    provider = forms.CharField(
        label="Who ran it? (optional)",
        required=False,
        max_length=services.PROVIDER_MAX,
        error_messages={"max_length": "The provider must be 200 characters or fewer"},
    )
    hours = forms.CharField(
        label="How many hours was it? (optional)",
        help_text="For example, 3.5. Leave empty to use the course's usual length.",
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-4"}),
    )

    def clean_completed_on(self):
        return _checked(
            services.not_in_future,
            self.cleaned_data["completed_on"],
            what="you completed the course",
        )

    def clean_hours(self):
        value = self.cleaned_data["hours"]
        return _checked(services.training_hours, value) if value else None

    def clean(self):
        data = super().clean()
        if data.get("training") and data.get("completed_on") and data.get("expires_on"):
            try:
                services.training_expiry(
                    training=data["training"],
                    completed_on=data["completed_on"],
                    expires_on=data["expires_on"],
                )
            except Refused as refusal:
                self.add_error("expires_on", refusal.message)
        return data


class SignOffForm(OnceOnlyForm, forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        help_text="What you saw that shows the competence. Your supervisee can read this.",
        required=False,
        max_length=services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The note must be 1,000 characters or fewer"},
    )


class ProgressionReviewForm(OnceOnlyForm, forms.Form):
    date = _date_field(
        "Date of the review",
        required_message="Enter the date of the review, for example 2026-03-27",
    )
    readiness_summary = forms.CharField(
        label="How ready are they for the next level?",
        help_text="Their strengths, what the evidence shows, and anything still to develop.",
        max_length=services.SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Summarise how ready they are for the next level",
            "max_length": "The summary must be 3,000 characters or fewer",
        },
    )
    decision = forms.ChoiceField(
        label="Decision",
        choices=ProgressionReview.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision of the review"},
    )
    decision_note = forms.CharField(
        label="What happens next",
        help_text="Needed for 'not yet' and 'deferred': what needs to happen before the next "
        "review, and when it will be.",
        required=False,
        max_length=services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The note must be 1,000 characters or fewer"},
    )

    def clean_date(self):
        return _checked(services.not_in_future, self.cleaned_data["date"], what="of the review")

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if (
            decision
            and decision != ProgressionReview.Decision.PROGRESS
            and not (data.get("decision_note") or "").strip()
        ):
            self.add_error("decision_note", "Say what needs to happen before the next review")
        return data
