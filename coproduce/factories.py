"""factory_boy factories for co-production: profiles, panels, applications, meetings,
attendance, claims, feedback and "You said, we did". Used by the tests and by the demo
(``service_changes_index``); they live in the app so the demo never imports the test tree.

Traits name states: ``PanelFactory(recruiting=True)``, ``PanelApplicationFactory(accepted=True)``,
``MeetingFactory(past=True)``, ``InvolvementClaimFactory(approved=True)``.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model

from cms.encryption import encrypt
from cms.factories import (
    TINY_PDF,
    OfferPageFactory,
    OrganisationFactory,
    UserFactory,
    add_page,
    grant_roles,
    home_page,
)
from cms.roles import Role
from coproduce.choices import CoproductionLevel, PaymentChoice
from coproduce.models import (
    AccessArrangement,
    Attendance,
    ConsentRecord,
    ContactTask,
    Conversation,
    ConversationMessage,
    Expense,
    Feedback,
    InvolvementClaim,
    InvolvementProfile,
    Meeting,
    MeetingPaper,
    MeetingReply,
    Panel,
    PanelApplication,
    PanelMemberSignOff,
    PayeeDetails,
    ServiceChangeIndexPage,
    ServiceChangePage,
    ServiceChangeUpdate,
    Theme,
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


class MeetingReplyFactory(factory.django.DjangoModelFactory):
    """A member's answer to a meeting invitation (coming, unless told otherwise)."""

    class Meta:
        model = MeetingReply

    meeting = factory.SubFactory(MeetingFactory)
    member = factory.SubFactory(MemberFactory)
    answer = MeetingReply.Answer.COMING

    class Params:
        not_coming = factory.Trait(
            answer=MeetingReply.Answer.NOT_COMING, note="Sorry, I have a hospital appointment."
        )
        maybe = factory.Trait(answer=MeetingReply.Answer.MAYBE)


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


class PayeeDetailsFactory(factory.django.DjangoModelFactory):
    """A member's bank details, encrypted as the service keeps them (a fictional account:
    sort code 12-34-56 is not a real bank's)."""

    class Meta:
        model = PayeeDetails
        django_get_or_create = ("user",)

    class Params:
        name = factory.LazyAttribute(lambda o: o.user.get_full_name() or "A Member")
        digits_sort = "123456"
        digits_account = "00004321"

    user = factory.SubFactory(MemberFactory)
    account_name = factory.LazyAttribute(lambda o: encrypt(o.name))
    sort_code = factory.LazyAttribute(lambda o: encrypt(o.digits_sort))
    account_number = factory.LazyAttribute(lambda o: encrypt(o.digits_account))
    sort_code_last_digits = factory.LazyAttribute(lambda o: o.digits_sort[-2:])
    account_number_last_digits = factory.LazyAttribute(lambda o: o.digits_account[-4:])
    modulus_check = PayeeDetails.ModulusCheck.NOT_CHECKED


class ExpenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expense

    claim = factory.SubFactory(InvolvementClaimFactory)
    kind = Expense.Kind.TRAVEL
    description = "Bus there and back"
    amount = Decimal("4.80")
    receipt = factory.LazyFunction(lambda: ContentFile(TINY_PDF, name="bus-ticket.pdf"))


def panel_papers_collection():
    """The private collection made by migration coproduce 0002 for meeting papers."""
    from wagtail.models import Collection

    return Collection.objects.get(name="Panel papers")


class PanelPaperDocumentFactory(factory.django.DjangoModelFactory):
    """A Wagtail document in the "Panel papers" collection (a real, if empty, PDF)."""

    class Meta:
        model = get_document_model()

    title = factory.Sequence(lambda n: f"Meeting paper {n}")
    file = factory.LazyFunction(lambda: ContentFile(TINY_PDF, name="paper.pdf"))
    collection = factory.LazyFunction(panel_papers_collection)


class MeetingPaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingPaper

    meeting = factory.SubFactory(MeetingFactory)
    document = factory.SubFactory(PanelPaperDocumentFactory)
    title = factory.Sequence(lambda n: f"Draft leaflet {n}")


# --- Feedback and "You said, we did" -----------------------------------------------------------


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Theme {n}")


class FeedbackFactory(factory.django.DjangoModelFactory):
    """Feedback from a signed-in member; ``public=True`` or ``on_behalf=True`` for the others,
    ``published=True`` for consented feedback with a checked quote, ``themes=[...]``."""

    class Meta:
        model = Feedback
        skip_postgeneration_save = True

    offer = factory.SubFactory(OfferPageFactory)
    offer_title = factory.SelfAttribute("offer.title")
    organisation = factory.SelfAttribute("offer.provider")
    source = Feedback.Source.MEMBER
    author = factory.SubFactory(MemberFactory)
    went_well = "The staff were kind and I was seen the same evening."
    could_be_better = "It was hard to find the entrance."
    rating = Feedback.Rating.GOOD
    felt_listened_to = Feedback.Listened.YES

    class Params:
        public = factory.Trait(source=Feedback.Source.PUBLIC, author=None)
        on_behalf = factory.Trait(
            source=Feedback.Source.PEER_WORKER,
            author=None,
            recorded_by=factory.SubFactory(UserFactory, roles=[Role.PEER_WORKER]),
        )
        published = factory.Trait(
            consent_to_publish=True,
            public_quote=factory.SelfAttribute("went_well"),
            status=Feedback.Status.TRIAGED,
        )

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.add(*extracted)


def service_changes_index() -> ServiceChangeIndexPage:
    """The "You said, we did" index, created under the home page the first time."""
    index = ServiceChangeIndexPage.objects.first()
    if index is None:
        index = add_page(
            home_page(),
            ServiceChangeIndexPage(
                title="You said, we did",
                slug="you-said-we-did",
                intro="What changed because people told us what they thought.",
            ),
        )
    return index


class ServiceChangePageFactory(factory.Factory):
    """Build a service change; creating one publishes it under the index.
    ``offers=[...]``, ``themes=[...]`` and ``updates=[(date, status, note)]`` set relations."""

    class Meta:
        model = ServiceChangePage

    title = factory.Sequence(lambda n: f"Change {n}")
    slug = factory.LazyAttribute(lambda o: o.title.lower().replace(" ", "-"))
    what_people_said = "<p>People said the entrance was hard to find.</p>"
    what_changed = "<p>We put up signs and a map on the website.</p>"
    status = ServiceChangePage.Status.DONE

    @classmethod
    def _create(cls, model_class, *args, offers=(), themes=(), updates=None, **kwargs):
        page = model_class(*args, **kwargs)
        page.offers = list(offers)
        page.themes = list(themes)
        today = timezone.localdate()
        page.updates = [
            ServiceChangeUpdate(date=day, status=status, note=note)
            for day, status, note in (updates or [(today, page.status, "")])
        ]
        return add_page(service_changes_index(), page)


def service_change_in_sign_off(*, panel, submitted_by, **fields) -> ServiceChangePage:
    """A change for ``panel`` written by ``submitted_by`` and submitted to the sign-off
    workflow, never published: its members are asked to answer the draft."""
    from wagtail.models import Workflow

    from coproduce.models.changes import SIGN_OFF_WORKFLOW_NAME

    fields.setdefault("title", f"Change {ServiceChangePage.objects.count() + 1}")
    fields.setdefault("slug", fields["title"].lower().replace(" ", "-"))
    fields.setdefault("what_people_said", "<p>People said the entrance was hard to find.</p>")
    fields.setdefault("what_changed", "<p>We will put up signs and a map on the website.</p>")
    fields.setdefault("status", ServiceChangePage.Status.PLANNED)
    page = ServiceChangePage(panel=panel, live=False, owner=submitted_by, **fields)
    page.updates = [
        ServiceChangeUpdate(date=timezone.localdate(), status=page.status, note="Agreed.")
    ]
    service_changes_index().add_child(instance=page)
    page.save_revision(user=submitted_by)
    Workflow.objects.get(name=SIGN_OFF_WORKFLOW_NAME).start(page, submitted_by)
    return page


class PanelMemberSignOffFactory(factory.django.DjangoModelFactory):
    """A member's answer to the latest version of ``page``: agreed unless ``changes=True``."""

    class Meta:
        model = PanelMemberSignOff

    page = factory.SubFactory(ServiceChangePageFactory)
    revision = factory.LazyAttribute(lambda o: o.page.get_latest_revision())
    member = factory.SubFactory(MemberFactory)
    decision = PanelMemberSignOff.Decision.AGREE
    comment = ""

    class Params:
        changes = factory.Trait(
            decision=PanelMemberSignOff.Decision.CHANGES, comment="Please add the weekend hours."
        )


class ConversationFactory(factory.django.DjangoModelFactory):
    """A member's message to the lead of a panel they are on, about one of its meetings,
    waiting for an answer. ``to=Conversation.To.FINANCE`` with a ``claim`` for finance."""

    class Meta:
        model = Conversation
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory, past=True)
    panel = factory.SelfAttribute("meeting.panel")
    organisation = factory.SelfAttribute("panel.organisation")
    member = factory.SubFactory(MemberFactory)
    to = Conversation.To.LEAD
    subject = factory.Sequence(lambda n: f"A question about the meeting {n}")
    last_message_at = factory.LazyFunction(timezone.now)
    waiting_for_staff = True

    @factory.post_generation
    def body(self, create, extracted, **kwargs):
        """The member's first message: ``body="..."`` to choose its words."""
        if create:
            ConversationMessage.objects.create(
                conversation=self,
                author=self.member,
                body=extracted or "Will there be a hearing loop in the room?",
            )


class ConversationMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConversationMessage

    conversation = factory.SubFactory(ConversationFactory)
    author = factory.SelfAttribute("conversation.member")
    from_staff = False
    body = "Thank you."


class ContactTaskFactory(factory.django.DjangoModelFactory):
    """A phone call a lead is to make, for a member who chose to be phoned."""

    class Meta:
        model = ContactTask

    member = factory.SubFactory(MemberFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    kind = ContactTask.Kind.PHONE
    notice = "meetings"
    subject = "A new meeting of your panel"
    body = "There is a new meeting of your panel on Tuesday at 2pm."
