"""Forms for feedback on offers: the one anybody fills in, the leads' moderation forms
(one per action, so an error in one leaves the others as they were), and the trends'
filters.

Limits and messages come from the feedback services, so the form says what to fix next to
the field and each rule lives in one place.
"""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.safestring import SafeString

from cms.admin_dates import DateField
from cms.forms import ClearRequiredMessages, OnceOnlyForm

from ..models import Feedback
from ..selectors.feedback import default_trend_period
from ..services import feedback as services

# A field people never see: software that fills in every box fills this one too.
HONEYPOT = "website"
TREND_PERIOD_MAX = timedelta(days=5 * 366)

# The NHS Friends and Family Test's order: the best first.
RATING_CHOICES = [(str(value), label) for value, label in reversed(Feedback.Rating.choices)]
ON_BEHALF_CHOICES = [
    ("self", "Me: it is my own feedback"),
    ("other", "Someone I support: I am writing down what they told me"),
]


class Radios(forms.RadioSelect):
    """Radios whose question points at its first answer, so the error summary's link takes
    the person to the question (Django leaves a group of radios pointing nowhere)."""

    def id_for_label(self, id_, index="0"):
        return super().id_for_label(id_, index)


def _text_field(label: str, help_text: str, *, max_length: int, too_long: str, rows=5):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": too_long},
    )


class FeedbackForm(OnceOnlyForm, forms.Form):
    """What went well, what could be better, a rating, whether they felt listened to,
    themes and consent to be quoted. Peer workers also say whose feedback it is."""

    on_behalf = forms.ChoiceField(
        label="Whose feedback is this?",
        choices=ON_BEHALF_CHOICES,
        widget=Radios,
        error_messages={"required": "Choose whose feedback this is."},
    )
    went_well = _text_field(
        "What went well?",
        "For example, something that helped or someone who made a difference. Please do not "
        "include names, phone numbers or anything else that could identify you or anyone "
        "else.",
        max_length=services.TEXT_MAX,
        too_long=services.too_long("what went well", services.TEXT_MAX),
    )
    could_be_better = _text_field(
        "What could be better?",
        "What would have made it better for you?",
        max_length=services.TEXT_MAX,
        too_long=services.too_long("what could be better", services.TEXT_MAX),
    )
    rating = forms.ChoiceField(
        label="Overall, how was your experience?",
        choices=RATING_CHOICES,
        widget=Radios,
        error_messages={"required": "Choose how your experience was overall."},
    )
    felt_listened_to = forms.ChoiceField(
        label="Did you feel listened to?",
        choices=Feedback.Listened.choices,
        widget=Radios,
        error_messages={"required": "Choose whether you felt listened to."},
    )
    themes = forms.ModelMultipleChoiceField(
        label="What was it about? (optional)",
        help_text="Choose any that fit. This helps us see what many people are telling us.",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_to_publish = forms.BooleanField(
        label="You may publish some of these words on this page, without any name or "
        "anything that could identify someone",
        help_text="Someone will read them first and take out anything that could identify a "
        "person. If you do not tick this, only the people who run the service will read "
        "what you wrote.",
        required=False,
    )
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, themes, on_behalf_allowed: bool, signed_in: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = themes
        if signed_in:
            # People with an account are not software; a box their browser fills in for
            # them must never cost them their feedback.
            del self.fields[HONEYPOT]
        if on_behalf_allowed:
            self.fields[
                "consent_to_publish"
            ].help_text += " If you are writing this down for someone, tick it only if they agreed."
        else:
            del self.fields["on_behalf"]

    @property
    def is_from_software(self) -> bool:
        """The hidden field is filled in: sent by software, not a person."""
        return HONEYPOT in self.fields and bool(self.data.get(HONEYPOT))

    def clean(self):
        cleaned = super().clean()
        if (
            "went_well" in cleaned
            and "could_be_better" in cleaned
            and not cleaned["went_well"].strip()
            and not cleaned["could_be_better"].strip()
        ):
            self.add_error("went_well", "Tell us what went well, what could be better, or both.")
        return cleaned


# --- Moderation --------------------------------------------------------------------------------


class ModerationSection(ClearRequiredMessages, forms.Form):
    """One section of the moderation page, which is a single form. Each field also sends
    back, hidden, the value the page showed, so the save path can tell what the lead
    changed from what was simply on the page (``has_changed``), even if someone else saved
    a new value since the page was opened."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True

    def shown_values(self) -> str:
        """The hidden inputs holding what the page showed, rendered (and escaped) by Django."""
        return SafeString("".join(field.as_hidden(only_initial=True) for field in self))


class TriageForm(ModerationSection):
    """What the feedback is about: the themes the person chose, to confirm or change."""

    themes = forms.ModelMultipleChoiceField(
        label="Themes",
        help_text="What the feedback is about. The person's own choices are ticked; change "
        "them if they do not fit, so trends are right.",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = themes


class HideForm(ClearRequiredMessages, forms.Form):
    """Why the feedback is kept off the offer page: for the history, never published."""

    reason = forms.CharField(
        label="Why are you hiding it?",
        help_text="Kept in the feedback's history, never shown to the public. For example, "
        "'Spam' or 'Names a member of staff and cannot be made anonymous'.",
        max_length=services.REASON_MAX,
        error_messages={
            "required": "Enter why you are hiding it, for example 'Names a member of staff'.",
            "max_length": services.too_long("the reason", services.REASON_MAX),
        },
    )


class QuoteForm(ModerationSection):
    """The moderator's redaction: the words, and only those, that the offer page shows."""

    quote = forms.CharField(
        label="Words to publish",
        help_text="Start from what they wrote and take out names, places, dates and anything "
        "else that could identify someone. Leave it empty to publish nothing.",
        required=False,
        max_length=services.QUOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"max_length": services.too_long("the quote", services.QUOTE_MAX)},
    )


class ResponseForm(ModerationSection):
    """The provider's public answer to the feedback."""

    response = forms.CharField(
        label="Public response",
        help_text="Shown under the quote on the offer page, and to the person in My space if "
        "they gave it signed in. Say what you will do, or what you did. Plain text.",
        max_length=services.RESPONSE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter the response to publish.",
            "max_length": services.too_long("the response", services.RESPONSE_MAX),
        },
    )


class ServiceChangeChoiceField(forms.ModelChoiceField):
    """Service changes by title, drafts marked as such."""

    def label_from_instance(self, change):
        return change.title if change.live else f"{change.title} (draft)"


class LinkChangeForm(ModerationSection):
    """The service change ("You said, we did") that answers the feedback, if any."""

    service_change = ServiceChangeChoiceField(
        label="Service change",
        help_text="The 'You said, we did' change that answers this feedback. Drafts are "
        "listed too, so you can link feedback while the change is being written.",
        queryset=None,
        required=False,
        empty_label="None",
    )

    def __init__(self, *args, changes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_change"].queryset = changes


# --- Trends --------------------------------------------------------------------------------------


class OfferChoiceField(forms.ModelChoiceField):
    """Offers by their title alone."""

    def label_from_instance(self, offer):
        return offer.title


class TrendsFilterForm(ClearRequiredMessages, forms.Form):
    """The trends' filters, read from the address so a view can be shared or exported."""

    offer = OfferChoiceField(label="Offer", queryset=None, required=False, empty_label="All")
    theme = forms.ModelChoiceField(label="Theme", queryset=None, required=False, empty_label="All")
    # The admin's one kind of date field: a text box with a hint, read however it is typed.
    date_from = DateField(label="From", required=False, what="the start date")
    date_to = DateField(label="To", required=False, what="the end date")

    def __init__(self, *args, offers, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = offers
        self.fields["theme"].queryset = themes

    def clean(self):
        cleaned = super().clean()
        first, last = default_trend_period()
        first = cleaned.get("date_from") or first
        last = cleaned.get("date_to") or last
        if first > last:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        elif last - first > TREND_PERIOD_MAX:
            self.add_error("date_from", "Choose a period of 5 years or less.")
        elif last > timezone.localdate() + timedelta(days=366):
            self.add_error("date_to", "Choose an end date no more than a year from today.")
        cleaned["first"], cleaned["last"] = first, last
        return cleaned
