"""My space → Close your account, and closing an account for someone else or when unused.

The page shows what would be deleted and what must be kept and why; closing needs the
person's password and an "I understand"; it signs them out everywhere and shows a calm
page with the summary. Nothing changes on a GET, a wrong password, a missing tick, a
forged form or a second post; the last administrator cannot close their account.
"""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from bs4 import BeautifulSoup
from django.core import mail
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import audit, erasure
from cms.models import DataRequest, User
from coproduce.factories import (
    FeedbackFactory,
    InvolvementClaimFactory,
    InvolvementProfileFactory,
    MemberFactory,
)
from tests.conftest import sign_in
from tests.factories import DEMO_PASSWORD, UserFactory
from tests.queries import queries_for

URL = "/my-space/close-account/"
pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def confirm(password=DEMO_PASSWORD, understood=True) -> dict:
    data = {"password": password}
    if understood:
        data["understood"] = "on"
    return data


@pytest.fixture
def member(db):
    person = MemberFactory(email="ada@example.org", first_name="Ada", last_name="Lovelace")
    InvolvementProfileFactory(user=person, display_name="Ada L")
    InvolvementClaimFactory(attendance__member=person, paid=True)
    FeedbackFactory(author=person, went_well="The Tuesday group was lovely.")
    return person


def unchanged(person) -> bool:
    """The account is open and still has its name, address and records."""
    person.refresh_from_db()
    return (
        person.is_active
        and person.first_name == "Ada"
        and person.email == "ada@example.org"
        and person.has_usable_password()
        and EmailAddress.objects.filter(user=person).exists()
        and not DataRequest.objects.filter(person=person, kind="erasure").exists()
        and not ModelLogEntry.objects.filter(action=audit.ERASE, data__about=person.pk).exists()
    )


# --- The page -------------------------------------------------------------------------------


def test_signed_out_people_are_asked_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = client.post(URL, confirm())
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_says_what_will_be_deleted_and_what_is_kept_and_why(client, member):
    sign_in(client, member)
    response = client.get(URL)
    assert response.status_code == 200
    text = text_of(response)
    assert "Close your account" in text
    assert "What we will delete" in text
    assert "How you like to be contacted" in text
    assert "What we must keep, and why" in text
    assert "Your claims for payment" in text
    assert "HM Revenue and Customs" in text
    assert "kept for 6 years" in text
    assert "What we will keep, with the details that identify you removed" in text
    assert "Feedback you gave" in text
    assert "Your password" in text and "cannot be undone" in text
    # Only the kinds they have records of are listed.
    assert "Your session logs" not in text


def test_looking_at_the_page_changes_nothing(client, member):
    sign_in(client, member)
    for _ in range(2):
        assert client.get(URL).status_code == 200
    assert unchanged(member)
    assert not mail.outbox


def test_the_account_panel_links_to_the_page(client, member):
    sign_in(client, member)
    response = client.get("/my-space/")
    assert f'href="{URL}"' in response.content.decode()


@pytest.mark.parametrize("role", ["member", "peer_worker", "supervisor", "hr", "editor"])
def test_anyone_signed_in_sees_the_page_for_their_own_account(role, client_as):
    response = client_as(role).get(URL)
    assert response.status_code == 200
    assert "Close your account" in text_of(response)


def test_the_preview_costs_the_same_queries_with_3_records_or_30(client, db):
    few = MemberFactory()
    many = MemberFactory()
    for _ in range(3):
        FeedbackFactory(author=few)
    for _ in range(30):
        FeedbackFactory(author=many)
    counts = []
    for person in (few, many):
        sign_in(client, person)
        client.get(URL)  # the first request after signing in sets up the session
        counts.append(queries_for(client, URL))
    assert counts[0] == counts[1]
    assert "30 records" in text_of(client.get(URL))


# --- Closing --------------------------------------------------------------------------------


def test_closing_signs_them_out_and_shows_what_happened(client, member):
    sign_in(client, member)
    response = client.post(URL, confirm())
    assert response.status_code == 200
    text = text_of(response)
    assert "Your account is closed" in text
    assert "What we deleted" in text and "How you like to be contacted" in text
    assert "What we kept, and why" in text and "HM Revenue and Customs" in text
    assert "contact us" in text
    assert "_auth_user_id" not in client.session
    member.refresh_from_db()
    assert not member.is_active and member.first_name == "" and not member.has_usable_password()
    # Signed out: My space now asks them to sign in.
    assert client.get("/my-space/")["Location"].startswith("/accounts/login/")


def test_closing_emails_the_old_address_once(client, member):
    sign_in(client, member)
    mail.outbox.clear()
    client.post(URL, confirm())
    [message] = mail.outbox
    assert message.to == ["ada@example.org"]
    assert "Your account is closed" in message.subject
    assert "Your claims for payment" in message.body
    assert "HM Revenue and Customs" in message.body


def test_closing_signs_out_their_other_sessions_too(client, member):
    elsewhere = sign_in(Client(), member)
    assert elsewhere.get("/my-space/").status_code == 200
    sign_in(client, member)
    client.post(URL, confirm())
    assert elsewhere.get("/my-space/")["Location"].startswith("/accounts/login/")


def test_staff_with_two_step_sign_in_close_theirs_with_their_password(client_as):
    client = client_as("engagement_lead")
    person = User.objects.get(pk=client.session["_auth_user_id"])
    response = client.post(URL, confirm())
    assert "Your account is closed" in text_of(response)
    person.refresh_from_db()
    assert not person.is_active and not person.groups.exists()


def test_an_administrator_may_close_theirs_when_another_remains(client_as, make_person):
    make_person("admin")
    client = client_as("admin")
    response = client.post(URL, confirm())
    assert "Your account is closed" in text_of(response)


# --- Refusals -------------------------------------------------------------------------------


def test_a_wrong_password_changes_nothing(client, member):
    sign_in(client, member)
    response = client.post(URL, confirm(password="not-my-password"))
    assert response.status_code == 200
    text = text_of(response)
    assert "There is a problem" in text
    assert "The password is not right" in text
    assert unchanged(member)
    assert not mail.outbox


def test_no_password_or_no_tick_changes_nothing(client, member):
    sign_in(client, member)
    response = client.post(URL, {"understood": "on"})
    assert response.status_code == 200 and "Enter your password" in text_of(response)
    response = client.post(URL, confirm(understood=False))
    assert response.status_code == 200
    assert "Tick the box to say you understand" in text_of(response)
    assert unchanged(member)


def test_guessing_the_password_is_stopped_by_the_sign_in_limit(client, member):
    sign_in(client, member)
    for _ in range(5):
        client.post(URL, confirm(password="guess"))
    response = client.post(URL, confirm())
    assert response.status_code == 200
    assert "Too many failed login attempts" in text_of(response)
    assert unchanged(member)


def test_the_last_administrator_cannot_close_their_account(client, db):
    admin = UserFactory(
        email="ada@example.org", first_name="Ada", roles=[], mfa=True, is_superuser=True
    )
    admin.is_staff = True
    admin.save()
    sign_in(client, admin)
    response = client.post(URL, confirm())
    assert response.status_code == 200
    assert "only administrator account" in text_of(response)
    admin.refresh_from_db()
    assert admin.is_active and admin.is_superuser and admin.has_usable_password()
    with pytest.raises(erasure.Refused):
        erasure.close_account(admin, by=admin, reason="Testing")


def test_a_forged_form_without_the_csrf_token_is_refused(member):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, member)
    response = client.post(URL, confirm())
    assert response.status_code == 403
    assert unchanged(member)


def test_a_second_post_changes_nothing_more(client, member):
    sign_in(client, member)
    client.post(URL, confirm())
    mail.outbox.clear()
    response = client.post(URL, confirm())
    assert response.status_code == 302  # signed out: asked to sign in
    assert not mail.outbox
    assert DataRequest.objects.filter(person=member, kind="erasure").count() == 1
    assert ModelLogEntry.objects.filter(action=audit.ERASE).count() == 1


def test_a_closed_account_cannot_be_closed_again(member):
    erasure.close_account(member, by=member, reason=erasure.SELF_REASON)
    with pytest.raises(erasure.Refused, match="already closed"):
        erasure.close_account(member, by=member, reason=erasure.SELF_REASON)


def test_the_page_only_ever_closes_the_signed_in_persons_account(client, member):
    other = MemberFactory(email="zeb@example.org", first_name="Zeb")
    sign_in(client, other)
    client.post(URL, {**confirm(), "person": member.pk, "pk": member.pk})
    assert unchanged(member)
    other.refresh_from_db()
    assert not other.is_active


# --- Staff carrying out a request; unused accounts ------------------------------------------


def erasure_request(person, **fields) -> DataRequest:
    return DataRequest.objects.create(
        person=person,
        kind=DataRequest.Kind.ERASURE,
        channel=DataRequest.Channel.LETTER,
        received_on=timezone.localdate() - timedelta(days=3),
        identity_checked="Letter signed, matched the address we hold",
        **fields,
    )


def test_an_administrator_carries_out_a_recorded_request(member, make_person):
    admin = make_person("admin")
    request = erasure_request(member, recorded_by=admin)
    closure = erasure.close_account(member, by=admin, reason="Their letter of 3 March")
    request.refresh_from_db()
    assert closure.data_request == request
    assert request.status == DataRequest.Status.DONE and request.channel == "letter"
    assert "Your claims for payment" in request.outcome
    log = ModelLogEntry.objects.get(action=audit.ERASE)
    assert log.user_id == admin.pk and log.data["reason"] == "Their letter of 3 March"
    assert DataRequest.objects.filter(person=member).count() == 1
    member.refresh_from_db()
    assert not member.is_active


def test_the_request_can_be_named_by_the_caller(member, make_person):
    admin = make_person("admin")
    request = erasure_request(member)
    closure = erasure.close_account(member, by=admin, reason="By phone", request=request)
    assert closure.data_request.pk == request.pk
    with pytest.raises(ValueError):
        erasure.close_account(
            MemberFactory(), by=admin, reason="Wrong person", request=erasure_request(member)
        )


def test_staff_must_record_the_request_first(member, make_person):
    admin = make_person("admin")
    with pytest.raises(erasure.Refused, match="Record their request first"):
        erasure.close_account(member, by=admin, reason="Asked at a meeting")
    assert unchanged(member)


@pytest.mark.parametrize("role", ["member", "peer_worker", "supervisor", "engagement_lead", "hr"])
def test_nobody_but_an_administrator_closes_someone_elses_account(role, member, make_person):
    erasure_request(member)
    with pytest.raises(erasure.Refused, match="Only administrators"):
        erasure.close_account(member, by=make_person(role), reason="Asked me to")
    member.refresh_from_db()
    assert member.is_active


def test_unused_accounts_are_closed_but_never_an_administrators(member, make_person):
    admin = make_person("admin")
    rows = User.objects.filter(pk__in=[member.pk, admin.pk])
    mail.outbox.clear()
    assert erasure.close_dormant_accounts(rows) == 1
    member.refresh_from_db()
    admin.refresh_from_db()
    assert not member.is_active and admin.is_active
    log = ModelLogEntry.objects.get(action=audit.ERASE)
    assert log.user_id is None and log.data["reason"] == erasure.DORMANT_REASON
    # Not a request from the person, so not on the register; they are still told.
    assert not DataRequest.objects.filter(person=member, kind="erasure").exists()
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    # Already closed: not closed twice.
    assert erasure.close_dormant_accounts(rows) == 0


def test_the_audit_trail_is_kept_but_no_longer_carries_their_name(member, make_person):
    """Entries about the person stay (who looked, and why), but each entry's label was the
    record's name when it was logged, which for an account is the person's own."""
    hr = make_person("hr")
    audit.audit_view(user=hr, instance=member, reason="Checked their details")
    assert "Ada" in ModelLogEntry.objects.get(action=audit.VIEW).label
    erasure.close_account(member, by=member, reason="They closed their account")
    kept = ModelLogEntry.objects.get(action=audit.VIEW)
    assert kept.data["about"] == member.pk and kept.data["reason"] == "Checked their details"
    assert not any(
        "Ada" in entry.label or "ada@example.org" in entry.label
        for entry in ModelLogEntry.objects.all()
    )
