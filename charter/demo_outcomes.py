"""The demo's partnership outcomes: two programmes built from published figures, labelled as
what they are.

- "Peer mentoring after a hospital stay": Slough's published before-and-after figures for a
  peer mentor service (bed days 4,786 to 312; crisis and A&E contacts 4,451 to 1,235), as
  figures entered by hand, over the demo's last two financial years.
- "Direct payments: choice and control": Kirklees' dated partnership targets (people using
  direct payments 100, then 200, then 250, by April of three successive years), with no
  figures entered, so it is honestly "not yet measured".

Runs after the shell's and the peers' demos (it links their offers and teams); safe to run
again: what exists is left as it is.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cms.models import OfferPage, Organisation, User

from .models import Comparison, OutcomeMeasure, OutcomeTarget, Programme
from .periods import complete_periods

MENTORING = "Peer mentoring after a hospital stay"
DIRECT_PAYMENTS = "Direct payments: choice and control"
SLOUGH_NOTE = (
    "Figures from a published evaluation of a peer mentor service (Slough's partnership), "
    "entered by hand to show how outcomes are reported here. The years are the demo's own."
)
KIRKLEES_NOTE = (
    "Targets modelled on a published local strategy (Kirklees), which set dated targets for "
    "the number of people using direct payments."
)
# (name, what is counted, before, after)
MENTORING_MEASURES = [
    (
        "Days spent in hospital",
        "Days the people mentored spent in a mental health hospital bed (bed days).",
        Decimal("4786"),
        Decimal("312"),
    ),
    (
        "Crisis and A&E contacts",
        "Times the people mentored contacted crisis services or went to A&E for their "
        "mental health.",
        Decimal("4451"),
        Decimal("1235"),
    ),
]
DIRECT_PAYMENT_TARGETS = [
    (Decimal("100"), "First milestone"),
    (Decimal("200"), "Second milestone"),
    (Decimal("250"), "The strategy's goal"),
]


def _programme(name: str, **fields) -> tuple[Programme, bool]:
    programme = Programme.objects.filter(name=name).first()
    if programme is not None:
        return programme, False
    programme = Programme(name=name, **fields)
    programme.full_clean()
    programme.save()
    return programme, True


def _years(today: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """The last two financial years that have ended: before, then after."""
    before, after = complete_periods(date(today.year - 3, 4, 1), today, "annually")[-2:]
    return before, after


@transaction.atomic
def load_outcomes_demo(*, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    created = 0
    entered_by = User.objects.filter(is_superuser=True).order_by("pk").first()

    mentoring, new = _programme(
        MENTORING,
        summary="Peer mentors with lived experience meet people before they leave a mental "
        "health ward and stay alongside them for their first months at home.",
        description="A peer mentor visits on the ward, helps plan going home and keeps in "
        "touch afterwards: by phone, at home or at a crisis café. The programme is run "
        "with the trust's inpatient peer support team and the Open Door Crisis Café.",
        published=True,
    )
    created += new
    if new:
        mentoring.lead_organisations.set(
            Organisation.objects.filter(name__in=["Northdale Health and Care NHS Foundation Trust"])
        )
        mentoring.offers.set(
            OfferPage.objects.filter(
                title__in=["Open Door Crisis Café", "Crisis resolution and home treatment team"]
            )
        )
        team_model = Programme._meta.get_field("teams").related_model
        mentoring.teams.set(
            team_model.objects.filter(name__in=["Inpatient peer support", "Café peer mentors"])
        )
    (before_start, before_end), (after_start, after_end) = _years(today)
    for order, (name, counted, before, after) in enumerate(MENTORING_MEASURES):
        measure, _ = OutcomeMeasure.objects.get_or_create(
            programme=mentoring,
            name=name,
            defaults={
                "counted": counted,
                "kind": OutcomeMeasure.Kind.COUNT,
                "better": OutcomeMeasure.Better.LOWER,
                "method": "Counted for the same group of people in the year before they "
                "were mentored and in the year after.",
                "sort_order": order,
            },
        )
        if not measure.comparisons.exists():
            comparison = Comparison(
                measure=measure,
                before_start=before_start,
                before_end=before_end,
                before_value=before,
                after_start=after_start,
                after_end=after_end,
                after_value=after,
                source=Comparison.Source.ENTERED,
                note=SLOUGH_NOTE,
                entered_by=entered_by,
                entered_at=timezone.now(),
            )
            comparison.full_clean()
            comparison.save()

    payments, new = _programme(
        DIRECT_PAYMENTS,
        summary="Helping more people who use mental health services to choose and arrange "
        "their own support with a direct payment.",
        description=KIRKLEES_NOTE,
        published=True,
    )
    created += new
    if new:
        payments.lead_organisations.set(Organisation.objects.filter(name="Northdale Council"))
    measure, _ = OutcomeMeasure.objects.get_or_create(
        programme=payments,
        name="People using direct payments",
        defaults={
            "counted": "People using mental health services who receive a direct payment.",
            "kind": OutcomeMeasure.Kind.COUNT,
            "better": OutcomeMeasure.Better.HIGHER,
            "method": "Counted by the council on the last day of each financial year. "
            "No figures have been entered yet.",
        },
    )
    first_april = date(today.year + 1, 4, 1)
    for years, (value, note) in enumerate(DIRECT_PAYMENT_TARGETS):
        OutcomeTarget.objects.get_or_create(
            measure=measure,
            due_on=first_april.replace(year=first_april.year + years),
            defaults={"value": value, "note": note},
        )
    return {"programmes": Programme.objects.count(), "created": created}
