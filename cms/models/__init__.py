"""Models of the site shell, split by topic."""

from .jobs import ReportJob
from .mail import OutboundEmail, OutboundText
from .offers import Area, Closure, Location, Need, OfferPage, OffersIndexPage, OpeningTime
from .organisations import Organisation
from .pages import ContentPage, HomePage
from .privacy import DataRequest, RetentionRun
from .search import OfferSearchEntry
from .submissions import FormSubmission
from .users import User, UserManager
from .worker import Heartbeat

__all__ = [
    "Area",
    "Closure",
    "Location",
    "Need",
    "OfferPage",
    "OfferSearchEntry",
    "OffersIndexPage",
    "OpeningTime",
    "ContentPage",
    "DataRequest",
    "FormSubmission",
    "Heartbeat",
    "HomePage",
    "Organisation",
    "OutboundEmail",
    "OutboundText",
    "ReportJob",
    "RetentionRun",
    "User",
    "UserManager",
]
