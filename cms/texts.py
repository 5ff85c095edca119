"""Text messages (SMS) that survive a failing provider, and never fail silently.

The same delivery queue as email (``cms.outbound``): ``text_queue`` stores an ``OutboundText``
row and, once the transaction commits, a django-q2 task hands it to the backend named by the
``TEXT_BACKEND`` setting:

- ``cms.texts.NotifyTextBackend`` (production): GOV.UK Notify, with ``NOTIFY_API_KEY`` and
  ``NOTIFY_SMS_TEMPLATE_ID`` (a text message template whose whole content is ``((body))``);
- ``cms.texts.ConsoleTextBackend`` (development): the message goes to the log;
- ``cms.texts.LocmemTextBackend`` (tests): kept in ``cms.texts.outbox``, like
  ``django.core.mail.outbox``.

A worker *takes* a message (with a lease) before talking to the provider, so two workers
never send it at once; a failure is tried again on the email back-off (``RETRY_DELAYS``),
and a message the provider refuses for good (a number that cannot receive texts) is given
up at once. Given-up messages are listed under Reports → Outbound texts with "Send again",
and the dashboard warns.

A text costs money per 160-character fragment, and anyone who picks up the phone can read
it, so a text says only what the notice is about and where to read it (``text_body``):
never the details. Once a message is sent or given up, retention clears its number and
words after ``CLEAR_AFTER`` (see ``cms.personal_data``), and the rows go after
``KEEP_ROWS_FOR``.
"""

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import OutboundText
from .outbound import MAX_ATTEMPTS as MAX_ATTEMPTS
from .outbound import DeliveryQueue

logger = logging.getLogger(__name__)

Status = OutboundText.Status
# How long to wait for the provider before giving that attempt up.
TIMEOUT_SECONDS = 20
# Two fragments at most: one GSM-7 fragment is 160 characters, a longer message is split
# into 153-character parts.
MAX_LENGTH = 306
# A sent or given-up message keeps its number and words this long (for "Send again" and
# for answering "did you text me?"), then retention clears them.
CLEAR_AFTER = timedelta(days=14)
# The rows themselves (status, when, to whom) go after this.
KEEP_ROWS_FOR = timedelta(days=90)


# --- UK phone numbers -----------------------------------------------------------------------


def uk_number(raw: str) -> str:
    """``raw`` as a UK number in E.164 form (+447700900123), or "" when it is not one.

    Accepts what people type: spaces, dashes, brackets, a leading 0, +44, 0044 or 44, and
    "+44 (0)7700..."."""
    digits = re.sub(r"[\s\-().]", "", raw or "")
    digits = digits.replace("+44(0)", "+44").replace("+440", "+44")
    if digits.startswith("+44"):
        national = digits[3:]
    elif digits.startswith("0044"):
        national = digits[4:]
    elif digits.startswith("44") and len(digits) == 12:
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return ""
    if not national.isdigit() or not 9 <= len(national) <= 10 or national.startswith("0"):
        return ""
    return f"+44{national}"


def is_uk_mobile(number: str) -> bool:
    """A UK mobile number (07xxx xxxxxx), which can receive texts. 070 (personal numbers)
    and 076 (pagers, except the Isle of Man's 07624 mobiles) cannot."""
    e164 = uk_number(number)
    if not re.fullmatch(r"\+447\d{9}", e164):
        return False
    return not (e164.startswith("+4470") or (e164.startswith("+4476") and e164[3:7] != "7624"))


NOT_A_MOBILE = (
    "Enter a UK mobile number, like 07700 900123, so we can send you text messages. "
    "If you only have a landline, choose a phone call instead."
)


def text_body(words: str, link: str = "") -> str:
    """The words of a text: ``words`` (the notice's subject or short version), cut to fit,
    then ``link``. Never more than ``MAX_LENGTH`` characters."""
    words = " ".join((words or "").split())
    room = MAX_LENGTH - (len(link) + 1 if link else 0)
    if len(words) > room:
        words = words[: max(room - 3, 0)].rstrip() + "..."
    return f"{words} {link}".strip() if link else words


# --- Backends -------------------------------------------------------------------------------


class TextNotAccepted(Exception):
    """The provider will never send this message (the number cannot receive texts, the
    template is wrong): trying again would not help."""


class BaseTextBackend:
    """Sends one text message; returns the provider's id for it. Raises ``TextNotAccepted``
    when trying again cannot help, and any other exception when it might."""

    def send(self, *, phone_number: str, body: str, reference: str) -> str:
        raise NotImplementedError


class ConsoleTextBackend(BaseTextBackend):
    """For development: writes the message to the log instead of sending it."""

    def send(self, *, phone_number: str, body: str, reference: str) -> str:
        logger.warning("Text message to %s (not sent: console backend): %s", phone_number, body)
        return f"console-{reference}"


# Messages the locmem backend "sent", like django.core.mail.outbox; the tests empty it.
outbox: list[dict] = []


class LocmemTextBackend(BaseTextBackend):
    """For tests: keeps each message in ``cms.texts.outbox``."""

    def send(self, *, phone_number: str, body: str, reference: str) -> str:
        outbox.append({"to": phone_number, "body": body, "reference": reference})
        return f"locmem-{len(outbox)}"


class NotifyTextBackend(BaseTextBackend):
    """GOV.UK Notify, through its own client. The template's whole content is
    ``((body))``; our reference goes with the message, so Notify's records and ours match."""

    def __init__(self, *, api_key: str = "", template_id: str = "", base_url: str = ""):
        from notifications_python_client.notifications import NotificationsAPIClient

        api_key = api_key or settings.NOTIFY_API_KEY
        self.template_id = template_id or settings.NOTIFY_SMS_TEMPLATE_ID
        options = {"timeout": TIMEOUT_SECONDS}
        if base_url:
            options["base_url"] = base_url
        self.client = NotificationsAPIClient(api_key, **options)

    def send(self, *, phone_number: str, body: str, reference: str) -> str:
        from notifications_python_client.errors import HTTPError

        try:
            response = self.client.send_sms_notification(
                phone_number=phone_number,
                template_id=self.template_id,
                personalisation={"body": body},
                reference=reference,
            )
        except HTTPError as error:
            # 400 (a bad number, a missing template field) and 403 (a bad key) will not get
            # better by waiting; 429 (too many) and 5xx might.
            if error.status_code in (400, 403):
                raise TextNotAccepted(str(error)) from error
            raise
        return str(response.get("id", ""))


def get_text_backend() -> BaseTextBackend:
    return import_string(settings.TEXT_BACKEND)()


# --- The queue ------------------------------------------------------------------------------


def text_queue(*, recipient, phone_number: str, body: str) -> OutboundText:
    """Store a text message to ``phone_number`` (any UK form) and queue its delivery once the
    surrounding transaction commits."""
    number = uk_number(phone_number)
    if not number:
        raise ValueError(f"Not a UK phone number: {phone_number!r}")
    outbound = OutboundText.objects.create(
        recipient=recipient, phone_number=number, body=text_body(body)
    )
    QUEUE.queue(outbound)
    return outbound


def _send(outbound: OutboundText) -> dict:
    provider_reference = get_text_backend().send(
        phone_number=outbound.phone_number, body=outbound.body, reference=str(outbound.key)
    )
    return {"provider_reference": (provider_reference or "")[:100]}


QUEUE = DeliveryQueue(
    model=OutboundText,
    task="cms.tasks.deliver_text",
    name="Text message",
    timeout_seconds=lambda: TIMEOUT_SECONDS,
    send=_send,
    # A number that cannot receive texts will not get better by waiting.
    gives_up=lambda error: isinstance(error, TextNotAccepted),
    # Retention clears the number of a sent or given-up text: nothing is left to send to.
    sendable=lambda outbound: bool(outbound.phone_number),
)


def send_lease() -> timedelta:
    """How long a worker may be talking to the provider before it is taken to have died."""
    return QUEUE.lease()


def text_deliver(*, outbound_id: int, now=None) -> OutboundText | None:
    """Send one stored text if it is due and no other worker is sending it."""
    return QUEUE.deliver(outbound_id, now=now)


def text_retry_pending(*, now=None) -> int:
    """Queue delivery of every text that is due again, or whose worker died; returns how
    many. Scheduled every minute."""
    return QUEUE.retry_pending(now=now)


def may_send_again(outbound: OutboundText) -> bool:
    """Waiting or given up, and still holding its number (retention has not cleared it)."""
    return QUEUE.may_send_again(outbound)


def text_send_again(*, outbound: OutboundText, user) -> OutboundText:
    """An admin asks for a text that could not be delivered (or is waiting) to be tried now,
    with a fresh set of attempts."""
    return QUEUE.send_again(
        outbound,
        user=user,
        reason="Asked for a text message that had not been delivered to be sent again",
    )


def retrying() -> models.Q:
    """Waiting, or being sent, after a failed attempt: the provider is refusing now."""
    return QUEUE.retrying()


def text_health(*, now=None) -> dict:
    """What the dashboard warns about: texts given up in the last week, texts waiting after
    a failed attempt, and texts going nowhere (the console backend outside development)."""
    counts = QUEUE.health(now=now)
    not_really_sent = settings.TEXT_BACKEND == "cms.texts.ConsoleTextBackend" and not settings.DEBUG
    return {
        **counts,
        "console": not_really_sent,
        "healthy": counts["healthy"] and not not_really_sent,
    }


def texts_purge(*, now=None) -> int:
    """Delete text message rows after ``KEEP_ROWS_FOR`` (their number and words were
    cleared long before, by retention)."""
    now = now or timezone.now()
    deleted, _ = OutboundText.objects.filter(
        status__in=[Status.SENT, Status.FAILED], created_at__lt=now - KEEP_ROWS_FOR
    ).delete()
    return deleted
