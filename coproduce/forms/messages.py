"""Forms for messages: a member's new message to the panel's lead or finance, a member's
reply, and the answer staff write in the admin (which can close the conversation too).

Limits and their messages come from ``coproduce.services.messages``, so each rule lives
once. Text is kept exactly as typed; it is escaped wherever it is shown.
"""

from django import forms

from cms.forms import ClearRequiredMessages, OnceOnlyForm

from ..services import messages as services

BODY_HINT = (
    "Write it as you would say it. There is no need to include your bank details: finance "
    "will ask if they need them."
)


def _body_field(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=services.BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter your message",
            "max_length": services.too_long("your message", services.BODY_MAX),
        },
    )


class _BodyChecked:
    """A message of only spaces or blank lines is no message."""

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("Enter your message")
        return body


class MessageForm(_BodyChecked, OnceOnlyForm, forms.Form):
    """A member's new message: what it is about (filled in for them) and what they want
    to say."""

    subject = forms.CharField(
        label="What is your message about?",
        max_length=services.SUBJECT_MAX,
        error_messages={
            "required": "Enter what your message is about",
            "max_length": services.too_long("what your message is about", services.SUBJECT_MAX),
        },
    )
    body = _body_field(
        "Your message",
        f"You can write up to {services.BODY_MAX} characters. {BODY_HINT}",
    )


class MessageReplyForm(_BodyChecked, OnceOnlyForm, forms.Form):
    """A member writes again in their conversation."""

    body = _body_field("Your reply", f"You can write up to {services.BODY_MAX} characters.")


class MessageAnswerForm(_BodyChecked, OnceOnlyForm, forms.Form):
    """Staff answer a member's message; they may close the conversation as they send it."""

    body = _body_field(
        "Your answer",
        "The member is told there is an answer, by email or text as they chose, and reads "
        "it after signing in. Use plain words.",
    )
    close = forms.BooleanField(
        label="Close the conversation: nothing more is needed",
        required=False,
        help_text="The member can still reply, which opens it again.",
    )


class CloseConversationForm(ClearRequiredMessages, forms.Form):
    """Closing a conversation asks nothing more than the button."""
