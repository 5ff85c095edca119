"""Payment runs: finance builds a run from approved claims, downloads the bank upload file,
marks the run paid on the day the money went; members are told once and their remittance
shows the date and reference. Vouchers travel apart, members with no bank details wait,
claims unpaid too long are flagged, and nobody else may touch a run."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import audit
from coproduce.bank_file import bacs_text, payment_reference
from coproduce.choices import PaymentChoice
from coproduce.factories import InvolvementClaimFactory, MemberFactory, PayeeDetailsFactory
from coproduce.models import InvolvementClaim, PaymentPolicy, PaymentRun
from coproduce.selectors import payment_runs as selectors
from coproduce.services import Refused
from coproduce.services import payment_runs as services
from tests.conftest import sign_in
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

Status = InvolvementClaim.Status


def approved_claim(organisation, *, days_ago=1, bank=True, choice=PaymentChoice.PAID, **kwargs):
    member = MemberFactory(first_name="Ada", last_name="O'Brien-Zoë")
    claim = InvolvementClaimFactory(
        approved=True,
        attendance__member=member,
        attendance__meeting__panel__organisation=organisation,
        payment_choice=choice,
        **kwargs,
    )
    InvolvementClaim.objects.filter(pk=claim.pk).update(
        approved_at=timezone.now() - timedelta(days=days_ago)
    )
    if bank:
        PayeeDetailsFactory(
            user=member, name="Ada O'Brien-Zoë", digits_sort="401234", digits_account="12345678"
        )
    claim.refresh_from_db()
    return claim


@pytest.fixture
def finance(make_person):
    return make_person("finance")


def build(finance, organisation, claims):
    return services.payment_run_build(
        user=finance, organisation=organisation, claim_ids=[c.pk for c in claims]
    )


# --- Building ---------------------------------------------------------------------------------


def test_the_builder_sorts_claims_into_bank_vouchers_and_waiting_for_details(finance, organisation):
    bank = approved_claim(organisation, days_ago=3)
    older = approved_claim(organisation, days_ago=20)
    voucher = approved_claim(organisation, bank=False, choice=PaymentChoice.VOUCHER)
    waiting = approved_claim(organisation, bank=False)
    plan = selectors.run_plan(finance, organisation)
    assert plan.bank == [older, bank]  # oldest first
    assert plan.vouchers == [voucher]
    assert plan.waiting_for_bank_details == [waiting]
    assert plan.overdue_count == 1 and plan.bank[0].overdue


def test_building_a_run_leaves_out_members_with_no_bank_details(finance, organisation):
    bank = approved_claim(organisation)
    voucher = approved_claim(organisation, bank=False, choice=PaymentChoice.VOUCHER)
    waiting = approved_claim(organisation, bank=False)
    result = build(finance, organisation, [bank, voucher, waiting])
    assert result.added == 2
    assert set(result.run.claims.all()) == {bank, voucher}
    assert [ref for ref, _ in result.left_out] == [waiting.reference]
    assert "bank details" in result.left_out[0][1]
    waiting.refresh_from_db()
    assert waiting.payment_run is None and waiting.status == Status.APPROVED


def test_a_claim_is_in_one_open_run_only(finance, organisation, make_person):
    claim = approved_claim(organisation)
    build(finance, organisation, [claim])
    with pytest.raises(Refused, match="already in another payment run"):
        build(make_person("finance"), organisation, [claim])
    assert PaymentRun.objects.count() == 1


def test_sending_the_build_form_twice_makes_one_run(client, finance, organisation):
    claim = approved_claim(organisation)
    sign_in(client, finance)
    data = {"organisation": organisation.pk, "claims": [claim.pk]}
    first = client.post("/admin/payment-runs/build/", data)
    assert first.status_code == 302
    again = client.post("/admin/payment-runs/build/", data)
    assert again.status_code == 400
    assert "already in another payment run" in again.content.decode()
    assert PaymentRun.objects.count() == 1


def test_building_with_nothing_chosen_says_what_to_do(client, finance, organisation):
    approved_claim(organisation)
    sign_in(client, finance)
    response = client.post("/admin/payment-runs/build/", {"organisation": organisation.pk})
    assert response.status_code == 400
    assert "Choose at least one claim" in response.content.decode()
    assert not PaymentRun.objects.exists()


def test_finance_cannot_build_a_run_of_another_organisations_claims(
    finance, organisation, other_organisation
):
    theirs = approved_claim(other_organisation)
    with pytest.raises(Refused):
        build(finance, other_organisation, [theirs])
    with pytest.raises(Refused):
        build(finance, organisation, [theirs])
    assert not PaymentRun.objects.exists()


def test_cancelling_an_open_run_returns_its_claims(finance, organisation):
    claim = approved_claim(organisation)
    run = build(finance, organisation, [claim]).run
    services.payment_run_cancel(run=run, user=finance)
    run.refresh_from_db()
    claim.refresh_from_db()
    assert run.status == PaymentRun.Status.CANCELLED and run.cancelled_at
    assert claim.payment_run is None and claim.status == Status.APPROVED
    assert build(finance, organisation, [claim]).added == 1
    with pytest.raises(Refused, match="was cancelled"):
        services.payment_run_cancel(run=run, user=finance)


# --- The bank file ------------------------------------------------------------------------------


def test_bacs_text_keeps_to_the_bank_character_set_and_length():
    assert bacs_text("Ada O'Brien-Zoë") == "ADA OBRIEN-ZOE"
    assert bacs_text('=HYPERLINK("http://x")') == "HYPERLINKHTTP//X"
    assert bacs_text("-@Bob  & Sons Limited Partnership") == "BOB & SONS LIMITED"
    assert payment_reference("PR-000012", "IC-000345") == "PR000012 IC000345"
    assert payment_reference("PR-1234567", "IC-1234567") == "IC1234567"


def test_the_bank_file_has_one_line_per_bank_claim_in_the_documented_layout(
    client, finance, organisation
):
    bank = approved_claim(organisation)
    voucher = approved_claim(organisation, bank=False, choice=PaymentChoice.VOUCHER)
    run = build(finance, organisation, [bank, voucher]).run
    sign_in(client, finance)
    response = client.get(f"/admin/payment-runs/{run.pk}/bank-file.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'"bank-payments-{run.reference.lower()}.csv"')
    body = b"".join(response.streaming_content).decode("ascii")
    rows = list(csv.reader(io.StringIO(body)))
    reference = f"{run.reference.replace('-', '')} {bank.reference.replace('-', '')}"
    assert rows == [
        ["ADA OBRIEN-ZOE", "401234", "12345678", f"{bank.amount_approved:.2f}", reference]
    ]
    run.refresh_from_db()
    assert run.bank_file_downloaded_by == finance and run.bank_file_downloaded_at
    exports = ModelLogEntry.objects.for_instance(run).filter(action=audit.EXPORT)
    assert exports.count() == 1 and exports.get().data["count"] == 1
    # The member's details were read in full: on their "who looked" trail.
    assert ModelLogEntry.objects.filter(action=audit.VIEW, data__about=bank.member_id).exists()


def test_the_bank_file_is_refused_when_a_members_details_went_after_the_run_was_built(
    client, finance, organisation
):
    claim = approved_claim(organisation)
    run = build(finance, organisation, [claim]).run
    claim.member.payee_details.delete()
    sign_in(client, finance)
    response = client.get(f"/admin/payment-runs/{run.pk}/bank-file.csv", follow=True)
    assert "No bank details for " + claim.reference in response.content.decode()


# --- Marking paid --------------------------------------------------------------------------------


def test_marking_a_run_paid_pays_every_claim_and_tells_each_member_once(finance, organisation):
    first = approved_claim(organisation)
    second = InvolvementClaimFactory(
        approved=True,
        attendance__member=first.member,
        attendance__meeting__panel__organisation=organisation,
    )
    voucher = approved_claim(organisation, bank=False, choice=PaymentChoice.VOUCHER)
    run = build(finance, organisation, [first, second, voucher]).run
    paid_on = timezone.localdate()
    mail.outbox.clear()
    services.payment_run_mark_paid(run=run, user=finance, paid_on=paid_on)
    run.refresh_from_db()
    assert run.status == PaymentRun.Status.PAID and run.paid_on == paid_on
    assert run.marked_paid_by == finance
    for claim in (first, second, voucher):
        claim.refresh_from_db()
        assert claim.status == Status.PAID
        assert timezone.localdate(claim.paid_at) == paid_on
        assert claim.payment_reference == run.reference
        assert ModelLogEntry.objects.for_instance(claim).filter(action="coproduce.claim.pay")
    assert len(mail.outbox) == 2
    to_first = next(m for m in mail.outbox if m.to == [first.member.email])
    assert to_first.subject == "We have paid 2 of your claims"
    assert first.reference in to_first.body and second.reference in to_first.body
    assert run.reference in to_first.body
    to_voucher = next(m for m in mail.outbox if m.to == [voucher.member.email])
    assert "shopping vouchers" in to_voucher.body


def test_the_payment_date_cannot_be_in_the_future_or_before_the_run(finance, organisation):
    claim = approved_claim(organisation)
    run = build(finance, organisation, [claim]).run
    today = timezone.localdate()
    with pytest.raises(Refused, match="today or in the past"):
        services.payment_run_mark_paid(run=run, user=finance, paid_on=today + timedelta(days=1))
    with pytest.raises(Refused, match="before the run was built"):
        services.payment_run_mark_paid(run=run, user=finance, paid_on=today - timedelta(days=1))
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED


def test_a_run_is_marked_paid_once(finance, organisation, make_person):
    claim = approved_claim(organisation)
    run = build(finance, organisation, [claim]).run
    services.payment_run_mark_paid(run=run, user=finance, paid_on=timezone.localdate())
    with pytest.raises(Refused, match="was marked paid on"):
        services.payment_run_mark_paid(
            run=run, user=make_person("finance"), paid_on=timezone.localdate()
        )
    with pytest.raises(Refused, match="was marked paid on"):
        services.payment_run_cancel(run=run, user=finance)


def test_the_mark_paid_form_refuses_a_bad_date_and_changes_nothing(client, finance, organisation):
    claim = approved_claim(organisation)
    run = build(finance, organisation, [claim]).run
    sign_in(client, finance)
    response = client.post(f"/admin/payment-runs/{run.pk}/mark-paid/", {"paid_on": "next week"})
    assert response.status_code == 400
    assert "date the money was sent" in response.content.decode()
    response = client.post(
        f"/admin/payment-runs/{run.pk}/mark-paid/",
        {"paid_on": timezone.localdate().strftime("%d/%m/%Y")},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.PAID


def test_the_remittance_shows_the_runs_date_and_reference(client, finance, organisation):
    from pypdf import PdfReader

    claim = approved_claim(organisation)
    run = build(finance, organisation, [claim]).run
    services.payment_run_mark_paid(run=run, user=finance, paid_on=timezone.localdate())
    sign_in(client, claim.member)
    response = client.get(f"/claims/{claim.pk}/remittance.pdf")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert run.reference in text
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert run.reference in page


# --- Who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "engagement_lead", "hr", "editor"])
def test_only_finance_and_admins_reach_payment_runs(client, make_person, organisation, role):
    claim = approved_claim(organisation)
    run = build(make_person("finance"), organisation, [claim]).run
    sign_in(client, make_person(role))
    for url in (
        "/admin/payment-runs/",
        "/admin/payment-runs/build/",
        f"/admin/payment-runs/{run.pk}/",
    ):
        assert client.get(url).status_code in (302, 403)
    assert client.get(f"/admin/payment-runs/{run.pk}/bank-file.csv").status_code in (302, 403)
    assert client.post(f"/admin/payment-runs/{run.pk}/cancel/").status_code in (302, 403)
    run.refresh_from_db()
    assert run.status == PaymentRun.Status.OPEN and run.bank_file_downloaded_at is None


def test_finance_of_another_organisation_cannot_see_or_change_a_run(
    client, make_person, organisation, other_organisation
):
    claim = approved_claim(organisation)
    run = build(make_person("finance"), organisation, [claim]).run
    outsider = make_person("finance", organisation=other_organisation)
    sign_in(client, outsider)
    assert client.get(f"/admin/payment-runs/{run.pk}/").status_code == 404
    assert client.get(f"/admin/payment-runs/{run.pk}/bank-file.csv").status_code == 404
    assert client.post(f"/admin/payment-runs/{run.pk}/cancel/").status_code == 404
    with pytest.raises(Refused):
        services.payment_run_mark_paid(run=run, user=outsider, paid_on=timezone.localdate())
    run.refresh_from_db()
    assert run.status == PaymentRun.Status.OPEN


def test_finance_cannot_mark_a_run_holding_their_own_claim_paid(make_person, organisation):
    finance = make_person("finance")
    builder = make_person("finance")
    claim = approved_claim(organisation)
    InvolvementClaim.objects.filter(pk=claim.pk).update(member=finance)
    PayeeDetailsFactory(user=finance)
    run = build(builder, organisation, [claim]).run
    with pytest.raises(Refused, match="your own claim"):
        services.payment_run_mark_paid(run=run, user=finance, paid_on=timezone.localdate())


# --- Waiting too long ---------------------------------------------------------------------


def test_claims_unpaid_past_the_organisations_limit_are_flagged_in_words(
    client, finance, organisation
):
    PaymentPolicy.objects.create(organisation=organisation, unpaid_warning_days=5)
    late = approved_claim(organisation, days_ago=6)
    approved_claim(organisation, days_ago=2)
    assert selectors.claims_to_pay_counts(finance) == (2, 1)
    sign_in(client, finance)
    page = client.get("/admin/payment-runs/build/").content.decode()
    assert "Waiting 6 days: overdue" in page and page.count("overdue</span>") == 1
    listing = client.get("/admin/claims/").content.decode()
    assert "overdue" in listing and late.reference in listing
    my_space = client.get("/my-space/").content.decode()
    assert "1 of them waiting more than" in my_space


def test_without_a_policy_claims_are_flagged_after_14_days(finance, organisation):
    approved_claim(organisation, days_ago=15)
    approved_claim(organisation, days_ago=14)
    assert selectors.claims_to_pay_counts(finance) == (2, 1)


# --- Pages and their cost ------------------------------------------------------------------------


def test_the_run_pages_show_totals_status_and_who_did_what(client, finance, organisation):
    claims = [approved_claim(organisation) for _ in range(2)]
    run = build(finance, organisation, claims).run
    sign_in(client, finance)
    index = client.get("/admin/payment-runs/").content.decode()
    total = sum(c.amount_approved for c in claims)
    assert run.reference in index and "Being prepared" in index and f"£{total:,.2f}" in index
    detail = client.get(f"/admin/payment-runs/{run.pk}/").content.decode()
    assert "Built payment run" in detail and "Download the bank file" in detail
    services.payment_run_mark_paid(run=run, user=finance, paid_on=timezone.localdate())
    detail = client.get(f"/admin/payment-runs/{run.pk}/").content.decode()
    assert "Marked payment run" in detail and "Mark the run paid" not in detail


@pytest.mark.parametrize(
    "url", ["/admin/payment-runs/", "/admin/payment-runs/build/", "detail"], ids=str
)
def test_run_pages_cost_the_same_queries_with_3_or_30_claims(
    client, organisation, make_person, url
):
    finance = make_person("finance")
    sign_in(client, finance)

    def cost(count):
        InvolvementClaim.objects.all().update(payment_run=None)
        PaymentRun.objects.all().delete()
        claims = [approved_claim(organisation, days_ago=count) for _ in range(count)]
        run = build(finance, organisation, claims[: count // 2 or 1]).run
        PaymentRun.objects.create(organisation=organisation, created_by=finance)
        path = f"/admin/payment-runs/{run.pk}/" if url == "detail" else url
        queries_for(client, path)  # the first request of a session warms caches
        return queries_for(client, path)

    assert cost(3) == cost(30)


def test_amounts_in_the_file_have_two_decimals(finance, organisation):
    claim = approved_claim(organisation)
    InvolvementClaim.objects.filter(pk=claim.pk).update(amount_approved=Decimal("45"))
    run = build(finance, organisation, [claim]).run
    payments = services.payment_run_bank_file(run=run, user=finance)
    assert payments[0].as_row()[3] == "45.00"
