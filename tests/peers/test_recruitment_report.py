"""The recruitment numbers, each checked on hand-built data with a known answer: time to
hire, closing to offer, stage conversion, interview panels with lived experience, roles
filled by people with lived experience, and equality totals with small numbers suppressed.
And the HR report page shows only HR's own organisation."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from peers.factories import JobApplicationFactory, VacancyFactory
from peers.models import EqualityMonitoring, JobApplication
from peers.selectors import recruitment as selectors
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db
Stage = JobApplication.Stage
LONDON = ZoneInfo("Europe/London")
START, END = date(2025, 1, 1), date(2025, 12, 31)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON)


def text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


@pytest.fixture
def vacancy(organisation):
    return VacancyFactory(organisation=organisation, closing_date=date(2025, 3, 1))


def hire(vacancy, *, applied: date, offered: date, started: date, lived=True, panel_lived=True):
    return JobApplicationFactory(
        vacancy=vacancy,
        stage=Stage.STARTED,
        applied_at=at(applied),
        shortlisted_on=applied + timedelta(days=1),
        interview_at=at(applied + timedelta(days=5)),
        interview_panel_has_lived_experience=panel_lived,
        offered_on=offered,
        checks_started_on=offered,
        started_on=started,
        has_lived_experience=lived,
    )


@pytest.fixture
def hires(vacancy):
    """Three hires: 40, 60 and 100 days from applying to starting (median 60); offers 10,
    20 and 0 days after closing (one offered before it closed)."""
    return [
        hire(
            vacancy, applied=date(2025, 2, 1), offered=date(2025, 3, 11), started=date(2025, 3, 13)
        ),
        hire(
            vacancy,
            applied=date(2025, 2, 10),
            offered=date(2025, 3, 21),
            started=date(2025, 4, 11),
            lived=False,
            panel_lived=False,
        ),
        hire(
            vacancy, applied=date(2025, 2, 20), offered=date(2025, 2, 25), started=date(2025, 5, 31)
        ),
    ]


def test_time_to_hire_is_the_median_days_from_applying_to_starting(hires):
    # 2025-02-01 → 2025-03-13 is 40 days; 02-10 → 04-11 is 60; 02-20 → 05-31 is 100.
    assert selectors.time_to_hire_days(start=START, end=END) == 60.0


def test_time_to_hire_is_none_without_hires(vacancy):
    assert selectors.time_to_hire_days(start=START, end=END) is None


def test_closing_to_offer_is_the_median_days_counting_early_offers_as_zero(hires):
    # Closing 2025-03-01: offers on 03-11 (10 days), 03-21 (20), 02-25 (before: 0).
    assert selectors.closing_to_offer_days(start=START, end=END) == 10.0


def test_hires_and_interviews_with_lived_experience(hires, vacancy):
    JobApplicationFactory(
        vacancy=vacancy,
        stage=Stage.UNSUCCESSFUL,
        applied_at=at(date(2025, 2, 3)),
        interview_at=at(date(2025, 3, 5)),
        interview_panel_has_lived_experience=True,
    )
    assert selectors.roles_filled_by_lived_experience(start=START, end=END) == (2, 3)
    assert selectors.interviews_with_lived_experience(start=START, end=END) == (3, 4)


def test_the_numbers_are_limited_to_the_organisations_asked_for(hires, other_organisation):
    theirs = VacancyFactory(organisation=other_organisation, closing_date=date(2025, 3, 1))
    hire(theirs, applied=date(2025, 1, 1), offered=date(2025, 3, 1), started=date(2025, 12, 1))
    assert selectors.roles_filled_by_lived_experience(start=START, end=END) == (3, 4)
    only_ours = selectors.roles_filled_by_lived_experience(
        organisation_ids=[hires[0].vacancy.organisation_id], start=START, end=END
    )
    assert only_ours == (2, 3)
    assert (
        selectors.time_to_hire_days(organisation_ids=[other_organisation.pk], start=START, end=END)
        == 334.0
    )


def test_stage_conversion_counts_every_stage_reached_even_when_it_ended_later(vacancy):
    applied = at(date(2025, 6, 1))
    # 4 applications: 1 left at applied; 1 shortlisted then unsuccessful; 1 interviewed then
    # withdrawn; 1 started.
    JobApplicationFactory(vacancy=vacancy, applied_at=applied)
    JobApplicationFactory(
        vacancy=vacancy,
        applied_at=applied,
        stage=Stage.UNSUCCESSFUL,
        shortlisted_on=date(2025, 6, 5),
    )
    JobApplicationFactory(
        vacancy=vacancy,
        applied_at=applied,
        stage=Stage.WITHDRAWN,
        shortlisted_on=date(2025, 6, 5),
        interview_at=at(date(2025, 6, 10)),
    )
    hire(vacancy, applied=date(2025, 6, 1), offered=date(2025, 6, 20), started=date(2025, 7, 1))
    # Made outside the period: not counted.
    JobApplicationFactory(vacancy=vacancy, applied_at=at(date(2024, 12, 31)))
    rows = {
        row.stage: (row.reached, row.percent)
        for row in selectors.stage_conversion(start=START, end=END)
    }
    assert rows == {
        Stage.APPLIED: (4, 100),
        Stage.SHORTLISTED: (3, 75),
        Stage.INTERVIEW: (2, 50),
        Stage.OFFER: (1, 25),
        Stage.CHECKS: (1, 25),
        Stage.STARTED: (1, 25),
    }


def equality(vacancy, **answers):
    application = JobApplicationFactory(vacancy=vacancy, applied_at=at(date(2025, 6, 1)))
    return EqualityMonitoring.objects.create(application=application, **answers)


def test_equality_totals_are_hidden_below_five_answers(vacancy):
    for _ in range(4):
        equality(vacancy, gender="woman")
    summary = selectors.equality_summary(start=START, end=END)
    assert summary.enough is False
    assert summary.answered == "fewer than 5"
    assert summary.questions == []


def test_equality_totals_suppress_counts_from_1_to_4(vacancy):
    for _ in range(5):
        equality(vacancy, gender="woman", disability="no")
    for _ in range(2):
        equality(vacancy, gender="man", disability="prefer_not")
    summary = selectors.equality_summary(start=START, end=END)
    assert summary.answered == "7"
    gender = dict(next(q for q in summary.questions if q.label == "Gender").rows)
    assert gender["Woman"] == "5"
    assert gender["Man"] == "fewer than 5"
    assert gender["Non-binary"] == "None"
    age = dict(next(q for q in summary.questions if q.label == "Age").rows)
    assert age["Not answered"] == "7"
    disability = dict(next(q for q in summary.questions if q.label.startswith("Disability")).rows)
    assert disability["Prefer not to say"] == "fewer than 5"


def test_the_report_page_shows_hr_their_own_organisations_numbers(
    client, make_person, hires, other_organisation
):
    theirs = VacancyFactory(organisation=other_organisation, closing_date=date(2025, 3, 1))
    hire(theirs, applied=date(2025, 1, 1), offered=date(2025, 3, 1), started=date(2025, 12, 1))
    sign_in(client, make_person("hr"))
    response = client.get(
        reverse("recruitment_report:index"), {"start": "2025-01-01", "end": "2025-12-31"}
    )
    page = text(response)
    assert response.status_code == 200
    assert "60 days" in page
    assert "2 of 3" in page  # roles filled by lived experience: their own organisation only
    assert "Stage conversion" in page


def test_a_bad_period_keeps_the_default_and_says_so(client, make_person):
    sign_in(client, make_person("hr"))
    response = client.get(
        reverse("recruitment_report:index"), {"start": "2025-12-31", "end": "2025-01-01"}
    )
    assert response.status_code == 200
    assert "Some dates need changing" in text(response)
