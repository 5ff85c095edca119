"""The charter in real Chromium (issue 8): the public progress page shows a measure off
track, with its rule in words; an HR lead signs in with their authenticator code, opens the
charter's dashboard in the Wagtail admin and enters the new quarter's reading (first for a
period that has not ended, which is refused with what they typed kept); the dashboard and
the public page then show the measure on track with the new reading, and the board report
is made in the background and downloaded as a PDF.

Site pages get the journey checks (styles, no console errors, axe: no serious or critical
problems, a screenshot); Wagtail admin pages get axe, the console check and a screenshot.
"""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from charter.models import Measure, Reading
from charter.periods import last_complete_period, period_label
from cms.models import ReportJob
from cms.roles import Role
from tests.browser.test_panels_journey import (
    LEAD_SECRET,
    check_admin,
    heading,
    sign_in,
    submit_refused,
)
from tests.factories import (
    CharterFactory,
    CommitmentFactory,
    MeasureFactory,
    OrganisationFactory,
    ReadingFactory,
    TargetFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MEASURE = "Peer workers with a progression plan"


@pytest.fixture
def check_admin_page(screenshot):
    return lambda page, name: check_admin(page, screenshot, name)


def test_hr_enters_a_reading_the_status_turns_green_on_the_dashboard_and_public_page(
    live_server, new_page, check_page, check_admin_page, settings
):
    settings.MFA_TOTP_TOLERANCE = 1
    today = timezone.localdate()
    quarter_start, quarter_end = last_complete_period(today, "quarterly")
    earlier_start, earlier_end = last_complete_period(
        quarter_start - timedelta(days=1), "quarterly"
    )
    organisation = OrganisationFactory(name="Northdale Health and Care NHS Foundation Trust")
    hr = UserFactory(
        first_name="Sam",
        roles=[Role.HR],
        organisation=organisation,
        mfa=LEAD_SECRET,
    )
    charter = CharterFactory(
        organisation=organisation,
        title="Lived Experience Charter",
        adopted_on=date(today.year - 2, 4, 1),
        published=True,
    )
    measure = MeasureFactory(
        commitment=CommitmentFactory(charter=charter, number=4, title="Clear progression pathways"),
        name=MEASURE,
        unit=Measure.Unit.PERCENT,
        better=Measure.Better.HIGHER,
        frequency=Measure.Frequency.QUARTERLY,
        baseline=Decimal("40"),
    )
    TargetFactory(measure=measure, due_on=date(today.year + 1, 3, 31), value=Decimal("80"))
    # Well behind a trajectory from 40% towards 80%: off track.
    ReadingFactory(
        measure=measure,
        period_start=earlier_start,
        period_end=earlier_end,
        value=Decimal("35"),
        note="Counted from the HR system.",
    )

    # --- The public sees the measure off track, and why ----------------------------------
    public = new_page()
    public.goto(f"{live_server.url}/charter/{organisation.slug}/")
    expect(heading(public, "Lived Experience Charter")).to_be_visible()
    main = public.get_by_role("main")
    expect(main).to_contain_text("Green: the latest reading is on or better than the trajectory")
    expect(main).to_contain_text("Red: further behind.")
    status = public.locator("h3", has_text=MEASURE).locator("xpath=following-sibling::p[1]")
    expect(status).to_contain_text("✗ Off track")
    expect(status).to_contain_text("35% is more than 8% (a tenth of the target) behind")
    check_page(public, "public-off-track")

    # --- HR signs in with their code and opens the charter's dashboard -------------------
    page = new_page()
    sign_in(page, live_server.url, hr.email, totp_secret=LEAD_SECRET)
    page.goto(f"{live_server.url}/admin/charters/")
    expect(page.get_by_role("link", name="Lived Experience Charter")).to_be_visible()
    check_admin_page(page, "admin-charters")
    page.get_by_role("button", name=re.compile("^More options for")).click()
    page.get_by_role("main").get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Charter dashboard")
    section = page.locator("section", has=page.get_by_role("heading", name=MEASURE))
    expect(section).to_contain_text("✗ Off track")
    summary = page.get_by_role("table", name="Each commitment's status")
    expect(
        summary.get_by_role("row", name=re.compile("Clear progression pathways"))
    ).to_contain_text("Off track")
    check_admin_page(page, "dashboard-off-track")

    # --- A reading for a period that has not ended is refused, nothing lost ---------------
    section.get_by_role("link", name="Enter a reading").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Enter a reading")
    # Wagtail 8 shows the title only to screen readers: the breadcrumbs say where HR are.
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumbs).to_contain_text("Lived Experience Charter")
    expect(breadcrumbs.get_by_text("Enter a reading")).to_be_visible()
    # The form offers the last quarter that has ended.
    expect(page.get_by_label("Period from")).to_have_value(quarter_start.strftime("%d/%m/%Y"))
    check_admin_page(page, "reading-form")
    future_end = today + timedelta(days=40)
    page.get_by_label("Period to (this day is included)").fill(future_end.isoformat())
    page.get_by_label("Reading").fill("85")
    page.get_by_label("Where the number comes from").fill("Progression plans counted in ESR.")
    page.keyboard.press("Escape")  # close Wagtail's date picker if it opened
    submit_refused(page, lambda: page.get_by_role("button", name="Save the reading").click())
    main = page.get_by_role("main")
    expect(main).to_contain_text("The period has not ended yet.")
    expect(main).to_contain_text(f"on or after {future_end.day} {future_end:%B %Y}")
    expect(page.get_by_label("Reading")).to_have_value("85")
    expect(page.get_by_label("Where the number comes from")).to_have_value(
        "Progression plans counted in ESR."
    )
    expect(page.get_by_label("Period to (this day is included)")).to_have_value(
        future_end.isoformat()
    )
    assert Reading.objects.filter(measure=measure).count() == 1
    check_admin_page(page, "reading-form-error")

    # The error links to its field; the good reading is saved.
    page.get_by_role("link", name=re.compile("^The period has not ended yet")).click()
    expect(page.get_by_label("Period to (this day is included)")).to_be_focused()
    page.get_by_label("Period to (this day is included)").fill(quarter_end.isoformat())
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Save the reading").click()

    # --- The dashboard shows the measure on track ----------------------------------------
    expect(page.get_by_role("heading", level=1)).to_contain_text("Charter dashboard")
    expect(page.get_by_text(f"The reading of “{MEASURE}” has been saved.")).to_be_visible()
    section = page.locator("section", has=page.get_by_role("heading", name=MEASURE))
    expect(section).to_contain_text("✓ On track")
    expect(section).to_contain_text("85% is on or better than the expected")
    expect(section.get_by_role("table", name=f"Readings and targets of {MEASURE}")).to_contain_text(
        period_label(quarter_start, quarter_end)
    )
    expect(
        summary.get_by_role("row", name=re.compile("Clear progression pathways"))
    ).to_contain_text("On track")
    check_admin_page(page, "dashboard-on-track")
    reading = Reading.objects.get(measure=measure, period_end=quarter_end)
    assert (reading.value, reading.entered_by) == (Decimal("85"), hr)

    # --- The public page now shows the new reading and status ---------------------------
    public.reload()
    status = public.locator("h3", has_text=MEASURE).locator("xpath=following-sibling::p[1]")
    expect(status).to_contain_text("✓ On track")
    expect(status).to_contain_text("85% is on or better than the expected")
    readings = public.get_by_role("table", name="Readings and targets")
    # Newest first, under the headings: next year's target, then the new reading.
    expect(readings.get_by_role("row").nth(1)).to_contain_text("Not due yet")
    latest = readings.get_by_role("row").nth(2)
    expect(latest.get_by_role("rowheader")).to_have_text(period_label(quarter_start, quarter_end))
    expect(latest.get_by_role("cell").first).to_contain_text("85%")
    # Who entered it: the organisation, never a member of staff's name, in public.
    expect(latest.get_by_role("cell").first).to_contain_text(
        "Entered by Northdale Health and Care NHS Foundation Trust on"
    )
    check_page(public, "public-on-track")

    # --- The board report is made in the background and downloaded -----------------------
    page.get_by_role("button", name="Make the board report (PDF)").click()
    expect(page.get_by_role("main")).to_contain_text("Your report is ready.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Board report")
    check_page(page, "board-report-ready")
    job = ReportJob.objects.get()
    assert page.url == f"{live_server.url}/reports/{job.pk}/"
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download the report")).click()
    assert re.fullmatch(
        r"charter-board-report-northdale-health-and-care-nhs-foundation-trust-"
        r"\d{4}-\d\d-\d\d\.pdf",
        download.value.suggested_filename,
    )
    content = download.value.path().read_bytes()
    assert content.startswith(b"%PDF")
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages
    )
    assert "Board report" in text
    assert MEASURE in text and "Clear progression pathways" in text
