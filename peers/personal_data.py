"""The personal data peer practice holds: staff records, training and progression, session
logs and safeguarding concerns, supervision, wellbeing check-ins, and recruitment. See
``cms.data_registry``.

Practice records (sessions, safeguarding, supervision) are the organisation's records of the
support it gave, so a peer worker closing their account does not erase them: they are kept
for the time the NHS Records Management Code (2023) sets, no longer linked to a name.
"""

from django.db.models import Q

from cms.data_registry import (
    Basis,
    Condition,
    DataClass,
    Fate,
    PersonalData,
    Retention,
    register,
    register_staff_links,
)

from .models import (
    ActivityDay,
    ActivityPersonDay,
    ActivityPersonMonth,
    ActivitySignpostDay,
    ActivitySignpostYear,
    ActivityTopicDay,
    CompetenceEvidence,
    CompetenceSignOff,
    EqualityMonitoring,
    InductionItem,
    InterviewPanelMember,
    JobApplication,
    OfferOutcomeFigures,
    PeerWorker,
    PreEmploymentCheck,
    ProgressionReview,
    SafeguardingConcern,
    SessionLog,
    Supervision,
    SupervisionAction,
    TrainingRecord,
    WellbeingCheckIn,
)

STAFF_RECORD_YEARS = 6
STAFF_RECORD_REASON = (
    "Staff records are kept for 6 years after someone leaves, as the NHS Records "
    "Management Code sets for employment records, so references and claims can be answered."
)
STAFF_RECORD = Retention(
    counted_from="worker__left_on", years=STAFF_RECORD_YEARS, reason=STAFF_RECORD_REASON
)
HIRED = Q(worker__isnull=False)
NOT_HIRED = Q(worker__isnull=True)

register(
    PersonalData(
        model=PeerWorker,
        owner="user",
        data_class=DataClass.EMPLOYMENT,
        label="Your peer worker record",
        purpose="To support, supervise and develop you in your role.",
        basis=Basis.CONTRACT,
        fields=(
            "organisation",
            "team",
            "level",
            "job_title",
            "employment_type",
            "start_date",
            "contracted_hours",
            "supervision_every_days",
            "status",
            "left_on",
            "leaving_reason",
            "leaving_note",
        ),
        erase_fields=("leaving_note", "leaving_reason"),
        staff_links=("supervisors",),
        retention=Retention(
            counted_from="left_on",
            years=STAFF_RECORD_YEARS,
            reason=(
                f"{STAFF_RECORD_REASON} After that, why you left is removed; the dates stay "
                "in anonymous workforce figures."
            ),
            then=Fate.ANONYMISE,
        ),
        on_close=Fate.KEEP,
        shared_with="Your supervisors and HR in your organisation.",
    ),
    PersonalData(
        model=TrainingRecord,
        owner="worker__user",
        data_class=DataClass.EMPLOYMENT,
        label="Training you completed",
        purpose="To show you are trained for your role, and when training needs renewing.",
        basis=Basis.CONTRACT,
        fields=("training", "provider", "completed_on", "expires_on", "hours"),
        staff_links=("added_by",),
        retention=STAFF_RECORD,
        on_close=Fate.KEEP,
    ),
    PersonalData(
        model=CompetenceEvidence,
        owner="worker__user",
        data_class=DataClass.EMPLOYMENT,
        label="Evidence of your skills",
        purpose="To support your progression to the next level.",
        basis=Basis.CONTRACT,
        fields=("competence", "description", "date"),
        retention=STAFF_RECORD,
        on_close=Fate.KEEP,
    ),
    PersonalData(
        model=CompetenceSignOff,
        owner="worker__user",
        data_class=DataClass.EMPLOYMENT,
        label="Skills signed off",
        purpose="To record that a supervisor agreed you have a skill.",
        basis=Basis.CONTRACT,
        fields=("competence", "signed_off_at", "note"),
        staff_links=("signed_off_by",),
        retention=STAFF_RECORD,
        on_close=Fate.KEEP,
    ),
    PersonalData(
        model=ProgressionReview,
        owner="worker__user",
        data_class=DataClass.EMPLOYMENT,
        label="Your progression reviews",
        purpose="To decide, fairly and on the record, when you move to the next level.",
        basis=Basis.CONTRACT,
        fields=(
            "from_level",
            "to_level",
            "date",
            "readiness_summary",
            "decision",
            "decision_note",
        ),
        staff_links=("reviewer",),
        retention=STAFF_RECORD,
        on_close=Fate.KEEP,
    ),
    PersonalData(
        model=InductionItem,
        owner="worker__user",
        data_class=DataClass.EMPLOYMENT,
        label="Your induction",
        purpose="To make sure you had everything you need when you started.",
        basis=Basis.CONTRACT,
        fields=("title", "target_week", "done_on"),
        staff_links=("done_by",),
        retention=STAFF_RECORD,
        on_close=Fate.KEEP,
    ),
    PersonalData(
        model=SessionLog,
        owner="worker__user",
        data_class=DataClass.SESSION_RECORDS,
        label="Your session logs",
        purpose=(
            "To record the support given, to supervise it safely, and to count what peer "
            "support achieves. The people supported are named only by a reference."
        ),
        basis=Basis.PUBLIC_TASK,
        condition=Condition.HEALTH_AND_CARE,
        fields=(
            "date",
            "duration_minutes",
            "setting",
            "offer",
            "person_reference",
            "group_size",
            "outcome_measure",
            "outcome_score",
            "notes",
            "created_at",
        ),
        staff_links=("created_by",),
        retention=Retention(
            counted_from="date",
            years=8,
            reason=(
                "Records of care for adults are kept 8 years, as the NHS Records Management "
                "Code sets. A session with a safeguarding concern is kept as long as the concern."
            ),
            only=Q(safeguarding_concern__isnull=True),
        ),
        on_close=Fate.KEEP,
        shared_with="Your supervisors.",
    ),
    PersonalData(
        model=SafeguardingConcern,
        owner="worker__user",
        data_class=DataClass.SAFEGUARDING,
        label="Safeguarding concerns you raised",
        purpose="To protect people at risk of harm, and to show what was done.",
        basis=Basis.PUBLIC_TASK,
        condition=Condition.SAFEGUARDING,
        fields=(
            "urgency",
            "description",
            "immediate_action",
            "raised_at",
            "acknowledged_at",
            "action_taken",
        ),
        staff_links=("raised_by", "acknowledged_by"),
        retention=Retention(
            counted_from="raised_at",
            years=10,
            reason=(
                "Adult safeguarding records are kept 10 years, as the NHS Records Management "
                "Code sets, in case the concern is looked at again."
            ),
        ),
        on_close=Fate.KEEP,
        shared_with="Your supervisors, and the local authority's safeguarding team if needed.",
    ),
    PersonalData(
        model=Supervision,
        owner="worker__user",
        data_class=DataClass.SUPERVISION,
        label="Your supervision",
        purpose="To support you and keep your practice safe.",
        basis=Basis.CONTRACT,
        condition=Condition.EMPLOYMENT,
        fields=("date", "kind", "duration_minutes", "notes"),
        staff_links=("supervisor", "created_by"),
        retention=STAFF_RECORD,
        on_close=Fate.KEEP,
        shared_with="Your supervisors.",
    ),
    PersonalData(
        model=SupervisionAction,
        owner="supervision__worker__user",
        data_class=DataClass.SUPERVISION,
        label="Actions agreed in supervision",
        purpose="To follow up what you and your supervisor agreed.",
        basis=Basis.CONTRACT,
        fields=("description", "due_date", "done_on"),
        retention=Retention(
            counted_from="supervision__worker__left_on",
            years=STAFF_RECORD_YEARS,
            reason=STAFF_RECORD_REASON,
        ),
        on_close=Fate.KEEP,
    ),
    PersonalData(
        model=WellbeingCheckIn,
        owner="worker__user",
        data_class=DataClass.WELLBEING,
        label="Your wellbeing check-ins",
        purpose="To help you notice how you are, and to share it with your supervisor if you "
        "chose to.",
        basis=Basis.CONSENT,
        condition=Condition.EXPLICIT_CONSENT,
        fields=(
            "completed_at",
            "optimistic",
            "useful",
            "relaxed",
            "dealing_with_problems",
            "thinking_clearly",
            "close_to_others",
            "own_mind",
            "raw_score",
            "metric_score",
            "shared_with_supervisor",
            "note",
        ),
        retention=Retention(
            counted_from="completed_at",
            years=2,
            reason="Check-ins help you see change over two years; older ones are deleted.",
        ),
        # They are yours, and nothing requires us to keep them.
        on_close=Fate.DELETE,
        shared_with="Your supervisor, only for check-ins you chose to share.",
    ),
    PersonalData(
        model=JobApplication,
        owner="candidate",
        scope=NOT_HIRED,
        data_class=DataClass.RECRUITMENT,
        label="Your job applications",
        purpose="To choose who to employ fairly, and give you feedback.",
        basis=Basis.CONTRACT,
        condition=Condition.EMPLOYMENT,
        fields=(
            "vacancy",
            "stage",
            "statement",
            "has_lived_experience",
            "adjustments_requested",
            "adjustments_consent_version",
            "adjustments_consent_given_at",
            "adjustments_agreed",
            "consent_to_contact",
            "applied_at",
            "shortlisted_on",
            "interview_at",
            "offered_on",
            "closed_on",
            "closed_reason",
            "feedback_offered_on",
            "feedback_note",
        ),
        retention=Retention(
            counted_from="closed_on",
            years=1,
            reason=(
                "Applications that did not lead to a job are kept a year, as the NHS Records "
                "Management Code sets, in case the decision is questioned."
            ),
        ),
        on_close=Fate.DELETE,
        shared_with="The people recruiting for the job.",
    ),
    PersonalData(
        model=JobApplication,
        owner="candidate",
        scope=HIRED,
        data_class=DataClass.EMPLOYMENT,
        label="The application that led to your job",
        purpose="It becomes part of your staff record.",
        basis=Basis.CONTRACT,
        condition=Condition.EMPLOYMENT,
        fields=(
            "vacancy",
            "statement",
            "has_lived_experience",
            "adjustments_requested",
            "adjustments_agreed",
            "applied_at",
            "offered_on",
            "proposed_start_date",
            "started_on",
        ),
        retention=STAFF_RECORD,
        on_close=Fate.KEEP,
    ),
    PersonalData(
        model=InterviewPanelMember,
        owner="application__candidate",
        data_class=DataClass.RECRUITMENT,
        label="Who interviewed you",
        purpose="To show your interview panel included someone with lived experience.",
        basis=Basis.CONTRACT,
        fields=("role", "has_lived_experience"),
        retention=Retention(
            counted_from="application__closed_on",
            years=1,
            reason="Kept with the application: a year when it did not lead to a job.",
            only=Q(application__worker__isnull=True),
        ),
        # Kept with the application: deleted with it when it did not lead to a job.
        on_close=Fate.KEEP,
    ),
    PersonalData(
        model=PreEmploymentCheck,
        owner="application__candidate",
        data_class=DataClass.RECRUITMENT,
        label="Checks before you started (references, DBS, right to work)",
        purpose="To meet the law and NHS Employers' check standards before someone starts.",
        basis=Basis.LEGAL_OBLIGATION,
        fields=("kind", "requested_on", "completed_on", "outcome", "expires_on"),
        retention=Retention(
            counted_from="completed_on",
            years=STAFF_RECORD_YEARS,
            reason=(
                "Checks are kept with the staff record; checks on an application that did not "
                "lead to a job are deleted with the application."
            ),
        ),
        on_close=Fate.KEEP,
    ),
    PersonalData(
        model=EqualityMonitoring,
        owner="application__candidate",
        data_class=DataClass.IDENTITY,
        label="Equality questions you answered when applying",
        purpose="To check, in anonymous totals, that recruitment is fair to everyone.",
        basis=Basis.LEGAL_OBLIGATION,
        condition=Condition.EQUALITY,
        fields=(
            "age_band",
            "gender",
            "ethnicity",
            "disability",
            "sexual_orientation",
            "consent_version",
            "consent_given_at",
            "recorded_at",
        ),
        retention=Retention(
            counted_from="recorded_at",
            years=1,
            reason="Used in the year's anonymous totals, then deleted.",
        ),
        on_close=Fate.DELETE,
    ),
)


# The daily and monthly totals of a worker's sessions (peers.services.activity_totals) are
# counted from the session logs and kept exactly as long as they are: a day's totals go when
# its last session does, so they follow the logs' time limit and fate.
def _activity_totals_retention(counted_from: str) -> Retention:
    return Retention(
        counted_from=counted_from,
        years=8,
        reason="Counted from your session logs and kept only while those logs are.",
    )


register(
    *(
        PersonalData(
            model=model,
            owner="worker__user",
            data_class=DataClass.SESSION_RECORDS,
            label=label,
            purpose="To show you and your supervisors your hours and activity quickly.",
            basis=Basis.PUBLIC_TASK,
            condition=Condition.HEALTH_AND_CARE,
            fields=fields,
            retention=_activity_totals_retention(fields[0]),
            on_close=Fate.KEEP,
            shared_with="Your supervisors.",
        )
        for model, label, fields in (
            (
                ActivityDay,
                "Daily totals of your sessions",
                ("date", "setting", "minutes", "sessions", "group_sessions"),
            ),
            (
                ActivityPersonDay,
                "Daily count of the people you supported, by your reference",
                ("date", "person_reference", "sessions"),
            ),
            (
                ActivityPersonMonth,
                "Monthly count of the people you supported, by your reference",
                ("month", "person_reference", "sessions"),
            ),
            (
                ActivityTopicDay,
                "Daily count of your sessions' topics",
                ("date", "need", "sessions"),
            ),
            (
                ActivitySignpostDay,
                "Daily count of the offers you signposted to",
                ("date", "offer", "sessions"),
            ),
            (
                ActivitySignpostYear,
                "Count of the offers you signposted to over each twelve months",
                ("month", "offer", "sessions"),
            ),
        )
    )
)

register_staff_links(
    OfferOutcomeFigures,
    "entered_by",
    why="Which member of staff entered an offer's outcome figures by hand.",
)
