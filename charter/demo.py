"""The charter's demo: two organisations' published charters, copied from the template, with
two years of readings (some targets met, some missed), actions (some overdue) and evidence.

Runs after the shell's demo (it uses its organisations and people); safe to run again: an
organisation that already has version 1 of its charter is left as it is.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cms.demo import ORGANISATIONS, load_cms_demo
from cms.factories import TINY_PDF
from cms.models import Organisation, User

from . import services
from .models import Charter, CharterAction, Measure, Reading, Target
from .periods import complete_periods

DEMO_CHARTERS = [
    # (organisation, charter lead's email, how well it is going: 1.0 on track, lower behind)
    (ORGANISATIONS[0][0], "hr@example.org", 1.0),
    (ORGANISATIONS[4][0], None, 0.8),
]

# Per measure name: (value at adoption, target after a year, target after three years).
START_AND_TARGETS = {
    "percent": (Decimal("40"), Decimal("55"), Decimal("75")),
    "days": (Decimal("75"), Decimal("60"), Decimal("45")),
    "count": (Decimal("2"), Decimal("8"), Decimal("20")),
}

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


def _value(start: Decimal, goal: Decimal, share: float, pace: float, wobble: int) -> Decimal:
    """Somewhere between ``start`` and ``goal``, ``share`` of the way along at ``pace``."""
    value = start + (goal - start) * Decimal(str(round(share * pace, 3)))
    value += Decimal(wobble % 3 - 1) * abs(goal - start) / 20
    return value.quantize(Decimal("0.1"))


@transaction.atomic
def load_charter_demo(*, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    load_cms_demo()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    created = 0
    for name, lead_email, pace in DEMO_CHARTERS:
        organisation = Organisation.objects.get(name=name)
        if Charter.objects.filter(organisation=organisation, version="1").exists():
            continue
        charter = services.charter_create_from_template(
            user=admin,
            organisation=organisation,
            adopted_on=_adopted_on(today),
            lead=User.objects.filter(email=lead_email).first() if lead_email else None,
        )
        charter.published = True
        charter.introduction = (
            f"{organisation.name} adopted the Lived Experience Charter to make sure people "
            "with lived experience of mental ill health are recruited, supported and promoted "
            "here, and that our services are co-produced with the people who use them."
        )
        charter.save(update_fields=["published", "introduction"])
        _readings_and_targets(charter, today, pace)
        _actions(charter, today)
        _evidence(charter, admin)
        created += 1
    return {"charters": Charter.objects.count(), "created": created}


def _readings_and_targets(charter: Charter, today: date, pace: float) -> None:
    measures = Measure.objects.filter(commitment__charter=charter).order_by("pk")
    readings, targets = [], []
    for number, measure in enumerate(measures):
        start, first_goal, final_goal = START_AND_TARGETS.get(
            measure.unit, START_AND_TARGETS["percent"]
        )
        measure.baseline = start
        measure.save(update_fields=["baseline"])
        one_year = charter.adopted_on.replace(year=charter.adopted_on.year + 1) - timedelta(days=1)
        three_years = charter.adopted_on.replace(year=charter.adopted_on.year + 3) - timedelta(
            days=1
        )
        targets += [
            Target(measure=measure, due_on=one_year, value=first_goal, note="First milestone"),
            Target(measure=measure, due_on=three_years, value=final_goal, note="Charter goal"),
        ]
        # Every third measure falls behind: its first target is missed.
        measure_pace = pace * (0.55 if number % 3 == 2 else 1.15)
        periods = complete_periods(charter.adopted_on, today, measure.frequency)
        for index, (period_start, period_end) in enumerate(periods):
            share = (period_end - charter.adopted_on).days / (three_years - charter.adopted_on).days
            value = _value(start, final_goal, share, measure_pace, index + number)
            if measure.unit == "count":
                value = value.quantize(Decimal("1"))
            denominator = 12 + (index + number) % 9 if measure.unit == "percent" else None
            numerator = (
                int((value * denominator / 100).quantize(Decimal("1"))) if denominator else None
            )
            readings.append(
                Reading(
                    measure=measure,
                    period_start=period_start,
                    period_end=period_end,
                    value=value,
                    numerator=numerator,
                    denominator=denominator,
                    computed_at=timezone.now() if measure.is_computed else None,
                    note="Computed from the platform's own data."
                    if measure.is_computed
                    else "From the HR system's quarterly return.",
                )
            )
    Target.objects.bulk_create(targets)
    Reading.objects.bulk_create(readings)


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
