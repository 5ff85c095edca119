"""A safeguarding alert that cannot be delivered is shown on screen: the worker who raised
the concern is asked to phone, a supervisor sees who has not been reached and since when,
and the concerns list marks it. With working mail, nobody is warned."""

from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core import mail
from django.utils import timezone

from cms import tasks
from cms.models import OutboundEmail
from cms.roles import Role
from peers.models import SafeguardingConcern
from peers.services import safeguarding as services
from tests.conftest import sign_in
from tests.factories import (
    PeerWorkerFactory,
    SafeguardingConcernFactory,
    SessionLogFactory,
    SupervisorFactory,
    UserFactory,
)
from tests.peers.test_safeguarding import CONCERNS, LOG, log_with_concern, page_text
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

FAILING_BACKEND = "tests.cms.failing_mail.FailingEmailBackend"
WORKER_WARNING = "Your supervisor may not know about this concern yet"
SUPERVISOR_WARNING = "Someone has not been told about this concern"


# ``organisation``, ``supervisor`` (Priya Shah, priya@example.org) and ``worker`` (Sam
# Okafor): tests/peers/conftest.py


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND


def raise_concern(client, worker, **overrides):
    """The worker logs a session and raises a concern with it; the page they land on."""
    sign_in(client, worker.user)
    response = client.post(LOG, log_with_concern(**overrides), follow=True)
    assert response.status_code == 200
    return response, SafeguardingConcern.objects.get()


def concern_page(client, person, concern) -> str:
    sign_in(client, person)
    response = client.get(f"/peer-work/safeguarding/{concern.pk}/")
    assert response.status_code == 200
    return page_text(response)


def test_when_the_alert_is_not_delivered_the_worker_is_asked_to_phone_at_once(
    client, worker, mail_server_down
):
    response, concern = raise_concern(client, worker)
    text = page_text(response)
    assert "Session logged and safeguarding concern raised." in text
    assert WORKER_WARNING in text
    assert "The email telling your supervisor about this concern has not been delivered yet" in text
    assert "Phone your supervisor now" in text
    assert "If someone is at immediate risk, call 999" in text
    assert "Your supervisors have been emailed" not in text
    callout = BeautifulSoup(response.content, "html.parser").select_one(".nhsuk-warning-callout")
    assert callout.select_one("a[href='tel:999']") is not None
    assert mail.outbox == []


def test_a_supervisor_sees_who_has_not_been_reached_and_since_when(
    client, worker, supervisor, organisation, mail_server_down
):
    worker.supervisors.add(
        SupervisorFactory(organisation=organisation, mfa=True, email="lee@example.org")
    )
    _, concern = raise_concern(client, worker)
    sent = timezone.localtime(OutboundEmail.objects.earliest("created_at").created_at)
    text = concern_page(client, supervisor, concern)
    assert SUPERVISOR_WARNING in text
    assert "These emails about the concern have not been delivered" in text
    assert f"To lee@example.org, since {sent:%-d %B %Y} at" in text
    assert "To priya@example.org (you), since" in text
    assert text.count("we are still trying") == 2

    OutboundEmail.objects.update(status=OutboundEmail.Status.FAILED)
    assert concern_page(client, supervisor, concern).count("we have stopped trying") == 2


def test_with_working_mail_nobody_is_warned(client, worker, supervisor):
    response, concern = raise_concern(client, worker)
    text = page_text(response)
    assert "Your supervisors have been emailed" in text
    assert WORKER_WARNING not in text
    assert SUPERVISOR_WARNING not in concern_page(client, supervisor, concern)
    assert "Email not delivered" not in page_text(client.get(CONCERNS))
    assert [m.to for m in mail.outbox] == [["priya@example.org"]]


def test_the_warning_goes_once_the_alert_gets_through(client, worker, supervisor, settings):
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND
    _, concern = raise_concern(client, worker)
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        assert tasks.retry_pending_email() == 1
    assert [m.to for m in mail.outbox] == [["priya@example.org"]]
    assert WORKER_WARNING not in concern_page(client, worker.user, concern)
    assert SUPERVISOR_WARNING not in concern_page(client, supervisor, concern)


def test_immediate_risk_with_the_alert_undelivered_does_not_say_supervisors_were_told(
    client, worker, mail_server_down
):
    response, _ = raise_concern(client, worker, concern_urgency="immediate")
    text = page_text(response)
    assert "If someone is at immediate risk, call 999 now" in text
    assert "your supervisors have been told" not in text
    assert WORKER_WARNING in text


def test_with_no_supervisor_the_worker_is_told_the_email_to_hr_has_not_got_through(
    client, organisation, mail_server_down
):
    UserFactory(roles=[Role.HR], organisation=organisation)
    lone = PeerWorkerFactory(organisation=organisation, supervisors=[])
    response, _ = raise_concern(client, lone)
    text = page_text(response)
    assert "so we emailed your organisation's HR team. That email has not been delivered" in text
    assert "Phone your manager now" in text
    assert "We have told your organisation's HR team" not in text


def test_the_worker_is_not_warned_about_the_picked_up_email_to_themselves(
    client, worker, supervisor, settings
):
    _, concern = raise_concern(client, worker)
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND
    services.concern_acknowledge(concern=concern, user=supervisor, action_taken="Phoned them")
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).count() == 1

    worker_text = concern_page(client, worker.user, concern)
    assert WORKER_WARNING not in worker_text and SUPERVISOR_WARNING not in worker_text
    assert "Email not delivered" not in page_text(client.get(CONCERNS))
    # The supervisor may tell the worker themselves.
    supervisor_text = concern_page(client, supervisor, concern)
    assert SUPERVISOR_WARNING in supervisor_text
    assert f"To {worker.user.email}, since" in supervisor_text


def test_the_concerns_list_marks_a_concern_whose_alert_is_not_delivered(
    client, worker, supervisor, settings
):
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND
    _, undelivered = raise_concern(client, worker)
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    delivered = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    services.concern_alert(concern=delivered)

    for person in (worker.user, supervisor):
        sign_in(client, person)
        soup = BeautifulSoup(client.get(CONCERNS).content, "html.parser")
        marked = {
            row.select_one("a")["href"]
            for row in soup.select("tbody tr")
            if "Email not delivered" in row.get_text()
        }
        assert marked == {f"/peer-work/safeguarding/{undelivered.pk}/"}, person


def test_the_concerns_list_costs_the_same_queries_with_3_or_20_undelivered_alerts(
    client, worker, supervisor, settings
):
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND

    def add(count):
        for _ in range(count):
            concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
            services.concern_alert(concern=concern)

    sign_in(client, supervisor)
    add(3)
    queries_for(client, CONCERNS)
    few = queries_for(client, CONCERNS)
    add(17)
    assert queries_for(client, CONCERNS) == few
    assert page_text(client.get(CONCERNS)).count("Email not delivered") == 20
