"""Peer worker records, kept by HR: adding a worker (and giving them the peer worker role),
changing their record, and marking them as left with a date and a reason.

Each change is checked here (HR for the worker's organisation; teams of that organisation;
supervisors who hold the supervisor role within HR's reach, and never the person making the
change: nobody names themselves) and written to the audit log, naming the fields changed
but never their values. A worker is emailed when who supervises them changes.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from wagtail.log_actions import log

from cms.audit import audit_change
from cms.auth_backends import forget_groups
from cms.dates import day_in_words
from cms.models import Organisation, User
from cms.permissions import (
    can,
    case_access_refusal,
    has_role,
    in_organisation_scope,
    require,
    scope_to_organisation,
)
from cms.roles import Role

from .. import audit_actions
from ..models import Level, PeerWorker, Team
from . import Refused

DETAIL_FIELDS = (
    "organisation",
    "team",
    "level",
    "job_title",
    "employment_type",
    "start_date",
    "contracted_hours",
    "supervision_every_days",
)


@dataclass(frozen=True)
class WorkerDetails:
    """What HR types about a peer worker's employment."""

    organisation: Organisation
    level: Level
    start_date: date
    team: Team | None = None
    job_title: str = "Peer support worker"
    employment_type: str = "employed"
    contracted_hours: Decimal | None = None
    supervision_every_days: int = 28
    supervisors: tuple = field(default_factory=tuple)


# --- Who may be chosen ----------------------------------------------------------------------


def organisations_for(user) -> QuerySet:
    """Organisations whose peer workers ``user`` keeps."""
    organisations = Organisation.objects.order_by("name")
    # The partnership has tens of organisations: ask the one scope rule about each.
    in_reach = [
        pk for pk in organisations.values_list("pk", flat=True) if in_organisation_scope(user, pk)
    ]
    return organisations.filter(pk__in=in_reach)


def supervisors_for(user) -> QuerySet:
    """People who may be named as supervisors: active, with the supervisor role, in an
    organisation within ``user``'s reach."""
    people = User.objects.filter(is_active=True, groups__name=Role.SUPERVISOR.value)
    return scope_to_organisation(user, people).distinct().order_by("first_name", "last_name")


def _check(by, details: WorkerDetails, *, supervisors_before: frozenset = frozenset()) -> None:
    if not can(by, "peers.manage_workers") or not in_organisation_scope(
        by, details.organisation.pk
    ):
        raise Refused(
            "You can keep peer worker records for your own organisation only.",
            field="organisation",
        )
    if details.team is not None and details.team.organisation_id != details.organisation.pk:
        raise Refused(f"Choose a team of {details.organisation}, or no team.", field="team")
    allowed = set(supervisors_for(by).values_list("pk", flat=True))
    if any(person.pk not in allowed for person in details.supervisors):
        raise Refused(
            "Choose supervisors who have the supervisor role in your organisation.",
            field="supervisors",
        )
    for person in details.supervisors:
        refusal = person.pk not in supervisors_before and case_access_refusal(by=by, person=person)
        if refusal:
            raise Refused(refusal, field="supervisors")
    if details.start_date > timezone.localdate() + timedelta(days=366):
        raise Refused("The start date must be within the next year.", field="start_date")


def _grant_peer_worker_role(person: User) -> bool:
    if has_role(person, Role.PEER_WORKER):
        return False
    person.groups.add(Group.objects.get(name=Role.PEER_WORKER.value))
    forget_groups(person)
    return True


# --- Use cases ------------------------------------------------------------------------------


@transaction.atomic
def worker_create(
    *, by, email: str, first_name: str = "", last_name: str = "", details: WorkerDetails
) -> PeerWorker:
    """Add a peer worker record for the person with ``email`` (an account is made for them
    when they have none; they set a password through "Forgot your password?") and give
    them the peer worker role."""
    _check(by, details)
    email = User.objects.normalize_email(email).lower().strip()
    if not email:
        raise Refused("Enter the peer worker's email address.", field="email")
    person = User.objects.filter(email__iexact=email).first()
    if person is None:
        person = User.objects.create_user(
            email=email, first_name=first_name.strip(), last_name=last_name.strip()
        )
        EmailAddress.objects.create(user=person, email=email, verified=False, primary=True)
    else:
        existing = PeerWorker.objects.filter(user=person).select_related("organisation").first()
        if existing is not None:
            raise Refused(
                f"{email} already has a peer worker record (at {existing.organisation}). "
                "Find it in the list and change it instead.",
                field="email",
            )
        names = {"first_name": first_name.strip(), "last_name": last_name.strip()}
        blank = {
            name: value for name, value in names.items() if value and not getattr(person, name)
        }
        if blank:
            for name, value in blank.items():
                setattr(person, name, value)
            person.save(update_fields=list(blank))
    worker = PeerWorker.objects.create(
        user=person, **{name: getattr(details, name) for name in DETAIL_FIELDS}
    )
    worker.supervisors.set(details.supervisors)
    granted = _grant_peer_worker_role(person)
    log(worker, "wagtail.create", user=by)
    if granted:
        log(worker, audit_actions.WORKER_ROLE_GRANT, user=by)
    return worker


@transaction.atomic
def worker_update(*, by, worker: PeerWorker, details: WorkerDetails, status: str) -> PeerWorker:
    """Change a worker's employment details and status (active or on leave). Leaving is
    ``worker_leave``; a worker who comes back has their leaving details cleared."""
    worker = PeerWorker.objects.select_for_update().get(pk=worker.pk)
    require(by, "peers.edit_worker", worker)
    before = frozenset(worker.supervisors.values_list("pk", flat=True))
    _check(by, details, supervisors_before=before)
    # Marking someone as left takes a date and a reason (worker_leave); a leaver's record
    # saved again keeps its status.
    if status == PeerWorker.Status.LEFT and worker.status != PeerWorker.Status.LEFT:
        raise Refused(
            "Enter the date they left and the reason to mark them as left.", field="status"
        )
    changed = [name for name in DETAIL_FIELDS if getattr(worker, name) != getattr(details, name)]
    if before != {person.pk for person in details.supervisors}:
        changed.append("supervisors")
    if worker.status != status:
        changed.append("status")
    for name in DETAIL_FIELDS:
        setattr(worker, name, getattr(details, name))
    if worker.status == PeerWorker.Status.LEFT and status != PeerWorker.Status.LEFT:
        worker.left_on, worker.leaving_reason, worker.leaving_note = None, "", ""
        changed += ["left_on", "leaving_reason", "leaving_note"]
        _grant_peer_worker_role(worker.user)
    worker.status = status
    if not changed:
        return worker
    worker.save()
    worker.supervisors.set(details.supervisors)
    log(worker, "wagtail.edit", user=by)
    audit_change(user=by, instance=worker, reason="HR changed a peer worker record", fields=changed)
    if "supervisors" in changed:
        _tell_worker_of_supervisors(worker)
    return worker


def _tell_worker_of_supervisors(worker: PeerWorker) -> None:
    """Supervisors see a worker's sessions, safeguarding concerns and supervision notes, so
    the worker is told whenever the people who can see them change."""
    person = worker.user
    if not person.email or not person.is_active:
        return
    names = [str(supervisor) for supervisor in worker.supervisors.order_by("first_name")]
    send_mail(
        "Who supervises you has changed",
        render_to_string(
            "peers/email/supervisors_changed.txt",
            {
                "name": person.first_name or "there",
                "supervisors": names,
                "organisation": worker.organisation.name,
            },
        ),
        None,
        [person.email],
    )


@transaction.atomic
def worker_leave(
    *, by, worker: PeerWorker, left_on: date | None, reason: str, note: str = ""
) -> PeerWorker:
    """Mark a worker as left, with the date and a reason. Their records are kept; they
    lose sight of peer work pages because they no longer have a current record."""
    worker = PeerWorker.objects.select_for_update().get(pk=worker.pk)
    require(by, "peers.edit_worker", worker)
    if left_on is None:
        raise Refused("Enter the date they left.", field="left_on")
    if reason not in PeerWorker.LeavingReason.values:
        raise Refused("Choose why they left.", field="leaving_reason")
    if left_on < worker.start_date:
        raise Refused(
            f"The leaving date must be on or after their start date, "
            f"{day_in_words(worker.start_date)}.",
            field="left_on",
        )
    if left_on > timezone.localdate() + timedelta(days=366):
        raise Refused("The leaving date must be within the next year.", field="left_on")
    worker.status = PeerWorker.Status.LEFT
    worker.left_on = left_on
    worker.leaving_reason = reason
    worker.leaving_note = note.strip()
    worker.save(update_fields=["status", "left_on", "leaving_reason", "leaving_note"])
    log(worker, audit_actions.WORKER_LEAVE, user=by, data={"reason": reason})
    audit_change(
        user=by,
        instance=worker,
        reason="HR marked a peer worker as left",
        fields=["status", "left_on", "leaving_reason", "leaving_note"],
    )
    return worker
