"""Reads of feedback on offers: what an offer page shows (published quotes with their
responses, and ratings only once there are enough to say nothing about anyone), a
person's own feedback, the leads' moderation lists and the trends they see.

Every list starts from ``visible_to()`` and fetches what it shows up front, so each page
costs the same queries with 3 items or 300.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Case, Count, IntegerField, Q, QuerySet, Sum, When
from django.shortcuts import get_object_or_404
from django.utils import dateformat, timezone
from wagtail.models import ModelLogEntry

from cms import audit
from cms.disclosure import enough_to_break_down
from cms.models import OfferPage, OffersIndexPage
from cms.months import month_start, months_between, whole_months
from cms.permissions import scope_to_organisation, sees_whole_partnership, visible_to

from .. import audit_actions
from ..models import Feedback, ServiceChangePage, Theme
from ..models.feedback_totals import FeedbackMonth
from ..rules import is_lead, panels_led_by
from .claims import StaffHistoryItem

Status = Feedback.Status
Listened = Feedback.Listened

# The offer page shows the latest few; the rest are on their own page.
LATEST_ON_OFFER_PAGE = 5
TREND_MONTHS = 18

PUBLISHED = Q(consent_to_publish=True, hidden=False) & ~Q(public_quote="")


# --- Giving feedback ------------------------------------------------------------------------


def offer_for_feedback(offer_id: int) -> OfferPage:
    """A listed offer (with its provider), or 404: feedback is only on offers people see."""
    return get_object_or_404(OfferPage.objects.live().select_related("provider"), pk=offer_id)


def directory() -> OffersIndexPage | None:
    """The offers directory, where people find the offer to give feedback on."""
    return OffersIndexPage.objects.live().first()


# --- What the public sees on an offer ---------------------------------------------------------


@dataclass(frozen=True)
class RatingRow:
    """How many people gave one rating, and what share of everyone that is."""

    rating: int
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class OfferRatings:
    """Ratings of one offer from feedback that is not hidden, and how much is published."""

    counted: int
    average: float | None
    rows: list[RatingRow]
    listened: int
    published: int

    @property
    def enough(self) -> bool:
        """Ratings are shown only from 5 pieces of feedback: fewer could point to who gave
        them."""
        return enough_to_break_down(self.counted)

    @property
    def listened_percent(self) -> int:
        return round(100 * self.listened / self.counted) if self.counted else 0


def offer_ratings(offer: OfferPage) -> OfferRatings:
    """Every number an offer page shows about its feedback, in one query."""
    shown = Q(hidden=False)
    totals = Feedback.objects.filter(offer=offer).aggregate(
        counted=Count("pk", filter=shown),
        average=Avg("rating", filter=shown),
        listened=Count("pk", filter=shown & Q(felt_listened_to=Listened.YES)),
        published=Count("pk", filter=PUBLISHED),
        **{f"rating_{value}": Count("pk", filter=shown & Q(rating=value)) for value in range(1, 6)},
    )
    counted = totals["counted"]
    rows = [
        RatingRow(
            rating=value,
            label=label,
            count=totals[f"rating_{value}"],
            percent=round(100 * totals[f"rating_{value}"] / counted) if counted else 0,
        )
        for value, label in reversed(Feedback.Rating.choices)
    ]
    return OfferRatings(
        counted=counted,
        average=round(totals["average"], 1) if totals["average"] is not None else None,
        rows=rows,
        listened=totals["listened"],
        published=totals["published"],
    )


def published_on(offer: OfferPage) -> QuerySet[Feedback]:
    """Feedback shown on the offer's page, newest first: agreed to, given a checked quote,
    not hidden. Only the quote and the response are ever shown, never what was typed."""
    return (
        Feedback.objects.filter(PUBLISHED, offer=offer)
        .select_related("service_change")
        .order_by("-created_at", "-pk")
    )


# --- A person's own feedback -------------------------------------------------------------------


def feedback_of(user) -> QuerySet[Feedback]:
    """Feedback ``user`` gave while signed in, newest first, with what each row shows."""
    if not user.is_authenticated:
        return Feedback.objects.none()
    return (
        visible_to(user, Feedback)
        .filter(author=user)
        .select_related("offer", "service_change", "organisation")
        .order_by("-created_at", "-pk")
    )


# --- Moderation ---------------------------------------------------------------------------------


def in_organisations_moderated_by(user, rows: QuerySet) -> QuerySet:
    """``rows`` (feedback, or anything counted from it by organisation) of the organisations
    whose feedback ``user`` moderates: their own for an engagement lead, every one for a
    lead or admin who sees the whole partnership, none for anyone else. The one rule behind
    the moderation list, its counts and the trends' monthly totals."""
    if not is_lead(user):
        return rows.none()
    return scope_to_organisation(user, rows)


def feedback_moderated_by(user) -> QuerySet[Feedback]:
    """The feedback ``user`` answers for: their organisation's (partnership-wide: all).
    A lead's own feedback on another organisation's offer is theirs to read in My space,
    not to moderate."""
    return in_organisations_moderated_by(user, visible_to(user, Feedback))


def feedback_to_moderate(user) -> QuerySet[Feedback]:
    """The moderation list's rows, with their themes and offer fetched up front."""
    return feedback_moderated_by(user).select_related("organisation").prefetch_related("themes")


def new_feedback_count(user) -> int:
    return feedback_moderated_by(user).filter(status=Status.NEW).count()


def feedback_history(feedback: Feedback, *, limit: int = 50) -> list[StaffHistoryItem]:
    """The feedback's latest log entries, newest first, in the log's own words."""
    entries = (
        ModelLogEntry.objects.for_instance(feedback)
        # What was done to it; who merely looked is on the person's "who looked" page.
        .exclude(action=audit.VIEW)
        .select_related("user")
        .order_by("-timestamp", "-pk")[:limit]
    )
    items = []
    for entry in entries:
        data = entry.data or {}
        detail = data.get("reason") or data.get("title") or ", ".join(data.get("themes", []))
        items.append(
            StaffHistoryItem(
                when=entry.timestamp,
                what=entry.message,
                # Giving feedback is logged without a person: moderators never see who.
                who=entry.user_display_name if entry.action != audit_actions.FEEDBACK_GIVE else "",
                detail=detail,
            )
        )
    return items


def service_changes_for_linking(user) -> QuerySet[ServiceChangePage]:
    """Service changes a lead may link feedback to: every published one, and the drafts
    about their organisation's offers or their panels' work (being written now)."""
    changes = ServiceChangePage.objects.all()
    if not is_lead(user):
        return changes.none()
    if sees_whole_partnership(user):
        return changes.order_by("-live", "title")
    ours = ServiceChangePage.objects.filter(
        Q(offers__provider_id=user.organisation_id) | Q(panel__in=panels_led_by(user).values("pk"))
    ).values("pk")
    return changes.filter(Q(live=True) | Q(pk__in=ours)).order_by("-live", "title")


# --- Months, in Europe/London ------------------------------------------------------------------


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def received_between(queryset: QuerySet[Feedback], first: date, last: date) -> QuerySet[Feedback]:
    """Feedback received from the start of ``first`` to the end of ``last``, London time."""
    return queryset.filter(
        created_at__gte=start_of_day(first), created_at__lt=start_of_day(last + timedelta(days=1))
    )


def month_name(month: date) -> str:
    return dateformat.format(month, "F Y")


# --- Trends ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendFilters:
    """Which feedback a trend counts: received from ``first`` to ``last`` (London days),
    on one offer and about one theme when given."""

    first: date
    last: date
    offer: OfferPage | None = None
    theme: Theme | None = None


@dataclass(frozen=True)
class TrendRow:
    """One bar of a trend: a theme, an offer or a month, and the feedback behind it."""

    label: str
    count: int
    average: float | None
    listened: int
    percent_of_largest: int = 0

    @property
    def listened_percent(self) -> int:
        return round(100 * self.listened / self.count) if self.count else 0


@dataclass(frozen=True)
class Trends:
    """Everything the trends page and its CSV show, counted once."""

    filters: TrendFilters
    total: int
    average: float | None
    listened: int
    by_theme: list[TrendRow]
    by_offer: list[TrendRow]
    by_month: list[TrendRow]

    @property
    def listened_percent(self) -> int:
        return round(100 * self.listened / self.total) if self.total else 0

    def sections(self) -> list[tuple[str, str, list[TrendRow]]]:
        """(what is counted, heading, rows) for the chart, the tables and the export."""
        return [
            ("Theme", "By theme", self.by_theme),
            ("Offer", "By offer", self.by_offer),
            ("Month", "By month", self.by_month),
        ]


def default_trend_period(today: date | None = None) -> tuple[date, date]:
    """The last 18 months, this one included."""
    today = today or timezone.localdate()
    return month_start(today, months_back=TREND_MONTHS - 1), today


def totals_moderated_by(user) -> QuerySet[FeedbackMonth]:
    """The monthly totals of the feedback ``user`` moderates (``feedback_moderated_by``):
    their organisation's for a lead, everyone's for the partnership, none for others."""
    return in_organisations_moderated_by(user, FeedbackMonth.objects.all())


def trend_offers(user) -> QuerySet[OfferPage]:
    """Offers with feedback the lead moderates, for the trends' offer filter: found in the
    monthly totals (a few thousand rows), not in every piece of feedback."""
    return (
        OfferPage.objects.filter(
            pk__in=totals_moderated_by(user).filter(kind=FeedbackMonth.Kind.ALL).values("offer_id")
        )
        .only("title")
        .order_by("title")
    )


def counted_sums(prefix: str = "") -> dict:
    """The sums counted for each group of feedback (or, with ``prefix`` "feedback__", of rows
    linked to it). Without DISTINCT: the chosen feedback is filtered by subqueries, never
    joins, so each row is one piece of feedback in its group (in a breakdown by theme, one
    per theme it was given), and counting it needs no sort of a quarter of a million ids.
    Sums, not averages, so groups can be added together afterwards."""
    return {
        "count": Count("pk"),
        "rating_sum": Sum(f"{prefix}rating"),
        "rated": Count(f"{prefix}rating"),
        "listened": Count("pk", filter=Q(**{f"{prefix}felt_listened_to": Listened.YES})),
    }


def _added(groups) -> dict:
    """Counted groups added together, as one group."""
    total = {"count": 0, "rating_sum": 0, "rated": 0, "listened": 0}
    for group in groups:
        for key in total:
            total[key] += group[key] or 0
    return total


def _average(group) -> float | None:
    return round(group["rating_sum"] / group["rated"], 1) if group["rated"] else None


def _month_number(months: list[date]) -> Case:
    """Which of ``months`` (first days, in order) each row was received in, by comparing
    with the months' ends: portable SQL, where a per-row date function (TruncMonth) is
    slow in SQLite, and the months are London's, as the rest of the page."""
    return Case(
        *(
            When(created_at__lt=start_of_day(month_start(month, months_back=-1)), then=number)
            for number, month in enumerate(months)
        ),
        default=len(months),
        output_field=IntegerField(),
    )


def _rows(groups, label_of) -> list[TrendRow]:
    largest = max((group["count"] for group in groups), default=0)
    return [
        TrendRow(
            label=label_of(group),
            count=group["count"],
            average=_average(group),
            listened=group["listened"],
            percent_of_largest=round(100 * group["count"] / largest) if largest else 0,
        )
        for group in groups
    ]


def _from_feedback(chosen: QuerySet[Feedback], months: list[date]) -> tuple[list, list]:
    """(groups by offer title and month number, groups by theme id) counted from ``chosen``
    itself: one grouped pass for each (a few hundred groups)."""
    by_offer_and_month = list(
        chosen.annotate(number=_month_number(months))
        .values("offer_title", "number")
        .annotate(**counted_sums())
        .order_by()
    )
    # Grouped by the theme's id on the link table (no join to the themes; feedback with
    # none is a group of its own): the theme breakdown of the feedback chosen shows every
    # theme it raised.
    by_theme_id = list(chosen.values("themes").annotate(**counted_sums()).order_by())
    return by_offer_and_month, by_theme_id


def _summed(rows: QuerySet, *keys: str) -> list[dict]:
    return list(
        rows.values(*keys)
        .annotate(
            count_=Sum("count"),
            rating_sum_=Sum("rating_sum"),
            rated_=Sum("rated"),
            listened_=Sum("listened"),
        )
        .order_by()
    )


def _from_totals(
    user, theme: Theme | None, whole: tuple[date, date], months: list[date]
) -> tuple[list, list]:
    """The same groups as ``_from_feedback``, for the whole months ``whole`` (first days,
    inclusive), added up from the monthly totals (``coproduce.services.feedback_totals``):
    a few thousand rows whatever the feedback. The totals are the moderated feedback's: the
    organisation's for a lead, everyone's for the partnership."""
    rows = totals_moderated_by(user).filter(month__gte=whole[0], month__lte=whole[1])
    Kind = FeedbackMonth.Kind
    if theme is None:
        offer_rows = rows.filter(kind=Kind.ALL)
        theme_rows, theme_key = rows.filter(kind__in=(Kind.THEME, Kind.NO_THEME)), "theme"
    else:
        offer_rows = rows.filter(kind=Kind.THEME, theme=theme)
        theme_rows, theme_key = rows.filter(kind=Kind.PAIR, theme=theme), "also_theme"
    number = {month: n for n, month in enumerate(months)}

    def group(summed: dict, **keys) -> dict:
        return {
            **keys,
            "count": summed["count_"],
            "rating_sum": summed["rating_sum_"],
            "rated": summed["rated_"],
            "listened": summed["listened_"],
        }

    by_offer_and_month = [
        group(g, offer_title=g["offer_title"], number=number.get(g["month"], len(months)))
        for g in _summed(offer_rows, "offer_title", "month")
    ]
    by_theme_id = [group(g, themes=g[theme_key]) for g in _summed(theme_rows, theme_key)]
    return by_offer_and_month, by_theme_id


def feedback_trends(user, filters: TrendFilters, *, today: date | None = None) -> Trends:
    """Counts of the feedback ``user`` moderates by theme, offer and month, whatever the
    numbers: whole months are added up from the monthly totals, and only the days of a
    month cut short by the dates chosen (or one offer's feedback) are counted from the
    feedback itself; then one query names the themes. Hidden feedback (spam, abuse) is not
    counted."""
    today = today or timezone.localdate()
    months = months_between(filters.first, filters.last)
    whole = None
    if filters.offer is None:
        # The month of ``last`` is whole from today on: nothing has been received after today.
        whole = whole_months(filters.first, filters.last, today=today)
    # The days the totals do not answer, counted from the feedback.
    if whole is None:
        from_feedback = [(filters.first, filters.last)]
    else:
        from_feedback = [
            (filters.first, whole[0] - timedelta(days=1)),
            (month_start(whole[1], months_back=-1), filters.last),
        ]
    moderated = feedback_moderated_by(user).filter(hidden=False)
    if filters.offer is not None:
        moderated = moderated.filter(offer=filters.offer)
    if filters.theme is not None:
        # A subquery, not a join: the theme breakdown still shows every theme of the
        # feedback chosen (what else people raised alongside it).
        moderated = moderated.filter(
            pk__in=Feedback.themes.through.objects.filter(theme=filters.theme).values("feedback_id")
        )
    by_offer_and_month, by_theme_id = [], []
    for first, last in from_feedback:
        if first <= last:
            groups = _from_feedback(received_between(moderated, first, last), months)
            by_offer_and_month += groups[0]
            by_theme_id += groups[1]
    if whole is not None:
        groups = _from_totals(user, filters.theme, whole, months)
        by_offer_and_month += groups[0]
        by_theme_id += groups[1]

    offers: dict[str, list] = {}
    in_month: dict[int, list] = {}
    in_theme: dict[int | None, list] = {}
    for group in by_offer_and_month:
        offers.setdefault(group["offer_title"], []).append(group)
        in_month.setdefault(group["number"], []).append(group)
    for group in by_theme_id:
        in_theme.setdefault(group["themes"], []).append(group)
    totals = _added(by_offer_and_month)
    by_offer = sorted(
        ({**_added(groups), "offer_title": title} for title, groups in offers.items()),
        key=lambda g: (-g["count"], g["offer_title"]),
    )
    by_month = [
        {**_added(in_month.get(number, [])), "month": month} for number, month in enumerate(months)
    ]
    themes = {
        pk: (name, order)
        for pk, name, order in Theme.objects.filter(
            pk__in=[pk for pk in in_theme if pk is not None]
        ).values_list("pk", "name", "sort_order")
    }
    by_theme = sorted(
        (
            {
                **_added(groups),
                "themes__name": themes.get(pk, (None, 0))[0],
                "themes__sort_order": themes.get(pk, (None, 0))[1],
            }
            for pk, groups in in_theme.items()
        ),
        key=lambda g: (-g["count"], g["themes__sort_order"], g["themes__name"] or ""),
    )
    return Trends(
        filters=filters,
        total=totals["count"],
        average=_average(totals),
        listened=totals["listened"],
        by_theme=_rows(by_theme, lambda g: g["themes__name"] or "No theme chosen"),
        by_offer=_rows(by_offer, lambda g: g["offer_title"]),
        by_month=_rows(by_month, lambda g: month_name(g["month"])),
    )
