"""Co-production's part of the demo partnership: panels in every state, 64 members with
varied access needs and payment choices, applications and decisions, past and future
meetings with access arrangements and papers, attendance, and claims at every stage.

Deterministic (a seeded random) and idempotent: it does nothing once its panels exist.
Members are written in bulk with one shared password hash, so loading takes seconds.
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from wagtail.documents import get_document_model
from wagtail.models import Collection

from cms.models import OfferPage, Organisation, User
from cms.roles import Role

from .choices import AccessNeed, Community, CoproductionLevel, LivedExperience, PaymentChoice
from .consent import STATEMENTS, ConsentPurpose
from .models import (
    AccessArrangement,
    Attendance,
    ConsentRecord,
    Expense,
    InvolvementClaim,
    InvolvementProfile,
    Meeting,
    MeetingPaper,
    Panel,
    PanelApplication,
)

MEMBER_COUNT = 64
DEMO_MEMBER_EMAIL = "member@example.org"
DEMO_LEAD_EMAIL = "lead@example.org"

FIRST_NAMES = [
    "Aisha", "Ben", "Carys", "Dev", "Ellie", "Femi", "Grace", "Hamza", "Isla", "Jamal",
    "Kerry", "Liam", "Maya", "Nas", "Olu", "Poppy", "Qasim", "Rosa", "Sean", "Tilly",
    "Usman", "Vicky", "Wes", "Yasmin", "Zak", "Bernie", "Chloe", "Dani", "Errol", "Fiona",
    "Gurpreet", "Harvey",
]  # fmt: skip
LAST_NAMES = [
    "Akhtar", "Brennan", "Chowdhury", "Doyle", "Ellis", "Fraser", "Gill", "Hussain",
    "Iqbal", "Jones", "Kowalski", "Lloyd", "Mensah", "Nolan", "Okafor", "Price",
]  # fmt: skip
PRONOUNS = ["", "she/her", "he/him", "they/them", "she/they"]


@dataclass(frozen=True)
class DemoPanel:
    title: str
    organisation: str
    status: str
    seats: int
    level: int
    rate: str
    purpose: str
    who: str
    offers: tuple[str, ...] = ()
    pathway: str = ""
    seeks: tuple[str, ...] = ()
    communities: tuple[str, ...] = ()


NORTHDALE_TRUST = "Northdale Health and Care NHS Foundation Trust"
SOUTHMOOR_TRUST = "Southmoor Community Mental Health NHS Trust"

PANELS = [
    DemoPanel(
        "Crisis café redesign",
        NORTHDALE_TRUST,
        Panel.Status.ACTIVE,
        10,
        CoproductionLevel.CO_PRODUCTION,
        "20.00",
        "Redesign the evening crisis café with the people who use it: opening hours, "
        "how people find it, and what happens when they arrive.",
        "People who have used crisis services in the last two years, and carers.",
        seeks=(LivedExperience.CRISIS_CARE, LivedExperience.SELF_HARM, LivedExperience.CARER),
        communities=(Community.YOUNG, Community.BLACK),
    ),
    DemoPanel(
        "Community mental health front door",
        NORTHDALE_TRUST,
        Panel.Status.RECRUITING,
        12,
        CoproductionLevel.CO_DESIGN,
        "20.00",
        "Help design a single front door to community mental health support, so nobody is "
        "sent from one service to another.",
        "Anyone who has tried to get mental health support in Northdale, especially people "
        "who found it hard.",
        pathway="Community mental health: first contact to first appointment",
        seeks=(LivedExperience.ANXIETY_DEPRESSION, LivedExperience.PSYCHOSIS),
        communities=(Community.ASIAN, Community.OLDER, Community.RURAL),
    ),
    DemoPanel(
        "Easy read letters panel",
        "Deaf Peer Connect",
        Panel.Status.RECRUITING,
        8,
        CoproductionLevel.CO_DESIGN,
        "15.00",
        "Rewrite the letters people get about appointments so that everyone can read them, "
        "including in British Sign Language video.",
        "Deaf people, people who use easy read, and people whose first language is not English.",
        seeks=(LivedExperience.NEURODIVERGENCE,),
        communities=(Community.DISABLED, Community.REFUGEE),
    ),
    DemoPanel(
        "Money worries and mental health",
        "Citizens Advice Southmoor",
        Panel.Status.RECRUITING,
        8,
        CoproductionLevel.ENGAGEMENT,
        "15.00",
        "Shape a joined-up offer of debt advice and mental health support.",
        "People who have had money worries alongside poor mental health.",
        seeks=(LivedExperience.ANXIETY_DEPRESSION,),
    ),
    DemoPanel(
        "Young people moving to adult services",
        SOUTHMOOR_TRUST,
        Panel.Status.ACTIVE,
        8,
        CoproductionLevel.CO_DESIGN,
        "18.50",
        "Make the move from children's to adult mental health services less of a cliff edge.",
        "Young people aged 16 to 25, and their families.",
        seeks=(LivedExperience.EATING, LivedExperience.SELF_HARM),
        communities=(Community.YOUNG,),
    ),
    DemoPanel(
        "Leaving hospital well",
        SOUTHMOOR_TRUST,
        Panel.Status.CLOSED,
        8,
        CoproductionLevel.CO_PRODUCTION,
        "18.50",
        "Co-produce the discharge checklist and the first week at home after a hospital stay.",
        "People who have stayed on a mental health ward, and carers.",
        seeks=(LivedExperience.CRISIS_CARE, LivedExperience.CARER),
    ),
    DemoPanel(
        "Housing support pathway",
        "Northdale Council",
        Panel.Status.DRAFT,
        10,
        CoproductionLevel.CONSULTATION,
        "15.00",
        "Review how housing officers and mental health teams work together.",
        "People who have been homeless or at risk of losing their home.",
        pathway="Housing and mental health",
    ),
    DemoPanel(
        "Peer support group evaluation",
        "Mind in Northdale",
        Panel.Status.CLOSED,
        6,
        CoproductionLevel.CONSULTATION,
        "12.00",
        "Look back at a year of peer support groups and decide what to keep.",
        "People who have been to a peer support group.",
    ),
]


def load_coproduce_demo() -> dict[str, int]:
    if Panel.objects.filter(title=PANELS[0].title).exists():
        return {"panels": Panel.objects.count(), "created": 0}
    with transaction.atomic():
        rng = random.Random(4)  # noqa: S311 - demo data, not security
        members = _members(rng)
        panels = _panels()
        _applications(rng, panels, members)
        meetings = _meetings(panels)
        _attendance_and_claims(rng, meetings)
    return {"panels": len(panels), "members": len(members), "created": 1}


# --- People ---------------------------------------------------------------------------------


def _members(rng: random.Random) -> list[User]:
    """The demo member (Sam) and 64 more, each with a profile and consent."""
    emails = [f"member{number:02d}@example.org" for number in range(1, MEMBER_COUNT + 1)]
    password = make_password("lived-experience-demo")
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    new = [
        User(
            email=email,
            first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
            last_name=LAST_NAMES[(number * 7) % len(LAST_NAMES)],
            password=password,
        )
        for number, email in enumerate(emails)
        if email not in existing
    ]
    User.objects.bulk_create(new)
    people = list(User.objects.filter(email__in=emails).order_by("email"))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=p, email=p.email, verified=True, primary=True) for p in people],
        ignore_conflicts=True,
    )
    members_group = Group.objects.get(name=Role.MEMBER.value)
    members_group.user_set.add(*people)
    sam = User.objects.filter(email=DEMO_MEMBER_EMAIL).first()
    everyone = ([sam] if sam else []) + people

    needs = [choice for choice, _ in AccessNeed.choices]
    experience = [choice for choice, _ in LivedExperience.choices]
    communities = [choice for choice, _ in Community.choices]
    now = timezone.now()
    profiles, consents = [], []
    for position, person in enumerate(everyone):
        person_needs = rng.sample(needs, k=rng.choice([0, 0, 1, 1, 2, 3]))
        if person == sam:
            person_needs = [AccessNeed.LARGE_PRINT, AccessNeed.QUIET_SPACE]
        shares = position % 3 != 2  # two in three agree to anonymous equality totals
        profiles.append(
            InvolvementProfile(
                user=person,
                display_name=person.first_name,
                pronouns=rng.choice(PRONOUNS),
                contact_preference=rng.choice(["email", "email", "text", "phone"]),
                phone=f"07700 900{position:03d}",
                access_needs=person_needs,
                access_needs_other=(
                    "I may need to leave the room for a while." if "other" in person_needs else ""
                ),
                interpreter_language="Polish" if "language" in person_needs else "",
                lived_experience=rng.sample(experience, k=rng.choice([1, 2])) if shares else [],
                communities=rng.sample(communities, k=rng.choice([0, 1, 2])) if shares else [],
                payment_choice=rng.choice(
                    [PaymentChoice.PAID] * 6
                    + [PaymentChoice.VOUCHER] * 2
                    + [PaymentChoice.NOT_PAID]
                ),
            )
        )
        purposes = (
            [ConsentPurpose.INVOLVEMENT]
            # Access needs are kept only with their own agreement.
            + ([ConsentPurpose.ACCESS_NEEDS] if person_needs else [])
            + ([ConsentPurpose.EQUALITY] if shares else [])
        )
        for purpose in purposes:
            statement = STATEMENTS[purpose]
            consents.append(
                ConsentRecord(
                    user=person,
                    purpose=purpose,
                    version=statement.version,
                    statement=statement.text,
                    given_at=now - timedelta(days=200 - position),
                )
            )
    InvolvementProfile.objects.bulk_create(profiles, ignore_conflicts=True)
    ConsentRecord.objects.bulk_create(consents, ignore_conflicts=True)
    return everyone


# --- Panels, applications ---------------------------------------------------------------------


def _panels() -> list[Panel]:
    organisations = {o.name: o for o in Organisation.objects.all()}
    lead = User.objects.filter(email=DEMO_LEAD_EMAIL).first()
    offers = list(OfferPage.objects.live().order_by("title"))
    panels = []
    for position, spec in enumerate(PANELS):
        panel = Panel.objects.create(
            organisation=organisations[spec.organisation],
            title=spec.title,
            purpose=spec.purpose,
            pathway=spec.pathway,
            status=spec.status,
            seats=spec.seats,
            who_is_sought=spec.who,
            sought_lived_experience=list(spec.seeks),
            sought_communities=list(spec.communities),
            coproduction_level=spec.level,
            hourly_rate=Decimal(spec.rate),
            time_commitment="2 hours a month for 6 months",
            applications_close_on=(
                timezone.localdate() + timedelta(days=21 + position * 7)
                if spec.status == Panel.Status.RECRUITING
                else None
            ),
        )
        if offers:
            panel.offers.add(offers[(position * 5) % len(offers)])
        if lead and spec.organisation == NORTHDALE_TRUST:
            panel.facilitators.add(lead)
        panels.append(panel)
    return panels


def _applications(rng, panels, members) -> None:
    sam, others = members[0], members[1:]
    applications = []
    statements = [
        "I used the crisis café last winter and want to help make it easier to find.",
        "I care for my son and know how confusing the letters can be.",
        "I would like to use what I went through to make things better for others.",
        "I am Deaf and would like services to think about BSL from the start.",
    ]
    needs_of = dict(InvolvementProfile.objects.values_list("user_id", "access_needs"))
    for position, panel in enumerate(panels):
        if panel.status == Panel.Status.DRAFT:
            continue
        pool = others[(position * 9) % len(others) :] + others[: (position * 9) % len(others)]
        applicants = pool[: panel.seats + 4]
        if position == 0:
            applicants = [sam, *applicants[: panel.seats + 3]]
        for number, person in enumerate(applicants):
            if panel.status == Panel.Status.RECRUITING:
                status = (
                    PanelApplication.Status.ACCEPTED
                    if number < panel.seats // 2
                    else PanelApplication.Status.PENDING
                )
            elif number < panel.seats:
                status = PanelApplication.Status.ACCEPTED
            else:
                status = rng.choice(
                    [PanelApplication.Status.WAITLISTED, PanelApplication.Status.DECLINED]
                )
            decided = status != PanelApplication.Status.PENDING
            profile_needs = needs_of.get(person.pk, [])
            applications.append(
                PanelApplication(
                    panel=panel,
                    applicant=person,
                    statement=statements[number % len(statements)],
                    access_needs=profile_needs,
                    status=status,
                    decision_note=(
                        "Thank you. We have kept your name for the next panel."
                        if status == PanelApplication.Status.WAITLISTED
                        else "The panel is full this time; please apply again."
                        if status == PanelApplication.Status.DECLINED
                        else ""
                    ),
                    decided_at=timezone.now() - timedelta(days=60) if decided else None,
                )
            )
    # Sam also waits to hear from a recruiting panel.
    applications.append(
        PanelApplication(
            panel=panels[1],
            applicant=sam,
            statement="I waited a long time for my first appointment and want to help.",
            access_needs=needs_of.get(sam.pk, []),
        )
    )
    PanelApplication.objects.bulk_create(applications, ignore_conflicts=True)


# --- Meetings, papers, access arrangements ------------------------------------------------------


def _meetings(panels) -> list[Meeting]:
    now = timezone.localtime()
    meetings = []
    for position, panel in enumerate(panels):
        if panel.status in (Panel.Status.DRAFT, Panel.Status.RECRUITING):
            continue
        months = range(-6, 0) if panel.status == Panel.Status.CLOSED else range(-4, 3)
        for month in months:
            # Three days back, so the first active panel's latest meeting is already over
            # (its claims still drafts) at whatever hour the demo is loaded.
            day = (now + timedelta(days=30 * month + position - 3)).replace(
                hour=10 + position % 4, minute=0, second=0, microsecond=0
            )
            meeting = Meeting(
                panel=panel,
                title=f"{panel.title}: meeting {month + 7}",
                starts_at=day,
                ends_at=day + timedelta(hours=2, minutes=30 if position % 2 else 0),
                mode=[Meeting.Mode.IN_PERSON, Meeting.Mode.HYBRID, Meeting.Mode.ONLINE][
                    (month + position) % 3
                ],
                agenda="Welcome and check-in.\nWhat we heard since last time.\n"
                "Ideas for the next step.\nClose and expenses.",
            )
            if meeting.mode != Meeting.Mode.ONLINE:
                meeting.location = "The Light House, 12 Market Street, Northdale NL1 2AB"
            if meeting.mode != Meeting.Mode.IN_PERSON:
                meeting.joining_link = "https://meet.example.org/panel-" + panel.slug
            if month == 2 and position == 0:
                meeting.status = Meeting.Status.CANCELLED
                meeting.cancellation_reason = "The venue is closed for repairs. We will rearrange."
                meeting.cancelled_at = now
                meeting.sequence = 1
            meetings.append(meeting)
    Meeting.objects.bulk_create(meetings)
    meetings = list(Meeting.objects.select_related("panel").order_by("starts_at"))
    _papers(meetings)
    _arrangements(meetings)
    return meetings


def _agenda_pdf(title: str) -> bytes:
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(title)
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawString(72, 760, title)
    pdf.setFont("Helvetica", 14)
    for line_number, line in enumerate(
        ["1. Welcome and check-in", "2. What we heard", "3. Ideas", "4. Close and expenses"]
    ):
        pdf.drawString(72, 720 - line_number * 24, line)
    pdf.save()
    return buffer.getvalue()


def _papers(meetings) -> None:
    collection = Collection.objects.filter(name="Panel papers").first()
    if collection is None:
        return
    Document = get_document_model()
    upcoming = [m for m in meetings if m.starts_at > timezone.now() and not m.is_cancelled]
    for meeting in upcoming[:4]:
        title = f"Agenda – {meeting.title}"
        document = Document(title=title, collection=collection)
        document.file.save(f"agenda-{meeting.pk}.pdf", ContentFile(_agenda_pdf(title)), save=False)
        document.save()
        MeetingPaper.objects.create(meeting=meeting, document=document, title="Agenda")


def _arrangements(meetings) -> None:
    accepted = {}
    for application in PanelApplication.objects.filter(
        status=PanelApplication.Status.ACCEPTED
    ).only("panel_id", "access_needs"):
        accepted.setdefault(application.panel_id, set()).update(application.access_needs)
    now = timezone.now()
    rows = []
    for meeting in meetings:
        for need in sorted(accepted.get(meeting.panel_id, ())):
            booked = meeting.starts_at < now or need != AccessNeed.BSL
            rows.append(
                AccessArrangement(
                    meeting=meeting,
                    need=need,
                    status=(
                        AccessArrangement.Status.BOOKED
                        if booked
                        else AccessArrangement.Status.NEEDED
                    ),
                    detail="Booked with the usual provider." if booked else "",
                )
            )
    AccessArrangement.objects.bulk_create(rows, ignore_conflicts=True)


# --- Attendance and claims ----------------------------------------------------------------------


def _attendance_and_claims(rng, meetings) -> None:
    now = timezone.now()
    past = [m for m in meetings if m.starts_at < now and not m.is_cancelled]
    members_of = {}
    for panel_id, user_id in PanelApplication.objects.filter(
        status=PanelApplication.Status.ACCEPTED
    ).values_list("panel_id", "applicant_id"):
        members_of.setdefault(panel_id, []).append(user_id)
    attendances = []
    for meeting in past:
        for user_id in members_of.get(meeting.panel_id, []):
            status = rng.choice(
                [Attendance.Status.ATTENDED] * 8
                + [Attendance.Status.APOLOGIES, Attendance.Status.ABSENT]
            )
            attendances.append(
                Attendance(
                    meeting=meeting,
                    member_id=user_id,
                    status=status,
                    hours=meeting.hours if status == Attendance.Status.ATTENDED else None,
                )
            )
    Attendance.objects.bulk_create(attendances)

    choices = dict(InvolvementProfile.objects.values_list("user_id", "payment_choice"))
    finance = User.objects.filter(email="finance@example.org").first()
    lead = User.objects.filter(email=DEMO_LEAD_EMAIL).first()
    claims = []
    attended = Attendance.objects.filter(status=Attendance.Status.ATTENDED).select_related(
        "meeting__panel"
    )
    for attendance in attended:
        meeting = attendance.meeting
        age = (now - meeting.starts_at).days
        claim = InvolvementClaim(
            attendance=attendance,
            member_id=attendance.member_id,
            panel=meeting.panel,
            hours=attendance.hours,
            hourly_rate=meeting.panel.hourly_rate,
            payment_choice=choices.get(attendance.member_id, PaymentChoice.PAID),
        )
        # Older meetings' claims have moved further along: paid, approved, then waiting.
        if age > 75:
            stage = "paid"
        elif age > 45:
            stage = rng.choice(["paid", "approved"])
        elif age > 20:
            stage = rng.choice(["approved", "submitted", "returned"])
        else:
            stage = rng.choice(["draft", "draft", "submitted"])
        _advance(claim, stage, meeting.ends_at, lead=lead, finance=finance)
        claims.append(claim)
    InvolvementClaim.objects.bulk_create(claims)

    expenses = []
    for claim in InvolvementClaim.objects.filter(pk__in=[c.pk for c in claims if c.pk]).only(
        "pk", "status"
    )[::3]:
        expense = Expense(
            claim=claim,
            kind=Expense.Kind.TRAVEL,
            description="Bus fare there and back",
            amount=Decimal("4.80"),
        )
        expense.receipt.save(f"bus-ticket-{claim.pk}.pdf", ContentFile(_receipt_pdf()), save=False)
        expenses.append(expense)
    Expense.objects.bulk_create(expenses)
    # The approved amount includes the expenses added above.
    for claim in InvolvementClaim.objects.filter(amount_approved__isnull=False).prefetch_related(
        "expenses"
    ):
        claim.amount_approved = claim.total
        claim.save(update_fields=["amount_approved"])


def _advance(claim, stage, ended_at, *, lead, finance) -> None:
    if stage == "draft":
        return
    claim.submitted_at = ended_at + timedelta(days=2)
    claim.status = InvolvementClaim.Status.SUBMITTED
    if stage == "returned":
        claim.status = InvolvementClaim.Status.RETURNED
        claim.return_reason = "Please add a photo of your bus ticket."
        return
    if stage in ("approved", "paid"):
        claim.status = InvolvementClaim.Status.APPROVED
        claim.approved_at = ended_at + timedelta(days=5)
        claim.approved_by = lead
        claim.amount_approved = claim.fee
    if stage == "paid":
        claim.status = InvolvementClaim.Status.PAID
        claim.paid_at = ended_at + timedelta(days=12)
        claim.paid_by = finance
        claim.payment_reference = f"BACS-{claim.attendance_id:05d}"


def _receipt_pdf() -> bytes:
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(220, 300))
    pdf.setFont("Helvetica", 11)
    for number, line in enumerate(["Northdale Buses", "Day rider", "£4.80", "Thank you"]):
        pdf.drawString(20, 260 - number * 20, line)
    pdf.save()
    return buffer.getvalue()
