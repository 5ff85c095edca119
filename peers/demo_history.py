"""Years of peer-role recruitment and employment at the two demo organisations that keep a
Lived Experience Charter (the Northdale trust and Mind in Northdale): a recruitment round
every quarter (vacancy, applications, interview panels with or without a person with lived
experience, offers, checks, starts), the peer workers who started, the ones who left, their
supervision and their progression reviews.

It is the history the charter's computed measures are worked out from, so it is shaped like
real practice: from the day the organisations adopted their charters (``since``) the
Northdale trust gets steadily better (more panels with lived experience, faster checks,
fewer people leaving in their first year, supervision on time) while Mind in Northdale
changes little. Every date follows from the one before it: nobody is interviewed before
they applied, offered a job before the interview, or starts before the offer; anything
that would fall after ``today`` has not happened yet.

Each organisation's peer workers are in teams by the job they do, and each team has a few
supervisors with 6 to 12 current supervisees each, shared out as people start and leave.
Rachel Osei, the Northdale supervisor people sign in as, keeps the few supervisees the peer
work demo gave her and takes on only the newest ward starters, so her pages stay readable.
Supervision slips as the organisation's trend says until the end of the last quarter (the
last one the charter has read); since then every team has caught up, so the overdue
supervision reminders the demo's worker sends on its first day go to a few people, not
dozens. The workers still in post have logged their sessions of the last eight weeks, so
their supervisors' pages show the work they do.

Deterministic (a seeded random) and idempotent: it does nothing once its first vacancy
exists. Rows are written in bulk, as the services would have left them, so it loads in a
second or two and sends no email.
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from cms.demo_shapes import Steady, Trend
from cms.models import Need, Organisation, User
from cms.months import add_months
from cms.roles import Role

from .demo import DEMO_PASSWORD, MIND, NORTHDALE_TRUST, NOTES, SUPERVISORS
from .models import (
    InterviewPanelMember,
    JobApplication,
    Level,
    PeerWorker,
    PreEmploymentCheck,
    ProgressionReview,
    SessionLog,
    Supervision,
    Team,
    Vacancy,
)
from .models.sessions import Setting
from .services.activity_totals import activity_totals_rebuild

Stage = JobApplication.Stage
HISTORY_MONTHS_BEFORE = 27  # hires from this long before ``since``, so 12-month retention
# has a cohort from the first period on
SUPERVISE_EVERY_DAYS = 28
SESSIONS_FOR_WEEKS = 8  # the sessions logged by the workers still in post


Person = tuple[str, str, str]  # email, first name, last name


@dataclass(frozen=True)
class HistoryTeam:
    """A peer team: the jobs its workers were hired to, and who supervises them."""

    name: str
    titles: tuple[str, ...]
    supervisors: tuple[Person, ...]
    settings: tuple[str, ...]  # where its workers meet people, the most usual first


@dataclass(frozen=True)
class History:
    organisation: str
    slug: str
    interviewers: tuple[tuple[str, str], tuple[str, str]]  # (name, role): HR, lived experience
    teams: tuple[HistoryTeam, ...]
    titles: tuple[str, ...]  # the vacancies' titles, one round after another
    pay: str
    hours: int
    employment_type: str
    hires: tuple[int, int]  # people who start from each round, at least and at most
    panel_with_lived_experience: Trend
    hire_with_lived_experience: Trend
    checks_days: Trend  # from starting checks to the first day
    leave_in_first_year: Trend
    supervision_late: Trend  # the chance that a supervision slips past its due date
    progressions_a_year: Trend

    def team_for(self, title: str) -> HistoryTeam:
        return next(team for team in self.teams if title in team.titles)


HISTORIES = (
    History(
        organisation=NORTHDALE_TRUST,
        slug="northdale",
        interviewers=(("Morgan Hughes", "HR business partner"), ("Lee Marshall", "Peer lead")),
        teams=(
            HistoryTeam(
                "Community peer support workers",
                ("Community peer support worker", "Recovery College peer trainer"),
                (
                    ("helen.brierley@example.org", "Helen", "Brierley"),
                    ("dylan.price@example.org", "Dylan", "Price"),
                    ("shazia.karim@example.org", "Shazia", "Karim"),
                    ("gareth.lloyd@example.org", "Gareth", "Lloyd"),
                ),
                (Setting.COMMUNITY, Setting.HOME, Setting.GROUP, Setting.PHONE),
            ),
            HistoryTeam(
                "Inpatient peer support",
                ("Ward peer support worker",),
                (
                    SUPERVISORS[NORTHDALE_TRUST],
                    ("siobhan.gallagher@example.org", "Siobhan", "Gallagher"),
                    ("marcus.bell@example.org", "Marcus", "Bell"),
                ),
                (Setting.WARD, Setting.WARD, Setting.GROUP),
            ),
            HistoryTeam(
                "Crisis team peers",
                ("Crisis team peer support worker",),
                (
                    ("anjali.mehta@example.org", "Anjali", "Mehta"),
                    ("kwame.asante@example.org", "Kwame", "Asante"),
                ),
                (Setting.CRISIS_CAFE, Setting.PHONE, Setting.HOME),
            ),
        ),
        titles=(
            "Community peer support worker",
            "Ward peer support worker",
            "Crisis team peer support worker",
            "Recovery College peer trainer",
        ),
        pay="Band 4",
        hours=30,
        employment_type="employed",
        hires=(5, 7),
        panel_with_lived_experience=Trend(0.55, 0.97),
        hire_with_lived_experience=Trend(0.7, 0.95),
        checks_days=Trend(70, 32),
        leave_in_first_year=Trend(0.32, 0.1),
        supervision_late=Trend(0.5, 0.07),
        progressions_a_year=Trend(3, 11),
    ),
    History(
        organisation=MIND,
        slug="mind",
        interviewers=(
            ("Dana Frost", "People and volunteering manager"),
            ("Ruth Okoye", "Lived experience lead"),
        ),
        teams=(
            HistoryTeam(
                "Community peer mentors",
                ("Peer mentor", "Community peer mentor"),
                (
                    ("supervisor.mind@example.org", "Femi", "Adeyinka"),
                    ("joanne.whitaker@example.org", "Joanne", "Whitaker"),
                    ("tendai.moyo@example.org", "Tendai", "Moyo"),
                    ("catrin.pugh@example.org", "Catrin", "Pugh"),
                    ("liam.oconnor@example.org", "Liam", "O'Connor"),
                ),
                (Setting.COMMUNITY, Setting.PHONE, Setting.HOME),
            ),
            HistoryTeam(
                "Peer groups",
                ("Peer group facilitator",),
                (
                    ("sunita.rao@example.org", "Sunita", "Rao"),
                    ("andrzej.nowak@example.org", "Andrzej", "Nowak"),
                ),
                (Setting.GROUP, Setting.GROUP, Setting.ONLINE),
            ),
        ),
        titles=("Peer mentor", "Community peer mentor", "Peer group facilitator"),
        pay="£12.60 an hour",
        hours=16,
        employment_type="employed",
        hires=(4, 7),
        panel_with_lived_experience=Trend(0.65, 0.72),
        hire_with_lived_experience=Trend(0.9, 0.9),
        checks_days=Trend(58, 62),
        leave_in_first_year=Trend(0.3, 0.3),
        supervision_late=Trend(0.35, 0.3),
        progressions_a_year=Trend(2, 3),
    ),
)

# Supervisors who take on only this many of the history's workers (the newest starters
# still in post in their team): Rachel, whom people sign in as, keeps a readable caseload.
LIGHT_CASELOADS = {SUPERVISORS[NORTHDALE_TRUST][0]: 3}

FIRST_NAMES = [
    "Abi", "Bethan", "Callum", "Deepa", "Eilidh", "Fraser", "Georgia", "Hassan", "Ines",
    "Joel", "Kiran", "Lola", "Mohammed", "Nadia", "Owain", "Petra", "Rory", "Saira",
    "Theo", "Uma", "Victor", "Willow", "Yara", "Zain", "Alfie", "Bea", "Connor",
]  # fmt: skip
LAST_NAMES = [
    "Ahmed", "Bennett", "Clarke", "Dixon", "Edwards", "Foster", "Gray", "Hughes", "Irwin",
    "Jenkins", "Khalid", "Lam", "Mitchell", "Norris", "Oduya", "Patel", "Quinn", "Reilly",
    "Shah", "Turner", "Walsh",
]  # fmt: skip
LEAVING = [
    (PeerWorker.LeavingReason.NEW_JOB, "Moved to a support worker job nearer home."),
    (PeerWorker.LeavingReason.HEALTH, "Left to look after their own health."),
    (PeerWorker.LeavingReason.STUDY, "Went to university to train as a nurse."),
    (PeerWorker.LeavingReason.CONTRACT_ENDED, "The project's funding ended."),
    (PeerWorker.LeavingReason.CARING, "Caring for a parent."),
]


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def history_start(since: date) -> date:
    """The first day of the history: the start of the quarter 27 months before ``since``."""
    return _quarter_start(add_months(since, -HISTORY_MONTHS_BEFORE))


def load_peer_history(*, since: date, today: date | None = None, password: str = "") -> dict:
    """Load the history once; returns how many people started and how many rounds ran.
    ``password`` is the demo password already hashed, if the caller has it (hashing is slow)."""
    today = today or timezone.localdate()
    if Vacancy.objects.filter(slug__startswith="history-").exists():
        return {"rounds": 0, "workers": 0}
    organisations = {
        o.name: o for o in Organisation.objects.filter(name__in=[h.organisation for h in HISTORIES])
    }
    if len(organisations) < len(HISTORIES):
        return {"rounds": 0, "workers": 0}  # the site shell's demo comes first
    levels = {level.slug: level for level in Level.objects.all()}
    password = password or make_password(DEMO_PASSWORD)
    rounds = workers = 0
    with transaction.atomic():
        for number, history in enumerate(HISTORIES):
            rng = random.Random(f"peer-history-{history.slug}")  # noqa: S311 - demo data
            made = _History(history, organisations[history.organisation], levels, since, today)
            made.run(rng, password, number)
            rounds += made.rounds
            workers += len(made.workers)
    return {"rounds": rounds, "workers": workers}


class _History:
    """One organisation's history, built up in memory and written in bulk."""

    def __init__(self, history: History, organisation, levels, since: date, today: date):
        self.history = history
        self.organisation = organisation
        self.levels = levels
        self.since = since
        self.today = today
        self.rounds = 0
        self.workers: list[PeerWorker] = []
        self.supervisor_of: dict[int, User] = {}  # worker's pk: their supervisor
        # The end of the last quarter that has ended: the last the charter has read.
        self.last_quarter_end = _quarter_start(today) - timedelta(days=1)

    def run(self, rng, password: str, number: int) -> None:
        history = self.history
        self.panel_lived, self.hire_lived = Steady(rng), Steady(rng)
        self.leaves_early, self.supervision_slips = Steady(rng), Steady(rng)
        self.supervisors = self._supervisors(password)
        self.teams = {
            team.name: Team.objects.get_or_create(organisation=self.organisation, name=team.name)[0]
            for team in history.teams
        }
        self.on_panel: dict[str, str] = {}  # vacancy's slug: the supervisor who interviewed
        vacancies, applications = [], []
        quarter = history_start(self.since)
        while quarter <= self.today:
            closing = quarter + timedelta(days=18 + rng.randint(0, 10))
            if closing + timedelta(days=7) > self.today:
                break  # this quarter's round is still open: the recruitment demo shows one
            title = history.titles[self.rounds % len(history.titles)]
            vacancy = Vacancy(
                organisation=self.organisation,
                title=title,
                slug=f"history-{history.slug}-{quarter:%Y-%m}",
                level=self.levels["peer-support-worker"],
                pay=history.pay,
                hours_per_week=history.hours,
                employment_type=history.employment_type,
                closing_date=closing,
                description=f"Join our team as a {title.lower()}, drawing on your own lived "
                "experience of mental ill health and recovery to support others.",
                status=Vacancy.Status.CLOSED,
                published_at=_at(closing - timedelta(days=35)),
                closed_at=_at(closing + timedelta(days=1), hour=9),
            )
            vacancies.append(vacancy)
            on_panel = self.supervisors[history.team_for(title).name]
            self.on_panel[vacancy.slug] = on_panel[self.rounds % len(on_panel)].get_full_name()
            applications += self._round(rng, vacancy, closing)
            self.rounds += 1
            quarter = add_months(quarter, 3)
        Vacancy.objects.bulk_create(vacancies)
        self._people(applications, password, number)
        JobApplication.objects.bulk_create([a for a, _ in applications])
        self._panels_and_checks(applications)
        self._workers(rng, [a for a, _ in applications])
        self._supervision(rng, random.Random(f"peer-history-{history.slug}-caught-up"))  # noqa: S311
        self._progression(rng)
        self._sessions(random.Random(f"peer-history-{history.slug}-sessions"))  # noqa: S311

    # --- Users ----------------------------------------------------------------------------

    def _supervisors(self, password: str) -> dict[str, list[User]]:
        """Each team's supervisors (made now unless the peer work demo made them)."""
        group = Group.objects.get(name=Role.SUPERVISOR.value)
        supervisors = {}
        for team in self.history.teams:
            supervisors[team.name] = []
            for email, first, last in team.supervisors:
                user, created = User.objects.get_or_create(
                    email=email,
                    defaults={
                        "first_name": first,
                        "last_name": last,
                        "organisation": self.organisation,
                        "password": password,
                    },
                )
                if created:
                    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                    group.user_set.add(user)
                supervisors[team.name].append(user)
        return supervisors

    def _people(self, applications, password: str, number: int) -> None:
        """A person for every application, written in one go."""
        rows = []
        for index in range(len(applications)):
            first = FIRST_NAMES[(index * 7 + number) % len(FIRST_NAMES)]
            last = LAST_NAMES[(index * 5 + number * 3) % len(LAST_NAMES)]
            email = f"{first}.{last}.{self.history.slug}{index:03d}@example.org".lower()
            rows.append(User(email=email, first_name=first, last_name=last, password=password))
        User.objects.bulk_create(rows)
        people = {u.email: u for u in User.objects.filter(email__in=[u.email for u in rows])}
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=p, email=p.email, verified=True, primary=True)
                for p in people.values()
            ]
        )
        for (application, _panel), row in zip(applications, rows, strict=True):
            application.candidate = people[row.email]

    # --- Recruitment ----------------------------------------------------------------------

    def _round(self, rng, vacancy: Vacancy, closing: date) -> list[tuple[JobApplication, bool]]:
        """The applications to one vacancy, each with whether its interview panel included
        a person with lived experience."""
        history, since, today = self.history, self.since, self.today
        hires = rng.randint(*history.hires)
        interviewed = hires + rng.randint(2, 4)
        shortlisted = interviewed + rng.randint(0, 2)  # the rest of them withdrew
        applied = shortlisted + rng.randint(1, 3)  # the rest were not shortlisted
        hired_lived = history.hire_with_lived_experience.at(closing, since)
        made = []
        for position in range(applied):
            applied_on = closing - timedelta(days=rng.randint(2, 28))
            application = JobApplication(
                vacancy=vacancy,
                statement="I know from my own recovery how much it means to be supported by "
                "someone who has been there, and I would like to offer that to others.",
                has_lived_experience=self.hire_lived(hired_lived if position < hires else 0.85),
                consent_to_contact=True,
                applied_at=_at(applied_on, hour=rng.randint(8, 21)),
            )
            panel_lived = False
            if position >= shortlisted:
                self._close(application, Stage.UNSUCCESSFUL, closing + timedelta(days=4))
                made.append((application, panel_lived))
                continue
            application.shortlisted_on = closing + timedelta(days=3)
            application.stage = Stage.SHORTLISTED
            interview_on = closing + timedelta(days=8 + rng.randint(0, 6))
            if position >= interviewed:
                self._close(application, Stage.WITHDRAWN, interview_on - timedelta(days=2))
            elif interview_on <= today:
                application.interview_at = _at(interview_on, hour=9 + position % 7)
                panel_lived = self.panel_lived(
                    history.panel_with_lived_experience.at(interview_on, since)
                )
                application.interview_panel_has_lived_experience = panel_lived
                application.stage = Stage.INTERVIEW
                if position < hires:
                    self._hire(rng, application, interview_on)
                elif self._close(application, Stage.UNSUCCESSFUL, interview_on + timedelta(3)):
                    application.feedback_offered_on = application.closed_on
                    application.feedback_note = "Offered a call with the peer lead."
            made.append((application, panel_lived))
        return made

    CLOSED_REASONS = {
        Stage.UNSUCCESSFUL: "Other candidates matched the role more closely.",
        Stage.WITHDRAWN: "Accepted another job.",
    }

    def _close(self, application: JobApplication, stage: str, on: date) -> bool:
        """Close the application on ``on``, unless that day has not come yet."""
        if on > self.today:
            return False
        application.stage = stage
        application.closed_on = on
        application.closed_reason = self.CLOSED_REASONS[stage]
        return True

    def _hire(self, rng, application: JobApplication, interview_on: date) -> None:
        offered = interview_on + timedelta(days=rng.randint(2, 4))
        if offered > self.today:
            return
        checks = offered + timedelta(days=rng.randint(1, 3))
        days = self.history.checks_days.at(interview_on, self.since)
        started = checks + timedelta(days=max(int(rng.gauss(days, 6)), 14))
        application.offered_on = offered
        application.proposed_start_date = started
        application.stage = Stage.OFFER
        if checks <= self.today:
            application.checks_started_on = checks
            application.stage = Stage.CHECKS
        if started <= self.today:
            application.started_on = started
            application.stage = Stage.STARTED

    def _panels_and_checks(self, applications) -> None:
        members, checks = [], []
        for application, panel_lived in applications:
            if application.interview_at:
                (hr_name, hr_role), (peer_name, peer_role) = self.history.interviewers
                members += [
                    InterviewPanelMember(application=application, name=hr_name, role=hr_role),
                    InterviewPanelMember(
                        application=application,
                        name=self.on_panel[application.vacancy.slug],
                        role="Peer support supervisor",
                    ),
                ]
                if panel_lived:
                    members.append(
                        InterviewPanelMember(
                            application=application,
                            name=peer_name,
                            role=peer_role,
                            has_lived_experience=True,
                        )
                    )
            if application.checks_started_on:
                done = application.started_on is not None
                checks += [
                    PreEmploymentCheck(
                        application=application,
                        kind=kind,
                        requested_on=application.checks_started_on,
                        completed_on=application.started_on - timedelta(days=3) if done else None,
                        outcome=PreEmploymentCheck.Outcome.SATISFACTORY
                        if done
                        else PreEmploymentCheck.Outcome.PENDING,
                    )
                    for kind in PreEmploymentCheck.Kind
                ]
        InterviewPanelMember.objects.bulk_create(members)
        PreEmploymentCheck.objects.bulk_create(checks)

    # --- Employment -----------------------------------------------------------------------

    def _workers(self, rng, applications: list[JobApplication]) -> None:
        history, today = self.history, self.today
        started = [a for a in applications if a.started_on]
        for application in started:
            worker = PeerWorker(
                user=application.candidate,
                organisation=self.organisation,
                team=self.teams[history.team_for(application.vacancy.title).name],
                level=self.levels["peer-support-worker"],
                job_title=application.vacancy.title,
                employment_type=history.employment_type,
                start_date=application.started_on,
                contracted_hours=history.hours,
                supervision_every_days=SUPERVISE_EVERY_DAYS,
            )
            first_year = history.leave_in_first_year.at(
                application.started_on + timedelta(days=180), self.since
            )
            if self.leaves_early(first_year):
                left_on = application.started_on + timedelta(days=rng.randint(60, 330))
            elif rng.random() < 0.25:
                left_on = application.started_on + timedelta(days=rng.randint(380, 900))
            else:
                left_on = None
            if left_on and left_on < today:
                reason, note = LEAVING[rng.randrange(len(LEAVING))]
                worker.status = PeerWorker.Status.LEFT
                worker.left_on = left_on
                worker.leaving_reason = reason
                worker.leaving_note = note
            self.workers.append(worker)
        supervisors = self._share_out()
        PeerWorker.objects.bulk_create(self.workers)
        for application, worker in zip(started, self.workers, strict=True):
            application.worker = worker
        JobApplication.objects.bulk_update(started, ["worker"])
        self.supervisor_of = {
            worker.pk: supervisor
            for worker, supervisor in zip(self.workers, supervisors, strict=True)
        }
        PeerWorker.supervisors.through.objects.bulk_create(
            PeerWorker.supervisors.through(peerworker_id=pk, user_id=supervisor.pk)
            for pk, supervisor in self.supervisor_of.items()
        )
        Group.objects.get(name=Role.PEER_WORKER.value).user_set.add(
            *[w.user for w in self.workers if w.status != PeerWorker.Status.LEFT]
        )

    def _share_out(self) -> list[User]:
        """Each worker's supervisor, in the order of ``self.workers``: a supervisor who keeps
        a light caseload takes the newest starters still in post in their team, and each
        other starter goes to whichever of the team's supervisors had the fewest
        supervisees on the day they started."""
        chosen: dict[int, User] = {}  # id() of the worker: their supervisor
        for team in self.history.teams:
            members = [w for w in self.workers if w.team_id == self.teams[team.name].pk]
            in_post = [w for w in members if w.left_on is None]
            newest = sorted(in_post, key=lambda w: w.start_date, reverse=True)
            others = []
            for supervisor in self.supervisors[team.name]:
                light = LIGHT_CASELOADS.get(supervisor.email)
                if light is None:
                    others.append(supervisor)
                    continue
                chosen |= {id(w): supervisor for w in newest[:light]}
                newest = newest[light:]
            for worker in sorted(members, key=lambda w: w.start_date):
                if id(worker) not in chosen:
                    chosen[id(worker)] = min(
                        others, key=lambda s: _caseload(s, chosen, members, worker.start_date)
                    )
        return [chosen[id(w)] for w in self.workers]

    def _supervision(self, rng, caught_up_rng) -> None:
        """Supervision as the trend says until the end of the last quarter, then on time.
        The trend's dates are drawn to ``today`` all the same, so the quarters the charter
        has read, and the progression drawn next from ``rng``, are as they would be without
        the catching up."""
        late = self.history.supervision_late
        kinds = [Supervision.Kind.LINE_MANAGEMENT, Supervision.Kind.REFLECTIVE]
        rows = []
        for worker in self.workers:
            until = min(worker.left_on or self.today, self.today)
            day = worker.start_date + timedelta(days=rng.randint(7, 21))
            days = []
            while day <= until:
                days.append(day)
                if self.supervision_slips(late.at(day, self.since)):
                    day += timedelta(days=rng.randint(35, 75))
                else:
                    day += timedelta(days=rng.randint(20, SUPERVISE_EVERY_DAYS))
            days = [d for d in days if d <= self.last_quarter_end]
            days += self._caught_up(caught_up_rng, worker, days, until)
            supervisor = self.supervisor_of[worker.pk]
            rows += [
                Supervision(
                    worker=worker,
                    supervisor=supervisor,
                    date=day,
                    kind=kinds[number % 2],
                    created_by=supervisor,
                )
                for number, day in enumerate(days)
            ]
        Supervision.objects.bulk_create(rows, batch_size=500)

    def _caught_up(self, rng, worker: PeerWorker, before: list[date], until: date) -> list[date]:
        """``worker``'s supervisions after the last quarter's end, up to ``until``: someone
        behind then is seen within a fortnight, everyone else when due, and every four weeks
        or sooner after that, so nobody is overdue on ``until``."""
        quarter_end = self.last_quarter_end
        if until <= quarter_end:
            return []
        last = before[-1] if before else None
        if last is None:
            day = worker.start_date + timedelta(days=rng.randint(7, 21))
        elif last + timedelta(days=SUPERVISE_EVERY_DAYS) < quarter_end:
            day = min(quarter_end + timedelta(days=rng.randint(1, 14)), until)
        else:
            day = last + timedelta(days=rng.randint(20, SUPERVISE_EVERY_DAYS))
        day = max(day, quarter_end + timedelta(days=1))
        days = []
        while day <= until:
            days.append(day)
            day += timedelta(days=rng.randint(20, SUPERVISE_EVERY_DAYS))
        return days

    def _progression(self, rng) -> None:
        """Progression reviews each financial year: some workers move up to senior."""
        senior, psw = self.levels["senior-peer-support-worker"], self.levels["peer-support-worker"]
        reviews, promoted = [], []
        year_start = date(history_start(self.since).year, 4, 1)
        while year_start <= self.today:
            wanted = round(self.history.progressions_a_year.at(year_start, self.since))
            progressed = 0
            for _ in range(wanted + 1):  # one more review than progressions: a "not yet"
                day = year_start + timedelta(days=rng.randint(20, 350))
                ready = [
                    w
                    for w in self.workers
                    if w.level_id == psw.pk
                    and w.start_date <= add_months(day, -9)
                    and (w.left_on is None or w.left_on > day)
                ]
                if day > self.today or not ready:
                    continue
                worker = ready[rng.randrange(len(ready))]
                progress = progressed < wanted
                progressed += progress
                reviews.append(
                    ProgressionReview(
                        worker=worker,
                        from_level=psw,
                        to_level=senior,
                        date=day,
                        reviewer=self.supervisor_of[worker.pk],
                        readiness_summary="Competences for the senior level evidenced and "
                        "signed off; leads the weekly peer group with confidence.",
                        decision=ProgressionReview.Decision.PROGRESS
                        if progress
                        else ProgressionReview.Decision.NOT_YET,
                        decision_note=""
                        if progress
                        else "Add evidence of supporting newer peers; review in three months.",
                    )
                )
                if progress:
                    worker.level = senior
                    worker.job_title = f"Senior {worker.job_title[0].lower()}{worker.job_title[1:]}"
                    promoted.append(worker)
            year_start = date(year_start.year + 1, 4, 1)
        ProgressionReview.objects.bulk_create(reviews)
        PeerWorker.objects.bulk_update(promoted, ["level", "job_title"])

    def _sessions(self, rng) -> None:
        """The last few weeks' sessions of each worker still in post: about four a week, in
        the places their team works, with what they talked about."""
        needs = list(Need.objects.order_by("sort_order", "name"))
        settings = {team.name: team.settings for team in self.history.teams}
        first_day = self.today - timedelta(weeks=SESSIONS_FOR_WEEKS)
        sessions, topics = [], []
        for worker in self.workers:
            if worker.left_on is not None:
                continue
            places = settings[self._team_name(worker)]
            day = max(worker.start_date, first_day)
            while day <= self.today:
                if day.weekday() < 5 and rng.random() < 0.8:
                    setting = rng.choice(places)
                    group = setting == Setting.GROUP
                    sessions.append(
                        SessionLog(
                            worker=worker,
                            date=day,
                            duration_minutes=rng.choice([30, 45, 60, 60, 90]),
                            setting=setting,
                            person_reference=""
                            if group
                            else f"{worker.user.first_name[0]}{rng.randint(1, 25):02d}",
                            group_size=rng.randint(4, 10) if group else 1,
                            notes=rng.choice(NOTES),
                            created_by=worker.user,
                        )
                    )
                day += timedelta(days=1)
        SessionLog.objects.bulk_create(sessions, batch_size=1000)
        for session in sessions:
            for need in rng.sample(needs, k=min(len(needs), rng.choice([0, 1, 1, 2]))):
                topics.append(SessionLog.topics.through(sessionlog_id=session.pk, need_id=need.pk))
        SessionLog.topics.through.objects.bulk_create(topics, batch_size=2000)
        # Loaded in bulk, which keeps no totals: count these workers' now.
        activity_totals_rebuild(
            workers=PeerWorker.objects.filter(pk__in={s.worker_id for s in sessions})
        )

    def _team_name(self, worker: PeerWorker) -> str:
        return next(name for name, team in self.teams.items() if team.pk == worker.team_id)


def _caseload(supervisor: User, chosen: dict, workers: Iterable[PeerWorker], day: date) -> int:
    """How many of ``workers`` ``supervisor`` supervised on ``day``."""
    return sum(
        1
        for w in workers
        if chosen.get(id(w)) is supervisor
        and w.start_date <= day
        and (w.left_on is None or w.left_on > day)
    )
