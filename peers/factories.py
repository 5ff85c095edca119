"""factory_boy factories for peer work: workers and teams, session logs, safeguarding,
supervision, wellbeing check-ins, the progression pathway and recruitment. Written for the
tests; they live in the app so the demo and the benchmarks can build with them without
importing the test tree.

``PeerWorkerFactory(supervisors=[someone])`` names supervisors (a supervisor is made when
none are given; pass ``supervisors=[]`` for none). Traits: ``PeerWorkerFactory(left=True)``,
``SessionLogFactory(group=True)``, ``SafeguardingConcernFactory(acknowledged=True)``.
"""

from datetime import timedelta

import factory
from django.utils import timezone
from django.utils.text import slugify

from cms.factories import OrganisationFactory, UserFactory, grant_roles
from cms.roles import Role
from peers import wellbeing_scale
from peers.models import (
    Level,
    OfferOutcomeFigures,
    PeerWorker,
    SafeguardingConcern,
    SessionLog,
    Supervision,
    SupervisionAction,
    Team,
    WellbeingCheckIn,
)
from peers.models.sessions import Setting


def level(slug: str = "peer-support-worker") -> Level:
    """One of the pathway levels seeded by the migration."""
    return Level.objects.get(slug=slug)


class PeerWorkerUserFactory(UserFactory):
    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            grant_roles(self, extracted or [Role.PEER_WORKER])


class SupervisorFactory(UserFactory):
    """A supervisor; pass ``mfa=True`` to sign them in to staff pages."""

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            grant_roles(self, extracted or [Role.SUPERVISOR])


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("organisation", "name")

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Peer team {n}")


class PeerWorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerWorker
        skip_postgeneration_save = True

    user = factory.SubFactory(PeerWorkerUserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    level = factory.LazyFunction(level)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=400))
    contracted_hours = 22.5

    class Params:
        left = factory.Trait(
            status=PeerWorker.Status.LEFT,
            left_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10)),
            leaving_reason=PeerWorker.LeavingReason.NEW_JOB,
        )
        on_leave = factory.Trait(status=PeerWorker.Status.ON_LEAVE)

    @factory.post_generation
    def supervisors(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [SupervisorFactory(organisation=self.organisation)]
        self.supervisors.add(*extracted)


class SessionLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionLog
        skip_postgeneration_save = True

    worker = factory.SubFactory(PeerWorkerFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    duration_minutes = 60
    setting = Setting.COMMUNITY
    person_reference = factory.Sequence(lambda n: f"P-{n:04d}")
    group_size = 1
    notes = "Talked about getting back into volunteering."
    created_by = factory.LazyAttribute(lambda o: o.worker.user)

    class Params:
        group = factory.Trait(setting=Setting.GROUP, group_size=6, person_reference="")

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.add(*extracted)

    @factory.post_generation
    def signposted_to(self, create, extracted, **kwargs):
        if create and extracted:
            self.signposted_to.add(*extracted)


class SafeguardingConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafeguardingConcern

    session = factory.SubFactory(SessionLogFactory)
    worker = factory.LazyAttribute(lambda o: o.session.worker)
    description = "They said they had been threatened by a neighbour."
    raised_by = factory.LazyAttribute(lambda o: o.session.worker.user)

    class Params:
        acknowledged = factory.Trait(
            acknowledged_at=factory.LazyFunction(timezone.now),
            action_taken="Spoke to the safeguarding team; referral made.",
        )


class SupervisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supervision

    worker = factory.SubFactory(PeerWorkerFactory)
    supervisor = factory.LazyAttribute(lambda o: o.worker.supervisors.first())
    date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=7))
    kind = Supervision.Kind.LINE_MANAGEMENT
    notes = "Reviewed caseload and training plans."
    created_by = factory.LazyAttribute(lambda o: o.supervisor)


class SupervisionActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionAction

    supervision = factory.SubFactory(SupervisionFactory)
    description = "Book onto the safeguarding level 2 course."
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))


class WellbeingCheckInFactory(factory.django.DjangoModelFactory):
    """A middling check-in (every item 3: raw 21); set items or raw/metric for others."""

    class Meta:
        model = WellbeingCheckIn

    worker = factory.SubFactory(PeerWorkerFactory)
    optimistic = 3
    useful = 3
    relaxed = 3
    dealing_with_problems = 3
    thinking_clearly = 3
    close_to_others = 3
    own_mind = 3
    raw_score = factory.LazyAttribute(
        lambda o: (
            o.optimistic
            + o.useful
            + o.relaxed
            + o.dealing_with_problems
            + o.thinking_clearly
            + o.close_to_others
            + o.own_mind
        )
    )
    # From the published table (raw 21 is 19.25), so factories and the service agree.
    metric_score = factory.LazyAttribute(lambda o: wellbeing_scale.metric_score(o.raw_score))


# --- Progression pathway and induction ------------------------------------------------------
# Model names as strings, so this section needs no edit to the imports above. Competences
# and courses are the ones the migration seeds: ``competence()`` and ``training()`` fetch
# one needed for a level.


def competence(level_slug: str = "peer-support-worker", index: int = 0):
    from peers.models import Competence

    return Competence.objects.filter(levels__slug=level_slug).order_by("order")[index]


def training(level_slug: str = "peer-support-worker", index: int = 0):
    from peers.models import Training

    return Training.objects.filter(levels__slug=level_slug).order_by("order")[index]


class CompetenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "peers.Competence"
        skip_postgeneration_save = True

    domain = "relational"
    title = factory.Sequence(lambda n: f"Test competence {n}")
    description = "Shows the skill in practice."
    order = factory.Sequence(lambda n: 1000 + n)

    @factory.post_generation
    def levels(self, create, extracted, **kwargs):
        if create and extracted:
            self.levels.add(*extracted)


class TrainingCourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "peers.Training"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Test course {n}")
    provider = "Recovery college"
    hours = 3
    order = factory.Sequence(lambda n: 1000 + n)

    @factory.post_generation
    def levels(self, create, extracted, **kwargs):
        if create and extracted:
            self.levels.add(*extracted)


class CompetenceEvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "peers.CompetenceEvidence"

    worker = factory.SubFactory(PeerWorkerFactory)
    competence = factory.LazyFunction(competence)
    description = "Ran a wellbeing group and shared how I manage my own low days."
    date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=20))


class CompetenceSignOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "peers.CompetenceSignOff"

    worker = factory.SubFactory(PeerWorkerFactory)
    competence = factory.LazyFunction(competence)
    signed_off_by = factory.LazyAttribute(lambda o: o.worker.supervisors.first())
    note = "Saw this in supervision and in a shadowed session."


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "peers.TrainingRecord"

    worker = factory.SubFactory(PeerWorkerFactory)
    training = factory.LazyFunction(training)
    provider = "Recovery college"
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))
    hours = 6
    added_by = factory.LazyAttribute(lambda o: o.worker.user)

    class Params:
        expired = factory.Trait(
            completed_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=800)),
            expires_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30)),
        )


class ProgressionReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "peers.ProgressionReview"

    worker = factory.SubFactory(PeerWorkerFactory)
    from_level = factory.LazyFunction(lambda: level("trainee"))
    to_level = factory.LazyFunction(level)
    date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=200))
    reviewer = factory.LazyAttribute(lambda o: o.worker.supervisors.first())
    readiness_summary = "Confident in one-to-one work; all competences evidenced."
    decision = "progress"


# --- Recruitment -----------------------------------------------------------------------------


class VacancyFactory(factory.django.DjangoModelFactory):
    """An open vacancy closing in a month; ``draft=True`` / ``closed=True`` for the others."""

    class Meta:
        model = "peers.Vacancy"

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Peer support worker {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    level = factory.LazyFunction(level)
    pay = "Band 4, £26,530 to £29,114 a year"
    hours_per_week = 30
    closing_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    description = "Support people on the ward using your own lived experience."
    status = "open"
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status="draft", published_at=None)
        closed = factory.Trait(status="closed", closed_at=factory.LazyFunction(timezone.now))


class JobApplicationFactory(factory.django.DjangoModelFactory):
    """An application at "applied"; set ``stage`` and its dates for later stages."""

    class Meta:
        model = "peers.JobApplication"

    vacancy = factory.SubFactory(VacancyFactory)
    candidate = factory.SubFactory(UserFactory)
    statement = "I have used crisis services and want to help others through them."
    has_lived_experience = True
    consent_to_contact = True


class OfferOutcomeFiguresFactory(factory.django.DjangoModelFactory):
    """A partner's collated SWEMWBS figures for an offer over the first half of 2026."""

    class Meta:
        model = OfferOutcomeFigures

    offer = factory.SubFactory("cms.factories.OfferPageFactory")
    measure = "swemwbs"
    period_start = factory.LazyFunction(lambda: timezone.localdate().replace(month=1, day=1))
    period_end = factory.LazyFunction(lambda: timezone.localdate().replace(month=1, day=31))
    people = 20
    improved = 11
    source = "Northdale PROMs collation"
