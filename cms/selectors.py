"""Reads of the site shell that span relations: the offers directory's queries."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, Q, QuerySet, prefetch_related_objects
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


class RankedOffers(Sequence):
    """Offers in the order a search ranked them, read a page at a time. A paginator counts
    the ids already known and loads only the slice it shows, by id, put in rank order here:
    the filters were applied by the ranking, so they are not evaluated again, and the
    database is not asked to sort by a list of ids."""

    def __init__(self, ids: list[int], offers: QuerySet[OfferPage]):
        self.ids = ids
        self._offers = offers

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            ids = self.ids[index]
            found = self._offers.in_bulk(ids) if ids else {}
            # An offer unpublished since it was ranked is left out.
            return [found[pk] for pk in ids if pk in found]
        return self._offers.get(pk=self.ids[index])

    def __iter__(self):
        return iter(self[:])


@dataclass(frozen=True)
class OfferSearchResult:
    """The offers a directory search found, ready to show as cards, and what the page
    should say about how they were found."""

    # A query set when browsing or sorting by name or date; ``RankedOffers`` for best match.
    offers: Sequence[OfferPage]
    # The words searched for instead, when the words as typed found nothing.
    corrected: str = ""
    # More offers matched than the best SEARCH_RESULTS_LIMIT shown.
    more: bool = False
    # No offer had all the words; these have some of them.
    some_words: bool = False


def offers_search(
    filters: OfferFilters,
    *,
    now: datetime | None = None,
    limit: int | None = None,
    cards: bool = True,
) -> Sequence[OfferPage]:
    """The live offers matching ``filters`` (see ``offers_found``)."""
    return offers_found(filters, now=now, limit=limit, cards=cards).offers


def offers_filtered(filters: OfferFilters, *, now: datetime | None = None) -> QuerySet[OfferPage]:
    """The live offers the filters (all but the words) keep, each once: a need or an area is
    a subquery, not a join, so no offer is repeated and nothing needs DISTINCT."""
    offers = offers_live()
    if filters.needs:
        offers = offers.filter(
            pk__in=OfferPage.needs.through.objects.filter(need__slug__in=filters.needs).values(
                "offerpage_id"
            )
        )
    if filters.area:
        offers = offers.filter(
            pk__in=OfferPage.areas.through.objects.filter(area__slug=filters.area).values(
                "offerpage_id"
            )
        )
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
    return offers


def offers_found(
    filters: OfferFilters,
    *,
    now: datetime | None = None,
    needs=None,
    limit: int | None = None,
    cards: bool = True,
) -> OfferSearchResult:
    """The live offers matching ``filters``, best first when there are words to rank by
    (at most ``limit`` of them, else ``SEARCH_RESULTS_LIMIT``). ``needs``: every need (with
    its synonyms), when the caller has them already. ``cards``: load what the directory's
    cards show, else only the provider."""

    def shown(offers: QuerySet[OfferPage]) -> QuerySet[OfferPage]:
        return _with_card_data(offers) if cards else offers.select_related("provider")

    offers = offers_filtered(filters, now=now)
    if not filters.query:
        if filters.sort == "reviewed":
            return OfferSearchResult(offers=shown(offers.order_by("-last_reviewed", "title")))
        return OfferSearchResult(offers=shown(offers.order_by("title")))
    # Only the ids, ranked among the offers the filters keep; the offers themselves are
    # read by id, a page at a time, so a search costs the same at any size.
    ranking = rank_offers(
        filters.query,
        within=offers,
        limit=SEARCH_RESULTS_LIMIT if limit is None else limit,
        exact=filters.exact,
        needs=needs,
    )
    ranked = offers_live().filter(pk__in=ranking.ids)
    if filters.sort == "reviewed":
        found = shown(ranked.order_by("-last_reviewed", "title"))
    elif filters.sort == "name":
        found = shown(ranked.order_by("title"))
    else:
        found = RankedOffers(ranking.ids, shown(offers_live()))
    return OfferSearchResult(
        offers=found,
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
