"""Co-production at scale, for the benchmarks: many recruiting panels for the public list,
and a demo member with a long history of meetings and claims for their own pages.

Loads the co-production demo first (panels, members, claims), then tops it up in bulk.
Natural keys (titles "Bench panel 00001"…, meeting titles "Bench meeting 00001"…) make it
idempotent and let a larger scale grow what exists.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cms.bench.big import register_big_generator, register_dashboard
from cms.bench.generate import BATCH_SIZE, register_generator
from cms.bench.scenarios import MEMBER, register
from cms.models import OfferPage, Organisation, User

from .choices import CoproductionLevel
from .demo import DEMO_LEAD_EMAIL, DEMO_MEMBER_EMAIL, load_coproduce_demo
from .models import (
    Attendance,
    Feedback,
    InvolvementClaim,
    Meeting,
    Panel,
    PanelApplication,
    Theme,
)
from .services.feedback_totals import feedback_totals_rebuild

PANELS_PER_SCALE = 200
MEETINGS_PER_SCALE = 150  # the demo member's past meetings, each with a claim
# Ten times the data (cms.bench.big): 200,000 pieces of feedback over the last 18 months,
# all to the demo lead's organisation, so their trends count every one.
BIG_FEEDBACK = 200_000
BIG_FEEDBACK_DAYS = 540
BIG_FEEDBACK_WORDS = "Bench feedback."


@register_generator
@transaction.atomic
def generate_coproduction(*, scale: int) -> dict:
    load_coproduce_demo()
    return {
        "recruiting panels": _panels(scale),
        "demo member's claims": _member_history(scale),
    }


def _panels(scale: int) -> dict[str, int]:
    organisations = list(Organisation.objects.order_by("pk")[:8])
    wanted = {f"Bench panel {number:05d}" for number in range(1, PANELS_PER_SCALE * scale + 1)}
    existing = set(Panel.objects.filter(title__in=wanted).values_list("title", flat=True))
    closes = timezone.localdate() + timedelta(days=60)
    new = [
        Panel(
            organisation=organisations[number % len(organisations)],
            title=title,
            slug=title.lower().replace(" ", "-"),
            purpose="Help redesign a local mental health offer with the people who use it.",
            status=Panel.Status.RECRUITING,
            seats=8 + number % 5,
            who_is_sought="Anyone with lived experience of the service, and carers.",
            coproduction_level=CoproductionLevel.CO_DESIGN,
            hourly_rate=Decimal("15.00"),
            time_commitment="2 hours a month",
            applications_close_on=closes + timedelta(days=number % 30),
        )
        for number, title in enumerate(sorted(wanted - existing))
    ]
    Panel.objects.bulk_create(new, batch_size=BATCH_SIZE)
    return {
        "created": len(new),
        "total": Panel.objects.filter(status=Panel.Status.RECRUITING).count(),
    }


def _member_history(scale: int) -> dict[str, int]:
    member = User.objects.filter(email=DEMO_MEMBER_EMAIL).first()
    panel = Panel.objects.filter(
        applications__applicant=member, applications__status=PanelApplication.Status.ACCEPTED
    ).first()
    if member is None or panel is None:
        return {"created": 0, "total": 0}
    titles = [f"Bench meeting {number:05d}" for number in range(1, MEETINGS_PER_SCALE * scale + 1)]
    existing = set(
        Meeting.objects.filter(panel=panel, title__in=titles).values_list("title", flat=True)
    )
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=400)
    meetings = [
        Meeting(
            panel=panel,
            title=title,
            starts_at=start + timedelta(hours=3 * number),
            ends_at=start + timedelta(hours=3 * number + 2),
            location="The Light House, 12 Market Street, Northdale",
        )
        for number, title in enumerate(titles)
        if title not in existing
    ]
    Meeting.objects.bulk_create(meetings, batch_size=BATCH_SIZE)
    attendances = Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=meeting,
                member=member,
                status=Attendance.Status.ATTENDED,
                hours=Decimal("2.00"),
            )
            for meeting in meetings
        ],
        batch_size=BATCH_SIZE,
    )
    paid_at = timezone.now() - timedelta(days=1)
    InvolvementClaim.objects.bulk_create(
        [
            InvolvementClaim(
                attendance=attendance,
                member=member,
                panel=panel,
                hours=attendance.hours,
                hourly_rate=panel.hourly_rate,
                payment_choice="paid",
                status=InvolvementClaim.Status.PAID,
                submitted_at=paid_at,
                approved_at=paid_at,
                amount_approved=attendance.hours * panel.hourly_rate,
                paid_at=paid_at,
                payment_reference=f"BENCH-{attendance.meeting_id}",
            )
            for attendance in attendances
        ],
        batch_size=BATCH_SIZE,
    )
    return {
        "created": len(attendances),
        "total": InvolvementClaim.objects.filter(member=member).count(),
    }


@register_big_generator
def generate_big_feedback() -> dict:
    lead = User.objects.filter(email=DEMO_LEAD_EMAIL).select_related("organisation").first()
    if lead is None or lead.organisation is None:
        return {"feedback": {"created": 0, "total": Feedback.objects.count()}}
    return {"feedback": _feedback(lead.organisation, BIG_FEEDBACK)}


def _feedback(organisation: Organisation, target: int) -> dict[str, int]:
    """Top the bench feedback to ``target``, oldest first so each day's rows are a range of
    ids: ``created_at`` is set on every row itself, ignores what ``bulk_create`` sends."""
    existing = Feedback.objects.filter(went_well=BIG_FEEDBACK_WORDS).count()
    missing = max(0, target - existing)
    if not missing:
        return {"created": 0, "total": Feedback.objects.count()}
    rng = random.Random(200)  # noqa: S311 - bench data, not security
    offers = list(
        OfferPage.objects.filter(provider=organisation).values_list("pk", "title")[:200]
    ) or list(OfferPage.objects.values_list("pk", "title")[:200])
    themes = list(Theme.objects.values_list("pk", flat=True))
    ratings = [choice for choice, _ in Feedback.Rating.choices]
    listened = [choice for choice, _ in Feedback.Listened.choices]
    through = Feedback.themes.through
    first_pk = None
    made = 0
    while made < missing:
        batch = []
        for _ in range(min(BATCH_SIZE * 4, missing - made)):
            offer_id, title = rng.choice(offers)
            batch.append(
                Feedback(
                    offer_id=offer_id,
                    offer_title=title,
                    organisation=organisation,
                    source=Feedback.Source.PUBLIC,
                    went_well=BIG_FEEDBACK_WORDS,
                    rating=rng.choice(ratings),
                    felt_listened_to=rng.choice(listened),
                    status=Feedback.Status.CLOSED,
                )
            )
        Feedback.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        first_pk = first_pk or batch[0].pk
        if themes:
            through.objects.bulk_create(
                [
                    through(feedback_id=item.pk, theme_id=theme)
                    for item in batch
                    for theme in rng.sample(themes, k=min(len(themes), 1 + item.pk % 2))
                ],
                batch_size=BATCH_SIZE,
            )
        made += len(batch)
    last_pk = Feedback.objects.filter(went_well=BIG_FEEDBACK_WORDS).order_by("-pk").first().pk
    _spread_over_days(first_pk, last_pk)
    # Written in bulk, so the trends' monthly totals are counted by hand.
    feedback_totals_rebuild(organisations=[organisation.pk])
    return {"created": made, "total": Feedback.objects.count()}


def _spread_over_days(first_pk: int, last_pk: int) -> None:
    """The new rows' received times, one range of ids per day over the last 18 months."""
    today = timezone.localdate()
    per_day = max(1, (last_pk - first_pk + 1) // BIG_FEEDBACK_DAYS + 1)
    zone = timezone.get_current_timezone()
    for day in range(BIG_FEEDBACK_DAYS):
        start = first_pk + day * per_day
        if start > last_pk:
            break
        when = datetime.combine(
            today - timedelta(days=BIG_FEEDBACK_DAYS - 1 - day), time(9 + day % 9), zone
        )
        Feedback.objects.filter(pk__gte=start, pk__lt=start + per_day).update(
            created_at=when, triaged_at=when, closed_at=when
        )


def _a_recruiting_panel() -> str:
    return (
        Panel.objects.filter(status=Panel.Status.RECRUITING)
        .order_by("title")
        .first()
        .get_absolute_url()
    )


register("panels", "/panels/")
register("panel", _a_recruiting_panel)
register("involvement", "/involvement/", users=(MEMBER,))
register("my-meetings", "/panels/meetings/", users=(MEMBER,))
register("my-claims", "/claims/", users=(MEMBER,))
register_dashboard("feedback trends", lambda: reverse("feedback_trends:index"), DEMO_LEAD_EMAIL)
