"""The form a member fills in to join a panel, and the one a lead uses to decide.

The application form starts with the access needs from the member's profile for them to
confirm or change, and asks for the involvement consent and the access needs consent only
when they are not yet given. Access needs sent without their agreement are not taken
silently: the person is asked to agree, or to clear them.
"""

from django import forms

from cms.forms import ClearRequiredMessages, OnceOnlyForm

from ..models import PanelApplication
from ..services.applications import STATEMENT_MAX_LENGTH
from .profiles import AccessNeedsForm


class ApplicationForm(OnceOnlyForm, AccessNeedsForm):
    """Why the member would like to join, and what they need to take part."""

    field_order = [
        "statement",
        "access_needs",
        "access_needs_other",
        "interpreter_language",
        "agree_to_access_needs",
        "agree_to_involvement",
    ]

    statement = forms.CharField(
        label="Why would you like to join this panel?",
        help_text="A few sentences is plenty. You do not need to share anything about your "
        f"health that you would rather keep private. Up to {STATEMENT_MAX_LENGTH} characters.",
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Tell us why you would like to join this panel.",
            "max_length": f"Keep what you write to {STATEMENT_MAX_LENGTH} characters or fewer.",
        },
    )
    agree_to_involvement = forms.BooleanField(
        error_messages={
            "required": "To apply, tick the box to agree to us keeping your details so that "
            "we can involve you."
        },
    )

    def __init__(self, *args, needs_consent: bool, consent_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["access_needs"].label = "What would help you take part in this panel?"
        self.fields["access_needs"].help_text = (
            "We have filled this in from your involvement profile. Check it, and change "
            "anything that is different for this panel."
        )
        if needs_consent:
            # The box's label is the statement itself: what is ticked is exactly what is
            # agreed to, and a screen reader reads it with the box.
            self.fields["agree_to_involvement"].label = consent_text
        else:
            del self.fields["agree_to_involvement"]

    def clean(self):
        cleaned = super().clean()
        if self.access_needs_not_agreed():
            self.add_error(
                "agree_to_access_needs",
                "To let the people running the panel arrange what would help you, tick the "
                "box to agree to us keeping it. If you would rather not tell us, clear your "
                "choices above.",
            )
        return cleaned


DECISION_CHOICES = [
    (PanelApplication.Status.ACCEPTED, "Accept: offer a place on the panel"),
    (PanelApplication.Status.WAITLISTED, "Put on the waiting list"),
    (PanelApplication.Status.DECLINED, "Decline: do not offer a place this time"),
]


class DecisionForm(ClearRequiredMessages, forms.Form):
    """A lead's decision on one application, with a note the applicant will read."""

    decision = forms.ChoiceField(
        label="Decision",
        choices=DECISION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision."},
    )
    note = forms.CharField(
        label="Note to the applicant",
        help_text="They will read this in their email and in My space. Needed when you "
        "decline, so they understand why. Plain text.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Keep the note to 2000 characters or fewer."},
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") == PanelApplication.Status.DECLINED
            and not (cleaned.get("note") or "").strip()
        ):
            self.add_error("note", "Write a note saying why, so they understand the decision.")
        return cleaned
