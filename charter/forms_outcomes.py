"""Forms for keeping the partnership's outcomes in the Wagtail admin: programmes, outcome
measures, before-and-after comparisons and dated targets. Text stays plain; the rules
(periods in order and over, no negative figures, a rate's numbers) are the models' own
``clean()``, so they are shown beside the field they are about."""

from django import forms
from django.utils import timezone
from wagtail.admin.forms.models import WagtailAdminModelForm

from cms.models import OfferPage

from .forms import _PlainTextMixin
from .models import Comparison, OutcomeMeasure, OutcomeTarget, Programme


class _TeamChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, team):
        return f"{team.name} ({team.organisation.name})"


class _OfferChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, offer):
        return f"{offer.title} ({offer.provider.name})"


class ProgrammeForm(_PlainTextMixin, WagtailAdminModelForm):
    plain_fields = ("name", "summary", "description")

    class Meta:
        model = Programme
        fields = [
            "name",
            "slug",
            "summary",
            "description",
            "lead_organisations",
            "offers",
            "teams",
            "published",
        ]
        field_classes = {"offers": _OfferChoices, "teams": _TeamChoices}
        widgets = {
            "lead_organisations": forms.CheckboxSelectMultiple,
            "offers": forms.CheckboxSelectMultiple,
            "teams": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["lead_organisations"].queryset = fields["lead_organisations"].queryset.order_by(
            "name"
        )
        fields["offers"].queryset = (
            OfferPage.objects.live().select_related("provider").order_by("title")
        )
        fields["teams"].queryset = (
            fields["teams"]
            .queryset.select_related("organisation")
            .order_by("organisation__name", "name")
        )


class OutcomeMeasureForm(_PlainTextMixin, WagtailAdminModelForm):
    plain_fields = ("name", "counted", "method")

    class Meta:
        model = OutcomeMeasure
        fields = [
            "programme",
            "name",
            "counted",
            "kind",
            "per",
            "better",
            "method",
            "baseline",
            "baseline_on",
            "sort_order",
        ]
        widgets = {"kind": forms.RadioSelect, "better": forms.RadioSelect}


class _MeasureChoice(forms.ModelChoiceField):
    def label_from_instance(self, measure):
        return f"{measure.name} ({measure.programme.name})"


FIGURES = {
    f"{side}_{part}"
    for side in ("before", "after")
    for part in ("start", "end", "value", "numerator", "denominator")
}


class ComparisonForm(_PlainTextMixin, WagtailAdminModelForm):
    """Figures entered by hand: saved as entered, with who entered them and when."""

    plain_fields = ("note",)

    class Meta:
        model = Comparison
        fields = [
            "measure",
            "before_start",
            "before_end",
            "before_value",
            "before_numerator",
            "before_denominator",
            "after_start",
            "after_end",
            "after_value",
            "after_numerator",
            "after_denominator",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"] = _MeasureChoice(
            queryset=OutcomeMeasure.objects.select_related("programme").order_by(
                "programme__name", "sort_order", "pk"
            ),
            error_messages={"required": "Choose the outcome measure these figures are for"},
        )
        self.fields["note"].help_text = (
            "Plain text: where the figures come from, for example 'Figures from a published "
            "evaluation of a peer mentor service'."
        )

    def save(self, commit=True):
        comparison = super().save(commit=False)
        # Who entered the figures, and when: set when they are first entered or changed,
        # not when only the note or the measure's wording is touched.
        if self.instance._state.adding or set(self.changed_data) & FIGURES:
            comparison.source = Comparison.Source.ENTERED
            comparison.entered_by = self.for_user
            comparison.entered_at = timezone.now()
        if commit:
            comparison.save()
            self.save_m2m()
        return comparison


class OutcomeTargetForm(_PlainTextMixin, WagtailAdminModelForm):
    plain_fields = ("note",)

    class Meta:
        model = OutcomeTarget
        fields = ["measure", "due_on", "value", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"] = _MeasureChoice(
            queryset=OutcomeMeasure.objects.select_related("programme").order_by(
                "programme__name", "sort_order", "pk"
            ),
            error_messages={"required": "Choose the outcome measure this target is for"},
        )
