"""Supervision: a supervisor records a supervision with the actions agreed in it, adds
actions later, either side marks them done, and overdue supervision is reminded.

Supervision notes are shared with the supervisee (the form says so). Reminders are sent by
a daily task; each worker is claimed with a conditional update of
``PeerWorker.supervision_reminded_on`` first, so a rerun or a second worker sends nothing,
and while a worker stays overdue reminders repeat at most weekly. The emails carry no case
details: only that supervision is due, and where to see more.
"""

from dataclasses import dataclass
from datetime import date

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from cms import site_address
from cms.dates import day_in_words
from cms.permissions import require
from cms.sanitise import plain_text

from .. import audit_actions
from ..models import PeerWorker, Supervision, SupervisionAction
from ..selectors import supervision as selectors
from . import Refused

ACTION_MAX = 300
NOTES_MAX = 10_000
MIN_MINUTES, MAX_MINUTES = 5, 480


@dataclass(frozen=True)
class AgreedAction:
    description: str
    due_date: date | None = None


def check_date(value: date, *, worker: PeerWorker, today: date) -> None:
    if value > today:
        raise Refused("The date of the supervision must be today or in the past.")
    if value < worker.start_date:
        raise Refused(
            f"The date must be on or after {day_in_words(worker.start_date)}, "
            f"when {worker} started."
        )


def check_duration(minutes: int) -> None:
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise Refused("Enter how long the supervision took, from 5 minutes to 8 hours.")


def check_action(action: AgreedAction, *, today: date) -> AgreedAction:
    description = plain_text(action.description).strip()
    if not description:
        raise Refused("Enter what was agreed.")
    if len(description) > ACTION_MAX:
        raise Refused(f"Each action must be {ACTION_MAX} characters or fewer.")
    return AgreedAction(description=description, due_date=action.due_date)


@transaction.atomic
def supervision_record(
    *,
    user,
    worker: PeerWorker,
    date: date,
    kind: str,
    duration_minutes: int,
    notes: str = "",
    actions: list[AgreedAction] | tuple = (),
) -> Supervision:
    """Record a supervision ``user`` gave ``worker``, with the actions agreed in it. A new
    supervision ends an overdue spell, so the next one is reminded afresh."""
    require(user, "peers.supervise", worker)
    today = timezone.localdate()
    check_date(date, worker=worker, today=today)
    check_duration(duration_minutes)
    if kind not in Supervision.Kind.values:
        raise Refused("Choose the kind of supervision.")
    notes = plain_text(notes).strip()
    if len(notes) > NOTES_MAX:
        raise Refused(f"The notes must be {NOTES_MAX:,} characters or fewer.")
    actions = [check_action(action, today=today) for action in actions]
    supervision = Supervision.objects.create(
        worker=worker,
        supervisor=user,
        date=date,
        kind=kind,
        duration_minutes=duration_minutes,
        notes=notes,
        created_by=user,
    )
    SupervisionAction.objects.bulk_create(
        SupervisionAction(supervision=supervision, description=a.description, due_date=a.due_date)
        for a in actions
    )
    PeerWorker.objects.filter(pk=worker.pk).update(supervision_reminded_on=None)
    log(
        supervision,
        audit_actions.SUPERVISION_RECORD,
        user=user,
        data={"worker": worker.pk, "actions": len(actions)},
    )
    return supervision


@transaction.atomic
def supervision_action_add(
    *, user, supervision: Supervision, description: str, due_date: date | None
) -> SupervisionAction:
    """An action agreed after the meeting, added by the worker's supervisor."""
    require(user, "peers.supervise", supervision.worker)
    action = check_action(
        AgreedAction(description=description, due_date=due_date), today=timezone.localdate()
    )
    created = SupervisionAction.objects.create(
        supervision=supervision, description=action.description, due_date=action.due_date
    )
    log(supervision, audit_actions.SUPERVISION_ACTION_ADD, user=user, data={"action": created.pk})
    return created


@transaction.atomic
def supervision_action_mark(*, user, action: SupervisionAction, done: bool) -> SupervisionAction:
    """Mark an agreed action done (today) or not done. Marking it as it already is changes
    nothing, so a double click is harmless."""
    require(user, "peers.update_supervision_action", action)
    action = SupervisionAction.objects.select_for_update().get(pk=action.pk)
    if (action.done_on is not None) == done:
        return action
    action.done_on = timezone.localdate() if done else None
    action.save(update_fields=["done_on"])
    log(
        action.supervision,
        audit_actions.SUPERVISION_ACTION_DONE if done else audit_actions.SUPERVISION_ACTION_REOPEN,
        user=user,
        data={"action": action.pk},
    )
    return action


# --- Overdue reminders ---------------------------------------------------------------------


def supervision_reminders_send(*, today: date | None = None) -> int:
    """Remind every active worker who is overdue (and their supervisors), at most weekly;
    returns the number of emails sent."""
    today = today or timezone.localdate()
    return sum(
        supervision_remind(worker_id=worker_id, today=today)
        for worker_id in selectors.worker_ids_due_reminder(as_of=today)
    )


@transaction.atomic
def supervision_remind(*, worker_id: int, today: date | None = None) -> int:
    """Send one worker's overdue reminder, once: the worker is claimed first by a
    conditional update, so a second run the same week sends nothing."""
    today = today or timezone.localdate()
    worker = PeerWorker.objects.select_related("user").filter(pk=worker_id).first()
    if worker is None or worker.status != PeerWorker.Status.ACTIVE:
        return 0
    status = selectors.status_of_worker(worker, as_of=today)
    if not status.is_overdue:
        return 0
    claimed = (
        PeerWorker.objects.filter(pk=worker_id)
        .exclude(supervision_reminded_on__gt=today - selectors.REMIND_AGAIN_AFTER)
        .update(supervision_reminded_on=today)
    )
    if not claimed:
        return 0
    site = site_address.site_url()
    context = {"worker": worker, "status": status, "site": site}
    sent = 0
    if worker.user.email:
        body = render_to_string(
            "peers/email/supervision_overdue_worker.txt",
            {**context, "url": site + reverse("peers:supervision_mine")},
        )
        send_mail("Your supervision is overdue", body, None, [worker.user.email])
        sent += 1
    for supervisor in worker.supervisors.filter(is_active=True).exclude(email=""):
        body = render_to_string(
            "peers/email/supervision_overdue_supervisor.txt",
            {
                **context,
                "supervisor": supervisor,
                "url": site + reverse("peers:supervision_worker", args=[worker.pk]),
            },
        )
        send_mail("Supervision overdue for someone you supervise", body, None, [supervisor.email])
        sent += 1
    log(worker, audit_actions.SUPERVISION_REMIND, user=None, data={"emails": sent})
    return sent
