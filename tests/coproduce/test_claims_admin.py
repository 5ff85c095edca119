"""Leads work on their panels' claims in the Wagtail admin: list, filter, inspect, approve
or return. They never see another organisation's claims, never edit amounts and never pay."""

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from coproduce.factories import ExpenseFactory
from coproduce.models import InvolvementClaim
from coproduce.services import claims as services
from tests.conftest import sign_in
from tests.coproduce.test_claims import claim_in, page_text, pdf_receipt
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

Status = InvolvementClaim.Status


@pytest.fixture
def lead(client, make_person):
    person = make_person("engagement_lead", first_name="Priya", last_name="Shah")
    sign_in(client, person)
    return person


def listed_references(response) -> set[str]:
    page = BeautifulSoup(response.content, "html.parser")
    return {cell.get_text(strip=True) for cell in page.select("tbody td.title a, tbody td a")}


def test_a_lead_lists_their_organisations_claims_and_not_anothers(
    client, lead, organisation, other_organisation
):
    ours = [claim_in(organisation, **{state: True}) for state in ("submitted", "approved")]
    draft = claim_in(organisation)
    theirs = claim_in(other_organisation, submitted=True)
    response = client.get("/admin/claims/")
    assert response.status_code == 200
    text = page_text(response)
    for claim in [*ours, draft]:
        assert claim.reference in text
    assert theirs.reference not in text
    assert theirs.panel.title not in text  # not even as a filter choice


def test_a_lead_filters_claims_waiting_for_approval(client, lead, organisation):
    waiting = claim_in(organisation, submitted=True)
    paid = claim_in(organisation, paid=True)
    text = page_text(client.get("/admin/claims/?status=submitted"))
    assert waiting.reference in text
    assert paid.reference not in text
    assert "Waiting for approval" in text


def test_the_claims_list_costs_the_same_queries_with_3_or_30_claims(client, lead, organisation):
    def count():
        return queries_for(client, "/admin/claims/")

    for _ in range(3):
        ExpenseFactory(claim=claim_in(organisation, submitted=True))
    count()
    few = count()
    for _ in range(27):
        ExpenseFactory(claim=claim_in(organisation, submitted=True))
    assert count() == few


def test_a_lead_inspects_a_claim_with_its_receipts_and_history(client, lead, organisation):
    claim = claim_in(organisation)
    services.claim_add_expense(
        claim=claim,
        user=claim.member,
        kind="travel",
        description="Parking at the hospital",
        amount="6.50",
        receipt=pdf_receipt(),
    )
    services.claim_submit(claim=claim, user=claim.member, declaration=True)
    expense = claim.expenses.get()
    response = client.get(f"/admin/claims/inspect/{claim.pk}/")
    assert response.status_code == 200
    text = page_text(response)
    assert "Parking at the hospital" in text
    assert "£6.50" in text
    assert f"/claims/{claim.pk}/expenses/{expense.pk}/receipt/" in response.content.decode()
    assert "Added an expense to an involvement claim" in text
    assert "Submitted an involvement claim" in text
    assert "Approve or return" in text
    assert client.get(f"/admin/claims/history/{claim.pk}/").status_code == 200


def test_a_lead_of_another_organisation_guessing_a_claim_id_finds_nothing(
    client, lead, other_organisation
):
    claim = claim_in(other_organisation, submitted=True)
    for path in [
        f"/admin/claims/inspect/{claim.pk}/",
        f"/admin/claims/history/{claim.pk}/",
        f"/admin/claims/review/{claim.pk}/",
    ]:
        assert client.get(path).status_code == 404, path
    assert (
        client.post(f"/admin/claims/review/{claim.pk}/", {"action": "approve"}).status_code == 404
    )
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


def test_nobody_edits_or_deletes_a_claim_in_the_admin(client, lead, organisation):
    claim = claim_in(organisation, submitted=True)
    for path in [
        f"/admin/claims/edit/{claim.pk}/",
        f"/admin/claims/delete/{claim.pk}/",
        "/admin/claims/new/",
    ]:
        assert client.get(path).status_code == 404, path
    inspect = client.get(f"/admin/claims/inspect/{claim.pk}/").content.decode()
    assert f"/admin/claims/edit/{claim.pk}/" not in inspect


def test_a_lead_approves_a_claim_and_the_member_is_emailed(client, lead, organisation):
    claim = claim_in(organisation, submitted=True)
    page = client.get(f"/admin/claims/review/{claim.pk}/")
    assert "Approve £30.00" in page_text(page)
    response = client.post(f"/admin/claims/review/{claim.pk}/", {"action": "approve"}, follow=True)
    assert f"Claim {claim.reference} approved: £30.00" in page_text(response)
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED
    assert claim.approved_by == lead
    assert len(mail.outbox) == 1


def test_a_lead_returns_a_claim_with_a_reason(client, lead, organisation):
    claim = claim_in(organisation, submitted=True)
    response = client.post(
        f"/admin/claims/review/{claim.pk}/",
        {"action": "return", "reason": "The bus ticket photo is blurred."},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.RETURNED
    assert claim.return_reason == "The bus ticket photo is blurred."
    assert "The bus ticket photo is blurred." in mail.outbox[0].body


# --- Back to the list as the lead left it ------------------------------------------------------

WAITING = "/admin/claims/?status=submitted&p=1"


def link_to(response, path: str) -> str:
    """The first link on the page to ``path`` (with whatever query it carries)."""
    page = BeautifulSoup(response.content, "html.parser")
    return next(a["href"] for a in page.select("a[href]") if a["href"].startswith(path))


def test_approving_from_the_waiting_list_goes_back_to_the_waiting_list(client, lead, organisation):
    claim = claim_in(organisation, submitted=True)
    review = link_to(client.get(WAITING), f"/admin/claims/review/{claim.pk}/")
    page = client.get(review)
    assert page.status_code == 200
    response = client.post(review, {"action": "approve", "next": page.context["next"]})
    assert response.status_code == 302
    assert response["Location"] == WAITING
    assert "Waiting for approval" in page_text(client.get(response["Location"]))


def test_returning_or_approving_from_the_claims_page_keeps_the_list_too(client, lead, organisation):
    approved, returned = (claim_in(organisation, submitted=True) for _ in range(2))
    inspect = link_to(client.get(WAITING), f"/admin/claims/inspect/{approved.pk}/")
    review = link_to(client.get(inspect), f"/admin/claims/review/{approved.pk}/")
    assert client.post(review, {"action": "approve"})["Location"] == WAITING
    response = client.post(
        f"/admin/claims/review/{returned.pk}/",
        {"action": "return", "reason": "Add the receipt.", "next": WAITING},
    )
    assert response["Location"] == WAITING


def test_the_review_form_carries_the_list_to_go_back_to(client, lead, organisation):
    claim = claim_in(organisation, submitted=True)
    page = BeautifulSoup(
        client.get(
            f"/admin/claims/review/{claim.pk}/?next=/admin/claims/%3Fstatus%3Dsubmitted"
        ).content,
        "html.parser",
    )
    hidden = [field["value"] for field in page.select("form input[name=next]")]
    assert hidden == ["/admin/claims/?status=submitted"] * 2


@pytest.mark.parametrize(
    "next_url",
    [
        "https://elsewhere.example/admin/claims/",
        "//elsewhere.example/admin/claims/",
        "/admin/users/",
        "/admin/claims/inspect/1/",
        "javascript:alert(1)",
    ],
)
def test_a_next_that_is_not_the_claims_list_goes_to_the_whole_list(
    client, lead, organisation, next_url
):
    claim = claim_in(organisation, submitted=True)
    response = client.post(
        f"/admin/claims/review/{claim.pk}/", {"action": "approve", "next": next_url}
    )
    assert response["Location"] == "/admin/claims/"


def test_without_a_next_an_action_goes_to_the_whole_list(client, lead, organisation):
    claim = claim_in(organisation, submitted=True)
    response = client.post(f"/admin/claims/review/{claim.pk}/", {"action": "approve"})
    assert response["Location"] == "/admin/claims/"


def test_a_one_hour_claim_says_1_hour(client, lead, organisation):
    claim = claim_in(organisation, submitted=True)
    InvolvementClaim.objects.filter(pk=claim.pk).update(hours="1.00")
    text = page_text(client.get(f"/admin/claims/review/{claim.pk}/"))
    assert "1 hour ×" in text and "1 hours" not in text


def test_returning_without_a_reason_asks_for_one_and_changes_nothing(client, lead, organisation):
    claim = claim_in(organisation, submitted=True)
    response = client.post(f"/admin/claims/review/{claim.pk}/", {"action": "return", "reason": ""})
    assert response.status_code == 400
    assert "Enter the reason, so the member knows what to change." in page_text(response)
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED
    assert mail.outbox == []


def test_approving_twice_says_it_is_already_approved(client, lead, organisation):
    claim = claim_in(organisation, submitted=True)
    client.post(f"/admin/claims/review/{claim.pk}/", {"action": "approve"})
    response = client.post(f"/admin/claims/review/{claim.pk}/", {"action": "approve"}, follow=True)
    assert "This claim was already approved on" in page_text(response)
    assert len(mail.outbox) == 1


def test_a_lead_cannot_review_their_own_claim(client, lead, organisation):
    claim = claim_in(organisation, member=lead, submitted=True)
    response = client.post(f"/admin/claims/review/{claim.pk}/", {"action": "approve"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


def test_leads_cannot_pay_or_export(client, lead, organisation):
    claim = claim_in(organisation, approved=True)
    assert client.get(f"/admin/claims/pay/{claim.pk}/")["Location"] == "/admin/"
    response = client.post(f"/admin/claims/pay/{claim.pk}/", {"payment_reference": "X"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/claims/pay/")["Location"] == "/admin/"
    assert client.get("/admin/payment-runs/build/")["Location"] == "/admin/"
    response = client.post(
        "/admin/payment-runs/build/", {"organisation": organisation.pk, "claims": [claim.pk]}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/claims/?export=csv")["Location"] == "/admin/"
    listing = page_text(client.get("/admin/claims/"))
    assert "Export approved" not in listing and "Build a payment run" not in listing
    inspect = page_text(client.get(f"/admin/claims/inspect/{claim.pk}/"))
    assert "Pay it in a payment run" not in inspect
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED and claim.payment_run is None


def test_an_administrator_and_a_partnership_wide_lead_see_every_organisations_claims(
    client, make_person, organisation, other_organisation
):
    ours = claim_in(organisation, submitted=True)
    theirs = claim_in(other_organisation, submitted=True)
    for person in (
        make_person("admin"),
        make_person("engagement_lead", partnership_wide=True),
    ):
        sign_in(client, person)
        text = page_text(client.get("/admin/claims/"))
        assert ours.reference in text and theirs.reference in text
        assert client.get(f"/admin/claims/inspect/{theirs.pk}/").status_code == 200
