"""Reads for involvement profiles, consent, panels and applications.

Every list a page shows starts from ``visible_to()``, and fetches the rows it displays up
front, so a page costs the same number of queries for 3 panels or 300. The panel make-up
is computed here, with small numbers suppressed, so no view or template ever sees a count
that could identify someone.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cms.disclosure import enough_to_break_down, total_shown
from cms.models import OfferPage
from cms.page_cache import public_only
from cms.permissions import visible_to

from ..choices import AccessNeed, Community, CoproductionLevel, LivedExperience
from ..consent import STATEMENTS, ConsentPurpose, Statement, current_statement
from ..models import ConsentRecord, InvolvementProfile, Panel, PanelApplication

# --- Profiles and consent ---------------------------------------------------------------


def profile_of(user) -> InvolvementProfile | None:
    """The person's own involvement profile, or None if they have not made it yet."""
    return visible_to(user, InvolvementProfile).filter(user=user).first()


def current_consent_record(user, purpose: str) -> ConsentRecord | None:
    """The person's agreement to today's wording for ``purpose``, if they have given it and
    not withdrawn it. An agreement to an older wording does not count."""
    if not user.is_authenticated:
        return None
    return ConsentRecord.objects.filter(
        user=user,
        purpose=purpose,
        version=current_statement(purpose).version,
        withdrawn_at__isnull=True,
    ).first()


def has_current_consent(user, purpose: str) -> bool:
    return current_consent_record(user, purpose) is not None


@dataclass(frozen=True)
class ConsentState:
    """What a person is asked to agree to for one purpose, and where they stand."""

    purpose: ConsentPurpose
    statement: Statement
    record: ConsentRecord | None  # the agreement not withdrawn, whatever its wording
    history: list[ConsentRecord] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.purpose.label

    @property
    def is_current(self) -> bool:
        return self.record is not None and self.record.version == self.statement.version

    @property
    def needs_renewal(self) -> bool:
        """They agreed to an earlier wording: ask again before relying on it."""
        return self.record is not None and not self.is_current


def consent_states(user) -> list[ConsentState]:
    """One state per purpose, in a fixed order, from one query of the person's records."""
    records = list(visible_to(user, ConsentRecord).filter(user=user).order_by("-given_at"))
    states = []
    for purpose, statement in STATEMENTS.items():
        mine = [r for r in records if r.purpose == purpose]
        current = next((r for r in mine if r.withdrawn_at is None), None)
        states.append(
            ConsentState(purpose=purpose, statement=statement, record=current, history=mine)
        )
    return states


# --- Public panels ------------------------------------------------------------------------


def _open_for_applications(today: date) -> Q:
    return Q(applications_close_on__isnull=True) | Q(applications_close_on__gte=today)


def panels_recruiting(user) -> QuerySet[Panel]:
    """Panels taking applications today, soonest closing first, with their organisation."""
    return (
        visible_to(user, Panel)
        .filter(status=Panel.Status.RECRUITING)
        .filter(_open_for_applications(timezone.localdate()))
        .select_related("organisation")
        .order_by(F("applications_close_on").asc(nulls_last=True), "title")
    )


def panel_for_page(user, slug: str) -> Panel:
    """The panel at ``slug`` if this person may see it (drafts only by their leads), with
    its organisation and the live offers it redesigns; otherwise 404."""
    queryset = (
        visible_to(user, Panel)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=public_only(OfferPage.objects.live()).order_by("title"),
                to_attr="live_offers",
            )
        )
    )
    return get_object_or_404(queryset, slug=slug)


COPRODUCTION_MEANINGS = {
    CoproductionLevel.CO_PRODUCTION: "Members and staff share power and decide together, "
    "from the start to the end.",
    CoproductionLevel.CO_DESIGN: "Members design the changes together with staff: your "
    "ideas shape what is made.",
    CoproductionLevel.ENGAGEMENT: "Members give their views and work with staff, but staff "
    "make the final decisions.",
    CoproductionLevel.CONSULTATION: "Staff ask members what they think before they decide.",
    CoproductionLevel.INFORMING: "Staff tell members about decisions and changes.",
    CoproductionLevel.EDUCATING: "Staff help members understand how services work.",
    CoproductionLevel.COERCION: "Members come to meetings but have no say in decisions.",
}


def coproduction_meaning(panel: Panel) -> str:
    """What the panel's rung on the ladder of co-production means, in plain words."""
    return COPRODUCTION_MEANINGS.get(panel.coproduction_level, "")


def panel_is_open_for_applications(panel: Panel, *, today: date | None = None) -> bool:
    """Recruiting, and the closing date (if any) has not passed: the day itself still
    counts, so "closes on Friday" means people can apply on Friday."""
    today = today or timezone.localdate()
    return panel.is_recruiting and (
        panel.applications_close_on is None or panel.applications_close_on >= today
    )


# --- A member's own applications ----------------------------------------------------------


def applications_of(user) -> QuerySet[PanelApplication]:
    """The person's own applications, newest first, with each panel and its organisation."""
    return (
        visible_to(user, PanelApplication)
        .filter(applicant=user)
        .select_related("panel__organisation")
        .order_by("-created_at")
    )


def application_of(user, panel: Panel) -> PanelApplication | None:
    if not user.is_authenticated:
        return None
    return applications_of(user).filter(panel=panel).first()


# --- Leads' side ------------------------------------------------------------------------


def seats_taken(panel: Panel) -> int:
    return PanelApplication.objects.filter(
        panel=panel, status=PanelApplication.Status.ACCEPTED
    ).count()


@dataclass(frozen=True)
class GroupCount:
    """One row of the make-up table: a group, how many members are in it (as words that
    never give a number from 1 to 4), and whether the panel is looking for it."""

    label: str
    shown: str
    sought: bool
    missing: bool  # sought, and nobody on the panel is in it yet


@dataclass(frozen=True)
class PanelMakeUp:
    """Everything the make-up page shows, already suppressed where it must be."""

    members: int
    sharing_shown: str  # how many members shared their answers, suppressed like the rest
    enough_shared: bool  # only then are the totals by group shown at all
    lived_experience: list[GroupCount]
    communities: list[GroupCount]
    access_needs: list[tuple[str, int]]
    interpreter_languages: list[str]
    other_needs: list[str]


def _group_counts(choices, counts: Counter, sought: list[str]) -> list[GroupCount]:
    sought_set = set(sought or [])
    rows = [
        GroupCount(
            label=label,
            shown=total_shown(counts[value]),
            sought=value in sought_set,
            missing=value in sought_set and counts[value] == 0,
        )
        for value, label in choices.choices
    ]
    # What the panel is looking for comes first, so gaps are seen at once.
    return sorted(rows, key=lambda row: not row.sought)


def panel_make_up(panel: Panel) -> PanelMakeUp:
    """Who the accepted members are, in totals only, against who the panel is looking for.

    Lived experience and communities count only members whose consent to today's equality
    wording stands. If fewer than 5 members shared, no totals by group are shown at all:
    with so few, even "none" beside "fewer than 5" could tell a lead who said what.
    Access needs come from the applications (members shared them to be met) and are shown
    in full, because the lead has to plan for every one of them.
    """
    accepted = list(
        PanelApplication.objects.filter(
            panel=panel, status=PanelApplication.Status.ACCEPTED
        ).values_list("applicant_id", "access_needs", "access_needs_other", "interpreter_language")
    )
    consenting = ConsentRecord.objects.filter(
        purpose=ConsentPurpose.EQUALITY,
        version=current_statement(ConsentPurpose.EQUALITY).version,
        withdrawn_at__isnull=True,
    ).values("user_id")
    answers = list(
        InvolvementProfile.objects.filter(user_id__in=[row[0] for row in accepted])
        .filter(user_id__in=consenting)
        .values_list("lived_experience", "communities")
    )
    lived, communities = Counter(), Counter()
    for lived_values, community_values in answers:
        lived.update(set(lived_values or []))
        communities.update(set(community_values or []))
    needs = Counter()
    for _, access_needs, _, _ in accepted:
        needs.update(set(access_needs or []))
    enough = enough_to_break_down(len(answers))
    return PanelMakeUp(
        members=len(accepted),
        sharing_shown=total_shown(len(answers)),
        enough_shared=enough,
        lived_experience=_group_counts(LivedExperience, lived, panel.sought_lived_experience)
        if enough
        else [],
        communities=_group_counts(Community, communities, panel.sought_communities)
        if enough
        else [],
        access_needs=[(label, needs[value]) for value, label in AccessNeed.choices if needs[value]],
        interpreter_languages=sorted({row[3] for row in accepted if row[3]}),
        other_needs=[row[2] for row in accepted if row[2]],
    )
