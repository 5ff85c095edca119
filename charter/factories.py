"""factory_boy factories for the charter: charters, commitments, measures, targets, readings,
actions, evidence and reviews. Written for the tests; they live in the app so the demo and
the benchmarks can build with them without importing the test tree.

``CharterFactory(published=True)``; ``MeasureFactory(computed="calculation_name")`` for a
computed measure; ``ReadingFactory(computed=True)`` for a snapshot.
"""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection

from charter.models import (
    Charter,
    CharterAction,
    Commitment,
    Comparison,
    Evidence,
    Measure,
    OutcomeMeasure,
    OutcomeTarget,
    Programme,
    Reading,
    Review,
    Target,
)
from cms.factories import TINY_PDF, OrganisationFactory

EVIDENCE_COLLECTION = "Charter evidence"


class CharterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Charter

    organisation = factory.SubFactory(OrganisationFactory)
    title = "Lived Experience Charter"
    version = factory.Sequence(lambda n: f"{n + 1}")
    adopted_on = date(2024, 4, 1)
    published = False


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    charter = factory.SubFactory(CharterFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Clear progression pathways {n}")
    description = "Peer workers can see how to progress."


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    commitment = factory.SubFactory(CommitmentFactory)
    name = factory.Sequence(lambda n: f"Peer workers promoted {n}")
    unit = Measure.Unit.PERCENT
    better = Measure.Better.HIGHER
    frequency = Measure.Frequency.QUARTERLY
    source = Measure.Source.ENTERED

    class Params:
        computed = factory.Trait(source=Measure.Source.COMPUTED)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    measure = factory.SubFactory(MeasureFactory)
    due_on = date(2026, 3, 31)
    value = Decimal("60")


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    measure = factory.SubFactory(MeasureFactory)
    period_start = date(2025, 1, 1)
    period_end = date(2025, 3, 31)
    value = Decimal("40")
    note = "From the HR system."

    class Params:
        computed = factory.Trait(computed_at=factory.LazyFunction(timezone.now), note="")


class CharterActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CharterAction

    charter = factory.SubFactory(CharterFactory)
    title = factory.Sequence(lambda n: f"Train recruiting managers, round {n}")
    owner = "Director of People"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))

    class Params:
        overdue = factory.Trait(
            due_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10)),
            status=CharterAction.Status.IN_PROGRESS,
        )


def evidence_collection() -> Collection:
    """The private "Charter evidence" collection made by charter's migration 0002."""
    return Collection.objects.get(name=EVIDENCE_COLLECTION, depth=2)


class EvidenceDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_document_model()

    title = factory.Sequence(lambda n: f"Board paper {n}")
    file = factory.LazyFunction(lambda: ContentFile(TINY_PDF, name="evidence.pdf"))
    collection = factory.LazyFunction(evidence_collection)


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    charter = factory.SubFactory(CharterFactory)
    title = factory.Sequence(lambda n: f"Recruitment policy {n}")
    document = factory.SubFactory(EvidenceDocumentFactory)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    charter = factory.SubFactory(CharterFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


# --- Partnership outcomes ----------------------------------------------------------------------


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """``ProgrammeFactory(published=True)``; ``offers=[...]`` and ``teams=[...]`` link them."""

    class Meta:
        model = Programme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Peer mentoring after a hospital stay {n}")
    summary = "Peer mentors meet people before they leave hospital and stay alongside them."
    published = False

    @factory.post_generation
    def offers(self, create, extracted, **kwargs):
        if create and extracted:
            self.offers.set(extracted)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)


class OutcomeMeasureFactory(factory.django.DjangoModelFactory):
    """A count where lower is better; ``OutcomeMeasureFactory(rate=True)`` for a rate per
    100 people."""

    class Meta:
        model = OutcomeMeasure

    class Params:
        rate = factory.Trait(kind=OutcomeMeasure.Kind.RATE, per=100)

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Days spent in hospital {n}")
    counted = "Days the people mentored spent in a mental health hospital bed."
    kind = OutcomeMeasure.Kind.COUNT
    better = OutcomeMeasure.Better.LOWER
    method = "Counted for the same people in the year before and the year after."


class ComparisonFactory(factory.django.DjangoModelFactory):
    """Two financial years that have ended (2023 to 2024, then 2024 to 2025), entered."""

    class Meta:
        model = Comparison

    measure = factory.SubFactory(OutcomeMeasureFactory)
    before_start = date(2023, 4, 1)
    before_end = date(2024, 3, 31)
    before_value = Decimal("4786")
    after_start = date(2024, 4, 1)
    after_end = date(2025, 3, 31)
    after_value = Decimal("312")
    source = Comparison.Source.ENTERED
    note = "Figures from a published evaluation."
    entered_at = factory.LazyFunction(timezone.now)


class OutcomeTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeTarget

    measure = factory.SubFactory(OutcomeMeasureFactory)
    due_on = factory.Sequence(lambda n: date(2027 + n, 4, 1))
    value = Decimal("200")
