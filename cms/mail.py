"""Email that survives a failing mail server, and never fails silently.

Django's ``EMAIL_BACKEND`` is ``QueuedEmailBackend``: every message the site sends (allauth's,
Wagtail's, ours) is stored as an ``OutboundEmail`` row and a django-q2 task delivers it with
the real backend (``EMAIL_DELIVERY_BACKEND``), through the delivery queue text messages use
too (``cms.outbound``):

- a worker *takes* a message (status "being sent", with a lease a few mail-server timeouts
  long) before talking to the mail server, so two workers never send it at once;
- a refused or failed send is tried again on a back-off schedule that runs for over four
  days (``RETRY_DELAYS``); then the message is marked "could not be delivered", admins see it
  under Reports → Outbound mail with a "Send again" button, and the dashboard warns;
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
from django.db import models
from django.utils import timezone

from .models import OutboundEmail

# MAX_ATTEMPTS and RETRY_DELAYS are named here too: what mail does is read from this module.
from .outbound import MAX_ATTEMPTS as MAX_ATTEMPTS
from .outbound import RETRY_DELAYS as RETRY_DELAYS
from .outbound import UNTRIED_AFTER, DeliveryQueue

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

    QUEUE.queue(outbound)
    return outbound


def _send(outbound: OutboundEmail) -> dict:
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
    deserialise_message(outbound.message, connection).send()
    return {}


QUEUE = DeliveryQueue(
    model=OutboundEmail,
    task="cms.tasks.deliver_email",
    name="Email",
    timeout_seconds=lambda: settings.EMAIL_TIMEOUT,
    send=_send,
)


def send_lease() -> timedelta:
    """How long a worker may be talking to the mail server before it is taken to have died."""
    return QUEUE.lease()


def email_deliver(*, outbound_id: int, now=None) -> OutboundEmail | None:
    """Send one stored message if it is due and no other worker is sending it."""
    return QUEUE.deliver(outbound_id, now=now)


def email_retry_pending(*, now=None) -> int:
    """Queue delivery of every message that is due again, or whose worker died; returns how
    many. Scheduled every minute."""
    return QUEUE.retry_pending(now=now)


def may_send_again(outbound: OutboundEmail) -> bool:
    """Waiting, or given up on: ``email_send_again`` accepts these."""
    return QUEUE.may_send_again(outbound)


def email_send_again(*, outbound: OutboundEmail, user) -> OutboundEmail:
    """An admin asks for a message that could not be delivered (or is waiting) to be tried
    now, with a fresh set of attempts."""
    return QUEUE.send_again(
        outbound,
        user=user,
        reason="Asked for an email that had not been delivered to be sent again",
    )


def retrying() -> models.Q:
    """Waiting, or being sent, after a failed attempt: the mail server is refusing now."""
    return QUEUE.retrying()


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
    return QUEUE.health(now=now)


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
