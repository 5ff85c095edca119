"""The charter's demo: two organisations' published charters, copied from the template,
with more than two years of readings, targets, actions (some overdue) and evidence.

Every computed reading is the platform's own calculation run on the demo's history: the
peer-role recruitment, employment, supervision and progression (``peers.demo_history``) and
the claims, feedback and "You said, we did" changes (``coproduce.demo_history``) of the two
organisations, loaded first. The history decides which measures are on track: the Northdale
trust improves after adopting its charter, Mind in Northdale changes little. Readings HR
keeps by hand are entered through the same service HR uses, by a named person, with a note
saying where each figure came from.

Runs after the shell's demo (it uses its organisations and people); safe to run again: an
organisation that already has version 1 of its charter is left as it is.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cms.demo import ORGANISATIONS, load_cms_demo
from cms.factories import DEMO_PASSWORD, TINY_PDF
from cms.models import Organisation, User
from coproduce.demo_history import load_involvement_history
from peers.demo_history import load_peer_history

from . import services
from .calculations import get_calculation, percent
from .models import Charter, CharterAction, Measure, Reading, Target
from .periods import complete_periods, period_containing

DEMO_CHARTERS = [
    # (organisation, charter lead's email: HR enters the hand-kept readings)
    (ORGANISATIONS[0][0], "hr@example.org"),
    (ORGANISATIONS[4][0], None),
]


@dataclass(frozen=True)
class EnteredFigures:
    """What an organisation keeps by hand for one measure: a figure for each period (the
    first is the period before adoption, the baseline), and where the figures come from."""

    figures: tuple  # counts, or (numerator, denominator) for a share
    note: str


TRAINED = "Managers trained in employing people with lived experience"
OPEN_AT_WORK = "Staff with lived experience who feel able to be open at work"
ENTERED = {
    (ORGANISATIONS[0][0], TRAINED): EnteredFigures(
        (4, 5, 7, 6, 9, 10, 9, 12, 13, 12, 15, 16, 15, 18, 19, 18),
        "From the Learning and Development team's training records: managers who completed "
        "the lived experience awareness course in the quarter.",
    ),
    (ORGANISATIONS[0][0], OPEN_AT_WORK): EnteredFigures(
        ((38, 92), (47, 95), (58, 101), (66, 104)),
        "From the annual staff survey: of the staff who said they have lived experience, "
        "those who agreed they feel able to be open about it at work.",
    ),
    (ORGANISATIONS[4][0], TRAINED): EnteredFigures(
        (1, 2, 1, 3, 2, 2, 3, 2, 3, 2, 3, 3, 2, 3, 3, 2),
        "From Mind in Northdale's training log, sent by its people and volunteering manager "
        "and entered by the partnership's administrator.",
    ),
    (ORGANISATIONS[4][0], OPEN_AT_WORK): EnteredFigures(
        ((9, 17), (10, 18), (10, 19), (11, 20)),
        "From Mind in Northdale's annual staff and volunteer survey, sent by its people and "
        "volunteering manager and entered by the partnership's administrator.",
    ),
}

# How far each target asks a measure to move from its baseline: (after a year, after three).
TARGET_STEPS = {"percent": (10, 25), "days": (-10, -25), "count": (3, 8)}

ACTIONS = [
    (
        1,
        "Advertise peer roles through user-led groups and the Recovery College",
        "Head of Recruitment",
        -200,
        "done",
    ),
    (
        1,
        "Put a person with lived experience on every interview panel",
        "Peer Lead",
        -40,
        "in_progress",
    ),
    (
        2,
        "Run lived experience awareness sessions for all managers",
        "Director of People",
        60,
        "in_progress",
    ),
    (3, "Agree a supervision standard for peer workers", "Head of Psychology", -15, "not_started"),
    (4, "Publish the peer worker progression pathway", "Peer Lead", -120, "done"),
    (5, "Review recruitment checks for unconscious bias", "Equality Lead", 90, "not_started"),
    (6, "Pay panel members within 30 days, every time", "Finance Manager", 30, "in_progress"),
]

EVIDENCE = [
    (1, "Peer worker recruitment policy 2025"),
    (3, "Supervision standard for peer workers (draft)"),
    (6, "Board paper: involvement payments"),
]


def _adopted_on(today: date) -> date:
    """The start of the financial year two years ago, so there are two years of readings."""
    year = today.year - 2 if today.month >= 4 else today.year - 3
    return date(year, 4, 1)


@transaction.atomic
def load_charter_demo(*, today: date | None = None) -> dict[str, int]:
    """Load the charters once (with the history they measure); ``today`` stands for the
    day the demo is loaded, for tests."""
    now = (
        timezone.now() if today is None else timezone.make_aware(datetime.combine(today, time(12)))
    )
    today = timezone.localdate(now)
    load_cms_demo()
    adopted_on = _adopted_on(today)
    password = make_password(DEMO_PASSWORD)  # hashed once for every person of the history
    load_peer_history(since=adopted_on, today=today, password=password)
    load_involvement_history(since=adopted_on, now=now, password=password)
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    made = []
    for name, lead_email in DEMO_CHARTERS:
        organisation = Organisation.objects.get(name=name)
        if Charter.objects.filter(organisation=organisation, version="1").exists():
            continue
        lead = User.objects.filter(email=lead_email).first() if lead_email else None
        charter = services.charter_create_from_template(
            user=admin, organisation=organisation, adopted_on=adopted_on, lead=lead
        )
        charter.published = True
        charter.introduction = (
            f"{organisation.name} adopted the Lived Experience Charter to make sure people "
            "with lived experience of mental ill health are recruited, supported and promoted "
            "here, and that our services are co-produced with the people who use them."
        )
        charter.save(update_fields=["published", "introduction"])
        _entered_readings(charter, lead or admin, today)
        _actions(charter, today)
        _evidence(charter, admin)
        made.append(charter)
    if made:
        # The schedule's own snapshot: every computed reading is the calculation's answer.
        services.readings_snapshot(today=today)
        for charter in made:
            _baselines_and_targets(charter)
    return {"charters": Charter.objects.count(), "created": len(made)}


def _entered_readings(charter: Charter, user, today: date) -> None:
    """HR's hand-kept readings, entered as HR enters them, each dated soon after its period."""
    for measure in Measure.objects.filter(
        commitment__charter=charter, source=Measure.Source.ENTERED
    ).order_by("pk"):
        entered = ENTERED.get((charter.organisation.name, measure.name))
        if entered is None:
            continue
        periods = complete_periods(charter.adopted_on, today, measure.frequency)
        before = period_containing(charter.adopted_on - timedelta(days=1), measure.frequency)
        for (start, end), figure in zip([before, *periods], entered.figures, strict=False):
            if isinstance(figure, tuple):
                share = percent(*figure)
                value, numerator, denominator = share.value, *figure
            else:
                value, numerator, denominator = Decimal(figure), None, None
            if (start, end) == before:
                measure.baseline, measure.baseline_on = value, end
                measure.save(update_fields=["baseline", "baseline_on"])
                continue
            reading = services.reading_enter(
                user=user,
                measure=measure,
                period_start=start,
                period_end=end,
                value=value,
                numerator=numerator,
                denominator=denominator,
                note=entered.note,
                today=today,
            )
            entered_at = timezone.make_aware(datetime.combine(end + timedelta(days=12), time(11)))
            Reading.objects.filter(pk=reading.pk).update(
                created_at=entered_at, updated_at=entered_at
            )


def _baselines_and_targets(charter: Charter) -> None:
    """A computed measure's baseline is its calculation's answer for the period before the
    charter was adopted (or, with nothing to count then, its first reading); the targets
    ask it to move on from there."""
    organisation_ids = [charter.organisation_id]
    measures = Measure.objects.filter(commitment__charter=charter).prefetch_related("readings")
    targets = []
    for measure in measures:
        if measure.is_computed:
            start, end = period_containing(
                charter.adopted_on - timedelta(days=1), measure.frequency
            )
            result = get_calculation(measure.calculation)(
                organisation_ids=organisation_ids, start=start, end=end
            )
            first = next(iter(measure.readings.all()), None)
            if result.value is not None:
                measure.baseline, measure.baseline_on = result.value, end
            elif first is not None:
                measure.baseline, measure.baseline_on = first.value, first.period_end
            measure.save(update_fields=["baseline", "baseline_on"])
        if measure.baseline is None:
            continue
        targets += [
            Target(measure=measure, due_on=due_on, value=_target(measure, step), note=note)
            for due_on, step, note in zip(
                (_years_after(charter.adopted_on, 1), _years_after(charter.adopted_on, 3)),
                TARGET_STEPS.get(measure.unit, TARGET_STEPS["count"]),
                ("First milestone", "Charter goal"),
                strict=True,
            )
        ]
    Target.objects.bulk_create(targets)


def _years_after(day: date, years: int) -> date:
    return day.replace(year=day.year + years) - timedelta(days=1)


def _target(measure: Measure, step: int) -> Decimal:
    """The baseline moved by ``step``, to a round number (a multiple of 5 for shares and
    days), and never past 100% or below zero."""
    goal = Decimal(measure.baseline) + step
    if measure.unit in ("percent", "days"):
        goal = (goal / 5).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * 5
    goal = max(goal.quantize(Decimal("1"), rounding=ROUND_HALF_UP), Decimal(0))
    return min(goal, Decimal(100)) if measure.unit == "percent" else goal


def _actions(charter: Charter, today: date) -> None:
    commitments = {c.number: c for c in charter.commitments.all()}
    CharterAction.objects.bulk_create(
        CharterAction(
            charter=charter,
            commitment=commitments.get(number),
            title=title,
            owner=owner,
            due_on=today + timedelta(days=days),
            status=status,
        )
        for number, title, owner, days, status in ACTIONS
    )


def _evidence(charter: Charter, user) -> None:
    commitments = {c.number: c for c in charter.commitments.all()}
    for number, title in EVIDENCE:
        services.evidence_upload(
            user=user,
            charter=charter,
            upload=ContentFile(TINY_PDF, name=f"{title.lower().replace(' ', '-')[:40]}.pdf"),
            title=title,
            commitment=commitments.get(number),
        )
