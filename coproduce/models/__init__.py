"""Models of co-production, split by topic: profiles and consent, panels and applications,
meetings and attendance, involvement claims, feedback on offers and the service changes
("You said, we did") that answer it."""

from .changes import (
    PanelMemberSignOff,
    PanelRecommendation,
    PanelSignOffTask,
    ServiceChangeIndexPage,
    ServiceChangeNotice,
    ServiceChangePage,
    ServiceChangeUpdate,
)
from .claims import Expense, InvolvementClaim
from .feedback import Feedback, Theme
from .feedback_totals import FeedbackMonth
from .meetings import AccessArrangement, Attendance, Meeting, MeetingPaper, MeetingReply
from .messages import Conversation, ConversationMessage
from .notices import ContactTask
from .panels import Panel, PanelApplication
from .payments import PayeeDetails, PaymentPolicy, PaymentRun
from .profiles import ConsentRecord, InvolvementProfile

__all__ = [
    "AccessArrangement",
    "Attendance",
    "ConsentRecord",
    "ContactTask",
    "Conversation",
    "ConversationMessage",
    "Expense",
    "Feedback",
    "FeedbackMonth",
    "InvolvementClaim",
    "InvolvementProfile",
    "Meeting",
    "MeetingPaper",
    "MeetingReply",
    "Panel",
    "PanelApplication",
    "PanelMemberSignOff",
    "PanelRecommendation",
    "PanelSignOffTask",
    "PayeeDetails",
    "PaymentPolicy",
    "PaymentRun",
    "ServiceChangeIndexPage",
    "ServiceChangeNotice",
    "ServiceChangePage",
    "ServiceChangeUpdate",
    "Theme",
]
