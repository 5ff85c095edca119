"""Co-production at scale, for the benchmarks: many recruiting panels for the public list,
and a demo member with a long history of meetings and claims for their own pages.

Loads the co-production demo first (panels, members, claims), then tops it up in bulk.
Natural keys (titles "Bench panel 00001"…, meeting titles "Bench meeting 00001"…) make it
idempotent and let a larger scale grow what exists.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cms.bench.generate import BATCH_SIZE, register_generator
from cms.bench.scenarios import MEMBER, register
from cms.models import Organisation, User

from .choices import CoproductionLevel
from .demo import DEMO_MEMBER_EMAIL, load_coproduce_demo
from .models import Attendance, InvolvementClaim, Meeting, Panel, PanelApplication

PANELS_PER_SCALE = 200
MEETINGS_PER_SCALE = 150  # the demo member's past meetings, each with a claim


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
