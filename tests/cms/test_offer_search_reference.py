"""The directory's and the site's search find the same offers, in the same order, page by
page, as a plain reference: rank every offer the words match (BM25 on SQLite, ts_rank on
PostgreSQL, best first, then by title), keep those the filters keep (read offer by offer in
Python), take the best 200. However the search is made fast, that is what a person sees."""

import math
from urllib.parse import urlencode

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms import offer_search
from cms.directory import PAGE_SIZE
from cms.models import Need, OfferPage, OfferSearchEntry
from cms.selectors import SEARCH_RESULTS_LIMIT, OfferFilters, offers_found
from cms.site_search import RESULTS_PER_KIND
from tests.conftest import kept_for_the_class
from tests.factories import AreaFactory, OfferPageFactory, OrganisationFactory, offers_index

pytestmark = pytest.mark.django_db

# A Wednesday morning in London: offers open on weekdays from 9 are open now.
NOW = "2026-03-04 11:00 +00:00"
KINDS = [OfferPage.Kind.CRISIS_CAFE, OfferPage.Kind.OTHER]
OFFERS = 30


@pytest.fixture(scope="class")
def directory(django_db_setup, django_db_blocker):
    """Offers whose words, needs, areas, hours and ways of reaching them vary, many sharing
    their words (so ties are broken by title), and more than a page of matches: made once
    for the tests of the class."""
    with kept_for_the_class(django_db_blocker):
        _make_offers()
        yield offers_index()


def _make_offers():
    areas = [AreaFactory(name="Northdale"), AreaFactory(name="Southmoor")]
    providers = [
        OrganisationFactory(name="Northdale Council", local_authority=True),
        OrganisationFactory(name="Harbour Trust"),
    ]
    needs = {need.slug: need for need in Need.objects.all()}
    need_sets = [["peer-support"], ["loneliness", "peer-support"], ["money-and-debt"], []]
    summaries = [
        "Peer support for anyone feeling low or lonely.",
        "Support with debt and money worries, and a friendly chat.",
        "A peer support group that meets every week; support for carers too.",
    ]
    for n in range(OFFERS):
        OfferPageFactory(
            # Titles out of step with the order they are made in, so title order is tested.
            title=f"{['Peer', 'Debt', 'Support', 'Lonely'][n % 4]} group {(n * 7) % OFFERS:02d}",
            summary=summaries[n % 3],
            easy_read_summary="",
            needs=[needs[slug] for slug in need_sets[n % 4]],
            areas=[areas[n % 2]] if n % 5 else [],
            provider=providers[n % 2],
            kind=KINDS[n % 2],
            self_referral=n % 3 != 0,
            in_person=n % 2 == 0,
            online=n % 3 == 1,
            open_24_hours=n % 7 == 0,
            opening_times=[(2, "09:00", "17:00")] if n % 4 == 1 else [],
        )


def _ranked_everywhere(groups, joiner) -> list[int]:
    """Every offer the words match, best first then by title: no filter, no limit."""
    if connection.vendor == "postgresql":
        query = SearchQuery(
            offer_search._tsquery(groups, "|" if joiner == "OR" else "&"),
            search_type="raw",
            config=offer_search.CONFIG,
        )
        return list(
            OfferSearchEntry.objects.filter(vector=query)
            .annotate(rank=SearchRank(F("vector"), query, weights=offer_search.RANK_WEIGHTS))
            .order_by("-rank", "title")
            .values_list("offer_id", flat=True)
        )
    table = offer_search.FTS_TABLE
    weights = ", ".join(str(weight) for weight in offer_search.BM25_WEIGHTS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH %s "  # noqa: S608
            f"ORDER BY bm25({table}, {weights}), title",
            [offer_search._fts5_match(groups, joiner)],
        )
        return [row[0] for row in cursor.fetchall()]


def _kept(offer: OfferPage, filters: OfferFilters, now) -> bool:
    """The filters, read from one offer's own fields and relations."""
    ways = {"in_person": offer.in_person, "online": offer.online, "phone": offer.by_phone}
    return (
        (not filters.needs or {n.slug for n in offer.needs.all()} & set(filters.needs))
        and (not filters.area or filters.area in {a.slug for a in offer.areas.all()})
        and (not filters.self_referral or offer.self_referral)
        and (not filters.open_now or offer.is_open_at(now))
        and (not filters.delivery or any(ways[way] for way in filters.delivery))
        and (not filters.provider_kind or offer.provider.kind == filters.provider_kind)
        and (not filters.kind or offer.kind == filters.kind)
    )


def reference(filters: OfferFilters, limit: int = SEARCH_RESULTS_LIMIT) -> tuple[list[str], bool]:
    """The titles a search should show, in order, and whether more matched than ``limit``."""
    now = timezone.now()
    offers = {
        offer.pk: offer
        for offer in OfferPage.objects.live()
        .select_related("provider")
        .prefetch_related("needs", "areas", "opening_times", "closures")
    }
    kept = {pk for pk, offer in offers.items() if _kept(offer, filters, now)}
    groups = offer_search.query_groups(filters.query, Need.objects.exclude(synonyms=""))
    ids = [pk for pk in _ranked_everywhere(groups, "AND") if pk in kept]
    if not ids and len(groups) > 1:
        ids = [pk for pk in _ranked_everywhere(groups, "OR") if pk in kept]
    found = [offers[pk] for pk in ids[:limit]]
    if filters.sort == "name":
        found.sort(key=lambda offer: offer.title)
    elif filters.sort == "reviewed":
        found.sort(key=lambda offer: offer.title)
        found.sort(key=lambda offer: offer.last_reviewed, reverse=True)
    return [offer.title for offer in found], len(ids) > limit


def _titles(response) -> list[str]:
    page = BeautifulSoup(response.content, "html.parser")
    return [a.get_text(strip=True) for a in page.select(".lep-offer-card h3 a")]


SEARCHES = [
    {"q": "support"},
    {"q": "peer support"},
    {"q": "peer support", "sort": "name"},
    {"q": "support", "sort": "reviewed"},
    {"q": "lonely"},
    {"q": "debt advice"},  # no offer has both words: some of them
    {"q": "support", "need": ["peer-support", "money-and-debt"]},
    {"q": "support", "area": "northdale", "self_referral": "on"},
    {"q": "group", "open_now": "on", "delivery": ["online", "phone"]},
    {"q": "peer", "provider": "local_authority", "kind": "crisis_cafe"},
    {"q": "qwxzvbnm"},
]


@pytest.mark.usefixtures("directory")
class TestTheSearchMatchesAPlainReference:
    @pytest.mark.parametrize("search", SEARCHES, ids=lambda search: urlencode(search, doseq=True))
    def test_the_directory_shows_what_a_plain_ranking_finds_page_by_page(
        self, client, directory, search
    ):
        with time_machine.travel(NOW, tick=False):
            filters = OfferFilters(
                query=search["q"],
                exact=True,
                needs=tuple(search.get("need", ())),
                area=search.get("area", ""),
                self_referral="self_referral" in search,
                open_now="open_now" in search,
                delivery=tuple(search.get("delivery", ())),
                provider_kind=search.get("provider", ""),
                kind=search.get("kind", ""),
                sort=search.get("sort", ""),
            )
            expected, _more = reference(filters)
            pages = max(1, math.ceil(len(expected) / PAGE_SIZE))
            shown = []
            for number in range(1, pages + 1):
                query = urlencode({**search, "exact": "on", "page": number}, doseq=True)
                shown.append(_titles(client.get(f"{directory.url}?{query}")))
        assert shown == [
            expected[i : i + PAGE_SIZE] for i in range(0, pages * PAGE_SIZE, PAGE_SIZE)
        ]
        assert filters.query == "qwxzvbnm" or expected, "each search but one finds something"

    def test_more_matches_than_the_limit_are_the_best_of_them_in_order(self, directory):
        filters = OfferFilters(query="support", exact=True)
        expected, more = reference(filters, limit=7)
        found = offers_found(filters, limit=7)
        assert more and found.more
        assert [offer.title for offer in found.offers] == expected

    def test_the_site_search_lists_the_offers_a_plain_ranking_finds(self, client, directory):
        expected, _more = reference(OfferFilters(query="support", exact=True), RESULTS_PER_KIND)
        shown = []
        for number in (1, 2, 3):
            page = BeautifulSoup(
                client.get("/search/", {"q": "support", "kind": "support", "page": number}).content,
                "html.parser",
            )
            shown += [item.h3.get_text(strip=True) for item in page.select("main li") if item.h3]
        assert len(expected) == OFFERS
        assert shown == expected

    @pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 only")
    def test_the_ranking_reads_the_matches_once_not_once_per_offer(self, directory):
        """Given the filters' offers as ``rowid IN (…)``, FTS5 would run the search again for
        each of them: at 20,000 offers a search took seconds. SQLite must check the matches
        against the list instead."""
        with CaptureQueriesContext(connection) as queries:
            offer_search.rank_offers(
                "support", within=OfferPage.objects.live(), limit=10, needs=Need.objects.none()
            )
        (ranking,) = queries.captured_queries
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {ranking['sql']}")
            plan = [row[-1] for row in cursor.fetchall()]
        (fts_scan,) = [step for step in plan if offer_search.FTS_TABLE in step]
        # FTS5's plan names each constraint it is given: "M" a MATCH, "=" a rowid.
        assert "=" not in fts_scan.rsplit(":", 1)[-1], plan
