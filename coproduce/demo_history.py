"""Years of involvement at the two demo organisations that keep a Lived Experience Charter
(the Northdale trust and Mind in Northdale): a reference group each that meets every month
with its members' involvement claims (submitted, approved and paid), feedback on each
organisation's offers with the answers given, and the "You said, we did" changes each
published, at their level on the ladder of co-production.

It is the history the charter's computed measures are worked out from, so it is shaped like
real practice: from the day the organisations adopted their charters (``since``) the
Northdale trust pays faster, answers feedback sooner and co-produces more of its changes,
while Mind in Northdale changes little. Every date follows from the one before it: a claim
is submitted after the meeting and paid after it was approved, feedback is answered after
it was given and read; anything that would fall after ``now`` has not happened yet.

Deterministic (a seeded random) and idempotent: it does nothing once its first reference
group exists. Rows are written in bulk, and the changes are added as already published
(without a revision each), so it loads in a second or two and emails nobody.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.search.backends import get_search_backends

from cms.demo_shapes import Steady, Trend
from cms.models import OfferPage, Organisation, User
from cms.roles import Role

from .choices import CoproductionLevel, PaymentChoice
from .consent import STATEMENTS, ConsentPurpose
from .demo import DEMO_LEAD_EMAIL, NORTHDALE_TRUST
from .demo_feedback import RESPONSES, texts_for_rating
from .factories import service_changes_index
from .models import (
    Attendance,
    ConsentRecord,
    Feedback,
    InvolvementClaim,
    InvolvementProfile,
    Meeting,
    Panel,
    PanelApplication,
    ServiceChangePage,
    ServiceChangeUpdate,
    Theme,
)
from .services.feedback_totals import feedback_totals_rebuild

MIND = "Mind in Northdale"
DEMO_PASSWORD = "lived-experience-demo"  # noqa: S105 - published with the demo
FINANCE_EMAIL = "finance@example.org"
PAID_WITHIN_DAYS = 30  # what members were promised; the charter measures it
Level = CoproductionLevel


@dataclass(frozen=True)
class History:
    organisation: str
    slug: str
    group: str  # the reference group's title
    purpose: str
    level: int
    rate: str
    paid_on_time: Trend
    feedback_a_quarter: tuple[int, int]
    answered_on_time: Trend
    changes_a_quarter: tuple[int, int]
    co_designed: Trend  # the share of its own changes at co-design or co-production


HISTORIES = (
    History(
        organisation=NORTHDALE_TRUST,
        slug="northdale",
        group="Service user and carer reference group",
        purpose="Meets every month to look at how the trust's services work for the people "
        "who use them, and to shape changes before they are made.",
        level=Level.CO_PRODUCTION,
        rate="20.00",
        paid_on_time=Trend(0.55, 0.96),
        feedback_a_quarter=(14, 20),
        answered_on_time=Trend(0.5, 0.92),
        changes_a_quarter=(2, 4),
        co_designed=Trend(0.35, 0.9),
    ),
    History(
        organisation=MIND,
        slug="mind",
        group="Members' voice group",
        purpose="Members who use Mind in Northdale's groups meet every month to say what is "
        "working and what should change.",
        level=Level.ENGAGEMENT,
        rate="12.00",
        paid_on_time=Trend(0.7, 0.74),
        feedback_a_quarter=(10, 15),
        answered_on_time=Trend(0.62, 0.66),
        changes_a_quarter=(1, 3),
        co_designed=Trend(0.3, 0.4),
    ),
)
MEMBERS_PER_GROUP = 10
JOINT_CHANGES_A_QUARTER = 3  # changes touching offers of both organisations

FIRST_NAMES = [
    "Ade", "Bronwen", "Cal", "Dina", "Eamon", "Farah", "Gethin", "Hollie", "Idris", "Jas",
    "Kemi", "Lorna", "Mo", "Nell", "Osman", "Pia", "Rhys", "Sana", "Tom", "Val",
]  # fmt: skip
LAST_NAMES = ["Akande", "Bowen", "Cole", "Dar", "Ellery", "Finch", "Gale", "Hart", "Ince"]

# What a change was about: (title, what people said, what changed, themes). "{offer}" is
# the offer's name.
CHANGE_KINDS = [
    (
        "{offer}: appointments in the evening",
        "People told us they could not come in working hours without losing pay.",
        "{offer} now offers appointments until 8pm two evenings a week.",
        ("Getting there and opening hours",),
    ),
    (
        "{offer}: letters in plain English",
        "People said our letters were full of jargon and did not say what would happen.",
        "Letters from {offer} were rewritten with the reference group, in plain English, "
        "with easy read and BSL versions.",
        ("Information and letters",),
    ),
    (
        "{offer}: a text when your referral arrives",
        "People did not know whether their referral had arrived, or how long they would wait.",
        "{offer} now sends a text when a referral arrives, with an honest idea of the wait.",
        ("Waiting times", "Information and letters"),
    ),
    (
        "{offer}: a quiet room to wait in",
        "People said the waiting area was loud and bright, and some left before being seen.",
        "{offer} has a quiet room to wait in; ask at reception or tell us when you book.",
        ("Access and accessibility",),
    ),
    (
        "{offer}: tell your story once",
        "People were asked the same questions by every worker they saw.",
        "{offer} now shares what you told us (with your agreement), so you tell it once.",
        ("Moving between services", "Being listened to"),
    ),
    (
        "{offer}: carers invited to planning meetings",
        "Carers told us they were left out, even when the person they care for wanted them there.",
        "With the person's agreement, carers are invited to planning meetings at {offer} and "
        "get a copy of the plan.",
        ("Family and carers",),
    ),
    (
        "{offer}: a peer supporter at the first visit",
        "People said the first visit was frightening and they did not know what to expect.",
        "A peer supporter now meets people at their first visit to {offer}.",
        ("Peer support", "Kindness and respect"),
    ),
    (
        "{offer}: money and housing questions asked early",
        "People said nobody asked whether money or housing worries were part of the problem.",
        "{offer} now asks about money and housing at the start, and can book an adviser.",
        ("Money, housing and work",),
    ),
    (
        "{offer}: a follow-up call after a crisis",
        "People told us nobody followed up after a crisis.",
        "{offer} now rings everyone within two days of a crisis contact.",
        ("Crisis support",),
    ),
]
BELOW_CO_DESIGN = [Level.INFORMING, Level.CONSULTATION, Level.CONSULTATION, Level.ENGAGEMENT]


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def history_start(since: date) -> date:
    """The first day of the history: the start of the quarter before ``since``, so the
    charter has a baseline from before it was adopted."""
    return _quarter_start(_months_before(since, 3))


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def load_involvement_history(
    *, since: date, now: datetime | None = None, password: str = ""
) -> dict[str, int]:
    """Load the history once; returns how many claims, feedback and changes it made.
    ``password`` is the demo password already hashed, if the caller has it (hashing is slow)."""
    now = now or timezone.now()
    password = password or make_password(DEMO_PASSWORD)
    titles = [history.group for history in HISTORIES]
    if Panel.objects.filter(title__in=titles).exists():
        return {"claims": 0, "feedback": 0, "changes": 0}
    organisations = {
        o.name: o for o in Organisation.objects.filter(name__in=[h.organisation for h in HISTORIES])
    }
    if len(organisations) < len(HISTORIES):
        return {"claims": 0, "feedback": 0, "changes": 0}  # the site shell's demo comes first
    offers = {
        name: list(OfferPage.objects.live().filter(provider=organisation).order_by("title", "pk"))
        for name, organisation in organisations.items()
    }
    people = {
        "lead": User.objects.filter(email=DEMO_LEAD_EMAIL).first(),
        "finance": User.objects.filter(email=FINANCE_EMAIL).first(),
    }
    made = {"claims": 0, "feedback": 0, "changes": 0}
    with transaction.atomic():
        panels = {}
        for history in HISTORIES:
            rng = random.Random(f"involvement-history-{history.slug}")  # noqa: S311 - demo data
            organisation = organisations[history.organisation]
            lead = (
                people["lead"]
                if people["lead"] and people["lead"].organisation_id == (organisation.pk)
                else None
            )
            panel = _panel(history, organisation, offers[history.organisation], lead, since)
            panels[history.organisation] = panel
            members = _members(history, panel, since, password)
            made["claims"] += _meetings_and_claims(
                rng, history, panel, members, since, now, lead, people["finance"]
            )
            made["feedback"] += _feedback(
                rng, history, organisation, offers[history.organisation], since, now, lead
            )
        made["changes"] = _changes(offers, panels, since, now)
        # Written in bulk, so the trends' monthly totals are counted by hand.
        feedback_totals_rebuild(organisations=[o.pk for o in organisations.values()])
    return made


# --- The reference groups, their members, meetings and claims -------------------------------


def _panel(history: History, organisation, offers, lead, since: date) -> Panel:
    panel = Panel.objects.create(
        organisation=organisation,
        title=history.group,
        purpose=history.purpose,
        status=Panel.Status.ACTIVE,
        seats=MEMBERS_PER_GROUP,
        who_is_sought="People who use our services, and their carers.",
        coproduction_level=history.level,
        hourly_rate=Decimal(history.rate),
        time_commitment="2 hours a month",
    )
    Panel.objects.filter(pk=panel.pk).update(created_at=_at(history_start(since)))
    panel.offers.add(*offers[:2])
    if lead:
        panel.facilitators.add(lead)
    return panel


def _members(history: History, panel: Panel, since: date, password: str) -> list[User]:
    joined = _at(history_start(since) - timedelta(days=20))
    rows = [
        User(
            email=f"voice.{history.slug}{number:02d}@example.org",
            first_name=FIRST_NAMES[(number * 3 + len(history.slug)) % len(FIRST_NAMES)],
            last_name=LAST_NAMES[(number * 2 + len(history.slug)) % len(LAST_NAMES)],
            password=password,
        )
        for number in range(1, MEMBERS_PER_GROUP + 1)
    ]
    User.objects.bulk_create(rows)
    members = list(User.objects.filter(email__in=[m.email for m in rows]).order_by("email"))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=m, email=m.email, verified=True, primary=True) for m in members
    )
    Group.objects.get(name=Role.MEMBER.value).user_set.add(*members)
    InvolvementProfile.objects.bulk_create(
        InvolvementProfile(
            user=m,
            display_name=m.first_name,
            payment_choice=PaymentChoice.VOUCHER if n % 4 == 3 else PaymentChoice.PAID,
        )
        for n, m in enumerate(members)
    )
    statement = STATEMENTS[ConsentPurpose.INVOLVEMENT]
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            user=m,
            purpose=ConsentPurpose.INVOLVEMENT,
            version=statement.version,
            statement=statement.text,
            given_at=joined - timedelta(days=5),
        )
        for m in members
    )
    PanelApplication.objects.bulk_create(
        PanelApplication(
            panel=panel,
            applicant=m,
            statement="I use these services and want them to work better for people like me.",
            status=PanelApplication.Status.ACCEPTED,
            decided_at=joined,
        )
        for m in members
    )
    return members


def _meetings_and_claims(rng, history, panel, members, since, now, lead, finance) -> int:
    """A meeting on the second Tuesday of every month, and a claim for every member who
    came, moved along as far as it had got by ``now``."""
    choices = dict(
        InvolvementProfile.objects.filter(user__in=members).values_list("user_id", "payment_choice")
    )
    meetings = []
    month = history_start(since)
    while True:
        day = month + timedelta(days=(1 - month.weekday()) % 7 + 7)  # the second Tuesday
        starts = _at(day, hour=14)
        if starts + timedelta(days=3) > now:
            break
        meetings.append(
            Meeting(
                panel=panel,
                title=f"{history.group}: {day:%B %Y}",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                mode=Meeting.Mode.HYBRID,
                location="The Light House, 12 Market Street, Northdale NL1 2AB",
                joining_link=f"https://meet.example.org/{panel.slug}",
                agenda="Welcome and check-in.\nWhat we heard since last time.\n"
                "What the organisation has done about it.\nClose and expenses.",
                status=Meeting.Status.SCHEDULED,
            )
        )
        month = _months_before(month, -1)
    meetings = Meeting.objects.bulk_create(meetings)
    attendances = []
    for meeting in meetings:
        for member in members:
            came = rng.random() < 0.8
            attendances.append(
                Attendance(
                    meeting=meeting,
                    member=member,
                    status=Attendance.Status.ATTENDED if came else Attendance.Status.APOLOGIES,
                    hours=Decimal("2.00") if came else None,
                    recorded_by=lead,
                )
            )
    attendances = Attendance.objects.bulk_create(attendances)
    claims, paid_on_time = [], Steady(rng)
    for attendance in attendances:
        if attendance.status != Attendance.Status.ATTENDED:
            continue
        ended = attendance.meeting.ends_at
        claim = InvolvementClaim(
            attendance=attendance,
            member=attendance.member,
            panel=panel,
            hours=attendance.hours,
            hourly_rate=panel.hourly_rate,
            payment_choice=choices.get(attendance.member_id, PaymentChoice.PAID),
            status=InvolvementClaim.Status.SUBMITTED,
            submitted_at=ended + timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 6)),
        )
        approved_after = rng.randint(2, 8)
        approved = claim.submitted_at + timedelta(days=approved_after)
        on_time = paid_on_time(history.paid_on_time.at(ended.date(), since))
        paid = claim.submitted_at + timedelta(
            days=rng.randint(approved_after + 2, PAID_WITHIN_DAYS - 2)
            if on_time
            else rng.randint(PAID_WITHIN_DAYS + 2, 65)
        )
        if approved <= now:
            claim.status = InvolvementClaim.Status.APPROVED
            claim.approved_at = approved
            claim.approved_by = lead
            claim.amount_approved = claim.fee
        if approved <= now and paid <= now:
            claim.status = InvolvementClaim.Status.PAID
            claim.paid_at = paid
            claim.paid_by = finance
            claim.payment_reference = f"BACS-{history.slug[:1].upper()}{len(claims) + 1:05d}"
        claims.append(claim)
    InvolvementClaim.objects.bulk_create(claims)
    return len(claims)


# --- Feedback on the organisation's offers -----------------------------------------------------


def _feedback(rng, history, organisation, offers, since, now, lead) -> int:
    """Feedback each quarter on the organisation's offers, read and answered (or not) as
    the organisation then did."""
    if not offers:
        return 0
    themes = list(Theme.objects.filter(name__in=RESPONSES).order_by("sort_order", "name"))
    rows, row_themes, answered_on_time = [], [], Steady(rng)
    quarter = history_start(since)
    today = timezone.localdate(now)
    while quarter <= today:
        for _ in range(rng.randint(*history.feedback_a_quarter)):
            given = _at(quarter + timedelta(days=rng.randint(0, 89)), hour=rng.randint(8, 21))
            if given > now - timedelta(days=1):
                continue
            chosen = rng.sample(themes, k=rng.choice([1, 1, 2]))
            rating = rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5])
            went_well, could_be_better = texts_for_rating(rng, [t.name for t in chosen], rating)
            offer = offers[rng.randrange(len(offers))]
            item = Feedback(
                offer=offer,
                offer_title=offer.title,
                organisation=organisation,
                source=Feedback.Source.PUBLIC,
                went_well=went_well,
                could_be_better=could_be_better,
                rating=rating,
                felt_listened_to=Feedback.Listened.YES if rating >= 4 else Feedback.Listened.PARTLY,
                created_at=given,
                status=Feedback.Status.NEW,
            )
            triaged = given + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5))
            if triaged <= now:
                item.status = Feedback.Status.TRIAGED
                item.triaged_at = triaged
            # About 26 calendar days is 20 working days.
            on_time = answered_on_time(history.answered_on_time.at(given.date(), since))
            answered = triaged + timedelta(
                days=rng.randint(1, 20) if on_time else rng.randint(32, 60)
            )
            if item.triaged_at and answered <= now:
                item.status = Feedback.Status.RESPONDED
                item.public_response = RESPONSES[chosen[0].name]
                item.responded_at = answered
                item.responded_by = lead
            rows.append(item)
            row_themes.append(chosen)
        quarter = _months_before(quarter, -3)
    given = [item.created_at for item in rows]
    Feedback.objects.bulk_create(rows)
    # Inserting stamps created_at with the time now (auto_now_add); put back when each was
    # given.
    for item, when in zip(rows, given, strict=True):
        item.created_at = when
    Feedback.objects.bulk_update(rows, ["created_at"], batch_size=200)
    Through = Feedback.themes.through
    Through.objects.bulk_create(
        Through(feedback_id=item.pk, theme_id=theme.pk)
        for item, chosen in zip(rows, row_themes, strict=True)
        for theme in chosen
    )
    for backend in get_search_backends():
        backend.add_bulk(Feedback, rows)
    return len(rows)


# --- "You said, we did" ---------------------------------------------------------------------


def _changes(offers, panels, since, now) -> int:
    """Each quarter, changes of each organisation's own and a few made together (touching
    offers of both), published on a day in the quarter and followed through to done."""
    index = service_changes_index()
    themes = {theme.name: theme for theme in Theme.objects.all()}
    rng = random.Random("involvement-history-changes")  # noqa: S311 - demo data
    today = timezone.localdate(now)
    names = [history.organisation for history in HISTORIES]
    joint = (tuple(names), Trend(0.5, 0.6), Steady(rng))
    kinds = [
        (tuple([n]), h.co_designed, Steady(rng)) for n, h in zip(names, HISTORIES, strict=True)
    ]
    # Every change is a different one: a kind of change to an offer (or to one offer of
    # each organisation, for a change made together), in an order of its own.
    ideas = {}
    for who, _trend, _steady in [*kinds, joint]:
        offer_sets = [[]]
        for name in who:
            offer_sets = [[*chosen, offer] for chosen in offer_sets for offer in offers[name]]
        ideas[who] = [(kind, tuple(o)) for kind in CHANGE_KINDS for o in offer_sets]
        rng.shuffle(ideas[who])
    made = 0
    quarter = history_start(since)
    while quarter <= today:
        plans = [
            plan
            for plan, history in zip(kinds, HISTORIES, strict=True)
            for _ in range(rng.randint(*history.changes_a_quarter))
        ]
        plans += [joint] * JOINT_CHANGES_A_QUARTER
        for who, trend, steady in plans:
            published = quarter + timedelta(days=rng.randint(0, 89))
            if published > today - timedelta(days=1) or not ideas[who]:
                continue
            (title, said, changed, kind_themes), touched = ideas[who].pop()
            offer_names = " and ".join(offer.title for offer in touched)
            title = title.format(offer=offer_names)
            level = (
                rng.choice([Level.CO_DESIGN, Level.CO_PRODUCTION])
                if steady(trend.at(published, since))
                else rng.choice(BELOW_CO_DESIGN)
            )
            steps = [
                (published, ServiceChangePage.Status.PLANNED, "Agreed with the people who told us.")
            ]
            for days, status, note in (
                (rng.randint(30, 70), ServiceChangePage.Status.IN_PROGRESS, "Work has started."),
                (
                    rng.randint(90, 160),
                    ServiceChangePage.Status.DONE,
                    "Done, and checked with the reference group.",
                ),
            ):
                if published + timedelta(days=days) < today:
                    steps.append((published + timedelta(days=days), status, note))
            page = ServiceChangePage(
                title=title,
                slug=slugify(title)[:255],
                live=True,
                first_published_at=_at(published),
                last_published_at=_at(steps[-1][0]),
                status=steps[-1][1],
                what_people_said=f"<p>{said}</p>",
                what_changed=f"<p>{changed.format(offer=offer_names)}</p>",
                panel=panels[who[0]] if level >= Level.CO_DESIGN else None,
                coproduction_level=level,
            )
            page.offers = list(touched)
            page.themes = [themes[name] for name in kind_themes if name in themes]
            page.updates = [
                ServiceChangeUpdate(date=day, status=status, note=note)
                for day, status, note in steps
            ]
            index.add_child(instance=page)
            made += 1
        quarter = _months_before(quarter, -3)
    return made
