"""Forms for involvement claims: a member's expense and declaration, a lead's reason for
returning a claim, and the lead's decision on each expense.

Each field is checked by the same function the service uses (``receipt_extension``,
``expense_amount``), so the form says what to fix next to the field and the rule lives in
one place.
"""

from decimal import Decimal, InvalidOperation

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
    """One expense: mileage as the miles driven, anything else as what it cost with its
    receipt. What was typed is kept when the form is shown again."""

    kind = forms.ChoiceField(
        label="What kind of expense is it?",
        choices=Expense.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of expense it is."},
    )
    description = forms.CharField(
        label="What was it for?",
        help_text="For example, 'Bus from home to the meeting and back', or for mileage "
        "'Drove from Northdale to the hospital and back'.",
        max_length=claim_services.DESCRIPTION_MAX,
        error_messages={
            "required": "Enter what the expense was for, for example 'Bus there and back'.",
            "max_length": "The description must be 200 characters or fewer.",
        },
    )
    miles = forms.CharField(
        label="How many miles did you drive?",
        help_text="Only for mileage. Count the whole journey, there and back, for example "
        "12.5. We work out the amount for you.",
        max_length=12,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"}
        ),
    )
    amount = forms.CharField(
        label="How much did it cost?",
        help_text="Not for mileage. In pounds and pence, for example 4.80.",
        max_length=12,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"}
        ),
    )
    receipt = forms.FileField(
        label="Receipt or ticket",
        help_text="Not for mileage. A photo or scan: a PDF, JPEG or PNG file, smaller than 5 MB.",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )

    def __init__(self, *args, held_receipt: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # The original file name of a receipt kept from an earlier try, if any.
        self.held_receipt = held_receipt

    @property
    def is_mileage(self) -> bool:
        return self.data.get(self.add_prefix("kind")) == Expense.Kind.MILEAGE

    def clean_miles(self):
        miles = self.cleaned_data["miles"].strip()
        if not miles or not self.is_mileage:
            return miles or None
        return _checked(claim_services.miles_clean, miles)

    def clean_amount(self):
        amount = self.cleaned_data["amount"].strip()
        if not amount or self.is_mileage:
            return amount or None
        return _checked(claim_services.expense_amount, amount)

    def clean_receipt(self):
        receipt = self.cleaned_data.get("receipt")
        if receipt is None or self.is_mileage:
            return receipt
        _checked(claim_services.receipt_extension, receipt)
        return receipt

    def clean(self):
        """Each kind asks for its own fields: the miles for mileage; the amount and the
        receipt for anything else. A field filled in for the other kind is pointed out,
        since without JavaScript the page shows them all."""
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if not kind:
            return cleaned
        miles, amount = cleaned.get("miles"), cleaned.get("amount")
        if kind == Expense.Kind.MILEAGE:
            if "miles" not in self.errors and miles is None:
                self.add_error("miles", "Enter how many miles you drove, for example 12.5.")
            if amount:
                self.add_error(
                    "amount",
                    "For mileage we work out the amount from the miles, so leave the amount "
                    "empty. If you paid a fare, choose the kind of expense that matches it.",
                )
            if cleaned.get("receipt") is not None:
                self.add_error(
                    "receipt",
                    "Mileage needs no receipt. Send the form again without the file, or "
                    "choose another kind of expense if you have a receipt for it.",
                )
            return cleaned
        if miles:
            self.add_error(
                "miles",
                "Miles are only for mileage. Leave the miles empty, or choose 'Mileage' if "
                "you drove.",
            )
        if "amount" not in self.errors and amount is None:
            self.add_error("amount", "Enter how much it cost, for example 4.80.")
        if (
            "receipt" not in self.errors
            and cleaned.get("receipt") is None
            and not self.held_receipt
        ):
            self.add_error("receipt", "Upload a photo or scan of the receipt or ticket.")
        return cleaned


class ApproveClaimForm(ClearRequiredMessages, forms.Form):
    """A lead's decision on each expense line of a claim: allow it in full (the default, so
    approving a claim as sent stays one click), allow part of it, or not allow it, with the
    reason whenever less than claimed is allowed. The member reads the reasons."""

    FULL, PART, NONE = "full", "part", "none"
    DECISIONS = [
        (FULL, "Allow in full"),
        (PART, "Allow part of it"),
        (NONE, "Do not allow"),
    ]

    def __init__(self, *args, expenses, **kwargs):
        super().__init__(*args, **kwargs)
        self.expenses = list(expenses)
        for expense in self.expenses:
            claimed = f"£{expense.amount:,.2f}"
            self.fields[f"decision_{expense.pk}"] = forms.ChoiceField(
                label=f"{expense.description}: what do you allow of the {claimed} claimed?",
                choices=self.DECISIONS,
                initial=self.FULL,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose what you allow of {expense.description}.",
                    "invalid_choice": f"Choose what you allow of {expense.description}.",
                },
            )
            self.fields[f"allowed_{expense.pk}"] = forms.CharField(
                label="Amount to allow (£)",
                help_text=f"Only if you allow part of it: less than {claimed}, like 4.80.",
                required=False,
                max_length=12,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )
            self.fields[f"reason_{expense.pk}"] = forms.CharField(
                label="Why are you not allowing all of it?",
                help_text="Needed if you allow part or none of it. The member sees this: "
                "be clear and kind.",
                required=False,
                max_length=claim_services.LINE_REASON_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={
                    "max_length": "The reason must be "
                    f"{claim_services.LINE_REASON_MAX} characters or fewer."
                },
            )

    def lines(self):
        """Each expense with its three fields, for the page to show together."""
        return [
            {
                "expense": expense,
                "mileage": claim_services.mileage_in_words(expense),
                "decision": self[f"decision_{expense.pk}"],
                "allowed": self[f"allowed_{expense.pk}"],
                "reason": self[f"reason_{expense.pk}"],
            }
            for expense in self.expenses
        ]

    def clean(self):
        cleaned = super().clean()
        decisions = {}
        for expense in self.expenses:
            decision = cleaned.get(f"decision_{expense.pk}")
            if decision is None:
                continue
            reason = cleaned.get(f"reason_{expense.pk}", "")
            if decision == self.FULL:
                decisions[expense.pk] = claim_services.LineDecision(expense.amount)
                continue
            if decision == self.NONE:
                allowed = Decimal("0.00")
            else:
                typed = (cleaned.get(f"allowed_{expense.pk}") or "").strip()
                if not typed:
                    self.add_error(
                        f"allowed_{expense.pk}",
                        f"Enter how much of the £{expense.amount:,.2f} you allow, like 4.80.",
                    )
                    continue
                try:
                    allowed = Decimal(typed.replace("£", "").replace(",", ""))
                except InvalidOperation:
                    self.add_error(
                        f"allowed_{expense.pk}",
                        "Enter the amount to allow in pounds and pence, like 4.80.",
                    )
                    continue
                if allowed >= expense.amount and allowed.is_finite():
                    self.add_error(
                        f"allowed_{expense.pk}",
                        f"Enter less than the £{expense.amount:,.2f} claimed, or choose "
                        "'Allow in full'.",
                    )
                    continue
            line = claim_services.LineDecision(allowed, reason)
            problem = claim_services.line_decision_problem(expense, line)
            if problem:
                field, message = problem
                self.add_error(f"{field}_{expense.pk}", message)
                continue
            decisions[expense.pk] = line
        cleaned["decisions"] = decisions
        return cleaned


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
