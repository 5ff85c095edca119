"""Forms HR fill in for the charter in the Wagtail admin: each offers only their own
organisation's charters, keeps text plain, and shows the services' rules beside the field
they are about."""

from datetime import date

from django import forms
from django.db.models import Max
from django.utils import timezone
from wagtail.admin.forms.models import WagtailAdminModelForm

from cms.admin_dates import DateField
from cms.dates import day_in_words
from cms.forms import ClearRequiredMessages
from cms.models import Organisation, User
from cms.permissions import sees_whole_partnership
from cms.roles import Role
from cms.sanitise import plain_text

from . import services
from .calculations import calculation_choices
from .models import Charter, CharterAction, Commitment, Evidence, Measure, Review, Target
from .periods import last_complete_period
from .rules import charters_kept_by


def _organisations_for(user):
    organisations = Organisation.objects.order_by("name")
    if sees_whole_partnership(user):
        return organisations
    return organisations.filter(pk=user.organisation_id)


def _charter_leads():
    return User.objects.filter(is_active=True, groups__name=Role.HR.value).order_by(
        "first_name", "last_name", "email"
    )


class _PlainTextMixin:
    plain_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        for name in self.plain_fields:
            if isinstance(cleaned.get(name), str):
                cleaned[name] = plain_text(cleaned[name])
        return cleaned


class CharterForm(_PlainTextMixin, WagtailAdminModelForm):
    plain_fields = ("title", "version", "introduction")

    class Meta:
        model = Charter
        fields = [
            "organisation",
            "title",
            "version",
            "adopted_on",
            "published",
            "introduction",
            "lead",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations_for(self.for_user)
        self.fields["lead"].queryset = _charter_leads()

    def clean(self):
        cleaned = super().clean()
        adopted_on = cleaned.get("adopted_on")
        if self.instance.pk and adopted_on:
            early = Target.objects.filter(
                measure__commitment__charter=self.instance, due_on__lt=adopted_on
            ).first()
            if early:
                self.add_error(
                    "adopted_on",
                    f"A target of “{early.measure}” is due on {day_in_words(early.due_on)}, "
                    "before this date. Change that target first.",
                )
        return cleaned


class CharterFromTemplateForm(ClearRequiredMessages, forms.Form):
    """Start a charter by copying the default one, with its six commitments."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        error_messages={"required": "Choose the organisation adopting the charter"},
    )
    adopted_on = DateField(label="Adopted on", what="the date the board adopted the charter")
    version = forms.CharField(
        max_length=20,
        initial="1",
        help_text="For example 1, or 2.1",
        error_messages={"required": "Enter a version number, for example 1"},
    )
    lead = forms.ModelChoiceField(
        label="Charter lead (optional)",
        queryset=User.objects.none(),
        required=False,
        help_text="Reminded by email before each quarterly review.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations_for(user)
        self.fields["lead"].queryset = _charter_leads()


class CommitmentForm(_PlainTextMixin, WagtailAdminModelForm):
    plain_fields = ("title", "description")

    class Meta:
        model = Commitment
        fields = ["charter", "number", "title", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["charter"].queryset = charters_kept_by(self.for_user).select_related(
            "organisation"
        )


class MeasureForm(_PlainTextMixin, WagtailAdminModelForm):
    plain_fields = ("name", "description")
    calculation = forms.ChoiceField(
        required=False,
        help_text="For a computed measure: which of the platform's calculations gives it.",
    )

    class Meta:
        model = Measure
        fields = [
            "commitment",
            "name",
            "description",
            "unit",
            "better",
            "frequency",
            "source",
            "calculation",
            "baseline",
            "baseline_on",
        ]
        widgets = {
            "unit": forms.RadioSelect,
            "better": forms.RadioSelect,
            "frequency": forms.RadioSelect,
            "source": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = Commitment.objects.filter(
            charter__in=charters_kept_by(self.for_user)
        ).select_related("charter__organisation")
        self.fields["calculation"].choices = [("", "None: HR enter it"), *calculation_choices()]
        self.fields["baseline"].help_text = (
            "Where the measure stood before the work began, if you know it. The trajectory to "
            "the targets starts here. Leave it empty and the first reading is the starting "
            "point, judged only once a second reading comes."
        )
        self.fields["baseline"].error_messages["invalid"] = (
            "Enter the baseline as a number, like 40 or 12.5"
        )
        self.fields["baseline_on"].help_text = (
            "The day the baseline was true, before the first target date. Leave it empty "
            "and it is the day the charter was adopted."
        )
        self.fields["baseline_on"].error_messages["invalid"] = (
            "Enter the baseline date as a real date, for example 31/3/2026"
        )

    def clean(self):
        cleaned = super().clean()
        baseline, baseline_on = cleaned.get("baseline"), cleaned.get("baseline_on")
        # A value with no date is true on the day the charter was adopted (the model's help
        # says so), so only a date with no value is refused.
        if baseline is None and baseline_on is not None and "baseline" not in self.errors:
            self.add_error("baseline", "Enter the baseline value, or clear its date")
        elif baseline_on is not None:
            first = self.instance.targets.order_by("due_on").first() if self.instance.pk else None
            if problem := baseline_problem(
                baseline_on=baseline_on,
                first_target_on=first.due_on if first else None,
                today=timezone.localdate(),
            ):
                self.add_error("baseline_on", problem)
        return cleaned

    def save(self, commit=True):
        # Measures are listed in the order they were added: a new one goes after its
        # commitment's others, so HR never have to number them.
        if self.instance._state.adding:
            last = self.instance.commitment.measures.aggregate(last=Max("sort_order"))["last"]
            self.instance.sort_order = 0 if last is None else last + 1
        return super().save(commit=commit)


def baseline_problem(*, baseline_on: date, first_target_on: date | None, today: date) -> str | None:
    """What is wrong with a baseline's date, or None: the trajectory runs from the baseline
    to the first target, so the baseline must come first, and it must already be true."""
    if baseline_on > today:
        return "The baseline date must be today or in the past"
    if first_target_on is not None and baseline_on >= first_target_on:
        return (
            "The baseline date must be before the first target date, "
            f"{day_in_words(first_target_on)}"
        )
    return None


class TargetForm(WagtailAdminModelForm):
    class Meta:
        model = Target
        fields = ["measure", "due_on", "value", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = Measure.objects.filter(
            commitment__charter__in=charters_kept_by(self.for_user)
        ).select_related("commitment__charter")
        self.fields["due_on"].error_messages["invalid"] = (
            "Enter the target date as a real date, for example 31/3/2027"
        )
        self.fields["due_on"].error_messages["required"] = "Enter the date the target is due"
        self.fields["value"].error_messages["required"] = "Enter the target value, as a number"

    def clean(self):
        cleaned = super().clean()
        measure, due_on = cleaned.get("measure"), cleaned.get("due_on")
        if (
            measure
            and due_on
            and (problem := services.target_problem(measure=measure, due_on=due_on))
        ):
            self.add_error("due_on", problem)
        if isinstance(cleaned.get("note"), str):
            cleaned["note"] = plain_text(cleaned["note"])
        return cleaned


class CharterActionForm(_PlainTextMixin, WagtailAdminModelForm):
    plain_fields = ("title", "owner", "note")

    class Meta:
        model = CharterAction
        fields = ["charter", "commitment", "title", "owner", "due_on", "status", "note"]
        widgets = {"status": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kept = charters_kept_by(self.for_user)
        self.fields["charter"].queryset = kept.select_related("organisation")
        self.fields["commitment"].queryset = Commitment.objects.filter(charter__in=kept)

    def clean(self):
        cleaned = super().clean()
        charter, commitment = cleaned.get("charter"), cleaned.get("commitment")
        if charter and commitment and commitment.charter_id != charter.pk:
            self.add_error("commitment", "Choose a commitment of the charter you chose")
        return cleaned


class ReviewForm(_PlainTextMixin, WagtailAdminModelForm):
    plain_fields = ("notes",)

    class Meta:
        model = Review
        fields = ["charter", "due_on", "held_on", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["charter"].queryset = charters_kept_by(self.for_user).select_related(
            "organisation"
        )

    def clean(self):
        cleaned = super().clean()
        held_on = cleaned.get("held_on")
        if held_on and held_on > timezone.localdate():
            self.add_error("held_on", "The review has not happened yet. Enter the date it was held")
        return cleaned


class ReadingForm(ClearRequiredMessages, forms.Form):
    """HR's reading of an entered measure, for a period that has ended."""

    period_start = DateField(label="Period from", what="the first day of the period")
    period_end = DateField(
        label="Period to (this day is included)", what="the last day of the period"
    )
    value = forms.DecimalField(
        label="Reading",
        max_digits=12,
        decimal_places=2,
        error_messages={
            "required": "Enter the reading, as a number",
            "invalid": "Enter the reading as a number, like 12 or 42.5",
        },
    )
    numerator = forms.IntegerField(
        label="Number counted (optional)",
        min_value=0,
        required=False,
        help_text="For a percentage: how many met the measure, for example 9 (of 12).",
        error_messages={"invalid": "Enter a whole number, like 9"},
    )
    denominator = forms.IntegerField(
        label="Out of (optional)",
        min_value=0,
        required=False,
        help_text="For a percentage: how many there were in all, for example 12.",
        error_messages={"invalid": "Enter a whole number, like 12"},
    )
    note = forms.CharField(
        label="Where the number comes from",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say where this number comes from, in a short note"},
    )
    evidence = forms.ModelChoiceField(
        label="Evidence already kept (optional)",
        queryset=Evidence.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Choose evidence kept for this charter"},
    )
    upload = forms.FileField(
        label="Or upload evidence (optional)",
        required=False,
        help_text="A PDF, Word, Excel or text file, smaller than 10 MB.",
    )

    def __init__(self, *args, measure: Measure, **kwargs):
        self.measure = measure
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = Evidence.objects.filter(
            charter_id=measure.commitment.charter_id
        )
        if not self.is_bound:
            start, end = last_complete_period(timezone.localdate(), measure.frequency)
            self.initial.setdefault("period_start", start)
            self.initial.setdefault("period_end", end)
        if measure.unit == Measure.Unit.PERCENT:
            self.fields["value"].help_text = "A percentage, for example 75 for 75%."

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is not None and (problem := services.evidence_problem(upload)):
            raise forms.ValidationError(problem)
        return upload

    def clean(self):
        cleaned = super().clean()
        problem = services.reading_problem(
            period_start=cleaned.get("period_start"),
            period_end=cleaned.get("period_end"),
            today=timezone.localdate(),
        )
        if problem:
            self.add_error(*problem)
        if cleaned.get("evidence") and cleaned.get("upload"):
            self.add_error(
                "upload", "Choose evidence already kept or upload new evidence, not both"
            )
        return cleaned


class EvidenceUploadForm(ClearRequiredMessages, forms.Form):
    title = forms.CharField(
        max_length=200,
        error_messages={"required": "Enter a title, like 'Recruitment policy 2026'"},
    )
    commitment = forms.ModelChoiceField(
        label="Commitment it shows (optional)", queryset=Commitment.objects.none(), required=False
    )
    upload = forms.FileField(
        label="Document",
        help_text="A PDF, Word, OpenDocument, Excel, PowerPoint, CSV or text file, smaller "
        "than 10 MB.",
        error_messages={"required": "Choose the document to upload"},
    )

    def __init__(self, *args, charter: Charter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = charter.commitments.all()

    def clean_title(self):
        title = plain_text(self.cleaned_data.get("title"))
        if not title:
            raise forms.ValidationError("Enter a title, like 'Recruitment policy 2026'")
        return title

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is not None and (problem := services.evidence_problem(upload)):
            raise forms.ValidationError(problem)
        return upload
