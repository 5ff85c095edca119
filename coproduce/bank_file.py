"""The bank upload file of a payment run: the CSV finance uploads to their bank's online
banking to pay every member in the run by Bacs in one go.

UK business banks (Lloyds Commercial Banking Online, Barclays iPortal and Barclays.Net,
NatWest and RBS Bankline, HSBCnet) import bulk Bacs payments from a simple comma-separated
file. Their importers differ in the order they expect, so each lets the customer save an
import layout once; the layout below is the one to save. It keeps to the rules every Bacs
payment shares, so a file that passes here is not rejected for its content.

Layout (one payment a line, no heading row, fields in this order, comma-separated, lines
ending CR LF, plain ASCII with no byte order mark, no quotes needed since no field can hold
a comma):

1. Payee name: the name on the member's bank account, 18 characters at most, in upper
   case, only A-Z, 0-9, space and ``. & / -`` (the Bacs character set). Accents are
   dropped ("Zoë" becomes "ZOE"), other characters removed ("O'Neill" becomes "ONEILL"),
   and a name always starts with a letter or a digit.
2. Sort code: six digits, no dashes or spaces ("401234").
3. Account number: eight digits ("12345678"); shorter numbers were padded with leading
   zeros when the member entered them.
4. Amount: pounds with two decimals, no pound sign and no thousands separator ("45.00").
5. Payment reference: what the member sees on their bank statement, 18 characters at most,
   in the same character set: the run's reference and the claim's, without their dashes
   ("PR000012 IC000345"), so each payment can be matched to its claim and its remittance.

Claims paid in vouchers, and claims with nothing to transfer, have no line: the run's page
lists them apart. Because every field is built from digits and the Bacs character set and
starts with a letter or a digit, no cell can be read as a spreadsheet formula.
"""

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

BACS_TEXT_MAX = 18
BACS_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .&/-")


@dataclass(frozen=True)
class BankPayment:
    """One line of the bank file."""

    name: str
    sort_code: str
    account_number: str
    amount: Decimal
    reference: str

    def as_row(self) -> list[str]:
        return [
            self.name,
            self.sort_code,
            self.account_number,
            f"{self.amount:.2f}",
            self.reference,
        ]


def bacs_text(value: str, *, limit: int = BACS_TEXT_MAX) -> str:
    """``value`` as Bacs accepts it: upper case, in its character set, starting with a
    letter or digit, single-spaced, at most ``limit`` characters."""
    plain = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode()
    kept = "".join(ch for ch in plain.upper() if ch in BACS_CHARACTERS)
    kept = " ".join(kept.split())
    while kept and not kept[0].isalnum():
        kept = kept[1:]
    return kept[:limit].rstrip()


def payment_reference(run_reference: str, claim_reference: str) -> str:
    """The reference on the member's statement: the run's and the claim's ("PR000012
    IC000345"); the claim's alone if both would not fit in 18 characters."""
    run_part, claim_part = run_reference.replace("-", ""), claim_reference.replace("-", "")
    both = f"{run_part} {claim_part}"
    return bacs_text(both if len(both) <= BACS_TEXT_MAX else claim_part)


def bank_rows(payments: Iterable[BankPayment]) -> Iterator[list[str]]:
    """The rows of the file, for ``cms.exports.csv_response``: no heading row."""
    for payment in payments:
        yield payment.as_row()


def bank_file_name(run_reference: str) -> str:
    return f"bank-payments-{run_reference.lower()}.csv"
