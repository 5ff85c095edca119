"""The panel member's answer to the draft of a "You said, we did" change: they agree it,
or ask for changes and say what.

The form only reads what was typed; the service (``coproduce.services.sign_off``) applies
the rules. The version the member read travels with the form, so an answer never lands on
a draft they have not seen.
"""

from django import forms

from cms.forms import ClearRequiredMessages

from ..models import PanelMemberSignOff
from .feedback import Radios

COMMENT_MAX = 2000


class SignOffAnswerForm(ClearRequiredMessages, forms.Form):
    """Agree, or ask for changes with a comment (required then)."""

    decision = forms.ChoiceField(
        label="Does this change say what the panel said?",
        choices=[
            (PanelMemberSignOff.Decision.AGREE, "Yes, I agree it can be published"),
            (PanelMemberSignOff.Decision.CHANGES, "No, I want something changed first"),
        ],
        widget=Radios,
        error_messages={"required": "Choose whether you agree or want something changed"},
    )
    comment = forms.CharField(
        label="Your comments",
        help_text="If you want something changed, say what and why. If you agree, you can "
        "add a comment for the facilitator, or leave this empty.",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": f"Your comments must be {COMMENT_MAX} characters or fewer"},
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self):
        cleaned = super().clean()
        wants_changes = cleaned.get("decision") == PanelMemberSignOff.Decision.CHANGES
        if wants_changes and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", "Say what needs to change, so it can be put right")
        return cleaned
