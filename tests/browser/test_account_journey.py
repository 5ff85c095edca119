"""Whole account journeys in real Chromium: create an account, confirm it, sign out and in;
a staff member sets up the authenticator app before reaching the admin; small screens.

Every page of a journey gets ``check_page`` (see conftest): its stylesheets applied, no
browser console errors, no serious or critical axe problems, and a screenshot.
"""

import re
import time
from urllib.parse import urlsplit

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from playwright.sync_api import expect

from cms.roles import Role
from tests.browser.conftest import axe_check
from tests.factories import DEMO_PASSWORD, UserFactory

# The home page and the roles' groups come from data migrations, which a transactional
# test's flush would remove: serialized_rollback puts them back before each test.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_EMAIL = "robin.ashworth@example.org"
NEW_PASSWORD = "quiet-harbour-lantern-47"
SMALL_SCREEN = {"width": 320, "height": 640}


def heading(page, text: str):
    return page.get_by_role("heading", level=1, name=text, exact=True)


def confirmation_path(body: str) -> str:
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
    assert match, f"No confirmation link in the email:\n{body}"
    return urlsplit(match.group(0)).path


def sign_in(page, email: str, password: str) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    password_field = page.get_by_label("Password", exact=True)
    password_field.fill(password)
    password_field.press("Enter")


def totp_at(secret: str, timestamp: float) -> str:
    """The code an authenticator app shows at ``timestamp``."""
    return format_hotp_value(hotp_value(secret, int(timestamp) // mfa_settings.TOTP_PERIOD))


def test_person_creates_account_confirms_email_and_signs_back_in(live_server, page, check_page):
    mail.outbox.clear()
    page.goto(live_server.url)
    expect(heading(page, "Lived Experience Platform")).to_be_visible()
    check_page(page, "home")

    # The first Tab reaches the skip link, which shows itself and moves focus to the content.
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#maincontent")).to_be_focused()

    page.get_by_role("main").get_by_role("button", name="Create an account").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    expect(heading(page, "Create an account")).to_be_visible()
    check_page(page, "signup")

    page.get_by_label("Email", exact=True).focus()
    page.keyboard.type(NEW_EMAIL)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password (again)", exact=True)).to_be_focused()
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Enter")

    expect(heading(page, "Check your email")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(f"Confirmation email sent to {NEW_EMAIL}")
    check_page(page, "verification-sent")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [NEW_EMAIL]
    page.goto(live_server.url + confirmation_path(message.body))
    expect(heading(page, "Confirm your email address")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(NEW_EMAIL)
    check_page(page, "confirm-email")

    page.get_by_role("button", name="Confirm", exact=True).press("Enter")
    expect(page).to_have_url(re.compile(r"/my-space/$"))
    expect(heading(page, "My space")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(f"You have confirmed {NEW_EMAIL}")
    check_page(page, "my-space")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("main")).to_contain_text("You have signed out.")
    expect(heading(page, "Lived Experience Platform")).to_be_visible()
    check_page(page, "signed-out")

    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in").click()
    expect(heading(page, "Sign in")).to_be_visible()
    check_page(page, "login")

    sign_in(page, NEW_EMAIL, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/my-space/$"))
    expect(heading(page, "My space")).to_be_visible()
    check_page(page, "my-space-again")


def test_staff_member_sets_up_authenticator_app_before_reaching_admin(
    live_server, page, check_page, screenshot
):
    lead = UserFactory(roles=[Role.ENGAGEMENT_LEAD], mfa=False)
    page.goto(live_server.url + "/accounts/login/")
    sign_in(page, lead.email, DEMO_PASSWORD)

    # The role's message says why; allauth asks for the password again before any change
    # to two-step sign in, even straight after signing in.
    expect(page.get_by_role("main")).to_contain_text(
        "Your role needs an authenticator app as a second step when you sign in."
    )
    expect(heading(page, "Confirm it is you")).to_be_visible()
    check_page(page, "confirm-access")
    sign_in_again = page.get_by_label("Password", exact=True)
    sign_in_again.fill(DEMO_PASSWORD)
    sign_in_again.press("Enter")

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(heading(page, "Set up your authenticator app")).to_be_visible()
    check_page(page, "activate-authenticator")

    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    code = page.get_by_label("Authenticator code", exact=True)
    # The live server runs in this process: with its clock pinned from typing the code until
    # the answer arrives, a 30-second window cannot turn over in between, however busy the
    # machine (no tolerance needed).
    with time_machine.travel(time.time(), tick=False):
        code.fill(totp_at(secret, time.time()))
        code.press("Enter")
        expect(page.get_by_role("main")).to_contain_text("Authenticator app activated.")
    expect(heading(page, "Recovery codes")).to_be_visible()
    check_page(page, "recovery-codes")

    page.get_by_role("navigation", name="Account").get_by_role("link", name="Staff admin").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page).to_have_title(re.compile(r"^Dashboard"))
    # Wagtail titles the dashboard with the site's name, or with the home page's title for
    # people whose page permissions start below it (leads draft "You said, we did" changes).
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^\s*(Lived Experience Platform|Home)\s*$")
    )
    screenshot(page, "wagtail-admin")


@pytest.mark.parametrize("path", ["/", "/accounts/login/"], ids=["home", "login"])
def test_page_fits_a_320px_wide_screen_without_sideways_scrolling(
    live_server, new_page, screenshot, path
):
    page = new_page(viewport=SMALL_SCREEN)
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, "320px")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= SMALL_SCREEN["width"], (
        f"{path} scrolls sideways on a 320px screen: the page is {scroll_width}px wide"
    )
    axe_check(page)
