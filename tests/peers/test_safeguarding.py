"""Safeguarding concerns: raised from the session form (with or without JavaScript) or from
a logged session; the supervisors alerted at once by an email with no case details, once;
HR told when there is no supervisor; the concern first on the supervisor's My space until
they acknowledge it with the action taken; every view and the acknowledgement audit-logged."""

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms.audit import CHANGE, VIEW
from cms.roles import Role
from peers.models import SafeguardingConcern, SessionLog
from peers.services import Refused
from peers.services import safeguarding as services
from tests.conftest import sign_in
from tests.factories import (
    OrganisationFactory,
    PeerWorkerFactory,
    SafeguardingConcernFactory,
    SessionLogFactory,
    SupervisorFactory,
    UserFactory,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

LOG = "/peer-work/sessions/log/"
CONCERNS = "/peer-work/safeguarding/"
DESCRIPTION = "Their neighbour, Mr Brown, has been threatening them at home."


def page_text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


# ``organisation``, ``supervisor`` (Priya Shah) and ``worker`` (Sam Okafor): tests/peers/conftest.py


@pytest.fixture
def as_worker(client, worker):
    return sign_in(client, worker.user)


@pytest.fixture
def as_supervisor(client, supervisor):
    return sign_in(client, supervisor)


def log_with_concern(**overrides):
    data = {
        "date": timezone.localdate().isoformat(),
        "duration_minutes": "60",
        "setting": "home",
        "group_size": "1",
        "person_reference": "HV-7",
        "outcome_measure": "",
        "raise_concern": "on",
        "concern_urgency": "today",
        "concern_description": DESCRIPTION,
        "concern_immediate_action": "Gave them the police non-emergency number.",
        # The name is needed by the safeguarding team; the session's own notes are empty.
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- Raising a concern -----------------------------------------------------------------------


def test_the_concern_fields_are_on_the_log_form_and_work_without_javascript(as_worker):
    soup = BeautifulSoup(as_worker.get(LOG).content, "html.parser")
    checkbox = soup.select_one("#id_raise_concern")
    assert checkbox["data-aria-controls"] == "conditional-raise-concern"
    reveal = soup.select_one("#conditional-raise-concern")
    # Hidden only by the NHS.UK script (the class does nothing without it).
    assert "nhsuk-checkboxes__conditional--hidden" in reveal["class"]
    assert reveal.select_one("input[name=concern_urgency]") is not None
    assert soup.select_one("legend").get_text(strip=True)


def test_raising_a_concern_with_a_session_alerts_the_supervisor_without_details(
    as_worker, supervisor, worker
):
    response = as_worker.post(LOG, log_with_concern(), follow=True)
    assert response.status_code == 200
    text = page_text(response)
    assert "Session logged and safeguarding concern raised." in text
    assert "Your supervisors have been emailed" in text
    concern = SafeguardingConcern.objects.get()
    assert concern.session == SessionLog.objects.get()
    assert concern.worker == worker
    assert concern.raised_by == worker.user
    assert concern.alert_queued_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [supervisor.email]
    assert "Sam Okafor" in message.subject
    assert "needs action today" in message.subject
    assert "Needs action today" in message.body
    assert f"/peer-work/safeguarding/{concern.pk}/" in message.body
    for detail in ("Brown", "threatening", "HV-7", "non-emergency"):
        assert detail not in message.body and detail not in message.subject


def test_a_concern_needs_urgency_and_a_description_and_keeps_what_was_typed(as_worker):
    response = as_worker.post(
        LOG,
        log_with_concern(
            concern_urgency=None, concern_description="", concern_immediate_action="Called"
        ),
    )
    text = page_text(response)
    assert "Choose how urgent the concern is" in text
    assert "Describe what happened and who may be at risk" in text
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("#id_raise_concern").has_attr("checked")
    assert (
        "nhsuk-checkboxes__conditional--hidden"
        not in soup.select_one("#conditional-raise-concern")["class"]
    )
    assert soup.select_one("#id_concern_immediate_action").text.strip() == "Called"
    assert not SessionLog.objects.exists()
    assert mail.outbox == []


def test_concern_fields_filled_in_but_box_not_ticked_raise_nothing(as_worker):
    as_worker.post(LOG, log_with_concern(raise_concern=None))
    assert SessionLog.objects.count() == 1
    assert not SafeguardingConcern.objects.exists()
    assert mail.outbox == []


def test_immediate_risk_shows_the_worker_a_calm_call_999_message(as_worker):
    response = as_worker.post(LOG, log_with_concern(concern_urgency="immediate"), follow=True)
    text = page_text(response)
    assert "If someone is at immediate risk, call 999 now" in text
    assert 'href="tel:999"' in response.content.decode()
    assert "someone is at immediate risk" in mail.outbox[0].subject


def test_a_concern_can_be_raised_later_from_a_logged_session(as_worker, worker, supervisor):
    session = SessionLogFactory(worker=worker)
    url = f"/peer-work/sessions/{session.pk}/safeguarding/"
    assert "Raise a safeguarding concern" in page_text(
        as_worker.get(f"/peer-work/sessions/{session.pk}/")
    )
    response = as_worker.post(url, {"urgency": "soon", "description": ""})
    assert "Describe what happened and who may be at risk" in page_text(response)
    assert not SafeguardingConcern.objects.exists()
    response = as_worker.post(url, {"urgency": "soon", "description": DESCRIPTION}, follow=True)
    assert "Safeguarding concern raised." in page_text(response)
    concern = SafeguardingConcern.objects.get(session=session)
    assert concern.urgency == "soon"
    assert [m.to for m in mail.outbox] == [[supervisor.email]]
    # One concern per session: the page now leads to it.
    response = as_worker.get(url, follow=True)
    assert "already been raised" in page_text(response)


def test_every_supervisor_gets_their_own_email(organisation, worker):
    second = SupervisorFactory(organisation=organisation)
    worker.supervisors.add(second)
    services.concern_raise(
        session=SessionLogFactory(worker=worker),
        user=worker.user,
        details=services.ConcernDetails(urgency="today", description=DESCRIPTION),
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [second.email, worker.supervisors.exclude(pk=second.pk).get().email]
    )
    assert all(len(m.to) == 1 for m in mail.outbox)


def test_the_alert_is_sent_once_however_often_it_runs(worker):
    concern = services.concern_raise(
        session=SessionLogFactory(worker=worker),
        user=worker.user,
        details=services.ConcernDetails(urgency="today", description=DESCRIPTION),
    )
    again = services.concern_alert(concern=concern)
    assert again.already_sent
    assert len(mail.outbox) == 1


def test_with_no_supervisor_hr_are_told_and_the_worker_asked_to_phone_their_manager(
    client, organisation
):
    # A name of our own: the check below is that the concern's "Brown" is not sent, and
    # Faker sometimes names the worker Brown.
    worker = PeerWorkerFactory(
        organisation=organisation,
        supervisors=[],
        user__first_name="Dana",
        user__last_name="Okafor",
    )
    hr = UserFactory(organisation=organisation, roles=[Role.HR])
    UserFactory(organisation=OrganisationFactory(), roles=[Role.HR])  # another organisation
    sign_in(client, worker.user)
    response = client.post(LOG, log_with_concern(), follow=True)
    text = page_text(response)
    assert "Please phone your manager now" in text
    assert "We have told your organisation's HR team" in text
    assert [m.to for m in mail.outbox] == [[hr.email]]
    message = mail.outbox[0]
    assert "needs a supervisor" in message.subject
    assert "Brown" not in message.body and "HV-7" not in message.body
    concern = SafeguardingConcern.objects.get()
    entry = ModelLogEntry.objects.for_instance(concern).get(action="peers.concern.alert")
    assert entry.data["sent_to"] == "hr"


def test_a_supervisor_who_lost_the_role_is_not_alerted(organisation, worker, supervisor):
    supervisor.groups.clear()
    hr = UserFactory(organisation=organisation, roles=[Role.HR])
    services.concern_raise(
        session=SessionLogFactory(worker=worker),
        user=worker.user,
        details=services.ConcernDetails(urgency="today", description=DESCRIPTION),
    )
    assert [m.to for m in mail.outbox] == [[hr.email]]


def test_nobody_raises_a_concern_on_someone_elses_session(worker, supervisor, organisation):
    session = SessionLogFactory(worker=worker)
    with pytest.raises(Refused):
        services.concern_raise(
            session=session,
            user=supervisor,
            details=services.ConcernDetails(urgency="today", description=DESCRIPTION),
        )
    other = PeerWorkerFactory(organisation=organisation)
    with pytest.raises(Refused):
        services.concern_raise(
            session=session,
            user=other.user,
            details=services.ConcernDetails(urgency="today", description=DESCRIPTION),
        )
    assert not SafeguardingConcern.objects.exists()


# --- Seeing a concern ------------------------------------------------------------------------


def test_a_supervisor_reads_a_concern_and_the_view_is_audit_logged(
    as_supervisor, supervisor, worker
):
    concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    response = as_supervisor.get(f"/peer-work/safeguarding/{concern.pk}/")
    assert response.status_code == 200
    text = page_text(response)
    assert "Raised by Sam Okafor" in text
    assert concern.description in text
    assert "Acknowledge the concern" in text
    entry = ModelLogEntry.objects.for_instance(concern).get(action=VIEW)
    assert entry.user == supervisor


def test_the_worker_sees_their_concern_and_its_status(as_worker, worker):
    concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    text = page_text(as_worker.get(f"/peer-work/safeguarding/{concern.pk}/"))
    assert "Waiting for a supervisor" in text
    assert "Acknowledge the concern" not in text
    assert ModelLogEntry.objects.for_instance(concern).filter(action=VIEW).count() == 1
    listing = page_text(as_worker.get(CONCERNS))
    assert "Waiting for a supervisor" in listing


def test_guessing_a_concern_id_is_a_404(client, worker, supervisor, organisation):
    elsewhere = SafeguardingConcernFactory(
        session=SessionLogFactory(worker=PeerWorkerFactory(organisation=organisation))
    )
    for person in (worker.user, supervisor):
        sign_in(client, person)
        assert client.get(f"/peer-work/safeguarding/{elsewhere.pk}/").status_code == 404
        response = client.post(f"/peer-work/safeguarding/{elsewhere.pk}/", {"action_taken": "x"})
        assert response.status_code == 404
    assert not ModelLogEntry.objects.filter(action=VIEW).exists()
    elsewhere.refresh_from_db()
    assert elsewhere.is_open


@pytest.mark.parametrize("role", ["hr", "admin", "engagement_lead", "member"])
def test_nobody_else_reads_a_concern(client_as, worker, role):
    concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    client = client_as(role, organisation=worker.organisation)
    assert client.get(f"/peer-work/safeguarding/{concern.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["hr", "admin", "member"])
def test_the_concerns_list_is_for_workers_and_supervisors(client_as, role):
    assert client_as(role).get(CONCERNS).status_code == 403


def test_the_concerns_list_shows_open_ones_first(as_supervisor, worker):
    SafeguardingConcernFactory(session=SessionLogFactory(worker=worker), acknowledged=True)
    SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    rows = BeautifulSoup(as_supervisor.get(CONCERNS).content, "html.parser").select("tbody tr")
    assert "Waiting for a supervisor" in rows[0].get_text()
    assert "Acknowledged" in rows[1].get_text()


def test_the_concerns_list_costs_the_same_queries_with_3_or_30(as_supervisor, worker):
    for _ in range(3):
        SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    queries_for(as_supervisor, CONCERNS)
    few = queries_for(as_supervisor, CONCERNS)
    for _ in range(17):
        SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    assert queries_for(as_supervisor, CONCERNS) == few


# --- Acknowledging ---------------------------------------------------------------------------


def test_a_supervisor_acknowledges_with_the_action_taken(as_supervisor, supervisor, worker):
    concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    url = f"/peer-work/safeguarding/{concern.pk}/"
    response = as_supervisor.post(url, {"action_taken": ""})
    assert "Enter what you have done about the concern" in page_text(response)
    concern.refresh_from_db()
    assert concern.is_open
    response = as_supervisor.post(
        url, {"action_taken": "Called Sam; referred to adult safeguarding."}, follow=True
    )
    assert "Concern acknowledged." in page_text(response)
    concern.refresh_from_db()
    assert concern.acknowledged_by == supervisor
    assert concern.action_taken == "Called Sam; referred to adult safeguarding."
    actions = set(ModelLogEntry.objects.for_instance(concern).values_list("action", flat=True))
    assert {"peers.concern.acknowledge", CHANGE} <= actions
    # The worker is told it has been picked up, with no details.
    message = mail.outbox[-1]
    assert message.to == [worker.user.email]
    assert "picked up" in message.subject
    assert "referred" not in message.body


def test_acknowledging_twice_is_refused(worker, supervisor):
    concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    services.concern_acknowledge(concern=concern, user=supervisor, action_taken="Done")
    with pytest.raises(Refused, match="already been acknowledged"):
        services.concern_acknowledge(concern=concern, user=supervisor, action_taken="Again")


def test_the_worker_cannot_acknowledge_their_own_concern(as_worker, worker):
    concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    response = as_worker.post(
        f"/peer-work/safeguarding/{concern.pk}/", {"action_taken": "Sorted"}, follow=True
    )
    assert "Only the worker's supervisors can acknowledge" in page_text(response)
    concern.refresh_from_db()
    assert concern.is_open


def test_the_worker_sees_the_action_taken_once_acknowledged(as_worker, worker):
    concern = SafeguardingConcernFactory(
        session=SessionLogFactory(worker=worker), acknowledged=True
    )
    text = page_text(as_worker.get(f"/peer-work/safeguarding/{concern.pk}/"))
    assert "Acknowledged" in text
    assert concern.action_taken in text


# --- My space --------------------------------------------------------------------------------


def test_open_concerns_are_first_on_the_supervisors_my_space_until_acknowledged(
    as_supervisor, supervisor, worker
):
    concern = SafeguardingConcernFactory(
        session=SessionLogFactory(worker=worker),
        urgency=SafeguardingConcern.Urgency.IMMEDIATE,
    )
    soup = BeautifulSoup(as_supervisor.get("/my-space/").content, "html.parser")
    first = soup.select(".lep-panels > section")[0]
    assert "Safeguarding concerns to acknowledge" in first.get_text()
    assert "Raised by Sam Okafor" in first.get_text()
    assert "Someone is at immediate risk" in first.get_text()
    services.concern_acknowledge(concern=concern, user=supervisor, action_taken="Done")
    text = page_text(as_supervisor.get("/my-space/"))
    assert "No safeguarding concerns are waiting for you." in text


def test_the_supervisors_my_space_costs_the_same_queries_with_3_or_30_concerns(
    as_supervisor, worker
):
    for _ in range(3):
        SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    queries_for(as_supervisor, "/my-space/")
    few = queries_for(as_supervisor, "/my-space/")
    for _ in range(27):
        SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    assert queries_for(as_supervisor, "/my-space/") == few
