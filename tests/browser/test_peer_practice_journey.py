"""A peer worker's day in real Chromium on a phone-sized screen (issue 6): they log a session
using only the keyboard (with a mistake on the way), raise a safeguarding concern with it,
and their supervisor signs in with their authenticator code, sees the concern at the top of
My space and acknowledges it with the action taken. Every page gets the journey checks
(styles, no console errors, axe: no serious or critical problems, a screenshot)."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from peers.models import SafeguardingConcern, SessionLog
from tests.browser.test_panels_journey import LEAD_SECRET, heading, sign_in
from tests.factories import OrganisationFactory, PeerWorkerFactory, SupervisorFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}


def press(page, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)


def test_worker_logs_a_session_by_keyboard_raises_a_concern_supervisor_acknowledges(
    live_server, new_page, check_page, settings
):
    settings.MFA_TOTP_TOLERANCE = 1
    organisation = OrganisationFactory(name="Mind in Northdale")
    supervisor = SupervisorFactory(
        first_name="Priya",
        last_name="Shah",
        email="priya@example.org",
        organisation=organisation,
        mfa=LEAD_SECRET,
    )
    PeerWorkerFactory(
        user__first_name="Alex",
        user__last_name="Morgan",
        user__email="alex@example.org",
        organisation=organisation,
        supervisors=[supervisor],
    )

    worker = new_page(PHONE)
    sign_in(worker, live_server.url, "alex@example.org")
    check_page(worker, "worker-my-space")

    worker.get_by_role("button", name="Log a session").first.focus()
    press(worker, "Enter")
    expect(heading(worker, "Log a session")).to_be_visible()
    check_page(worker, "log-a-session")

    # The date is today already; the length is typed wrong first.
    worker.get_by_label("How long was it, in minutes?").focus()
    press(worker, "Control+A")
    worker.keyboard.type("0")
    press(worker, "Tab")  # into the settings: the first radio
    press(worker, "ArrowDown", 2)  # Crisis café -> Ward -> Community
    expect(worker.get_by_label("Community", exact=True)).to_be_checked()
    worker.get_by_label("Your reference for the person (optional)").focus()
    worker.keyboard.type("JT-cafe-3")
    worker.get_by_label("Private notes (optional)").focus()
    worker.keyboard.type("Talked about money worries and the food bank.")
    worker.get_by_label("I need to raise a safeguarding concern").focus()
    press(worker, "Space")
    worker.get_by_label("Needs action today").focus()
    press(worker, "Space")
    worker.get_by_label("What happened, and who may be at risk?").focus()
    worker.keyboard.type("They said a neighbour has been threatening them.")
    worker.get_by_role("button", name="Log this session").focus()
    press(worker, "Enter")

    summary = worker.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The session must be at least 1 minute long")
    expect(worker.get_by_label("Your reference for the person (optional)")).to_have_value(
        "JT-cafe-3"
    )
    expect(worker.get_by_label("What happened, and who may be at risk?")).to_have_value(
        "They said a neighbour has been threatening them."
    )
    assert not SessionLog.objects.exists()
    check_page(worker, "log-a-session-error")

    summary.get_by_role("link", name="The session must be at least 1 minute long").focus()
    press(worker, "Enter")
    press(worker, "Control+A")
    worker.keyboard.type("45")
    worker.get_by_role("button", name="Log this session").focus()
    press(worker, "Enter")

    expect(worker.get_by_role("main")).to_contain_text("safeguarding concern raised")
    concern = SafeguardingConcern.objects.get()
    assert concern.session.duration_minutes == 45
    assert concern.session.person_reference == "JT-cafe-3"
    [alert] = [m for m in mail.outbox if "priya@example.org" in m.to]
    assert "neighbour" not in alert.body  # the email says a concern exists, never what
    check_page(worker, "concern-raised")

    lead = new_page(PHONE)
    sign_in(lead, live_server.url, "priya@example.org", totp_secret=LEAD_SECRET)
    first_panel = lead.locator("main section").first
    expect(first_panel).to_contain_text("Raised by Alex Morgan")
    check_page(lead, "supervisor-my-space")

    first_panel.get_by_role("link", name="Raised by Alex Morgan").click()
    expect(lead.get_by_role("main")).to_contain_text("a neighbour has been threatening them")
    check_page(lead, "concern")
    lead.get_by_role("button", name="Acknowledge and save").click()
    expect(lead.locator(".nhsuk-error-summary")).to_be_visible()
    check_page(lead, "concern-acknowledge-error")
    lead.get_by_role("textbox").last.fill("Called them back; referral made to adult safeguarding.")
    lead.get_by_role("button", name="Acknowledge and save").click()
    expect(lead.get_by_role("main")).to_contain_text("referral made to adult safeguarding")
    check_page(lead, "concern-acknowledged")

    concern.refresh_from_db()
    assert concern.acknowledged_at is not None
    assert concern.acknowledged_by == supervisor

    worker.goto(live_server.url + "/my-space/")
    expect(worker.get_by_role("main")).not_to_contain_text("waiting for a supervisor")
