"""The reads the Open Referral UK feed needs: which offers it publishes (live and public,
never drafts or private pages), filtered as a finder asks (``cms.oruk.query``), the
services at their places, or one found by ORUK id."""

import math
import uuid
from datetime import time

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Location, Need, OfferPage, OpeningTime, Organisation
from ..models.offers import LAST_MINUTE
from ..page_cache import public_only
from ..params import BadParameter, search_words
from .ids import (
    derived_service_id,
    need_id,
    organisation_id,
    place_id,
    service_at_location_id,
    service_id,
    taxonomy_id,
)
from .query import ListQuery

SEARCH_RESULTS_LIMIT = 1000
EARTH_RADIUS_METRES = 6_371_000
# The relations a fully nested service (or service at a location) is built from.
NESTED = (
    "areas",
    "opening_times",
    "closures",
    "locations",
    Prefetch("needs", queryset=Need.objects.order_by("name")),
)


def oruk_offers() -> QuerySet[OfferPage]:
    """The offers the feed publishes: live and public, never drafts or private pages."""
    return public_only(OfferPage.objects.live()).select_related("provider").order_by("title", "pk")


def oruk_offers_nested(queryset: QuerySet[OfferPage]) -> QuerySet[OfferPage]:
    return queryset.prefetch_related(*NESTED)


def need_by_oruk_id(term_id: uuid.UUID) -> Need | None:
    for need in Need.objects.all():
        if need_id(need) == str(term_id):
            return need
    return None


def _organisation_pk(oruk_id: uuid.UUID) -> int | None:
    for pk in Organisation.objects.values_list("pk", flat=True):
        if organisation_id(Organisation(pk=pk)) == str(oruk_id):
            return pk
    return None


def opening_matches(query: ListQuery) -> Q:
    """Opening times (OpeningTime rows) that answer the query's ``day``, ``start_time``
    and ``end_time``: on that day, opening no earlier, closing no later the same day (an
    overnight opening ends the next day, after any end time). Times whose dates are over
    no longer count."""
    matches = Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate())
    if query.day is not None:
        matches &= Q(weekday=query.day)
    if query.start_time is not None:
        matches &= Q(opens__gte=query.start_time)
    if query.end_time is not None:
        matches &= Q(closes__lte=query.end_time, closes__gt=F("opens"))
    return matches


def _all_day_matches(query: ListQuery) -> bool:
    """Whether open 24 hours (every day, 00:00 to 23:59, as the feed says it) answers the
    query's times."""
    return (query.start_time is None or query.start_time <= time(0)) and (
        query.end_time is None or query.end_time >= LAST_MINUTE
    )


def oruk_offers_matching(query: ListQuery, *, by_times: bool = True) -> QuerySet[OfferPage]:
    """The published offers that answer ``query`` (its places' filters aside); with
    ``by_times``, one of their opening times (at any place) answers its times too."""
    offers = oruk_offers()
    if query.taxonomy_term_id is not None:
        need = need_by_oruk_id(query.taxonomy_term_id)
        if need is None:
            return offers.none()
        offers = offers.filter(needs=need)
    if query.taxonomy_id is not None:
        if str(query.taxonomy_id) != taxonomy_id():
            return offers.none()
        offers = offers.filter(pk__in=OfferPage.objects.filter(needs__isnull=False).values("pk"))
    if query.organization_id is not None:
        organisation = _organisation_pk(query.organization_id)
        if organisation is None:
            return offers.none()
        offers = offers.filter(provider_id=organisation)
    if query.minimum_age is not None:
        offers = offers.alias(lowest=Coalesce("age_from", 0)).filter(lowest__gte=query.minimum_age)
    if query.maximum_age is not None:
        offers = offers.filter(age_to__lte=query.maximum_age)
    if query.modified_after is not None:
        offers = offers.filter(last_published_at__gte=query.modified_after)
    if by_times and query.asks_about_times:
        at_times = Q(pk__in=OpeningTime.objects.filter(opening_matches(query)).values("offer_id"))
        if _all_day_matches(query):
            at_times |= Q(open_24_hours=True)
        offers = offers.filter(at_times)
    if query.search:
        # Only the words reach the search backend: quotes or symbols alone find nothing.
        words = search_words(query.search)
        live = public_only(OfferPage.objects.live())
        ranked = live.search(words)[:SEARCH_RESULTS_LIMIT] if words else []
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


# --- Services at their places ------------------------------------------------------------------

ServiceAtLocation = tuple[OfferPage, Location | None]


def places_of(offer: OfferPage) -> list[Location | None]:
    """Where a person can go for the offer: its places, or (an offer with none that is
    delivered in person at an address) its own address, as ``None``."""
    places = list(offer.locations.all())
    if places:
        return places
    if offer.in_person and (offer.address or offer.postcode):
        return [None]
    return []


def compact_postcode(postcode: str) -> str:
    return "".join(postcode.upper().split())


def _postcode_of(offer: OfferPage, place: Location | None) -> str:
    return compact_postcode(offer.postcode if place is None else place.postcode)


def _in_postcode(postcode: str, asked: str) -> bool:
    """A whole postcode matches itself; its first part (outward code, "HD1") every
    postcode that starts with it."""
    if len(asked) >= 5 and asked[-3].isdigit():
        return postcode == asked
    return len(postcode) >= 5 and postcode[:-3] == asked


def _distance_metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two points in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(h)))


def _centroid(asked: str) -> tuple[float, float]:
    """The middle of the places we know in a postcode: the feed has no postcode
    directory of its own and asks no other site."""
    points = [
        (float(lat), float(lon))
        for code, lat, lon in Location.objects.filter(
            latitude__isnull=False, longitude__isnull=False
        ).values_list("postcode", "latitude", "longitude")
        if _in_postcode(compact_postcode(code), asked)
    ]
    if not points:
        raise BadParameter(
            f"'proximity' cannot be used with the postcode {asked}: we know of no place "
            "there to measure from. Try the first part of the postcode, or leave out "
            "'proximity'."
        )
    return (
        sum(point[0] for point in points) / len(points),
        sum(point[1] for point in points) / len(points),
    )


def _times_answered(offers: list[OfferPage], query: ListQuery):
    """A test of (offer, place) against the query's times: the place's own opening times
    where it has them, else the offer's."""
    pks = [offer.pk for offer in offers]
    rows = OpeningTime.objects.filter(offer_id__in=pks)
    own = set(rows.filter(location__isnull=False).values_list("location_id", flat=True))
    matching = set(rows.filter(opening_matches(query)).values_list("offer_id", "location_id"))
    all_day = _all_day_matches(query)

    def answered(offer: OfferPage, place: Location | None) -> bool:
        if place is not None and place.pk in own:
            return (offer.pk, place.pk) in matching
        return (offer.pk, None) in matching or (offer.open_24_hours and all_day)

    return answered


def oruk_services_at_locations(query: ListQuery) -> list[ServiceAtLocation]:
    """Each published offer at each of its places that answers ``query``: offers in
    title order, places in the editor's order."""
    offers = list(
        oruk_offers_matching(query, by_times=False).prefetch_related(
            Prefetch("locations", queryset=Location.objects.order_by("sort_order", "pk"))
        )
    )
    answered = _times_answered(offers, query) if query.asks_about_times else None
    centre = _centroid(query.postcode) if query.proximity is not None else None
    found = []
    for offer in offers:
        for place in places_of(offer):
            if answered is not None and not answered(offer, place):
                continue
            if centre is not None:
                if place is None or place.latitude is None or place.longitude is None:
                    continue
                point = (float(place.latitude), float(place.longitude))
                if _distance_metres(centre, point) > query.proximity:
                    continue
            elif query.postcode and not _in_postcode(_postcode_of(offer, place), query.postcode):
                continue
            found.append((offer, place))
    return found


def oruk_service_at_location_by_id(sal_id: uuid.UUID) -> ServiceAtLocation | None:
    """The published offer and place whose service-at-location id is ``sal_id``."""
    wanted = str(sal_id)
    offers = oruk_offers().prefetch_related("locations")
    for offer in offers:
        sid = service_id(offer)
        for place in places_of(offer):
            if service_at_location_id(sid, place_id(sid, place)) == wanted:
                nested = oruk_offers_nested(oruk_offers()).get(pk=offer.pk)
                if place is None:
                    return nested, None
                return nested, next(p for p in nested.locations.all() if p.pk == place.pk)
    return None
