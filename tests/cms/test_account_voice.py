"""Account emails and pages speak in the site's own voice: every email allauth can send is
ours (plain words, signed with the site's name, links at SITE_URL whatever host the request
came in on), account pages have sentence-case titles, and a page whose form has errors says
so first, in its title.
"""

import re
from pathlib import Path

import allauth
import pytest
import time_machine
from allauth.account.adapter import get_adapter
from allauth.core import context as allauth_context
from allauth.mfa.totp.internal.auth import TOTP
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.core import mail
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from cms.roles import Role
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://lep.example.org"
# Where people reach the server from: not the address the site is published at.
REQUEST_HOST = "127.0.0.1:8000"
PREFIX = "[Lived Experience Platform] "
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NEW_PASSWORD = "quiet-harbour-lantern-47"
ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
OUR_TEMPLATES = Path(django_settings.BASE_DIR) / "cms" / "templates"

# The subject of every email allauth can send, after the site's prefix.
SUBJECTS = {
    "account/email/account_already_exists": "You already have an account",
    "account/email/email_changed": "The email address for your account has changed",
    "account/email/email_confirm": "Your email address is confirmed",
    "account/email/email_confirmation": "Confirm your email address",
    "account/email/email_confirmation_signup": "Confirm your email address",
    "account/email/email_deleted": "An email address was removed from your account",
    "account/email/login_code": "Your code to sign in",
    "account/email/password_changed": "Your password has been changed",
    "account/email/password_reset": "Your new password is saved",
    "account/email/password_reset_code": "Your code to choose a new password",
    "account/email/password_reset_key": "Choose a new password",
    "account/email/password_set": "Your password has been set",
    "account/email/unknown_account": "We do not have an account with this email address",
    "mfa/email/recovery_codes_generated": "You have new recovery codes",
    "mfa/email/totp_activated": "Your authenticator app is set up",
    "mfa/email/totp_deactivated": "Your authenticator app has been turned off",
    "mfa/email/webauthn_added": "A security key was added to your account",
    "mfa/email/webauthn_removed": "A security key was removed from your account",
}


@pytest.fixture(autouse=True)
def _published_elsewhere(settings):
    settings.SITE_URL = SITE


def links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def assert_in_site_voice(message, subject: str):
    assert message.subject == PREFIX + subject
    body = message.body
    assert body.startswith("Hello,\n\n")
    assert body.rstrip().endswith(f"Lived Experience Platform\n{SITE}/")
    for default_words in ("Hello from", "Thank you for using", "You are receiving"):
        assert default_words not in body, body
    assert "{" not in body and "None" not in body, body
    assert links(body), body
    for link in links(body):
        assert link.startswith(SITE + "/"), f"{link} is not on {SITE}:\n{body}"


def the_email(to: str | None = None):
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    message = mail.outbox[0]
    if to:
        assert message.to == [to]
    return message


# --- Every email allauth can send is ours ------------------------------------------------------


def allauth_email_prefixes() -> list[str]:
    return sorted(
        str(path.relative_to(ALLAUTH_TEMPLATES)).removesuffix("_subject.txt")
        for folder in ("account/email", "mfa/email")
        for path in (ALLAUTH_TEMPLATES / folder).glob("*_subject.txt")
    )


def test_the_list_of_emails_is_every_email_allauth_can_send():
    assert allauth_email_prefixes() == sorted(SUBJECTS)


@pytest.mark.parametrize("prefix", sorted(SUBJECTS))
def test_every_allauth_email_template_is_overridden_by_the_site(prefix):
    for part in ("subject", "message"):
        origin = Path(get_template(f"{prefix}_{part}.txt").origin.name)
        assert origin.is_relative_to(OUR_TEMPLATES), f"{prefix}_{part} is allauth's own"


def example_context(request) -> dict:
    """What allauth passes its emails, with links built from the request as allauth does."""
    here = request.build_absolute_uri
    return {
        "user": UserFactory.build(email="sam@example.org"),
        "activate_url": here("/accounts/confirm-email/abc123/"),
        "password_reset_url": here("/accounts/password/reset/key/1-abc/"),
        "signup_url": here("/accounts/signup/"),
        "code": "ABC123",
        "key": "abc123",
        "from_email": "old@example.org",
        "to_email": "sam@example.org",
        "deleted_email": "old@example.org",
        "days": 3,
        "timestamp": timezone.now(),
        "ip": "127.0.0.1",
        "user_agent": "Mozilla/5.0",
    }


@pytest.mark.parametrize("prefix", sorted(SUBJECTS))
def test_every_account_email_is_plain_signed_and_links_to_the_site(prefix):
    request = RequestFactory().get("/", HTTP_HOST=REQUEST_HOST)
    with allauth_context.request_context(request):
        adapter = get_adapter(request)
        adapter.send_mail(prefix, "sam@example.org", example_context(request))

    message = the_email(to="sam@example.org")
    assert message.subject == PREFIX + SUBJECTS[prefix]
    body = message.body
    assert body.startswith("Hello,\n\n")
    assert body.rstrip().endswith(f"Lived Experience Platform\n{SITE}/")
    assert "Hello from" not in body and REQUEST_HOST not in body
    for link in links(body):
        assert link.startswith(SITE + "/"), f"{link} is not on {SITE}:\n{body}"


# --- The emails of real journeys ------------------------------------------------------------------


@pytest.fixture
def visitor():
    return Client(HTTP_HOST=REQUEST_HOST)


def sign_up(client, email):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def test_sign_up_email_says_how_to_finish_with_a_link_on_the_site(visitor):
    sign_up(visitor, "robin.ashworth@example.org")

    message = the_email(to="robin.ashworth@example.org")
    assert_in_site_voice(message, "Confirm your email address")
    assert "Thank you for creating an account on the Lived Experience Platform." in message.body
    assert f"{SITE}/accounts/confirm-email/" in message.body
    assert "If you did not create an account, you can ignore this email." in message.body


def test_signing_up_again_tells_the_owner_how_to_sign_in_or_reset(visitor):
    owner = UserFactory(email="sam.okafor@example.org")

    sign_up(visitor, owner.email)

    message = the_email(to=owner.email)
    assert_in_site_voice(message, "You already have an account")
    assert f"{SITE}/accounts/login/" in message.body
    assert f"{SITE}/accounts/password/reset/" in message.body
    assert "If it was not you, you can ignore this email." in message.body


def test_password_reset_email_links_to_the_site_and_says_how_long_it_works(visitor):
    person = UserFactory(email="jo.bright@example.org")

    visitor.post(reverse("account_reset_password"), {"email": person.email})

    message = the_email(to=person.email)
    assert_in_site_voice(message, "Choose a new password")
    assert f"{SITE}/accounts/password/reset/key/" in message.body
    assert "The link works once, for 3 days." in message.body


def test_password_reset_for_an_unknown_address_offers_to_sign_up(visitor):
    visitor.post(reverse("account_reset_password"), {"email": "nobody.here@example.org"})

    message = the_email(to="nobody.here@example.org")
    assert_in_site_voice(message, "We do not have an account with this email address")
    assert f"{SITE}/accounts/signup/" in message.body


def test_choosing_a_new_password_through_the_link_is_confirmed_by_email(visitor):
    person = UserFactory(email="jo.bright@example.org")
    visitor.post(reverse("account_reset_password"), {"email": person.email})
    link = links(the_email().body)[0].removeprefix(SITE)
    mail.outbox.clear()

    form_url = visitor.get(link).url
    visitor.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    message = the_email(to=person.email)
    assert_in_site_voice(message, "Your new password is saved")
    assert "If this was you, you do not need to do anything else." in message.body


def test_password_change_email_says_when_and_what_to_do_if_it_was_not_you(password):
    person = UserFactory(email="kit.lowe@example.org")
    client = Client(HTTP_HOST=REQUEST_HOST)
    sign_in(client, person)
    mail.outbox.clear()

    with time_machine.travel("2026-03-02 14:05 +00:00", tick=False):
        client.post(
            reverse("account_change_password"),
            {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )

    message = the_email(to=person.email)
    assert_in_site_voice(message, "Your password has been changed")
    assert "This happened on Monday 2 March 2026 at 2:05pm." in message.body
    assert "If it was not you, someone else may know your password." in message.body
    assert f"{SITE}/accounts/password/reset/" in message.body


def test_setting_up_an_authenticator_app_is_confirmed_by_email(password):
    lead = UserFactory(email="lee.harper@example.org", roles=[Role.ENGAGEMENT_LEAD], mfa=False)
    client = Client(HTTP_HOST=REQUEST_HOST)
    sign_in(client, lead)
    request = RequestFactory().get("/", HTTP_HOST=REQUEST_HOST)
    request.user = lead
    mail.outbox.clear()

    with allauth_context.request_context(request):
        TOTP.activate(lead, SECRET)
        get_adapter(request).send_notification_mail("mfa/email/totp_activated", lead)

    message = the_email(to=lead.email)
    assert_in_site_voice(message, "Your authenticator app is set up")


# --- Account pages: titles in sentence case, "Error: " when a form has errors ---------------


def title(response) -> str:
    return BeautifulSoup(response.content, "html.parser").title.get_text()


def h1(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").find("h1").get_text().split())


def main_text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").find("main").get_text().split())


VISITOR_PAGES = {
    "account_login": "Sign in",
    "account_signup": "Create an account",
    "account_reset_password": "Reset your password",
    "account_reset_password_done": "Check your email",
    "account_email_verification_sent": "Check your email",
    "account_reset_password_from_key_done": "Your new password is saved",
}
MEMBER_PAGES = {
    "account_logout": "Sign out",
    "account_email": "Your email address",
    "account_change_password": "Change your password",
    "mfa_index": "Two-step sign in",
}


def assert_titled(response, words: str):
    assert response.status_code == 200
    assert title(response) == f"{words} – Lived Experience Platform"
    assert h1(response) == words


@pytest.mark.parametrize(("url_name", "words"), VISITOR_PAGES.items())
def test_account_page_for_visitors_has_a_plain_sentence_case_title(client, url_name, words):
    assert_titled(client.get(reverse(url_name)), words)


@pytest.mark.parametrize(("url_name", "words"), MEMBER_PAGES.items())
def test_account_page_for_members_has_a_plain_sentence_case_title(
    client, make_person, url_name, words
):
    sign_in(client, make_person("member"))
    assert_titled(client.get(reverse(url_name)), words)


def test_the_code_step_of_signing_in_asks_for_the_code_in_its_title(client, password):
    lead = UserFactory(email="lee.harper@example.org", roles=[Role.ENGAGEMENT_LEAD], mfa=SECRET)
    client.post(reverse("account_login"), {"login": lead.email, "password": password})

    page = client.get(reverse("mfa_authenticate"))

    assert_titled(page, "Enter the code from your authenticator app")
    assert "Sign In" not in title(page)
    assert "enter one of your recovery codes instead" in main_text(page)

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert (
        title(wrong)
        == "Error: Enter the code from your authenticator app – Lived Experience Platform"
    )


def test_confirming_it_is_you_has_a_plain_title(client, make_person):
    sign_in(client, make_person("member"))

    page = client.get(reverse("account_reauthenticate"))

    assert_titled(page, "Confirm it is you")
    assert "Enter your password to carry on." in main_text(page)


@pytest.mark.parametrize(
    ("url_name", "data", "words"),
    [
        ("account_login", {"login": "jo@example.org", "password": "wrong"}, "Sign in"),
        ("account_signup", {"email": "not an email"}, "Create an account"),
        ("account_reset_password", {"email": ""}, "Reset your password"),
    ],
    ids=["login", "signup", "password-reset"],
)
def test_a_visitor_form_with_errors_says_error_first_in_the_title(client, url_name, data, words):
    assert not title(client.get(reverse(url_name))).startswith("Error")

    response = client.post(reverse(url_name), data)

    assert response.status_code == 200
    assert title(response) == f"Error: {words} – Lived Experience Platform"
    assert "There is a problem" in main_text(response)


def test_changing_a_password_wrongly_says_error_first_in_the_title(client, make_person):
    sign_in(client, make_person("member"))

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert title(response) == "Error: Change your password – Lived Experience Platform"


def test_a_site_form_outside_accounts_says_error_first_in_the_title(client, make_person):
    """The prefix comes from the layout, so every form page has it, not only allauth's;
    a page that already adds it itself does not say it twice."""
    sign_in(client, make_person("member"))
    url = reverse("close_account")
    assert not title(client.get(url)).startswith("Error")

    response = client.post(url, {"password": ""})

    assert response.status_code == 200
    assert title(response) == "Error: Close your account – Lived Experience Platform"


def test_staff_are_told_plainly_why_they_cannot_turn_off_their_authenticator_app(
    client, make_person, password
):
    sign_in(client, make_person("editor"))
    client.post(reverse("account_reauthenticate"), {"password": password})

    page = client.get(reverse("mfa_deactivate_totp"))

    assert h1(page) == "You cannot turn off your authenticator app"
    assert "Your role needs an authenticator app, so you cannot turn it off." in main_text(page)
    assert not BeautifulSoup(page.content, "html.parser").select("main form button")


def test_members_are_told_what_turning_off_their_authenticator_app_means(
    client, make_person, password
):
    sign_in(client, make_person("member", mfa=True))
    client.post(reverse("account_reauthenticate"), {"password": password})

    page = client.get(reverse("mfa_deactivate_totp"))

    assert_titled(page, "Turn off your authenticator app")
    assert "you will sign in with your password only" in main_text(page)
