"""factory_boy factories shared by the tests, the demo loader and the benchmark generator."""

from .cms import (
    DEMO_PASSWORD,
    AreaFactory,
    ContentPageFactory,
    NeedFactory,
    OfferPageFactory,
    OrganisationFactory,
    UserFactory,
    add_page,
    home_page,
    offers_index,
)
from .coproduce import (
    AccessArrangementFactory,
    AttendanceFactory,
    ConsentRecordFactory,
    ExpenseFactory,
    InvolvementClaimFactory,
    InvolvementProfileFactory,
    MeetingFactory,
    MemberFactory,
    PanelApplicationFactory,
    PanelFactory,
)

__all__ = [
    "AccessArrangementFactory",
    "AttendanceFactory",
    "ConsentRecordFactory",
    "ExpenseFactory",
    "InvolvementClaimFactory",
    "InvolvementProfileFactory",
    "MeetingFactory",
    "MemberFactory",
    "PanelApplicationFactory",
    "PanelFactory",
    "DEMO_PASSWORD",
    "AreaFactory",
    "NeedFactory",
    "OfferPageFactory",
    "offers_index",
    "ContentPageFactory",
    "OrganisationFactory",
    "UserFactory",
    "add_page",
    "home_page",
]
