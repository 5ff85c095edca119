"""Mileage: a member claims the miles they drove, with no receipt, and is paid miles × the
rate of the panel's organisation, fixed on the day the expense was added."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from cms.factories import TINY_PDF
from coproduce.factories import InvolvementClaimFactory
from coproduce.models import Expense, PaymentPolicy
from coproduce.services import Refused
from coproduce.services import claims as services
from coproduce.services.payment_policy import mileage_rate_for
from tests.conftest import sign_in
from tests.coproduce.test_claims import claim_in, page_text

pytestmark = pytest.mark.django_db

miles_typed = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("1000"), places=1)
rates = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("5.00"), places=2)


def pdf():
    return SimpleUploadedFile("ticket.pdf", TINY_PDF, content_type="application/pdf")


# --- The sum -----------------------------------------------------------------------------------


@given(miles_typed, rates)
def test_a_journey_is_paid_miles_times_the_rate_to_the_nearest_penny(miles, rate):
    amount = services.mileage_amount(miles, rate)
    assert amount >= 0
    assert amount == amount.quantize(Decimal("0.01"))
    assert abs(amount - miles * rate) <= Decimal("0.005")


@given(miles_typed, rates)
def test_half_a_penny_is_rounded_up(miles, rate):
    exact = miles * rate
    assert services.mileage_amount(miles, rate) == exact.quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def test_the_sum_reads_as_people_say_it():
    expense = Expense(
        kind="mileage", miles=Decimal("12.5"), mileage_rate=Decimal("0.45"), amount=Decimal("5.63")
    )
    assert services.mileage_in_words(expense) == "12.5 miles at 45p a mile: £5.63"
    expense = Expense(
        kind="mileage", miles=Decimal("1.0"), mileage_rate=Decimal("1.20"), amount=Decimal("1.20")
    )
    assert services.mileage_in_words(expense) == "1 mile at £1.20 a mile: £1.20"
    assert services.mileage_in_words(Expense(kind="travel", amount=Decimal("4.80"))) == ""


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the miles as a number"),
        ("twelve", "Enter the miles as a number"),
        ("0", "more than 0"),
        ("-3", "more than 0"),
        ("12.55", "no more than 1 number after the point"),
        ("1001", "1,000 or fewer"),
        ("NaN", "Enter the miles as a number"),
    ],
)
def test_miles_that_are_not_a_distance_are_refused(typed, message):
    with pytest.raises(Refused, match=message):
        services.miles_clean(typed)


def test_miles_typed_with_a_unit_or_a_comma_are_understood():
    assert services.miles_clean("12 miles") == Decimal("12.0")
    assert services.miles_clean("1,000") == Decimal("1000.0")


# --- Adding mileage ----------------------------------------------------------------------------


def add_mileage(claim, miles="12.5", **kwargs):
    return services.claim_add_expense(
        claim=claim,
        user=claim.member,
        kind="mileage",
        description="Drove to the hospital and back",
        miles=miles,
        **kwargs,
    )


def test_mileage_needs_no_receipt_and_is_paid_at_the_default_rate(organisation):
    expense = add_mileage(claim_in(organisation))
    assert not expense.receipt
    assert expense.miles == Decimal("12.5")
    assert expense.mileage_rate == Decimal("0.45")
    assert expense.amount == Decimal("5.63")


def test_mileage_is_paid_at_the_rate_of_the_panels_organisation(organisation, other_organisation):
    PaymentPolicy.objects.create(organisation=organisation, mileage_rate=Decimal("0.30"))
    PaymentPolicy.objects.create(organisation=other_organisation, mileage_rate=Decimal("0.55"))
    expense = add_mileage(claim_in(organisation), miles="10")
    assert (expense.mileage_rate, expense.amount) == (Decimal("0.30"), Decimal("3.00"))


def test_the_rate_is_fixed_when_the_mileage_is_added(organisation):
    policy = PaymentPolicy.objects.create(organisation=organisation, mileage_rate=Decimal("0.45"))
    claim = claim_in(organisation)
    expense = add_mileage(claim, miles="20")
    policy.mileage_rate = Decimal("0.25")
    policy.save()
    expense.refresh_from_db()
    assert (expense.mileage_rate, expense.amount) == (Decimal("0.45"), Decimal("9.00"))
    assert claim.expenses.get().amount == Decimal("9.00")
    assert mileage_rate_for(organisation.pk) == Decimal("0.25")


def test_mileage_with_an_amount_or_a_receipt_is_refused_and_nothing_saved(organisation):
    claim = claim_in(organisation)
    with pytest.raises(Refused, match="leave the amount empty"):
        add_mileage(claim, amount="5.00")
    with pytest.raises(Refused, match="Mileage needs no receipt"):
        add_mileage(claim, receipt=pdf())
    with pytest.raises(Refused, match="Enter how many miles"):
        add_mileage(claim, miles="")
    assert not claim.expenses.exists()


def test_an_organisation_that_pays_nothing_a_mile_refuses_mileage_kindly(organisation):
    PaymentPolicy.objects.create(organisation=organisation, mileage_rate=Decimal("0.00"))
    with pytest.raises(Refused, match="does not pay for mileage"):
        add_mileage(claim_in(organisation))


def test_every_other_kind_still_needs_a_receipt_and_an_amount(organisation):
    claim = claim_in(organisation)
    for kind in ["travel", "parking", "care", "meals", "other"]:
        with pytest.raises(Refused, match="Upload a photo or scan"):
            services.claim_add_expense(
                claim=claim, user=claim.member, kind=kind, description="Paid", amount="3.00"
            )
        with pytest.raises(Refused, match="Enter the amount"):
            services.claim_add_expense(
                claim=claim, user=claim.member, kind=kind, description="Paid", receipt=pdf()
            )
    with pytest.raises(Refused, match="Miles are only for mileage"):
        services.claim_add_expense(
            claim=claim,
            user=claim.member,
            kind="parking",
            description="Car park",
            amount="3.00",
            receipt=pdf(),
            miles="4",
        )
    assert not claim.expenses.exists()


def test_the_same_journey_sent_twice_is_added_once(organisation):
    claim = claim_in(organisation)
    add_mileage(claim)
    with pytest.raises(Refused, match="already added this expense"):
        add_mileage(claim)
    assert claim.expenses.count() == 1


# --- The page ------------------------------------------------------------------------------------


@pytest.fixture
def member(client, make_person):
    person = make_person("member")
    sign_in(client, person)
    return person


def test_the_form_says_which_fields_are_for_mileage_and_the_rate(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)
    PaymentPolicy.objects.create(
        organisation=claim.panel.organisation, mileage_rate=Decimal("0.40")
    )
    text = page_text(client.get(f"/claims/{claim.pk}/expenses/add/"))
    assert "If you drove: mileage" in text
    assert "How many miles did you drive?" in text
    assert "we pay 40p a mile" in text
    assert "For anything else: the cost and the receipt" in text


def test_a_member_claims_mileage_and_sees_the_sum_in_words(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)
    response = client.post(
        f"/claims/{claim.pk}/expenses/add/",
        {"kind": "mileage", "description": "Drove to the hospital and back", "miles": "12.5"},
        follow=True,
    )
    text = page_text(response)
    assert "Expense added: Drove to the hospital and back, 12.5 miles at 45p a mile: £5.63." in text
    assert "Not needed for mileage" in text
    expense = claim.expenses.get()
    assert expense.amount == Decimal("5.63")
    # There is no receipt to open.
    assert client.get(f"/claims/{claim.pk}/expenses/{expense.pk}/receipt/").status_code == 404


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({"kind": "mileage", "miles": ""}, "miles", "Enter how many miles you drove"),
        ({"kind": "mileage", "miles": "12.55"}, "miles", "no more than 1 number after"),
        ({"kind": "mileage", "miles": "12", "amount": "5.40"}, "amount", "leave the amount"),
        ({"kind": "travel", "miles": "12", "amount": "5.40"}, "miles", "only for mileage"),
        ({"kind": "travel", "amount": ""}, "amount", "Enter how much it cost"),
    ],
)
def test_a_mismatched_form_says_what_to_fix_and_keeps_what_was_typed(
    client, member, sent, field, message
):
    claim = InvolvementClaimFactory(attendance__member=member)
    data = {"description": "Getting there", **sent}
    files = {} if sent["kind"] == "mileage" else {"receipt": pdf()}
    response = client.post(f"/claims/{claim.pk}/expenses/add/", {**data, **files})
    assert response.status_code == 200
    assert message in page_text(response)
    assert response.context["form"].errors[field]
    assert 'value="Getting there"' in response.content.decode()
    assert not claim.expenses.exists()


def test_a_receipt_sent_with_mileage_is_refused(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)
    response = client.post(
        f"/claims/{claim.pk}/expenses/add/",
        {"kind": "mileage", "description": "Drove", "miles": "3", "receipt": pdf()},
    )
    assert "Mileage needs no receipt" in page_text(response)
    assert not claim.expenses.exists()
