"""Forms for involvement claims: a member's expense and declaration, a lead's reason for
returning a claim, finance's payment reference.

Each field is checked by the same function the service uses (``receipt_extension``,
``expense_amount``), so the form says what to fix next to the field and the rule lives in
one place.
"""

from django import forms

from cms.forms import ClearRequiredMessages, OnceOnlyForm

from ..models import Expense
from ..services import Refused
from ..services import claims as claim_services


def _checked(check, value):
    try:
        return check(value)
    except Refused as refusal:
        raise forms.ValidationError(refusal.message) from None


class ExpenseForm(OnceOnlyForm, forms.Form):
    """One expense with its receipt; what was typed is kept when the form is shown again."""

    kind = forms.ChoiceField(
        label="What kind of expense is it?",
        choices=Expense.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of expense it is."},
    )
    description = forms.CharField(
        label="What was it for?",
        help_text="For example, 'Bus from home to the meeting and back'.",
        max_length=claim_services.DESCRIPTION_MAX,
        error_messages={
            "required": "Enter what the expense was for, for example 'Bus there and back'.",
            "max_length": "The description must be 200 characters or fewer.",
        },
    )
    amount = forms.CharField(
        label="How much did it cost?",
        help_text="In pounds and pence, for example 4.80.",
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"}
        ),
        error_messages={"required": "Enter how much it cost, for example 4.80."},
    )
    receipt = forms.FileField(
        label="Receipt or ticket",
        help_text="A photo or scan: a PDF, JPEG or PNG file, smaller than 5 MB.",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )

    def __init__(self, *args, held_receipt: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # The original file name of a receipt kept from an earlier try, if any.
        self.held_receipt = held_receipt

    def clean_amount(self):
        return _checked(claim_services.expense_amount, self.cleaned_data["amount"])

    def clean_receipt(self):
        receipt = self.cleaned_data.get("receipt")
        if receipt is None and self.held_receipt:
            return None
        _checked(claim_services.receipt_extension, receipt)
        return receipt


class SubmitClaimForm(ClearRequiredMessages, forms.Form):
    """The member's declaration before a claim goes for approval."""

    declaration = forms.BooleanField(
        label="I confirm this is a true claim",
        help_text=(
            "I went to this meeting, and I spent the money shown to take part. "
            "I have not claimed it anywhere else."
        ),
        error_messages={"required": "Confirm that this is a true claim."},
    )


class ReturnClaimForm(ClearRequiredMessages, forms.Form):
    """The lead's reason for returning a claim, shown to the member and emailed to them."""

    reason = forms.CharField(
        label="What does the member need to change?",
        help_text="The member sees this and gets it by email. Be clear and kind.",
        max_length=claim_services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter the reason, so the member knows what to change.",
            "max_length": "The reason must be 1000 characters or fewer.",
        },
    )


class PaymentForm(ClearRequiredMessages, forms.Form):
    """The reference of the payment that paid a claim."""

    payment_reference = forms.CharField(
        label="Payment reference",
        help_text="For example the BACS run number or the voucher order number.",
        max_length=claim_services.REFERENCE_MAX,
        error_messages={
            "required": "Enter the payment reference, for example the BACS run number.",
            "max_length": "The payment reference must be 60 characters or fewer.",
        },
    )


class BulkPaymentForm(PaymentForm):
    """Several approved claims paid by one payment run."""

    claims = forms.ModelMultipleChoiceField(
        label="Claims paid",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the claims you have paid.",
            "invalid_choice": "A claim you selected can no longer be paid. Reload the page.",
            "invalid_pk_value": "A claim you selected can no longer be paid. Reload the page.",
        },
    )

    def __init__(self, *args, claims, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claims"].queryset = claims
        self.fields["claims"].label_from_instance = lambda claim: claim.reference
