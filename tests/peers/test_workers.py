"""HR keeps peer worker records and teams in the Wagtail admin: only their organisation's,
choosing only their own teams and supervisors, giving new workers the peer worker role,
and marking leavers with a date and a reason."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import audit
from cms.models import User
from cms.permissions import has_role
from cms.roles import Role
from peers import audit_actions
from peers.models import PeerWorker, Team
from tests.conftest import sign_in
from tests.factories import (
    MemberFactory,
    OrganisationFactory,
    PeerWorkerFactory,
    SupervisorFactory,
    TeamFactory,
    UserFactory,
    level,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


@pytest.fixture
def hr(client, organisation):
    person = UserFactory(organisation=organisation, roles=[Role.HR], mfa=True)
    sign_in(client, person)
    return person


@pytest.fixture
def supervisor(organisation):
    return SupervisorFactory(organisation=organisation, first_name="Priya", last_name="Patel")


@pytest.fixture
def team(organisation):
    return TeamFactory(organisation=organisation, name="Crisis café team")


@pytest.fixture
def theirs(other_organisation):
    return PeerWorkerFactory(
        organisation=other_organisation, user__first_name="Their", user__last_name="Worker"
    )


def worker_form(employer, **overrides):
    data = {
        "email": "new.worker@example.org",
        "first_name": "Sam",
        "last_name": "Rivers",
        "organisation": employer.pk,
        "team": "",
        "level": level("trainee").pk,
        "job_title": "Trainee peer support worker",
        "employment_type": "trainee",
        "start_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "contracted_hours": "22.5",
        "supervisors": [],
        "supervision_every_days": "28",
        "status": "active",
    }
    data.update(overrides)
    return data


def edit_form(worker, **overrides):
    data = {
        "organisation": worker.organisation_id,
        "team": worker.team_id or "",
        "level": worker.level_id,
        "job_title": worker.job_title,
        "employment_type": worker.employment_type,
        "start_date": worker.start_date.isoformat(),
        "contracted_hours": str(worker.contracted_hours or ""),
        "supervisors": [person.pk for person in worker.supervisors.all()],
        "supervision_every_days": str(worker.supervision_every_days),
        "status": worker.status,
        "left_on": "",
        "leaving_reason": "",
        "leaving_note": "",
    }
    data.update(overrides)
    return data


# --- Adding a worker ---------------------------------------------------------------------------


def test_hr_adds_a_worker_for_a_new_person_who_gets_the_peer_worker_role(
    client, hr, organisation, supervisor, team
):
    response = client.post(
        "/admin/peer-workers/new/",
        worker_form(organisation, team=team.pk, supervisors=[supervisor.pk]),
    )
    assert response.status_code == 302, text(response)[:3000]
    worker = PeerWorker.objects.get(user__email="new.worker@example.org")
    assert worker.organisation == organisation
    assert worker.team == team
    assert list(worker.supervisors.all()) == [supervisor]
    assert worker.user.get_full_name() == "Sam Rivers"
    assert not worker.user.has_usable_password()
    assert has_role(User.objects.get(pk=worker.user_id), Role.PEER_WORKER)
    actions = set(
        ModelLogEntry.objects.filter(object_id=str(worker.pk)).values_list("action", flat=True)
    )
    assert {"wagtail.create", audit_actions.WORKER_ROLE_GRANT} <= actions


def test_hr_adds_a_worker_for_someone_who_already_has_an_account(client, hr, organisation):
    member = MemberFactory(email="member.too@example.org", first_name="Dev")
    response = client.post(
        "/admin/peer-workers/new/",
        worker_form(organisation, email="Member.Too@example.org", first_name="", last_name=""),
    )
    assert response.status_code == 302, text(response)[:3000]
    member = User.objects.get(pk=member.pk)
    assert member.peer_worker.organisation == organisation
    assert member.first_name == "Dev"
    assert has_role(member, Role.PEER_WORKER)
    assert has_role(member, Role.MEMBER)


def test_someone_with_a_worker_record_cannot_be_added_twice(client, hr, organisation, theirs):
    response = client.post(
        "/admin/peer-workers/new/", worker_form(organisation, email=theirs.user.email)
    )
    assert response.status_code == 200
    page = text(response)
    assert "already has a peer worker record" in page
    assert 'value="Trainee peer support worker"' in response.content.decode()
    assert PeerWorker.objects.count() == 1


def test_the_form_offers_only_hrs_own_organisation_teams_and_supervisors(
    client, hr, organisation, other_organisation, supervisor, team
):
    TeamFactory(organisation=other_organisation, name="Their team")
    SupervisorFactory(organisation=other_organisation, first_name="Outside", last_name="Super")
    UserFactory(organisation=organisation, first_name="Not", last_name="Asupervisor")
    page = text(client.get("/admin/peer-workers/new/"))
    assert organisation.name in page
    assert other_organisation.name not in page
    assert "Crisis café team" in page
    assert "Their team" not in page
    assert "Priya Patel" in page
    assert "Outside Super" not in page
    assert "Not Asupervisor" not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": ""}, "Enter the peer worker's email address"),
        ({"email": "not-an-email"}, "Enter an email address like name@example.org"),
        ({"start_date": ""}, "Enter the date they started"),
        ({"job_title": "   "}, "Enter their job title"),
        ({"contracted_hours": "70"}, "Contracted hours must be 60 a week or fewer"),
        ({"supervision_every_days": "3"}, "Supervision should be at most every 7 days"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
    client, hr, organisation, overrides, message
):
    response = client.post("/admin/peer-workers/new/", worker_form(organisation, **overrides))
    assert response.status_code == 200
    assert message in text(response)
    assert not PeerWorker.objects.exists()
    assert not User.objects.filter(email="new.worker@example.org").exists()


def test_hr_cannot_add_a_worker_to_another_organisation_or_its_teams(
    client, hr, organisation, other_organisation
):
    their_team = TeamFactory(organisation=other_organisation)
    outsider = SupervisorFactory(organisation=other_organisation)
    for overrides in (
        {"organisation": other_organisation.pk},
        {"team": their_team.pk},
        {"supervisors": [outsider.pk]},
    ):
        response = client.post("/admin/peer-workers/new/", worker_form(organisation, **overrides))
        assert response.status_code == 200
        assert "Select a valid choice" in text(response) or "own organisation" in text(response)
    assert not PeerWorker.objects.exists()


# --- Seeing and changing records ---------------------------------------------------------------


def test_hr_lists_only_their_organisations_workers(client, hr, organisation, theirs):
    PeerWorkerFactory(organisation=organisation, user__first_name="Our", user__last_name="Worker")
    page = text(client.get("/admin/peer-workers/"))
    assert "Our Worker" in page
    assert "Their Worker" not in page


def test_the_worker_list_costs_the_same_queries_for_3_as_for_30(client, hr, organisation, team):
    for _ in range(3):
        PeerWorkerFactory(organisation=organisation, team=team)
    client.get("/admin/peer-workers/")
    few = queries_for(client, "/admin/peer-workers/")
    for _ in range(27):
        PeerWorkerFactory(organisation=organisation, team=team)
    assert queries_for(client, "/admin/peer-workers/") == few


@pytest.mark.parametrize(
    "url",
    [
        "/admin/peer-workers/edit/{pk}/",
        "/admin/peer-workers/inspect/{pk}/",
        "/admin/peer-workers/history/{pk}/",
    ],
)
def test_hr_cannot_open_another_organisations_worker(client, hr, theirs, url):
    assert client.get(url.format(pk=theirs.pk)).status_code == 404


def test_hr_who_supervises_someone_elsewhere_still_cannot_edit_their_record(client, hr, theirs):
    hr.groups.add(Group.objects.get(name=Role.SUPERVISOR.value))
    theirs.supervisors.add(hr)
    assert client.get(f"/admin/peer-workers/edit/{theirs.pk}/").status_code == 404
    assert "Their Worker" not in text(client.get("/admin/peer-workers/"))


def test_opening_a_record_is_audited_and_shows_no_practice_records(client, hr, organisation):
    worker = PeerWorkerFactory(organisation=organisation)
    response = client.get(f"/admin/peer-workers/inspect/{worker.pk}/")
    assert response.status_code == 200
    assert ModelLogEntry.objects.filter(action=audit.VIEW, object_id=str(worker.pk)).exists()
    assert "Talked about" not in text(response)


def test_nobody_deletes_a_worker_record(client, hr, organisation):
    worker = PeerWorkerFactory(organisation=organisation)
    response = client.post(f"/admin/peer-workers/delete/{worker.pk}/")
    assert response.status_code in (302, 403, 404)
    assert PeerWorker.objects.filter(pk=worker.pk).exists()


def test_hr_changes_a_workers_level_and_it_is_audited(client, hr, organisation, supervisor):
    worker = PeerWorkerFactory(organisation=organisation, supervisors=[supervisor])
    response = client.post(
        f"/admin/peer-workers/edit/{worker.pk}/",
        edit_form(worker, level=level("senior-peer-support-worker").pk),
    )
    assert response.status_code == 302, text(response)[:3000]
    worker.refresh_from_db()
    assert worker.level.slug == "senior-peer-support-worker"
    change = ModelLogEntry.objects.get(action=audit.CHANGE, object_id=str(worker.pk))
    assert change.data["fields"] == ["level"]


def test_marking_a_worker_as_left_needs_a_date_and_a_reason(client, hr, organisation):
    worker = PeerWorkerFactory(organisation=organisation, supervisors=[])
    response = client.post(
        f"/admin/peer-workers/edit/{worker.pk}/",
        edit_form(worker, status="left", leaving_note="Moving away"),
    )
    assert response.status_code == 200
    page = text(response)
    assert "Enter the date they left" in page
    assert "Choose why they left" in page
    assert "Moving away" in page
    worker.refresh_from_db()
    assert worker.status == PeerWorker.Status.ACTIVE


def test_a_leaving_date_before_the_start_is_refused(client, hr, organisation):
    worker = PeerWorkerFactory(organisation=organisation, supervisors=[])
    before = (worker.start_date - timedelta(days=1)).isoformat()
    response = client.post(
        f"/admin/peer-workers/edit/{worker.pk}/",
        edit_form(worker, status="left", left_on=before, leaving_reason="new_job"),
    )
    assert response.status_code == 200
    assert "The leaving date must be on or after their start date" in text(response)
    worker.refresh_from_db()
    assert worker.status == PeerWorker.Status.ACTIVE


def test_hr_marks_a_worker_as_left_with_a_date_and_reason(client, hr, organisation):
    worker = PeerWorkerFactory(organisation=organisation, supervisors=[])
    left_on = timezone.localdate() - timedelta(days=2)
    response = client.post(
        f"/admin/peer-workers/edit/{worker.pk}/",
        edit_form(
            worker,
            status="left",
            left_on=left_on.isoformat(),
            leaving_reason="progression",
            leaving_note="Now a clinical team lead",
        ),
    )
    assert response.status_code == 302, text(response)[:3000]
    worker.refresh_from_db()
    assert worker.status == PeerWorker.Status.LEFT
    assert worker.left_on == left_on
    assert worker.leaving_reason == "progression"
    assert ModelLogEntry.objects.filter(
        action=audit_actions.WORKER_LEAVE, object_id=str(worker.pk)
    ).exists()
    # Having left, they no longer have a current record: their summary is closed to them.
    sign_in(client, worker.user)
    assert client.get("/peer-work/summary/").status_code == 403


def test_a_worker_who_comes_back_has_their_leaving_details_cleared(client, hr, organisation):
    worker = PeerWorkerFactory(organisation=organisation, supervisors=[], left=True)
    response = client.post(
        f"/admin/peer-workers/edit/{worker.pk}/", edit_form(worker, status="active")
    )
    assert response.status_code == 302, text(response)[:3000]
    worker.refresh_from_db()
    assert worker.status == PeerWorker.Status.ACTIVE
    assert worker.left_on is None
    assert worker.leaving_reason == ""


# --- Teams, permissions ---------------------------------------------------------------------


def test_hr_adds_a_team_to_their_organisation_only(client, hr, organisation, other_organisation):
    response = client.post(
        "/admin/peer-teams/new/", {"organisation": organisation.pk, "name": "Ward team"}
    )
    assert response.status_code == 302, text(response)[:2000]
    assert Team.objects.filter(organisation=organisation, name="Ward team").exists()
    response = client.post(
        "/admin/peer-teams/new/", {"organisation": other_organisation.pk, "name": "Sneaky team"}
    )
    assert response.status_code == 200
    assert not Team.objects.filter(name="Sneaky team").exists()


def test_hr_cannot_open_another_organisations_team(client, hr, other_organisation):
    their_team = TeamFactory(organisation=other_organisation)
    assert client.get(f"/admin/peer-teams/edit/{their_team.pk}/").status_code == 404
    assert their_team.name not in text(client.get("/admin/peer-teams/"))


def test_the_hr_group_may_keep_worker_records_and_teams():
    codenames = set(
        Group.objects.get(name=Role.HR.value).permissions.values_list("codename", flat=True)
    )
    assert {
        "add_peerworker",
        "change_peerworker",
        "view_peerworker",
        "add_team",
        "change_team",
        "view_team",
    } <= codenames
    assert "delete_peerworker" not in codenames


@pytest.mark.parametrize("role", ["engagement_lead", "finance", "editor"])
def test_other_admin_staff_are_sent_back_to_the_admin_home(client_as, role):
    response = client_as(role).get("/admin/peer-workers/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_partnership_wide_hr_lead_sees_every_organisation(client, other_organisation, theirs):
    lead = UserFactory(
        organisation=OrganisationFactory(name="Partnership office"),
        partnership_wide=True,
        roles=[Role.HR],
        mfa=True,
    )
    sign_in(client, lead)
    assert "Their Worker" in text(client.get("/admin/peer-workers/"))
    assert client.get(f"/admin/peer-workers/edit/{theirs.pk}/").status_code == 200


def test_start_dates_far_ahead_are_refused(client, hr, organisation):
    far = (timezone.localdate() + timedelta(days=400)).isoformat()
    response = client.post("/admin/peer-workers/new/", worker_form(organisation, start_date=far))
    assert response.status_code == 200
    assert "The start date must be within the next year" in text(response)
    assert not PeerWorker.objects.exists()
