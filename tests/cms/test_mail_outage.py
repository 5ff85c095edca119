"""The mail server is down for days: nothing is lost, nothing is sent twice, and nobody is
left believing an email arrived when it did not.

In-process, with the real SMTP backend pointed at a closed port on 127.0.0.1 and time walked
through the back-off with time-machine, calling the every-minute sweep at each due time, as
the worker's schedule would. If the server comes back on the second day, every message is
delivered exactly once. If it never does, after more than three days every message is
marked "could not be delivered", the admin dashboard warns, and the safeguarding concern's
page says its alert did not get through.
"""

import contextlib
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.mail import send_mail
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from cms import mail as cms_mail
from cms import tasks
from cms.models import OutboundEmail
from peers.services import safeguarding
from tests.conftest import sign_in
from tests.factories import (
    OrganisationFactory,
    PeerWorkerFactory,
    SessionLogFactory,
    SupervisorFactory,
    UserFactory,
)
from tests.fault.mailserver import MailServer, free_port

pytestmark = pytest.mark.django_db

Status = OutboundEmail.Status
# More than the back-off has steps; the walk stops when nothing is waiting.
MAX_STEPS = 50
NOTICES = 3
WARNING = "Your supervisor may not know about this concern yet"


def page_text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


@pytest.fixture
def smtp_port(settings):
    """The real SMTP backend, pointed at a port on 127.0.0.1 where nothing listens yet."""
    port = free_port()
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    return port


@pytest.fixture
def worker():
    organisation = OrganisationFactory(name="Northdale Health NHS Trust")
    supervisor = SupervisorFactory(organisation=organisation, mfa=True)
    return PeerWorkerFactory(organisation=organisation, supervisors=[supervisor])


def queue_mail(client, worker):
    """What a busy day queues: notices, a password reset and a safeguarding alert."""
    for n in range(1, NOTICES + 1):
        send_mail(f"Meeting notice {n}", "See you there.", None, [f"member{n}@example.org"])
    member = UserFactory(email="jo.bright@example.org")
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert response.status_code == 302
    return safeguarding.concern_raise(
        session=SessionLogFactory(worker=worker),
        user=worker.user,
        details=safeguarding.ConcernDetails(
            urgency="today", description="Their neighbour has been threatening them."
        ),
    )


def concern_page(client, worker, concern) -> str:
    """The concern's page as the worker who raised it sees it."""
    url = reverse("peers:concern_detail", args=[concern.pk])
    return page_text(sign_in(client, worker.user).get(url))


def walk_the_back_off(traveller, *, on_the_way=None):
    """Move time to each due retry and run the sweep, until nothing is waiting; returns
    where time ended. ``on_the_way(now)`` runs before each sweep."""
    now = timezone.now()
    for _ in range(MAX_STEPS):
        due = OutboundEmail.objects.filter(status=Status.PENDING).aggregate(
            due=Min("next_attempt_at")
        )["due"]
        if due is None:
            return now
        traveller.move_to(due)
        now = due
        if on_the_way:
            on_the_way(now)
        tasks.retry_pending_email()
    raise AssertionError(f"Messages were still waiting after {MAX_STEPS} retries")


def test_mail_queued_while_the_server_is_down_arrives_exactly_once_when_it_is_back_on_day_two(
    client, smtp_port, worker
):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        started = timezone.now()
        concern = queue_mail(client, worker)
        queued = list(OutboundEmail.objects.all())
        assert len(queued) == NOTICES + 2
        assert {(row.status, row.attempts) for row in queued} == {(Status.PENDING, 1)}
        assert WARNING in concern_page(client, worker, concern)

        server = MailServer(port=smtp_port)
        back_at = started + timedelta(days=1)
        with contextlib.ExitStack() as running:
            back = []

            def server_back_on_day_two(now):
                if now >= back_at and not back:
                    back.append(running.enter_context(server))

            ended = walk_the_back_off(traveller, on_the_way=server_back_on_day_two)
            assert timedelta(days=1) < ended - started < timedelta(days=2)
            # Later sweeps find nothing to send again.
            traveller.move_to(ended + timedelta(days=3))
            assert tasks.retry_pending_email() == 0

    rows = list(OutboundEmail.objects.all())
    assert {row.status for row in rows} == {Status.SENT}
    assert Counter(server.message_ids()) == Counter(
        {row.message["headers"]["Message-ID"]: 1 for row in rows}
    )
    assert sorted(server.subjects()) == sorted(row.subject for row in rows)
    page = concern_page(client, worker, concern)
    assert WARNING not in page and "Your supervisors have been emailed" in page


def test_mail_that_never_gets_through_fails_visibly_after_more_than_three_days(
    client, smtp_port, worker, make_person
):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        started = timezone.now()
        concern = queue_mail(client, worker)
        ended = walk_the_back_off(traveller)

        assert ended - started > timedelta(days=3)
        rows = list(OutboundEmail.objects.all())
        assert len(rows) == NOTICES + 2
        for row in rows:
            assert (row.status, row.attempts) == (Status.FAILED, cms_mail.MAX_ATTEMPTS)
            assert row.last_error.startswith("ConnectionRefusedError"), row.last_error

        alerts = cms_mail.undelivered_about(concern)
        assert [alert.recipients for alert in alerts] == [[worker.supervisors.get().email]]
        assert alerts[0].status == Status.FAILED

        admin = sign_in(client, make_person("admin"))
        dashboard = page_text(admin.get("/admin/"))
        assert "Email is not getting through." in dashboard
        assert f"{len(rows)} emails could not be delivered in the last week" in dashboard

        raised_by = concern_page(client, worker, concern)
        assert WARNING in raised_by and "Phone your supervisor now" in raised_by
        assert "we have stopped trying" in raised_by and "keep trying" not in raised_by
        concern_url = reverse("peers:concern_detail", args=[concern.pk])
        supervisor = page_text(sign_in(client, worker.supervisors.get()).get(concern_url))
        assert "Someone has not been told about this concern" in supervisor
        assert "we have stopped trying" in supervisor
