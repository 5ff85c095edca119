"""Payee details: a member's bank details, kept encrypted, shown masked, read in full only
by finance of an organisation the member has claims with, every read audited."""

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from wagtail.models import ModelLogEntry

from cms import audit
from cms.roles import Role
from coproduce.choices import PaymentChoice
from coproduce.factories import (
    InvolvementClaimFactory,
    InvolvementProfileFactory,
    MemberFactory,
    PanelFactory,
    PayeeDetailsFactory,
)
from coproduce.models import PayeeDetails
from coproduce.services import payees as services
from coproduce.services.payees import BankDetails, bank_details_for, payee_summary
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db


def doubting_checker(sort_code, account_number):
    """A modulus check that doubts every account but one, for the confirm flow."""
    return account_number == "31926819"


def unknowing_checker(sort_code, account_number):
    return None


@pytest.fixture
def member(db):
    person = MemberFactory(first_name="Ada", last_name="Lovelace")
    InvolvementProfileFactory(user=person, payment_choice=PaymentChoice.PAID)
    return person


def _claim_at(member, organisation):
    return InvolvementClaimFactory(
        attendance__member=member,
        attendance__meeting__panel=PanelFactory(organisation=organisation),
        approved=True,
    )


@pytest.fixture
def finance(organisation):
    return UserFactory(roles=[Role.FINANCE], organisation=organisation, mfa=True)


RAW_COLUMNS = {
    "account_name": "SELECT account_name FROM coproduce_payeedetails WHERE id = %s",
    "sort_code": "SELECT sort_code FROM coproduce_payeedetails WHERE id = %s",
    "account_number": "SELECT account_number FROM coproduce_payeedetails WHERE id = %s",
}


def _raw(pk, column):
    """The column as stored in the database, not as the model reads it."""
    with connection.cursor() as cursor:
        cursor.execute(RAW_COLUMNS[column], [pk])
        return cursor.fetchone()[0]


# --- Reading what people type --------------------------------------------------------------


@pytest.mark.parametrize("typed", ["12-34-56", "12 34 56", "123456", " 12–34–56 ", "12.34.56"])
def test_sort_codes_as_people_type_them_are_read(typed):
    assert services.normalise_sort_code(typed) == "123456"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a sort code."),
        ("12-34-5", "A sort code must be 6 numbers"),
        ("1234567", "A sort code must be 6 numbers"),
        ("12-AB-56", "numbers only"),
        ("１２３４５６", "numbers only"),
    ],
)
def test_bad_sort_codes_are_refused_with_a_clear_message(typed, message):
    with pytest.raises(services.Refused) as refused:
        services.normalise_sort_code(typed)
    assert message in refused.value.message
    assert refused.value.field == "sort_code"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("31926819", "31926819"),
        ("3192 6819", "31926819"),
        ("1926819", "01926819"),
        ("926819", "00926819"),
    ],
)
def test_account_numbers_of_6_to_8_digits_are_padded_as_banks_do(typed, kept):
    assert services.normalise_account_number(typed) == kept


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter an account number."),
        ("12345", "between 6 and 8 numbers"),
        ("123456789", "ask your bank"),
        ("1234567a", "numbers only"),
    ],
)
def test_bad_account_numbers_are_refused(typed, message):
    with pytest.raises(services.Refused) as refused:
        services.normalise_account_number(typed)
    assert message in refused.value.message


# --- The member enters their own -------------------------------------------------------------


def test_member_enters_details_kept_encrypted_and_told_masked(client, member):
    sign_in(client, member)
    mail.outbox.clear()
    response = client.post(
        reverse("coproduce:payee_details"),
        {"account_name": "Ada Lovelace", "sort_code": "30-99-50", "account_number": "3192 6819"},
    )
    assert response.status_code == 302
    details = PayeeDetails.objects.get(user=member)
    for column, clear in (
        ("account_name", "Ada Lovelace"),
        ("sort_code", "309950"),
        ("account_number", "31926819"),
    ):
        stored = _raw(details.pk, column)
        assert stored.startswith("enc1:") and clear not in stored
    assert details.sort_code_last_digits == "50"
    assert details.account_number_last_digits == "6819"
    assert details.modulus_check == PayeeDetails.ModulusCheck.NOT_CHECKED
    assert not details.entered_by_finance
    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject == "Your bank details were added"
    assert "••-••-50" in message.body and "6819" in message.body
    assert "31926819" not in message.body and "309950" not in message.body

    page = client.get(reverse("coproduce:payment")).content.decode()
    assert "Sort code ••-••-50, account ending 6819" in page
    assert "31926819" not in page and "Ada Lovelace" not in page


def test_the_same_details_sent_twice_tell_the_member_once(client, member):
    sign_in(client, member)
    mail.outbox.clear()
    data = {"account_name": "Ada Lovelace", "sort_code": "309950", "account_number": "31926819"}
    client.post(reverse("coproduce:payee_details"), data)
    client.post(reverse("coproduce:payee_details"), data)
    assert len(mail.outbox) == 1
    assert PayeeDetails.objects.filter(user=member).count() == 1


def test_changed_details_tell_the_member(client, member):
    PayeeDetailsFactory(user=member)
    sign_in(client, member)
    mail.outbox.clear()
    client.post(
        reverse("coproduce:payee_details"),
        {"account_name": "Ada Lovelace", "sort_code": "309950", "account_number": "31926819"},
    )
    [message] = mail.outbox
    assert message.subject == "Your bank details were changed"


def test_bad_input_changes_nothing_and_says_what_to_fix(client, member):
    sign_in(client, member)
    response = client.post(
        reverse("coproduce:payee_details"),
        {"account_name": "", "sort_code": "12-34", "account_number": "12"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the name on the account." in page
    assert "A sort code must be 6 numbers" in page
    assert "between 6 and 8 numbers" in page
    assert 'value="12-34"' in page  # what they typed is kept
    assert not PayeeDetails.objects.exists()


def test_a_doubted_account_asks_the_member_to_check_and_confirm(client, member, settings):
    settings.PAYEE_MODULUS_CHECKER = "tests.coproduce.test_payees.doubting_checker"
    sign_in(client, member)
    data = {"account_name": "Ada Lovelace", "sort_code": "309950", "account_number": "12345678"}
    response = client.post(reverse("coproduce:payee_details"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "do not look like a UK bank account" in page
    assert "I have checked these numbers are right" in page
    assert not PayeeDetails.objects.exists()

    response = client.post(
        reverse("coproduce:payee_details"), {**data, "asked_to_confirm": "1", "confirmed": "on"}
    )
    assert response.status_code == 302
    assert PayeeDetails.objects.get(user=member).modulus_check == "confirmed"


def test_a_passed_or_unknown_check_is_recorded(member, settings):
    settings.PAYEE_MODULUS_CHECKER = "tests.coproduce.test_payees.doubting_checker"
    details = services.payee_details_save(
        member=member, by=member, account_name="A", sort_code="309950", account_number="31926819"
    )
    assert details.modulus_check == PayeeDetails.ModulusCheck.PASSED
    settings.PAYEE_MODULUS_CHECKER = "tests.coproduce.test_payees.unknowing_checker"
    details = services.payee_details_save(
        member=member, by=member, account_name="A", sort_code="309951", account_number="31926819"
    )
    assert details.modulus_check == PayeeDetails.ModulusCheck.NOT_CHECKED


# --- The choice of payment --------------------------------------------------------------------


def test_choosing_bank_transfer_without_details_says_what_is_missing(client, member):
    member.involvement_profile.payment_choice = PaymentChoice.VOUCHER
    member.involvement_profile.save()
    sign_in(client, member)
    response = client.post(reverse("coproduce:payment"), {"payment_choice": "paid"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("coproduce:payee_details")
    assert "we do not have your bank details yet" in response.content.decode()


@pytest.mark.parametrize("choice", [PaymentChoice.VOUCHER, PaymentChoice.NOT_PAID])
def test_vouchers_or_no_payment_need_no_bank_details(client, member, choice):
    sign_in(client, member)
    response = client.post(reverse("coproduce:payment"), {"payment_choice": choice}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("coproduce:payment")
    member.involvement_profile.refresh_from_db()
    assert member.involvement_profile.payment_choice == choice
    assert "Your choice of payment is saved." in response.content.decode()


def test_the_payment_page_speaks_about_benefits_plainly(client, member):
    sign_in(client, member)
    page = client.get(reverse("coproduce:payment")).content.decode()
    assert "may affect them" in page
    assert "You do not have to be paid" in page
    assert "Citizens Advice" in page


def test_a_bad_choice_is_refused(client, member):
    sign_in(client, member)
    response = client.post(reverse("coproduce:payment"), {"payment_choice": "cash"})
    assert response.status_code == 400


def test_the_profile_form_no_longer_asks_the_choice_and_links_here(client, member):
    sign_in(client, member)
    assert (
        "payment_choice" not in client.get(reverse("coproduce:involvement_edit")).content.decode()
    )
    assert (
        reverse("coproduce:payment")
        in client.get(reverse("coproduce:involvement")).content.decode()
    )


@pytest.mark.parametrize("role", ["peer_worker", "engagement_lead", "finance", "hr", "editor"])
def test_people_without_the_member_role_are_told_why(client_as, role):
    client = client_as(role)
    assert client.get(reverse("coproduce:payee_details")).status_code == 403
    assert client.get(reverse("coproduce:payment")).status_code == 403


# --- Finance ---------------------------------------------------------------------------------


def test_finance_enters_details_from_a_form_and_the_member_is_told(
    client, member, finance, organisation
):
    _claim_at(member, organisation)
    sign_in(client, finance)
    mail.outbox.clear()
    response = client.post(
        reverse("payees_member", args=[member.pk]),
        {
            "action": "enter",
            "account_name": "Ada Lovelace",
            "sort_code": "30 99 50",
            "account_number": "926819",
        },
    )
    assert response.status_code == 302
    details = PayeeDetails.objects.get(user=member)
    assert details.entered_by_finance and details.entered_by == finance
    assert details.account_number_last_digits == "6819"
    [message] = mail.outbox
    assert message.to == [member.email]
    assert "finance team" in message.body and "00926819" not in message.body


def test_staff_see_the_details_masked(client, member, finance, organisation):
    claim = _claim_at(member, organisation)
    PayeeDetailsFactory(user=member, digits_sort="309950", digits_account="31926819")
    lead = UserFactory(roles=[Role.ENGAGEMENT_LEAD], organisation=organisation, mfa=True)
    sign_in(client, lead)
    page = client.get(reverse("claims:inspect", args=[claim.pk])).content.decode()
    assert "Sort code ••-••-50, account ending 6819" in page
    assert "31926819" not in page
    sign_in(client, finance)
    page = client.get(reverse("payees_member", args=[member.pk])).content.decode()
    assert "sort code ••-••-50, account ending 6819" in page
    assert "31926819" not in page
    assert payee_summary(member) == "sort code ••-••-50, account ending 6819"


def test_finance_reveals_with_a_reason_audited_and_shown_to_the_member(
    client, member, finance, organisation
):
    _claim_at(member, organisation)
    PayeeDetailsFactory(user=member, digits_sort="309950", digits_account="31926819")
    sign_in(client, finance)
    url = reverse("payees_member", args=[member.pk])
    refused = client.post(url, {"action": "reveal", "reason": ""})
    assert refused.status_code == 400 and "31926819" not in refused.content.decode()
    assert not ModelLogEntry.objects.filter(action=audit.VIEW).exists()

    page = client.post(url, {"action": "reveal", "reason": "Bank returned the payment"})
    assert "31926819" in page.content.decode() and "30-99-50" in page.content.decode()
    entry = ModelLogEntry.objects.get(action=audit.VIEW)
    assert entry.user == finance and entry.data["about"] == member.pk
    assert entry.data["reason"] == "Bank returned the payment"

    sign_in(client, member)
    looked = client.get(reverse("who_looked")).content.decode()
    assert "Looked at your bank details" in looked and "Bank returned the payment" in looked


def test_other_roles_cannot_reach_a_members_bank_details(
    client, member, organisation, other_organisation
):
    _claim_at(member, organisation)
    PayeeDetailsFactory(user=member)
    url = reverse("payees_member", args=[member.pk])
    others_finance = UserFactory(roles=[Role.FINANCE], organisation=other_organisation, mfa=True)
    sign_in(client, others_finance)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "reveal", "reason": "x"}).status_code == 404
    for role in (Role.ENGAGEMENT_LEAD, Role.HR, Role.EDITOR):
        person = UserFactory(roles=[role], organisation=organisation, mfa=True)
        sign_in(client, person)
        assert client.post(url, {"action": "reveal", "reason": "x"}).status_code == 302
    another_member = MemberFactory()
    sign_in(client, another_member)
    assert client.post(url, {"action": "reveal", "reason": "x"}).status_code == 403
    assert not ModelLogEntry.objects.filter(action=audit.VIEW).exists()


def test_the_finance_list_costs_the_same_with_3_members_or_30(client, finance, organisation):
    sign_in(client, finance)

    def add(count):
        for _ in range(count):
            person = MemberFactory()
            _claim_at(person, organisation)
            PayeeDetailsFactory(user=person)
            InvolvementProfileFactory(user=person)

    add(3)
    client.get(reverse("payees_index"))  # the admin's first page caches its menus
    few = queries_for(client, reverse("payees_index"))
    add(27)
    assert queries_for(client, reverse("payees_index")) == few


# --- bank_details_for, for the payment run ----------------------------------------------------


def test_bank_details_for_gives_finance_the_details_and_audits_each(member, finance, organisation):
    _claim_at(member, organisation)
    PayeeDetailsFactory(user=member, name="Ada Lovelace", digits_account="31926819")
    no_details = MemberFactory()
    _claim_at(no_details, organisation)
    found = bank_details_for([member, no_details], user=finance, reason="Payment run PR-000001")
    assert found == {
        member.pk: BankDetails(
            account_name="Ada Lovelace", sort_code="123456", account_number="31926819"
        )
    }
    [entry] = ModelLogEntry.objects.filter(action=audit.VIEW)
    assert entry.data == {"reason": "Payment run PR-000001", "about": member.pk}


def test_bank_details_for_refuses_everyone_else(member, organisation, other_organisation):
    _claim_at(member, organisation)
    PayeeDetailsFactory(user=member)
    refused = [
        UserFactory(roles=[Role.FINANCE], organisation=other_organisation, mfa=True),
        UserFactory(roles=[Role.ENGAGEMENT_LEAD], organisation=organisation, mfa=True),
        UserFactory(roles=[Role.HR], organisation=organisation, mfa=True),
        UserFactory(roles=[Role.EDITOR], organisation=organisation, mfa=True),
        MemberFactory(),
        member,
    ]
    for person in refused:
        with pytest.raises(services.Refused):
            bank_details_for([member], user=person, reason="Payment run")
    finance = UserFactory(roles=[Role.FINANCE], organisation=organisation, mfa=True)
    stranger = MemberFactory()
    with pytest.raises(services.Refused):
        bank_details_for([member, stranger], user=finance, reason="Payment run")
    with pytest.raises(services.Refused):
        bank_details_for([member], user=finance, reason="")
    assert not ModelLogEntry.objects.filter(action=audit.VIEW).exists()


def test_an_admin_may_read_any_members_details(member, organisation):
    _claim_at(member, organisation)
    PayeeDetailsFactory(user=member)
    admin = UserFactory(roles=[Role.ADMIN], mfa=True)
    assert member.pk in bank_details_for([member], user=admin, reason="Checking a payment")


def test_the_members_own_copy_shows_the_details_masked(member):
    from cms.data_registry import entries_for

    PayeeDetailsFactory(user=member, digits_account="31926819")
    [entry] = entries_for(PayeeDetails)
    names = [field.name for field in entry.export_fields()]
    assert "account_number" not in names and "sort_code" not in names
    row = entry.owned_by(member).values(*names).get()
    assert row["account_number_last_digits"] == "6819"
