"""A member's claim pages: the list, one claim, adding and removing expenses, sending it,
the receipts and the remittance advice; who may open each, and what bad input looks like."""

import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile

from cms.factories import TINY_PDF
from coproduce.factories import ExpenseFactory, InvolvementClaimFactory, MemberFactory
from coproduce.models import Expense, InvolvementClaim
from coproduce.services import claims as services
from coproduce.storage import receipt_storage
from tests.conftest import sign_in
from tests.coproduce.test_claims import claim_in, page_text, png_bytes
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

Status = InvolvementClaim.Status


@pytest.fixture
def member(client, make_person):
    person = make_person("member")
    sign_in(client, person)
    return person


def pdf(name="ticket.pdf"):
    return SimpleUploadedFile(name, TINY_PDF, content_type="application/pdf")


def expense_form(**overrides):
    data = {"kind": "travel", "description": "Bus there and back", "amount": "4.80"}
    data.update(overrides)
    return data


# --- The list ----------------------------------------------------------------------------------


def test_a_member_sees_their_claims_with_those_waiting_for_them_first(client, member):
    paid = InvolvementClaimFactory(attendance__member=member, paid=True)
    draft = InvolvementClaimFactory(attendance__member=member)
    InvolvementClaimFactory(attendance__member=MemberFactory())  # someone else's
    response = client.get("/claims/")
    assert response.status_code == 200
    rows = BeautifulSoup(response.content, "html.parser").select("tbody tr")
    assert len(rows) == 2
    assert draft.reference in rows[0].get_text()
    assert "Check and send" in rows[0].get_text()
    assert paid.reference in rows[1].get_text()
    assert "Download remittance" in rows[1].get_text()


def test_a_member_with_no_claims_is_told_how_they_will_appear(client, member):
    response = client.get("/claims/")
    assert "You have no claims yet" in page_text(response)


def test_the_list_is_paginated(client, member):
    InvolvementClaimFactory.create_batch(12, attendance__member=member)
    first = client.get("/claims/")
    assert len(BeautifulSoup(first.content, "html.parser").select("tbody tr")) == 10
    assert "Page 2 of 2" in page_text(first)
    second = client.get("/claims/?page=2")
    assert len(BeautifulSoup(second.content, "html.parser").select("tbody tr")) == 2
    assert client.get("/claims/?page=nonsense").status_code == 200


def test_the_list_costs_the_same_queries_with_3_or_30_claims(client, member):
    def count():
        return queries_for(client, "/claims/")

    for claim in InvolvementClaimFactory.create_batch(3, attendance__member=member):
        ExpenseFactory(claim=claim)
    count()  # the first request also reads the site's settings, cached afterwards
    few = count()
    for claim in InvolvementClaimFactory.create_batch(27, attendance__member=member):
        ExpenseFactory(claim=claim)
    assert count() == few


# --- One claim -----------------------------------------------------------------------------------


def test_a_member_sees_how_their_claim_adds_up(client, member):
    claim = InvolvementClaimFactory(
        attendance__member=member, hours=Decimal("2.5"), attendance__meeting__title="Leaflet"
    )
    InvolvementClaim.objects.filter(pk=claim.pk).update(hourly_rate=Decimal("15.50"))
    expense = ExpenseFactory(claim=claim, amount=Decimal("4.80"), description="Bus fare")
    response = client.get(f"/claims/{claim.pk}/")
    text = page_text(response)
    assert response.status_code == 200
    assert "Leaflet" in text
    assert "2 hours 30 minutes" in text
    assert "£15.50 an hour" in text
    assert "£38.75" in text
    assert "Bus fare" in text
    assert "£43.55" in text
    assert "Waiting for you to check" in text
    assert f"/claims/{claim.pk}/expenses/{expense.pk}/receipt/" in response.content.decode()
    assert "Check and send your claim" in text


def test_a_returned_claim_shows_the_reason_and_its_history(client, member, make_person):
    lead = make_person("engagement_lead", first_name="Priya", last_name="Shah")
    claim = claim_in(lead.organisation, member=member, submitted=True)
    services.claim_return(claim=claim, user=lead, reason="Add the parking receipt, please.")
    text = page_text(client.get(f"/claims/{claim.pk}/"))
    assert "What to change" in text
    assert "Add the parking receipt, please." in text
    assert "Returned to you by Priya Shah" in text


def test_the_claim_page_costs_the_same_queries_with_3_or_30_expenses(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)

    def count():
        return queries_for(client, f"/claims/{claim.pk}/")

    ExpenseFactory.create_batch(3, claim=claim)
    count()  # the first request also reads the site's settings, cached afterwards
    few = count()
    ExpenseFactory.create_batch(27, claim=claim)
    assert count() == few


def test_another_member_guessing_a_claim_id_finds_nothing(client, member):
    claim = InvolvementClaimFactory()
    expense = ExpenseFactory(claim=claim)
    for path in [
        f"/claims/{claim.pk}/",
        f"/claims/{claim.pk}/expenses/add/",
        f"/claims/{claim.pk}/submit/",
        f"/claims/{claim.pk}/expenses/{expense.pk}/receipt/",
        f"/claims/{claim.pk}/expenses/{expense.pk}/remove/",
        f"/claims/{claim.pk}/remittance.pdf",
    ]:
        assert client.get(path).status_code == 404, path
    response = client.post(
        f"/claims/{claim.pk}/expenses/add/", {**expense_form(), "receipt": pdf()}
    )
    assert response.status_code == 404
    assert claim.expenses.count() == 1


def test_a_lead_of_another_organisation_guessing_a_claim_id_finds_nothing(
    client, make_person, other_organisation
):
    claim = claim_in(other_organisation, submitted=True)
    sign_in(client, make_person("engagement_lead"))
    assert client.get(f"/claims/{claim.pk}/").status_code == 404


def test_finance_do_not_see_a_claim_before_it_is_approved(client, make_person, organisation):
    draft = claim_in(organisation)
    approved = claim_in(organisation, approved=True)
    sign_in(client, make_person("finance"))
    assert client.get(f"/claims/{draft.pk}/").status_code == 404
    assert client.get(f"/claims/{approved.pk}/").status_code == 200


def test_a_lead_may_look_at_a_members_claim_but_not_change_it(client, make_person, organisation):
    claim = claim_in(organisation)
    sign_in(client, make_person("engagement_lead"))
    response = client.get(f"/claims/{claim.pk}/")
    assert response.status_code == 200
    assert "Add an expense" not in page_text(response)
    assert client.get(f"/claims/{claim.pk}/expenses/add/").status_code == 403
    assert client.post(f"/claims/{claim.pk}/submit/", {"declaration": "on"}).status_code == 403
    claim.refresh_from_db()
    assert claim.status == Status.DRAFT


# --- Adding an expense -------------------------------------------------------------------------


def test_a_member_adds_an_expense_and_returns_to_their_claim(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)
    response = client.post(
        f"/claims/{claim.pk}/expenses/add/", {**expense_form(), "receipt": pdf()}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/claims/{claim.pk}/"
    assert "Expense added: Bus there and back, £4.80." in page_text(response)
    expense = claim.expenses.get()
    assert expense.amount == Decimal("4.80")


def test_a_three_decimal_amount_is_refused_and_what_was_typed_is_kept(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)
    response = client.post(
        f"/claims/{claim.pk}/expenses/add/",
        {**expense_form(amount="4.805", description="Train to Leeds"), "receipt": pdf()},
    )
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert "There is a problem" in page.get_text()
    assert "no more than 2 numbers after the point" in page.select_one("#id_amount-error").text
    assert page.select_one("#id_description")["value"] == "Train to Leeds"
    assert page.select_one("#id_amount")["value"] == "4.805"
    assert page.select_one("#id_amount")["aria-invalid"] == "true"
    assert not Expense.objects.exists()


def test_a_negative_amount_is_refused(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)
    response = client.post(
        f"/claims/{claim.pk}/expenses/add/", {**expense_form(amount="-2"), "receipt": pdf()}
    )
    assert response.status_code == 200
    assert "The amount must be more than £0." in page_text(response)
    assert not Expense.objects.exists()


def test_an_expense_without_a_receipt_says_what_to_upload(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)
    response = client.post(f"/claims/{claim.pk}/expenses/add/", expense_form())
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert "Upload a photo or scan of the receipt" in page.select_one("#id_receipt-error").text
    assert page.select_one("#id_description")["value"] == "Bus there and back"
    assert not Expense.objects.exists()


def test_a_program_renamed_to_pdf_is_refused_on_the_form(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)
    program = SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00" + b"\x00" * 300)
    response = client.post(
        f"/claims/{claim.pk}/expenses/add/", {**expense_form(), "receipt": program}
    )
    assert response.status_code == 200
    assert "must be a PDF, JPEG or PNG" in page_text(response)
    assert not Expense.objects.exists()


def test_a_good_receipt_is_kept_while_the_member_fixes_the_amount(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)
    photo = png_bytes()
    storage = receipt_storage()
    held_before = (
        set(storage.listdir(services.HELD_RECEIPTS)[1])
        if storage.exists(services.HELD_RECEIPTS)
        else set()
    )
    first = client.post(
        f"/claims/{claim.pk}/expenses/add/",
        {**expense_form(amount="four"), "receipt": SimpleUploadedFile("IMG_0042.png", photo)},
    )
    assert first.status_code == 200
    assert "We have kept the receipt you uploaded, ‘IMG_0042.png’" in page_text(first)
    response = client.post(f"/claims/{claim.pk}/expenses/add/", expense_form(amount="4"))
    assert response.status_code == 302
    expense = claim.expenses.get()
    assert expense.amount == Decimal("4.00")
    assert expense.receipt.name.endswith(".png")
    with expense.receipt.open("rb") as stored:
        assert stored.read() == photo
    assert set(storage.listdir(services.HELD_RECEIPTS)[1]) <= held_before


def test_the_same_expense_sent_twice_is_added_once(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)
    url = f"/claims/{claim.pk}/expenses/add/"
    assert client.post(url, {**expense_form(), "receipt": pdf()}).status_code == 302
    again = client.post(url, {**expense_form(), "receipt": pdf()})
    assert again.status_code == 200
    assert "You have already added this expense" in page_text(again)
    assert claim.expenses.count() == 1


def test_a_sent_claim_cannot_be_changed_and_says_so(client, member):
    claim = InvolvementClaimFactory(attendance__member=member, submitted=True)
    response = client.get(f"/claims/{claim.pk}/expenses/add/", follow=True)
    assert response.redirect_chain[-1][0] == f"/claims/{claim.pk}/"
    assert "You have already sent this claim" in page_text(response)


# --- Removing an expense ---------------------------------------------------------------------


def test_a_member_confirms_and_removes_an_expense_once(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)
    expense = ExpenseFactory(claim=claim, description="Taxi home")
    url = f"/claims/{claim.pk}/expenses/{expense.pk}/remove/"
    assert "Remove this expense?" in page_text(client.get(url))
    response = client.post(url, follow=True)
    assert "The expense has been removed." in page_text(response)
    assert not claim.expenses.exists()
    assert client.post(url).status_code == 302  # sent twice: nothing more happens
    assert client.get(url, follow=True).status_code == 200


# --- Checking and sending ----------------------------------------------------------------------


def test_a_member_checks_and_sends_their_claim_with_the_declaration(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)
    page = client.get(f"/claims/{claim.pk}/submit/")
    assert "I confirm this is a true claim" in page_text(page)
    response = client.post(f"/claims/{claim.pk}/submit/", {"declaration": "on"}, follow=True)
    assert "Your claim has been sent" in page_text(response)
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


def test_sending_without_the_declaration_says_what_to_do(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)
    response = client.post(f"/claims/{claim.pk}/submit/", {})
    assert response.status_code == 200
    assert "Confirm that this is a true claim." in page_text(response)
    claim.refresh_from_db()
    assert claim.status == Status.DRAFT


def test_sending_twice_is_harmless(client, member):
    claim = InvolvementClaimFactory(attendance__member=member)
    client.post(f"/claims/{claim.pk}/submit/", {"declaration": "on"})
    response = client.post(f"/claims/{claim.pk}/submit/", {"declaration": "on"}, follow=True)
    assert "You have already sent this claim" in page_text(response)
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


# --- Receipts ----------------------------------------------------------------------------------


def _receipt_url(claim, expense):
    return f"/claims/{claim.pk}/expenses/{expense.pk}/receipt/"


def test_the_owner_and_the_panels_lead_open_a_receipt(client, member, make_person, organisation):
    claim = claim_in(organisation, member=member)
    expense = ExpenseFactory(claim=claim)
    response = client.get(_receipt_url(claim, expense))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == TINY_PDF
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    sign_in(client, make_person("engagement_lead"))
    assert client.get(_receipt_url(claim, expense)).status_code == 200


def test_finance_open_a_receipt_only_once_the_claim_is_approved(client, make_person, organisation):
    claim = claim_in(organisation, submitted=True)
    expense = ExpenseFactory(claim=claim)
    sign_in(client, make_person("finance"))
    assert client.get(_receipt_url(claim, expense)).status_code == 404
    InvolvementClaim.objects.filter(pk=claim.pk).update(
        status=Status.APPROVED, amount_approved=Decimal("1")
    )
    assert client.get(_receipt_url(claim, expense)).status_code == 200


def test_a_receipt_is_only_found_under_its_own_claim(client, member):
    mine = InvolvementClaimFactory(attendance__member=member)
    theirs = ExpenseFactory()
    assert client.get(_receipt_url(mine, theirs)).status_code == 404


# --- Remittance ----------------------------------------------------------------------------------


def test_the_member_downloads_the_remittance_once_paid(client, member):
    claim = InvolvementClaimFactory(attendance__member=member, paid=True)
    page = client.get(f"/claims/{claim.pk}/")
    assert "Download your remittance advice (PDF)" in page_text(page)
    response = client.get(f"/claims/{claim.pk}/remittance.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert re.search(
        r'attachment; filename="remittance-IC-\d{6}\.pdf"', response["Content-Disposition"]
    )
    assert response.content.startswith(b"%PDF")


def test_there_is_no_remittance_before_payment_nor_for_anyone_else(
    client, member, make_person, organisation
):
    approved = claim_in(organisation, member=member, approved=True)
    assert client.get(f"/claims/{approved.pk}/remittance.pdf").status_code == 403
    paid = claim_in(organisation, member=member, paid=True)
    sign_in(client, make_person("finance"))
    assert client.get(f"/claims/{paid.pk}/remittance.pdf").status_code == 403
    sign_in(client, make_person("member"))
    assert client.get(f"/claims/{paid.pk}/remittance.pdf").status_code == 404
