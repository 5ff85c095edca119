"""Retention, checked on hand-built workers with known answers: 12-month retention (the
cohort who started 12 to 24 months before the date, and who stayed a year), leavers by
reason with their length of service, and the HR report page for their organisation only."""

from datetime import date

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from peers.models import PeerWorker
from peers.selectors.retention import (
    add_months,
    leavers,
    length_of_service_months,
    twelve_month_retention,
)
from tests.conftest import sign_in
from tests.factories import PeerWorkerFactory

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 6, 30)
Reason = PeerWorker.LeavingReason


def worker(organisation, start, left_on=None, reason=Reason.NEW_JOB):
    if left_on is None:
        return PeerWorkerFactory(organisation=organisation, start_date=start, supervisors=[])
    return PeerWorkerFactory(
        organisation=organisation,
        start_date=start,
        status=PeerWorker.Status.LEFT,
        left_on=left_on,
        leaving_reason=reason,
        supervisors=[],
    )


def text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def test_add_months_keeps_the_day_or_uses_the_months_last_day():
    assert add_months(date(2026, 6, 30), -12) == date(2025, 6, 30)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


def test_length_of_service_is_in_whole_months():
    assert length_of_service_months(date(2025, 1, 15), date(2025, 7, 14)) == 5
    assert length_of_service_months(date(2025, 1, 15), date(2025, 7, 15)) == 6


def test_twelve_month_retention_counts_the_cohort_and_those_who_stayed_a_year(organisation):
    # In the cohort (started 2024-06-30 to 2025-06-30):
    worker(organisation, date(2024, 6, 30))  # still here: retained
    worker(organisation, date(2025, 6, 30))  # still here, started on the last day: retained
    worker(organisation, date(2024, 9, 1), left_on=date(2025, 9, 1))  # left on anniversary
    worker(organisation, date(2024, 9, 1), left_on=date(2025, 3, 1))  # left after 6 months
    worker(organisation, date(2025, 1, 10), left_on=date(2025, 12, 1))  # left before a year
    # Not in the cohort:
    worker(organisation, date(2024, 6, 29))  # started too early
    worker(organisation, date(2025, 7, 1))  # started too late to have had a year
    assert twelve_month_retention(as_of=AS_OF) == (3, 5)


def test_retention_is_limited_to_the_organisations_asked_for(organisation, other_organisation):
    worker(organisation, date(2025, 1, 1))
    worker(other_organisation, date(2025, 1, 1), left_on=date(2025, 2, 1))
    assert twelve_month_retention(as_of=AS_OF) == (1, 2)
    assert twelve_month_retention(organisation_ids=[other_organisation.pk], as_of=AS_OF) == (0, 1)
    assert twelve_month_retention(organisation_ids=[], as_of=AS_OF) == (0, 0)


def test_leavers_by_reason_with_median_length_of_service(organisation):
    worker(organisation, date(2024, 1, 1), left_on=date(2026, 1, 1), reason=Reason.NEW_JOB)  # 24
    worker(organisation, date(2025, 1, 1), left_on=date(2026, 1, 1), reason=Reason.NEW_JOB)  # 12
    worker(organisation, date(2025, 7, 1), left_on=date(2026, 1, 1), reason=Reason.HEALTH)  # 6
    worker(organisation, date(2020, 1, 1), left_on=date(2024, 1, 1), reason=Reason.HEALTH)  # early
    result = leavers(start=date(2025, 7, 1), end=AS_OF)
    assert result.total == 3
    assert result.median_months == 12.0
    rows = {row.reason: (row.leavers, row.median_months) for row in result.by_reason}
    assert rows[Reason.NEW_JOB] == (2, 18.0)
    assert rows[Reason.HEALTH] == (1, 6.0)
    assert rows[Reason.CARING] == (0, None)
    assert result.by_reason[0].reason == Reason.NEW_JOB


def test_the_retention_page_shows_hr_their_own_organisation_only(
    client, make_person, organisation, other_organisation
):
    worker(organisation, date(2025, 1, 1))
    worker(organisation, date(2025, 1, 1), left_on=date(2025, 3, 1), reason=Reason.CARING)
    worker(other_organisation, date(2025, 1, 1), left_on=date(2025, 5, 1), reason=Reason.STUDY)
    sign_in(client, make_person("hr"))
    response = client.get(
        reverse("retention_report:index"), {"start": "2025-01-01", "end": "2026-06-30"}
    )
    page = text(response)
    assert response.status_code == 200
    assert "1 of 2" in page
    assert "Caring responsibilities" in page
    assert "Went into education or training" not in page


def test_workers_and_members_cannot_open_the_retention_page(client, make_person):
    for role in ("peer_worker", "member"):
        sign_in(client, make_person(role))
        response = client.get(reverse("retention_report:index"))
        assert response.status_code == 403
        assert "This part is for staff" in response.content.decode()
