"""Account flows end to end through the test client: signing up and confirming an email,
signing in and being throttled, resetting and changing a password, changing an email,
sessions that end by themselves, and allauth's pages inside the site's layout.
"""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from cms.models import User
from cms.roles import Role
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_EMAIL = "robin.ashworth@example.org"
NEW_PASSWORD = "quiet-harbour-lantern-47"
OTHER_PASSWORD = "amber-meadow-kestrel-93"

# Tests that move the clock start here, and keep every request inside the travel.
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

LOGIN_URL = reverse("account_login")
MY_SPACE_URL = reverse("my_space")


def main_text(response) -> str:
    """The words in the page's main area, with whitespace collapsed."""
    main = BeautifulSoup(response.content, "html.parser").find("main")
    assert main is not None, "The page has no <main> element."
    return " ".join(main.get_text(" ").split())


def confirmation_path(body: str) -> str:
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
    assert match, f"No confirmation link in the email:\n{body}"
    return urlsplit(match.group(0)).path


def is_signed_in(client) -> bool:
    return SESSION_KEY in client.session


def log_in(client, email, password):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def sign_up(client, email, password=NEW_PASSWORD):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": password},
    )


def assert_sent_to_login(response, next_path):
    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next={next_path}"


# --- Signing up -----------------------------------------------------------------------------


def test_new_person_signs_up_confirms_email_and_lands_on_my_space_as_a_member(client):
    response = sign_up(client, NEW_EMAIL)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "Check your email" in main_text(client.get(response.url))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [NEW_EMAIL]
    assert message.subject == "[Lived Experience Platform] Confirm your email address"
    link = confirmation_path(message.body)
    assert not is_signed_in(client)

    # Before confirming, the password alone does not get them in.
    response = log_in(Client(), NEW_EMAIL, NEW_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")

    response = client.get(link)
    assert response.status_code == 200
    assert "Confirm your email address" in main_text(response)
    assert NEW_EMAIL in main_text(response)

    response = client.post(link)
    assert response.status_code == 302
    assert response.url == MY_SPACE_URL
    assert is_signed_in(client)

    person = User.objects.get(email=NEW_EMAIL)
    assert person.emailaddress_set.get(email=NEW_EMAIL).verified
    assert list(person.groups.values_list("name", flat=True)) == [Role.MEMBER.value]
    response = client.get(MY_SPACE_URL)
    assert response.status_code == 200
    assert "My space" in main_text(response)


def test_unconfirmed_account_is_told_to_verify_its_email_when_signing_in(client):
    UserFactory(email=NEW_EMAIL, verified=False)

    response = log_in(client, NEW_EMAIL, "lived-experience-demo")

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "Check your email" in main_text(client.get(response.url))
    assert not is_signed_in(client)
    assert client.get(MY_SPACE_URL).status_code == 302


def test_signing_up_with_a_taken_email_looks_the_same_and_tells_the_owner_instead(client):
    owner = UserFactory(email="sam.okafor@example.org")

    newcomer = Client()
    new_person = sign_up(newcomer, NEW_EMAIL)
    mail.outbox.clear()
    taken = sign_up(client, "Sam.Okafor@example.org")

    assert (taken.status_code, taken.url) == (new_person.status_code, new_person.url)
    taken_page = main_text(client.get(taken.url))
    new_page = main_text(newcomer.get(new_person.url))
    assert f"Confirmation email sent to {owner.email}." in taken_page
    assert taken_page.replace(owner.email, "EMAIL") == new_page.replace(NEW_EMAIL, "EMAIL")
    assert User.objects.filter(email__iexact=owner.email).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert message.subject == "[Lived Experience Platform] You already have an account"
    assert "You already have an account with it, so we did not make a new one." in message.body
    assert "/accounts/password/reset/" in message.body


def test_signing_up_does_the_same_work_whether_or_not_the_email_is_taken(client, monkeypatch):
    """Same answer, same password hashing, same one email queued: nothing in the time a
    sign-up takes tells someone whether an address has an account."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    from cms.models import OutboundEmail

    hashed = []
    encode = MD5PasswordHasher.encode

    def counting_encode(self, password, salt):
        hashed.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)
    UserFactory(email="sam.okafor@example.org")

    def work_of_signing_up(email):
        hashed.clear()
        queued_before = OutboundEmail.objects.count()
        response = sign_up(Client(), email)
        return (
            response.status_code,
            response.url,
            len(hashed),
            OutboundEmail.objects.count() - queued_before,
        )

    taken = work_of_signing_up("Sam.Okafor@example.org")
    new = work_of_signing_up(NEW_EMAIL)
    assert taken == new
    assert new[2:] == (1, 1)  # one password hashed, one email queued


# --- Resetting a password -------------------------------------------------------------------


def test_password_reset_answers_the_same_for_known_and_unknown_emails(client):
    known = UserFactory(email="jo.bright@example.org")
    unknown_email = "nobody.here@example.org"
    reset_url = reverse("account_reset_password")

    known_response = client.post(reset_url, {"email": known.email})
    known_page = main_text(client.get(known_response.url))
    known_mail = list(mail.outbox)
    mail.outbox.clear()
    other = Client()
    unknown_response = other.post(reset_url, {"email": unknown_email})
    unknown_page = main_text(other.get(unknown_response.url))
    unknown_mail = list(mail.outbox)

    assert known_response.status_code == unknown_response.status_code == 302
    assert known_response.url == unknown_response.url == reverse("account_reset_password_done")
    assert known_page == unknown_page
    assert "We have sent you an email" in known_page

    assert [m.to for m in known_mail] == [[known.email]]
    assert known_mail[0].subject == "[Lived Experience Platform] Choose a new password"
    assert "/accounts/password/reset/key/" in known_mail[0].body

    # allauth tells the owner of an unknown address (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS), and
    # only them: the message has no reset link and mentions no account.
    assert [m.to for m in unknown_mail] == [[unknown_email]]
    assert unknown_mail[0].subject == (
        "[Lived Experience Platform] We do not have an account with this email address"
    )
    assert "/accounts/password/reset/key/" not in unknown_mail[0].body
    assert known.email not in unknown_mail[0].body


# --- Signing in -----------------------------------------------------------------------------


def test_sixth_log_in_after_five_wrong_passwords_is_refused_even_with_the_right_password(
    client, password
):
    person = UserFactory(email="alex.moss@example.org")
    neighbour = UserFactory(email="bea.moss@example.org")

    with time_machine.travel(START, tick=False) as traveller:
        for attempt in range(5):
            response = log_in(client, person.email, f"wrong-password-{attempt}")
            assert response.status_code == 200
            assert "The email address and/or password you specified are not correct." in (
                main_text(response)
            )

        response = log_in(client, person.email, password)

        assert response.status_code == 200
        assert "Too many failed login attempts. Try again later." in main_text(response)
        assert not is_signed_in(client)
        assert_sent_to_login(client.get(MY_SPACE_URL), MY_SPACE_URL)

        # The lock is on the account, not the network: someone else can still sign in.
        assert log_in(Client(), neighbour.email, password).url == MY_SPACE_URL

        # Fifteen minutes later the right password works again.
        traveller.shift(timedelta(minutes=15, seconds=1))
        response = log_in(client, person.email, password)
        assert response.status_code == 302
        assert response.url == MY_SPACE_URL
        assert is_signed_in(client)


def test_person_logs_in_with_their_email_in_any_case(client, password):
    UserFactory(email="robin.ashworth@example.org")

    response = log_in(client, "Robin.ASHWORTH@Example.ORG", password)

    assert response.status_code == 302
    assert response.url == MY_SPACE_URL
    assert is_signed_in(client)
    assert client.get(MY_SPACE_URL).status_code == 200


# --- Changing a password or an email ---------------------------------------------------------


def test_changing_password_signs_the_account_out_everywhere(client, password):
    person = UserFactory(email="kit.lowe@example.org")
    laptop, phone = client, Client()
    for device in (laptop, phone):
        assert log_in(device, person.email, password).url == MY_SPACE_URL
        assert device.get(MY_SPACE_URL).status_code == 200
    mail.outbox.clear()

    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": OTHER_PASSWORD, "password2": OTHER_PASSWORD},
    )

    assert response.status_code == 302
    assert not is_signed_in(laptop)
    assert_sent_to_login(laptop.get(MY_SPACE_URL), MY_SPACE_URL)
    assert_sent_to_login(phone.get(MY_SPACE_URL), MY_SPACE_URL)
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert mail.outbox[0].subject == "[Lived Experience Platform] Your password has been changed"
    # The new password is the one that works now.
    assert log_in(Client(), person.email, password).status_code == 200
    assert log_in(Client(), person.email, OTHER_PASSWORD).url == MY_SPACE_URL


def input_value(response, input_id) -> str | None:
    field = BeautifulSoup(response.content, "html.parser").find("input", id=input_id)
    return None if field is None else field.get("value")


def test_member_changes_their_email_by_confirming_the_new_address(client, make_person):
    member = make_person("member")
    old_email = member.email
    sign_in(client, member)
    email_url = reverse("account_email")

    page = client.get(email_url)
    assert page.status_code == 200
    assert input_value(page, "current_email") == old_email

    response = client.post(email_url, {"action_add": "", "email": "new.address@example.org"})

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["new.address@example.org"]]
    assert mail.outbox[0].subject == "[Lived Experience Platform] Confirm your email address"
    page = client.get(email_url)
    assert input_value(page, "current_email") == old_email
    assert input_value(page, "new_email") == "new.address@example.org"
    assert "We are waiting for you to confirm this address." in main_text(page)

    link = confirmation_path(mail.outbox[0].body)
    assert client.post(link).status_code == 302

    member.refresh_from_db()
    assert member.email == "new.address@example.org"
    assert input_value(client.get(email_url), "current_email") == "new.address@example.org"


# --- Sessions that end by themselves ---------------------------------------------------------


def test_session_ends_after_half_an_hour_without_activity(client, make_person):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, make_person("member"))
        assert client.get(MY_SPACE_URL).status_code == 200

        traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 60))
        assert client.get(MY_SPACE_URL).status_code == 200

        traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 1))
        response = client.get(MY_SPACE_URL)

        assert_sent_to_login(response, MY_SPACE_URL)
        assert not is_signed_in(client)
        page = client.get(response.url)
        assert "You were signed out because you had not done anything for a while." in (
            main_text(page)
        )


def test_session_ends_after_twelve_hours_even_when_active(client, make_person):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, make_person("member"))
        step = timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 60)
        elapsed = timedelta(0)
        while elapsed + step <= timedelta(seconds=settings.SESSION_ABSOLUTE_LIFETIME):
            assert client.get(MY_SPACE_URL).status_code == 200, f"signed out after {elapsed}"
            traveller.shift(step)
            elapsed += step

        traveller.move_to(START + timedelta(seconds=settings.SESSION_ABSOLUTE_LIFETIME + 1))
        response = client.get(MY_SPACE_URL)

        assert_sent_to_login(response, MY_SPACE_URL)
        assert not is_signed_in(client)
        page = client.get(response.url)
        assert "For your safety you were signed out. Please sign in again." in main_text(page)


def test_unverified_account_with_a_session_is_signed_out_and_sent_to_log_in(client, make_person):
    client.force_login(make_person("unverified"))

    response = client.get(MY_SPACE_URL)

    assert_sent_to_login(response, MY_SPACE_URL)
    assert not is_signed_in(client)
    assert "Please confirm your email address using the link we sent you" in main_text(
        client.get(response.url)
    )


# --- Wagtail's account pages are allauth's ----------------------------------------------------


def test_wagtail_log_in_and_password_reset_send_people_to_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next=/admin/"

    response = client.get("/admin/password_reset/")
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password")

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next=/admin/"


def test_django_admin_is_not_installed():
    assert not apps.is_installed("django.contrib.admin")


# --- allauth's pages wear the site's layout ---------------------------------------------------

SIGNED_OUT_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]
SIGNED_IN_PAGES = ["account_logout", "account_email", "account_change_password", "mfa_index"]


def assert_in_site_layout(response):
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    header = soup.find("header")
    assert header is not None and "Lived Experience Platform" in header.get_text()
    crisis = soup.find("aside", class_="lep-crisis-help")
    assert crisis is not None and "Need help now?" in crisis.get_text()
    main = soup.find("main")
    # allauth's own elements come out as NHS.UK components inside the site's main column.
    assert main.find("h1", class_="nhsuk-heading-l") is not None
    assert main.select(".nhsuk-button, .nhsuk-body")


@pytest.mark.parametrize("url_name", SIGNED_OUT_PAGES)
def test_account_page_for_visitors_is_in_the_site_layout(client, url_name):
    response = client.get(reverse(url_name))

    assert_in_site_layout(response)
    if url_name not in ("account_reset_password_done", "account_email_verification_sent"):
        assert b"nhsuk-button" in response.content


@pytest.mark.parametrize("url_name", SIGNED_IN_PAGES)
def test_account_page_for_members_is_in_the_site_layout(client, make_person, url_name):
    sign_in(client, make_person("member"))

    response = client.get(reverse(url_name))

    assert_in_site_layout(response)
    if url_name != "mfa_index":
        assert b"nhsuk-button" in response.content
