"""One way to deliver what the site sends out (email, text messages): stored rows handed to
a django-q2 task, sent at most once at a time, tried again on a back-off, given up visibly.

``cms.mail`` and ``cms.texts`` each describe their messages with a ``DeliveryQueue``; the
machinery here is theirs alike, so a fix to how a message is taken, retried or sent again
reaches both.

- A worker *takes* a message (status "being sent", with a lease a few provider timeouts
  long) before talking to the provider, so two workers never send it at once; a worker
  that dies mid-send leaves the lease to run out, and the sweeper queues the message again.
- A failed send is tried again after ``RETRY_DELAYS`` (over four days in all); then, or at
  once when the provider refuses for good, the message is "could not be delivered": admins
  see it with a "Send again" button, and the dashboard warns.
- The model has ``key``, ``status`` (``Status`` with PENDING, SENDING, SENT and FAILED),
  ``attempts``, ``lease_expires_at``, ``next_attempt_at``, ``last_error``, ``sent_at`` and
  ``created_at``.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django_q.tasks import async_task

logger = logging.getLogger(__name__)

# Minutes to wait after each failed attempt: 13 attempts over about 4 days and 4 hours.
RETRY_DELAYS = [1, 5, 15, 30, 60, 120, 240, 480, 720, 1440, 1440, 1440]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A message queued this long ago and never tried has lost its task: the sweeper queues it.
UNTRIED_AFTER = timedelta(minutes=5)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1])


def lease_for(timeout_seconds: float) -> timedelta:
    """How long a worker may be talking to a provider with this timeout before it is taken
    to have died: a few timeouts, and less than the broker's retry, so the task handed out
    again after a worker died finds the message free."""
    return min(timedelta(seconds=3 * timeout_seconds + 5), timedelta(seconds=settings.Q_RETRY) / 2)


@dataclass(frozen=True)
class DeliveryQueue:
    """How one kind of outbound message is delivered.

    ``send(row)`` talks to the provider and returns fields to save on success (a provider's
    reference); any exception is a failed attempt, and one for which ``gives_up(error)`` is
    true is given up at once. ``sendable(row)`` says whether the row still holds what
    sending needs (retention may have cleared it)."""

    model: type[models.Model]
    task: str
    name: str  # in logs and task names: "Email", "Text message"
    timeout_seconds: Callable[[], float]
    send: Callable[[models.Model], dict]
    gives_up: Callable[[Exception], bool] = lambda error: False
    sendable: Callable[[models.Model], bool] = lambda row: True

    @property
    def Status(self):  # noqa: N802 - the model's own choices class
        return self.model.Status

    # --- Queuing ---------------------------------------------------------------------------

    def queue(self, row) -> None:
        """Queue ``row``'s delivery once the surrounding transaction commits: the worker must
        find the row. The test settings queue at once instead: their tasks run inline inside
        the test's transaction, where commit never comes."""
        if settings.EMAIL_QUEUE_ON_COMMIT:
            transaction.on_commit(lambda: self.enqueue(row))
        else:
            self.enqueue(row)

    def enqueue(self, row) -> None:
        prefix = self.name.split()[0].lower()
        async_task(self.task, row.pk, task_name=f"{prefix}-{row.key}")

    def lease(self) -> timedelta:
        return lease_for(self.timeout_seconds())

    # --- Delivering ------------------------------------------------------------------------

    def _take(self, row_id: int, now):
        Status = self.Status
        with transaction.atomic():
            row = self.model.objects.select_for_update().filter(pk=row_id).first()
            if row is None:
                return None, False
            due = (
                row.status == Status.PENDING
                and (row.next_attempt_at is None or row.next_attempt_at <= now)
            ) or (
                row.status == Status.SENDING
                and (row.lease_expires_at is None or row.lease_expires_at <= now)
            )
            if not due or not self.sendable(row):
                return row, False
            row.status = Status.SENDING
            row.attempts += 1
            row.lease_expires_at = now + self.lease()
            row.save(update_fields=["status", "attempts", "lease_expires_at"])
            return row, True

    def deliver(self, row_id: int, *, now=None):
        """Send one stored message if it is due and no other worker is sending it."""
        Status = self.Status
        now = now or timezone.now()
        row, taken = self._take(row_id, now)
        if not taken:
            return row
        # Only this attempt's own row is updated: a worker that outlived its lease finds
        # another attempt under way and changes nothing.
        mine = self.model.objects.filter(pk=row.pk, status=Status.SENDING, attempts=row.attempts)
        try:
            sent = self.send(row) or {}
        except Exception as error:
            error_text = f"{type(error).__name__}: {error}"[:2000]
            if self.gives_up(error) or row.attempts >= MAX_ATTEMPTS:
                mine.update(
                    status=Status.FAILED,
                    last_error=error_text,
                    lease_expires_at=None,
                    next_attempt_at=None,
                )
                logger.error(
                    "%s %s could not be delivered after %s attempts: %s",
                    self.name,
                    row.pk,
                    row.attempts,
                    error_text,
                )
            else:
                mine.update(
                    status=Status.PENDING,
                    last_error=error_text,
                    lease_expires_at=None,
                    next_attempt_at=now + retry_delay(row.attempts),
                )
                logger.warning(
                    "%s %s not delivered (attempt %s of %s): %s",
                    self.name,
                    row.pk,
                    row.attempts,
                    MAX_ATTEMPTS,
                    error_text,
                )
        else:
            mine.update(
                **sent,
                status=Status.SENT,
                sent_at=timezone.now(),
                last_error="",
                lease_expires_at=None,
                next_attempt_at=None,
            )
        return self.model.objects.filter(pk=row.pk).first()

    # --- The sweeper -----------------------------------------------------------------------

    def due(self, now):
        Status = self.Status
        return self.model.objects.filter(
            models.Q(status=Status.PENDING, next_attempt_at__lte=now)
            | models.Q(
                status=Status.PENDING,
                next_attempt_at__isnull=True,
                created_at__lte=now - UNTRIED_AFTER,
            )
            | models.Q(status=Status.SENDING, lease_expires_at__lte=now)
        )

    def retry_pending(self, *, now=None) -> int:
        """Queue delivery of every message that is due again, or whose worker died; returns
        how many. Scheduled every minute."""
        due = list(self.due(now or timezone.now()).only("pk", "key"))
        for row in due:
            self.enqueue(row)
        return len(due)

    # --- Sending again ---------------------------------------------------------------------

    def may_send_again(self, row) -> bool:
        """Waiting or given up, and still sendable."""
        return row.status in (self.Status.PENDING, self.Status.FAILED) and self.sendable(row)

    def send_again(self, row, *, user, reason: str):
        """An admin asks for a message that could not be delivered (or is waiting) to be
        tried now, with a fresh set of attempts; audited with ``reason``."""
        from . import audit

        if not self.may_send_again(row):
            raise ValueError(
                f"Only a waiting or undelivered {self.name.lower()} can be sent again."
            )
        self.model.objects.filter(pk=row.pk).update(
            status=self.Status.PENDING, attempts=0, next_attempt_at=None
        )
        row.refresh_from_db()
        audit.audit_change(user=user, instance=row, reason=reason, fields=["status", "attempts"])
        self.enqueue(row)
        return row

    # --- Health ----------------------------------------------------------------------------

    def retrying(self) -> models.Q:
        """Waiting, or being sent, after a failed attempt: the provider is refusing now. A
        first send in progress is not counted (it has no error yet)."""
        return models.Q(status__in=[self.Status.PENDING, self.Status.SENDING]) & ~models.Q(
            last_error=""
        )

    def health(self, *, now=None) -> dict:
        """Messages given up in the last week, messages waiting after a failed attempt, and
        when the oldest of those was queued."""
        now = now or timezone.now()
        counts = self.model.objects.aggregate(
            failed=models.Count(
                "pk",
                filter=models.Q(status=self.Status.FAILED, created_at__gte=now - timedelta(days=7)),
            ),
            retrying=models.Count("pk", filter=self.retrying()),
            oldest_retrying=models.Min("created_at", filter=self.retrying()),
        )
        return {**counts, "healthy": not counts["failed"] and not counts["retrying"]}
