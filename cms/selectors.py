"""Reads of the site shell that span relations: the offers directory's queries."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Q,
    QuerySet,
    When,
    prefetch_related_objects,
)
from django.utils import timezone

from .models import OfferPage
from .models.offers import REVIEW_DUE_AFTER_DAYS, offers_open_at_q
from .offer_search import rank_offers
from .page_cache import public_only

# Search ranks; only the best few hundred matter to a person reading a list.
SEARCH_RESULTS_LIMIT = 200


@dataclass(frozen=True)
class OfferFilters:
    """What a person asked the directory for; every field is optional."""

    query: str = ""
    # Search for the words exactly as typed, without putting their spelling right.
    exact: bool = False
    needs: tuple[str, ...] = ()
    area: str = ""
    self_referral: bool = False
    open_now: bool = False
    delivery: tuple[str, ...] = field(default_factory=tuple)
    provider_kind: str = ""
    kind: str = ""
    sort: str = ""


def offers_live() -> QuerySet[OfferPage]:
    return public_only(OfferPage.objects.live())


CARD_RELATIONS = ("needs", "areas", "opening_times", "locations", "closures")


def _with_card_data(queryset: QuerySet[OfferPage]) -> QuerySet[OfferPage]:
    return queryset.select_related("provider").prefetch_related(*CARD_RELATIONS)


def offers_open_at(queryset: QuerySet[OfferPage], moment: datetime) -> QuerySet[OfferPage]:
    """The offers open at ``moment``, by the same rule as ``OfferPage.is_open_at``."""
    return queryset.filter(offers_open_at_q(moment))


@dataclass(frozen=True)
class OfferSearchResult:
    """The offers a directory search found, ready to show as cards, and what the page
    should say about how they were found."""

    offers: QuerySet[OfferPage]
    # The words searched for instead, when the words as typed found nothing.
    corrected: str = ""
    # More offers matched than the best SEARCH_RESULTS_LIMIT shown.
    more: bool = False
    # No offer had all the words; these have some of them.
    some_words: bool = False


def offers_search(filters: OfferFilters, *, now: datetime | None = None) -> QuerySet[OfferPage]:
    """The live offers matching ``filters``, ready to show as cards."""
    return offers_found(filters, now=now).offers


def offers_found(
    filters: OfferFilters, *, now: datetime | None = None, needs=None
) -> OfferSearchResult:
    """The live offers matching ``filters``, best first when there are words to rank by.
    ``needs``: every need (with its synonyms), when the caller has them already."""
    offers = offers_live()
    if filters.needs:
        offers = offers.filter(needs__slug__in=filters.needs)
    if filters.area:
        offers = offers.filter(areas__slug=filters.area)
    if filters.self_referral:
        offers = offers.filter(self_referral=True)
    if filters.open_now:
        offers = offers_open_at(offers, now or timezone.now())
    if filters.delivery:
        delivery = Q()
        for way in filters.delivery:
            delivery |= Q(
                **{{"in_person": "in_person", "online": "online", "phone": "by_phone"}[way]: True}
            )
        offers = offers.filter(delivery)
    if filters.provider_kind:
        offers = offers.filter(provider__kind=filters.provider_kind)
    if filters.kind:
        offers = offers.filter(kind=filters.kind)
    offers = offers.distinct()
    ranked_ids: list[int] = []
    ranking = None
    if filters.query:
        # Only the ids, ranked among the offers the filters keep: the cards are loaded
        # once, below, with their relations, so a search costs the same at any size.
        ranking = rank_offers(
            filters.query,
            within=offers,
            limit=SEARCH_RESULTS_LIMIT,
            exact=filters.exact,
            needs=needs,
        )
        ranked_ids = ranking.ids
        offers = offers.filter(pk__in=ranked_ids)
    if filters.sort == "reviewed":
        offers = offers.order_by("-last_reviewed", "title")
    elif filters.sort == "name" or not ranked_ids:
        offers = offers.order_by("title")
    else:
        offers = offers.order_by(
            Case(
                *[When(pk=pk, then=position) for position, pk in enumerate(ranked_ids)],
                output_field=IntegerField(),
            )
        )
    if ranking is None:
        return OfferSearchResult(offers=_with_card_data(offers))
    return OfferSearchResult(
        offers=_with_card_data(offers),
        corrected=ranking.corrected,
        more=ranking.more,
        some_words=ranking.some_words,
    )


def offer_alternatives(offer: OfferPage, *, limit: int = 3) -> list[OfferPage]:
    """Other live offers meeting the same needs in the same areas, best matches first, in
    one query (the offer's needs and areas are read inside it). Their card data is not
    loaded: ``with_card_data`` loads it for them and the offer together."""
    need_ids = offer.needs.through.objects.filter(offerpage=offer.pk).values("need_id")
    area_ids = offer.areas.through.objects.filter(offerpage=offer.pk).values("area_id")
    # An offer serving no area in particular is an alternative anywhere, and an offer
    # with no areas has alternatives from every area.
    same_area = Q(areas__in=area_ids) | Q(areas__isnull=True) | ~Exists(area_ids)
    candidates = (
        offers_live()
        .exclude(pk=offer.pk)
        .filter(Q(needs__in=need_ids) & same_area)
        .annotate(shared=Count("needs", filter=Q(needs__in=need_ids), distinct=True))
        .order_by("-shared", "title")
    )
    return list(candidates.select_related("provider")[:limit])


def with_card_data(offers: list[OfferPage]) -> list[OfferPage]:
    """Load what cards and offer pages show of each offer, five queries however many."""
    prefetch_related_objects(offers, *CARD_RELATIONS)
    return offers


def offers_overdue_for_review(*, today=None) -> QuerySet[OfferPage]:
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=REVIEW_DUE_AFTER_DAYS)
    return (
        OfferPage.objects.live()
        .filter(last_reviewed__lt=cutoff)
        .select_related("provider")
        .order_by("last_reviewed")
    )
