"""Models of co-production, split by topic: profiles and consent, panels and applications,
meetings and attendance, involvement claims."""

from .claims import Expense, InvolvementClaim
from .meetings import AccessArrangement, Attendance, Meeting, MeetingPaper
from .panels import Panel, PanelApplication
from .profiles import ConsentRecord, InvolvementProfile

__all__ = [
    "AccessArrangement",
    "Attendance",
    "ConsentRecord",
    "Expense",
    "InvolvementClaim",
    "InvolvementProfile",
    "Meeting",
    "MeetingPaper",
    "Panel",
    "PanelApplication",
]
