"""The remittance advice: a member's record of a payment, made as a PDF without HTTP."""

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from coproduce.choices import PaymentChoice
from coproduce.factories import (
    ExpenseFactory,
    InvolvementClaimFactory,
    InvolvementProfileFactory,
    MemberFactory,
)
from coproduce.models import InvolvementClaim
from coproduce.reports import remittance_pdf
from coproduce.selectors.claims import claims_visible_to, hours_in_words

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def paid_claim(**kwargs) -> InvolvementClaim:
    claim = InvolvementClaimFactory(
        paid=True,
        attendance__meeting__title="Crisis café leaflet",
        attendance__meeting__panel__title="Crisis café design panel",
        attendance__meeting__panel__organisation__name="Northdale Health NHS Trust",
        attendance__meeting__starts_at=datetime(2026, 12, 1, 10, 0, tzinfo=LONDON),
        attendance__meeting__ends_at=datetime(2026, 12, 1, 12, 30, tzinfo=LONDON),
        hours=Decimal("2.5"),
        payment_reference="BACS-2026-12-04",
        **kwargs,
    )
    InvolvementClaim.objects.filter(pk=claim.pk).update(
        hourly_rate=Decimal("15.50"),
        amount_approved=Decimal("43.55"),
        paid_at=datetime(2026, 12, 4, 9, 0, tzinfo=LONDON),
    )
    ExpenseFactory(claim=claim, amount=Decimal("4.80"), description="Bus there & back <home>")
    return claims_visible_to(claim.member).get(pk=claim.pk)


def test_the_remittance_says_who_paid_whom_for_what_when_and_how():
    member = MemberFactory(first_name="Samantha", last_name="Jones")
    InvolvementProfileFactory(user=member, display_name="Sam")
    claim = paid_claim(attendance__member=member)
    text = pdf_text(remittance_pdf(claim))
    assert "Northdale Health NHS Trust" in text
    assert "Remittance advice" in text
    assert "Paid to Sam" in text
    assert claim.reference in text
    assert "Crisis café design panel" in text
    assert "Crisis café leaflet, Tuesday 1 December 2026, 10am" in text
    assert "Your time: 2 hours 30 minutes at £15.50 an hour £38.75" in text
    assert "Travel (bus, train, taxi): Bus there & back <home> £4.80" in text
    assert "Total paid £43.55" in text
    assert "Paid on Friday 4 December 2026" in text
    assert "Payment reference BACS-2026-12-04" in text
    assert "Payment method Bank transfer" in text


def test_without_a_name_to_show_the_members_own_name_is_used_as_written():
    member = MemberFactory(first_name="Zoë", last_name="Łukasiewicz")
    claim = paid_claim(attendance__member=member)
    assert "Paid to Zoë Łukasiewicz" in pdf_text(remittance_pdf(claim))


def test_vouchers_and_expenses_only_payments_are_named():
    voucher = paid_claim(payment_choice=PaymentChoice.VOUCHER)
    assert "Payment method Shopping vouchers" in pdf_text(remittance_pdf(voucher))
    unpaid_time = paid_claim(payment_choice=PaymentChoice.NOT_PAID)
    text = pdf_text(remittance_pdf(unpaid_time))
    assert "expenses only" in text
    assert "Your time (you chose not to be paid for it) £0.00" in text


def test_the_pdf_has_a_title_for_screen_readers_and_file_lists():
    claim = paid_claim()
    reader = PdfReader(io.BytesIO(remittance_pdf(claim)))
    assert reader.metadata.title == f"Remittance advice {claim.reference}"


def test_there_is_no_remittance_for_a_claim_not_yet_paid():
    claim = InvolvementClaimFactory(approved=True)
    with pytest.raises(ValueError):
        remittance_pdf(claim)


def test_hours_read_as_people_say_them():
    assert hours_in_words(Decimal("2.5")) == "2 hours 30 minutes"
    assert hours_in_words(Decimal("1")) == "1 hour"
    assert hours_in_words(Decimal("0.75")) == "45 minutes"
    assert hours_in_words(Decimal("10.00")) == "10 hours"
    assert hours_in_words(Decimal("0")) == "0 minutes"
