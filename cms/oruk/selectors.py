"""The reads the Open Referral UK feed needs: which offers it publishes (live and public,
never drafts or private pages), searched, filtered by need, or found by ORUK id."""

import uuid

from django.db.models import Prefetch, QuerySet

from ..models import Need, OfferPage
from ..params import search_words
from .ids import derived_service_id, need_id

SEARCH_RESULTS_LIMIT = 1000


def oruk_offers() -> QuerySet[OfferPage]:
    """The offers the feed publishes: live and public, never drafts or private pages."""
    return OfferPage.objects.live().public().select_related("provider").order_by("title", "pk")


def oruk_offers_nested(queryset: QuerySet[OfferPage]) -> QuerySet[OfferPage]:
    return queryset.prefetch_related(
        "areas", "opening_times", Prefetch("needs", queryset=Need.objects.order_by("name"))
    )


def oruk_offers_matching(*, search: str = "", need: Need | None = None, any_need: bool = False):
    offers = oruk_offers()
    if need is not None:
        offers = offers.filter(needs=need)
    elif any_need:
        offers = offers.filter(needs__isnull=False).distinct()
    if search:
        # Only the words reach the search backend: quotes or symbols alone find nothing.
        words = search_words(search)
        ranked = (
            OfferPage.objects.live().public().search(words)[:SEARCH_RESULTS_LIMIT] if words else []
        )
        offers = offers.filter(pk__in=[page.pk for page in ranked])
    return offers


def oruk_offer_by_id(sid: uuid.UUID) -> OfferPage | None:
    """The live offer whose ORUK id is ``sid``, or None."""
    offers = oruk_offers_nested(oruk_offers())
    offer = offers.filter(oruk_id=sid).first()
    if offer is not None:
        return offer
    for pk, translation_key, stored in oruk_offers().values_list(
        "pk", "translation_key", "oruk_id"
    ):
        if stored is None and derived_service_id(translation_key) == sid:
            return offers.get(pk=pk)
    return None


def need_by_oruk_id(term_id: uuid.UUID) -> Need | None:
    for need in Need.objects.all():
        if need_id(need) == str(term_id):
            return need
    return None
