"""The induction checklist of a new worker's first 12 weeks: made once when they start,
read by the worker and HR, ticked by their supervisors only."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms.roles import Role
from peers.models import InductionItem
from peers.services import Refused
from peers.services import progression as services
from tests.conftest import sign_in
from tests.factories import OrganisationFactory, PeerWorkerFactory, SupervisorFactory, UserFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

INDUCTION = "/peer-work/induction/"


@pytest.fixture
def supervisor(organisation):
    return SupervisorFactory(organisation=organisation, mfa=True)


@pytest.fixture
def starter(organisation, supervisor):
    worker = PeerWorkerFactory(
        organisation=organisation,
        supervisors=[supervisor],
        start_date=timezone.localdate() - timedelta(days=20),
        user__first_name="Ava",
        user__last_name="Reid",
    )
    services.induction_create(worker=worker, user=supervisor)
    return worker


def _item(worker, key):
    return InductionItem.objects.get(worker=worker, key=key)


def test_induction_create_makes_the_checklist_once(starter, supervisor):
    keys = {key for key, *_ in services.INDUCTION_ITEMS}
    assert set(InductionItem.objects.filter(worker=starter).values_list("key", flat=True)) == keys
    assert {"buddy", "supervision", "wellbeing-plan", "mandatory-training"} <= keys
    assert {"met-team", "lone-working"} <= keys
    assert max(week for *_, week in services.INDUCTION_ITEMS) == 12
    # Tick one, then run it again: nothing is duplicated or reset.
    services.induction_item_mark(item=_item(starter, "buddy"), user=supervisor, done=True)
    items = services.induction_create(worker=starter, user=supervisor)
    assert len(items) == len(keys)
    assert _item(starter, "buddy").done_on == timezone.localdate()
    assert ModelLogEntry.objects.filter(action="peers.induction.create").count() == 1


def test_worker_reads_their_induction_with_targets(client, starter):
    sign_in(client, starter.user)
    response = client.get(INDUCTION)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your induction" in page
    assert f"0 of {len(services.INDUCTION_ITEMS)} steps done" in page
    assert "Buddy assigned" in page and "Read the lone-working policy" in page
    week_one = starter.start_date + timedelta(weeks=1)
    assert "Past target" in page  # started 20 days ago: week 1 items are past target
    assert f"{week_one:%-d %B %Y}" in page
    assert "Mark as done" not in page  # the worker reads; supervisors tick


def test_supervisor_ticks_and_unticks_an_item(client, starter, supervisor):
    sign_in(client, supervisor)
    item = _item(starter, "buddy")
    url = f"{INDUCTION}{starter.pk}/items/{item.pk}/"
    response = client.post(url, {"done": "1"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_on == timezone.localdate() and item.done_by == supervisor
    page = client.get(f"{INDUCTION}{starter.pk}/").content.decode()
    assert "‘Buddy assigned’ marked done for Ava Reid." in page
    assert f"1 of {len(services.INDUCTION_ITEMS)} steps done" in page

    client.post(url, {"done": "0"})
    item.refresh_from_db()
    assert item.done_on is None and item.done_by is None
    assert ModelLogEntry.objects.filter(action="peers.induction.item_undone").exists()


def test_a_date_in_the_future_is_refused(starter, supervisor):
    with pytest.raises(Refused, match="today or in the past"):
        services.induction_item_mark(
            item=_item(starter, "buddy"),
            user=supervisor,
            done=True,
            done_on=timezone.localdate() + timedelta(days=3),
        )
    assert _item(starter, "buddy").done_on is None


def test_a_supervisor_starts_a_checklist_for_someone_without_one(client, organisation, supervisor):
    worker = PeerWorkerFactory(organisation=organisation, supervisors=[supervisor])
    sign_in(client, supervisor)
    assert "Start an induction checklist" in client.get(f"{INDUCTION}{worker.pk}/").content.decode()
    assert client.post(f"{INDUCTION}{worker.pk}/start/").status_code == 302
    assert InductionItem.objects.filter(worker=worker).count() == len(services.INDUCTION_ITEMS)


def test_the_worker_cannot_tick_their_own_items(client, starter):
    sign_in(client, starter.user)
    item = _item(starter, "buddy")
    assert (
        client.post(f"{INDUCTION}{starter.pk}/items/{item.pk}/", {"done": "1"}).status_code == 403
    )
    with pytest.raises(Refused):
        services.induction_item_mark(item=item, user=starter.user, done=True)
    assert _item(starter, "buddy").done_on is None


def test_another_supervisor_cannot_see_or_tick(client, starter, organisation):
    other = SupervisorFactory(organisation=organisation, mfa=True)
    sign_in(client, other)
    item = _item(starter, "buddy")
    assert client.get(f"{INDUCTION}{starter.pk}/").status_code == 404
    assert (
        client.post(f"{INDUCTION}{starter.pk}/items/{item.pk}/", {"done": "1"}).status_code == 404
    )
    assert client.post(f"{INDUCTION}{starter.pk}/start/").status_code == 404
    assert _item(starter, "buddy").done_on is None


def test_an_item_of_another_worker_is_not_found(client, starter, supervisor, organisation):
    elsewhere = PeerWorkerFactory(organisation=organisation)
    services.induction_create(worker=elsewhere, user=supervisor)
    sign_in(client, supervisor)
    their_item = _item(elsewhere, "buddy")
    url = f"{INDUCTION}{starter.pk}/items/{their_item.pk}/"
    assert client.post(url, {"done": "1"}).status_code == 404
    assert _item(elsewhere, "buddy").done_on is None


def test_hr_reads_their_organisations_inductions_but_cannot_tick(client, starter, organisation):
    hr = UserFactory(organisation=organisation, roles=[Role.HR], mfa=True)
    sign_in(client, hr)
    page = client.get(f"{INDUCTION}{starter.pk}/").content.decode()
    assert "Ava Reid's induction" in page and "Buddy assigned" in page
    assert "Mark as done" not in page
    item = _item(starter, "buddy")
    assert (
        client.post(f"{INDUCTION}{starter.pk}/items/{item.pk}/", {"done": "1"}).status_code == 403
    )


def test_hr_of_another_organisation_cannot_see_an_induction(client, starter):
    hr = UserFactory(organisation=OrganisationFactory(), roles=[Role.HR], mfa=True)
    sign_in(client, hr)
    assert client.get(f"{INDUCTION}{starter.pk}/").status_code == 404


def test_my_space_shows_the_induction_to_the_worker_and_the_supervisor(client, starter, supervisor):
    sign_in(client, starter.user)
    page = client.get("/my-space/").content.decode()
    assert "Your progression" in page
    assert f"Induction: 0 of {len(services.INDUCTION_ITEMS)} steps done" in page
    sign_in(client, supervisor)
    page = client.get("/my-space/").content.decode()
    assert "Progression and induction" in page
    assert "Ava Reid" in page and f"{len(services.INDUCTION_ITEMS)} steps to go" in page


def test_the_checklist_page_costs_the_same_queries_however_many_items_are_done(
    client, starter, supervisor
):
    sign_in(client, supervisor)
    url = f"{INDUCTION}{starter.pk}/"
    queries_for(client, url)
    few = queries_for(client, url)
    for item in InductionItem.objects.filter(worker=starter):
        services.induction_item_mark(item=item, user=supervisor, done=True)
    assert queries_for(client, url) == few
