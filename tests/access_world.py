"""The access matrix's world: two organisations, a person in each role at ours, and a record
of every kind the site's URLs take an id or slug for, all belonging to the other
organisation or to another person.

The matrix requests every URL with these records, so each answer it checks is "may this
role reach somebody else's record?": for staff of our organisation the answer is no.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.utils import timezone

from charter.factories import (
    ComparisonFactory,
    OutcomeMeasureFactory,
    OutcomeTargetFactory,
    ProgrammeFactory,
)
from cms.factories import TINY_PDF
from cms.mail import MAX_ATTEMPTS, serialise_message
from cms.models import DataRequest, OutboundEmail, OutboundText, ReportJob, RetentionRun
from cms.roles import Role
from coproduce.factories import AttendanceFactory, MeetingPaperFactory
from coproduce.models import ContactTask
from coproduce.services.impact import IMPACT_REPORT
from peers.factories import (
    JobApplicationFactory,
    OfferOutcomeFiguresFactory,
    VacancyFactory,
    competence,
)
from peers.models import InductionItem
from tests.conftest import ROLE_FOR_NAME, ROLE_NAMES
from tests.factories import (
    AreaFactory,
    CharterActionFactory,
    CharterFactory,
    CommitmentFactory,
    EvidenceFactory,
    ExpenseFactory,
    FeedbackFactory,
    InvolvementClaimFactory,
    InvolvementProfileFactory,
    MeasureFactory,
    MeetingFactory,
    MemberFactory,
    NeedFactory,
    OfferPageFactory,
    OrganisationFactory,
    PanelApplicationFactory,
    PanelFactory,
    PeerWorkerFactory,
    ReadingFactory,
    ReviewFactory,
    SafeguardingConcernFactory,
    SessionLogFactory,
    SupervisionActionFactory,
    SupervisionFactory,
    SupervisorFactory,
    TargetFactory,
    TeamFactory,
    ThemeFactory,
    UserFactory,
    WellbeingCheckInFactory,
)


@dataclass
class World:
    """Our organisation and its people; the other organisation and its records."""

    ours: object
    other: object
    people: dict  # role name -> the person at our organisation (None for anonymous)
    records: dict = field(default_factory=dict)  # short name -> the other's record

    def __getattr__(self, name):
        try:
            return self.__dict__["records"][name]
        except KeyError:
            raise AttributeError(name) from None

    def record_of(self, model):
        """The world's record of ``model`` (the one an admin viewset's ``pk`` names)."""
        for record in self.records.values():
            if type(record) is model:
                return record
        raise LookupError(f"The access world has no {model.__name__}")


def _person(role_name: str, ours):
    """As conftest's ``make_person``: staff with MFA; staff and peer workers at ours."""
    if role_name == "anonymous":
        return None
    role = ROLE_FOR_NAME[role_name]
    staff = role not in (Role.MEMBER, Role.PEER_WORKER)
    return UserFactory(
        email=f"matrix-{role_name.replace('_', '-')}@example.org",
        roles=[role],
        verified=role_name != "unverified",
        mfa=staff,
        organisation=ours if staff or role is Role.PEER_WORKER else None,
    )


def build_world() -> World:
    ours = OrganisationFactory(name="Northdale Health NHS Trust", nhs_trust=True)
    other = OrganisationFactory(name="Southmoor Council", local_authority=True)
    world = World(ours=ours, other=other, people={n: _person(n, ours) for n in ROLE_NAMES})
    r = world.records

    r["organisation"] = other
    # People of the other organisation, and a member who is nobody in our matrix.
    r["lead"] = UserFactory(roles=[Role.ENGAGEMENT_LEAD], organisation=other)
    r["member"] = MemberFactory()
    r["profile"] = InvolvementProfileFactory(user=r["member"])
    r["supervisor"] = SupervisorFactory(organisation=other)

    # Co-production: a draft panel (only its own leads may see it) and all that hangs off it.
    r["offer"] = OfferPageFactory(provider=other)
    r["panel"] = PanelFactory(
        organisation=other, draft=True, facilitators=[r["lead"]], offers=[r["offer"]]
    )
    r["application"] = PanelApplicationFactory(panel=r["panel"], applicant=r["member"])
    r["meeting"] = MeetingFactory(panel=r["panel"], past=True)
    r["paper"] = MeetingPaperFactory(meeting=r["meeting"])
    attendance = AttendanceFactory(meeting=r["meeting"], member=r["member"])
    # Approved: the state in which the most people (leads, finance) may see a claim.
    r["claim"] = InvolvementClaimFactory(attendance=attendance, approved=True)
    r["expense"] = ExpenseFactory(claim=r["claim"])
    # A text message that could not be delivered (admins may look at it and send it again).
    r["outbound_text"] = OutboundText.objects.create(
        recipient=r["member"],
        phone_number="+447700900123",
        body="Your claim has been approved",
        status=OutboundText.Status.FAILED,
    )
    # A letter the other organisation's leads are to send the member.
    r["contact_task"] = ContactTask.objects.create(
        member=r["member"],
        organisation=other,
        panel=r["panel"],
        kind=ContactTask.Kind.LETTER,
        notice="claims",
        subject="Your claim has been approved",
        body="Your claim has been approved.",
    )
    r["feedback"] = FeedbackFactory(offer=r["offer"], author=r["member"])
    r["outcome_figures"] = OfferOutcomeFiguresFactory(offer=r["offer"])
    r["theme"] = ThemeFactory(name="Getting through the door")
    r["need"] = NeedFactory(name="Loneliness")
    r["area"] = AreaFactory(name="Southmoor")

    # Peer work: a worker of the other organisation and their case records.
    r["team"] = TeamFactory(organisation=other, name="Southmoor peer team")
    r["worker"] = PeerWorkerFactory(
        organisation=other, team=r["team"], supervisors=[r["supervisor"]]
    )
    r["session"] = SessionLogFactory(worker=r["worker"])
    r["concern"] = SafeguardingConcernFactory(session=r["session"])
    r["supervision"] = SupervisionFactory(worker=r["worker"], supervisor=r["supervisor"])
    r["supervision_action"] = SupervisionActionFactory(supervision=r["supervision"])
    r["wellbeing"] = WellbeingCheckInFactory(worker=r["worker"])
    r["competence"] = competence()
    r["induction_item"] = InductionItem.objects.create(
        worker=r["worker"], key="welcome", title="Meet the team", target_week=1
    )

    # Recruitment: a draft vacancy (only its own HR may see it) and someone's application.
    r["vacancy"] = VacancyFactory(organisation=other, draft=True)
    r["job_application"] = JobApplicationFactory(vacancy=r["vacancy"], candidate=UserFactory())

    # The charter (unpublished) and everything kept under it.
    r["charter"] = CharterFactory(organisation=other)
    r["commitment"] = CommitmentFactory(charter=r["charter"])
    r["measure"] = MeasureFactory(commitment=r["commitment"])
    r["target"] = TargetFactory(measure=r["measure"])
    r["reading"] = ReadingFactory(measure=r["measure"])
    r["action"] = CharterActionFactory(charter=r["charter"])
    r["evidence"] = EvidenceFactory(charter=r["charter"])
    r["review"] = ReviewFactory(charter=r["charter"])

    # A draft programme of partnership outcomes, led by the other organisation.
    r["programme"] = ProgrammeFactory(name="Southmoor peer mentoring")
    r["programme"].lead_organisations.set([other])
    r["outcome_measure"] = OutcomeMeasureFactory(programme=r["programme"])
    r["comparison"] = ComparisonFactory(measure=r["outcome_measure"])
    r["outcome_target"] = OutcomeTargetFactory(measure=r["outcome_measure"])

    # A finished report that the other organisation's lead asked for.
    r["report_job"] = ReportJob.objects.create(
        kind=IMPACT_REPORT,
        title="Impact of the Southmoor panel",
        params={"panel": r["panel"].pk},
        requested_by=r["lead"],
        status=ReportJob.Status.DONE,
        progress=100,
        file=ContentFile(TINY_PDF, name="impact.pdf"),
        filename="impact.pdf",
        finished_at=timezone.now() - timedelta(minutes=5),
    )
    # A request the other organisation's member made by letter for a copy of their data.
    r["data_request"] = DataRequest.objects.create(
        person=r["member"],
        kind=DataRequest.Kind.ACCESS,
        channel=DataRequest.Channel.LETTER,
        received_on=timezone.localdate() - timedelta(days=3),
        identity_checked="Called back on the number we hold",
    )
    # A dry run of the retention task.
    r["retention_run"] = RetentionRun.objects.create(
        started_at=timezone.now(), finished_at=timezone.now(), dry_run=True
    )
    # An email to the other organisation's lead that could not be delivered.
    r["outbound_email"] = OutboundEmail.objects.create(
        message=serialise_message(
            EmailMessage("Your panel meeting has moved", "Body", to=[r["lead"].email])
        ),
        status=OutboundEmail.Status.FAILED,
        attempts=MAX_ATTEMPTS,
        last_error="ConnectionRefusedError: The mail server is down",
    )
    return world
