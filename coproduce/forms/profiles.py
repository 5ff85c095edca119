"""Forms a member fills in about themselves: their involvement profile, their private
answers about lived experience and communities, and their consent choices.

The forms check what a person typed and say what to fix next to the field; the services
apply the same rules again before saving, because a service never trusts its caller.
"""

from django import forms

from cms.forms import ClearRequiredMessages, OnceOnlyForm
from cms.texts import NOT_A_MOBILE, is_uk_mobile

from ..choices import AccessNeed, Community, ContactPreference, LivedExperience
from ..consent import ConsentPurpose, current_statement


class AccessNeedsForm(ClearRequiredMessages, forms.Form):
    """The access needs questions, shared by the profile and the application form: a
    description is needed for "something else", and the language for an interpreter.

    Access needs are kept only with the person's agreement, so unless their agreement to
    today's wording stands (``asks_access_consent=False``) the questions come with the
    statement itself as the label of an "I agree" box.
    """

    access_needs = forms.MultipleChoiceField(
        label="What would help you take part?",
        help_text="Select all that apply, or none. We plan for these before every meeting.",
        choices=AccessNeed.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    access_needs_other = forms.CharField(
        label="If you selected something else, tell us what you need",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep this to 500 characters or fewer."},
    )
    interpreter_language = forms.CharField(
        label="If you need a spoken language interpreter, which language?",
        max_length=80,
        required=False,
        error_messages={"max_length": "Keep the language to 80 characters or fewer."},
    )
    agree_to_access_needs = forms.BooleanField(required=False)

    def __init__(self, *args, asks_access_consent: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if asks_access_consent:
            # The box's label is the statement itself: what is ticked is exactly what is
            # agreed to, and a screen reader reads it with the box.
            self.fields["agree_to_access_needs"].label = current_statement(
                ConsentPurpose.ACCESS_NEEDS
            ).text
        else:
            del self.fields["agree_to_access_needs"]

    @property
    def asks_access_consent(self) -> bool:
        return "agree_to_access_needs" in self.fields

    def access_needs_given(self) -> bool:
        """Whether any access need was chosen (a detail counts only with its need, as
        only then is it kept)."""
        return bool(self.cleaned_data.get("access_needs"))

    def access_needs_sent(self) -> tuple[frozenset, str, str]:
        """The access needs as they would be kept: each detail only with its need."""
        needs = frozenset(self.cleaned_data.get("access_needs") or [])
        other = self.cleaned_data.get("access_needs_other") or ""
        language = self.cleaned_data.get("interpreter_language") or ""
        return (
            needs,
            other.strip() if AccessNeed.OTHER in needs else "",
            language.strip() if AccessNeed.LANGUAGE in needs else "",
        )

    def access_needs_not_agreed(self) -> bool:
        """Access needs were given without the agreement that lets us keep them."""
        return (
            self.asks_access_consent
            and self.access_needs_given()
            and not self.cleaned_data.get("agree_to_access_needs")
        )

    def clean(self):
        cleaned = super().clean()
        needs = cleaned.get("access_needs") or []
        if AccessNeed.OTHER in needs and not (cleaned.get("access_needs_other") or "").strip():
            self.add_error("access_needs_other", "Tell us what else you need.")
        if AccessNeed.LANGUAGE in needs and not (cleaned.get("interpreter_language") or "").strip():
            self.add_error(
                "interpreter_language", "Tell us which language you need an interpreter for."
            )
        return cleaned


class ProfileForm(OnceOnlyForm, AccessNeedsForm):
    """The involvement profile: how to address and reach the member and what they need to
    take part. How they would like to be paid is chosen on "How you are paid"
    (``coproduce.forms.payees``), the one place it is changed."""

    field_order = [
        "display_name",
        "pronouns",
        "contact_preference",
        "phone",
        "access_needs",
        "access_needs_other",
        "interpreter_language",
        "agree_to_access_needs",
    ]

    display_name = forms.CharField(
        label="Name to show",
        help_text="The name we use when we write to you, and that panel leads see. It does "
        "not have to be your full name.",
        max_length=80,
        error_messages={
            "required": "Enter the name you would like us to use.",
            "max_length": "Keep your name to 80 characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    pronouns = forms.CharField(
        label="Pronouns (optional)",
        help_text="For example, she/her, he/him or they/them.",
        max_length=40,
        required=False,
        error_messages={"max_length": "Keep your pronouns to 40 characters or fewer."},
    )
    contact_preference = forms.ChoiceField(
        label="How would you like us to contact you?",
        choices=ContactPreference.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you would like us to contact you."},
    )
    phone = forms.CharField(
        label="Phone number",
        help_text="We need this if you would like a phone call or a text message.",
        max_length=30,
        required=False,
        error_messages={"max_length": "Enter a phone number of 30 characters or fewer."},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("contact_preference") in (ContactPreference.PHONE, ContactPreference.TEXT)
            and not (cleaned.get("phone") or "").strip()
        ):
            self.add_error("phone", "Enter a phone number, so we can call or text you.")
        elif cleaned.get("contact_preference") == ContactPreference.TEXT and not is_uk_mobile(
            cleaned.get("phone") or ""
        ):
            self.add_error("phone", NOT_A_MOBILE)
        return cleaned


class EqualityForm(ClearRequiredMessages, forms.Form):
    """The private questions, asked only with the equality consent and used only in
    anonymous totals."""

    lived_experience = forms.MultipleChoiceField(
        label="Which of these do you have lived experience of?",
        help_text="Optional. Select any that apply, or none.",
        choices=LivedExperience.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    communities = forms.MultipleChoiceField(
        label="Are you part of any of these communities?",
        help_text="Optional. Select any that apply, or none.",
        choices=Community.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ConsentChoiceForm(ClearRequiredMessages, forms.Form):
    """One button on the consent page: give or withdraw one agreement."""

    purpose = forms.ChoiceField(choices=ConsentPurpose.choices)
    action = forms.ChoiceField(choices=[("give", "Give"), ("withdraw", "Withdraw")])
