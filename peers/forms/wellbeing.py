"""The wellbeing check-in form: the seven SWEMWBS statements, each a set of five radios in
its own fieldset, an optional private note, and the choice to share with supervisors."""

from django import forms

from cms.forms import OnceOnlyForm

from .. import wellbeing_scale as scale
from ..services.wellbeing import NOTE_MAX


class CheckInForm(OnceOnlyForm, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in scale.ITEMS:
            self.fields[item.field] = forms.TypedChoiceField(
                label=item.wording,
                choices=scale.ANSWERS,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose how often: {item.wording}",
                    "invalid_choice": f"Choose one of the five answers for: {item.wording}",
                },
            )
        self.fields["note"] = forms.CharField(
            label="Anything you want to remember about these 2 weeks (optional)",
            help_text="Only you can read this note, unless you share this check-in.",
            required=False,
            max_length=NOTE_MAX,
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={"max_length": "Your note must be 2,000 characters or fewer"},
        )
        self.fields["share"] = forms.BooleanField(
            label="Share this check-in with my supervisor",
            help_text=(
                "Your supervisor will see your answers, your score and your note. You can "
                "stop sharing at any time."
            ),
            required=False,
        )

    def answers(self) -> dict[str, int]:
        return {field: self.cleaned_data[field] for field in scale.ITEM_FIELDS}
