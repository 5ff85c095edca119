"""Approval line by line: a lead allows each expense in full, in part or not at all, with a
reason whenever less is allowed; the total to pay is the fee and what was allowed, fixed
once; the member is told which lines were reduced and why, on the claim, in the notice and
on the remittance advice."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from wagtail.models import ModelLogEntry

from coproduce import audit_actions
from coproduce.factories import ExpenseFactory, InvolvementClaimFactory
from coproduce.models import Expense, InvolvementClaim
from coproduce.reports import remittance_pdf
from coproduce.services import Refused
from coproduce.services import claims as services
from coproduce.services.claims import LineDecision
from tests.conftest import sign_in
from tests.coproduce.test_claims import claim_in, page_text
from tests.coproduce.test_remittance import pdf_text
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

Status = InvolvementClaim.Status


@pytest.fixture
def lead(make_person):
    return make_person("engagement_lead", first_name="Priya", last_name="Shah")


def sent_claim(organisation, *amounts):
    """A sent claim: 2 hours at £15.00 (a £30.00 fee) and an expense of each amount."""
    claim = claim_in(organisation, submitted=True, hours=Decimal("2"))
    InvolvementClaim.objects.filter(pk=claim.pk).update(hourly_rate=Decimal("15.00"))
    claim.refresh_from_db()
    for number, amount in enumerate(amounts, start=1):
        ExpenseFactory(claim=claim, amount=Decimal(amount), description=f"Taxi {number}")
    return claim


def lines_of(claim):
    return list(claim.expenses.order_by("pk"))


# --- The service ---------------------------------------------------------------------------------


def test_approving_whole_allows_every_line_in_full(organisation, lead):
    claim = sent_claim(organisation, "4.80", "12.00")
    claim = services.claim_approve(claim=claim, user=lead)
    assert claim.amount_approved == Decimal("46.80")
    assert [(e.approved_amount, e.decision_reason) for e in lines_of(claim)] == [
        (Decimal("4.80"), ""),
        (Decimal("12.00"), ""),
    ]


def test_a_lead_allows_part_of_one_line_and_none_of_another_with_reasons(organisation, lead):
    claim = sent_claim(organisation, "4.80", "20.00", "6.00")
    bus, taxi, lunch = lines_of(claim)
    claim = services.claim_approve(
        claim=claim,
        user=lead,
        decisions={
            bus.pk: LineDecision(Decimal("4.80")),
            taxi.pk: LineDecision(Decimal("12.50"), "The bus was running; we pay up to £12.50."),
            lunch.pk: LineDecision(Decimal("0"), "Lunch was provided at the meeting."),
        },
    )
    assert claim.status == Status.APPROVED
    assert claim.amount_approved == Decimal("47.30")  # 30.00 + 4.80 + 12.50 + 0
    bus, taxi, lunch = lines_of(claim)
    assert (taxi.approved_amount, taxi.decision_reason) == (
        Decimal("12.50"),
        "The bus was running; we pay up to £12.50.",
    )
    assert (lunch.approved_amount, lunch.decision_reason) == (
        Decimal("0.00"),
        "Lunch was provided at the meeting.",
    )
    assert bus.decision_reason == ""
    entry = ModelLogEntry.objects.for_instance(claim).get(action=audit_actions.CLAIM_APPROVE)
    assert [line["allowed"] for line in entry.data["lines_reduced"]] == ["12.50", "0.00"]


def test_the_member_is_told_which_lines_were_reduced_and_why(organisation, lead):
    claim = sent_claim(organisation, "20.00")
    (taxi,) = lines_of(claim)
    services.claim_approve(
        claim=claim, user=lead, decisions={taxi.pk: LineDecision(Decimal("12.50"), "Bus fare.")}
    )
    (email,) = mail.outbox
    assert email.to == [claim.member.email]
    assert "Amount approved: £42.50" in email.body
    assert "Taxi 1: £12.50 allowed of the £20.00 you claimed." in email.body
    assert "Why: Bus fare." in email.body


def test_a_line_allowed_in_full_is_not_mentioned_as_reduced(organisation, lead):
    claim = sent_claim(organisation, "4.80")
    services.claim_approve(claim=claim, user=lead)
    assert "did not allow" not in mail.outbox[0].body


@pytest.mark.parametrize(
    ("allowed", "reason", "message"),
    [
        ("12.00", "", "Enter why you are not allowing all of it"),
        ("0", "   ", "Enter why you are not allowing all of it"),
        ("20.01", "Too much", "cannot allow more than the £20.00 claimed"),
        ("-1", "Refund", "cannot be less than £0"),
        ("3.333", "Odd", "no more than 2 numbers after the point"),
        ("12.00", "x" * 501, "500 characters or fewer"),
    ],
)
def test_a_decision_out_of_bounds_or_without_a_reason_is_refused_and_nothing_changes(
    organisation, lead, allowed, reason, message
):
    claim = sent_claim(organisation, "20.00")
    (taxi,) = lines_of(claim)
    with pytest.raises(Refused, match=message):
        services.claim_approve(
            claim=claim, user=lead, decisions={taxi.pk: LineDecision(Decimal(allowed), reason)}
        )
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED and claim.amount_approved is None
    assert lines_of(claim)[0].approved_amount is None
    assert not mail.outbox


def test_decisions_that_do_not_match_the_claims_lines_are_refused(organisation, lead):
    claim = sent_claim(organisation, "4.80", "6.00")
    first, second = lines_of(claim)
    other = ExpenseFactory(claim=sent_claim(organisation, "1.00"))
    for decisions in [
        {first.pk: LineDecision(first.amount)},
        {
            first.pk: LineDecision(first.amount),
            second.pk: LineDecision(second.amount),
            other.pk: LineDecision(Decimal("1.00")),
        },
    ]:
        with pytest.raises(Refused, match="have changed since you opened it"):
            services.claim_approve(claim=claim, user=lead, decisions=decisions)
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


def test_a_claim_with_nothing_allowed_is_not_approved(organisation, lead):
    claim = claim_in(organisation, submitted=True, payment_choice="not_paid")
    taxi = ExpenseFactory(claim=claim, amount=Decimal("9.00"))
    with pytest.raises(Refused, match="Return it to the member instead"):
        services.claim_approve(
            claim=claim, user=lead, decisions={taxi.pk: LineDecision(Decimal("0"), "No.")}
        )


def test_approving_twice_is_refused_and_the_lines_keep_the_first_decision(organisation, lead):
    claim = sent_claim(organisation, "20.00")
    (taxi,) = lines_of(claim)
    services.claim_approve(
        claim=claim, user=lead, decisions={taxi.pk: LineDecision(Decimal("10.00"), "Half.")}
    )
    stale = InvolvementClaim.objects.get(pk=claim.pk)
    stale.status = Status.SUBMITTED  # a second tab still showing the claim as sent
    with pytest.raises(Refused, match="already approved"):
        services.claim_approve(claim=stale, user=lead)
    taxi.refresh_from_db()
    assert taxi.approved_amount == Decimal("10.00")
    claim.refresh_from_db()
    assert claim.amount_approved == Decimal("40.00")
    assert len(mail.outbox) == 1


def test_the_database_refuses_an_allowed_amount_above_the_claimed_one(organisation):
    expense = ExpenseFactory(claim=sent_claim(organisation), amount=Decimal("5.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Expense.objects.filter(pk=expense.pk).update(approved_amount=Decimal("5.01"))


@pytest.mark.parametrize("role", ["member", "finance", "hr", "editor", "supervisor"])
def test_only_a_lead_of_the_panel_decides_lines(organisation, make_person, role):
    claim = sent_claim(organisation, "20.00")
    (taxi,) = lines_of(claim)
    with pytest.raises(Refused):
        services.claim_approve(
            claim=claim,
            user=make_person(role),
            decisions={taxi.pk: LineDecision(Decimal("1.00"), "Why not")},
        )
    assert lines_of(claim)[0].approved_amount is None


# --- The lead's page -----------------------------------------------------------------------------


def review(client, lead, claim):
    sign_in(client, lead)
    return client.get(f"/admin/claims/review/{claim.pk}/")


def decisions_as_sent(claim, **by_line):
    """The review form as a browser sends it: every line "in full" unless told otherwise."""
    data = {"action": "approve"}
    for expense in lines_of(claim):
        data[f"decision_{expense.pk}"] = "full"
        data[f"allowed_{expense.pk}"] = ""
        data[f"reason_{expense.pk}"] = ""
    for key, value in by_line.items():
        data[key] = value
    return data


def test_the_review_page_lists_the_fee_and_each_line_with_its_receipt(client, lead, organisation):
    claim = sent_claim(organisation, "4.80")
    services_mileage = Expense.objects.create(
        claim=claim,
        kind="mileage",
        description="Drove in",
        miles=Decimal("10.0"),
        mileage_rate=Decimal("0.45"),
        amount=Decimal("4.50"),
    )
    response = review(client, lead, claim)
    text = page_text(response)
    assert "Time: 2 hours × £15.00" in text and "£30.00" in text
    assert "Taxi 1" in text and "£4.80" in text
    assert "10 miles at 45p a mile: £4.50" in text
    assert "Not needed for mileage" in text
    bus = lines_of(claim)[0]
    html = response.content.decode()
    assert f"/claims/{claim.pk}/expenses/{bus.pk}/receipt/" in html
    assert f"/claims/{claim.pk}/expenses/{services_mileage.pk}/receipt/" not in html
    assert f'name="decision_{bus.pk}" value="full"' in html
    assert "Total claimed £39.30" in text


def test_approving_as_sent_is_one_click(client, lead, organisation):
    claim = sent_claim(organisation, "4.80")
    review(client, lead, claim)
    response = client.post(
        f"/admin/claims/review/{claim.pk}/", decisions_as_sent(claim), follow=True
    )
    assert f"Claim {claim.reference} approved: £34.80." in page_text(response)
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED and claim.amount_approved == Decimal("34.80")


def test_a_lead_reduces_a_line_on_the_page(client, lead, organisation):
    claim = sent_claim(organisation, "20.00")
    (taxi,) = lines_of(claim)
    review(client, lead, claim)
    response = client.post(
        f"/admin/claims/review/{claim.pk}/",
        decisions_as_sent(
            claim,
            **{
                f"decision_{taxi.pk}": "part",
                f"allowed_{taxi.pk}": "£12.50",
                f"reason_{taxi.pk}": "We pay the bus fare.",
            },
        ),
        follow=True,
    )
    text = page_text(response)
    assert f"Claim {claim.reference} approved: £42.50. 1 expense not allowed in full" in text
    taxi.refresh_from_db()
    assert (taxi.approved_amount, taxi.decision_reason) == (
        Decimal("12.50"),
        "We pay the bus fare.",
    )


@pytest.mark.parametrize(
    ("decision", "allowed", "reason", "message"),
    [
        ("part", "12.50", "", "Enter why you are not allowing all of it"),
        ("none", "", "", "Enter why you are not allowing all of it"),
        ("part", "", "Too far", "Enter how much of the £20.00 you allow"),
        ("part", "25", "Too far", "Enter less than the £20.00 claimed"),
        ("part", "lots", "Too far", "pounds and pence"),
        ("maybe", "", "", "Choose what you allow of Taxi 1"),
    ],
)
def test_a_decision_the_page_cannot_take_says_what_to_fix_and_keeps_what_was_typed(
    client, lead, organisation, decision, allowed, reason, message
):
    claim = sent_claim(organisation, "20.00")
    (taxi,) = lines_of(claim)
    review(client, lead, claim)
    response = client.post(
        f"/admin/claims/review/{claim.pk}/",
        decisions_as_sent(
            claim,
            **{
                f"decision_{taxi.pk}": decision,
                f"allowed_{taxi.pk}": allowed,
                f"reason_{taxi.pk}": reason,
            },
        ),
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "The claim has not been approved yet" in text
    assert message in text
    if allowed:
        assert f'value="{allowed}"' in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


def test_the_review_page_costs_the_same_queries_with_3_or_30_lines(client, lead, organisation):
    claim = sent_claim(organisation, *["4.80"] * 3)
    sign_in(client, lead)
    url = f"/admin/claims/review/{claim.pk}/"
    queries_for(client, url)
    few = queries_for(client, url)
    for _ in range(27):
        ExpenseFactory(claim=claim, amount=Decimal("1.00"), description="More")
    assert queries_for(client, url) == few


# --- What the member sees ----------------------------------------------------------------------


def approved_with_a_reduced_line(organisation, lead):
    claim = sent_claim(organisation, "4.80", "20.00")
    bus, taxi = lines_of(claim)
    return services.claim_approve(
        claim=claim,
        user=lead,
        decisions={
            bus.pk: LineDecision(bus.amount),
            taxi.pk: LineDecision(Decimal("0"), "Taxis need agreeing with us first."),
        },
    )


def test_the_members_claim_page_says_which_lines_were_reduced_and_why(client, lead, organisation):
    claim = approved_with_a_reduced_line(organisation, lead)
    sign_in(client, claim.member)
    text = page_text(client.get(f"/claims/{claim.pk}/"))
    assert "Not everything was allowed" in text
    assert "Taxi 2 : Not allowed: you claimed £20.00, and nothing is paid for it." in text
    assert "Why: Taxis need agreeing with us first." in text
    assert "£4.80 allowed of the £24.80 claimed" in text
    assert "£34.80" in text


def test_the_remittance_shows_claimed_and_paid_per_line_with_the_reason(client, lead, organisation):
    claim = approved_with_a_reduced_line(organisation, lead)
    InvolvementClaim.objects.filter(pk=claim.pk).update(
        status=Status.PAID, paid_at=claim.approved_at, payment_reference="BACS-9"
    )
    claim = InvolvementClaim.objects.get(pk=claim.pk)
    text = pdf_text(remittance_pdf(claim))
    assert "Claimed Paid" in text
    assert "Taxi 2" in text and "£20.00 £0.00" in text
    assert "Not paid in full. Why: Taxis need agreeing with us first." in text
    assert "£4.80 £4.80" in text
    assert "Total paid £34.80" in text


def test_a_remittance_with_nothing_reduced_keeps_one_amount_column(organisation, lead):
    claim = sent_claim(organisation, "4.80")
    claim = services.claim_approve(claim=claim, user=lead)
    InvolvementClaim.objects.filter(pk=claim.pk).update(
        status=Status.PAID, paid_at=claim.approved_at, payment_reference="BACS-9"
    )
    text = pdf_text(remittance_pdf(InvolvementClaim.objects.get(pk=claim.pk)))
    assert "Claimed" not in text and "Not paid in full" not in text
    assert "Total paid £34.80" in text


def test_mileage_on_the_remittance_says_how_it_adds_up(organisation, lead):
    claim = InvolvementClaimFactory(
        attendance__meeting__panel__organisation=organisation, hours=Decimal("1")
    )
    services.claim_add_expense(
        claim=claim, user=claim.member, kind="mileage", description="Drove in", miles="12.5"
    )
    services.claim_submit(claim=claim, user=claim.member, declaration=True)
    claim = services.claim_approve(claim=claim, user=lead)
    InvolvementClaim.objects.filter(pk=claim.pk).update(
        status=Status.PAID, paid_at=claim.approved_at, payment_reference="BACS-9"
    )
    text = pdf_text(remittance_pdf(InvolvementClaim.objects.get(pk=claim.pk)))
    assert "12.5 miles at 45p a mile: £5.63" in text
