"""Joining a panel in real Chromium (issue 4): a member finds a recruiting panel and applies
using only the keyboard (with a mistake on the way), an engagement lead signs in with their
authenticator code and accepts the application in the Wagtail admin, and the member then
sees the panel's meeting in My space and on their meetings page and downloads its calendar
file.

Site pages get the journey checks (styles, no console errors, axe: no serious or critical
problems, a screenshot); Wagtail admin pages get axe, the console check and a screenshot.
"""

import re
import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from cms.roles import Role
from coproduce.models import PanelApplication
from tests.browser.conftest import assert_no_console_errors, axe_check
from tests.factories import (
    DEMO_PASSWORD,
    InvolvementProfileFactory,
    MeetingFactory,
    MemberFactory,
    OrganisationFactory,
    PanelFactory,
    UserFactory,
)

# The roles' groups come from data migrations, which a transactional test's flush would
# remove: serialized_rollback puts them back before each test.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LEAD_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - a test's own authenticator


def heading(page, text: str):
    return page.get_by_role("heading", level=1, name=text, exact=True)


def totp_at(secret: str, timestamp: float) -> str:
    """The code an authenticator app shows at ``timestamp``."""
    return format_hotp_value(hotp_value(secret, int(timestamp) // mfa_settings.TOTP_PERIOD))


def sign_in(page, base_url: str, email: str, *, totp_secret: str | None = None) -> None:
    """Sign in on the site's own page, typing the authenticator code when asked for one."""
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    password = page.get_by_label("Password", exact=True)
    password.fill(DEMO_PASSWORD)
    password.press("Enter")
    if totp_secret:
        code = page.get_by_label("Code", exact=True)
        expect(code).to_be_visible()
        # The live server runs in this process: with its clock pinned from typing the code
        # until the answer arrives, a 30-second window cannot turn over in between.
        with time_machine.travel(time.time(), tick=False):
            code.fill(totp_at(totp_secret, time.time()))
            code.press("Enter")
            expect(heading(page, "My space")).to_be_visible()
        return
    expect(heading(page, "My space")).to_be_visible()


def check_admin(page, screenshot, name: str) -> None:
    """Wagtail's admin has its own styles (no NHS.UK header): the rest of the journey checks."""
    page.wait_for_load_state("load")
    # Wagtail fades its messages in: measured half-way, their colours fail contrast.
    # (Its "what's new" badge pings for 25 seconds, and is not waited for.)
    page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter(a => a.effect.getComputedTiming().endTime <= 2000)
            .map(a => a.finished))"""
    )
    screenshot(page, name)
    assert_no_console_errors(page)
    axe_check(page)


BAD_REQUEST_LOGGED = (
    "Failed to load resource: the server responded with a status of 400 (Bad Request)"
)


def submit_refused(page, submit) -> None:
    """Send a form the site refuses: the page comes back with status 400, as it should,
    and the browser logs that to the console. That one entry is expected; any other
    console error still fails the page's checks."""
    with (
        page.expect_console_message(lambda message: message.text == BAD_REQUEST_LOGGED),
        page.expect_response(lambda r: r.request.resource_type == "document") as answer,
    ):
        submit()
    assert answer.value.status == 400
    page.wait_for_load_state("load")
    page.console_errors.remove(BAD_REQUEST_LOGGED)


@pytest.fixture
def check_admin_page(screenshot):
    return lambda page, name: check_admin(page, screenshot, name)


def test_member_applies_by_keyboard_lead_accepts_member_downloads_the_meeting(
    live_server, new_page, check_page, check_admin_page, settings
):
    # The code is worked out a moment before the server checks it; one period either side
    # keeps a 30-second boundary falling in between from failing the test.
    settings.MFA_TOTP_TOLERANCE = 1
    organisation = OrganisationFactory(name="Northdale Health and Care NHS Foundation Trust")
    lead = UserFactory(
        first_name="Chris",
        roles=[Role.ENGAGEMENT_LEAD],
        organisation=organisation,
        mfa=LEAD_SECRET,
    )
    panel = PanelFactory(
        organisation=organisation,
        title="Crisis café redesign",
        recruiting=True,
        seats=6,
        applications_close_on=timezone.localdate() + timedelta(days=30),
    )
    meeting = MeetingFactory(panel=panel, title="Welcome to the crisis café panel")
    member = MemberFactory(first_name="Robin", email="robin@example.org")
    InvolvementProfileFactory(user=member, display_name="Robin", access_needs=["large_print"])
    mail.outbox.clear()

    # --- The member finds the panel and applies, with the keyboard only -------------------
    page = new_page()
    sign_in(page, live_server.url, member.email)
    page.goto(live_server.url + "/panels/")
    expect(heading(page, "Join a design panel")).to_be_visible()
    check_page(page, "panels")
    page.get_by_role("link", name="Crisis café redesign").click()
    expect(heading(page, "Crisis café redesign")).to_be_visible()
    check_page(page, "panel")

    page.get_by_role("button", name="Apply to join Crisis café redesign").focus()
    page.keyboard.press("Enter")
    expect(heading(page, "Apply to join Crisis café redesign")).to_be_visible()
    large_print = page.get_by_label("Large print papers")
    expect(large_print).to_be_checked()  # filled in from the member's profile
    check_page(page, "apply")

    # Sent without the statement: the summary says what to do and nothing ticked is lost.
    page.get_by_label("A quiet space to take a break").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Send your application").focus()
    page.keyboard.press("Enter")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Tell us why you would like to join this panel.")
    expect(summary).to_contain_text("To apply, tick the box to agree")
    expect(page.get_by_label("A quiet space to take a break")).to_be_checked()
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, "apply-error")

    # The summary's link takes the keyboard straight to the field.
    summary.get_by_role("link", name="Tell us why you would like to join this panel.").focus()
    page.keyboard.press("Enter")
    statement = page.get_by_label("Why would you like to join this panel?")
    expect(statement).to_be_focused()
    page.keyboard.type("I used the crisis café last winter and would like it to be easier to find.")
    page.get_by_label(re.compile("^I agree that the partnership keeps my involvement")).focus()
    page.keyboard.press("Space")
    page.get_by_label(re.compile("^I agree that the partnership keeps my access needs")).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Send your application").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_contain_text("Your application has been sent.")
    check_page(page, "application-sent")
    application = PanelApplication.objects.get(panel=panel, applicant=member)
    assert application.status == PanelApplication.Status.PENDING
    assert set(application.access_needs) == {"large_print", "quiet_space"}

    # --- The lead signs in with their code and accepts in the Wagtail admin ---------------
    lead_page = new_page()
    sign_in(lead_page, live_server.url, lead.email, totp_secret=LEAD_SECRET)
    lead_page.goto(live_server.url + f"/admin/panel-applications/?panel={panel.pk}")
    applicant = lead_page.get_by_role("link", name="Robin", exact=True)
    expect(applicant).to_be_visible()
    check_admin_page(lead_page, "admin-applications")
    applicant.click()
    expect(lead_page.get_by_role("main")).to_contain_text(
        "I used the crisis café last winter and would like it to be easier to find."
    )
    expect(lead_page.get_by_role("main")).to_contain_text("Large print papers")
    check_admin_page(lead_page, "admin-decide")
    lead_page.get_by_label("Accept: offer a place on the panel").check()
    lead_page.get_by_label("Note to the applicant").fill("Welcome aboard. See you soon.")
    lead_page.get_by_role("button", name="Save decision and email Robin").click()
    expect(lead_page.get_by_text("Robin: accepted. They have been emailed.")).to_be_visible()
    check_admin_page(lead_page, "admin-accepted")
    application.refresh_from_db()
    assert (application.status, application.decided_by) == ("accepted", lead)
    assert any(message.to == [member.email] for message in mail.outbox)

    # --- The member sees the meeting and adds it to their calendar ------------------------
    page.goto(live_server.url + "/my-space/")
    meetings = page.locator("section", has=page.get_by_role("heading", name="Your next meetings"))
    expect(meetings).to_contain_text("Welcome to the crisis café panel")
    check_page(page, "my-space")
    page.get_by_role("link", name="See all your meetings").click()
    expect(heading(page, "Your meetings")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Crisis café redesign")
    check_page(page, "meetings")
    page.get_by_role("link", name="Welcome to the crisis café panel").click()
    expect(heading(page, "Welcome to the crisis café panel")).to_be_visible()
    check_page(page, "meeting")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("^Add to my calendar")).click()
    assert download.value.suggested_filename.endswith(".ics")
    calendar = download.value.path().read_text(encoding="utf-8")
    assert calendar.startswith("BEGIN:VCALENDAR")
    assert "BEGIN:VEVENT" in calendar
    assert "Welcome to the crisis café panel" in calendar.replace("\r\n ", "")
    assert str(meeting.uid) in calendar


def test_lead_asks_for_a_panels_impact_report_and_downloads_it(
    live_server, new_page, check_page, check_admin_page, settings
):
    settings.MFA_TOTP_TOLERANCE = 1
    organisation = OrganisationFactory(name="Northdale Health and Care NHS Foundation Trust")
    lead = UserFactory(roles=[Role.ENGAGEMENT_LEAD], organisation=organisation, mfa=LEAD_SECRET)
    panel = PanelFactory(organisation=organisation, title="Crisis café redesign")
    MeetingFactory(panel=panel, past=True, title="Finding the café")

    page = new_page()
    sign_in(page, live_server.url, lead.email, totp_secret=LEAD_SECRET)
    page.goto(live_server.url + "/admin/")
    page.get_by_role("button", name="Reports").click()
    page.get_by_role("link", name="Panel impact").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Panel impact report")
    check_admin_page(page, "impact-form")

    page.get_by_label("Which panels").select_option(label="Crisis café redesign (active)")
    today = timezone.localdate()
    page.get_by_label("From").fill(today.isoformat())
    page.get_by_label("To (this day is included)").fill((today - timedelta(days=1)).isoformat())
    # Wagtail's date picker stays open over the button; the keyboard goes straight on.
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Make the report")).to_be_focused()
    submit_refused(page, lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("main")).to_contain_text(
        "The end date must be the same as or after the start date"
    )
    expect(page.get_by_label("From")).to_have_value(today.isoformat())
    check_admin_page(page, "impact-form-error")

    page.get_by_label("From").fill((today - timedelta(days=90)).isoformat())
    page.get_by_label("To (this day is included)").fill(today.isoformat())
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Panel impact report")
    expect(page.get_by_role("main")).to_contain_text("Your report is ready.")
    check_page(page, "impact-ready")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download the report")).click()
    assert re.fullmatch(
        r"panel-impact-crisis-cafe-redesign-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.pdf",
        download.value.suggested_filename,
    )
    assert download.value.path().read_bytes().startswith(b"%PDF")
