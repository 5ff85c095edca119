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
    Evidence,
    Measure,
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
