"""Peer recruitment in real Chromium (issue 7): a member finds an open peer role on a phone,
applies (with a mistake on the way, and asking for reasonable adjustments), answers one
optional equality question and sees where their application is up to; HR signs in with their
authenticator code and takes the application through the Wagtail admin's pipeline
(shortlist, interview with a panel member with lived experience, offer with a start date,
the three pre-employment checks, started); the new peer worker signs in again and finds their
progression pathway and induction checklist.

Site pages get the journey checks (styles, no console errors, axe: no serious or critical
problems, a screenshot); Wagtail admin pages get axe, the console check and a screenshot.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from cms.permissions import has_role
from cms.roles import Role
from peers.factories import VacancyFactory, level
from peers.models import EqualityMonitoring, JobApplication, PeerWorker
from tests.browser.test_panels_journey import LEAD_SECRET, check_admin, heading, sign_in
from tests.factories import MemberFactory, OrganisationFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
ROLE = "Crisis café trainee peer support worker"
STATEMENT = "I used the crisis café two winters ago. I would like to be that person for someone."
ADJUSTMENTS = "The questions in advance, please, and a quiet room to wait in."


@pytest.fixture
def check_admin_page(screenshot):
    return lambda page, name: check_admin(page, screenshot, name)


def subjects_to(email: str) -> list[str]:
    return [message.subject for message in mail.outbox if message.to == [email]]


def test_member_applies_hr_moves_them_to_started_new_worker_sees_their_pathway(
    live_server, new_page, check_page, check_admin_page, settings
):
    settings.MFA_TOTP_TOLERANCE = 1
    today = timezone.localdate()
    start = today + timedelta(days=21)
    organisation = OrganisationFactory(name="Mind in Northdale")
    UserFactory(
        first_name="Hana",
        last_name="Okafor",
        email="hana@example.org",
        roles=[Role.HR],
        organisation=organisation,
        mfa=LEAD_SECRET,
    )
    trainee = level("trainee")
    vacancy = VacancyFactory(
        organisation=organisation,
        title=ROLE,
        level=trainee,
        hours_per_week=22.5,
        description="Be alongside people who come to the crisis café in the evenings.",
    )
    VacancyFactory(organisation=organisation, title="Ward peer support worker", closed=True)
    candidate = MemberFactory(first_name="Robin", last_name="Ellis", email="robin@example.org")
    mail.outbox.clear()

    # --- The member finds the role and applies on their phone ------------------------------
    page = new_page(PHONE)
    sign_in(page, live_server.url, candidate.email)
    page.goto(live_server.url + "/peer-roles/")
    expect(heading(page, "Peer roles")).to_be_visible()
    expect(page.get_by_role("heading", name="1 role open")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("Ward peer support worker")
    check_page(page, "peer-roles")

    page.get_by_role("link", name=ROLE).click()
    expect(heading(page, ROLE)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("22.5 hours a week")
    expect(page.get_by_role("main")).to_contain_text("We will make reasonable adjustments")
    check_page(page, "vacancy")

    page.get_by_role("button", name=re.compile("^Apply for this role")).click()
    expect(heading(page, f"Apply for {ROLE}")).to_be_visible()
    check_page(page, "apply")

    # Sent without agreeing to be contacted: the summary says so and nothing typed is lost.
    page.get_by_label("Why would you like this role?").fill(STATEMENT)
    page.get_by_label("Yes", exact=True).check()
    adjustments = page.get_by_label(re.compile(r"^Is there anything that would help you"))
    adjustments.fill(ADJUSTMENTS)
    page.get_by_role("button", name="Send your application").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("To apply, tick the box to agree")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("Why would you like this role?")).to_have_value(STATEMENT)
    expect(adjustments).to_have_value(ADJUSTMENTS)
    expect(page.get_by_label("Yes", exact=True)).to_be_checked()
    assert not JobApplication.objects.exists()
    check_page(page, "apply-error")

    page.get_by_label(re.compile("^I agree that the organisation may contact me")).check()
    page.get_by_label(re.compile("^I agree that the organisation keeps what I have")).check()
    page.get_by_role("button", name="Send your application").click()
    expect(heading(page, "Equality monitoring (optional)")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Your application has been sent.")
    application = JobApplication.objects.get(vacancy=vacancy, candidate=candidate)
    assert application.adjustments_requested == ADJUSTMENTS
    assert application.has_lived_experience
    assert subjects_to(candidate.email) == [f"We have your application for {ROLE}"]
    check_page(page, "equality")

    # One question answered, the rest left: every one is optional.
    page.get_by_role("group", name="What is your age?").get_by_label("35 to 44").check()
    page.get_by_label(re.compile("^I agree that my answers are used only")).check()
    page.get_by_role("button", name="Save your answers").click()
    expect(heading(page, f"Your application for {ROLE}")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Your answers have been saved.")
    expect(page.get_by_role("main")).to_contain_text(ADJUSTMENTS)
    answers = EqualityMonitoring.objects.get(application=application)
    assert (answers.age_band, answers.gender) == ("35_44", "")
    check_page(page, "application")

    page.get_by_role("link", name="Back to your applications").click()
    expect(heading(page, "Your applications for peer roles")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=ROLE)
    expect(row).to_contain_text("Applied")
    check_page(page, "applications")

    # --- HR signs in with their code and works the pipeline in the Wagtail admin -----------
    hr = new_page()
    sign_in(hr, live_server.url, "hana@example.org", totp_secret=LEAD_SECRET)
    hr.goto(live_server.url + f"/admin/vacancies/pipeline/{vacancy.pk}/")
    applied = hr.locator("section", has=hr.get_by_role("heading", name="Applied (1)"))
    expect(applied).to_contain_text("Adjustments requested")
    check_admin_page(hr, "admin-pipeline")

    applied.get_by_role("link", name="Robin Ellis").click()
    main = hr.get_by_role("main")
    expect(main).to_contain_text(STATEMENT)
    expect(main).to_contain_text(ADJUSTMENTS)
    check_admin_page(hr, "admin-application")

    hr.get_by_role("button", name="Shortlist and email Robin Ellis").click()
    expect(
        hr.get_by_text("Robin Ellis is shortlisted. We have emailed Robin Ellis.")
    ).to_be_visible()

    agreed = "Questions sent two days before. A quiet room is booked for you to wait in."
    adjustments = hr.locator('section[aria-labelledby="action-adjustments"]')
    adjustments.get_by_label("Adjustments agreed").fill(agreed)
    adjustments.get_by_role("button", name="Save adjustments agreed").click()
    expect(hr.get_by_text("Adjustments agreed saved.")).to_be_visible()

    interview = hr.locator("section", has=hr.get_by_role("heading", name="Arrange the interview"))
    interview_day = today + timedelta(days=7)
    interview.get_by_label("Date and time of the interview").fill(f"{interview_day}T10:30")
    interview.get_by_label("Panel member 1: name").fill("Hana Okafor")
    interview.get_by_label("Panel member 1: role").fill("HR adviser")
    interview.get_by_label("Panel member 2: name").fill("Jo Price")
    interview.get_by_label("Panel member 2: role").fill("Peer lead")
    interview.get_by_label("Panel member 2 has lived experience").check()
    interview.get_by_label("Panel member 1: name").scroll_into_view_if_needed()
    check_admin_page(hr, "admin-interview-form")
    interview.get_by_role("button", name="Save the interview and email Robin Ellis").click()
    expect(hr.get_by_text("Interview arranged for Robin Ellis. We have emailed")).to_be_visible()
    expect(main).to_contain_text("Jo Price, Peer lead (lived experience)")
    expect(main).not_to_contain_text("No one on this interview panel has lived experience")
    [invitation] = [m for m in mail.outbox if m.subject == f"Your interview for {ROLE}"]
    assert invitation.to == [candidate.email]
    assert f"{interview_day:%A} {interview_day.day} {interview_day:%B %Y} at 10:30am" in (
        invitation.body
    )
    assert agreed in invitation.body

    offer = hr.locator("section", has=hr.get_by_role("heading", name="Make an offer"))
    expect(offer.get_by_label("Date of the offer")).to_have_value(today.isoformat())
    offer.get_by_label("Proposed start date").fill(start.isoformat())
    offer.get_by_role("button", name="Save the offer").click()
    expect(hr.get_by_text("Offer recorded for Robin Ellis.")).to_be_visible()
    hr.get_by_role("button", name="Start pre-employment checks").click()
    expect(hr.get_by_text("Pre-employment checks started for Robin Ellis.")).to_be_visible()
    hr.locator('section[aria-labelledby="check-references"]').scroll_into_view_if_needed()
    check_admin_page(hr, "admin-checks")

    for kind, label in (
        ("dbs", "DBS check"),
        ("occupational_health", "Occupational health"),
        ("references", "References"),
    ):
        check = hr.locator(f'section[aria-labelledby="check-{kind}"]')
        check.get_by_label("Date requested").fill((today - timedelta(days=10)).isoformat())
        check.get_by_label("Date completed").fill((today - timedelta(days=1)).isoformat())
        check.get_by_label("Outcome").select_option(label="Satisfactory")
        check.get_by_role("button", name=f"Save this check ({label})").click()
        expect(hr.get_by_text(f"{label} saved.")).to_be_visible()
        expect(hr.get_by_role("heading", name=f"{label}: satisfactory")).to_be_visible()

    starting = hr.locator('section[aria-labelledby="action-start"]')
    expect(starting).not_to_contain_text("Still to do")
    expect(starting.get_by_label("Start date")).to_have_value(start.isoformat())
    starting.scroll_into_view_if_needed()
    check_admin_page(hr, "admin-ready-to-start")
    starting.get_by_role("button", name="Record the start").click()
    expect(
        hr.get_by_text("Robin Ellis has started. Their peer worker record is made.")
    ).to_be_visible()
    expect(main).to_contain_text("(peer worker record made)")
    check_admin_page(hr, "admin-started")

    hr.get_by_role("link", name="Back to the pipeline").click()
    started = hr.locator("section", has=hr.get_by_role("heading", name="Started (1)"))
    expect(started).to_contain_text("Robin Ellis")
    check_admin_page(hr, "admin-pipeline-started")

    worker = PeerWorker.objects.get(user=candidate)
    assert (worker.organisation, worker.level, worker.start_date) == (organisation, trainee, start)
    assert has_role(candidate, Role.PEER_WORKER)
    assert subjects_to(candidate.email) == [
        f"We have your application for {ROLE}",
        f"You have been shortlisted for {ROLE}",
        f"Your interview for {ROLE}",
        f"An offer for {ROLE}",
        f"Pre-employment checks for {ROLE}",
        f"Welcome to your new role: {ROLE}",
    ]

    # --- The new peer worker signs in again and finds their pathway ------------------------
    page.context.clear_cookies()
    sign_in(page, live_server.url, candidate.email)
    page.goto(live_server.url + "/peer-roles/applications/")
    expect(page.get_by_role("row").filter(has_text=ROLE)).to_contain_text("Started")
    page.get_by_role("link", name=ROLE).click()
    expect(page.get_by_role("main")).to_contain_text(f"You started on {start:%A} {start.day}")
    expect(page.get_by_role("main")).to_contain_text(agreed)
    page.goto(live_server.url + "/peer-work/pathway/")
    expect(heading(page, "Your pathway")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(f"You are a {trainee.name}")
    next_level = level("peer-support-worker").name
    expect(page.get_by_role("heading", name=f"What is left for {next_level}")).to_be_visible()
    check_page(page, "pathway")

    page.get_by_role("link", name="See your induction checklist").click()
    expect(heading(page, "Your induction")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"0 of \d+ steps done"))
    expect(page.get_by_role("heading", name="Buddy assigned")).to_be_visible()
    check_page(page, "induction")
