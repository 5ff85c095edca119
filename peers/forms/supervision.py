"""Forms for supervision: recording a supervision with up to three agreed actions, and
adding an action later.

Dates and durations are checked by the same functions the service uses, so the form says
what to fix next to the field and the rule lives in one place.
"""

from django import forms
from django.utils import timezone

from cms.forms import OnceOnlyForm

from ..models import Supervision
from ..services import Refused
from ..services import supervision as services

ACTION_ROWS = 3

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _checked(check, *args, **kwargs):
    try:
        check(*args, **kwargs)
    except Refused as refusal:
        raise forms.ValidationError(refusal.message) from None


class SupervisionForm(OnceOnlyForm, forms.Form):
    """One supervision. The notes are shared with the supervisee, as the hint says."""

    date = forms.DateField(
        label="Date of the supervision",
        help_text="For example, 2026-03-27.",
        widget=DATE_WIDGET,
        error_messages={
            "required": "Enter the date of the supervision",
            "invalid": "Enter the date as year-month-day, for example 2026-03-27",
        },
    )
    kind = forms.ChoiceField(
        label="Kind of supervision",
        choices=Supervision.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of supervision"},
    )
    duration_minutes = forms.IntegerField(
        label="How long did it take, in minutes?",
        help_text="For example, 60 for an hour.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-4"}),
        error_messages={
            "required": "Enter how long the supervision took, in minutes",
            "invalid": "Enter the length as a whole number of minutes, for example 60",
        },
    )
    notes = forms.CharField(
        label="Notes",
        help_text=(
            "Your supervisee can read these notes: supervision notes are shared with them. "
            "Do not write the names of people they support."
        ),
        required=False,
        max_length=services.NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": "The notes must be 10,000 characters or fewer"},
    )

    def __init__(self, *args, worker, **kwargs):
        super().__init__(*args, **kwargs)
        self.worker = worker
        for n in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{n}"] = forms.CharField(
                label=f"Action {n}",
                help_text="What was agreed, and who will do it." if n == 1 else "",
                required=False,
                max_length=services.ACTION_MAX,
                error_messages={"max_length": "Each action must be 300 characters or fewer"},
            )
            self.fields[f"action_{n}_due"] = forms.DateField(
                label=f"Action {n}: due by (optional)",
                required=False,
                widget=DATE_WIDGET,
                error_messages={
                    "invalid": "Enter the due date as year-month-day, for example 2026-04-30"
                },
            )

    def clean_date(self):
        value = self.cleaned_data["date"]
        _checked(services.check_date, value, worker=self.worker, today=timezone.localdate())
        return value

    def clean_duration_minutes(self):
        value = self.cleaned_data["duration_minutes"]
        _checked(services.check_duration, value)
        return value

    def clean(self):
        cleaned = super().clean()
        for n in range(1, ACTION_ROWS + 1):
            if cleaned.get(f"action_{n}_due") and not cleaned.get(f"action_{n}", "").strip():
                self.add_error(
                    f"action_{n}", f"Enter what was agreed for action {n}, or clear its due date"
                )
        return cleaned

    def actions(self) -> list[services.AgreedAction]:
        return [
            services.AgreedAction(
                description=self.cleaned_data[f"action_{n}"],
                due_date=self.cleaned_data.get(f"action_{n}_due"),
            )
            for n in range(1, ACTION_ROWS + 1)
            if self.cleaned_data.get(f"action_{n}", "").strip()
        ]


class ActionForm(OnceOnlyForm, forms.Form):
    """An action agreed after the supervision itself."""

    description = forms.CharField(
        label="What was agreed?",
        max_length=services.ACTION_MAX,
        error_messages={
            "required": "Enter what was agreed",
            "max_length": "The action must be 300 characters or fewer",
        },
    )
    due_date = forms.DateField(
        label="Due by (optional)",
        help_text="For example, 2026-04-30.",
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": "Enter the due date as year-month-day, for example 2026-04-30"},
    )
