"""The panel impact report: what a panel (or all of an organisation's panels) did in a
period, counted from hand-built records, made as a PDF in the background with progress, and
asked for by leads of the panel's organisation only."""

import io
import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from cms import jobs
from cms.models import ReportJob
from coproduce import audit_actions
from coproduce.choices import CoproductionLevel, PaymentChoice
from coproduce.models import Attendance, InvolvementClaim
from coproduce.reports import impact_report_pdf
from coproduce.selectors import impact as impact_selectors
from coproduce.selectors.impact import panel_impact
from coproduce.services import Refused
from coproduce.services.impact import (
    IMPACT_REPORT,
    impact_report_generate,
    impact_report_may_request,
    impact_report_request,
    period_problem,
)
from tests.conftest import sign_in
from tests.factories import (
    AttendanceFactory,
    ExpenseFactory,
    FeedbackFactory,
    InvolvementClaimFactory,
    MeetingFactory,
    MemberFactory,
    OfferPageFactory,
    PanelFactory,
    ServiceChangePageFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=LONDON)
START, END = date(2026, 1, 1), date(2026, 6, 30)
Status = InvolvementClaim.Status


def at(year, month, day, hour=10) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=LONDON)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def meeting(panel, when: datetime, **kwargs):
    return MeetingFactory(panel=panel, starts_at=when, ends_at=when + timedelta(hours=2), **kwargs)


def attended(meeting_, member, hours="2.00", *, claim: str | None = None, **claim_kwargs):
    """An attendance, and (when ``claim`` names a status) its claim in that state."""
    attendance = AttendanceFactory(meeting=meeting_, member=member, hours=Decimal(hours))
    if claim is None:
        return attendance
    state = {} if claim == "draft" else {claim: True}
    return InvolvementClaimFactory(attendance=attendance, **state, **claim_kwargs)


def paid(claim, amount: str, expenses: str | None = None):
    """Fix the approved (paid) amount, as approval does, with an expense if given."""
    if expenses:
        ExpenseFactory(claim=claim, amount=Decimal(expenses))
    InvolvementClaim.objects.filter(pk=claim.pk).update(amount_approved=Decimal(amount))


@pytest.fixture
def panel(organisation):
    return PanelFactory(
        organisation=organisation,
        title="Crisis café redesign",
        coproduction_level=CoproductionLevel.CO_PRODUCTION,
        hourly_rate=Decimal("15.00"),
    )


@pytest.fixture
def busy_panel(panel, other_organisation):
    """Six months of a panel's work, with records just outside the period and of another
    panel that must not be counted."""
    ana, ben, cat, dev, eve = (
        MemberFactory(first_name=n) for n in ["Ana", "Ben", "Cat", "Dev", "Eve"]
    )
    first = meeting(panel, at(2026, 2, 10), title="Finding the café")
    second = meeting(panel, at(2026, 4, 14), title="The first hour")
    meeting(panel, at(2026, 5, 5), title="Cancelled one", cancelled=True)
    meeting(panel, at(2026, 6, 20), title="Still to come")
    before = meeting(panel, at(2025, 12, 10), title="Last year")

    paid(attended(first, ana, claim="paid"), "34.80", expenses="4.80")  # 2 h × £15 + £4.80
    paid(
        attended(first, ben, claim="paid", payment_choice=PaymentChoice.NOT_PAID),
        "3.00",
        expenses="3.00",
    )
    attended(first, cat, claim="approved")
    AttendanceFactory(meeting=first, member=eve, status=Attendance.Status.APOLOGIES, hours=None)
    paid(attended(second, ana, "2.50", claim="paid"), "37.50")
    attended(second, dev, "2.50", claim="draft")
    paid(attended(before, eve, claim="paid"), "30.00")

    theirs = PanelFactory(organisation=other_organisation, title="Their panel")
    paid(attended(meeting(theirs, at(2026, 3, 3)), eve, claim="paid"), "99.00")

    offer = OfferPageFactory(title="Open Door Crisis Café", provider=panel.organisation)
    in_progress = ServiceChangePageFactory(
        title="Clearer signs to the café",
        panel=panel,
        offers=[offer],
        status="in_progress",
        updates=[(date(2025, 11, 1), "planned", ""), (date(2026, 3, 1), "in_progress", "")],
    )
    done = ServiceChangePageFactory(
        title="A quiet room",
        panel=panel,
        coproduction_level=CoproductionLevel.CO_DESIGN,
        updates=[(date(2026, 2, 1), "planned", ""), (date(2026, 5, 1), "done", "")],
    )
    finished_before = ServiceChangePageFactory(
        title="Old change", panel=panel, updates=[(date(2025, 6, 1), "done", "")]
    )
    ServiceChangePageFactory(
        title="Next year's change",
        slug="next-year",
        panel=panel,
        updates=[(date(2026, 9, 1), "planned", "")],
    )
    ServiceChangePageFactory(title="Their change", panel=theirs)
    for change, responses in ((in_progress, ["Thank you", "", "We hear you"]), (done, ["Yes"])):
        for response in responses:
            FeedbackFactory(offer=offer, service_change=change, public_response=response)
    FeedbackFactory(offer=offer, service_change=finished_before, public_response="Old")
    return panel


# --- What is counted -----------------------------------------------------------------------------


def test_a_panels_report_counts_its_meetings_people_payments_changes_and_feedback(busy_panel):
    impact = panel_impact(panel_id=busy_panel.pk, start=START, end=END, now=NOW)
    assert (impact.meetings_held, impact.meetings_cancelled, impact.meetings_to_come) == (2, 1, 1)
    assert impact.people_involved == 4  # Ana, Ben, Cat, Dev; Eve sent apologies
    assert impact.hours_given == Decimal("11.00")
    payments = impact.payments
    assert payments.claims_paid == 3
    assert payments.hours_paid == Decimal("4.50")  # Ben chose not to be paid for his time
    assert payments.money_paid == Decimal("75.30")
    assert payments.expenses_paid == Decimal("7.80")
    assert payments.paid_for_time == Decimal("67.50")
    assert payments.claims_not_yet_paid == 2
    assert [(c.title, c.status) for c in impact.changes] == [
        ("A quiet room", "done"),
        ("Clearer signs to the café", "in_progress"),
    ]
    assert impact.changes_by_status == {"planned": 0, "in_progress": 1, "done": 1}
    assert (impact.feedback_linked, impact.feedback_responded) == (4, 3)
    assert [m.title for m in impact.meetings] == ["Finding the café", "The first hour"]
    assert [m.attended for m in impact.meetings] == [3, 2]


def test_the_pdf_shows_the_panels_numbers_and_says_how_they_were_counted(busy_panel):
    impact = panel_impact(panel_id=busy_panel.pk, start=START, end=END, now=NOW)
    text = pdf_text(impact_report_pdf(impact))
    assert "Northdale Health NHS Trust" in text
    assert "Panel impact report Crisis café redesign 1 January 2026 to 30 June 2026" in text
    for figure in [
        "2 meetings held",
        "4 people involved",
        "4.5 hours paid",
        "£75.30 paid to members, with expenses",
        "2 service changes co-produced",
        "4 pieces of feedback behind them",
        "3 of them answered in public",
        "Co-production co-production level",
    ]:
        assert figure in text, figure
    assert "The panel held 2 meetings in this period. 1 meeting was cancelled." in text
    assert "1 more meeting is planned before the period ends." in text
    assert "4 different people took part, giving 11 hours of their time." in text
    assert "Paid for people's time £67.50 Expenses paid £7.80 Total paid £75.30" in text
    assert "2 claims for these meetings are not paid yet" in text
    assert "At the end of the period: planned 0, in progress 1, done 1." in text
    assert (
        "Clearer signs to the café Offers: Open Door Crisis Café In progress Co-production 3 (2)"
        in text
    )
    assert "A quiet room Done Co-design 1 (1)" in text
    assert "10 February 2026 Finding the café 3" in text
    assert "How these numbers are counted" in text
    assert "Old change" not in text and "Their panel" not in text and "Last year" not in text


def test_an_organisations_report_lists_every_panel_and_counts_each_person_once(
    organisation, other_organisation
):
    first = PanelFactory(organisation=organisation, title="Front door panel")
    second = PanelFactory(organisation=organisation, title="Letters panel", closed=True)
    PanelFactory(organisation=other_organisation, title="Their panel")
    ana, ben = MemberFactory(), MemberFactory()
    attended(meeting(first, at(2026, 2, 1)), ana)
    attended(meeting(first, at(2026, 3, 1)), ben)
    attended(meeting(second, at(2026, 2, 2)), ana)

    impact = panel_impact(organisation_id=organisation.pk, start=START, end=END, now=NOW)
    assert [row.panel.title for row in impact.panels] == ["Front door panel", "Letters panel"]
    assert [row.people_involved for row in impact.panels] == [2, 1]
    assert impact.people_involved == 2
    text = pdf_text(impact_report_pdf(impact))
    assert "All panels of Northdale Health NHS Trust" in text
    assert "The panels held 3 meetings in this period." in text
    assert "Front door panel Active · Co-design 2 2 0 £0.00 0" in text
    assert "Letters panel Closed · Co-design 1 1 0 £0.00 0" in text
    assert "Their panel" not in text


def test_a_quiet_period_says_so_instead_of_showing_empty_tables(panel):
    text = pdf_text(
        impact_report_pdf(panel_impact(panel_id=panel.pk, start=START, end=END, now=NOW))
    )
    assert "The panel held 0 meetings in this period." in text
    assert "No involvement claims for meetings in this period." in text
    assert "No published service change from this period names the panel yet." in text
    assert "No meetings were held in this period." in text


def test_a_period_with_one_of_each_speaks_of_each_in_the_singular(panel):
    ana = MemberFactory(first_name="Ana")
    first = meeting(panel, at(2026, 2, 10), title="Finding the café")
    paid(attended(first, ana, "1.00", claim="paid"), "15.00")
    offer = OfferPageFactory(title="Open Door Crisis Café", provider=panel.organisation)
    change = ServiceChangePageFactory(
        title="A quiet room", panel=panel, offers=[offer], updates=[(date(2026, 5, 1), "done", "")]
    )
    FeedbackFactory(offer=offer, service_change=change, public_response="Yes")
    text = pdf_text(
        impact_report_pdf(panel_impact(panel_id=panel.pk, start=START, end=END, now=NOW))
    )
    for figure in [
        "1 meeting held",
        "1 person involved",
        "1 hour paid",
        "1 service change co-produced",
        "1 piece of feedback behind it",
        "1 person took part, giving 1 hour of their time.",
    ]:
        assert figure in text, figure
    for slip in ["1 meetings", "1 people", "1 hours", "1 service changes", "1 pieces"]:
        assert slip not in text, slip


def test_what_people_typed_is_printed_as_written_never_as_markup(organisation):
    panel = PanelFactory(organisation=organisation, title="Tea & <b>biscuits</b> panel")
    meeting(panel, at(2026, 2, 1), title="<script>alert(1)</script>")
    text = pdf_text(
        impact_report_pdf(panel_impact(panel_id=panel.pk, start=START, end=END, now=NOW))
    )
    assert "Tea & <b>biscuits</b> panel" in text
    assert "<script>alert(1)</script>" in text


def test_the_pdf_has_a_title_for_screen_readers_and_file_lists(panel):
    data = impact_report_pdf(panel_impact(panel_id=panel.pk, start=START, end=END, now=NOW))
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == (
        "Panel impact report: Crisis café redesign, 1 January 2026 to 30 June 2026"
    )


def test_counting_costs_the_same_queries_for_a_few_meetings_or_many(organisation):
    panels = [PanelFactory(organisation=organisation) for _ in range(3)]
    offer = OfferPageFactory(provider=organisation)
    theme = ThemeFactory(name="Waiting times")
    made = itertools.count()

    def add(count):
        for _ in range(count):
            number = next(made)
            panel = panels[number % 3]
            held = meeting(panel, at(2026, 1 + number % 5, 1 + number % 27, 9 + number % 8))
            paid(attended(held, MemberFactory(), claim="paid"), "34.80", expenses="4.80")
            change = ServiceChangePageFactory(
                title=f"Change {number}", panel=panel, offers=[offer], themes=[theme]
            )
            FeedbackFactory(offer=offer, service_change=change, public_response="Thank you")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            impact_report_pdf(
                panel_impact(organisation_id=organisation.pk, start=START, end=END, now=NOW)
            )
        return len(captured)

    add(3)
    few = queries()
    add(27)
    assert queries() == few


# --- The period ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        (date(2026, 6, 16), date(2026, 6, 30), ("start", "must be today or in the past")),
        (date(2026, 3, 1), date(2026, 2, 28), ("end", "same as or after the start date")),
        (date(2020, 1, 1), date(2026, 6, 1), ("end", "up to 5 years long")),
        (date(1999, 12, 31), date(2000, 1, 31), ("start", "on or after 1 January 2000")),
    ],
)
def test_a_period_that_makes_no_sense_is_explained(start, end, problem):
    found = period_problem(start=start, end=end, today=date(2026, 6, 15))
    assert found is not None and found[0] == problem[0] and problem[1] in found[1]


def test_a_single_day_and_a_period_ending_in_the_future_are_fine():
    today = date(2026, 6, 15)
    assert period_problem(start=today, end=today, today=today) is None
    assert period_problem(start=date(2026, 4, 1), end=date(2026, 6, 30), today=today) is None


# --- Made in the background ---------------------------------------------------------------------


def test_progress_is_reported_as_each_part_is_counted(busy_panel):
    told = []
    with time_machine.travel(NOW, tick=False):
        filename, content = impact_report_generate(
            {"panel": busy_panel.pk, "start": "2026-01-01", "end": "2026-06-30"},
            lambda percent, message: told.append((percent, message)),
        )
    assert filename == "panel-impact-crisis-cafe-redesign-2026-01-01-to-2026-06-30.pdf"
    assert content.startswith(b"%PDF")
    percents = [percent for percent, _ in told]
    assert percents == sorted(percents) and len(told) >= 5
    assert told[-1] == (80, "Writing the PDF")
    assert "Counting meetings" in [message for _, message in told]


def test_while_a_report_is_made_its_status_page_shows_how_far_it_has_got(
    client, make_person, busy_panel, monkeypatch
):
    lead = make_person("engagement_lead")
    job = ReportJob.objects.create(
        kind=IMPACT_REPORT,
        title="Panel impact report",
        params={"panel": busy_panel.pk, "start": "2026-01-01", "end": "2026-06-30"},
        requested_by=lead,
    )
    sign_in(client, lead)
    seen = []
    counting = impact_selectors.count_payments

    def count_payments_and_look(*args, **kwargs):
        seen.append(client.get(f"/reports/{job.pk}/status.json").json())
        return counting(*args, **kwargs)

    monkeypatch.setattr(impact_selectors, "count_payments", count_payments_and_look)
    jobs.report_run(job_id=job.pk)
    assert seen == [
        {
            "status": "running",
            "status_label": "Being made",
            "progress": 50,
            "message": "Adding up payments",
            "download_url": None,
        }
    ]
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 100)


def test_a_lead_asks_for_a_report_and_downloads_it_from_its_status_page(
    client, make_person, busy_panel
):
    lead = make_person("engagement_lead")
    with time_machine.travel(NOW, tick=False):
        job = impact_report_request(user=lead, panel=busy_panel, start=START, end=END)
    job.refresh_from_db()
    assert (job.kind, job.status, job.progress) == (IMPACT_REPORT, "done", 100)
    assert job.title == (
        "Panel impact report: Crisis café redesign, 1 January 2026 to 30 June 2026"
    )
    entry = ModelLogEntry.objects.get(action=audit_actions.IMPACT_REPORT_REQUEST)
    assert (entry.user_id, entry.object_id, entry.data["start"]) == (
        lead.pk,
        str(busy_panel.pk),
        "2026-01-01",
    )
    sign_in(client, lead)
    assert "Your report is ready." in client.get(f"/reports/{job.pk}/").content.decode()
    download = client.get(f"/reports/{job.pk}/download/")
    assert download.status_code == 200
    assert "4 people involved" in pdf_text(b"".join(download.streaming_content))


def test_a_lead_who_moves_organisation_can_no_longer_download_the_old_report(
    client, make_person, panel, other_organisation
):
    lead = make_person("engagement_lead")
    job = impact_report_request(user=lead, panel=panel, start=START, end=date.today())
    lead.organisation = other_organisation
    lead.save()
    sign_in(client, lead)
    assert client.get(f"/reports/{job.pk}/download/").status_code == 404


# --- Who may ask --------------------------------------------------------------------------------


def test_leads_report_on_their_own_organisations_panels_and_admins_on_any(
    make_person, panel, organisation, other_organisation
):
    theirs = PanelFactory(organisation=other_organisation)
    lead, admin = make_person("engagement_lead"), make_person("admin")
    wide = make_person("engagement_lead", partnership_wide=True)
    for params, lead_may in [
        ({"panel": panel.pk}, True),
        ({"organisation": organisation.pk}, True),
        ({"panel": theirs.pk}, False),
        ({"organisation": other_organisation.pk}, False),
        ({"panel": 999999}, False),
        ({"panel": "not a number"}, False),
    ]:
        assert impact_report_may_request(lead, params) is lead_may, params
        exists = "not a number" != params.get("panel") != 999999
        assert impact_report_may_request(admin, params) is exists, params
        assert impact_report_may_request(wide, params) is exists, params


@pytest.mark.parametrize("role", ["member", "peer_worker", "supervisor", "hr", "finance", "editor"])
def test_people_who_do_not_lead_panels_cannot_ask_for_a_report(make_person, panel, role):
    person = make_person(role)
    with pytest.raises(Refused):
        impact_report_request(user=person, panel=panel, start=START, end=END)
    assert not ReportJob.objects.exists()


def test_a_facilitator_from_another_organisation_cannot_ask_for_the_panels_report(
    make_person, panel, other_organisation
):
    visitor = make_person("engagement_lead", organisation=other_organisation)
    panel.facilitators.add(visitor)
    with pytest.raises(Refused, match="your own organisation's panels"):
        impact_report_request(user=visitor, panel=panel, start=START, end=END)
    assert not ReportJob.objects.exists()


def test_a_period_that_makes_no_sense_is_refused_and_nothing_is_made(make_person, panel):
    lead = make_person("engagement_lead")
    with pytest.raises(Refused, match="same as or after the start date"):
        impact_report_request(user=lead, panel=panel, start=END, end=START)
    assert not ReportJob.objects.exists()
    assert not ModelLogEntry.objects.filter(action=audit_actions.IMPACT_REPORT_REQUEST).exists()


# --- The admin page leads ask from ---------------------------------------------------------------

URL = "/admin/reports/panel-impact/"


def page_text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


@pytest.fixture
def lead(client, make_person):
    person = make_person("engagement_lead")
    sign_in(client, person)
    return person


def test_the_form_offers_only_the_leads_own_organisations_panels(
    client, lead, panel, other_organisation
):
    PanelFactory(organisation=other_organisation, title="Their panel")
    response = client.get(URL)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    options = [o.get_text(strip=True) for o in soup.select("select[name=scope] option")]
    assert options == ["Choose which panels", "All panels", "Crisis café redesign (active)"]
    assert soup.select_one("select[name=scope] option[selected]")["value"] == (
        f"organisation:{panel.organisation_id}"
    )


def test_opening_the_form_from_a_panel_chooses_that_panel(client, lead, panel):
    soup = BeautifulSoup(client.get(f"{URL}?panel={panel.pk}").content, "html.parser")
    assert soup.select_one("select[name=scope] option[selected]")["value"] == f"panel:{panel.pk}"


def test_asking_sends_the_lead_to_the_reports_status_page(client, lead, panel):
    response = client.post(
        URL, {"scope": f"panel:{panel.pk}", "start": "2026-01-01", "end": "30/06/2026"}
    )
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{job.pk}/"
    assert job.params == {"panel": panel.pk, "start": "2026-01-01", "end": "2026-06-30"}
    assert job.status == "done"
    listed = page_text(client.get(URL))
    assert "Your recent impact reports" in listed and "Crisis café redesign" in listed


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-03-01", "2026-02-01", "The end date must be the same as or after the start date"),
        ("2999-01-01", "2999-02-01", "The start date must be today or in the past"),
        ("31/02/2026", "2026-03-01", "Enter the start date of the period as a real date"),
        ("2026-01-01", "", "Enter the end date of the period"),
        ("2015-01-01", "2026-01-01", "The period can be up to 5 years long"),
    ],
)
def test_a_bad_period_is_explained_nothing_is_made_and_what_was_typed_is_kept(
    client, lead, panel, start, end, message
):
    response = client.post(URL, {"scope": f"panel:{panel.pk}", "start": start, "end": end})
    assert response.status_code == 400
    assert message in page_text(response)
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("input[name=start]")["value"] == start
    assert soup.select_one("select[name=scope] option[selected]")["value"] == f"panel:{panel.pk}"
    assert not ReportJob.objects.exists()


def test_guessing_another_organisations_panel_or_organisation_makes_nothing(
    client, lead, other_organisation
):
    theirs = PanelFactory(organisation=other_organisation)
    for scope in [f"panel:{theirs.pk}", f"organisation:{other_organisation.pk}", "panel:x", ""]:
        response = client.post(URL, {"scope": scope, "start": "2026-01-01", "end": "2026-02-01"})
        assert response.status_code == 400
        assert "Choose a panel, or all your organisation's panels" in page_text(response)
    assert not ReportJob.objects.exists()


def test_an_admin_chooses_among_every_organisations_panels(
    client, make_person, panel, other_organisation
):
    PanelFactory(organisation=other_organisation, title="Their panel")
    sign_in(client, make_person("admin"))
    text = page_text(client.get(URL))
    assert "All panels of Northdale Health NHS Trust" in text
    assert "All panels of Southmoor Council" in text
    assert "Their panel (Southmoor Council, active)" in text


def test_a_lead_without_an_organisation_is_told_what_to_do(client, make_person):
    sign_in(client, make_person("engagement_lead", organisation=None))
    response = client.get(URL)
    assert response.status_code == 200
    assert "not linked to an organisation" in page_text(response)


@pytest.mark.parametrize("role", ["hr", "finance", "editor"])
def test_other_staff_are_turned_away_from_the_form_and_its_menu(client, make_person, role):
    sign_in(client, make_person(role))
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert "Panel impact" not in client.get("/admin/").content.decode()


def test_leads_find_the_report_in_the_reports_menu(client, lead):
    assert URL in client.get("/admin/").content.decode()


def test_the_form_costs_the_same_queries_for_a_few_panels_or_many(client, lead, organisation):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    for _ in range(3):
        PanelFactory(organisation=organisation)
    count()
    few = count()
    for _ in range(27):
        PanelFactory(organisation=organisation)
    assert count() == few
