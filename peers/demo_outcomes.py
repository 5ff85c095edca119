"""Outcome scores in the demo, so offer pages show what changed for people who used them:
the Open Door Crisis Café worked out from 14 people's SWEMWBS scores, Northdale Safe Haven
from only 3 people's ReQoL-10 scores (so the page holds the numbers back), and the crisis
resolution and home treatment team from figures its trust collated and entered by hand.

It only rescores one-to-one sessions the demo already made and links them to their offer:
no session is added or removed, so nothing counted from sessions (hours, people supported,
the charter's readings) changes. Scores the session demo gave at random to sessions of
other offers are cleared, so no offer shows figures that track nobody.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from cms.models import OfferPage, User

from .models import OfferOutcomeFigures, SessionLog
from .models.sessions import OUTCOME_RANGES, OutcomeMeasure

CAFE_OFFER = "Open Door Crisis Café"
CAFE_PROVIDER = "Open Door Crisis Café"
SAFE_HAVEN_OFFER = "Northdale Safe Haven"
SAFE_HAVEN_PROVIDER = "Mind in Northdale"
TRUST_OFFER = "Crisis resolution and home treatment team"
TRUST_SOURCE = "Northdale Health and Care NHS Foundation Trust PROMs collation"
TRUST_LEAD_EMAIL = "lead@example.org"


def load_outcomes_demo(rng) -> int:
    """Score the demo's sessions of three offers and enter one trust's figures; returns how
    many people's scores were made. Called once, inside the peers demo's transaction."""
    SessionLog.objects.exclude(offer=None).exclude(outcome_measure="").update(
        outcome_measure="", outcome_score=None
    )
    offers = {
        offer.title: offer
        for offer in OfferPage.objects.filter(title__in=[CAFE_OFFER, SAFE_HAVEN_OFFER, TRUST_OFFER])
    }
    people = 0
    if CAFE_OFFER in offers:
        people += _score(rng, offers[CAFE_OFFER], CAFE_PROVIDER, OutcomeMeasure.SWEMWBS, 14)
    if SAFE_HAVEN_OFFER in offers:
        people += _score(
            rng, offers[SAFE_HAVEN_OFFER], SAFE_HAVEN_PROVIDER, OutcomeMeasure.REQOL10, 3
        )
    if TRUST_OFFER in offers:
        _trust_figures(offers[TRUST_OFFER])
    return people


def _score(rng, offer, organisation_name: str, measure: str, how_many: int) -> int:
    """Give ``how_many`` people of ``organisation_name``'s workers (each seen at least twice
    one to one in the last year) scores on ``measure`` at their first session, about
    every third one and their last, moving from where they started towards where they end."""
    since = timezone.localdate() - timedelta(days=364)
    one_to_one = SessionLog.objects.filter(
        worker__organisation__name=organisation_name,
        date__gte=since,
        group_size=1,
    ).exclude(person_reference="")
    pairs = list(
        one_to_one.values("worker_id", "person_reference")
        .annotate(seen=Count("pk"))
        .filter(seen__gte=2)
        .order_by("worker_id", "person_reference")[:how_many]
    )
    by_person = defaultdict(list)
    wanted = {(pair["worker_id"], pair["person_reference"]) for pair in pairs}
    for session in one_to_one.filter(worker_id__in={worker for worker, _ in wanted}).order_by(
        "date", "pk"
    ):
        if (session.worker_id, session.person_reference) in wanted:
            by_person[(session.worker_id, session.person_reference)].append(session)
    lowest, highest = OUTCOME_RANGES[measure]
    changed = []
    for sessions in by_person.values():
        first = rng.randint(lowest + (highest - lowest) // 4, lowest + (highest - lowest) // 2)
        # Most people feel better; some stay where they were and a few feel worse.
        change = rng.choice([-4, -1, 0, 2, 3, 4, 5, 6, 7, 8, 9])
        scored = [0, *range(3, len(sessions) - 1, 3), len(sessions) - 1]
        for step, index in enumerate(scored):
            share = step / (len(scored) - 1)
            score = round(first + change * share) + (
                rng.randint(-1, 1) if 0 < step < len(scored) - 1 else 0
            )
            session = sessions[index]
            session.outcome_measure = measure
            session.outcome_score = max(lowest, min(highest, score))
        for session in sessions:
            session.offer = offer
            changed.append(session)
    SessionLog.objects.bulk_update(
        changed, ["offer", "outcome_measure", "outcome_score"], batch_size=500
    )
    return len(by_person)


def _last_financial_year(today: date) -> tuple[date, date]:
    year = today.year - 1 if today.month >= 4 else today.year - 2
    return date(year, 4, 1), date(year + 1, 3, 31)


def _trust_figures(offer) -> None:
    start, end = _last_financial_year(timezone.localdate())
    lead = User.objects.filter(email=TRUST_LEAD_EMAIL).first()
    # Entered a few weeks after the year ended, when the collation was finished.
    entered_at = timezone.make_aware(datetime.combine(end + timedelta(days=24), time(10, 0)))
    for measure, people, improved, first, latest in (
        (OutcomeMeasure.REQOL10, 46, 27, "14.6", "21.2"),
        (OutcomeMeasure.SWEMWBS, 38, 21, "19.4", "23.1"),
    ):
        OfferOutcomeFigures.objects.get_or_create(
            offer=offer,
            measure=measure,
            period_start=start,
            period_end=end,
            defaults={
                "people": people,
                "improved": improved,
                "average_first": Decimal(first),
                "average_latest": Decimal(latest),
                "source": TRUST_SOURCE,
                "entered_by": lead,
                "entered_at": entered_at,
            },
        )
