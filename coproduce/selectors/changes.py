"""Reads of "You said, we did": the list of changes with its filters, what one change's
page shows (the feedback behind it, counted live, the panel and its rung on the ladder),
the changes made to one offer, and who to tell when a change moves on.

Lists start from ``visible_to()`` (published, public pages) and fetch what they show up
front, so each page costs the same queries for 3 changes or 300, and for 3 pieces of
linked feedback or 300.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from cms.models import OfferPage
from cms.page_cache import public_only
from cms.permissions import can, visible_to

from ..choices import CoproductionLevel
from ..models import (
    Feedback,
    InvolvementProfile,
    Panel,
    ServiceChangeIndexPage,
    ServiceChangeNotice,
    ServiceChangePage,
    ServiceChangeUpdate,
    Theme,
)
from .feedback import PUBLISHED
from .panels import COPRODUCTION_MEANINGS

# Published quotes shown on a change's page; the rest are counted, not listed.
QUOTES_SHOWN = 10
# Changes listed in the "What we changed because people spoke" section of an offer page.
SHOWN_ON_OFFER = 5


# --- The list of changes ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeFilters:
    """What a person asked the list of changes for; every field is optional."""

    status: str = ""
    offer: str = ""  # an offer's slug
    theme: str = ""  # a theme's slug
    year: int | None = None

    @property
    def any(self) -> bool:
        return bool(self.status or self.offer or self.theme or self.year)


def _latest_step_on():
    """The date of a change's latest timeline step: when it was last heard of."""
    return Subquery(
        ServiceChangeUpdate.objects.filter(page=OuterRef("pk"))
        .order_by("-date", "-sort_order")
        .values("date")[:1]
    )


def _newest_first(changes: QuerySet[ServiceChangePage]) -> QuerySet[ServiceChangePage]:
    return changes.annotate(latest_step_on=_latest_step_on()).order_by(
        F("latest_step_on").desc(nulls_last=True), F("first_published_at").desc(), "-pk"
    )


def changes_published(user, *, index: ServiceChangeIndexPage) -> QuerySet[ServiceChangePage]:
    return visible_to(user, ServiceChangePage).descendant_of(index)


def changes_listed(
    user, *, index: ServiceChangeIndexPage, filters: ChangeFilters
) -> QuerySet[ServiceChangePage]:
    """The published changes under ``index`` matching ``filters``, newest first, with the
    offers and themes each card shows. Each filter is a subquery, so no change is listed
    twice."""
    changes = changes_published(user, index=index)
    if filters.status:
        changes = changes.filter(status=filters.status)
    if filters.offer:
        changes = changes.filter(
            pk__in=ServiceChangePage.objects.filter(offers__slug=filters.offer).values("pk")
        )
    if filters.theme:
        changes = changes.filter(
            pk__in=ServiceChangePage.objects.filter(themes__slug=filters.theme).values("pk")
        )
    if filters.year:
        changes = changes.filter(
            pk__in=ServiceChangeUpdate.objects.filter(date__year=filters.year).values("page_id")
        )
    return _newest_first(changes).prefetch_related(
        Prefetch(
            "offers",
            queryset=public_only(OfferPage.objects.live()).order_by("title"),
            to_attr="shown_offers",
        ),
        "themes",
    )


@dataclass(frozen=True)
class FilterChoices:
    """What each filter offers: only values some published change has."""

    offers: list[tuple[str, str]]
    themes: list[tuple[str, str]]
    years: list[int]


def filter_choices(user, *, index: ServiceChangeIndexPage) -> FilterChoices:
    published = changes_published(user, index=index)
    offers = (
        public_only(OfferPage.objects.live())
        .filter(pk__in=published.values("offers"))
        .order_by("title")
        .values_list("slug", "title")
    )
    themes = Theme.objects.filter(pk__in=published.values("themes")).values_list("slug", "name")
    years = ServiceChangeUpdate.objects.filter(page__in=published.values("pk")).dates(
        "date", "year", order="DESC"
    )
    return FilterChoices(
        offers=list(offers), themes=list(themes), years=[day.year for day in years]
    )


def changes_index() -> ServiceChangeIndexPage | None:
    """The published "You said, we did" index, for links from elsewhere."""
    return public_only(ServiceChangeIndexPage.objects.live()).first()


def changes_for_offer(user, offer: OfferPage) -> list[ServiceChangePage]:
    """The latest published changes to ``offer``, one more than are shown (to know
    whether to offer "see all" without counting). Most offers have none: for them this
    costs one query, not the three of a published-and-public list."""
    if not offer.service_changes.exists():
        return []
    changes = visible_to(user, ServiceChangePage).filter(
        pk__in=ServiceChangePage.objects.filter(offers=offer).values("pk")
    )
    return list(_newest_first(changes)[: SHOWN_ON_OFFER + 1])


# --- One change's page --------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeCount:
    """How many pieces of linked feedback were about one theme."""

    name: str
    count: int


@dataclass(frozen=True)
class FeedbackHeard:
    """The feedback linked to one change, counted live: everything not hidden is counted;
    only published quotes (agreed to, checked by a moderator) are shown."""

    count: int
    themes: list[ThemeCount]
    quotes: list[Feedback]
    published: int

    @property
    def more_quotes(self) -> int:
        return self.published - len(self.quotes)


NO_FEEDBACK = FeedbackHeard(count=0, themes=[], quotes=[], published=0)


def feedback_heard(page: ServiceChangePage) -> FeedbackHeard:
    """Three queries, however much feedback is linked."""
    if page.pk is None:  # a preview of a change not saved yet has none linked
        return NO_FEEDBACK
    linked = Feedback.objects.filter(service_change_id=page.pk)
    totals = linked.aggregate(
        count=Count("pk", filter=Q(hidden=False)), published=Count("pk", filter=PUBLISHED)
    )
    if not totals["count"]:
        return NO_FEEDBACK
    themes = (
        Theme.objects.filter(feedback__service_change_id=page.pk, feedback__hidden=False)
        .annotate(mentions=Count("feedback"))
        .order_by("-mentions", "sort_order", "name")
    )
    quotes = (
        linked.filter(PUBLISHED)
        .only("public_quote", "offer_title", "created_at")
        .order_by("-created_at", "-pk")[:QUOTES_SHOWN]
    )
    return FeedbackHeard(
        count=totals["count"],
        themes=[ThemeCount(name=theme.name, count=theme.mentions) for theme in themes],
        quotes=list(quotes),
        published=totals["published"],
    )


@dataclass(frozen=True)
class LadderStep:
    """One rung of the ladder, marked when it is the change's."""

    level: int
    label: str
    current: bool


@dataclass(frozen=True)
class Ladder:
    """Where a change sits on the ladder of co-production, said in words (never by colour
    alone): "Co-design — step 6 of 7"."""

    level: int
    label: str
    meaning: str
    steps: list[LadderStep]

    @property
    def summary(self) -> str:
        return f"{self.label} — step {self.level} of {len(self.steps)}"


def coproduction_ladder(level: int | None) -> Ladder | None:
    if level not in CoproductionLevel.values:
        return None
    level = CoproductionLevel(level)
    return Ladder(
        level=int(level),
        label=level.label,
        meaning=COPRODUCTION_MEANINGS.get(level, ""),
        steps=[
            LadderStep(level=value, label=label, current=value == level)
            for value, label in CoproductionLevel.choices
        ],
    )


@dataclass(frozen=True)
class ChangePageParts:
    """Everything a change's page shows beyond its own fields, each relation read once."""

    feedback: FeedbackHeard
    recommendations: list
    timeline: list[ServiceChangeUpdate]
    offers: list[OfferPage]
    themes: list[Theme]
    panel: Panel | None  # only when the person may see the panel's page
    panel_organisation: str
    ladder: Ladder | None


def change_page_parts(user, page: ServiceChangePage) -> ChangePageParts:
    """What ``page`` shows to ``user``. Works for previews too, where the page's steps,
    recommendations, offers and themes are not yet in the database."""
    offer_ids = [offer.pk for offer in page.offers.all()]
    offers = (
        list(public_only(OfferPage.objects.live()).filter(pk__in=offer_ids).order_by("title"))
        if offer_ids
        else []
    )
    panel = (
        Panel.objects.select_related("organisation").filter(pk=page.panel_id).first()
        if page.panel_id
        else None
    )
    level = page.coproduction_level or (panel.coproduction_level if panel else None)
    return ChangePageParts(
        feedback=feedback_heard(page),
        recommendations=list(page.recommendations.all()),
        timeline=sorted(page.updates.all(), key=lambda step: (step.date, step.sort_order or 0)),
        offers=offers,
        themes=sorted(page.themes.all(), key=lambda theme: (theme.sort_order, theme.name)),
        panel=panel if panel is not None and can(user, "coproduce.view_panel", panel) else None,
        panel_organisation=panel.organisation.name if panel is not None else "",
        ladder=coproduction_ladder(level),
    )


# --- Who to tell ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonToTell:
    """A member to email about a change, with the name and offers to greet them by."""

    user: object
    name: str
    offers: list[str]  # what they gave feedback on, as they will remember it


def people_to_tell(page: ServiceChangePage, *, status: str) -> list[PersonToTell]:
    """Members whose own feedback is linked to ``page`` and who have not yet been told it
    reached ``status``. Feedback given without an account keeps nobody to tell; feedback a
    peer worker wrote down is told to its author only if they had one."""
    linked = Feedback.objects.filter(service_change=page, author__isnull=False).exclude(
        source=Feedback.Source.PUBLIC
    )
    told = ServiceChangeNotice.objects.filter(page=page, status=status).values("user_id")
    people = list(
        get_user_model()
        .objects.filter(pk__in=linked.values("author_id"), is_active=True)
        .exclude(email="")
        .exclude(pk__in=told)
        .order_by("pk")
    )
    if not people:
        return []
    ids = [person.pk for person in people]
    names = dict(
        InvolvementProfile.objects.filter(user_id__in=ids)
        .exclude(display_name="")
        .values_list("user_id", "display_name")
    )
    offers: dict[int, list[str]] = {}
    for author_id, title in (
        linked.filter(author_id__in=ids)
        .order_by("created_at")
        .values_list("author_id", "offer_title")
    ):
        if title not in offers.setdefault(author_id, []):
            offers[author_id].append(title)
    return [
        PersonToTell(
            user=person,
            name=names.get(person.pk) or person.first_name or "there",
            offers=offers.get(person.pk, []),
        )
        for person in people
    ]


def people_who_sign_off(panel: Panel | None) -> QuerySet:
    """Who is asked to sign off a change: the panel's facilitators, or with no panel the
    editors (the same people ``coproduce.sign_off_service_change`` lets approve)."""
    from cms.roles import Role

    users = get_user_model().objects.filter(is_active=True)
    if panel is None:
        return users.filter(groups__name=Role.EDITOR.value)
    return users.filter(pk__in=panel.facilitators.values("pk"))
