"""What several My space panels need to know about the person, read once per request.

The greeting, "Your involvement" and "How we contact you" all show the involvement profile;
"Your panel applications" lists the latest applications, while "Your next meetings" and
"Changes for you to sign off" need the panels the person was accepted to. Asking each panel
to read these for itself cost five queries; this reads them in two.

The facts are kept on the request's user object, so they live exactly as long as the
request: the next request loads the user, and so the facts, afresh.
"""

from functools import cached_property

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

from cms.permissions import visible_to

from ..models import InvolvementProfile, Panel, PanelApplication
from ..selectors import panels as selectors

APPLICATIONS_SHOWN = 5  # in "Your panel applications"; one more is read, to offer "see all"
APPLICATIONS_READ = APPLICATIONS_SHOWN + 1
_KEPT_AS = "_coproduce_my_space_person"


class Person:
    """The person's involvement profile and panel applications, as My space shows them;
    each read on first use, so a page that needs only the name reads only the profile."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def profile(self) -> InvolvementProfile | None:
        return visible_to(self.user, InvolvementProfile).filter(user=self.user).first()

    @property
    def chosen_name(self) -> str:
        return (self.profile.display_name or "").strip() if self.profile else ""

    @property
    def latest_applications(self) -> list[PanelApplication]:
        """Newest first, at most ``APPLICATIONS_READ``."""
        return [row for row in self._applications if row.newest <= APPLICATIONS_READ]

    @property
    def accepted_panels(self) -> dict[int, Panel]:
        """Every panel they were accepted to, by id."""
        return {
            row.panel_id: row.panel
            for row in self._applications
            if row.status == PanelApplication.Status.ACCEPTED
        }

    @cached_property
    def _applications(self) -> list[PanelApplication]:
        # One query for both: the newest few applications, and every accepted one however
        # old.
        return list(
            selectors.applications_of(self.user)
            .annotate(newest=Window(RowNumber(), order_by=[F("created_at").desc(), F("pk").desc()]))
            .filter(Q(newest__lte=APPLICATIONS_READ) | Q(status=PanelApplication.Status.ACCEPTED))
            .order_by("newest")
        )


def person_of(user) -> Person:
    """The person's facts for this request, read on first use."""
    person = getattr(user, _KEPT_AS, None)
    if person is None:
        person = Person(user)
        setattr(user, _KEPT_AS, person)
    return person


def greeting_name(user) -> str:
    """The name My space greets a member by (the hook ``my_space_chosen_name``)."""
    return person_of(user).chosen_name if user.is_authenticated else ""
