"""Peer work's part of the demo partnership: 28 peer workers across the demo organisations
(Jo Clarke, peer@example.org, at Mind in Northdale, supervised by Priya Patel,
supervisor@example.org), teams, levels along the pathway, 12 months of sessions with
topics and signposting to demo offers, supervision with some overdue, safeguarding concerns
(a few open), wellbeing check-ins (some shared) and two leavers.

Deterministic (a seeded random) and idempotent: it does nothing once Jo's worker record
exists. People and thousands of sessions are written in bulk, so it loads in seconds.
"""

import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from cms.models import Need, OfferPage, Organisation, User
from cms.roles import Role

from .demo_outcomes import load_outcomes_demo
from .models import (
    Level,
    PeerWorker,
    SafeguardingConcern,
    SessionLog,
    Supervision,
    SupervisionAction,
    Team,
    WellbeingCheckIn,
)
from .models.sessions import OutcomeMeasure, Setting
from .services.activity_totals import activity_totals_rebuild
from .wellbeing_scale import metric_score

DEMO_WORKER_EMAIL = "peer@example.org"
DEMO_SUPERVISOR_EMAIL = "supervisor@example.org"
DEMO_PASSWORD = "lived-experience-demo"  # noqa: S105 - published with the demo
WORKER_COUNT = 27  # besides Jo

MIND = "Mind in Northdale"
NORTHDALE_TRUST = "Northdale Health and Care NHS Foundation Trust"
SOUTHMOOR_TRUST = "Southmoor Community Mental Health NHS Trust"
CAFE = "Open Door Crisis Café"
DEAF = "Deaf Peer Connect"
COUNCIL = "Northdale Council"

# Organisation: its teams, and the name of the supervisor made for it (Mind has Priya).
TEAMS = {
    MIND: ["Community peer support", "Peer groups"],
    NORTHDALE_TRUST: ["Inpatient peer support", "Crisis team peers"],
    SOUTHMOOR_TRUST: ["Community mental health team peers"],
    CAFE: ["Café peer mentors"],
    DEAF: ["BSL peer support"],
    COUNCIL: ["Housing and wellbeing peers"],
}
SUPERVISORS = {
    NORTHDALE_TRUST: ("supervisor.northdale@example.org", "Rachel", "Osei"),
    SOUTHMOOR_TRUST: ("supervisor.southmoor@example.org", "Tom", "Walsh"),
    CAFE: ("supervisor.cafe@example.org", "Bea", "Lindqvist"),
    DEAF: ("supervisor.deaf@example.org", "Owen", "Hughes"),
    COUNCIL: ("supervisor.council@example.org", "Nadia", "Rahman"),
}
# Where each kind of team works most.
SETTINGS_BY_ORGANISATION = {
    MIND: [Setting.COMMUNITY, Setting.GROUP, Setting.PHONE, Setting.HOME],
    NORTHDALE_TRUST: [Setting.WARD, Setting.WARD, Setting.CRISIS_CAFE, Setting.PHONE],
    SOUTHMOOR_TRUST: [Setting.COMMUNITY, Setting.HOME, Setting.ONLINE, Setting.PHONE],
    CAFE: [Setting.CRISIS_CAFE, Setting.CRISIS_CAFE, Setting.PHONE, Setting.GROUP],
    DEAF: [Setting.ONLINE, Setting.COMMUNITY, Setting.GROUP],
    COUNCIL: [Setting.COMMUNITY, Setting.HOME, Setting.PHONE],
}
FIRST_NAMES = [
    "Amara", "Bilal", "Cerys", "Dominic", "Esi", "Finn", "Gita", "Harriet", "Imran", "Jade",
    "Kofi", "Leah", "Marek", "Niamh", "Oscar", "Parveen", "Reece", "Shona", "Tariq", "Una",
    "Vikram", "Wendy", "Xavier", "Yusuf", "Zara", "Ayo", "Bryony",
]  # fmt: skip
LAST_NAMES = [
    "Adeyemi", "Barker", "Campbell", "Dunn", "Evans", "Farooq", "Green", "Hall", "Ibrahim",
    "Jackson", "Kaur", "Lewis", "Morgan",
]  # fmt: skip
LEVEL_MIX = [
    "trainee",
    "peer-support-worker",
    "peer-support-worker",
    "peer-support-worker",
    "senior-peer-support-worker",
    "senior-peer-support-worker",
    "peer-lead",
    "lived-experience-practitioner",
]
NOTES = [
    "Talked through what to expect at the first appointment.",
    "Practised what to say when calling the benefits line.",
    "Walked to the library together; talked about volunteering.",
    "Shared some of my own story about getting back to work.",
    "Worked on a plan for the bad evenings.",
    "",
]


def load_peers_demo() -> dict[str, int]:
    """Load peer work's demo data once; returns what exists and whether it was made now."""
    if PeerWorker.objects.filter(user__email=DEMO_WORKER_EMAIL).exists():
        return _counts(created=0)
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=TEAMS)}
    jo = User.objects.filter(email=DEMO_WORKER_EMAIL).first()
    priya = User.objects.filter(email=DEMO_SUPERVISOR_EMAIL).first()
    if jo is None or priya is None or len(organisations) < len(TEAMS):
        return _counts(created=0)  # the site shell's demo comes first
    with transaction.atomic():
        rng = random.Random(6)  # noqa: S311 - demo data, not security
        teams = _teams(organisations)
        supervisors = {MIND: priya, **_supervisors(organisations)}
        workers = _workers(rng, organisations, teams, supervisors, jo)
        _sessions(rng, workers)
        load_outcomes_demo(random.Random(16))  # noqa: S311 - its own, so later draws stay
        _safeguarding(workers)
        _supervision(rng, workers)
        _wellbeing(rng, workers)
        # The sessions were loaded in bulk, which keeps no totals: count them now.
        activity_totals_rebuild()
    return _counts(created=1)


def _counts(*, created: int) -> dict[str, int]:
    return {
        "workers": PeerWorker.objects.count(),
        "sessions": SessionLog.objects.count(),
        "created": created,
    }


# --- Teams and people ----------------------------------------------------------------------------


def _teams(organisations) -> dict[str, list[Team]]:
    for name, team_names in TEAMS.items():
        for team_name in team_names:
            Team.objects.get_or_create(organisation=organisations[name], name=team_name)
    teams: dict[str, list[Team]] = {}
    for team in Team.objects.select_related("organisation").filter(organisation__name__in=TEAMS):
        teams.setdefault(team.organisation.name, []).append(team)
    return teams


def _people(rows, password: str) -> list[User]:
    emails = [row["email"] for row in rows]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [User(password=password, **row) for row in rows if row["email"] not in existing]
    )
    people = list(User.objects.filter(email__in=emails).order_by("email"))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=p, email=p.email, verified=True, primary=True) for p in people],
        ignore_conflicts=True,
    )
    return people


def _supervisors(organisations) -> dict[str, User]:
    rows = [
        {
            "email": email,
            "first_name": first,
            "last_name": last,
            "organisation": organisations[name],
        }
        for name, (email, first, last) in SUPERVISORS.items()
    ]
    people = {p.email: p for p in _people(rows, make_password(DEMO_PASSWORD))}
    Group.objects.get(name=Role.SUPERVISOR.value).user_set.add(*people.values())
    return {name: people[email] for name, (email, _, _) in SUPERVISORS.items()}


def _workers(rng, organisations, teams, supervisors, jo) -> list[PeerWorker]:
    names = list(TEAMS)
    rows = []
    for number in range(1, WORKER_COUNT + 1):
        organisation = organisations[names[number % len(names)]]
        rows.append(
            {
                "email": f"peer{number:02d}@example.org",
                "first_name": FIRST_NAMES[(number - 1) % len(FIRST_NAMES)],
                "last_name": LAST_NAMES[(number * 5) % len(LAST_NAMES)],
                "organisation": organisation,
            }
        )
    people = _people(rows, make_password(DEMO_PASSWORD))
    Group.objects.get(name=Role.PEER_WORKER.value).user_set.add(*people)
    levels = {level.slug: level for level in Level.objects.all()}
    today = timezone.localdate()
    workers = []
    for position, person in enumerate([jo, *people]):
        organisation = organisations[MIND] if person == jo else person.organisation
        level = levels["peer-support-worker" if person == jo else LEVEL_MIX[position % 8]]
        employment = ["employed", "employed", "employed", "bank", "volunteer"][position % 5]
        if level.slug == "trainee":
            employment = "trainee"
        worker = PeerWorker(
            user=person,
            organisation=organisation,
            team=teams[organisation.name][position % len(teams[organisation.name])],
            level=level,
            job_title=level.name,
            employment_type=employment,
            # Every sixth worker started in the last few months; the rest over a year ago.
            start_date=today - timedelta(days=60 + position)
            if position % 6 == 3
            else today - timedelta(days=500 + 37 * position),
            contracted_hours=None
            if employment in ("bank", "volunteer")
            else [22.5, 30, 37.5][position % 3],
            # Every fourth worker is seen fortnightly; the rest every four weeks.
            supervision_every_days=14 if position % 4 == 0 else 28,
        )
        if position in (9, 20):
            worker.status = PeerWorker.Status.LEFT
            worker.left_on = today - timedelta(days=30 + position)
            worker.leaving_reason = (
                PeerWorker.LeavingReason.PROGRESSION
                if position == 9
                else PeerWorker.LeavingReason.CONTRACT_ENDED
            )
            worker.leaving_note = (
                "Moved into a clinical team lead role."
                if position == 9
                else "The funding for the ward post ended."
            )
        elif position == 14:
            worker.status = PeerWorker.Status.ON_LEAVE
        workers.append(worker)
    PeerWorker.objects.bulk_create(workers)
    workers = list(
        PeerWorker.objects.select_related("organisation", "user").filter(user__in=[jo, *people])
    )
    through = PeerWorker.supervisors.through
    through.objects.bulk_create(
        [
            through(peerworker_id=worker.pk, user_id=supervisors[worker.organisation.name].pk)
            for worker in workers
        ],
        ignore_conflicts=True,
    )
    return workers


# --- Sessions -----------------------------------------------------------------------------


def _sessions(rng, workers) -> None:
    today = timezone.localdate()
    needs = list(Need.objects.order_by("sort_order", "name"))
    offers = list(OfferPage.objects.live().order_by("title"))
    sessions = []
    for worker in workers:
        first = max(worker.start_date, today - timedelta(days=365))
        last = worker.left_on or today
        if worker.status == PeerWorker.Status.ON_LEAVE:
            last = today - timedelta(days=45)
        settings = SETTINGS_BY_ORGANISATION[worker.organisation.name]
        per_week = 2 if worker.employment_type in ("bank", "volunteer") else 4
        day = first
        while day <= last:
            for _ in range(rng.randint(per_week - 1, per_week + 1)):
                when = day + timedelta(days=rng.randint(0, 6))
                if when > last:
                    continue
                setting = rng.choice(settings)
                group = setting == Setting.GROUP
                measure = rng.choice([OutcomeMeasure.NONE] * 4 + [OutcomeMeasure.GOAL])
                sessions.append(
                    SessionLog(
                        worker=worker,
                        date=when,
                        duration_minutes=rng.choice([30, 45, 60, 60, 90, 120 if group else 75]),
                        setting=setting,
                        offer=rng.choice(offers) if offers and rng.random() < 0.3 else None,
                        person_reference=""
                        if group
                        else f"{worker.user.first_name[0]}{rng.randint(1, 25):02d}",
                        group_size=rng.randint(4, 12) if group else 1,
                        outcome_measure=measure,
                        outcome_score=rng.randint(3, 9) if measure else None,
                        notes=rng.choice(NOTES),
                        created_by=worker.user,
                    )
                )
            day += timedelta(days=7)
    SessionLog.objects.bulk_create(sessions, batch_size=1000)
    _topics_and_signposting(rng, needs, offers)


def _topics_and_signposting(rng, needs, offers) -> None:
    topics = SessionLog.topics.through
    signposts = SessionLog.signposted_to.through
    topic_rows, signpost_rows = [], []
    for session_id in SessionLog.objects.values_list("pk", flat=True).iterator():
        for need in rng.sample(needs, k=min(len(needs), rng.choice([0, 1, 1, 2, 3]))):
            topic_rows.append(topics(sessionlog_id=session_id, need_id=need.pk))
        if offers and rng.random() < 0.35:
            offer = rng.choice(offers)
            signpost_rows.append(signposts(sessionlog_id=session_id, offerpage_id=offer.pk))
    topics.objects.bulk_create(topic_rows, batch_size=2000, ignore_conflicts=True)
    signposts.objects.bulk_create(signpost_rows, batch_size=2000, ignore_conflicts=True)


# --- Safeguarding, supervision, wellbeing -------------------------------------------------------


def _safeguarding(workers) -> None:
    now = timezone.now()
    current = [w for w in workers if w.status == PeerWorker.Status.ACTIVE]
    jo = next(w for w in workers if w.user.email == DEMO_WORKER_EMAIL)
    supervisor_of = dict(
        PeerWorker.supervisors.through.objects.filter(peerworker__in=workers).values_list(
            "peerworker_id", "user_id"
        )
    )
    concerns = []
    # Jo has one open concern (Priya sees it at the top of My space); three more are open
    # elsewhere; five were acknowledged with the action taken.
    chosen = [jo, *current[1:9]]
    for number, worker in enumerate(chosen):
        session = (
            SessionLog.objects.filter(worker=worker, person_reference__gt="")
            .order_by("-date")
            .first()
        )
        if session is None:
            continue
        acknowledged = number >= 4
        concerns.append(
            SafeguardingConcern(
                session=session,
                worker=worker,
                urgency=[
                    SafeguardingConcern.Urgency.TODAY,
                    SafeguardingConcern.Urgency.SOON,
                    SafeguardingConcern.Urgency.IMMEDIATE,
                ][number % 3],
                description=[
                    "They said a family member has been taking their benefits money.",
                    "They talked about not feeling safe at home since a new lodger moved in.",
                    "They said they had stopped eating and had thoughts of ending their life.",
                ][number % 3],
                immediate_action="Talked it through with them and agreed to tell my supervisor.",
                raised_by=worker.user,
                alert_queued_at=now,
                acknowledged_at=now - timedelta(days=number) if acknowledged else None,
                acknowledged_by_id=supervisor_of.get(worker.pk) if acknowledged else None,
                action_taken="Referred to the adult safeguarding team; followed up by phone."
                if acknowledged
                else "",
            )
        )
    SafeguardingConcern.objects.bulk_create(concerns)
    # raised_at is set on creation: spread the acknowledged ones back in time.
    for number, concern in enumerate(
        SafeguardingConcern.objects.filter(acknowledged_at__isnull=False).order_by("pk")
    ):
        SafeguardingConcern.objects.filter(pk=concern.pk).update(
            raised_at=now - timedelta(days=10 + 20 * number)
        )


def _supervision(rng, workers) -> None:
    today = timezone.localdate()
    supervisor_of = dict(
        PeerWorker.supervisors.through.objects.filter(peerworker__in=workers).values_list(
            "peerworker_id", "user_id"
        )
    )
    records = []
    for position, worker in enumerate(workers):
        if worker.status == PeerWorker.Status.LEFT:
            continue
        # Every fifth worker is overdue: their last supervision was long ago.
        gap = worker.supervision_every_days * (3 if position % 5 == 2 else 1)
        last = today - timedelta(days=rng.randint(3, 10) + (gap if position % 5 == 2 else 0))
        day = last
        while day >= max(worker.start_date, today - timedelta(days=365)):
            records.append(
                Supervision(
                    worker=worker,
                    supervisor_id=supervisor_of[worker.pk],
                    date=day,
                    kind=rng.choice(
                        [Supervision.Kind.LINE_MANAGEMENT] * 2
                        + [Supervision.Kind.REFLECTIVE, Supervision.Kind.CLINICAL]
                    ),
                    duration_minutes=rng.choice([45, 60, 60, 90]),
                    notes="Reviewed caseload, training and how work is feeling.",
                    created_by_id=supervisor_of[worker.pk],
                )
            )
            day -= timedelta(days=worker.supervision_every_days)
    Supervision.objects.bulk_create(records, batch_size=1000)
    latest = (
        Supervision.objects.filter(worker__in=workers, date__gte=today - timedelta(days=60))
        .order_by("worker_id", "-date")
        .distinct()
    )
    actions, seen = [], set()
    for supervision in latest:
        if supervision.worker_id in seen:
            continue
        seen.add(supervision.worker_id)
        actions.append(
            SupervisionAction(
                supervision=supervision,
                description=rng.choice(
                    [
                        "Book onto the safeguarding level 2 course.",
                        "Try the reflective practice group next month.",
                        "Update the peer group's leaflet with the new café times.",
                    ]
                ),
                due_date=supervision.date + timedelta(days=21),
                done_on=supervision.date + timedelta(days=10) if rng.random() < 0.4 else None,
            )
        )
    SupervisionAction.objects.bulk_create(actions)


def _wellbeing(rng, workers) -> None:
    items = [
        "optimistic",
        "useful",
        "relaxed",
        "dealing_with_problems",
        "thinking_clearly",
        "close_to_others",
        "own_mind",
    ]
    check_ins = []
    for position, worker in enumerate(workers):
        if worker.status == PeerWorker.Status.LEFT or position % 3 == 1:
            continue
        for _ in range(rng.randint(1, 4)):
            answers = {item: rng.choice([2, 3, 3, 4, 4, 5]) for item in items}
            raw = sum(answers.values())
            check_ins.append(
                WellbeingCheckIn(
                    worker=worker,
                    raw_score=raw,
                    metric_score=metric_score(raw),
                    shared_with_supervisor=rng.random() < 0.4,
                    **answers,
                )
            )
    WellbeingCheckIn.objects.bulk_create(check_ins)
    # completed_at is set on creation: spread the check-ins over the last months.
    now = timezone.now()
    for number, pk in enumerate(
        WellbeingCheckIn.objects.order_by("pk").values_list("pk", flat=True)
    ):
        WellbeingCheckIn.objects.filter(pk=pk).update(
            completed_at=now - timedelta(days=(number * 17) % 300)
        )
