"""Models of peer work, split by topic: worker records and teams, session logs and
safeguarding, supervision, wellbeing, and the progression pathway."""

from .activity import (
    ActivityDay,
    ActivityPersonDay,
    ActivityPersonMonth,
    ActivitySignpostDay,
    ActivitySignpostYear,
    ActivityTopicDay,
)
from .outcomes import OfferOutcomeFigures
from .progression import (
    Competence,
    CompetenceEvidence,
    CompetenceSignOff,
    Domain,
    InductionItem,
    Level,
    ProgressionReview,
    Training,
    TrainingRecord,
)
from .recruitment import (
    EqualityMonitoring,
    InterviewPanelMember,
    JobApplication,
    PreEmploymentCheck,
    Vacancy,
)
from .sessions import SafeguardingConcern, SessionLog
from .supervision import Supervision, SupervisionAction
from .wellbeing import WellbeingCheckIn
from .workers import EmploymentType, PeerWorker, Team

__all__ = [
    "ActivityDay",
    "ActivityPersonDay",
    "ActivityPersonMonth",
    "ActivitySignpostDay",
    "ActivitySignpostYear",
    "ActivityTopicDay",
    "Competence",
    "CompetenceEvidence",
    "CompetenceSignOff",
    "Domain",
    "InductionItem",
    "ProgressionReview",
    "Training",
    "TrainingRecord",
    "EmploymentType",
    "EqualityMonitoring",
    "InterviewPanelMember",
    "JobApplication",
    "PreEmploymentCheck",
    "Vacancy",
    "Level",
    "OfferOutcomeFigures",
    "PeerWorker",
    "SafeguardingConcern",
    "SessionLog",
    "Supervision",
    "SupervisionAction",
    "Team",
    "WellbeingCheckIn",
]
