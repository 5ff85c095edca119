"""Finance in the Wagtail admin: they see approved and paid claims of their organisation
and nothing earlier, export approved claims for payment (audit-logged), and pay them in
payment runs (the old "mark paid" addresses lead there), never twice."""

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
from coproduce.factories import ExpenseFactory, MemberFactory, PayeeDetailsFactory
from coproduce.models import InvolvementClaim, PaymentRun
from coproduce.services import payment_runs as run_services
from tests.conftest import sign_in
from tests.coproduce.test_claims import claim_in, page_text

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
    assert "Build a payment run" in text
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


def payable_in(organisation, **kwargs):
    """An approved claim of ``organisation`` whose member has given bank details."""
    claim = claim_in(organisation, approved=True, **kwargs)
    PayeeDetailsFactory(user=claim.member)
    return claim


def today_typed() -> str:
    return timezone.localdate().strftime("%d/%m/%Y")


def test_finance_pay_a_claim_from_its_page_through_a_payment_run(client, finance, organisation):
    claim = payable_in(organisation)
    inspect = BeautifulSoup(client.get(f"/admin/claims/inspect/{claim.pk}/").content, "html.parser")
    builder = next(
        a["href"]
        for a in inspect.select("main a[href]")
        if a.get_text(strip=True) == "Pay it in a payment run"
    )
    page = BeautifulSoup(client.get(builder).content, "html.parser")
    assert page.select_one(f"#claim-{claim.pk}").has_attr("checked")
    response = client.post(
        "/admin/payment-runs/build/", {"organisation": organisation.pk, "claims": [claim.pk]}
    )
    run = PaymentRun.objects.get()
    assert response["Location"] == f"/admin/payment-runs/{run.pk}/"
    response = client.post(
        f"/admin/payment-runs/{run.pk}/mark-paid/", {"paid_on": today_typed()}, follow=True
    )
    assert f"Payment run {run.reference} marked paid" in page_text(response)
    claim.refresh_from_db()
    assert claim.status == Status.PAID
    assert claim.payment_reference == run.reference
    assert claim.paid_by == finance
    assert len(mail.outbox) == 1 and "has been paid" in mail.outbox[0].subject
    inspect = page_text(client.get(f"/admin/claims/inspect/{claim.pk}/"))
    assert f"payment run {run.reference} (paid)" in inspect


def test_the_old_mark_paid_addresses_lead_to_payment_runs(client, finance, organisation):
    claim = payable_in(organisation)
    assert client.get("/admin/claims/pay/")["Location"] == "/admin/payment-runs/build/"
    response = client.get(f"/admin/claims/pay/{claim.pk}/", follow=True)
    assert response.redirect_chain[0][0] == (
        f"/admin/payment-runs/build/?organisation={organisation.pk}"
    )
    assert "Approved claims are now paid in payment runs" in page_text(response)
    # An old form sent there pays nothing.
    client.post(f"/admin/claims/pay/{claim.pk}/", {"payment_reference": "BACS-1"})
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED and claim.payment_reference == ""
    run = run_services.payment_run_build(
        user=finance, organisation=organisation, claim_ids=[claim.pk]
    ).run
    assert client.get(f"/admin/claims/pay/{claim.pk}/")["Location"] == (
        f"/admin/payment-runs/{run.pk}/"
    )


def test_marking_a_run_paid_without_a_date_asks_for_one(client, finance, organisation):
    claim = payable_in(organisation)
    run = run_services.payment_run_build(
        user=finance, organisation=organisation, claim_ids=[claim.pk]
    ).run
    response = client.post(f"/admin/payment-runs/{run.pk}/mark-paid/", {"paid_on": ""})
    assert response.status_code == 400
    assert "Enter the date the money was sent" in page_text(response)
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED
    assert mail.outbox == []


def test_marking_a_run_paid_twice_says_when_it_was_paid(client, finance, organisation):
    claim = payable_in(organisation)
    run = run_services.payment_run_build(
        user=finance, organisation=organisation, claim_ids=[claim.pk]
    ).run
    client.post(f"/admin/payment-runs/{run.pk}/mark-paid/", {"paid_on": today_typed()})
    response = client.post(
        f"/admin/payment-runs/{run.pk}/mark-paid/", {"paid_on": today_typed()}, follow=True
    )
    assert f"Payment run {run.reference} was marked paid on" in page_text(response)
    claim.refresh_from_db()
    assert claim.payment_reference == run.reference
    assert len(mail.outbox) == 1
    paid = ModelLogEntry.objects.for_instance(claim).filter(action="coproduce.claim.pay")
    assert paid.count() == 1


def test_finance_cannot_pay_a_claim_they_cannot_see(client, finance, organisation):
    submitted = claim_in(organisation, submitted=True)
    PayeeDetailsFactory(user=submitted.member)
    assert client.get(f"/admin/claims/pay/{submitted.pk}/").status_code == 404
    response = client.post(
        "/admin/payment-runs/build/", {"organisation": organisation.pk, "claims": [submitted.pk]}
    )
    assert response.status_code == 400
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED and submitted.payment_run is None
    assert not PaymentRun.objects.exists()


def test_finance_build_a_run_and_hear_about_one_paid_meanwhile(client, finance, organisation):
    claims = [payable_in(organisation) for _ in range(3)]
    page = page_text(client.get("/admin/payment-runs/build/"))
    for claim in claims:
        assert claim.reference in page
    # Someone else pays one after the page was shown.
    InvolvementClaim.objects.filter(pk=claims[0].pk).update(
        status=Status.PAID, paid_at=claims[0].approved_at, payment_reference="EARLIER"
    )
    response = client.post(
        "/admin/payment-runs/build/",
        {"organisation": organisation.pk, "claims": [c.pk for c in claims]},
        follow=True,
    )
    text = page_text(response)
    run = PaymentRun.objects.get()
    assert f"Payment run {run.reference} built with 2 claims" in text
    assert f"{claims[0].reference} was left out. This claim was already marked paid on" in text
    assert set(run.claims.all()) == set(claims[1:])
    client.post(f"/admin/payment-runs/{run.pk}/mark-paid/", {"paid_on": today_typed()})
    references = dict(
        InvolvementClaim.objects.filter(pk__in=[c.pk for c in claims]).values_list(
            "pk", "payment_reference"
        )
    )
    assert references == {
        claims[0].pk: "EARLIER",
        claims[1].pk: run.reference,
        claims[2].pk: run.reference,
    }
    assert len(mail.outbox) == 2


def test_a_run_that_cannot_be_built_keeps_what_was_chosen(client, finance, organisation):
    kept, gone = payable_in(organisation), payable_in(organisation)
    InvolvementClaim.objects.filter(pk=gone.pk).update(
        status=Status.PAID, paid_at=gone.approved_at, payment_reference="EARLIER"
    )
    response = client.post(
        "/admin/payment-runs/build/", {"organisation": organisation.pk, "claims": [gone.pk]}
    )
    assert response.status_code == 400
    assert "None of the chosen claims can be paid in a run now" in page_text(response)
    box = BeautifulSoup(response.content, "html.parser").select_one(f"#claim-{kept.pk}")
    assert not box.has_attr("checked")  # not chosen, so not ticked again behind their back
    assert not PaymentRun.objects.exists()


def test_a_payment_run_cannot_reach_claims_finance_cannot_see(
    client, finance, organisation, other_organisation
):
    submitted = claim_in(organisation, submitted=True)
    elsewhere = payable_in(other_organisation)
    chosen = {"claims": [submitted.pk, elsewhere.pk]}
    response = client.post(
        "/admin/payment-runs/build/", {"organisation": organisation.pk, **chosen}
    )
    assert response.status_code == 400
    assert elsewhere.reference not in page_text(response)  # not theirs: not even named
    response = client.post(
        "/admin/payment-runs/build/", {"organisation": other_organisation.pk, **chosen}
    )
    assert response["Location"] == "/admin/"
    for claim in (submitted, elsewhere):
        claim.refresh_from_db()
        assert claim.status != Status.PAID and claim.payment_run is None
    assert not PaymentRun.objects.exists()


def test_an_administrator_may_pay_any_organisations_approved_claims(
    client, make_person, other_organisation
):
    admin = make_person("admin")
    sign_in(client, admin)
    claim = payable_in(other_organisation)
    response = client.post(
        "/admin/payment-runs/build/",
        {"organisation": other_organisation.pk, "claims": [claim.pk]},
    )
    assert response.status_code == 302
    run = PaymentRun.objects.get()
    client.post(f"/admin/payment-runs/{run.pk}/mark-paid/", {"paid_on": today_typed()})
    claim.refresh_from_db()
    assert claim.status == Status.PAID
