"""Email goes through the task queue, survives a failing mail server and is never doubled."""

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.test import override_settings

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


def test_a_failing_mail_server_loses_no_message_and_it_is_sent_on_retry():
    with override_settings(EMAIL_DELIVERY_BACKEND=FAILING_BACKEND):
        # Tasks run inline in the tests, so the task's failure surfaces here; a real
        # worker leaves the failed task unacknowledged and the broker offers it again.
        with pytest.raises(cms_mail.DeliveryFailed):
            send_mail("Reminder", "Meeting in two days.", None, ["sam@example.org"])
        outbound = OutboundEmail.objects.get()
        assert outbound.status == OutboundEmail.Status.PENDING
        assert outbound.attempts == 1
        assert "mail server is down" in outbound.last_error
        assert mail.outbox == []

    # The mail server is back: the retried task delivers it.
    assert tasks.deliver_email(outbound.pk) == OutboundEmail.Status.SENT
    outbound.refresh_from_db()
    assert outbound.attempts == 2
    assert outbound.last_error == ""
    assert [m.subject for m in mail.outbox] == ["Reminder"]


def test_a_delivery_task_run_twice_sends_one_email():
    send_mail("Once only", "Body", None, ["sam@example.org"])
    outbound = OutboundEmail.objects.get()
    assert tasks.deliver_email(outbound.pk) == OutboundEmail.Status.SENT
    assert tasks.deliver_email(outbound.pk) == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_delivery_gives_up_after_the_maximum_attempts(settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "max_attempts": 3}
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND
    with pytest.raises(cms_mail.DeliveryFailed):
        send_mail("Never", "Body", None, ["sam@example.org"])
    outbound = OutboundEmail.objects.get()
    for _ in range(2):
        with pytest.raises(cms_mail.DeliveryFailed):
            cms_mail.email_deliver(outbound_id=outbound.pk)
    outbound.refresh_from_db()
    assert outbound.status == OutboundEmail.Status.FAILED
    assert outbound.attempts == 3
    # A late retry of a message that was given up on sends nothing and raises nothing.
    assert cms_mail.email_deliver(outbound_id=outbound.pk).status == OutboundEmail.Status.FAILED


def test_the_safety_net_requeues_only_waiting_messages(settings):
    settings.EMAIL_DELIVERY_BACKEND = FAILING_BACKEND
    with pytest.raises(cms_mail.DeliveryFailed):
        send_mail("Waiting", "Body", None, ["a@example.org"])
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_mail("Sent already", "Body", None, ["b@example.org"])
    assert [m.subject for m in mail.outbox] == ["Sent already"]
    assert tasks.retry_pending_email() == 1
    assert sorted(m.subject for m in mail.outbox) == ["Sent already", "Waiting"]
    assert not OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).exists()


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
