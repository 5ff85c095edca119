"""The forms of "How you are paid": the member's choice of payment, their bank details,
and finance's forms to type in a member's details and to see them in full with a reason.

The forms check what was typed and say what to fix beside the field; the service applies
the same rules again (``coproduce.services.payees``), normalising the numbers as it keeps
them.
"""

from django import forms

from cms.forms import ClearRequiredMessages

from ..choices import PaymentChoice
from ..services import Refused
from ..services import payees as services

PAYMENT_CHOICE_HINTS = {
    PaymentChoice.PAID: "We pay you by bank transfer, usually within 4 weeks of your claim "
    "being approved.",
    PaymentChoice.VOUCHER: "We pay you in shopping vouchers instead of money.",
    PaymentChoice.NOT_PAID: "We do not pay you for your time. You can still claim back "
    "expenses such as travel or care costs.",
}


class PaymentChoiceForm(ClearRequiredMessages, forms.Form):
    """Bank transfer, vouchers or no payment for their time (expenses only)."""

    payment_choice = forms.ChoiceField(
        label="How would you like to be paid for your time?",
        choices=PaymentChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you would like to be paid."},
    )


class BankDetailsForm(ClearRequiredMessages, forms.Form):
    """The account's name, sort code and number; the box to confirm appears only when the
    check doubts the numbers (``ask_to_confirm``)."""

    account_name = forms.CharField(
        label="Name on the account",
        help_text="As it is shown on your bank card or statement.",
        max_length=services.ACCOUNT_NAME_LIMIT,
        error_messages={
            "required": "Enter the name on the account.",
            "max_length": "Keep the name on the account to "
            f"{services.ACCOUNT_NAME_LIMIT} characters or fewer.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    sort_code = forms.CharField(
        label="Sort code",
        help_text="Must be 6 numbers, for example 30-99-50.",
        max_length=20,
        error_messages={
            "required": "Enter a sort code.",
            "max_length": "A sort code must be 6 numbers, like 30-99-50.",
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    account_number = forms.CharField(
        label="Account number",
        help_text="Usually 8 numbers, for example 00733445.",
        max_length=20,
        error_messages={
            "required": "Enter an account number.",
            "max_length": "An account number must be between 6 and 8 numbers.",
        },
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    confirmed = forms.BooleanField(
        label="I have checked these numbers are right",
        required=False,
    )

    def __init__(self, *args, ask_to_confirm: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_to_confirm:
            del self.fields["confirmed"]

    @property
    def asks_to_confirm(self) -> bool:
        return "confirmed" in self.fields

    def clean(self):
        cleaned = super().clean()
        for name, normalise in (
            ("sort_code", services.normalise_sort_code),
            ("account_number", services.normalise_account_number),
            ("account_name", services.clean_account_name),
        ):
            if cleaned.get(name):
                try:
                    normalise(cleaned[name])
                except Refused as refusal:
                    self.add_error(name, refusal.message)
        return cleaned


class RevealForm(ClearRequiredMessages, forms.Form):
    """Why finance needs to see a member's bank details in full (kept in the audit log)."""

    reason = forms.CharField(
        label="Why do you need to see the full bank details?",
        help_text="For example: to check a payment the bank returned. The member can see "
        "who looked and why.",
        max_length=200,
        error_messages={
            "required": "Say why you need to see the full bank details.",
            "max_length": "Keep the reason to 200 characters or fewer.",
        },
    )
