"""The progression pathway's part of the demo: for every current peer worker made by
``peers.demo``, evidence and supervisor sign-offs for the levels they have reached and part
of the next one, training (one or two out of date), the progression reviews that brought
them to their level (and a few "not yet"s), and induction checklists for recent starters,
ticked up to where they should be with one step left behind.

Deterministic and idempotent: workers who already have pathway records are left alone, so
running it twice adds nothing. Rows are written in bulk.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from cms.months import add_months

from .models import (
    Competence,
    CompetenceEvidence,
    CompetenceSignOff,
    InductionItem,
    Level,
    PeerWorker,
    ProgressionReview,
    Training,
    TrainingRecord,
)
from .services.progression import induction_create

INDUCTION_WEEKS = 12

EVIDENCE_TEXT = [
    "Co-facilitated the Tuesday wellbeing group and shared how I use a routine on low days.",
    "Talked a person I support through what I can keep private and what I must share.",
    "Reflected in supervision on a conversation where I chose not to share my own story.",
    "Helped a person I support find a local walking group and went along the first time.",
    "Raised a concern with the duty worker the same day and recorded what I did.",
    "Ran a session for the ward team on what peer support is and is not.",
]


def load_progression_demo() -> dict[str, int]:
    """Add pathway records for demo workers who have none; returns what exists now."""
    today = timezone.localdate()
    levels = list(Level.objects.order_by("order"))
    competences = {level.pk: [] for level in levels}
    for competence in Competence.objects.prefetch_related("levels").order_by("order"):
        for level in competence.levels.all():
            competences[level.pk].append(competence)
    courses = {level.pk: [] for level in levels}
    for course in Training.objects.prefetch_related("levels").order_by("order"):
        for level in course.levels.all():
            courses[level.pk].append(course)
    started = set(CompetenceEvidence.objects.values_list("worker_id", flat=True))
    started |= set(ProgressionReview.objects.values_list("worker_id", flat=True))
    started |= set(TrainingRecord.objects.values_list("worker_id", flat=True))
    started |= set(CompetenceSignOff.objects.values_list("worker_id", flat=True))
    workers = [
        worker
        for worker in PeerWorker.objects.select_related("level", "user")
        .prefetch_related("supervisors")
        .exclude(status=PeerWorker.Status.LEFT)
        .order_by("pk")
        if worker.pk not in started
    ]
    with transaction.atomic():
        for position, worker in enumerate(workers):
            supervisor = next(iter(worker.supervisors.all()), None)
            _pathway(worker, position, supervisor, levels, competences, courses, today)
            if (today - worker.start_date).days <= INDUCTION_WEEKS * 7:
                _induction(worker, supervisor, today)
    return {
        "evidence": CompetenceEvidence.objects.count(),
        "sign_offs": CompetenceSignOff.objects.count(),
        "reviews": ProgressionReview.objects.count(),
        "inductions": InductionItem.objects.values("worker").distinct().count(),
    }


def _between(start: date, end: date, fraction: float) -> date:
    return start + timedelta(days=max(int((end - start).days * fraction), 0))


def _pathway(worker, position, supervisor, levels, competences, courses, today) -> None:
    reached = [level for level in levels if level.order <= worker.level.order]
    following = [level for level in levels if level.order > worker.level.order]
    next_level = following[0] if following else None
    # The day they reached their level: part-way through their time here.
    level_since = (
        worker.start_date
        if len(reached) == 1
        else min(
            _between(worker.start_date, today, 0.55),
            add_months(worker.start_date, max(reached[-2].minimum_months, 3)),
        )
    )
    evidence, sign_offs, records, reviews = [], [], [], []

    def add(competence, when: date, *, signed: bool, index: int):
        evidence.append(
            CompetenceEvidence(
                worker=worker,
                competence=competence,
                description=EVIDENCE_TEXT[(position + index) % len(EVIDENCE_TEXT)],
                date=when,
            )
        )
        if signed:
            sign_offs.append(
                CompetenceSignOff(
                    worker=worker,
                    competence=competence,
                    signed_off_by=supervisor,
                    note="Seen in practice and talked through in supervision.",
                )
            )

    # Everything the levels they have reached asked for (the trainee level asks nothing).
    for level in reached[1:]:
        for index, competence in enumerate(competences[level.pk]):
            add(competence, _between(worker.start_date, level_since, 0.5), signed=True, index=index)
        for course in courses[level.pk]:
            records.append(_record(worker, course, _between(worker.start_date, level_since, 0.3)))
    # Part of the next level: evidence for a few competences, most of them signed off.
    if next_level:
        started = competences[next_level.pk][: position % 4 + 1]
        for index, competence in enumerate(started):
            add(
                competence,
                _between(level_since, today, 0.7),
                signed=index < len(started) - 1,
                index=index,
            )
        if position % 2 == 0:
            for course in courses[next_level.pk][:1]:
                records.append(_record(worker, course, _between(level_since, today, 0.6)))
    # One worker in five let a course that needs refreshing run out: it shows as expired.
    refreshable = [record for record in records if record.expires_on]
    if position % 5 == 0 and refreshable:
        expired = refreshable[0]
        months = expired.training.valid_for_months
        expired.expires_on = today - timedelta(days=40)
        expired.completed_on = add_months(expired.expires_on, -months)
    if len(reached) > 1:
        reviews.append(
            ProgressionReview(
                worker=worker,
                from_level=reached[-2],
                to_level=reached[-1],
                date=level_since,
                reviewer=supervisor,
                readiness_summary=(
                    "All competences evidenced and signed off; training up to date. "
                    "Confident in one-to-one and group work."
                ),
                decision=ProgressionReview.Decision.PROGRESS,
            )
        )
    if next_level and position % 4 == 1 and (today - level_since).days > 120:
        reviews.append(
            ProgressionReview(
                worker=worker,
                from_level=worker.level,
                to_level=next_level,
                date=today - timedelta(days=30 + position),
                reviewer=supervisor,
                readiness_summary="Growing well; some competences still need evidence.",
                decision=ProgressionReview.Decision.NOT_YET,
                decision_note="Add evidence for the remaining competences; review in three months.",
            )
        )
    CompetenceEvidence.objects.bulk_create(evidence)
    CompetenceSignOff.objects.bulk_create(sign_offs)
    # Signed off a week after the evidence (the time is set when a row is made, so it is
    # put right afterwards).
    evidence_dates = {item.competence_id: item.date for item in evidence}
    for sign_off in sign_offs:
        signed_on = min(evidence_dates[sign_off.competence_id] + timedelta(days=7), today)
        sign_off.signed_off_at = timezone.make_aware(datetime.combine(signed_on, time(14, 0)))
    CompetenceSignOff.objects.bulk_update(sign_offs, ["signed_off_at"])
    TrainingRecord.objects.bulk_create(records)
    ProgressionReview.objects.bulk_create(reviews)


def _record(worker, course, completed_on: date) -> TrainingRecord:
    return TrainingRecord(
        worker=worker,
        training=course,
        provider=course.provider,
        completed_on=completed_on,
        expires_on=add_months(completed_on, course.valid_for_months)
        if course.valid_for_months
        else None,
        hours=course.hours,
        added_by=worker.user,
    )


def _induction(worker, supervisor, today) -> None:
    """A recent starter's checklist, ticked where its target has passed, except one step
    (the mandatory training) left late so the page shows what overdue looks like."""
    items = induction_create(worker=worker, user=supervisor)
    ticked = []
    for item in items:
        item.worker = worker
        if item.target_date <= today and item.key != "mandatory-training":
            item.done_on = min(item.target_date, today)
            item.done_by = supervisor
            ticked.append(item)
    InductionItem.objects.bulk_update(ticked, ["done_on", "done_by"])
