"""Email that survives a failing mail server.

Django's ``EMAIL_BACKEND`` is ``QueuedEmailBackend``: every message the site sends (allauth's,
Wagtail's, ours) is stored as an ``OutboundEmail`` row and a django-q2 task delivers it with
the real backend (``EMAIL_DELIVERY_BACKEND``). A failed delivery raises, so the ORM broker
offers the task again after ``retry`` seconds; a task run twice finds the row already sent
and sends nothing.
"""

import base64
import logging
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
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


def email_queue(*, message: EmailMessage) -> OutboundEmail:
    """Store ``message`` and queue its delivery once the surrounding transaction commits."""
    outbound = OutboundEmail.objects.create(message=serialise_message(message))

    def enqueue():
        async_task("cms.tasks.deliver_email", outbound.pk, task_name=f"email-{outbound.key}")

    # The worker must find the row, so the task is queued only once it is committed. The
    # test settings queue at once instead: their tasks run inline inside the test's
    # transaction, where commit never comes.
    if settings.EMAIL_QUEUE_ON_COMMIT:
        transaction.on_commit(enqueue)
    else:
        enqueue()
    return outbound


class DeliveryFailed(Exception):
    """The mail server did not take the message; the task will be offered again."""


def email_deliver(*, outbound_id: int) -> OutboundEmail | None:
    """Send one stored message unless it has been sent already."""
    with transaction.atomic():
        outbound = OutboundEmail.objects.select_for_update().filter(pk=outbound_id).first()
        if outbound is None or outbound.status != OutboundEmail.Status.PENDING:
            return outbound
        outbound.attempts += 1
        connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
        try:
            deserialise_message(outbound.message, connection).send()
        except Exception as error:
            outbound.last_error = f"{type(error).__name__}: {error}"[:2000]
            if outbound.attempts >= settings.Q_CLUSTER.get("max_attempts", 10):
                outbound.status = OutboundEmail.Status.FAILED
            outbound.save(update_fields=["attempts", "last_error", "status"])
            logger.warning("Email %s not delivered (attempt %s)", outbound.pk, outbound.attempts)
        else:
            outbound.status = OutboundEmail.Status.SENT
            outbound.sent_at = timezone.now()
            outbound.last_error = ""
            outbound.save(update_fields=["attempts", "last_error", "status", "sent_at"])
            return outbound
    # Raised outside the transaction so the attempt count is kept, and the task fails:
    # the broker then offers it again after Q_CLUSTER["retry"] seconds.
    raise DeliveryFailed(outbound.last_error)


def email_retry_pending() -> int:
    """Queue delivery again for every message still waiting; returns how many."""
    pending = list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    for outbound_id in pending:
        async_task("cms.tasks.deliver_email", outbound_id)
    return len(pending)


class QueuedEmailBackend(BaseEmailBackend):
    """Django email backend that queues messages instead of sending them in the request."""

    def send_messages(self, email_messages):
        for message in email_messages:
            email_queue(message=message)
        return len(email_messages)
