"""Email that survives a failing mail server, and never fails silently.

Django's ``EMAIL_BACKEND`` is ``QueuedEmailBackend``: every message the site sends (allauth's,
Wagtail's, ours) is stored as an ``OutboundEmail`` row and a django-q2 task delivers it with
the real backend (``EMAIL_DELIVERY_BACKEND``).

- A worker *takes* a message (status "being sent", with a lease a few mail-server timeouts
  long) before talking to the mail server, so two workers never send it at once.
- A refused or failed send is tried again on a back-off schedule that runs for over four
  days (``RETRY_DELAYS``); then the message is marked "could not be delivered", admins see it
  under Reports → Outbound mail with a "Send again" button, and the dashboard warns.
- ``email_retry_pending`` (every minute) queues what is due, and any message whose worker
  died mid-send (its lease ran out).
- "Sent once" is honest, not absolute: if a worker dies in the instant after the mail server
  accepted a message and before the row says so, the message is sent again. Both copies carry
  the same Message-ID, which most mail programs use to show one.

Code that sends mail about a record (a safeguarding concern) wraps it in ``about(record)`` so
the record's page can say when its email has not got through.
"""

import base64
import contextvars
import logging
import uuid
from contextlib import contextmanager
from datetime import timedelta
from email.mime.base import MIMEBase
from email.utils import parseaddr

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import models, transaction
from django.utils import timezone
from django_q.tasks import async_task

from .models import OutboundEmail

logger = logging.getLogger(__name__)


def serialise_message(message: EmailMessage) -> dict:
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):
            raise ValueError("MIME attachments are not supported by the queued backend.")
        filename, content, mimetype = attachment
        if isinstance(content, str):
            content = content.encode()
        attachments.append([filename, base64.b64encode(content).decode(), mimetype])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
    }


def deserialise_message(data: dict, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        connection=connection,
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


# Minutes to wait after each failed attempt: 13 attempts over about 4 days and 4 hours.
RETRY_DELAYS = [1, 5, 15, 30, 60, 120, 240, 480, 720, 1440, 1440, 1440]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A message queued this long ago and never tried has lost its task: the sweeper queues it.
UNTRIED_AFTER = timedelta(minutes=5)

_about: contextvars.ContextVar = contextvars.ContextVar("mail_about", default=None)


@contextmanager
def about(record):
    """Mark every message queued inside as being about ``record``."""
    token = _about.set(record)
    try:
        yield
    finally:
        _about.reset(token)


def _about_fields(record) -> dict:
    if record is None:
        return {}
    return {"about_type": ContentType.objects.get_for_model(record), "about_id": str(record.pk)}


def _message_id(key: uuid.UUID) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{key}@{domain}>"


def email_queue(*, message: EmailMessage) -> OutboundEmail:
    """Store ``message`` and queue its delivery once the surrounding transaction commits."""
    key = uuid.uuid4()
    data = serialise_message(message)
    if not any(name.lower() == "message-id" for name in data["headers"]):
        data["headers"]["Message-ID"] = _message_id(key)
    outbound = OutboundEmail.objects.create(key=key, message=data, **_about_fields(_about.get()))

    # The worker must find the row, so the task is queued only once it is committed. The
    # test settings queue at once instead: their tasks run inline inside the test's
    # transaction, where commit never comes.
    if settings.EMAIL_QUEUE_ON_COMMIT:
        transaction.on_commit(lambda: _enqueue(outbound))
    else:
        _enqueue(outbound)
    return outbound


def _enqueue(outbound: OutboundEmail) -> None:
    async_task("cms.tasks.deliver_email", outbound.pk, task_name=f"email-{outbound.key}")


def send_lease() -> timedelta:
    """How long a worker may be talking to the mail server before it is taken to have died:
    a few of the mail server's timeouts, and less than the broker's retry, so the task handed
    out again after a worker died finds the message free."""
    return min(
        timedelta(seconds=3 * settings.EMAIL_TIMEOUT + 5),
        timedelta(seconds=settings.Q_RETRY) / 2,
    )


def retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1])


def _take(outbound_id: int, now) -> tuple[OutboundEmail | None, bool]:
    with transaction.atomic():
        outbound = OutboundEmail.objects.select_for_update().filter(pk=outbound_id).first()
        if outbound is None:
            return None, False
        due = (
            outbound.status == OutboundEmail.Status.PENDING
            and (outbound.next_attempt_at is None or outbound.next_attempt_at <= now)
        ) or (
            outbound.status == OutboundEmail.Status.SENDING
            and (outbound.lease_expires_at is None or outbound.lease_expires_at <= now)
        )
        if not due:
            return outbound, False
        outbound.status = OutboundEmail.Status.SENDING
        outbound.attempts += 1
        outbound.lease_expires_at = now + send_lease()
        outbound.save(update_fields=["status", "attempts", "lease_expires_at"])
        return outbound, True


def email_deliver(*, outbound_id: int, now=None) -> OutboundEmail | None:
    """Send one stored message if it is due and no other worker is sending it."""
    now = now or timezone.now()
    outbound, taken = _take(outbound_id, now)
    if not taken:
        return outbound
    mine = OutboundEmail.objects.filter(
        pk=outbound.pk, status=OutboundEmail.Status.SENDING, attempts=outbound.attempts
    )
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
    try:
        deserialise_message(outbound.message, connection).send()
    except Exception as error:
        error_text = f"{type(error).__name__}: {error}"[:2000]
        if outbound.attempts >= MAX_ATTEMPTS:
            mine.update(
                status=OutboundEmail.Status.FAILED,
                last_error=error_text,
                lease_expires_at=None,
                next_attempt_at=None,
            )
            logger.error(
                "Email %s could not be delivered after %s attempts: %s",
                outbound.pk,
                outbound.attempts,
                error_text,
            )
        else:
            mine.update(
                status=OutboundEmail.Status.PENDING,
                last_error=error_text,
                lease_expires_at=None,
                next_attempt_at=now + retry_delay(outbound.attempts),
            )
            logger.warning(
                "Email %s not delivered (attempt %s of %s): %s",
                outbound.pk,
                outbound.attempts,
                MAX_ATTEMPTS,
                error_text,
            )
    else:
        mine.update(
            status=OutboundEmail.Status.SENT,
            sent_at=timezone.now(),
            last_error="",
            lease_expires_at=None,
            next_attempt_at=None,
        )
    return OutboundEmail.objects.filter(pk=outbound.pk).first()


def _due(now):
    return OutboundEmail.objects.filter(
        models.Q(status=OutboundEmail.Status.PENDING, next_attempt_at__lte=now)
        | models.Q(
            status=OutboundEmail.Status.PENDING,
            next_attempt_at__isnull=True,
            created_at__lte=now - UNTRIED_AFTER,
        )
        | models.Q(status=OutboundEmail.Status.SENDING, lease_expires_at__lte=now)
    )


def email_retry_pending(*, now=None) -> int:
    """Queue delivery of every message that is due again, or whose worker died; returns how
    many. Scheduled every minute."""
    due = list(_due(now or timezone.now()).only("pk", "key"))
    for outbound in due:
        _enqueue(outbound)
    return len(due)


def email_send_again(*, outbound: OutboundEmail, user) -> OutboundEmail:
    """An admin asks for a message that could not be delivered (or is waiting) to be tried
    now, with a fresh set of attempts."""
    from . import audit

    if not may_send_again(outbound):
        raise ValueError("Only a message that is waiting or could not be delivered is sent again.")
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        status=OutboundEmail.Status.PENDING, attempts=0, next_attempt_at=None
    )
    outbound.refresh_from_db()
    audit.audit_change(
        user=user,
        instance=outbound,
        reason="Asked for an email that had not been delivered to be sent again",
        fields=["status", "attempts"],
    )
    _enqueue(outbound)
    return outbound


# The statuses ``email_send_again`` accepts: given up on, or waiting.
MAY_SEND_AGAIN = frozenset({OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED})


def may_send_again(outbound: OutboundEmail) -> bool:
    return outbound.status in MAY_SEND_AGAIN


def retrying() -> models.Q:
    """Waiting, or being sent, after a failed attempt: the mail server is refusing now. A
    first send in progress is not counted (it has no error yet)."""
    return models.Q(
        status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.SENDING]
    ) & ~models.Q(last_error="")


def not_got_through(now=None) -> models.Q:
    """Given up on; retrying; or never tried long after it was queued (no worker is
    running). Pages about a record warn of these, so nobody relies on an email that never
    came."""
    now = now or timezone.now()
    return (
        models.Q(status=OutboundEmail.Status.FAILED)
        | retrying()
        | models.Q(
            status=OutboundEmail.Status.PENDING, attempts=0, created_at__lte=now - UNTRIED_AFTER
        )
    )


def mail_health(*, now=None) -> dict:
    """What the dashboard warns about: messages that could not be delivered in the last week,
    and messages waiting after a failed attempt (the mail server is refusing now)."""
    now = now or timezone.now()
    counts = OutboundEmail.objects.aggregate(
        failed=models.Count(
            "pk",
            filter=models.Q(
                status=OutboundEmail.Status.FAILED, created_at__gte=now - timedelta(days=7)
            ),
        ),
        retrying=models.Count("pk", filter=retrying()),
        oldest_retrying=models.Min("created_at", filter=retrying()),
    )
    return {**counts, "healthy": not counts["failed"] and not counts["retrying"]}


def undelivered_about(record, *, now=None) -> list[OutboundEmail]:
    """Messages about ``record`` that have not got through (``not_got_through``)."""
    return list(undelivered_about_each(type(record), [record.pk], now=now).order_by("created_at"))


def undelivered_about_each(model, pks, *, now=None):
    """The same for many records of ``model`` at once, in one query; ``about_id`` says
    which record each message is about."""
    return OutboundEmail.objects.filter(
        not_got_through(now),
        about_type=ContentType.objects.get_for_model(model),
        about_id__in=[str(pk) for pk in pks],
    )


KEEP_SENT_FOR = timedelta(days=30)
KEEP_UNDELIVERED_FOR = timedelta(days=90)


def email_purge(*, now=None) -> int:
    """Delete stored messages once they are no longer needed: they hold personal data and
    one-time links. Sent mail goes after 30 days, undelivered mail after 90."""
    now = now or timezone.now()
    deleted, _ = OutboundEmail.objects.filter(
        models.Q(status=OutboundEmail.Status.SENT, created_at__lt=now - KEEP_SENT_FOR)
        | models.Q(status=OutboundEmail.Status.FAILED, created_at__lt=now - KEEP_UNDELIVERED_FOR)
    ).delete()
    return deleted


class QueuedEmailBackend(BaseEmailBackend):
    """Django email backend that queues messages instead of sending them in the request."""

    def send_messages(self, email_messages):
        for message in email_messages:
            email_queue(message=message)
        return len(email_messages)
