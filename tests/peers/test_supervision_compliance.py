"""Supervision compliance: the share of active workers supervised within their expected
frequency, for the charter (``supervision_compliance``), for supervisors (their
supervisees by team) and for HR (their organisation's teams). Counts only, never notes."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup

from cms.roles import Role
from peers.selectors.supervision import supervision_compliance
from tests.conftest import sign_in
from tests.factories import (
    OrganisationFactory,
    PeerWorkerFactory,
    SupervisionFactory,
    SupervisorFactory,
    TeamFactory,
    UserFactory,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
AS_OF = date(2026, 3, 27)
frozen = time_machine.travel(datetime(2026, 3, 27, 12, 0, tzinfo=LONDON), tick=False)


def worker(organisation, *, last=None, every=28, started=date(2025, 1, 1), **kwargs):
    made = PeerWorkerFactory(
        organisation=organisation, start_date=started, supervision_every_days=every, **kwargs
    )
    if last:
        SupervisionFactory(worker=made, date=last)
    return made


@pytest.fixture
def hand_built():
    """Northdale: 5 counted workers, 3 in time. Southmoor: 1 counted, in time."""
    north = OrganisationFactory(name="Northdale")
    south = OrganisationFactory(name="Southmoor")
    worker(north, last=AS_OF - timedelta(days=28))  # in time: due today
    worker(north, last=AS_OF - timedelta(days=29))  # overdue by a day
    worker(north, last=AS_OF - timedelta(days=50), every=60)  # in time on a longer cycle
    worker(north, started=AS_OF - timedelta(days=10))  # new, first supervision not due yet
    worker(north)  # never supervised since 2025: overdue
    worker(north, on_leave=True)  # not counted
    worker(north, left=True, left_on=AS_OF - timedelta(days=10))  # gone: not counted
    worker(north, started=AS_OF + timedelta(days=3))  # not started yet: not counted
    worker(south, last=AS_OF - timedelta(days=3))
    return {"north": north, "south": south}


def test_compliance_counts_active_workers_supervised_in_time(hand_built):
    assert supervision_compliance(organisation_ids=[hand_built["north"].pk], as_of=AS_OF) == {
        "workers": 5,
        "supervised_in_time": 3,
        "percent": 60,
    }
    assert supervision_compliance(as_of=AS_OF) == {
        "workers": 6,
        "supervised_in_time": 4,
        "percent": 67,
    }


def test_compliance_on_an_earlier_date_ignores_later_supervision(hand_built):
    # Twenty days earlier, the supervision on 24 March had not happened yet.
    earlier = AS_OF - timedelta(days=20)
    result = supervision_compliance(organisation_ids=[hand_built["south"].pk], as_of=earlier)
    assert result == {"workers": 1, "supervised_in_time": 0, "percent": 0}


def test_compliance_with_no_workers_has_no_percent():
    assert supervision_compliance(organisation_ids=[], as_of=AS_OF) == {
        "workers": 0,
        "supervised_in_time": 0,
        "percent": None,
    }


def table_rows(response) -> list[str]:
    page = BeautifulSoup(response.content, "html.parser")
    return [" ".join(tr.get_text(" ").split()) for tr in page.select("tbody tr")]


@frozen
def test_hr_sees_their_organisations_teams_and_nothing_else(client, hand_built):
    north = hand_built["north"]
    team = TeamFactory(organisation=north, name="Crisis café team")
    worker(north, last=AS_OF - timedelta(days=40), team=team)
    worker(north, last=AS_OF - timedelta(days=1), team=team)
    hr = UserFactory(organisation=north, roles=[Role.HR], mfa=True)
    sign_in(client, hr)
    response = client.get("/peer-work/supervision/compliance/")
    page = " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())
    assert "4 of 7 workers" in page
    assert table_rows(response) == [
        "Team Crisis café team (Northdale) Active workers 2 Supervised in time 1 Overdue 1 "
        "Per cent 50%",
        "Team No team Active workers 5 Supervised in time 3 Overdue 2 Per cent 60%",
    ]
    assert "Southmoor" not in page
    assert "Reviewed caseload" not in page  # the factory's notes never show


@frozen
def test_a_supervisor_sees_only_their_supervisees(client, hand_built):
    supervisor = SupervisorFactory(organisation=hand_built["north"], mfa=True)
    team = TeamFactory(organisation=hand_built["north"], name="Ward team")
    worker(hand_built["north"], last=AS_OF, team=team, supervisors=[supervisor])
    worker(hand_built["north"], team=team, supervisors=[supervisor])
    sign_in(client, supervisor)
    response = client.get("/peer-work/supervision/compliance/")
    assert table_rows(response) == [
        "Team Ward team Active workers 2 Supervised in time 1 Overdue 1 Per cent 50%"
    ]


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ENGAGEMENT_LEAD, Role.FINANCE])
def test_others_cannot_see_compliance(client, role):
    sign_in(client, UserFactory(roles=[role], organisation=OrganisationFactory(), mfa=True))
    assert client.get("/peer-work/supervision/compliance/").status_code == 403


def test_a_peer_worker_cannot_see_compliance(client):
    sign_in(client, PeerWorkerFactory().user)
    assert client.get("/peer-work/supervision/compliance/").status_code == 403


def test_the_compliance_page_costs_the_same_queries_for_3_or_30_workers(client):
    organisation = OrganisationFactory()
    sign_in(client, UserFactory(organisation=organisation, roles=[Role.HR], mfa=True))

    def add(n):
        for i in range(n):
            team = TeamFactory(organisation=organisation, name=f"Team {i % 5}")
            worker(organisation, last=AS_OF - timedelta(days=i), team=team)

    add(3)
    queries_for(client, "/peer-work/supervision/compliance/")  # warms the settings cache
    few = queries_for(client, "/peer-work/supervision/compliance/")
    add(27)
    assert queries_for(client, "/peer-work/supervision/compliance/") == few


@frozen
def test_hr_sees_the_figure_on_my_space(client, hand_built):
    sign_in(client, UserFactory(organisation=hand_built["north"], roles=[Role.HR], mfa=True))
    page = " ".join(
        BeautifulSoup(client.get("/my-space/").content, "html.parser").get_text(" ").split()
    )
    assert "60% of active peer workers were supervised in time (3 of 5)" in page
