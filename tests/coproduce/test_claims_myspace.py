"""My space tells each person where their payments stand: members their claims and what
they were paid this tax year, leads how many claims wait for approval, finance how many
approved claims wait to be paid."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup

from coproduce.factories import ExpenseFactory, InvolvementClaimFactory
from coproduce.models import InvolvementClaim
from coproduce.selectors.claims import tax_year_start
from tests.conftest import sign_in
from tests.coproduce.test_claims import claim_in
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def panel_text(response, heading: str) -> str:
    page = BeautifulSoup(response.content, "html.parser")
    for section in page.select(".lep-panels section"):
        if section.h2 and section.h2.get_text(strip=True) == heading:
            return " ".join(section.get_text(" ").split())
    raise AssertionError(f"No panel called {heading!r}")


def headings(response) -> list[str]:
    page = BeautifulSoup(response.content, "html.parser")
    return [h.get_text(strip=True) for h in page.select(".lep-panels h2")]


@time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=LONDON), tick=False)
def test_a_member_sees_claims_to_check_recent_ones_and_what_was_paid_this_tax_year(
    client, make_person
):
    member = make_person("member")
    sign_in(client, member)
    draft = InvolvementClaimFactory(attendance__member=member, attendance__meeting__title="Ideas")
    for paid_on, amount in [
        (datetime(2026, 5, 1, tzinfo=LONDON), "30.00"),
        (datetime(2026, 10, 1, tzinfo=LONDON), "12.50"),
        (datetime(2026, 3, 1, tzinfo=LONDON), "99.00"),  # last tax year
    ]:
        claim = InvolvementClaimFactory(attendance__member=member, paid=True)
        InvolvementClaim.objects.filter(pk=claim.pk).update(
            paid_at=paid_on, amount_approved=Decimal(amount)
        )
    InvolvementClaimFactory(paid=True)  # someone else's
    text = panel_text(client.get("/my-space/"), "Your payments")
    assert "1 claim is waiting for you to check" in text
    assert "Ideas" in text
    assert "Waiting for you to check" in text
    assert "Paid to you this tax year (since 6 April 2026): £42.50" in text
    assert "See all your claims" in text
    assert draft.reference not in text  # the meeting, not a code, names the claim


def test_a_new_member_is_told_where_claims_will_come_from(client, make_person):
    sign_in(client, make_person("member"))
    text = panel_text(client.get("/my-space/"), "Your payments")
    assert "You have no claims yet" in text
    assert "£0.00" in text


def test_the_tax_year_starts_on_6_april():
    assert tax_year_start(datetime(2027, 4, 5).date()).isoformat() == "2026-04-06"
    assert tax_year_start(datetime(2027, 4, 6).date()).isoformat() == "2027-04-06"


def test_leads_see_how_many_claims_wait_for_their_approval(client, make_person, organisation):
    lead = make_person("engagement_lead")
    sign_in(client, lead)
    for _ in range(2):
        claim_in(organisation, submitted=True)
    claim_in(organisation, member=lead, submitted=True)  # their own: not theirs to approve
    claim_in(organisation, approved=True)
    response = client.get("/my-space/")
    text = panel_text(response, "Claims waiting for approval")
    assert "2 claims are waiting for your approval" in text
    assert "/admin/claims/?status=submitted" in response.content.decode()
    assert "Approved claims to pay" not in headings(response)


def test_finance_see_how_many_approved_claims_wait_to_be_paid(
    client, make_person, organisation, other_organisation
):
    sign_in(client, make_person("finance"))
    claim_in(organisation, approved=True)
    claim_in(organisation, submitted=True)
    claim_in(other_organisation, approved=True)
    response = client.get("/my-space/")
    assert "1 approved claim is waiting to be paid" in panel_text(
        response, "Approved claims to pay"
    )
    assert "Claims waiting for approval" not in headings(response)
    assert "Your payments" not in headings(response)


@pytest.mark.parametrize("role", ["member", "engagement_lead", "finance"])
def test_my_space_costs_the_same_queries_with_3_or_30_claims(
    role, client, make_person, organisation
):
    person = make_person(role)
    sign_in(client, person)

    def make(n):
        for _ in range(n):
            mine = InvolvementClaimFactory(attendance__member=person)
            ExpenseFactory(claim=mine)
            claim_in(organisation, submitted=True)
            claim_in(organisation, approved=True)
            InvolvementClaimFactory(attendance__member=person, paid=True)

    def count():
        return queries_for(client, "/my-space/")

    make(3)
    count()
    few = count()
    make(27)
    assert count() == few


def test_a_member_who_is_not_paid_for_time_is_not_asked_to_send_an_empty_claim(client, make_person):
    member = make_person("member")
    sign_in(client, member)
    empty = InvolvementClaimFactory(attendance__member=member, payment_choice="not_paid")
    text = panel_text(client.get("/my-space/"), "Your payments")
    assert "waiting for you to check" not in text
    listing = " ".join(
        BeautifulSoup(client.get("/claims/").content, "html.parser").get_text(" ").split()
    )
    assert "Nothing, unless you spent money to take part" in listing
    page = client.get(f"/claims/{empty.pk}/").content.decode()
    assert "nothing to claim unless you spent money" in page
    assert "Check and send your claim" not in page
    ExpenseFactory(claim=empty)
    text = panel_text(client.get("/my-space/"), "Your payments")
    assert "1 claim is waiting for you to check" in text
