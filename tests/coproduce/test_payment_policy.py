"""Each organisation's payment policy: its finance staff (and administrators) set the
mileage rate and when unpaid claims are flagged; every change is audited with the values
before and after; nobody else may change it."""

from decimal import Decimal

import pytest
from wagtail.models import ModelLogEntry

from coproduce import audit_actions
from coproduce.models import PaymentPolicy
from coproduce.services import Refused
from coproduce.services import payment_policy as services
from tests.conftest import sign_in
from tests.coproduce.test_claims import page_text

pytestmark = pytest.mark.django_db


def edit_url(organisation) -> str:
    return f"/admin/payment-policy/{organisation.slug}/"


@pytest.fixture
def finance(client, make_person):
    person = make_person("finance", first_name="Femi", last_name="Okoro")
    sign_in(client, person)
    return person


def test_an_organisation_without_a_policy_pays_the_usual_rates(organisation):
    policy = services.payment_policy_for(organisation.pk)
    assert policy.pk is None
    assert (policy.mileage_rate, policy.unpaid_warning_days) == (Decimal("0.45"), 14)
    assert services.mileage_rate_for(organisation.pk) == Decimal("0.45")


def test_finance_goes_straight_to_their_organisations_policy(client, finance, organisation):
    response = client.get("/admin/payment-policy/")
    assert response.status_code == 302
    assert response["Location"] == edit_url(organisation)
    text = page_text(client.get(edit_url(organisation)))
    assert "Payment policy" in text and organisation.name in text
    assert "paid 45p a mile (the usual rate" in text
    assert "No changes yet." in text


def test_finance_changes_the_rate_and_the_change_is_audited_and_shown(
    client, finance, organisation
):
    response = client.post(
        edit_url(organisation), {"mileage_rate": "0.50", "unpaid_warning_days": "10"}, follow=True
    )
    text = page_text(response)
    assert "mileage at 50p a mile, unpaid claims flagged after 10 days" in text
    policy = PaymentPolicy.objects.get(organisation=organisation)
    assert (policy.mileage_rate, policy.unpaid_warning_days) == (Decimal("0.50"), 10)
    assert policy.updated_by == finance
    entry = ModelLogEntry.objects.for_instance(policy).get(
        action=audit_actions.PAYMENT_POLICY_CHANGE
    )
    assert entry.user == finance
    assert entry.data["before"] == {"mileage_rate": "0.45", "unpaid_warning_days": 14}
    assert entry.data["after"] == {"mileage_rate": "0.50", "unpaid_warning_days": 10}
    assert "£0.45 to £0.50 a mile" in text and "14 to 10 days" in text
    assert "Femi Okoro" in text


def test_saving_without_a_change_records_nothing(client, finance, organisation):
    PaymentPolicy.objects.create(organisation=organisation, mileage_rate=Decimal("0.40"))
    response = client.post(
        edit_url(organisation), {"mileage_rate": "0.40", "unpaid_warning_days": "14"}, follow=True
    )
    assert "Nothing was changed." in page_text(response)
    assert not ModelLogEntry.objects.filter(action=audit_actions.PAYMENT_POLICY_CHANGE).exists()


@pytest.mark.parametrize(
    ("rate", "days", "message"),
    [
        ("", "14", "Enter the mileage rate, like 0.45."),
        ("lots", "14", "Enter the mileage rate in pounds, like 0.45."),
        ("5.01", "14", "between £0.00 and £5.00 a mile"),
        ("-0.10", "14", "between £0.00 and £5.00 a mile"),
        ("0.455", "14", "in pounds and pence"),
        ("0.45", "0", "between 1 and 365"),
        ("0.45", "two weeks", "as a whole number"),
        ("0.45", "", "Enter the number of days"),
    ],
)
def test_bad_values_say_what_to_fix_and_change_nothing(
    client, finance, organisation, rate, days, message
):
    response = client.post(
        edit_url(organisation), {"mileage_rate": rate, "unpaid_warning_days": days}
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert not PaymentPolicy.objects.exists()


def test_finance_cannot_see_or_change_another_organisations_policy(
    client, finance, other_organisation
):
    assert client.get(edit_url(other_organisation)).status_code == 404
    response = client.post(
        edit_url(other_organisation), {"mileage_rate": "0.10", "unpaid_warning_days": "3"}
    )
    assert response.status_code == 404
    assert not PaymentPolicy.objects.exists()
    with pytest.raises(Refused, match="your own organisation"):
        services.payment_policy_update(
            organisation=other_organisation,
            user=finance,
            mileage_rate=Decimal("0.10"),
            unpaid_warning_days=3,
        )


@pytest.mark.parametrize("role", ["engagement_lead", "hr", "editor"])
def test_other_staff_are_refused(client, make_person, organisation, role):
    sign_in(client, make_person(role))
    for path in ["/admin/payment-policy/", edit_url(organisation)]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/admin/", path
    client.post(edit_url(organisation), {"mileage_rate": "0.10", "unpaid_warning_days": "3"})
    assert not PaymentPolicy.objects.exists()


@pytest.mark.parametrize("role", ["member", "peer_worker"])
def test_members_and_peer_workers_are_refused(client, make_person, organisation, role):
    sign_in(client, make_person(role))
    assert client.get(edit_url(organisation)).status_code == 403
    with pytest.raises(Refused):
        services.payment_policy_update(
            organisation=organisation,
            user=make_person(role),
            mileage_rate=Decimal("0.10"),
            unpaid_warning_days=3,
        )


def test_an_administrator_chooses_any_organisation(
    client, make_person, organisation, other_organisation
):
    sign_in(client, make_person("admin"))
    PaymentPolicy.objects.create(organisation=other_organisation, mileage_rate=Decimal("0.30"))
    text = page_text(client.get("/admin/payment-policy/"))
    assert organisation.name in text and other_organisation.name in text
    assert "£0.30 a mile" in text and "Never: the usual rates apply" in text
    response = client.post(
        edit_url(other_organisation), {"mileage_rate": "0.35", "unpaid_warning_days": "7"}
    )
    assert response.status_code == 302
    assert PaymentPolicy.objects.get(organisation=other_organisation).mileage_rate == Decimal(
        "0.35"
    )


def test_the_settings_menu_shows_payment_policy_only_to_finance_and_admins(
    client, make_person, finance
):
    assert "/admin/payment-policy/" in client.get("/admin/").content.decode()
    sign_in(client, make_person("engagement_lead"))
    assert "/admin/payment-policy/" not in client.get("/admin/").content.decode()
