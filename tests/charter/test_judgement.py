"""Fair judgement of a charter's measures (issue 17): baselines with their dates, a lone
first reading not judged against itself, targets met or missed only on a reading at or
after their date, out-of-date readings flagged, every figure labelled computed or entered,
and each published version of a charter in public, with its chart and table agreeing."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.utils import timezone
from pypdf import PdfReader

from charter.models import Charter, Measure
from charter.reports import board_report_pdf
from charter.selectors import charter_progress
from tests.factories import (
    CharterFactory,
    CommitmentFactory,
    MeasureFactory,
    ReadingFactory,
    TargetFactory,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 20)


def at(day: date):
    """Freeze the clock at noon on ``day`` (UK time)."""
    return time_machine.travel(
        timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 12)), tick=False
    )


def text_of(response) -> str:
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(soup.get_text(" ").split())


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


@pytest.fixture
def hr(make_person):
    return make_person("hr", first_name="Morgan", last_name="Hughes")


@pytest.fixture
def measure(charter):
    """Quarterly, higher is better, no baseline; 60% by 31 March 2026."""
    measure = MeasureFactory(
        commitment=CommitmentFactory(charter=charter, number=1, title="Clear progression pathways"),
        name="Peer workers promoted",
    )
    TargetFactory(measure=measure, due_on=date(2026, 3, 31), value=Decimal("60"), note="")
    return measure


def quarter(measure, start: date, end: date, value: str, **kwargs):
    return ReadingFactory(
        measure=measure, period_start=start, period_end=end, value=Decimal(value), **kwargs
    )


def the_measure(progress):
    return progress.commitments[0].measures[0]


# --- Baselines and the starting point -------------------------------------------------------


def test_a_lone_early_reading_is_not_yet_judged_where_it_was_once_on_track(measure):
    quarter(measure, date(2025, 10, 1), date(2025, 12, 31), "20")
    progress = charter_progress(measure.commitment.charter_id, today=date(2026, 1, 20))
    result = the_measure(progress)
    assert (result.status.colour, result.status.label) == ("grey", "Not yet judged")
    assert result.status.reason.startswith("A second reading is needed")
    assert result.rows[0].expected == "Starting point"
    assert progress.commitments[0].status.label == "Not yet judged"


def test_the_trajectory_starts_at_the_baseline_on_its_own_date(measure):
    Measure.objects.filter(pk=measure.pk).update(
        baseline=Decimal("20"), baseline_on=date(2025, 3, 31)
    )
    # From 20% on 31 March 2025 to 60% on 31 March 2026: 40% expected at the end of September.
    quarter(measure, date(2025, 7, 1), date(2025, 9, 30), "41")
    result = the_measure(charter_progress(measure.commitment.charter_id, today=date(2025, 10, 5)))
    assert result.status.colour == "green"
    assert "41% is on or better than the expected 40.1%" in result.status.reason
    assert result.starting_point == "Baseline: 20% on 31 March 2025."
    assert result.chart.trajectory[0].x == result.chart.left  # the line starts at the baseline


def test_a_baseline_with_no_date_starts_on_the_adoption_date(measure):
    Measure.objects.filter(pk=measure.pk).update(baseline=Decimal("0"))
    quarter(measure, date(2024, 4, 1), date(2024, 6, 30), "1")
    result = the_measure(charter_progress(measure.commitment.charter_id, today=date(2024, 7, 5)))
    assert result.starting_point == "Baseline: 0% on 1 April 2024."
    # From 0% on 1 April 2024 towards 60% on 31 March 2026: about 7.4% by 30 June 2024.
    assert result.status.colour == "red" and "expected 7.4%" in result.status.reason


# --- Targets met or missed only on a reading at or after their date ---------------------------


def test_a_target_is_not_missed_on_a_reading_18_months_before_its_date(measure, client):
    quarter(measure, date(2024, 7, 1), date(2024, 9, 30), "20")
    quarter(measure, date(2024, 10, 1), date(2024, 12, 31), "25")
    slug = measure.commitment.charter.organisation.slug
    with at(date(2025, 1, 20)):
        before = text_of(client.get(f"/charter/{slug}/"))
    assert "Target for 31 March 2026 60% Not due yet" in before
    assert "Missed" not in before
    with at(date(2026, 4, 2)):
        after = text_of(client.get(f"/charter/{slug}/"))
    assert "Target for 31 March 2026 60% Not yet known" in after
    quarter(measure, date(2026, 1, 1), date(2026, 3, 31), "58")
    with at(date(2026, 4, 20)):
        judged = text_of(client.get(f"/charter/{slug}/"))
    assert "Target for 31 March 2026 60% Missed: 58% for January to March 2026" in judged


def test_a_target_is_met_on_the_first_reading_at_or_after_its_date(measure):
    quarter(measure, date(2026, 1, 1), date(2026, 3, 31), "62")
    quarter(measure, date(2026, 4, 1), date(2026, 6, 30), "50")  # later dips do not count
    target = the_measure(charter_progress(measure.commitment.charter_id, today=date(2026, 7, 5)))
    assert target.targets[0].verdict == "Met: 62% for January to March 2026"


# --- Out-of-date readings ------------------------------------------------------------------------


def test_an_out_of_date_reading_is_flagged_on_the_dashboard_public_page_and_board_report(
    measure, hr_client, client
):
    Measure.objects.filter(pk=measure.pk).update(baseline=Decimal("10"))
    quarter(measure, date(2024, 4, 1), date(2024, 6, 30), "30")
    flag = "Out of date: last reading for April to June 2024"
    charter = measure.commitment.charter
    with at(TODAY):
        dashboard = text_of(hr_client.get(f"/admin/charter/{charter.pk}/dashboard/"))
        public = text_of(client.get(f"/charter/{charter.organisation.slug}/"))
    assert f"Out of date {flag}." in dashboard
    assert "1 of its measures is out of date." in dashboard
    assert f"Out of date {flag}." in public
    assert "more than two periods" in public  # the rule says so
    report = pdf_text(board_report_pdf(charter_progress(charter.pk, today=TODAY)))
    assert flag in report and "[Out of date]" in report
    assert "Peer workers promoted: 30% (out of date)" in report


def test_a_recent_reading_is_not_out_of_date(measure):
    quarter(measure, date(2025, 10, 1), date(2025, 12, 31), "30")
    quarter(measure, date(2026, 1, 1), date(2026, 3, 31), "40")
    result = the_measure(charter_progress(measure.commitment.charter_id, today=TODAY))
    assert result.out_of_date == "" and "Out of date" not in result.status.reason


# --- Every figure says who made it ----------------------------------------------------------------


def test_each_reading_says_computed_or_entered_by_whom_and_the_public_sees_no_staff_names(
    measure, hr, hr_client, client
):
    with at(date(2026, 1, 5)):
        quarter(measure, date(2025, 10, 1), date(2025, 12, 31), "30", computed=True)
    with at(date(2026, 4, 3)):
        quarter(measure, date(2026, 1, 1), date(2026, 3, 31), "40", entered_by=hr)
    charter = measure.commitment.charter
    organisation = charter.organisation.name
    with at(TODAY):
        dashboard = text_of(hr_client.get(f"/admin/charter/{charter.pk}/dashboard/"))
        public = text_of(client.get(f"/charter/{charter.organisation.slug}/"))
    assert "Computed by the platform on 5 January 2026" in dashboard
    assert "Entered by Morgan Hughes on 3 April 2026" in dashboard
    assert "Computed by the platform on 5 January 2026" in public
    assert f"Entered by {organisation} on 3 April 2026" in public
    assert "Morgan" not in public and "Hughes" not in public
    report = pdf_text(board_report_pdf(charter_progress(charter.pk, today=TODAY)))
    assert "Entered by Morgan Hughes on 3 April 2026" in report
    assert "Computed by the platform on 5 January 2026" in report


# --- The chart and the table agree ---------------------------------------------------------------


def test_the_chart_draws_what_the_public_table_lists(measure, client):
    TargetFactory(measure=measure, due_on=date(2027, 3, 31), value=Decimal("80"))
    quarter(measure, date(2025, 7, 1), date(2025, 9, 30), "40", numerator=8, denominator=20)
    quarter(measure, date(2025, 10, 1), date(2025, 12, 31), "66.7", numerator=2, denominator=3)
    quarter(measure, date(2026, 1, 1), date(2026, 3, 31), "50", numerator=10, denominator=20)
    result = the_measure(charter_progress(measure.commitment.charter_id, today=TODAY, public=True))
    shown = [row for row in result.rows if not row.withheld]
    assert [p.label for p in result.chart.readings] == [row.value for row in reversed(shown)]
    assert [p.label for p in result.chart.targets] == [f"Target {t.value}" for t in result.targets]
    with at(TODAY):
        page = client.get(f"/charter/{measure.commitment.charter.organisation.slug}/")
    soup = BeautifulSoup(page.content, "html.parser")
    table = soup.find("caption", string=re.compile("Readings and targets")).find_parent("table")
    rows = [" ".join(tr.get_text(" ").split()) for tr in table.tbody.find_all("tr")]
    assert rows[0].startswith("Target for 31 March 2027 80% Not due yet")
    # The target sits above the reading that ends on its date, the one it was judged on.
    assert rows[1].startswith("Target for 31 March 2026 60% Missed: 50% for January to March")
    assert rows[2].startswith("January to March 2026 50% (10 of 20)")
    assert rows[3].startswith("October to December 2025 Not shown (from fewer than 5 people)")
    assert "2 of 3" not in rows[3]
    svg = table.find_parent(class_="lep-chart-pair").find("svg")
    assert len(svg.find_all("circle")) == len(shown)


def test_a_withheld_starting_point_is_not_given_away_by_the_trajectory_in_public(measure, client):
    """With no baseline the first reading starts the trajectory: when that reading counts
    fewer than 5 people, its expected figures, line and status would lead back to it."""
    quarter(measure, date(2025, 7, 1), date(2025, 9, 30), "33.3", numerator=1, denominator=3)
    quarter(measure, date(2025, 10, 1), date(2025, 12, 31), "40", numerator=8, denominator=20)
    quarter(measure, date(2026, 1, 1), date(2026, 3, 31), "50", numerator=10, denominator=20)
    public = the_measure(charter_progress(measure.commitment.charter_id, today=TODAY, public=True))
    assert (public.status.colour, public.status.label) == ("grey", "Not shown")
    assert "33.3" not in public.status.reason
    assert [row.expected for row in public.rows] == ["Not shown", "Not shown", "Starting point"]
    assert public.chart.trajectory == []
    with at(TODAY):
        page = text_of(client.get(f"/charter/{measure.commitment.charter.organisation.slug}/"))
    assert "33.3" not in page
    # HR still see the whole picture on the dashboard.
    staff = the_measure(charter_progress(measure.commitment.charter_id, today=TODAY))
    assert staff.status.label != "Not shown"
    assert staff.chart.trajectory


def test_a_measure_whose_every_reading_is_withheld_does_not_say_not_yet_measured(charter, client):
    measure = MeasureFactory(
        commitment=CommitmentFactory(charter=charter, number=2, title="Fair interviews"),
        name="Interviews with a lived-experience panel member",
    )
    quarter(measure, date(2025, 10, 1), date(2025, 12, 31), "50", numerator=1, denominator=2)
    with at(TODAY):
        page = text_of(client.get(f"/charter/{charter.organisation.slug}/"))
    assert "Each reading so far counts fewer than 5 people, so none is shown." in page
    assert "Not yet measured" not in page


# --- Baselines on the measure form ---------------------------------------------------------------


MEASURE_FORM = {
    "name": "Peer workers promoted",
    "description": "",
    "unit": "percent",
    "better": "higher",
    "frequency": "quarterly",
    "source": "entered",
    "calculation": "",
}


def test_hr_set_a_baseline_with_its_date(hr_client, measure):
    with at(TODAY):
        response = hr_client.post(
            f"/admin/charter-measures/edit/{measure.pk}/",
            {
                **MEASURE_FORM,
                "commitment": measure.commitment_id,
                "baseline": "35",
                "baseline_on": "2025-03-31",
            },
        )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.baseline, measure.baseline_on) == (Decimal("35"), date(2025, 3, 31))


def test_a_baseline_with_no_date_is_kept_and_runs_from_the_adoption_date(hr_client, measure):
    with at(TODAY):
        response = hr_client.post(
            f"/admin/charter-measures/edit/{measure.pk}/",
            {**MEASURE_FORM, "commitment": measure.commitment_id, "baseline": "35"},
        )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.baseline, measure.baseline_on) == (Decimal("35"), None)
    result = the_measure(charter_progress(measure.commitment.charter_id, today=TODAY))
    assert result.starting_point == "Baseline: 35% on 1 April 2024."


@pytest.mark.parametrize(
    "baseline, baseline_on, message",
    [
        ("", "2025-03-31", "Enter the baseline value, or clear its date"),
        ("35", "2026-04-10", "The baseline date must be before the first target date, 31 March"),
        ("35", "2026-05-01", "The baseline date must be today or in the past"),
        ("thirty", "2025-03-31", "Enter the baseline as a number, like 40 or 12.5"),
    ],
)
def test_a_bad_baseline_is_refused_with_what_was_typed_kept(
    hr_client, measure, baseline, baseline_on, message
):
    with at(TODAY):
        response = hr_client.post(
            f"/admin/charter-measures/edit/{measure.pk}/",
            {
                **MEASURE_FORM,
                "commitment": measure.commitment_id,
                "name": "Typed name kept",
                "baseline": baseline,
                "baseline_on": baseline_on,
            },
        )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "Typed name kept" in page
    measure.refresh_from_db()
    assert (measure.name, measure.baseline, measure.baseline_on) == (
        "Peer workers promoted",
        None,
        None,
    )


def test_a_target_on_or_before_the_baseline_date_is_refused(hr_client, measure):
    Measure.objects.filter(pk=measure.pk).update(
        baseline=Decimal("20"), baseline_on=date(2025, 3, 31)
    )
    response = hr_client.post(
        "/admin/charter-targets/new/",
        {"measure": measure.pk, "due_on": "2025-03-31", "value": "30", "note": ""},
    )
    assert response.status_code == 200
    assert "after the measure&#x27;s baseline date, 31 March 2025" in response.content.decode()
    assert measure.targets.count() == 1


def test_the_service_refuses_a_target_on_or_before_the_baseline_date_too(hr, measure):
    """The rule lives in ``services.target_problem``, so every way in keeps it, not only the
    admin form."""
    from charter import services
    from cms.refusals import Refused

    Measure.objects.filter(pk=measure.pk).update(
        baseline=Decimal("20"), baseline_on=date(2025, 3, 31)
    )
    measure.refresh_from_db()
    with pytest.raises(Refused, match="after the measure's baseline date, 31 March 2025"):
        services.target_set(user=hr, measure=measure, due_on=date(2025, 3, 31), value=Decimal(30))
    services.target_set(user=hr, measure=measure, due_on=date(2025, 4, 1), value=Decimal(30))
    assert measure.targets.count() == 2


# --- Each published version in public ------------------------------------------------------------


def _version(organisation, version: str, adopted_on: date, *, published=True, measure_name=""):
    charter = CharterFactory(
        organisation=organisation, version=version, adopted_on=adopted_on, published=published
    )
    if measure_name:
        MeasureFactory(commitment=CommitmentFactory(charter=charter), name=measure_name)
    return charter


def test_the_public_page_lists_each_published_version_and_shows_earlier_ones(organisation, client):
    _version(organisation, "1", date(2023, 4, 1), measure_name="Old measure")
    _version(organisation, "2", date(2025, 4, 1), measure_name="New measure")
    _version(organisation, "3", date(2026, 4, 1), published=False, measure_name="Draft measure")
    slug = organisation.slug
    with at(TODAY):
        latest = text_of(client.get(f"/charter/{slug}/"))
        earlier = client.get(f"/charter/{slug}/version/1/")
        draft = client.get(f"/charter/{slug}/version/3/")
        missing = client.get(f"/charter/{slug}/version/9/")
        latest_by_number = client.get(f"/charter/{slug}/version/2/")
    assert "Versions" in latest
    assert "Version 2 (latest) 1 April 2025 You are looking at this version" in latest
    assert "Version 1 1 April 2023 See version 1" in latest
    assert "New measure" in latest and "Old measure" not in latest
    assert "Version 3" not in latest and "Draft measure" not in latest
    earlier_text = text_of(earlier)
    assert earlier.status_code == 200
    assert "Old measure" in earlier_text and "New measure" not in earlier_text
    assert "This is an earlier version" in earlier_text
    assert "see the latest version (2)" in earlier_text
    assert f'href="/charter/{slug}/"' in earlier.content.decode()
    assert (draft.status_code, missing.status_code) == (404, 404)
    assert latest_by_number.status_code == 302
    assert latest_by_number["Location"] == f"/charter/{slug}/"


def test_the_versions_list_costs_the_same_queries_for_3_and_30_versions(
    organisation, other_organisation, client
):
    for number in range(3):
        _version(organisation, str(number + 1), date(2020 + number, 4, 1))
    for number in range(30):
        _version(other_organisation, str(number + 1), date(1990 + number, 4, 1))
    client.get("/charter/")
    with at(TODAY):
        few = queries_for(client, f"/charter/{organisation.slug}/")
        many = queries_for(client, f"/charter/{other_organisation.slug}/")
        few_old = queries_for(client, f"/charter/{organisation.slug}/version/1/")
        many_old = queries_for(client, f"/charter/{other_organisation.slug}/version/1/")
    assert few == many
    assert few_old == many_old
    assert Charter.objects.filter(organisation=other_organisation).count() == 30
