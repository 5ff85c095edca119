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
from django.db.models import F
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from wagtail.documents import get_document_model
from wagtail.models import Collection, ModelLogEntry

from cms import audit
from cms.dates import day_in_words
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
    MeetingReply,
    Panel,
    PanelApplication,
    PanelRecommendation,
    PayeeDetails,
    PaymentPolicy,
    PaymentRun,
)
from .selectors.payment_runs import by_bank_transfer
from .services.claims import mileage_amount
from .services.payees import payee_details_build
from .signals import notices_held_back

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
        _replies(meetings)
        _attendance_and_claims(rng, meetings)
        _payment_runs()
        _conversations()
        with notices_held_back():
            _sign_offs(panels[0], members)
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
    # Those paid by bank transfer gave their bank details: fictional numbers (sort code
    # 00-99-00 belongs to no bank), kept as the service keeps them.
    PayeeDetails.objects.bulk_create(
        [
            payee_details_build(
                details=PayeeDetails(user=profile.user),
                account_name=f"{profile.user.first_name} {profile.user.last_name}".strip(),
                sort_code="00-99-00",
                account_number=f"9000{position:04d}",
            )
            for position, profile in enumerate(profiles)
            if profile.payment_choice == PaymentChoice.PAID
        ],
        ignore_conflicts=True,
    )
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


APOLOGIES = (
    "Sorry, I have a hospital appointment that morning.",
    "Apologies: I'm looking after my grandson that week.",
    "I'm not feeling well enough at the moment. I'll read the notes.",
    "Sorry, no buses from my village that day.",
)


def _replies(meetings) -> None:
    """Replies to the meetings still to come: most coming, some maybe, a few apologies,
    and some not replied yet, so the lead's numbers and the attendance form have a story."""
    rng = random.Random(18)  # noqa: S311 - demo data, not security; its own, so the rest is unchanged
    now = timezone.now()
    members = {}
    for application in PanelApplication.objects.filter(
        status=PanelApplication.Status.ACCEPTED
    ).only("panel_id", "applicant_id"):
        members.setdefault(application.panel_id, []).append(application.applicant_id)
    rows = []
    for meeting in meetings:
        if meeting.is_cancelled or meeting.starts_at <= now:
            continue
        for member_id in members.get(meeting.panel_id, []):
            roll = rng.random()
            if roll < 0.5:
                answer, note = MeetingReply.Answer.COMING, ""
            elif roll < 0.65:
                answer, note = MeetingReply.Answer.MAYBE, rng.choice(["", "Depends how I feel."])
            elif roll < 0.8:
                answer, note = MeetingReply.Answer.NOT_COMING, rng.choice(("",) + APOLOGIES)
            else:
                continue
            rows.append(
                MeetingReply(
                    meeting=meeting,
                    member_id=member_id,
                    answer=answer,
                    note=note,
                    via=rng.choice([MeetingReply.Via.EMAIL, MeetingReply.Via.MY_SPACE]),
                )
            )
    MeetingReply.objects.bulk_create(rows)


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
    expenses += _mileage(rng, [c for c in claims if c.pk][1::4])
    Expense.objects.bulk_create(expenses)
    _decide_lines(lead)


def _mileage(rng, claims) -> list[Expense]:
    """Members who drove claim the miles, paid at their panel's organisation's rate."""
    rates = dict(PaymentPolicy.objects.values_list("organisation_id", "mileage_rate"))
    panels = {p.pk: p.organisation_id for p in Panel.objects.only("pk", "organisation_id")}
    journeys = [
        ("Drove from home to the meeting and back", "8.4"),
        ("Drove to the community centre and back", "12.5"),
        ("Drove in from the village and back", "23.0"),
    ]
    made = []
    for claim in claims:
        description, miles = rng.choice(journeys)
        rate = rates.get(panels[claim.panel_id], Decimal("0.45"))
        made.append(
            Expense(
                claim=claim,
                kind=Expense.Kind.MILEAGE,
                description=description,
                miles=Decimal(miles),
                mileage_rate=rate,
                amount=mileage_amount(Decimal(miles), rate),
            )
        )
    return made


def _decide_lines(lead) -> None:
    """Decided claims allowed each line in full, but one: Sam's latest approved claim (or
    another's) had a taxi home allowed only at the bus fare. Each approved amount is then
    the fee and what was allowed."""
    decided = InvolvementClaim.objects.filter(amount_approved__isnull=False)
    Expense.objects.filter(claim__in=decided).update(approved_amount=F("amount"))
    approved = decided.filter(status=InvolvementClaim.Status.APPROVED).order_by("-approved_at")
    claim = approved.filter(member__email=DEMO_MEMBER_EMAIL).first() or approved.first()
    if claim is not None:
        taxi = Expense(
            claim=claim,
            kind=Expense.Kind.TRAVEL,
            description="Taxi home after the meeting",
            amount=Decimal("18.00"),
            approved_amount=Decimal("4.80"),
            decision_reason="We pay for taxis when they are agreed before the meeting. We "
            "have paid what the bus home would have cost. Ask us next time and we can book "
            "one for you.",
        )
        taxi.receipt.save(f"taxi-{claim.pk}.pdf", ContentFile(_receipt_pdf()), save=False)
        taxi.save()
    for claim in decided.prefetch_related("expenses"):
        allowed = sum((e.approved_amount for e in claim.expenses.all()), Decimal("0"))
        claim.amount_approved = claim.fee + allowed
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


def _payment_runs() -> None:
    """Finance's organisation has paid its latest batch of claims in a payment run (approved,
    then the run built, its bank file downloaded, then paid a day later) and has an open run
    of the oldest claims waiting, with the rest left for the run builder."""
    finance = User.objects.filter(email="finance@example.org").select_related("organisation")
    finance = finance.first()
    if finance is None or finance.organisation is None:
        return
    ours = InvolvementClaim.objects.filter(panel__organisation=finance.organisation)
    paid = list(ours.filter(status=InvolvementClaim.Status.PAID).order_by("approved_at", "pk"))
    if paid:
        latest = paid[-1].approved_at
        batch = [c for c in paid if c.approved_at >= latest - timedelta(days=21)]
        built = latest + timedelta(days=2)
        paid_on = timezone.localdate(built + timedelta(days=1))
        run = _demo_run(finance, built, status=PaymentRun.Status.PAID, paid_on=paid_on)
        InvolvementClaim.objects.filter(pk__in=[c.pk for c in batch]).update(
            payment_run=run,
            paid_at=built + timedelta(days=1),
            paid_by=finance,
            payment_reference=run.reference,
        )
        _demo_history(run, finance, built, len(batch), paid_on=paid_on)
    with_details = set(PayeeDetails.objects.values_list("user_id", flat=True))
    waiting = [
        claim
        for claim in ours.filter(status=InvolvementClaim.Status.APPROVED)
        .exclude(member=finance)
        .order_by("approved_at", "pk")
        if not by_bank_transfer(claim) or claim.member_id in with_details
    ]
    chosen = waiting[: max(1, len(waiting) // 2)] if len(waiting) > 1 else []
    if chosen:
        built = timezone.now() - timedelta(days=1, hours=3)
        run = _demo_run(finance, built, status=PaymentRun.Status.OPEN)
        InvolvementClaim.objects.filter(pk__in=[c.pk for c in chosen]).update(payment_run=run)
        _demo_history(run, finance, built, len(chosen))


def _demo_run(finance, built, *, status, paid_on=None) -> PaymentRun:
    run = PaymentRun.objects.create(
        organisation=finance.organisation, status=status, created_by=finance, paid_on=paid_on
    )
    fields = {"created_at": built}
    if paid_on is not None:
        fields.update(
            bank_file_downloaded_at=built + timedelta(hours=1),
            bank_file_downloaded_by=finance,
            marked_paid_by=finance,
            marked_paid_at=built + timedelta(days=1, hours=2),
        )
    PaymentRun.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()
    return run


def _demo_history(run, finance, built, count, *, paid_on=None) -> None:
    """The run's "What has happened", dated as it happened."""
    steps = [
        (
            built,
            audit.audit_change,
            {"reason": f"Built payment run {run.reference} with {count} claims", "fields": []},
        )
    ]
    if paid_on is not None:
        steps += [
            (
                built + timedelta(hours=1),
                audit.audit_export,
                {
                    "reason": f"Downloaded the bank upload file of payment run {run.reference}",
                    "count": count,
                },
            ),
            (
                run.marked_paid_at,
                audit.audit_change,
                {
                    "reason": f"Marked payment run {run.reference} paid on {day_in_words(paid_on)}",
                    "fields": ["status", "paid_on"],
                },
            ),
        ]
    for when, record, kwargs in steps:
        entry = record(user=finance, instance=run, **kwargs)
        ModelLogEntry.objects.filter(pk=entry.pk).update(timestamp=when)


def _receipt_pdf() -> bytes:
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(220, 300))
    pdf.setFont("Helvetica", 11)
    for number, line in enumerate(["Northdale Buses", "Day rider", "£4.80", "Thank you"]):
        pdf.drawString(20, 260 - number * 20, line)
    pdf.save()
    return buffer.getvalue()


# --- Sign-off by the panel ----------------------------------------------------------------------


def _sign_offs(panel: Panel, members: list[User]) -> None:
    """Two changes the crisis café panel worked on: one its members signed off three weeks
    ago, published since, and one waiting for them now, agreed by one member so far (Sam,
    the demo member, has still to answer it)."""
    from wagtail.models import TaskState, Workflow

    from .factories import service_changes_index
    from .models import PanelMemberSignOff, ServiceChangePage, ServiceChangeUpdate
    from .models.changes import SIGN_OFF_WORKFLOW_NAME

    workflow = Workflow.objects.filter(name=SIGN_OFF_WORKFLOW_NAME, active=True).first()
    facilitator = panel.facilitators.first()
    author = User.objects.filter(email="editor@example.org").first()
    if workflow is None or facilitator is None:
        return
    on_panel = list(
        User.objects.filter(
            pk__in=PanelApplication.objects.filter(
                panel=panel, status=PanelApplication.Status.ACCEPTED
            ).values("applicant_id")
        ).order_by("pk")
    )
    # Sam (the demo member, first of ``members``) is left to answer the waiting change.
    others = [person for person in on_panel if person != members[0]]
    if len(others) < 4:
        return
    now = timezone.now()
    index = service_changes_index()

    def submitted(title, slug, said, changed, recommendation, days_ago):
        page = ServiceChangePage(
            title=title,
            slug=slug,
            live=False,
            owner=author,
            panel=panel,
            status=ServiceChangePage.Status.PLANNED,
            what_people_said=said,
            what_changed=changed,
            coproduction_level=panel.coproduction_level,
        )
        page.offers = list(panel.offers.all())
        page.recommendations = [PanelRecommendation(text=recommendation)]
        page.updates = [
            ServiceChangeUpdate(
                date=(now - timedelta(days=days_ago)).date(),
                status=ServiceChangePage.Status.PLANNED,
                note="Agreed with the crisis café panel.",
            )
        ]
        index.add_child(instance=page)
        revision = page.save_revision(user=author)
        workflow.start(page, author)
        when = now - timedelta(days=days_ago)
        type(revision).objects.filter(pk=revision.pk).update(created_at=when)
        revision.refresh_from_db()
        return page, revision

    def agreed(page, revision, person, days_ago, comment=""):
        answer = PanelMemberSignOff.objects.create(
            page=page,
            revision=revision,
            member=person,
            decision=PanelMemberSignOff.Decision.AGREE,
            comment=comment,
        )
        PanelMemberSignOff.objects.filter(pk=answer.pk).update(
            created_at=now - timedelta(days=days_ago)
        )

    # Signed off and published three weeks ago.
    page, revision = submitted(
        "A quiet room at the crisis café",
        "quiet-room-crisis-cafe",
        "<p>People told us the café can be loud and busy, and that waiting in the main room "
        "when you are distressed makes things worse.</p>",
        "<p>We will turn the old office into a quiet room, with soft lighting and a door "
        "that closes, for anyone who needs space while they wait to talk to someone.</p>",
        "Offer a quiet space away from the main room.",
        days_ago=24,
    )
    agreed(page, revision, others[0], 22, "This is exactly what we asked for.")
    agreed(page, revision, others[1], 21)
    agreed(page, revision, others[2], 21)
    task_state = TaskState.objects.get(
        workflow_state__object_id=str(page.pk), status=TaskState.STATUS_IN_PROGRESS
    )
    task_state.task.specific.on_action(task_state, facilitator, "sign_off")
    signed_off_at = now - timedelta(days=20)
    TaskState.objects.filter(pk=task_state.pk).update(finished_at=signed_off_at)
    ServiceChangePage.objects.filter(pk=page.pk).update(
        first_published_at=signed_off_at, last_published_at=signed_off_at
    )

    # Waiting for the panel now: one member agreed; Sam and the others have still to answer.
    page, revision = submitted(
        "Crisis café open until 11pm on Fridays",
        "crisis-cafe-open-later-fridays",
        "<p>People said Friday nights are the hardest, and the café closes just when they "
        "need it most.</p>",
        "<p>From the new year the café will stay open until 11pm on Fridays, with a peer "
        "support worker on every shift.</p>",
        "Open later on Fridays, with peer support on every shift.",
        days_ago=3,
    )
    agreed(page, revision, others[3], 1)


# --- Messages to the panel's lead and finance ----------------------------------------------------


def _conversation(*, member, about, to, subject, messages, closed=False) -> None:
    """One conversation about ``about`` (a claim or a meeting) with its ``messages``, each
    (author, sent at, words, read by the other side), dated as they would have been."""
    from .models import Conversation, ConversationMessage

    conversation = Conversation.objects.create(
        member=member,
        to=to,
        organisation_id=about.panel.organisation_id,
        panel=about.panel,
        claim=about if isinstance(about, InvolvementClaim) else None,
        meeting=about if isinstance(about, Meeting) else None,
        subject=subject,
        last_message_at=messages[-1][1],
        waiting_for_staff=messages[-1][0] == member and not closed,
        closed_at=messages[-1][1] + timedelta(minutes=5) if closed else None,
    )
    for author, sent_at, words, read in messages:
        made = ConversationMessage.objects.create(
            conversation=conversation, author=author, from_staff=author != member, body=words
        )
        ConversationMessage.objects.filter(pk=made.pk).update(
            sent_at=sent_at, read_at=sent_at + timedelta(hours=3) if read else None
        )
    Conversation.objects.filter(pk=conversation.pk).update(started_at=messages[0][1])


def _conversations() -> None:
    """The demo member's messages: one to finance about a paid claim, answered and closed;
    one to the lead about a past meeting, answered with a reply not yet read; one about the
    next meeting, waiting. Two other members' messages wait in the lead's inbox too."""
    from .models import Conversation

    now = timezone.now()
    lead = User.objects.filter(email=DEMO_LEAD_EMAIL).first()
    finance = User.objects.filter(email="finance@example.org").first()
    member = User.objects.filter(email=DEMO_MEMBER_EMAIL).first()
    if lead is None or member is None:
        return
    mine = PanelApplication.objects.filter(
        applicant=member,
        status=PanelApplication.Status.ACCEPTED,
        panel__in=Panel.objects.filter(facilitators=lead),
    ).values("panel_id")
    meetings = Meeting.objects.filter(panel_id__in=mine, status=Meeting.Status.SCHEDULED)
    past = meetings.filter(ends_at__lt=now).order_by("-starts_at").first()
    coming = meetings.filter(starts_at__gt=now).select_related("panel").order_by("starts_at")
    coming = coming.first()
    paid = (
        InvolvementClaim.objects.filter(member=member, status=InvolvementClaim.Status.PAID)
        .exclude(paid_at=None)
        .select_related("panel")
        .order_by("-paid_at")
        .first()
    )
    if paid is not None and finance is not None:
        asked = paid.paid_at - timedelta(days=4)
        _conversation(
            member=member,
            about=paid,
            to=Conversation.To.FINANCE,
            subject=f"When will claim {paid.reference} be paid?",
            messages=[
                (
                    member,
                    asked,
                    "Hello, my claim was approved last week. Do you know when the money will "
                    "arrive? I need to plan for my rent.",
                    True,
                ),
                (
                    finance,
                    asked + timedelta(days=1, hours=2),
                    "Hello, thank you for asking. Your claim is in this week's payment run, so "
                    "it should be in your account within 3 working days. We will email you "
                    "when it is paid.",
                    True,
                ),
            ],
            closed=True,
        )
    if past is not None:
        wrote = past.ends_at + timedelta(days=1, hours=3)
        _conversation(
            member=member,
            about=past,
            to=Conversation.To.LEAD,
            subject=f"Notes from {past.title}",
            messages=[
                (
                    member,
                    wrote,
                    "Hi, I had to leave early. Could I have the notes from the second half, in "
                    "large print if possible?",
                    True,
                ),
                (
                    lead,
                    wrote + timedelta(hours=20),
                    "Of course. I have added the notes to the meeting's papers, and I will post "
                    "you a large print copy today.",
                    False,
                ),
            ],
        )
    if coming is None:
        return
    _conversation(
        member=member,
        about=coming,
        to=Conversation.To.LEAD,
        subject=f"Hearing loop at {coming.title}",
        messages=[
            (
                member,
                now - timedelta(hours=5),
                "Will there be a hearing loop in the room? I could not hear everyone last time.",
                False,
            )
        ],
    )
    others = (
        PanelApplication.objects.filter(
            panel_id=coming.panel_id, status=PanelApplication.Status.ACCEPTED
        )
        .exclude(applicant=member)
        .select_related("applicant")
        .order_by("pk")[:2]
    )
    words = (
        "Could someone meet me at the station? The walk from there is hard for me.",
        "My bus may make me 15 minutes late. Is that all right?",
    )
    for days, (application, said) in enumerate(zip(others, words, strict=False), start=1):
        _conversation(
            member=application.applicant,
            about=coming,
            to=Conversation.To.LEAD,
            subject=f"Getting to {coming.title}",
            messages=[(application.applicant, now - timedelta(days=days), said, False)],
        )
