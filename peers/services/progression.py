"""Changes on the progression pathway and induction: a worker adds evidence and records
training; a supervisor signs competences off, records progression reviews (a "progress"
decision moves the worker up a level) and ticks induction items; starting a worker makes
their induction checklist.

Each rule is checked here, whatever the caller checked: a supervisor signs off only their
own supervisees, never themselves, and never a competence without evidence.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log

from cms.months import add_months
from cms.permissions import can, require
from cms.personal_details import personal_details_in
from cms.sanitise import plain_text

from .. import audit_actions
from ..models import (
    Competence,
    CompetenceEvidence,
    CompetenceSignOff,
    InductionItem,
    PeerWorker,
    ProgressionReview,
    Training,
    TrainingRecord,
)
from ..selectors.progression import next_level_after, pathway_of
from . import Refused

EVIDENCE_MAX = 2000
NOTE_MAX = 1000
SUMMARY_MAX = 3000
PROVIDER_MAX = 200
TRAINING_HOURS_MAX = Decimal("500")

# The first 12 weeks: (key, title, hint, target week). Every new worker gets these items.
INDUCTION_ITEMS = [
    (
        "met-team",
        "Met the team and the key people they will work with",
        "Including who to call in an emergency and out of hours.",
        1,
    ),
    (
        "buddy",
        "Buddy assigned",
        "An experienced peer worker they can go to with everyday questions.",
        1,
    ),
    (
        "lone-working",
        "Read the lone-working policy",
        "And set up the way they check in and out when working alone.",
        1,
    ),
    (
        "supervision",
        "Supervision set up",
        "Supervisor named and the first supervision booked, then regular dates agreed.",
        2,
    ),
    (
        "wellbeing-plan",
        "Wellbeing plan offered",
        "For example a Wellness Recovery Action Plan or a wellness action plan, and "
        "reasonable adjustments talked through.",
        2,
    ),
    (
        "mandatory-training",
        "Mandatory training booked",
        "Safeguarding, data security and suicide prevention awareness.",
        4,
    ),
    (
        "shadowing",
        "Shadowed an experienced peer worker",
        "In the settings they will work in.",
        6,
    ),
    (
        "pathway",
        "Talked through the progression pathway",
        "What the next level asks for and how to add evidence.",
        8,
    ),
    (
        "twelve-week-review",
        "12-week review with their supervisor",
        "How the first weeks went and what support would help next.",
        12,
    ),
]


# --- Checks shared with the forms ----------------------------------------------------------


def _no_personal_details(text: str, *, what: str) -> None:
    found = personal_details_in(text)
    if found:
        kinds = " and ".join(found)
        raise Refused(
            f"Take out {kinds}: {what} must not identify anyone you support. "
            "Write 'a person I support' instead."
        )


def evidence_description(value: str | None) -> str:
    text = plain_text(value)
    if not text:
        raise Refused("Describe what you did that shows this competence.")
    if len(text) > EVIDENCE_MAX:
        raise Refused(f"The description must be {EVIDENCE_MAX} characters or fewer.")
    _no_personal_details(text, what="evidence")
    return text


def not_in_future(value: date, *, what: str) -> date:
    if value > timezone.localdate():
        raise Refused(f"The date {what} must be today or in the past.")
    return value


def training_hours(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip() or "0")
    except InvalidOperation:
        raise Refused("Enter the hours as a number, for example 3.5.") from None
    if not amount.is_finite() or amount < 0 or amount > TRAINING_HOURS_MAX:
        raise Refused("Enter the hours as a number between 0 and 500, for example 3.5.")
    return amount.quantize(Decimal("0.1"))


def training_expiry(
    *, training: Training, completed_on: date, expires_on: date | None
) -> date | None:
    """The day a completion runs out: as given, or worked out from how long the course
    counts for. It must be after the course was completed."""
    if expires_on is None and training.valid_for_months:
        expires_on = add_months(completed_on, training.valid_for_months)
    if expires_on is not None and expires_on <= completed_on:
        raise Refused("The expiry date must be after the date the course was completed.")
    return expires_on


def _short_text(value: str | None, *, limit: int, message: str) -> str:
    text = plain_text(value)
    if len(text) > limit:
        raise Refused(message)
    return text


# --- The worker's own ---------------------------------------------------------------------


@transaction.atomic
def evidence_add(
    *, worker: PeerWorker, user, competence: Competence, description: str, date: date
) -> CompetenceEvidence:
    require(user, "peers.add_evidence", worker)
    evidence = CompetenceEvidence.objects.create(
        worker=worker,
        competence=competence,
        description=evidence_description(description),
        date=not_in_future(date, what="of the evidence"),
    )
    log(evidence, audit_actions.EVIDENCE_ADD, user=user)
    return evidence


@transaction.atomic
def training_record(
    *,
    worker: PeerWorker,
    user,
    training: Training,
    completed_on: date,
    expires_on: date | None = None,
    provider: str = "",
    hours=None,
) -> TrainingRecord:
    require(user, "peers.add_evidence", worker)
    completed_on = not_in_future(completed_on, what="you completed the course")
    record = TrainingRecord.objects.create(
        worker=worker,
        training=training,
        provider=_short_text(
            provider or training.provider,
            limit=PROVIDER_MAX,
            message=f"The provider must be {PROVIDER_MAX} characters or fewer.",
        ),
        completed_on=completed_on,
        expires_on=training_expiry(
            training=training, completed_on=completed_on, expires_on=expires_on
        ),
        hours=training_hours(training.hours if hours in (None, "") else hours),
        added_by=user,
    )
    log(record, audit_actions.TRAINING_RECORD, user=user)
    return record


# --- The supervisor's -------------------------------------------------------------------------


def _require_supervisor(user, worker: PeerWorker, rule: str, doing: str) -> None:
    if worker.user_id == user.pk:
        raise Refused(f"You cannot {doing} for yourself. Ask your supervisor.")
    if not can(user, rule, worker):
        raise Refused(f"Only {worker}'s supervisors can {doing}.")


@transaction.atomic
def competence_sign_off(
    *, worker: PeerWorker, competence: Competence, user, note: str = ""
) -> CompetenceSignOff:
    """Sign a competence off for a supervisee, once, and only when they have added
    evidence for it."""
    _require_supervisor(user, worker, "peers.sign_off_competence", "sign off competences")
    if not CompetenceEvidence.objects.filter(worker=worker, competence=competence).exists():
        raise Refused(
            f"{worker} has not added evidence for this competence yet. Ask them to add "
            "evidence from their pathway page, then sign it off."
        )
    note = _short_text(
        note, limit=NOTE_MAX, message=f"The note must be {NOTE_MAX} characters or fewer."
    )
    try:
        with transaction.atomic():
            sign_off = CompetenceSignOff.objects.create(
                worker=worker, competence=competence, signed_off_by=user, note=note
            )
    except IntegrityError:
        raise Refused("This competence has already been signed off.") from None
    log(sign_off, audit_actions.COMPETENCE_SIGN_OFF, user=user)
    return sign_off


@transaction.atomic
def progression_review_record(
    *,
    worker: PeerWorker,
    user,
    date: date,
    readiness_summary: str,
    decision: str,
    decision_note: str = "",
) -> ProgressionReview:
    """Record a review of readiness for the next level. "Progress" moves the worker up,
    and needs every competence of the next level signed off."""
    _require_supervisor(user, worker, "peers.review_progression", "record progression reviews")
    # Lock the worker so two reviews at once cannot both move them up.
    worker = PeerWorker.objects.select_for_update().select_related("level").get(pk=worker.pk)
    next_level = next_level_after(worker.level)
    if next_level is None:
        raise Refused(f"{worker} is at the top level of the pathway already.")
    if decision not in ProgressionReview.Decision.values:
        raise Refused("Choose the decision of the review.")
    summary = _short_text(
        readiness_summary,
        limit=SUMMARY_MAX,
        message=f"The summary must be {SUMMARY_MAX} characters or fewer.",
    )
    if not summary:
        raise Refused("Summarise how ready they are for the next level.")
    note = _short_text(
        decision_note, limit=NOTE_MAX, message=f"The note must be {NOTE_MAX} characters or fewer."
    )
    if decision != ProgressionReview.Decision.PROGRESS and not note:
        raise Refused("Say what needs to happen before the next review.")
    not_in_future(date, what="of the review")
    if decision == ProgressionReview.Decision.PROGRESS:
        left = pathway_of(worker).competences_left
        if left:
            raise Refused(
                f"Sign off every competence for {next_level} before deciding to progress: "
                f"{len(left)} {'is' if len(left) == 1 else 'are'} not signed off yet."
            )
    review = ProgressionReview.objects.create(
        worker=worker,
        from_level=worker.level,
        to_level=next_level,
        date=date,
        reviewer=user,
        readiness_summary=summary,
        decision=decision,
        decision_note=note,
    )
    if decision == ProgressionReview.Decision.PROGRESS:
        worker.level = next_level
        worker.save(update_fields=["level"])
    log(review, audit_actions.PROGRESSION_REVIEW, user=user)
    return review


# --- Induction ----------------------------------------------------------------------------------


@transaction.atomic
def induction_create(*, worker: PeerWorker, user) -> list[InductionItem]:
    """Give a new worker their induction checklist; idempotent (items already there are
    kept as they are, missing ones added). Called when a candidate starts."""
    existing = set(InductionItem.objects.filter(worker=worker).values_list("key", flat=True))
    new = [
        InductionItem(worker=worker, key=key, title=title, hint=hint, target_week=week, order=order)
        for order, (key, title, hint, week) in enumerate(INDUCTION_ITEMS)
        if key not in existing
    ]
    if new:
        InductionItem.objects.bulk_create(new, ignore_conflicts=True)
        log(worker, audit_actions.INDUCTION_CREATE, user=user)
    return list(InductionItem.objects.filter(worker=worker).order_by("target_week", "order"))


@transaction.atomic
def induction_item_mark(
    *, item: InductionItem, user, done: bool, done_on: date | None = None
) -> InductionItem:
    """A supervisor marks an item done (on a day, today by default) or not done."""
    _require_supervisor(user, item.worker, "peers.tick_induction", "tick induction items")
    item = InductionItem.objects.select_for_update().get(pk=item.pk)
    if done:
        done_on = done_on or timezone.localdate()
        not_in_future(done_on, what="it was done")
        if item.done_on == done_on:
            return item
        item.done_on, item.done_by = done_on, user
        action = audit_actions.INDUCTION_ITEM_DONE
    else:
        if item.done_on is None:
            return item
        item.done_on, item.done_by = None, None
        action = audit_actions.INDUCTION_ITEM_UNDONE
    item.save(update_fields=["done_on", "done_by"])
    log(item, action, user=user)
    return item
