"""Safeguarding concerns raised from sessions: raising one, alerting the supervisors at once,
the supervisor's acknowledgement with the action they took, and the escalation to HR of a
concern nobody has picked up in time (``ESCALATE_AFTER``).

The alert email says only who raised a concern, how urgent it is and where to read it: the
details stay on the site, behind the permission check and the audit log. The alert is sent
once however often ``concern_alert`` runs (``alert_queued_at``); the queued mail backend
retries delivery until the mail server takes it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from cms import audit, mail, site_address
from cms.permissions import require
from cms.sanitise import plain_text

from .. import audit_actions, office_hours
from ..models import SafeguardingConcern, SessionLog
from ..selectors.sessions import concerns_to_escalate, hr_to_alert, supervisors_to_alert
from . import Refused

Urgency = SafeguardingConcern.Urgency

DESCRIPTION_MAX = 5000
ACTION_MAX = 5000


@dataclass(frozen=True)
class ConcernDetails:
    """What the worker tells us about a concern, as typed on the session form."""

    urgency: str
    description: str
    immediate_action: str = ""


@dataclass(frozen=True)
class Alert:
    """Who was emailed about a concern: ``"supervisors"``, ``"hr"`` or ``"nobody"``."""

    sent_to: str
    count: int
    already_sent: bool = False


def concern_details_clean(details: ConcernDetails) -> ConcernDetails:
    """The details as they are stored, or ``Refused`` saying what to fix."""
    if details.urgency not in Urgency.values:
        raise Refused("Choose how urgent the concern is", field="urgency")
    description = plain_text(details.description)
    if not description:
        raise Refused("Describe what happened and who may be at risk", field="description")
    if len(description) > DESCRIPTION_MAX:
        raise Refused(
            f"The description must be {DESCRIPTION_MAX:,} characters or fewer",
            field="description",
        )
    immediate_action = plain_text(details.immediate_action)
    if len(immediate_action) > ACTION_MAX:
        raise Refused(
            f"What you have already done must be {ACTION_MAX:,} characters or fewer",
            field="immediate_action",
        )
    return ConcernDetails(
        urgency=details.urgency, description=description, immediate_action=immediate_action
    )


@transaction.atomic
def concern_raise(*, session: SessionLog, user, details: ConcernDetails) -> SafeguardingConcern:
    """Raise a concern from the worker's own session and alert their supervisors at once."""
    require(user, "peers.raise_concern", session)
    details = concern_details_clean(details)
    concern = SafeguardingConcern.objects.create(
        session=session,
        worker=session.worker,
        urgency=details.urgency,
        description=details.description,
        immediate_action=details.immediate_action,
        raised_by=user,
    )
    log(concern, audit_actions.CONCERN_RAISE, user=user, data={"urgency": concern.urgency})
    concern_alert(concern=concern)
    return concern


def on_call_for(worker):
    """The worker's organisation when it has an on-call (duty) number to ring if nobody
    answers, else None: the concern's page and the safeguarding emails name it."""
    organisation = worker.organisation
    return organisation if organisation.on_call_phone else None


def _concern_url(concern: SafeguardingConcern) -> str:
    return site_address.absolute_url(reverse("peers:concern_detail", args=[concern.pk]))


@transaction.atomic
def concern_alert(*, concern: SafeguardingConcern) -> Alert:
    """Email the worker's supervisors that a concern was raised, once.

    With no supervisor, HR in the worker's organisation are told that a concern needs one
    (with nothing about the concern itself). Safe to call again: a concern already alerted
    sends nothing more.
    """
    concern = (
        SafeguardingConcern.objects.select_for_update()
        .select_related("worker__user", "worker__organisation")
        .get(pk=concern.pk)
    )
    if concern.alert_queued_at is not None:
        return Alert(sent_to="", count=0, already_sent=True)
    worker = concern.worker
    context = {
        "worker_name": str(worker),
        "organisation": worker.organisation.name,
        "on_call": on_call_for(worker),
        "urgency": concern.get_urgency_display(),
        "raised_at": timezone.localtime(concern.raised_at),
        "concern_url": site_address.absolute_url(
            reverse("peers:concern_detail", args=[concern.pk])
        ),
        "admin_url": site_address.absolute_url("/admin/"),
    }
    supervisors = supervisors_to_alert(worker)
    if supervisors:
        sent_to, people, template = "supervisors", supervisors, "safeguarding_alert"
        subject = f"Safeguarding concern raised by {worker}: {_urgency_short(concern)}"
    else:
        sent_to, people, template = "hr", hr_to_alert(worker), "safeguarding_no_supervisor"
        subject = f"A safeguarding concern raised by {worker} needs a supervisor"
    # Tagged with the concern, so its page says if an alert has not got through.
    with mail.about(concern):
        for person in people:
            body = render_to_string(
                f"peers/email/{template}.txt", {**context, "name": person.first_name or "there"}
            )
            # One message each, so no one sees who else was told.
            send_mail(subject, body, None, [person.email])
    if not people:
        sent_to = "nobody"
    concern.alert_queued_at = timezone.now()
    concern.save(update_fields=["alert_queued_at"])
    log(
        concern,
        audit_actions.CONCERN_ALERT,
        user=None,
        data={"sent_to": sent_to, "count": len(people)},
    )
    return Alert(sent_to=sent_to, count=len(people))


def _urgency_short(concern: SafeguardingConcern) -> str:
    return {
        Urgency.IMMEDIATE: "someone is at immediate risk",
        Urgency.TODAY: "needs action today",
        Urgency.SOON: "needs action in the next few days",
    }[concern.urgency]


def action_taken_clean(value: str | None) -> str:
    action = plain_text(value)
    if not action:
        raise Refused(
            "Enter what you have done about the concern, for example "
            "‘Referred to the adult safeguarding team’"
        )
    if len(action) > ACTION_MAX:
        raise Refused(f"What you have done must be {ACTION_MAX:,} characters or fewer")
    return action


@transaction.atomic
def concern_acknowledge(
    *, concern: SafeguardingConcern, user, action_taken: str
) -> SafeguardingConcern:
    """A supervisor acknowledges an open concern and records the action taken; the worker
    is told by email (again with no details) that it has been picked up."""
    action = action_taken_clean(action_taken)
    concern = (
        # Lock the concern alone: PostgreSQL cannot lock the nullable side of the join.
        SafeguardingConcern.objects.select_for_update(of=("self",))
        .select_related("worker__user", "acknowledged_by")
        .get(pk=concern.pk)
    )
    require(user, "peers.acknowledge_concern", concern)
    concern.acknowledged_at = timezone.now()
    concern.acknowledged_by = user
    concern.action_taken = action
    concern.save(update_fields=["acknowledged_at", "acknowledged_by", "action_taken"])
    log(concern, audit_actions.CONCERN_ACKNOWLEDGE, user=user)
    audit.audit_change(
        user=user,
        instance=concern,
        reason="Acknowledged a safeguarding concern and recorded the action taken",
        fields=["acknowledged_at", "acknowledged_by", "action_taken"],
    )
    worker_user = concern.worker.user
    if worker_user.email and worker_user.is_active:
        body = render_to_string(
            "peers/email/safeguarding_acknowledged.txt",
            {
                "name": worker_user.first_name or "there",
                "supervisor": str(user),
                "raised_at": timezone.localtime(concern.raised_at),
                "concern_url": site_address.absolute_url(
                    reverse("peers:concern_detail", args=[concern.pk])
                ),
            },
        )
        with mail.about(concern):
            send_mail(
                "Your safeguarding concern has been picked up", body, None, [worker_user.email]
            )
    return concern


def concern_viewed(*, concern: SafeguardingConcern, user) -> None:
    """Record that ``user`` opened a concern's page: every look is kept, the worker's too."""
    audit.audit_view(user=user, instance=concern, reason="Viewed a safeguarding concern")


# --- Escalation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wait:
    """How long a concern may wait for a supervisor before HR are told."""

    hours: int
    office_hours_only: bool

    @property
    def in_words(self) -> str:
        unit = "office hour" if self.office_hours_only else "hour"
        return f"{self.hours} {unit}{'' if self.hours == 1 else 's'}"


# Immediate risk does not wait for the office to open; the others count office hours only
# (``office_hours``): a concern raised on Friday evening escalates on Monday morning.
ESCALATE_AFTER: dict[str, Wait] = {
    Urgency.IMMEDIATE: Wait(hours=1, office_hours_only=False),
    Urgency.TODAY: Wait(hours=4, office_hours_only=True),
    Urgency.SOON: Wait(hours=16, office_hours_only=True),  # two working days
}


def raised_out_of_hours(concern: SafeguardingConcern) -> bool:
    """Raised when supervisors may not be there to read the alert."""
    return office_hours.is_out_of_hours(concern.raised_at)


def escalation_due_at(concern: SafeguardingConcern) -> datetime:
    """When ``concern``, if nobody has picked it up, is escalated to HR."""
    wait = ESCALATE_AFTER[concern.urgency]
    if wait.office_hours_only:
        return office_hours.after_office_hours(concern.raised_at, wait.hours)
    return concern.raised_at + timedelta(hours=wait.hours)


def concerns_escalate(*, now: datetime | None = None) -> int:
    """Escalate every open concern whose wait is over; returns how many were escalated.
    Safe to run again: an escalated concern is never escalated twice."""
    now = now or timezone.now()
    shortest = min(wait.hours for wait in ESCALATE_AFTER.values())
    escalated = 0
    for concern in concerns_to_escalate(raised_before=now - timedelta(hours=shortest)):
        if escalation_due_at(concern) <= now and concern_escalate(concern=concern, now=now):
            escalated += 1
    return escalated


@transaction.atomic
def concern_escalate(*, concern: SafeguardingConcern, now: datetime | None = None) -> bool:
    """Tell HR in the worker's organisation that no supervisor has picked ``concern`` up,
    and tell the worker what to do if nobody answers; once. False when it is picked up or
    already escalated."""
    concern = (
        SafeguardingConcern.objects.select_for_update()
        .select_related("worker__user", "worker__organisation")
        .get(pk=concern.pk)
    )
    if not concern.is_open or concern.escalated_at is not None:
        return False
    worker = concern.worker
    supervisors = supervisors_to_alert(worker)
    hr = hr_to_alert(worker)
    context = {
        "worker_name": str(worker),
        "organisation": worker.organisation.name,
        "on_call": on_call_for(worker),
        "urgency": concern.get_urgency_display(),
        "raised_at": timezone.localtime(concern.raised_at),
        "waited": ESCALATE_AFTER[concern.urgency].in_words,
        "supervisors": [str(person) for person in supervisors],
        "admin_url": site_address.absolute_url("/admin/"),
    }
    subject = f"Not picked up: a safeguarding concern raised by {worker}"
    with mail.about(concern):
        for person in hr:
            body = render_to_string(
                "peers/email/safeguarding_escalated.txt",
                {**context, "name": person.first_name or "there"},
            )
            send_mail(subject, body, None, [person.email])
        if worker.user.email and worker.user.is_active:
            body = render_to_string(
                "peers/email/safeguarding_not_picked_up.txt",
                {
                    **context,
                    "name": worker.user.first_name or "there",
                    "hr_told": bool(hr),
                    "concern_url": _concern_url(concern),
                    "help_url": site_address.absolute_url(reverse("crisis_help")),
                },
            )
            send_mail(
                "Your safeguarding concern has not been picked up yet",
                body,
                None,
                [worker.user.email],
            )
    concern.escalated_at = now or timezone.now()
    concern.save(update_fields=["escalated_at"])
    log(concern, audit_actions.CONCERN_ESCALATE, user=None, data={"hr_told": len(hr)})
    return True
