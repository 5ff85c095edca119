"""HR's peer work panel on their Wagtail admin home (issue 21): applications to shortlist by
vacancy, how many safeguarding concerns no supervisor has picked up (a number only, never a
detail) and how many workers are overdue for supervision; their own organisation's only;
the same queries with 3 records or 30."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from peers.factories import JobApplicationFactory, VacancyFactory
from tests.conftest import sign_in
from tests.factories import (
    PeerWorkerFactory,
    SafeguardingConcernFactory,
    SessionLogFactory,
    SupervisionFactory,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

HOME = "/admin/"
SECRET = "They said they had been threatened by a neighbour."


def home_text(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    text = " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())
    return text.replace(" :", ":")


@pytest.fixture
def hr_client(client, make_person):
    return sign_in(client, make_person("hr"))


def supervised_worker(organisation, **kwargs):
    worker = PeerWorkerFactory(organisation=organisation, **kwargs)
    SupervisionFactory(worker=worker, date=timezone.localdate() - timedelta(days=3))
    return worker


def test_hr_see_applications_to_shortlist_by_vacancy(hr_client, organisation):
    vacancy = VacancyFactory(organisation=organisation, title="Ward peer support worker")
    JobApplicationFactory.create_batch(2, vacancy=vacancy)
    JobApplicationFactory(vacancy=vacancy, stage="shortlisted")
    text = home_text(hr_client)
    assert "Peer work" in text
    assert "2 applications are waiting to be shortlisted" in text
    assert "Ward peer support worker: 2 applications, the first sent on" in text
    soup = BeautifulSoup(hr_client.get(HOME).content, "html.parser")
    assert soup.select_one(f'a[href="/admin/vacancies/pipeline/{vacancy.pk}/"]') is not None


def test_hr_see_how_many_concerns_wait_but_no_detail_of_them(hr_client, organisation):
    worker = supervised_worker(organisation, user__first_name="Quintessa")
    SafeguardingConcernFactory(session=SessionLogFactory(worker=worker), description=SECRET)
    SafeguardingConcernFactory(
        session=SessionLogFactory(worker=worker), escalated_at=timezone.now()
    )
    SafeguardingConcernFactory(session=SessionLogFactory(worker=worker), acknowledged=True)
    text = home_text(hr_client)
    assert (
        "2 safeguarding concerns have not been picked up by a supervisor yet, 1 of them for "
        "longer than they should" in text
    )
    assert "For privacy, no details are shown here." in text
    assert SECRET not in text and "Quintessa" not in text
    assert "/peer-work/safeguarding/" not in hr_client.get(HOME).content.decode()


def test_hr_see_how_many_workers_are_overdue_for_supervision(hr_client, organisation):
    PeerWorkerFactory(organisation=organisation)  # started 400 days ago, never supervised
    supervised_worker(organisation)
    text = home_text(hr_client)
    assert "1 peer worker is overdue for supervision" in text
    assert "No team: 1 of 2 overdue" in text


def test_hr_never_see_another_organisations_peer_work(hr_client, organisation, other_organisation):
    vacancy = VacancyFactory(organisation=other_organisation, title="Southmoor peer mentor")
    JobApplicationFactory(vacancy=vacancy)
    worker = PeerWorkerFactory(organisation=other_organisation)
    SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    text = home_text(hr_client)
    assert "Southmoor peer mentor" not in text
    assert "Nothing needs you today." in text


def test_hr_are_not_offered_a_search_of_pages(hr_client):
    assert "admin-home-without-page-search.css" in hr_client.get(HOME).content.decode()


@pytest.mark.parametrize("role", ["engagement_lead", "finance", "editor"])
def test_people_who_do_not_run_peer_work_see_no_peer_work_panel(
    client, make_person, role, organisation
):
    JobApplicationFactory(vacancy=VacancyFactory(organisation=organisation))
    text = home_text(sign_in(client, make_person(role)))
    assert "Peer work" not in text and "shortlisted" not in text


def test_a_supervisor_does_not_reach_the_admin_home(client, make_person):
    assert sign_in(client, make_person("supervisor")).get(HOME).status_code == 403


def test_hrs_admin_home_costs_the_same_queries_with_3_records_or_30(hr_client, organisation):
    def add(count: int) -> None:
        for _ in range(count):
            JobApplicationFactory(vacancy=VacancyFactory(organisation=organisation))
            worker = PeerWorkerFactory(organisation=organisation)
            SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))

    add(3)
    queries_for(hr_client, HOME)  # the first page of a session reads more, once
    with_3 = queries_for(hr_client, HOME)
    add(27)
    assert queries_for(hr_client, HOME) == with_3
