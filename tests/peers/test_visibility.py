"""Who sees which peer-work records: the rules every list, export and count goes through."""

import pytest

from cms.permissions import can, visible_to
from cms.roles import Role
from peers.models import PeerWorker, SafeguardingConcern, SessionLog, Supervision, WellbeingCheckIn
from tests.factories import (
    OrganisationFactory,
    PeerWorkerFactory,
    SafeguardingConcernFactory,
    SessionLogFactory,
    SupervisionFactory,
    SupervisorFactory,
    UserFactory,
    WellbeingCheckInFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    organisation = OrganisationFactory()
    supervisor = SupervisorFactory(organisation=organisation)
    mine = PeerWorkerFactory(organisation=organisation, supervisors=[supervisor])
    theirs = PeerWorkerFactory(organisation=organisation)
    return {
        "organisation": organisation,
        "supervisor": supervisor,
        "mine": mine,
        "theirs": theirs,
        "my_session": SessionLogFactory(worker=mine),
        "their_session": SessionLogFactory(worker=theirs),
    }


def test_worker_sees_only_their_own_sessions(world):
    user = world["mine"].user
    assert list(visible_to(user, SessionLog)) == [world["my_session"]]
    assert can(user, "peers.view_session", world["my_session"])
    assert not can(user, "peers.view_session", world["their_session"])


def test_supervisor_sees_only_their_supervisees_sessions(world):
    supervisor = world["supervisor"]
    assert list(visible_to(supervisor, SessionLog)) == [world["my_session"]]
    assert not can(supervisor, "peers.view_session", world["their_session"])
    assert not can(supervisor, "peers.edit_session", world["my_session"])


def test_a_supervisor_who_loses_the_role_loses_sight_of_sessions(world):
    supervisor = world["supervisor"]
    supervisor.groups.clear()
    supervisor.__dict__.pop("role_names", None)
    assert not visible_to(supervisor, SessionLog).exists()


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN, Role.ENGAGEMENT_LEAD, Role.MEMBER])
def test_nobody_else_sees_case_records(world, role):
    user = UserFactory(organisation=world["organisation"], roles=[role])
    SafeguardingConcernFactory(session=world["my_session"])
    SupervisionFactory(worker=world["mine"])
    WellbeingCheckInFactory(worker=world["mine"], shared_with_supervisor=True)
    for model in (SessionLog, SafeguardingConcern, Supervision, WellbeingCheckIn):
        assert not visible_to(user, model).exists(), model
    assert not can(user, "peers.view_session", world["my_session"])


def test_hr_sees_worker_records_of_their_organisation_only(world):
    hr = UserFactory(organisation=world["organisation"], roles=[Role.HR])
    elsewhere = PeerWorkerFactory()
    visible = set(visible_to(hr, PeerWorker))
    assert visible == {world["mine"], world["theirs"]}
    assert elsewhere not in visible


def test_wellbeing_is_private_until_shared(world):
    private = WellbeingCheckInFactory(worker=world["mine"])
    shared = WellbeingCheckInFactory(worker=world["mine"], shared_with_supervisor=True)
    assert list(visible_to(world["supervisor"], WellbeingCheckIn)) == [shared]
    assert set(visible_to(world["mine"].user, WellbeingCheckIn)) == {private, shared}
    assert not can(world["supervisor"], "peers.view_wellbeing", private)


def test_rows_are_not_repeated_for_workers_with_two_supervisors(world):
    second = SupervisorFactory(organisation=world["organisation"])
    world["mine"].supervisors.add(second)
    assert visible_to(world["supervisor"], SessionLog).count() == 1


def test_a_worker_who_has_left_can_no_longer_log(world):
    PeerWorker.objects.filter(pk=world["mine"].pk).update(
        status=PeerWorker.Status.LEFT, left_on="2026-01-01", leaving_reason="new_job"
    )
    user = world["mine"].user
    assert not can(user, "peers.log_sessions")
