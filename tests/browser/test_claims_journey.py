"""A member's claim in real Chromium: from My space to a sent claim, with a mistake on the
way, and later the remittance advice. Every page gets the journey checks (styles, no
console errors, axe: no serious or critical problems, a screenshot)."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cms.roles import Role
from coproduce.factories import InvolvementClaimFactory, MemberFactory, PayeeDetailsFactory
from coproduce.models import InvolvementClaim
from coproduce.services import payment_runs as runs
from tests.coproduce.test_claims import png_bytes
from tests.factories import DEMO_PASSWORD, UserFactory

# The roles' groups come from data migrations, which a transactional test's flush would
# remove: serialized_rollback puts them back before each test.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def heading(page, text: str):
    return page.get_by_role("heading", level=1, name=text, exact=True)


def test_member_checks_adds_an_expense_sends_and_later_downloads_the_remittance(
    live_server, page, check_page, tmp_path
):
    member = MemberFactory(first_name="Robin", email="robin@example.org")
    claim = InvolvementClaimFactory(
        attendance__member=member,
        attendance__meeting__title="Crisis café leaflet",
        hours=Decimal("2.5"),
    )
    receipt = tmp_path / "bus-ticket.png"
    receipt.write_bytes(png_bytes())

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(member.email)
    password = page.get_by_label("Password", exact=True)
    password.fill(DEMO_PASSWORD)
    password.press("Enter")
    expect(heading(page, "My space")).to_be_visible()
    payments = page.locator("section", has=page.get_by_role("heading", name="Your payments"))
    expect(payments).to_contain_text("1 claim is waiting for you to check")
    check_page(page, "my-space")

    payments.get_by_role("link", name=re.compile("Crisis café leaflet")).click()
    expect(heading(page, "Crisis café leaflet")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("2 hours 30 minutes")
    check_page(page, "claim")

    page.get_by_role("button", name="Add an expense").click()
    expect(heading(page, "Add an expense")).to_be_visible()
    check_page(page, "add-expense")
    page.get_by_label("Travel (bus, train, taxi)").check()
    page.get_by_label("What was it for?").fill("Bus there and back")
    page.get_by_label("How much did it cost?").fill("4.805")
    page.locator("input[type=file]").set_input_files(str(receipt))
    page.get_by_role("button", name="Add this expense").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("no more than 2 numbers after the point")
    expect(page.get_by_label("What was it for?")).to_have_value("Bus there and back")
    expect(page.get_by_role("main")).to_contain_text("We have kept the receipt you uploaded")
    check_page(page, "add-expense-error")

    page.get_by_label("How much did it cost?").fill("4.80")
    page.get_by_role("button", name="Add this expense").click()
    expect(page.get_by_role("main")).to_contain_text("Expense added: Bus there and back, £4.80.")
    check_page(page, "claim-with-expense")

    page.get_by_role("button", name="Check and send your claim").click()
    expect(heading(page, "Check and send your claim")).to_be_visible()
    page.get_by_role("button", name="Send claim").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Confirm that this is a true claim."
    )
    check_page(page, "send-error")
    page.get_by_label("I confirm this is a true claim").check()
    page.get_by_role("button", name="Send claim").click()
    expect(page.get_by_role("main")).to_contain_text("Your claim has been sent.")
    check_page(page, "sent")

    claim = InvolvementClaim.objects.get(pk=claim.pk)
    assert claim.status == InvolvementClaim.Status.SUBMITTED
    assert claim.total == Decimal("42.30")  # 2.5 h × £15.00 + £4.80

    InvolvementClaim.objects.filter(pk=claim.pk).update(
        status=InvolvementClaim.Status.APPROVED, amount_approved=claim.total
    )
    finance = UserFactory(roles=[Role.FINANCE], organisation=claim.panel.organisation)
    PayeeDetailsFactory(user=member)
    run = runs.payment_run_build(
        user=finance, organisation=claim.panel.organisation, claim_ids=[claim.pk]
    ).run
    runs.payment_run_mark_paid(run=run, user=finance, paid_on=timezone.localdate())

    page.goto(live_server.url + "/claims/")
    expect(heading(page, "Your claims")).to_be_visible()
    check_page(page, "claims-list")
    page.get_by_role("link", name="Crisis café leaflet").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your remittance advice (PDF)").click()
    assert download.value.suggested_filename == f"remittance-{claim.reference}.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF")
