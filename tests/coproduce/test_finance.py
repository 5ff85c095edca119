"""Finance in the Wagtail admin: they see approved and paid claims of their organisation
and nothing earlier, export approved claims for payment (audit-logged), and mark claims
paid one at a time or in a payment run, never twice."""

import csv
import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import audit
from coproduce.choices import PaymentChoice
from coproduce.factories import ExpenseFactory, MemberFactory
from coproduce.models import InvolvementClaim
from tests.conftest import sign_in
from tests.coproduce.test_claims import claim_in, page_text
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

Status = InvolvementClaim.Status


@pytest.fixture
def finance(client, make_person):
    person = make_person("finance")
    sign_in(client, person)
    return person


def exported_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_finance_see_only_approved_and_paid_claims_of_their_organisation(
    client, finance, organisation, other_organisation
):
    approved = claim_in(organisation, approved=True)
    paid = claim_in(organisation, paid=True)
    hidden = [claim_in(organisation, **{s: True}) for s in ("submitted", "returned")]
    hidden += [claim_in(organisation), claim_in(other_organisation, approved=True)]
    text = page_text(client.get("/admin/claims/"))
    assert approved.reference in text and paid.reference in text
    assert "Export approved (CSV)" in text
    assert "Mark claims paid" in text
    for claim in hidden:
        assert claim.reference not in text
    assert "Waiting for approval" not in text  # not even a filter choice
    for claim in hidden:
        assert client.get(f"/admin/claims/inspect/{claim.pk}/").status_code == 404


def test_finance_export_approved_claims_as_csv_with_the_amounts_to_pay(
    client, finance, organisation
):
    member = MemberFactory(first_name="Sam", last_name="Jones", email="sam@example.org")
    claim = claim_in(
        organisation,
        member=member,
        approved=True,
        hours=Decimal("2.5"),
        attendance__meeting__panel__title="Crisis café panel",
        payment_choice=PaymentChoice.VOUCHER,
    )
    InvolvementClaim.objects.filter(pk=claim.pk).update(
        hourly_rate=Decimal("15.50"), amount_approved=Decimal("43.55")
    )
    ExpenseFactory(claim=claim, amount=Decimal("4.80"))
    claim_in(organisation, paid=True)
    response = client.get("/admin/claims/?status=approved&export=csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "involvement-claims.csv" in response["Content-Disposition"]
    rows = exported_rows(response)
    assert len(rows) == 1
    row = rows[0]
    assert row["Reference"] == claim.reference
    assert row["Member"] == "Sam Jones"
    assert row["Member email"] == "sam@example.org"
    assert row["Panel"] == "Crisis café panel"
    meeting_day = timezone.localtime(claim.attendance.meeting.starts_at).date()
    assert row["Meeting date"] == meeting_day.isoformat()
    assert row["Hours"] == "2.50"
    assert row["Rate per hour (£)"] == "15.50"
    assert row["Fee (£)"] == "38.75"
    assert row["Expenses (£)"] == "4.80"
    assert row["Total (£)"] == "43.55"
    assert row["Payment method"] == "Shopping vouchers"


def test_every_export_is_written_to_the_audit_log(client, finance, organisation):
    for _ in range(3):
        claim_in(organisation, approved=True)
    exported_rows(client.get("/admin/claims/?status=approved&export=csv"))
    entry = ModelLogEntry.objects.get(action=audit.EXPORT)
    assert entry.user_id == finance.pk
    assert entry.data["count"] == 3
    assert entry.object_id == str(organisation.pk)


def test_names_cannot_smuggle_spreadsheet_formulas_into_the_export(client, finance, organisation):
    member = MemberFactory(first_name='=HYPERLINK("http://evil")', last_name="")
    claim_in(organisation, member=member, approved=True)
    row = exported_rows(client.get("/admin/claims/?export=csv"))[0]
    assert row["Member"].startswith("'=")


def test_the_export_costs_the_same_queries_with_3_or_30_claims(client, finance, organisation):
    def count():
        with CaptureQueriesContext(connection) as queries:
            exported_rows(client.get("/admin/claims/?status=approved&export=csv"))
        return len(queries)

    for _ in range(3):
        ExpenseFactory(claim=claim_in(organisation, approved=True))
    count()
    few = count()
    for _ in range(27):
        ExpenseFactory(claim=claim_in(organisation, approved=True))
    assert count() == few


def test_finance_mark_one_claim_paid_with_a_reference(client, finance, organisation):
    claim = claim_in(organisation, approved=True)
    page = client.get(f"/admin/claims/pay/{claim.pk}/")
    assert page.status_code == 200
    assert "Pay £30.00" in page_text(page)
    response = client.post(
        f"/admin/claims/pay/{claim.pk}/", {"payment_reference": "BACS-0412"}, follow=True
    )
    assert f"Claim {claim.reference} marked paid (£30.00)" in page_text(response)
    claim.refresh_from_db()
    assert claim.status == Status.PAID
    assert claim.payment_reference == "BACS-0412"
    assert claim.paid_by == finance
    assert len(mail.outbox) == 1


def test_paying_from_the_approved_list_goes_back_to_that_list(client, finance, organisation):
    claim = claim_in(organisation, approved=True)
    approved_list = "/admin/claims/?status=approved"
    page = BeautifulSoup(client.get(approved_list).content, "html.parser")
    pay = next(
        a["href"]
        for a in page.select("a[href]")
        if a["href"].startswith(f"/admin/claims/pay/{claim.pk}/")
    )
    form = BeautifulSoup(client.get(pay).content, "html.parser")
    assert form.select_one("form input[name=next]")["value"] == approved_list
    response = client.post(pay, {"payment_reference": "BACS-7", "next": approved_list})
    assert response["Location"] == approved_list


def test_a_payment_without_a_reference_asks_for_one(client, finance, organisation):
    claim = claim_in(organisation, approved=True)
    response = client.post(f"/admin/claims/pay/{claim.pk}/", {"payment_reference": ""})
    assert response.status_code == 400
    assert "Enter the payment reference" in page_text(response)
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED


def test_paying_a_claim_twice_says_when_it_was_paid(client, finance, organisation):
    claim = claim_in(organisation, approved=True)
    client.post(f"/admin/claims/pay/{claim.pk}/", {"payment_reference": "BACS-1"})
    response = client.post(
        f"/admin/claims/pay/{claim.pk}/", {"payment_reference": "BACS-2"}, follow=True
    )
    assert "This claim was already marked paid on" in page_text(response)
    claim.refresh_from_db()
    assert claim.payment_reference == "BACS-1"
    assert len(mail.outbox) == 1


def test_finance_cannot_pay_a_claim_they_cannot_see(client, finance, organisation):
    submitted = claim_in(organisation, submitted=True)
    response = client.post(f"/admin/claims/pay/{submitted.pk}/", {"payment_reference": "X"})
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_finance_pay_a_run_of_claims_and_hear_about_one_paid_meanwhile(
    client, finance, organisation, make_person
):
    claims = [claim_in(organisation, approved=True) for _ in range(3)]
    page = client.get("/admin/claims/pay/")
    for claim in claims:
        assert claim.reference in page_text(page)
    # Someone else pays one after the page was shown.
    InvolvementClaim.objects.filter(pk=claims[0].pk).update(
        status=Status.PAID, paid_at=claims[0].approved_at, payment_reference="EARLIER"
    )
    response = client.post(
        "/admin/claims/pay/",
        {"claims": [str(c.pk) for c in claims], "payment_reference": "BACS-RUN-7"},
        follow=True,
    )
    text = page_text(response)
    assert "2 claims marked paid (£60.00)" in text
    assert f"{claims[0].reference}: This claim was already marked paid on" in text
    references = dict(
        InvolvementClaim.objects.filter(pk__in=[c.pk for c in claims]).values_list(
            "pk", "payment_reference"
        )
    )
    assert references == {
        claims[0].pk: "EARLIER",
        claims[1].pk: "BACS-RUN-7",
        claims[2].pk: "BACS-RUN-7",
    }
    assert len(mail.outbox) == 2


def test_a_payment_run_needs_claims_and_a_reference_and_keeps_what_was_chosen(
    client, finance, organisation
):
    claim = claim_in(organisation, approved=True)
    response = client.post("/admin/claims/pay/", {"claims": [str(claim.pk)]})
    assert response.status_code == 400
    assert "Enter the payment reference" in page_text(response)
    box = BeautifulSoup(response.content, "html.parser").select_one(f"#claim-{claim.pk}")
    assert box.has_attr("checked")
    response = client.post("/admin/claims/pay/", {"payment_reference": "BACS-1"})
    assert response.status_code == 400
    assert "Select the claims you have paid." in page_text(response)
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED


def test_the_payment_run_page_offers_the_export_as_a_button_big_enough_to_tap(
    client, finance, organisation
):
    claim = claim_in(organisation, approved=True)
    page = BeautifulSoup(client.get("/admin/claims/pay/").content, "html.parser")
    export = page.select_one('main a[href*="export=csv"]')
    assert export.get_text(" ", strip=True) == "Export approved claims (CSV)"
    # Wagtail's button is 42 pixels high (a bare link was one 16-pixel line of text).
    assert "button" in export["class"]
    rows = exported_rows(client.get(export["href"]))
    assert [row["Reference"] for row in rows] == [claim.reference]


def test_a_payment_run_cannot_reach_claims_finance_cannot_see(
    client, finance, organisation, other_organisation
):
    submitted = claim_in(organisation, submitted=True)
    elsewhere = claim_in(other_organisation, approved=True)
    response = client.post(
        "/admin/claims/pay/",
        {"claims": [str(submitted.pk), str(elsewhere.pk)], "payment_reference": "X"},
    )
    assert response.status_code == 400
    for claim in (submitted, elsewhere):
        claim.refresh_from_db()
        assert claim.status != Status.PAID


def test_the_payment_run_page_costs_the_same_queries_with_3_or_30_claims(
    client, finance, organisation
):
    def count():
        return queries_for(client, "/admin/claims/pay/")

    for _ in range(3):
        claim_in(organisation, approved=True)
    count()
    few = count()
    for _ in range(27):
        claim_in(organisation, approved=True)
    assert count() == few


def test_an_administrator_may_pay_any_organisations_approved_claims(
    client, make_person, other_organisation
):
    sign_in(client, make_person("admin"))
    claim = claim_in(other_organisation, approved=True)
    response = client.post(
        "/admin/claims/pay/", {"claims": [str(claim.pk)], "payment_reference": "BACS-ADM"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.PAID
