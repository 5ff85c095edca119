"""Involvement claims from draft to paid: each step's rule, its refusal and its trail.

The services are tested directly; tests/coproduce/test_claims_views.py and test_finance.py
drive the same steps through the pages.
"""

import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from wagtail.models import ModelLogEntry

from cms.factories import TINY_PDF
from coproduce import audit_actions
from coproduce.choices import PaymentChoice
from coproduce.factories import (
    AttendanceFactory,
    ExpenseFactory,
    InvolvementClaimFactory,
    InvolvementProfileFactory,
    MeetingFactory,
    PanelFactory,
    PayeeDetailsFactory,
)
from coproduce.models import Expense, InvolvementClaim
from coproduce.selectors import payment_runs as run_selectors
from coproduce.services import Refused
from coproduce.services import claims as services
from coproduce.services import payment_runs as runs
from coproduce.storage import receipt_storage

pytestmark = pytest.mark.django_db

Status = InvolvementClaim.Status


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="JPEG")
    return buffer.getvalue()


def pdf_receipt(name="ticket.pdf"):
    return SimpleUploadedFile(name, TINY_PDF, content_type="application/pdf")


def claim_in(organisation, member=None, **kwargs):
    """A claim on a panel run by ``organisation``."""
    extra = {"attendance__member": member} if member else {}
    return InvolvementClaimFactory(
        attendance__meeting__panel__organisation=organisation, **extra, **kwargs
    )


def page_text(response) -> str:
    """The words on a page as a person reads them, spaces tidied."""
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def actions_logged(claim) -> list[str]:
    return list(
        ModelLogEntry.objects.for_instance(claim).order_by("pk").values_list("action", flat=True)
    )


# --- Amounts ---------------------------------------------------------------------------------


def test_the_fee_and_total_are_exact_in_pounds_and_pence():
    claim = InvolvementClaimFactory(hours=Decimal("2.5"), hourly_rate=Decimal("15.50"))
    ExpenseFactory(claim=claim, amount=Decimal("4.80"))
    claim = InvolvementClaim.objects.get(pk=claim.pk)
    assert claim.fee == Decimal("38.75")
    assert claim.expenses_total == Decimal("4.80")
    assert claim.total == Decimal("43.55")


def test_a_member_who_chose_not_to_be_paid_claims_only_expenses():
    claim = InvolvementClaimFactory(payment_choice=PaymentChoice.NOT_PAID)
    ExpenseFactory(claim=claim, amount=Decimal("3.10"))
    assert claim.fee == Decimal("0.00")
    assert claim.total == Decimal("3.10")


def test_a_claim_starts_from_attendance_once_with_the_rate_and_payment_choice_copied(
    make_person,
):
    lead = make_person("engagement_lead")
    panel = PanelFactory(hourly_rate=Decimal("18.25"))
    attendance = AttendanceFactory(meeting=MeetingFactory(panel=panel, past=True), hours=None)
    InvolvementProfileFactory(user=attendance.member, payment_choice=PaymentChoice.VOUCHER)
    claim = services.claim_create_for_attendance(attendance=attendance, user=lead)
    again = services.claim_create_for_attendance(attendance=attendance, user=lead)
    assert again.pk == claim.pk
    assert claim.hours == Decimal("2.00")  # the meeting's length
    assert claim.hourly_rate == Decimal("18.25")
    assert claim.payment_choice == PaymentChoice.VOUCHER
    assert claim.status == Status.DRAFT
    assert actions_logged(claim) == [audit_actions.CLAIM_CREATE]


# --- Expenses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [("ticket.pdf", TINY_PDF), ("photo.jpg", None), ("scan.png", None)],
)
def test_a_member_adds_an_expense_with_a_pdf_jpeg_or_png_receipt(name, content):
    content = content or (jpeg_bytes() if name.endswith("jpg") else png_bytes())
    claim = InvolvementClaimFactory()
    expense = services.claim_add_expense(
        claim=claim,
        user=claim.member,
        kind=Expense.Kind.TRAVEL,
        description="Bus <b>there</b> and back",
        amount="4.80",
        receipt=SimpleUploadedFile(name, content),
    )
    assert expense.amount == Decimal("4.80")
    assert expense.description == "Bus <b>there</b> and back"  # stored exactly as typed
    assert receipt_storage().exists(expense.receipt.name)
    assert expense.receipt.name.startswith("receipts/")
    assert name not in expense.receipt.name  # the person's file name is not kept
    entry = ModelLogEntry.objects.for_instance(claim).get(action=audit_actions.CLAIM_EXPENSE_ADD)
    assert entry.user_id == claim.member_id
    assert entry.data["amount"] == "4.80"


def test_an_expense_without_a_receipt_is_refused_and_nothing_is_saved():
    claim = InvolvementClaimFactory()
    with pytest.raises(Refused, match="Upload a photo or scan of the receipt"):
        services.claim_add_expense(
            claim=claim,
            user=claim.member,
            kind=Expense.Kind.TRAVEL,
            description="Bus",
            amount="4.80",
            receipt=None,
        )
    assert not Expense.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-4.80", "more than £0"),
        ("0", "more than £0"),
        ("4.805", "no more than 2 numbers after the point"),
        ("four pounds", "pounds and pence"),
        ("NaN", "pounds and pence"),
        ("100000", "£99,999.99 or less"),
    ],
)
def test_a_negative_zero_or_over_precise_amount_is_refused(amount, message):
    claim = InvolvementClaimFactory()
    with pytest.raises(Refused, match=message):
        services.claim_add_expense(
            claim=claim,
            user=claim.member,
            kind=Expense.Kind.TRAVEL,
            description="Bus",
            amount=amount,
            receipt=pdf_receipt(),
        )
    assert not Expense.objects.exists()


def test_amounts_typed_with_a_pound_sign_or_trailing_zero_are_understood():
    assert services.expense_amount("£1,204.50") == Decimal("1204.50")
    assert services.expense_amount("4.800") == Decimal("4.80")
    assert services.expense_amount(" 12 ") == Decimal("12.00")


def test_a_program_renamed_to_pdf_is_refused_by_its_content():
    claim = InvolvementClaimFactory()
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    with pytest.raises(Refused, match="must be a PDF, JPEG or PNG"):
        services.claim_add_expense(
            claim=claim,
            user=claim.member,
            kind=Expense.Kind.TRAVEL,
            description="Bus",
            amount="4.80",
            receipt=SimpleUploadedFile("receipt.pdf", program, content_type="application/pdf"),
        )
    assert not Expense.objects.exists()


def test_a_broken_picture_with_a_jpeg_header_is_refused():
    broken = jpeg_bytes()[:40]
    with pytest.raises(Refused, match="could not be opened"):
        services.receipt_extension(SimpleUploadedFile("photo.jpg", broken))


def test_a_receipt_over_5_mb_is_refused():
    big = TINY_PDF + b"0" * (5 * 1024 * 1024)
    with pytest.raises(Refused, match="smaller than 5 MB"):
        services.receipt_extension(SimpleUploadedFile("big.pdf", big))


def test_the_same_expense_sent_twice_is_saved_once():
    claim = InvolvementClaimFactory()
    fields = {"kind": Expense.Kind.TRAVEL, "description": "Bus there and back", "amount": "4.80"}
    services.claim_add_expense(claim=claim, user=claim.member, receipt=pdf_receipt(), **fields)
    with pytest.raises(Refused, match="already added this expense"):
        services.claim_add_expense(claim=claim, user=claim.member, receipt=pdf_receipt(), **fields)
    assert claim.expenses.count() == 1


def test_someone_else_cannot_add_an_expense_to_a_members_claim(make_person):
    claim = InvolvementClaimFactory()
    with pytest.raises(Refused, match="only change your own claims"):
        services.claim_add_expense(
            claim=claim,
            user=make_person("member"),
            kind=Expense.Kind.TRAVEL,
            description="Bus",
            amount="4.80",
            receipt=pdf_receipt(),
        )


def test_a_sent_claim_cannot_have_expenses_added():
    claim = InvolvementClaimFactory(submitted=True)
    with pytest.raises(Refused, match="already sent this claim"):
        services.claim_add_expense(
            claim=claim,
            user=claim.member,
            kind=Expense.Kind.TRAVEL,
            description="Bus",
            amount="4.80",
            receipt=pdf_receipt(),
        )


def test_removing_an_expense_deletes_its_receipt_and_a_second_removal_is_harmless(
    django_capture_on_commit_callbacks,
):
    claim = InvolvementClaimFactory()
    expense = ExpenseFactory(claim=claim)
    name = expense.receipt.name
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_remove_expense(claim=claim, expense_id=expense.pk, user=claim.member)
    services.claim_remove_expense(claim=claim, expense_id=expense.pk, user=claim.member)
    assert not Expense.objects.exists()
    assert not receipt_storage().exists(name)
    assert actions_logged(claim).count(audit_actions.CLAIM_EXPENSE_REMOVE) == 1


# --- Sending ---------------------------------------------------------------------------------


def test_a_member_sends_a_draft_claim_with_the_declaration():
    claim = InvolvementClaimFactory()
    claim = services.claim_submit(claim=claim, user=claim.member, declaration=True)
    assert claim.status == Status.SUBMITTED
    assert claim.submitted_at is not None
    assert actions_logged(claim)[-1] == audit_actions.CLAIM_SUBMIT


def test_a_returned_claim_can_be_sent_again():
    claim = InvolvementClaimFactory(returned=True)
    claim = services.claim_submit(claim=claim, user=claim.member, declaration=True)
    assert claim.status == Status.SUBMITTED


def test_a_claim_is_not_sent_without_the_declaration():
    claim = InvolvementClaimFactory()
    with pytest.raises(Refused, match="Confirm that this is a true claim"):
        services.claim_submit(claim=claim, user=claim.member, declaration=False)
    claim.refresh_from_db()
    assert claim.status == Status.DRAFT


def test_sending_twice_is_refused_kindly_and_logged_once():
    claim = InvolvementClaimFactory()
    services.claim_submit(claim=claim, user=claim.member, declaration=True)
    with pytest.raises(Refused, match="already sent this claim"):
        services.claim_submit(claim=claim, user=claim.member, declaration=True)
    assert actions_logged(claim).count(audit_actions.CLAIM_SUBMIT) == 1


def test_a_claim_with_nothing_to_pay_is_not_sent():
    claim = InvolvementClaimFactory(payment_choice=PaymentChoice.NOT_PAID)
    with pytest.raises(Refused, match="nothing to pay"):
        services.claim_submit(claim=claim, user=claim.member, declaration=True)


def test_only_the_member_sends_their_claim(make_person):
    claim = InvolvementClaimFactory()
    with pytest.raises(Refused):
        services.claim_submit(claim=claim, user=make_person("member"), declaration=True)


# --- Approving and returning -----------------------------------------------------------------


def test_a_lead_approves_a_sent_claim_fixing_the_amount_and_the_member_is_emailed(
    make_person, organisation
):
    lead = make_person("engagement_lead")
    claim = claim_in(organisation, submitted=True, hours=Decimal("2.5"))
    InvolvementClaim.objects.filter(pk=claim.pk).update(hourly_rate=Decimal("15.50"))
    ExpenseFactory(claim=claim, amount=Decimal("4.80"))
    InvolvementProfileFactory(user=claim.member, display_name="Sam")
    claim = services.claim_approve(claim=claim, user=lead)
    assert claim.status == Status.APPROVED
    assert claim.amount_approved == Decimal("43.55")
    assert claim.approved_by == lead
    entry = ModelLogEntry.objects.for_instance(claim).get(action=audit_actions.CLAIM_APPROVE)
    assert entry.data == {"amount_approved": "43.55"}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [claim.member.email]
    assert "approved" in message.subject
    assert "Hello Sam" in message.body
    assert "£43.55" in message.body
    assert f"http://testserver/claims/{claim.pk}/" in message.body


def test_a_member_cannot_approve_a_claim(make_person, organisation):
    claim = claim_in(organisation, submitted=True)
    with pytest.raises(Refused, match="Only a lead of this panel"):
        services.claim_approve(claim=claim, user=make_person("member"))
    with pytest.raises(Refused, match="your own claim"):
        services.claim_approve(claim=claim, user=claim.member)
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


def test_a_lead_cannot_approve_their_own_claim(make_person, organisation):
    lead = make_person("engagement_lead")
    claim = claim_in(organisation, member=lead, submitted=True)
    with pytest.raises(Refused, match="cannot approve or return your own claim"):
        services.claim_approve(claim=claim, user=lead)
    assert mail.outbox == []


def test_a_lead_of_another_organisation_cannot_approve(make_person, other_organisation):
    lead = make_person("engagement_lead")
    claim = claim_in(other_organisation, submitted=True)
    with pytest.raises(Refused, match="Only a lead of this panel"):
        services.claim_approve(claim=claim, user=lead)


def test_a_facilitator_from_another_organisation_may_approve(make_person, other_organisation):
    lead = make_person("engagement_lead")
    claim = claim_in(other_organisation, submitted=True)
    claim.panel.facilitators.add(lead)
    assert services.claim_approve(claim=claim, user=lead).status == Status.APPROVED


def test_a_draft_cannot_be_approved(make_person, organisation):
    claim = claim_in(organisation)
    with pytest.raises(Refused, match="has not sent this claim yet"):
        services.claim_approve(claim=claim, user=make_person("engagement_lead"))


def test_approving_twice_says_when_it_was_approved(make_person, organisation):
    lead = make_person("engagement_lead")
    claim = claim_in(organisation, submitted=True)
    services.claim_approve(claim=claim, user=lead)
    with pytest.raises(Refused, match="already approved on"):
        services.claim_approve(claim=claim, user=lead)
    assert len(mail.outbox) == 1


def test_a_lead_returns_a_claim_with_a_reason_and_the_member_is_emailed_it(
    make_person, organisation
):
    lead = make_person("engagement_lead")
    claim = claim_in(organisation, submitted=True)
    claim = services.claim_return(
        claim=claim, user=lead, reason="Please add the <i>bus</i> ticket's photo."
    )
    assert claim.status == Status.RETURNED
    # Kept exactly as typed; the email is plain text, so it reads as written.
    assert claim.return_reason == "Please add the <i>bus</i> ticket's photo."
    entry = ModelLogEntry.objects.for_instance(claim).get(action=audit_actions.CLAIM_RETURN)
    assert entry.data["reason"] == "Please add the <i>bus</i> ticket's photo."
    assert "Please add the <i>bus</i> ticket's photo." in mail.outbox[0].body
    assert "needs a change" in mail.outbox[0].subject


def test_a_claim_is_not_returned_without_a_reason(make_person, organisation):
    claim = claim_in(organisation, submitted=True)
    with pytest.raises(Refused, match="Enter the reason"):
        services.claim_return(claim=claim, user=make_person("engagement_lead"), reason="  ")
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED
    assert mail.outbox == []


# --- Paying ----------------------------------------------------------------------------------


def payable_in(organisation, **kwargs):
    """An approved claim of ``organisation`` whose member has given bank details."""
    claim = claim_in(organisation, approved=True, **kwargs)
    PayeeDetailsFactory(user=claim.member)
    return claim


def pay_in_a_run(claims, *, user, organisation):
    """Build a run of ``claims`` and mark it paid today: finance's one way to pay."""
    run = runs.payment_run_build(
        user=user, organisation=organisation, claim_ids=[c.pk for c in claims]
    ).run
    return runs.payment_run_mark_paid(run=run, user=user, paid_on=timezone.localdate())


def test_finance_pay_an_approved_claim_in_a_run_and_the_member_is_emailed(
    make_person, organisation
):
    finance = make_person("finance")
    claim = payable_in(organisation)
    run = pay_in_a_run([claim], user=finance, organisation=organisation)
    claim.refresh_from_db()
    assert claim.status == Status.PAID
    assert claim.paid_by == finance
    assert claim.payment_reference == run.reference
    assert timezone.localdate(claim.paid_at) == timezone.localdate()
    entry = ModelLogEntry.objects.for_instance(claim).get(action=audit_actions.CLAIM_PAY)
    assert entry.data["payment_reference"] == run.reference
    assert "has been paid" in mail.outbox[-1].subject
    assert run.reference in mail.outbox[-1].body


def test_a_claim_is_never_paid_twice(make_person, organisation):
    finance = make_person("finance")
    claim = payable_in(organisation)
    run = pay_in_a_run([claim], user=finance, organisation=organisation)
    sent = len(mail.outbox)
    with pytest.raises(Refused, match="already marked paid on"):
        runs.payment_run_build(user=finance, organisation=organisation, claim_ids=[claim.pk])
    with pytest.raises(Refused, match="was marked paid on"):
        runs.payment_run_mark_paid(run=run, user=finance, paid_on=timezone.localdate())
    claim.refresh_from_db()
    assert claim.payment_reference == run.reference
    assert actions_logged(claim).count(audit_actions.CLAIM_PAY) == 1
    assert len(mail.outbox) == sent


def test_two_finance_staff_marking_a_run_paid_at_the_same_moment_pay_once(
    make_person, organisation, monkeypatch
):
    """The second person's checks pass on what they read, then the first person's marking
    lands just before their update: the conditional update changes nothing and they are
    told when it was paid.

    In the test both share the test's transaction, so the refusal rolls the first one back
    too; in real life it was committed on its own connection. What matters is what the
    second person did: no second update, no second email.
    """
    first, second = make_person("finance"), make_person("finance")
    claim = payable_in(organisation)
    run = runs.payment_run_build(user=first, organisation=organisation, claim_ids=[claim.pk]).run
    mail.outbox.clear()
    real_require = runs.require
    raced = []

    def require_while_the_other_pays(user, name, obj=None):
        real_require(user, name, obj)
        if user == second and not raced:
            raced.append(True)
            runs.payment_run_mark_paid(run=run, user=first, paid_on=timezone.localdate())

    monkeypatch.setattr(runs, "require", require_while_the_other_pays)
    with pytest.raises(Refused, match="was marked paid on"):
        runs.payment_run_mark_paid(run=run, user=second, paid_on=timezone.localdate())
    assert raced
    assert len(mail.outbox) == 1
    assert not InvolvementClaim.objects.filter(paid_by=second).exists()


def test_two_runs_built_at_the_same_moment_take_each_claim_once(
    make_person, organisation, monkeypatch
):
    """Both builders read the claims as free; the first run takes one of them just before
    the second's conditional update, which then takes only the other, and says so."""
    first, second = make_person("finance"), make_person("finance")
    raced_claim, free_claim = payable_in(organisation), payable_in(organisation)
    real_claims_for_a_run = runs.claims_for_a_run
    raced = []

    def read_while_the_other_builds(user, organisation):
        found = list(real_claims_for_a_run(user, organisation))
        if user == second and not raced:
            raced.append(True)
            runs.payment_run_build(
                user=first, organisation=organisation, claim_ids=[raced_claim.pk]
            )
        return found

    monkeypatch.setattr(runs, "claims_for_a_run", read_while_the_other_builds)
    result = runs.payment_run_build(
        user=second, organisation=organisation, claim_ids=[raced_claim.pk, free_claim.pk]
    )
    assert raced
    assert list(result.run.claims.all()) == [free_claim]
    assert result.left_out == [
        (raced_claim.reference, "Someone else put it in another run, or paid it, just now.")
    ]
    raced_claim.refresh_from_db()
    assert raced_claim.payment_run.created_by == first


def test_a_lead_cannot_pay_claims(make_person, organisation):
    lead = make_person("engagement_lead")
    claim = payable_in(organisation)
    with pytest.raises(Refused):
        runs.payment_run_build(user=lead, organisation=organisation, claim_ids=[claim.pk])
    run = runs.payment_run_build(
        user=make_person("finance"), organisation=organisation, claim_ids=[claim.pk]
    ).run
    with pytest.raises(Refused):
        runs.payment_run_mark_paid(run=run, user=lead, paid_on=timezone.localdate())
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED


def test_finance_cannot_pay_a_claim_that_is_not_approved(make_person, organisation):
    claim = claim_in(organisation, submitted=True)
    PayeeDetailsFactory(user=claim.member)
    with pytest.raises(Refused):
        runs.payment_run_build(
            user=make_person("finance"), organisation=organisation, claim_ids=[claim.pk]
        )
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED and claim.payment_run is None


def test_finance_of_another_organisation_cannot_pay(make_person, organisation, other_organisation):
    claim = payable_in(other_organisation)
    finance = make_person("finance")
    for chosen_for in (organisation, other_organisation):
        with pytest.raises(Refused):
            runs.payment_run_build(user=finance, organisation=chosen_for, claim_ids=[claim.pk])
    claim.refresh_from_db()
    assert claim.payment_run is None


def test_nobody_pays_their_own_claim(make_person, organisation):
    finance = make_person("finance")
    claim = payable_in(organisation, member=finance)
    with pytest.raises(Refused, match="None of the chosen claims"):
        runs.payment_run_build(user=finance, organisation=organisation, claim_ids=[claim.pk])
    assert claim not in run_selectors.claims_for_a_run(finance, organisation)


def test_finance_pay_many_claims_at_once_and_hear_which_were_already_paid(
    make_person, organisation, other_organisation
):
    finance = make_person("finance")
    fresh = [payable_in(organisation) for _ in range(3)]
    already = claim_in(organisation, paid=True)
    elsewhere = payable_in(other_organisation)
    result = runs.payment_run_build(
        user=finance,
        organisation=organisation,
        claim_ids=[c.pk for c in [*fresh, already, elsewhere]],
    )
    assert set(result.run.claims.all()) == set(fresh)
    assert result.left_out == [(already.reference, result.left_out[0][1])]
    assert "already marked paid" in result.left_out[0][1]
    run = runs.payment_run_mark_paid(run=result.run, user=finance, paid_on=timezone.localdate())
    elsewhere.refresh_from_db()
    assert elsewhere.status == Status.APPROVED  # not theirs: untouched, not even named
    assert set(
        InvolvementClaim.objects.filter(pk__in=[c.pk for c in fresh]).values_list(
            "payment_reference", flat=True
        )
    ) == {run.reference}
    assert len(mail.outbox) == 3


def test_the_receipt_kept_between_tries_is_only_found_by_its_own_name():
    name = services.receipt_hold(receipt=ContentFile(TINY_PDF, name="x.pdf"))
    assert name.startswith(services.HELD_RECEIPTS)
    held = services.receipt_held(name)
    assert held.read() == TINY_PDF
    held.close()
    assert services.receipt_held("receipts/2026/01/someone-else.pdf") is None
    assert services.receipt_held(services.HELD_RECEIPTS + "../secret.pdf") is None
    services.receipt_release(name)
    assert services.receipt_held(name) is None
