"""Models of co-production, split by topic: profiles and consent, panels and applications,
meetings and attendance, involvement claims, feedback on offers and the service changes
("You said, we did") that answer it."""

from .changes import (
    PanelRecommendation,
    PanelSignOffTask,
    ServiceChangeIndexPage,
    ServiceChangeNotice,
    ServiceChangePage,
    ServiceChangeUpdate,
)
from .claims import Expense, InvolvementClaim
from .feedback import Feedback, Theme
from .meetings import AccessArrangement, Attendance, Meeting, MeetingPaper
from .panels import Panel, PanelApplication
from .profiles import ConsentRecord, InvolvementProfile

__all__ = [
    "AccessArrangement",
    "Attendance",
    "ConsentRecord",
    "Expense",
    "Feedback",
    "InvolvementClaim",
    "InvolvementProfile",
    "Meeting",
    "MeetingPaper",
    "Panel",
    "PanelApplication",
    "PanelRecommendation",
    "PanelSignOffTask",
    "ServiceChangeIndexPage",
    "ServiceChangeNotice",
    "ServiceChangePage",
    "ServiceChangeUpdate",
    "Theme",
]
