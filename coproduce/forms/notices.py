"""Forms of the notices: a member's choice of channel and notices, and a lead's note of
what happened when they called or wrote."""

from django import forms

from cms.forms import ClearRequiredMessages
from cms.texts import NOT_A_MOBILE, is_uk_mobile

from ..choices import ContactPreference
from ..notices import OUTCOME_MAX, declinable


class NoticePreferencesForm(ClearRequiredMessages, forms.Form):
    """How the member wants to hear from us, and which of the notices they may turn off
    they want. The notices that cannot be turned off are listed on the page, not here."""

    contact_preference = forms.ChoiceField(
        label="How would you like us to contact you?",
        choices=ContactPreference.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you would like us to contact you."},
    )
    phone = forms.CharField(
        label="Phone number",
        help_text="We need this for a phone call or text messages. For text messages, "
        "enter a UK mobile number, like 07700 900123.",
        max_length=30,
        required=False,
        error_messages={"max_length": "Enter a phone number of 30 characters or fewer."},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    wanted = forms.MultipleChoiceField(
        label="Which of these would you like to hear about?",
        help_text="Untick any you would rather not be told about.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wanted"].choices = [(n.key, n.label) for n in declinable()]

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("contact_preference")
        phone = (cleaned.get("phone") or "").strip()
        if choice in (ContactPreference.PHONE, ContactPreference.TEXT) and not phone:
            self.add_error("phone", "Enter a phone number, so we can call or text you.")
        elif choice == ContactPreference.TEXT and not is_uk_mobile(phone):
            self.add_error("phone", NOT_A_MOBILE)
        return cleaned


class ContactTaskDoneForm(ClearRequiredMessages, forms.Form):
    """What happened when the lead called or wrote."""

    outcome = forms.CharField(
        label="What happened?",
        help_text="For example: “Called, told them their claim was paid” or “Letter posted "
        "first class”.",
        max_length=OUTCOME_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say what happened, for example “Called, left a message”.",
            "max_length": f"Keep what happened to {OUTCOME_MAX} characters or fewer.",
        },
    )
