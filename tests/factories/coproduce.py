"""Factories for co-production: profiles, panels, applications, meetings, attendance, claims.

Traits name states: ``PanelFactory(recruiting=True)``, ``PanelApplicationFactory(accepted=True)``,
``MeetingFactory(past=True)``, ``InvolvementClaimFactory(approved=True)``.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from cms.roles import Role
from coproduce.choices import CoproductionLevel, PaymentChoice
from coproduce.models import (
    AccessArrangement,
    Attendance,
    ConsentRecord,
    Expense,
    InvolvementClaim,
    InvolvementProfile,
    Meeting,
    Panel,
    PanelApplication,
)

from .cms import OrganisationFactory, UserFactory, grant_roles

# The smallest valid PDF: receipts in tests are real (if empty) PDF files.
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class MemberFactory(UserFactory):
    """A verified member (expert by experience); ``roles=[...]`` still replaces the role."""

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            grant_roles(self, extracted or [Role.MEMBER])


class InvolvementProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvolvementProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(MemberFactory)
    display_name = factory.LazyAttribute(lambda o: o.user.first_name or "Member")
    pronouns = "they/them"
    access_needs = factory.LazyFunction(list)
    payment_choice = PaymentChoice.PAID


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentRecord

    user = factory.SubFactory(MemberFactory)
    purpose = "involvement"
    version = "2026-11"
    statement = "I agree."
    given_at = factory.LazyFunction(timezone.now)


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panel
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Crisis café design panel {n}")
    purpose = "Redesign how people find and use the crisis café out of hours."
    status = Panel.Status.ACTIVE
    seats = 8
    who_is_sought = "People who have used crisis services in the last two years, and carers."
    coproduction_level = CoproductionLevel.CO_DESIGN
    hourly_rate = Decimal("15.00")
    time_commitment = "2 hours a month for 6 months"

    class Params:
        draft = factory.Trait(status=Panel.Status.DRAFT)
        recruiting = factory.Trait(status=Panel.Status.RECRUITING)
        closed = factory.Trait(status=Panel.Status.CLOSED)

    @factory.post_generation
    def facilitators(self, create, extracted, **kwargs):
        if create and extracted:
            self.facilitators.add(*extracted)

    @factory.post_generation
    def offers(self, create, extracted, **kwargs):
        if create and extracted:
            self.offers.add(*extracted)


class PanelApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PanelApplication

    panel = factory.SubFactory(PanelFactory, recruiting=True)
    applicant = factory.SubFactory(MemberFactory)
    statement = "I have used the crisis café and want it to be easier to find."
    status = PanelApplication.Status.PENDING

    class Params:
        accepted = factory.Trait(
            status=PanelApplication.Status.ACCEPTED, decided_at=factory.LazyFunction(timezone.now)
        )
        waitlisted = factory.Trait(
            status=PanelApplication.Status.WAITLISTED,
            decided_at=factory.LazyFunction(timezone.now),
        )
        declined = factory.Trait(
            status=PanelApplication.Status.DECLINED,
            decided_at=factory.LazyFunction(timezone.now),
            decision_note="The panel is full.",
        )


def _next_week_at_ten():
    start = timezone.localtime() + timedelta(days=7)
    return start.replace(hour=10, minute=0, second=0, microsecond=0)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    panel = factory.SubFactory(PanelFactory)
    title = factory.Sequence(lambda n: f"Panel meeting {n}")
    starts_at = factory.LazyFunction(_next_week_at_ten)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    mode = Meeting.Mode.IN_PERSON
    location = "The Light House, 12 Market Street, Northdale"
    agenda = "Welcome. What we heard last time. Ideas for the new leaflet."

    class Params:
        past = factory.Trait(
            starts_at=factory.LazyFunction(lambda: _next_week_at_ten() - timedelta(days=21))
        )
        online = factory.Trait(
            mode=Meeting.Mode.ONLINE, location="", joining_link="https://meet.example.org/panel"
        )
        cancelled = factory.Trait(
            status=Meeting.Status.CANCELLED,
            cancellation_reason="The venue flooded.",
            cancelled_at=factory.LazyFunction(timezone.now),
        )


class AccessArrangementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessArrangement

    meeting = factory.SubFactory(MeetingFactory)
    need = "bsl"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory, past=True)
    member = factory.SubFactory(MemberFactory)
    status = Attendance.Status.ATTENDED
    hours = Decimal("2.00")


class InvolvementClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvolvementClaim

    attendance = factory.SubFactory(AttendanceFactory)
    member = factory.SelfAttribute("attendance.member")
    panel = factory.SelfAttribute("attendance.meeting.panel")
    hours = factory.SelfAttribute("attendance.hours")
    hourly_rate = factory.SelfAttribute("panel.hourly_rate")
    payment_choice = PaymentChoice.PAID
    status = InvolvementClaim.Status.DRAFT

    class Params:
        submitted = factory.Trait(
            status=InvolvementClaim.Status.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
        )
        returned = factory.Trait(
            status=InvolvementClaim.Status.RETURNED,
            submitted_at=factory.LazyFunction(timezone.now),
            return_reason="Please add the bus ticket.",
        )
        approved = factory.Trait(
            status=InvolvementClaim.Status.APPROVED,
            submitted_at=factory.LazyFunction(timezone.now),
            approved_at=factory.LazyFunction(timezone.now),
            amount_approved=factory.LazyAttribute(lambda o: o.hours * o.hourly_rate),
        )
        paid = factory.Trait(
            status=InvolvementClaim.Status.PAID,
            submitted_at=factory.LazyFunction(timezone.now),
            approved_at=factory.LazyFunction(timezone.now),
            amount_approved=factory.LazyAttribute(lambda o: o.hours * o.hourly_rate),
            paid_at=factory.LazyFunction(timezone.now),
            payment_reference="BACS-0001",
        )


class ExpenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expense

    claim = factory.SubFactory(InvolvementClaimFactory)
    kind = Expense.Kind.TRAVEL
    description = "Bus there and back"
    amount = Decimal("4.80")
    receipt = factory.LazyFunction(lambda: ContentFile(TINY_PDF, name="bus-ticket.pdf"))
