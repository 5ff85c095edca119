"""Session logs: a peer worker logs a session (and, from it, any safeguarding concern),
corrects it, or deletes a slip soon after.

The checks on each field live here and are used by the form too, so the worker sees the
same plain message next to the field that the service would give. Notes and the person's
reference are plain text; ``personal_details_warnings`` spots a name or number typed into
them so the form can ask the worker to check before saving.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from cms import audit
from cms.models import Need, OfferPage
from cms.permissions import require
from cms.personal_details import NAME, personal_details_in
from cms.sanitise import plain_text

from .. import audit_actions
from ..models import SessionLog
from ..models.sessions import MAX_SESSION_MINUTES, OUTCOME_RANGES, OutcomeMeasure, Setting
from ..rules import worker_of
from . import Refused
from .safeguarding import ConcernDetails, concern_details_clean, concern_raise

REFERENCE_MAX = 40
NOTES_MAX = 5000
GROUP_MAX = 200
DEFAULT_MINUTES = 60


# --- Checking each field ---------------------------------------------------------------------


def session_date_check(value: date | None) -> date:
    if value is None:
        raise Refused("Enter the date of the session")
    if value > timezone.localdate():
        raise Refused("The date of the session must be today or in the past")
    return value


def duration_check(minutes: int | None) -> int:
    if minutes is None:
        raise Refused("Enter how long the session was, in minutes")
    if minutes < 1:
        raise Refused("The session must be at least 1 minute long")
    if minutes > MAX_SESSION_MINUTES:
        raise Refused(
            "A session must be shorter than 24 hours. Enter the time in minutes, "
            "for example 90 for an hour and a half"
        )
    return minutes


def group_size_check(size: int | None) -> int:
    if size is None:
        raise Refused("Enter how many people you supported: 1 for a one-to-one session")
    if size < 1:
        raise Refused("Enter at least 1 person: 1 for a one-to-one session")
    if size > GROUP_MAX:
        raise Refused(f"A group can have up to {GROUP_MAX} people")
    return size


def setting_check(setting: str | None) -> str:
    if setting not in Setting.values:
        raise Refused("Choose where the session took place")
    return setting


def outcome_check(measure: str | None, score: int | None) -> tuple[str, int | None]:
    """The measure and score as stored: both or neither, the score within the measure's
    range."""
    measure = measure or ""
    if measure not in OutcomeMeasure.values:
        raise Refused("Choose an outcome measure from the list", field="outcome_measure")
    if not measure:
        if score is not None:
            raise Refused("Choose which outcome measure the score is from", field="outcome_measure")
        return "", None
    label = OutcomeMeasure(measure).label.split(" (")[0]
    if score is None:
        raise Refused(
            f"Enter the {label} score, or choose ‘None’ if you did not use a measure",
            field="outcome_score",
        )
    low, high = OUTCOME_RANGES[OutcomeMeasure(measure)]
    if not low <= score <= high:
        raise Refused(f"A {label} score must be between {low} and {high}", field="outcome_score")
    return measure, score


def reference_clean(value: str | None) -> str:
    reference = plain_text(value)
    if len(reference) > REFERENCE_MAX:
        raise Refused(f"The reference must be {REFERENCE_MAX} characters or fewer")
    return reference


def notes_clean(value: str | None) -> str:
    notes = plain_text(value)
    if len(notes) > NOTES_MAX:
        raise Refused(f"Your notes must be {NOTES_MAX:,} characters or fewer")
    return notes


# A reference made only of capitalised words ("Jane", "Jane Smith") is most likely a name.
_LOOKS_LIKE_A_NAME = re.compile(r"[A-Z][a-z'’-]+(\s+[A-Z][a-z'’-]+)*")


def personal_details_warnings(*, person_reference: str, notes: str) -> dict[str, list[str]]:
    """The kinds of personal detail that seem to be in the reference or the notes, by field
    name; empty when nothing was spotted."""
    warnings = {}
    in_reference = personal_details_in(person_reference)
    if NAME not in in_reference and _LOOKS_LIKE_A_NAME.fullmatch(person_reference.strip()):
        in_reference.append(NAME)
    if in_reference:
        warnings["person_reference"] = in_reference
    in_notes = personal_details_in(notes)
    if in_notes:
        warnings["notes"] = in_notes
    return warnings


# --- Logging, correcting, deleting -----------------------------------------------------------


@dataclass
class SessionDetails:
    """Everything the worker records about one session (a form's cleaned data)."""

    date: date
    duration_minutes: int
    setting: str
    offer: OfferPage | None = None
    person_reference: str = ""
    group_size: int = 1
    topics: Iterable[Need] = field(default_factory=list)
    signposted_to: Iterable[OfferPage] = field(default_factory=list)
    outcome_measure: str = ""
    outcome_score: int | None = None
    notes: str = ""


def _checked(details: SessionDetails) -> dict:
    """The details as they are stored; the service never trusts its caller's checks."""
    measure, score = outcome_check(details.outcome_measure, details.outcome_score)
    live = OfferPage.objects.live()
    if details.offer is not None and not live.filter(pk=details.offer.pk).exists():
        raise Refused("Choose an offer that is in the directory")
    signposted = list(details.signposted_to)
    if signposted and live.filter(pk__in=[o.pk for o in signposted]).count() != len(
        {o.pk for o in signposted}
    ):
        raise Refused("Choose the offers you signposted to from the directory")
    return {
        "date": session_date_check(details.date),
        "duration_minutes": duration_check(details.duration_minutes),
        "setting": setting_check(details.setting),
        "offer": details.offer,
        "person_reference": reference_clean(details.person_reference),
        "group_size": group_size_check(details.group_size),
        "outcome_measure": measure,
        "outcome_score": score,
        "notes": notes_clean(details.notes),
        "topics": list(details.topics),
        "signposted_to": signposted,
    }


@transaction.atomic
def session_log(
    *, user, details: SessionDetails, concern: ConcernDetails | None = None
) -> SessionLog:
    """Log a session for the signed-in worker; with ``concern``, raise a safeguarding
    concern from it at once (its supervisors are emailed)."""
    require(user, "peers.log_sessions")
    values = _checked(details)
    if concern is not None:
        concern = concern_details_clean(concern)
    topics, signposted = values.pop("topics"), values.pop("signposted_to")
    session = SessionLog.objects.create(worker=worker_of(user), created_by=user, **values)
    session.topics.set(topics)
    session.signposted_to.set(signposted)
    if concern is not None:
        concern_raise(session=session, user=user, details=concern)
    return session


@transaction.atomic
def session_update(*, session: SessionLog, user, details: SessionDetails) -> SessionLog:
    """The worker corrects their own log (its concern, if any, is not changed here)."""
    require(user, "peers.edit_session", session)
    values = _checked(details)
    session = SessionLog.objects.select_for_update().get(pk=session.pk)
    topics, signposted = values.pop("topics"), values.pop("signposted_to")
    changed = [name for name, value in values.items() if getattr(session, name) != value]
    for name, value in values.items():
        setattr(session, name, value)
    session.save()
    if {t.pk for t in topics} != set(session.topics.values_list("pk", flat=True)):
        changed.append("topics")
        session.topics.set(topics)
    if {o.pk for o in signposted} != set(session.signposted_to.values_list("pk", flat=True)):
        changed.append("signposted_to")
        session.signposted_to.set(signposted)
    if changed:
        audit.audit_change(
            user=user, instance=session, reason="Corrected a session log", fields=changed
        )
    return session


@transaction.atomic
def session_delete(*, session: SessionLog, user) -> None:
    """Delete a slip: the worker's own session, soon after logging it, with no concern."""
    require(user, "peers.delete_session", session)
    log(session, audit_actions.SESSION_DELETE, user=user)
    session.delete()
