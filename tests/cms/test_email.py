"""Email goes through the task queue, survives a failing mail server and is never doubled."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.test import override_settings
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import mail as cms_mail
from cms import tasks
from cms.models import OutboundEmail

pytestmark = pytest.mark.django_db

FAILING_BACKEND = "tests.cms.failing_mail.FailingEmailBackend"


def test_sending_email_queues_it_and_the_worker_delivers_it():
    send_mail("Your panel meeting", "See you on Tuesday.", None, ["sam@example.org"])
    outbound = OutboundEmail.objects.get()
    assert outbound.status == OutboundEmail.Status.SENT
    assert outbound.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Your panel meeting"
    assert mail.outbox[0].to == ["sam@example.org"]


def test_html_alternatives_attachments_and_headers_survive_the_queue():
    message = EmailMultiAlternatives(
        "Remittance",
        "Plain body",
        "finance@example.org",
        ["sam@example.org"],
        cc=["copy@example.org"],
        reply_to=["help@example.org"],
        headers={"X-Claim": "42"},
    )
    message.attach_alternative("<p>HTML body</p>", "text/html")
    message.attach("remittance.pdf", b"%PDF-1.4 fake", "application/pdf")
    message.send()
    delivered = mail.outbox[0]
    assert delivered.alternatives[0][0] == "<p>HTML body</p>"
    assert delivered.attachments[0][0] == "remittance.pdf"
    assert delivered.attachments[0][1] == b"%PDF-1.4 fake"
    assert delivered.cc == ["copy@example.org"]
    assert delivered.reply_to == ["help@example.org"]
    assert delivered.extra_headers["X-Claim"] == "42"


def _wait(minutes):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def test_a_failing_mail_server_loses_no_message_and_it_is_sent_when_due_again():
    with override_settings(EMAIL_DELIVERY_BACKEND=FAILING_BACKEND):
        send_mail("Reminder", "Meeting in two days.", None, ["sam@example.org"])
        outbound = OutboundEmail.objects.get()
        assert (outbound.status, outbound.attempts) == (OutboundEmail.Status.PENDING, 1)
        assert "mail server is down" in outbound.last_error
        assert outbound.next_attempt_at > timezone.now()
        assert mail.outbox == []
        # Not due yet: the every-minute sweep leaves it alone.
        assert tasks.retry_pending_email() == 0

    # The mail server is back and the message is due: the sweep delivers it.
    with _wait(2):
        assert tasks.retry_pending_email() == 1
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts, outbound.last_error) == ("sent", 2, "")
    assert [m.subject for m in mail.outbox] == ["Reminder"]


def test_a_delivery_task_run_twice_sends_one_email():
    send_mail("Once only", "Body", None, ["sam@example.org"])
    outbound = OutboundEmail.objects.get()
    assert tasks.deliver_email(outbound.pk) == OutboundEmail.Status.SENT
    assert tasks.deliver_email(outbound.pk) == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_retries_back_off_over_more_than_three_days_then_the_message_is_marked_failed(settings):
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND
    send_mail("Never", "Body", None, ["sam@example.org"])
    outbound = OutboundEmail.objects.get()
    start, now = outbound.created_at, outbound.created_at
    gaps = []
    while outbound.status == OutboundEmail.Status.PENDING:
        gaps.append(outbound.next_attempt_at - now)
        now = outbound.next_attempt_at
        with time_machine.travel(now, tick=False):
            assert tasks.retry_pending_email() == 1
        outbound.refresh_from_db()
        assert len(gaps) < 20
    assert outbound.status == OutboundEmail.Status.FAILED
    assert outbound.attempts == cms_mail.MAX_ATTEMPTS
    assert now - start > timedelta(days=3)
    assert gaps == sorted(gaps), "each wait is at least as long as the one before"
    # A late retry of a message that was given up on sends nothing and raises nothing.
    assert cms_mail.email_deliver(outbound_id=outbound.pk).status == OutboundEmail.Status.FAILED
    assert mail.outbox == []


def test_a_message_whose_worker_died_mid_send_is_sent_again_once_its_lease_ends():
    send_mail("Interrupted", "Body", None, ["sam@example.org"])
    outbound = OutboundEmail.objects.get()
    # As a worker killed while talking to the mail server leaves it:
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        status=OutboundEmail.Status.SENDING,
        lease_expires_at=timezone.now() + cms_mail.send_lease(),
    )
    mail.outbox.clear()
    # While the lease holds, nobody else sends it.
    assert tasks.retry_pending_email() == 0
    assert tasks.deliver_email(outbound.pk) == OutboundEmail.Status.SENDING
    with time_machine.travel(timezone.now() + cms_mail.send_lease() + timedelta(seconds=1)):
        assert tasks.retry_pending_email() == 1
    assert [m.subject for m in mail.outbox] == ["Interrupted"]


def test_the_lease_is_shorter_than_the_brokers_retry(settings):
    # The task a dead worker held is handed out again after Q_RETRY: it must find the
    # message free, or the message would wait for the sweep.
    assert cms_mail.send_lease() < timedelta(seconds=settings.Q_RETRY)
    settings.EMAIL_TIMEOUT, settings.Q_RETRY = 600, 120
    assert cms_mail.send_lease() < timedelta(seconds=120)


def test_the_sweep_requeues_only_waiting_messages_that_are_due(settings):
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND
    send_mail("Waiting", "Body", None, ["a@example.org"])
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_mail("Sent already", "Body", None, ["b@example.org"])
    assert [m.subject for m in mail.outbox] == ["Sent already"]
    with _wait(2):
        assert tasks.retry_pending_email() == 1
    assert sorted(m.subject for m in mail.outbox) == ["Sent already", "Waiting"]
    assert not OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).exists()


def test_a_message_whose_task_was_lost_is_queued_by_the_sweep():
    outbound = OutboundEmail.objects.create(
        message=cms_mail.serialise_message(EmailMultiAlternatives("Lost", "Body", to=["c@x.org"]))
    )
    assert tasks.retry_pending_email() == 0
    with _wait(6):
        assert tasks.retry_pending_email() == 1
    outbound.refresh_from_db()
    assert outbound.status == OutboundEmail.Status.SENT


def test_an_admin_can_send_again_a_message_that_was_given_up_on(settings, make_person):
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND
    send_mail("Given up", "Body", None, ["sam@example.org"])
    OutboundEmail.objects.update(status=OutboundEmail.Status.FAILED, attempts=13)
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = make_person("admin")
    outbound = cms_mail.email_send_again(outbound=OutboundEmail.objects.get(), user=admin)
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts) == ("sent", 1)
    assert [m.subject for m in mail.outbox] == ["Given up"]
    assert ModelLogEntry.objects.filter(user=admin, action="lep.change").exists()


def test_every_message_carries_a_message_id_made_from_its_key():
    send_mail("With id", "Body", None, ["sam@example.org"])
    outbound = OutboundEmail.objects.get()
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{outbound.key}@localhost>"


def test_messages_about_a_record_are_found_when_they_have_not_got_through(settings, make_person):
    person = make_person("member")
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND
    with cms_mail.about(person):
        send_mail("About them", "Body", None, ["sam@example.org"])
    send_mail("About nothing", "Body", None, ["sam@example.org"])
    assert [m.subject for m in cms_mail.undelivered_about(person)] == ["About them"]
    health = cms_mail.mail_health()
    assert (health["retrying"], health["failed"], health["healthy"]) == (2, 0, False)


def test_old_mail_is_purged_sent_after_a_month_undelivered_after_three(settings):
    send_mail("Old sent", "Body", None, ["a@example.org"])
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND
    send_mail("Old failed", "Body", None, ["a@example.org"])
    OutboundEmail.objects.filter(status="pending").update(status="failed")
    with _wait(60 * 24 * 31):
        assert cms_mail.email_purge() == 1
        assert [o.subject for o in OutboundEmail.objects.all()] == ["Old failed"]
    with _wait(60 * 24 * 91):
        assert cms_mail.email_purge() == 1
    assert not OutboundEmail.objects.exists()


def test_in_production_the_task_is_queued_only_after_the_transaction_commits(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_QUEUE_ON_COMMIT = True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_mail("After commit", "Body", None, ["sam@example.org"])
        assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert [m.subject for m in mail.outbox] == ["After commit"]


def test_task_timeout_is_shorter_than_the_retry_interval(settings):
    # Otherwise a slow task would be handed to a second worker while still running.
    assert settings.Q_CLUSTER["timeout"] < settings.Q_CLUSTER["retry"]
    assert settings.Q_CLUSTER["orm"] == "default"
    assert settings.Q_CLUSTER["catch_up"] is False
    assert settings.Q_CLUSTER["ack_failures"] is False


def test_a_first_send_in_progress_is_not_a_warning_but_a_message_no_worker_took_is(make_person):
    person = make_person("member")
    with cms_mail.about(person):
        send_mail("About them", "Body", None, ["sam@example.org"])
    outbound = OutboundEmail.objects.get()
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        status=OutboundEmail.Status.SENDING, attempts=1, last_error="", sent_at=None
    )
    assert cms_mail.undelivered_about(person) == []
    assert cms_mail.mail_health()["healthy"] is True
    # Queued and never tried, long after: no worker is running.
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        status=OutboundEmail.Status.PENDING, attempts=0
    )
    assert cms_mail.undelivered_about(person) == []
    with _wait(6):
        assert [m.subject for m in cms_mail.undelivered_about(person)] == ["About them"]
