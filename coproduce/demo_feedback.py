"""Feedback and "You said, we did" for the demo partnership: 14 published service changes
under a published index, with dated timelines, the offers they touched and the panels that
co-produced them; and 540 pieces of feedback over 18 months across the offers and themes,
in every state of moderation, linked to the changes that answered them.

The feedback is believable rather than random words: what people say matches the theme
and the rating, some of it names people or gives a phone number (flagged for the
moderator by the same check the feedback form uses, and redacted in the published quote),
some is hidden with a reason, some came from the public, some from members, some written
down by a peer worker.

Deterministic (a seeded random, dates counted back from today) and idempotent: it does
nothing once its first service change exists. The feedback is written in bulk, so it loads
in a second or two. Pages are published before any feedback is linked to them, and the
members whose feedback is linked are recorded as already told, so loading the demo sends
nobody an email.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page
from wagtail.search.backends import get_search_backends

from cms.factories import add_page
from cms.models import OfferPage, User
from cms.personal_details import personal_details_in

from .choices import CoproductionLevel
from .demo import DEMO_LEAD_EMAIL, DEMO_MEMBER_EMAIL
from .factories import service_changes_index
from .models import (
    Feedback,
    Panel,
    PanelRecommendation,
    ServiceChangeNotice,
    ServiceChangePage,
    ServiceChangeUpdate,
    Theme,
)
from .services.feedback_totals import feedback_totals_rebuild

FEEDBACK_COUNT = 540
MONTHS = 18
DAYS = MONTHS * 365 // 12
DEMO_PEER_EMAIL = "peer@example.org"

Status = Feedback.Status
Source = Feedback.Source
PLANNED, IN_PROGRESS, DONE = (s.value for s in ServiceChangePage.Status)

# --- The service changes ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoChange:
    title: str
    slug: str
    offers: tuple[str, ...]
    panel: str | None
    themes: tuple[str, ...]
    # (days ago, status, note), oldest first; the last one is the change's status now.
    timeline: tuple[tuple[int, str, str], ...]
    said: str
    changed: str
    recommendations: tuple[str, ...] = ()
    level: int | None = None  # the panel's level when None

    @property
    def status(self) -> str:
        return self.timeline[-1][1]


CHANGES = [
    DemoChange(
        "Clearer signs and a map to the Crisis Café",
        "clearer-signs-to-the-crisis-cafe",
        ("Open Door Crisis Café",),
        "Crisis café redesign",
        ("Getting there and opening hours", "Information and letters"),
        (
            (400, PLANNED, "The panel walked the route from the bus station."),
            (330, IN_PROGRESS, "New signs ordered; the map is on the website."),
            (270, DONE, "Signs are up at the bus station, the car park and the door."),
        ),
        "People told us the café was hard to find in the dark, and that they turned back "
        "at the door because they were not sure it was the right place.",
        "There are lit signs from the bus station and the car park, a photo of the door on "
        "our website, and a map you can print. The door has a window so you can see in.",
        (
            "Put signs where people get off the bus, not only at the door.",
            "Show a photo of the entrance on the website.",
        ),
    ),
    DemoChange(
        "The Crisis Café opens at 4pm on Sundays",
        "crisis-cafe-sunday-afternoons",
        ("Open Door Crisis Café", "Northdale Safe Haven"),
        "Crisis café redesign",
        ("Getting there and opening hours", "Crisis support"),
        (
            (200, PLANNED, "Agreed with the panel and the volunteers."),
            (90, IN_PROGRESS, "Recruiting two more peer supporters for Sundays."),
        ),
        "Sunday afternoons were the hardest time for many people, and nothing was open "
        "until the evening.",
        "From the spring, the café will open at 4pm on Sundays. Until then, Northdale Safe "
        "Haven opens an hour earlier on Sundays.",
        ("Open earlier on Sundays, when people feel most alone.",),
    ),
    DemoChange(
        "A peer supporter greets everyone who arrives",
        "peer-supporter-greets-everyone",
        ("Open Door Crisis Café",),
        "Crisis café redesign",
        ("Peer support", "Kindness and respect", "Being listened to"),
        (
            (480, PLANNED, ""),
            (420, IN_PROGRESS, "Peer supporters trained in welcoming people."),
            (360, DONE, "Every session now has a named greeter."),
        ),
        "People said that waiting alone at the door, not knowing who to speak to, made a "
        "bad night worse.",
        "Every session has a peer supporter whose only job is to welcome people, offer a "
        "drink and explain what happens next. You will not be asked to fill in a form first.",
        ("Someone with lived experience should be the first face people see.",),
    ),
    DemoChange(
        "One phone number for community mental health teams",
        "one-number-for-community-teams",
        ("Community mental health team North", "Community mental health team South"),
        "Community mental health front door",
        ("Moving between services", "Waiting times"),
        ((40, PLANNED, "The panel is designing what happens when you call."),),
        "People were passed between teams and told to ring a different number each time.",
        "There will be one number for both community teams, answered by someone who can "
        "book you in, whichever team you need.",
        (
            "One number, answered by a person, not a menu.",
            "Nobody should have to tell their story twice.",
        ),
    ),
    DemoChange(
        "A text message to say we have your referral",
        "text-when-referral-arrives",
        ("Talking therapies Northdale",),
        "Community mental health front door",
        ("Waiting times", "Information and letters"),
        (
            (150, PLANNED, ""),
            (60, IN_PROGRESS, "Testing the messages with the panel."),
        ),
        "People did not know whether their GP's referral had arrived, and some waited "
        "weeks before ringing to check.",
        "When your referral arrives, we will send a text message within two working days, "
        "saying what happens next and how long the wait is likely to be.",
        ("Tell people how long the wait is likely to be, honestly.",),
    ),
    DemoChange(
        "Appointment letters in easy read and BSL video",
        "easy-read-and-bsl-letters",
        (
            "Community mental health team North",
            "Talking therapies Northdale",
            "BSL wellbeing sessions",
        ),
        "Easy read letters panel",
        ("Information and letters", "Access and accessibility"),
        (
            (240, PLANNED, ""),
            (120, IN_PROGRESS, "The first six letters are rewritten and filmed in BSL."),
        ),
        "Letters were long and full of jargon, and Deaf people could not read them in their "
        "own language.",
        "Appointment letters are being rewritten in plain English, with an easy read version "
        "and a short British Sign Language video you open from a link in the letter.",
        (
            "Put the date, time and place at the top of every letter.",
            "Offer every letter as a BSL video.",
        ),
    ),
    DemoChange(
        "BSL interpreters booked before you ask",
        "bsl-interpreters-booked-ahead",
        ("Deaf peer support group", "BSL wellbeing sessions"),
        "Easy read letters panel",
        ("Access and accessibility",),
        (
            (500, PLANNED, ""),
            (430, IN_PROGRESS, "Interpreter needs now recorded once, on your file."),
            (300, DONE, "Interpreters are booked automatically for every appointment."),
        ),
        "Deaf people had to ask for an interpreter for every appointment, and sometimes "
        "arrived to find nobody booked.",
        "If you tell us once that you need a BSL interpreter, one is booked for every "
        "appointment, and the letter says who it will be.",
        ("Ask once, and remember.",),
    ),
    DemoChange(
        "Debt advice at the Talking Therapies clinic",
        "debt-advice-at-talking-therapies",
        ("Debt advice clinic", "Money and mental health service", "Talking therapies Southmoor"),
        "Money worries and mental health",
        ("Money, housing and work", "Moving between services"),
        ((25, PLANNED, "A pilot in two clinics is being agreed."),),
        "People said their money worries and their mental health were the same problem, but "
        "they had to tell two services in two places.",
        "A debt adviser will be at the Talking Therapies clinic on Tuesdays, so you can see "
        "both on the same day, in the same building.",
        ("See money advice and talking therapy in one place.",),
    ),
    DemoChange(
        "A named worker when you turn 18",
        "named-worker-at-eighteen",
        ("Early intervention in psychosis", "Community mental health team South"),
        "Young people moving to adult services",
        ("Moving between services", "Family and carers"),
        (
            (300, PLANNED, ""),
            (150, IN_PROGRESS, "Named workers are in place for young people turning 18 this year."),
        ),
        "Young people felt dropped at 18: a new team, new faces, and nobody who knew them.",
        "Six months before your 18th birthday, you will meet a named worker from the adult "
        "team, who stays with you for your first year. Your family can come to the meetings.",
        (
            "Start the move six months before, not on the birthday.",
            "Keep one person the same through the move.",
        ),
    ),
    DemoChange(
        "A first-week plan when you leave hospital",
        "first-week-plan-after-hospital",
        ("Crisis resolution and home treatment team", "Community mental health team South"),
        "Leaving hospital well",
        ("Family and carers", "Crisis support"),
        (
            (520, PLANNED, ""),
            (450, IN_PROGRESS, "The plan was written and tested on two wards."),
            (330, DONE, "Every ward now uses the first-week plan."),
        ),
        "People leaving hospital did not know who to call in the first few days, which is "
        "when many felt worst.",
        "Before you leave, you and the ward write a one-page plan for your first week: who "
        "will visit, who to call day and night, and your next appointment.",
        ("A visit within 48 hours of going home.", "One page, in plain English."),
    ),
    DemoChange(
        "Carers invited to discharge meetings",
        "carers-at-discharge-meetings",
        ("Crisis resolution and home treatment team", "Carer's assessment"),
        "Leaving hospital well",
        ("Family and carers", "Being listened to"),
        (
            (380, PLANNED, ""),
            (200, DONE, "Carers are now invited, with the person's agreement."),
        ),
        "Carers found out about discharge on the day, with no say and no information.",
        "With the person's agreement, their carer is invited to the discharge meeting and "
        "gets a copy of the first-week plan.",
        ("Ask the person who they want at the meeting.",),
    ),
    DemoChange(
        "Peer groups kept in the evenings",
        "peer-groups-in-the-evenings",
        ("Peer support group: Hearing Voices", "Bereavement support"),
        "Peer support group evaluation",
        ("Peer support", "Getting there and opening hours"),
        (
            (420, PLANNED, ""),
            (350, DONE, "Evening groups confirmed for the next two years."),
        ),
        "Groups were going to move to the daytime, which people who work or care for "
        "someone could not get to.",
        "The groups stay in the evenings, and there is a new Saturday morning group.",
        ("Keep the evening groups.",),
    ),
    DemoChange(
        "Wellbeing Walks at a slower pace",
        "wellbeing-walks-slower-pace",
        ("Wellbeing walks",),
        None,
        ("Access and accessibility",),
        ((160, PLANNED, ""), (100, DONE, "The gentle group meets on Thursdays.")),
        "Some people found the walks too fast or too long and stopped coming.",
        "There is now a gentle group that walks for 30 minutes on flat paths, with benches "
        "on the way, every Thursday.",
        level=CoproductionLevel.CONSULTATION,
    ),
    DemoChange(
        "Housing officers at the community mental health team",
        "housing-officers-at-community-team",
        ("Housing options team", "Community mental health team North"),
        None,
        ("Money, housing and work", "Moving between services"),
        ((10, PLANNED, "Agreed between the council and the trust."),),
        "People at risk of losing their home said they could not face another office and "
        "another queue.",
        "A housing officer will work from the community mental health team's building two "
        "days a week.",
        level=CoproductionLevel.ENGAGEMENT,
    ),
]

# --- What people say ----------------------------------------------------------------------------

WENT_WELL = {
    "Waiting times": [
        "I was seen within a week, which I did not expect.",
        "They rang me back the same day.",
        "The wait was shorter than I was told it would be.",
    ],
    "Being listened to": [
        "For the first time I felt someone actually listened.",
        "They let me finish what I was saying and did not rush me.",
        "I was believed, and that meant everything.",
    ],
    "Information and letters": [
        "The letter told me exactly where to go and who I would see.",
        "Everything was explained in plain words.",
        "I got a text reminder the day before, which really helped.",
    ],
    "Kindness and respect": [
        "Everyone was kind, from reception to the end.",
        "Staff treated me like a person, not a case.",
        "They were patient when I got upset.",
    ],
    "Access and accessibility": [
        "The interpreter was booked without me having to ask.",
        "There was a quiet room when I needed a break.",
        "The building was easy to get around in my wheelchair.",
    ],
    "Getting there and opening hours": [
        "Being open in the evening meant I could come after work.",
        "It is on the bus route, so I could get there on my own.",
        "The signs made it easy to find.",
    ],
    "Crisis support": [
        "They helped me through the worst night I have had.",
        "I left with a plan and a number to ring.",
        "Someone sat with me until I felt safe.",
    ],
    "Family and carers": [
        "They asked my mum what she had noticed, which helped.",
        "As a carer I was included and kept informed.",
        "My partner was welcome to come in with me.",
    ],
    "Money, housing and work": [
        "They helped me sort out my Universal Credit claim.",
        "The adviser stopped the bailiffs and I could breathe again.",
        "I got help with my rent arrears without being judged.",
    ],
    "Peer support": [
        "Talking to someone who has been there made a huge difference.",
        "The peer supporter shared their own story and I felt less alone.",
        "The group is the one place I do not have to explain myself.",
    ],
    "Moving between services": [
        "The referral to the next team happened without me chasing.",
        "They passed on my notes, so I did not have to repeat myself.",
        "Someone stayed in touch while I waited for the new team.",
    ],
}

COULD_BE_BETTER = {
    "Waiting times": [
        "I waited four months for a first appointment.",
        "Nobody told me how long the wait would be.",
        "I rang three times before anyone rang me back.",
    ],
    "Being listened to": [
        "I felt rushed and did not get to say what I came to say.",
        "It felt like they had decided before I spoke.",
        "I was asked the same questions again and again.",
    ],
    "Information and letters": [
        "The letter was full of jargon I did not understand.",
        "I was not told what would happen at the appointment.",
        "My letter arrived after the appointment date.",
    ],
    "Kindness and respect": [
        "The receptionist was short with me when I was struggling.",
        "I was spoken about as if I was not in the room.",
        "Nobody said hello or told me their name.",
    ],
    "Access and accessibility": [
        "There was no interpreter, so my daughter had to interpret.",
        "The lift was broken and nobody warned me.",
        "The waiting room is very loud and bright.",
    ],
    "Getting there and opening hours": [
        "It is only open when I am at work.",
        "It is hard to find, especially in the dark.",
        "The last bus leaves before the session ends.",
    ],
    "Crisis support": [
        "When I rang in a crisis, I was told to go to A&E.",
        "Nobody followed up after my crisis.",
        "I had to wait hours in a corridor.",
    ],
    "Family and carers": [
        "As a carer I was not told anything.",
        "My family were not asked what would help.",
        "They would not speak to me about my son even with his permission.",
    ],
    "Money, housing and work": [
        "Nobody asked whether money worries were part of the problem.",
        "I was sent to the council and back three times.",
        "There was no help with going back to work.",
    ],
    "Peer support": [
        "The group stopped with no warning.",
        "I would like more peer supporters who understand my culture.",
        "The group was too big to talk in.",
    ],
    "Moving between services": [
        "I was passed between teams and nobody took charge.",
        "When I turned 18 I lost everyone I knew.",
        "My referral got lost between the GP and the team.",
    ],
}

# Personal details people sometimes type: (which field, what they wrote, the quote the
# moderator publishes instead).
PERSONAL = [
    (
        "went_well",
        "Nurse Adebayo on the evening shift was brilliant with me.",
        "The nurse on the evening shift was brilliant with me.",
    ),
    (
        "could_be_better",
        "You can ring me on 07700 900461 if you want to hear more about it.",
        "",
    ),
    (
        "went_well",
        "I saw Karen Whitfield on the Tuesday and she really helped.",
        "The worker I saw on the Tuesday really helped.",
    ),
    ("could_be_better", "Email me at jay.h@example.com, I have more to say.", ""),
    (
        "could_be_better",
        "My postcode is NL4 7QT and no bus comes out this far.",
        "No bus comes out to where I live.",
    ),
]

HIDDEN_REASONS = [
    "It names a member of staff and describes them unkindly.",
    "It includes the person's phone number and address.",
    "It is about a different service, so it has been passed on to them.",
    "It includes details that could identify someone else.",
]

RESPONSES = {
    "Waiting times": "Thank you for telling us. Waits have been too long, and we are sorry. "
    "We have added evening appointments and now text everyone when their referral arrives, "
    "with an honest idea of the wait.",
    "Being listened to": "Thank you. Feeling heard matters as much as anything we do. We have "
    "shared what you said with the team, and it is part of their training this year.",
    "Information and letters": "Thank you. Our panel of people who use our services is "
    "rewriting our letters in plain English, with easy read and BSL versions.",
    "Kindness and respect": "Thank you for taking the time to tell us. We have shared your "
    "words with the whole team.",
    "Access and accessibility": "Thank you. You should never have to ask twice for what you "
    "need. Tell us once and we now record it on your file for every appointment.",
    "Getting there and opening hours": "Thank you. We have looked again at our opening hours "
    "and at how people find us, with people who use the service.",
    "Crisis support": "Thank you for telling us about a very hard time. We are glad you reached "
    "out, and we are working on what happens in the days after a crisis.",
    "Family and carers": "Thank you. With the person's agreement, carers are now invited to "
    "planning and discharge meetings and get a copy of the plan.",
    "Money, housing and work": "Thank you. Money and housing worries affect mental health, so "
    "we are bringing advisers into our clinics.",
    "Peer support": "Thank you. Peer support is at the heart of what we do, and your feedback "
    "helped us decide to keep and grow the groups.",
    "Moving between services": "Thank you. Nobody should be passed from team to team. Our "
    "panel is designing one front door, so you tell your story once.",
}


# --- Loading ------------------------------------------------------------------------------------


def load_feedback_demo(*, now: datetime | None = None) -> dict[str, int]:
    """Load the service changes and feedback once; returns what was made (0 when loaded)."""
    if ServiceChangePage.objects.filter(slug=CHANGES[0].slug).exists():
        return {
            "created": 0,
            "changes": ServiceChangePage.objects.live().count(),
            "feedback": Feedback.objects.count(),
        }
    now = now or timezone.now()
    rng = random.Random(5)  # noqa: S311 - demo data, not security
    with transaction.atomic():
        themes = {theme.name: theme for theme in Theme.objects.all()}
        offers = {offer.title: offer for offer in OfferPage.objects.live().order_by("title")}
        changes = _changes(themes, offers, now)
        feedback = _feedback(rng, themes, offers, changes, now)
        _link(rng, feedback, changes, now)
        _members_already_told(changes, now)
        # Written in bulk, so the trends' monthly totals are counted by hand.
        feedback_totals_rebuild(organisations={item.organisation_id for item, _ in feedback})
    # Written in bulk, so added to the search index (the leads' search) by hand.
    items = [item for item, _names in feedback]
    for backend in get_search_backends():
        backend.add_bulk(Feedback, items)
    return {"created": 1, "changes": len(changes), "feedback": len(feedback)}


def _at(now: datetime, days_ago: int, hour: int = 10) -> datetime:
    day = timezone.localtime(now).date() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _changes(themes, offers, now) -> list[tuple[DemoChange, ServiceChangePage]]:
    """Publish the index (if there is none yet) and every demo change under it."""
    index = service_changes_index()
    panels = {panel.title: panel for panel in Panel.objects.all()}
    today = timezone.localtime(now).date()
    made = []
    for spec in CHANGES:
        panel = panels.get(spec.panel) if spec.panel else None
        level = spec.level or (panel.coproduction_level if panel else None)
        page = ServiceChangePage(
            title=spec.title,
            slug=spec.slug,
            status=spec.status,
            what_people_said=f"<p>{spec.said}</p>",
            what_changed=f"<p>{spec.changed}</p>",
            panel=panel,
            coproduction_level=level,
        )
        page.offers = [offers[title] for title in spec.offers if title in offers]
        page.themes = [themes[name] for name in spec.themes if name in themes]
        page.updates = [
            ServiceChangeUpdate(date=today - timedelta(days=days), status=status, note=note)
            for days, status, note in spec.timeline
        ]
        page.recommendations = [PanelRecommendation(text=text) for text in spec.recommendations]
        add_page(index, page)
        # As if each was published when its story began and last updated at its latest step.
        Page.objects.filter(pk=page.pk).update(
            first_published_at=_at(now, spec.timeline[0][0]),
            last_published_at=_at(now, spec.timeline[-1][0]),
        )
        made.append((spec, page))
    return made


def texts_for_rating(rng, theme_names: list[str], rating: int) -> tuple[str, str]:
    """What went well and what could be better, in words that fit the rating: praise only
    from people who rated it good or very good (with now and then something to improve),
    only what could be better from people who rated it poor or very poor, and both from
    people who rated it okay."""
    first = theme_names[0]
    went = rng.choice(WENT_WELL[first])
    better = rng.choice(COULD_BE_BETTER[first])
    if len(theme_names) > 1 and rng.random() < 0.5:
        second = theme_names[1]
        if rating >= 3:
            went = f"{went} {rng.choice(WENT_WELL[second])}"
        else:
            better = f"{better} {rng.choice(COULD_BE_BETTER[second])}"
    if rating == 5:
        return went, ""
    if rating == 4:
        return went, better if rng.random() < 0.3 else ""
    if rating == 3:
        return went, better
    return "", better


def _listened(rng, rating: int) -> str:
    Listened = Feedback.Listened
    if rating >= 4:
        return rng.choice([Listened.YES] * 6 + [Listened.PARTLY, Listened.NOT_SURE])
    if rating == 3:
        return rng.choice([Listened.YES, Listened.PARTLY, Listened.PARTLY, Listened.NOT_SURE])
    return rng.choice([Listened.NO, Listened.NO, Listened.PARTLY, Listened.NOT_SURE])


def _status_for(rng, age_days: int) -> str:
    if age_days > 120:
        return rng.choice([Status.CLOSED] * 9 + [Status.RESPONDED] * 8 + [Status.TRIAGED] * 3)
    if age_days > 30:
        return rng.choice(
            [Status.RESPONDED] * 9 + [Status.TRIAGED] * 7 + [Status.CLOSED] * 2 + [Status.NEW] * 2
        )
    return rng.choice([Status.NEW] * 6 + [Status.TRIAGED] * 3 + [Status.RESPONDED])


def _feedback(rng, themes, offers, changes, now) -> list[tuple[Feedback, list[str]]]:
    """540 pieces of feedback and Sam's three, in bulk, each with its themes' names."""
    theme_names = list(themes)
    offer_list = list(offers.values())
    changed = {title for spec, _ in changes for title in spec.offers}
    # Offers a change touched hear from more people; a few offers hear from hardly anyone,
    # so their pages show no ratings until five people have spoken.
    weights = [
        4.0 if offer.title in changed else 0.12 if position % 9 == 4 else 1.0
        for position, offer in enumerate(offer_list)
    ]
    quality = {offer.pk: rng.uniform(2.6, 4.6) for offer in offer_list}
    themes_of_offer = {}
    for spec, _page in changes:
        for title in spec.offers:
            themes_of_offer.setdefault(title, []).extend(spec.themes)

    members = list(
        User.objects.filter(email__startswith="member", email__endswith="@example.org")
        .exclude(email=DEMO_MEMBER_EMAIL)
        .order_by("email")
    )
    peer = User.objects.filter(email=DEMO_PEER_EMAIL).first()
    leads = {
        user.organisation_id: user
        for user in User.objects.filter(email=DEMO_LEAD_EMAIL, organisation__isnull=False)
    }

    rows, row_themes = [], []
    for number in range(FEEDBACK_COUNT):
        offer = rng.choices(offer_list, weights=weights)[0]
        # Spread over the 18 months, a little busier lately.
        age = int(DAYS * rng.random() ** 1.3)
        rating = max(1, min(5, round(rng.gauss(quality[offer.pk], 1.0))))
        likely = themes_of_offer.get(offer.title, [])
        chosen = []
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            name = rng.choice(likely) if likely and rng.random() < 0.6 else rng.choice(theme_names)
            if name not in chosen:
                chosen.append(name)
        went_well, could_be_better = texts_for_rating(rng, chosen, rating)
        quote_went, quote_better = went_well, could_be_better
        if number % 17 == 5:  # about 6%: personal details the moderator must deal with
            # Praise of a named nurse only from someone who rated the offer well.
            fitting = [p for p in PERSONAL if rating >= 3 or p[0] == "could_be_better"]
            which, text, redacted = fitting[(number // 17) % len(fitting)]
            if which == "went_well":
                went_well = f"{went_well} {text}".strip()
                quote_went = f"{quote_went} {redacted}".strip()
            else:
                could_be_better = f"{could_be_better} {text}".strip()
                quote_better = f"{quote_better} {redacted}".strip()
        source = rng.choice([Source.MEMBER] * 9 + [Source.PUBLIC] * 8 + [Source.PEER_WORKER] * 3)
        if source == Source.PEER_WORKER and peer is None:
            source = Source.PUBLIC
        if source == Source.MEMBER and not members:
            source = Source.PUBLIC
        created = now - timedelta(days=age, hours=rng.randint(0, 10), minutes=rng.randint(0, 59))
        item = Feedback(
            offer=offer,
            offer_title=offer.title,
            organisation_id=offer.provider_id,
            source=source,
            author=rng.choice(members) if source == Source.MEMBER else None,
            recorded_by=peer if source == Source.PEER_WORKER else None,
            went_well=went_well,
            could_be_better=could_be_better,
            rating=rating,
            felt_listened_to=_listened(rng, rating),
            consent_to_publish=rng.random() < 0.55,
            personal_details=personal_details_in(f"{went_well}\n{could_be_better}"),
            created_at=created,
        )
        _moderate(rng, item, chosen, quote_went, quote_better, age, now, leads)
        rows.append(item)
        row_themes.append([themes[name] for name in chosen])

    rows += _sams_feedback(offers, themes, row_themes, now, leads)
    given = [item.created_at for item in rows]
    Feedback.objects.bulk_create(rows)
    # Inserting stamps created_at with the time now (auto_now_add), on the objects too; put
    # back when each was given.
    for item, when in zip(rows, given, strict=True):
        item.created_at = when
    Feedback.objects.bulk_update(rows, ["created_at"], batch_size=200)
    Through = Feedback.themes.through
    Through.objects.bulk_create(
        [
            Through(feedback_id=item.pk, theme_id=theme.pk)
            for item, item_themes in zip(rows, row_themes, strict=True)
            for theme in item_themes
        ]
    )
    return [
        (item, [theme.name for theme in item_themes])
        for item, item_themes in zip(rows, row_themes, strict=True)
    ]


def _moderate(rng, item, theme_names, quote_went, quote_better, age, now, leads) -> None:
    """What the provider's lead has done with it so far, by how old it is."""
    status = _status_for(rng, age)
    item.status = status
    if status == Status.NEW:
        return
    created = item.created_at
    item.triaged_at = min(created + timedelta(days=rng.randint(1, 5)), now)
    if (item.personal_details and rng.random() < 0.5) or rng.random() < 0.025:
        item.hidden = True
        item.hidden_reason = (
            HIDDEN_REASONS[1]
            if any("phone" in kind or "email" in kind for kind in item.personal_details)
            else rng.choice(HIDDEN_REASONS)
        )
    # The words quoted beside the rating agree with it.
    quote = (quote_went or quote_better) if item.rating >= 3 else (quote_better or quote_went)
    if item.consent_to_publish and not item.hidden and quote and rng.random() < 0.9:
        item.public_quote = quote
    if status in (Status.RESPONDED, Status.CLOSED) and not (
        status == Status.CLOSED and rng.random() < 0.15
    ):
        item.public_response = RESPONSES[theme_names[0]]
        replied = max(created + timedelta(days=rng.randint(3, 20)), item.triaged_at)
        item.responded_at = min(replied, now)
        item.responded_by = leads.get(item.organisation_id)
    if status == Status.CLOSED:
        after = item.responded_at or item.triaged_at
        item.closed_at = min(after + timedelta(days=rng.randint(7, 30)), now)


def _sams_feedback(offers, themes, row_themes, now, leads) -> list[Feedback]:
    """The demo member's own feedback: one answered and linked to a change that is done,
    one being looked at, one just sent."""
    sam = User.objects.filter(email=DEMO_MEMBER_EMAIL).first()
    cafe = offers.get("Open Door Crisis Café")
    therapies = offers.get("Talking therapies Northdale")
    walks = offers.get("Wellbeing walks")
    if sam is None or not (cafe and therapies and walks):
        return []
    answered = now - timedelta(days=430)
    items = [
        (
            Feedback(
                offer=cafe,
                offer_title=cafe.title,
                organisation_id=cafe.provider_id,
                source=Source.MEMBER,
                author=sam,
                went_well="The peer supporter sat with me until I felt safe.",
                could_be_better="I walked past the door twice because I could not find it.",
                rating=Feedback.Rating.GOOD,
                felt_listened_to=Feedback.Listened.YES,
                consent_to_publish=True,
                status=Status.RESPONDED,
                created_at=answered,
                triaged_at=answered + timedelta(days=2),
                public_quote="The peer supporter sat with me until I felt safe.",
                public_response=RESPONSES["Getting there and opening hours"],
                responded_at=answered + timedelta(days=6),
                responded_by=leads.get(cafe.provider_id),
            ),
            ["Getting there and opening hours", "Peer support"],
        ),
        (
            Feedback(
                offer=therapies,
                offer_title=therapies.title,
                organisation_id=therapies.provider_id,
                source=Source.MEMBER,
                author=sam,
                went_well="My therapist was patient and kind.",
                could_be_better="I did not know my referral had arrived until I rang.",
                rating=Feedback.Rating.OKAY,
                felt_listened_to=Feedback.Listened.PARTLY,
                consent_to_publish=True,
                status=Status.TRIAGED,
                created_at=now - timedelta(days=20),
                triaged_at=now - timedelta(days=18),
            ),
            ["Waiting times", "Information and letters"],
        ),
        (
            Feedback(
                offer=walks,
                offer_title=walks.title,
                organisation_id=walks.provider_id,
                source=Source.MEMBER,
                author=sam,
                went_well="The gentle group is just right for me.",
                rating=Feedback.Rating.VERY_GOOD,
                felt_listened_to=Feedback.Listened.YES,
                consent_to_publish=False,
                created_at=now - timedelta(days=2),
            ),
            ["Access and accessibility"],
        ),
    ]
    for _item, names in items:
        row_themes.append([themes[name] for name in names if name in themes])
    return [item for item, _names in items]


def _link(rng, feedback, changes, now) -> None:
    """Link feedback to the change that answered it: read (triaged or further), about one of
    the change's offers (on its themes first), and given before the change's latest step
    (a change that is done answers nothing said after it was done)."""

    def latest_step(change) -> int:
        """Days since the change's latest step (0 for a change only planned so far)."""
        timeline = change[0].timeline
        return timeline[-1][0] if len(timeline) > 1 else 0

    # Changes finished longest ago choose first: only the oldest feedback can be theirs.
    for spec, page in sorted(changes, key=latest_step, reverse=True):
        before = now - timedelta(days=latest_step((spec, page)))
        about_it = [
            (item, bool(set(names) & set(spec.themes)))
            for item, names in feedback
            if item.status != Status.NEW
            and item.offer_title in spec.offers
            and item.created_at < before
            and item.service_change_id is None
        ]
        rng.shuffle(about_it)
        # Feedback on the change's themes first; then other feedback on its offers, so a
        # change to a quieter offer still shows what people said.
        about_it.sort(key=lambda pair: not pair[1])
        for item, _on_theme in about_it[: rng.randint(12, 30)]:
            item.service_change = page
    items = [item for item, _names in feedback]
    sams = [item for item in items if item.author and item.author.email == DEMO_MEMBER_EMAIL]
    if sams:
        sams[0].service_change = changes[0][1]
    Feedback.objects.bulk_update(items, ["service_change"], batch_size=200)


def _members_already_told(changes, now) -> None:
    """Members whose feedback is linked were told at the time: record it, so nobody is
    emailed now about news that is months old."""
    notices = []
    for spec, page in changes:
        authors = set(
            Feedback.objects.filter(service_change=page, author__isnull=False)
            .exclude(source=Source.PUBLIC)
            .values_list("author_id", flat=True)
        )
        notices += [
            ServiceChangeNotice(page=page, user_id=author, status=status, sent_at=_at(now, days))
            for author in sorted(authors)
            for days, status, _note in spec.timeline
        ]
    ServiceChangeNotice.objects.bulk_create(notices, ignore_conflicts=True)
