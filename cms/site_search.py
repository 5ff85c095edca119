"""Site search over everything public: support offers, Wagtail pages, and whatever each app
adds ("You said, we did" changes, panels open to join, peer roles, charters, outcomes).

The shell imports no domain app, so each app adds what it makes public with a hook::

    @hooks.register(SITE_SEARCH_HOOK)
    def my_search():
        return SearchSource(key="panels", label="Design panel", find=find_panels, order=30)

``find(words, limit, request=None)`` is given the query's words only
(``cms.params.search_words``) and the request (Wagtail pages' addresses are worked out once
per request), and returns at most ``limit`` ``SearchResult``s, in a fixed number of queries
however many records match, and only what anyone without an account may see. Wagtail pages
of a type a source answers for (its ``page_models``) are left to it, so nothing is found
twice.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.db.models import OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from django.utils.text import Truncator
from wagtail import hooks
from wagtail.models import Page, get_page_models

from .dates import date_in_words
from .page_cache import public_only
from .selectors import OfferFilters, offers_search

SITE_SEARCH_HOOK = "register_site_search"
# Enough of each kind for anybody reading a list; the best matches of each come first.
RESULTS_PER_KIND = 50
SUMMARY_WORDS = 30


@dataclass(frozen=True)
class SearchResult:
    """One thing found, as the results page shows it: what kind of thing it is, its title
    and address, a plain summary and one line of detail (who runs it, when it closes)."""

    title: str
    url: str
    kind: str = ""
    summary: str = ""
    detail: str = ""
    date: datetime.date | None = None
    date_label: str = "Updated"

    @property
    def when(self) -> str:
        """The result's date in words, with what it is: "Closes 3 March 2027"."""
        return f"{self.date_label} {date_in_words(self.date)}" if self.date else ""


@dataclass(frozen=True)
class SearchSource:
    """One kind of public thing the site search looks through."""

    key: str
    label: str
    plural: str
    find: Callable[..., list[SearchResult]]
    order: int = 100
    page_models: tuple = field(default_factory=tuple)


@dataclass(frozen=True)
class KindFound:
    """How many of one kind were found, for the page's "show only" links."""

    key: str
    plural: str
    count: int


@dataclass(frozen=True)
class SiteSearch:
    results: list[SearchResult]
    kinds: list[KindFound]


def summary_of(text: str, words: int = SUMMARY_WORDS) -> str:
    return Truncator(" ".join((text or "").split())).words(words)


def words_match(words: str, fields: Iterable[str]) -> Q:
    """Records in which every word appears in one of ``fields`` (for records that are not
    in Wagtail's search index: panels, vacancies, charters)."""
    fields = list(fields)
    return reduce(
        and_,
        (
            reduce(or_, (Q(**{f"{name}__icontains": word}) for name in fields))
            for word in words.split()
        ),
        Q(),
    )


def text_matches(words: str, *texts: str) -> bool:
    """The same rule as ``words_match``, for records already read."""
    haystack = " ".join(text or "" for text in texts).casefold()
    return all(word.casefold() in haystack for word in words.split())


def search_sources() -> list[SearchSource]:
    """Every source the apps register, in order, and the Wagtail pages no source answers for."""
    sources = [register() for register in hooks.get_hooks(SITE_SEARCH_HOOK)]
    covered = tuple(model for source in sources for model in source.page_models)
    sources.append(
        SearchSource(
            key="pages",
            label="Page",
            plural="information pages",
            find=lambda words, limit, request=None: find_pages(
                words, limit, request=request, leave_out=covered
            ),
            order=1000,
        )
    )
    return sorted(sources, key=lambda source: source.order)


def site_search(
    words: str, *, kind: str = "", limit: int = RESULTS_PER_KIND, request=None
) -> SiteSearch:
    """What the words find, every kind in its order (the best matches of each first), and
    how many of each kind; ``kind`` (a source's key) narrows the results to that kind."""
    if not words:
        return SiteSearch(results=[], kinds=[])
    results: list[SearchResult] = []
    kinds: list[KindFound] = []
    for source in search_sources():
        found = source.find(words, limit, request=request)
        if not found:
            continue
        kinds.append(KindFound(key=source.key, plural=source.plural, count=len(found)))
        if not kind or kind == source.key:
            results.extend(found)
    return SiteSearch(results=results, kinds=kinds)


def search_kind_keys() -> list[str]:
    return [source.key for source in search_sources()]


def find_pages(
    words: str, limit: int, *, request=None, leave_out: tuple = ()
) -> list[SearchResult]:
    """Live public Wagtail pages, except those of the types in ``leave_out``: one query,
    the base pages with each one's introduction beside it, however many page types are
    found (the specific pages, one query per type, are never needed)."""
    pages = public_only(Page.objects.live())
    if leave_out:
        pages = pages.not_type(*leave_out)
    found = list(pages.annotate(found_intro=_intro()).search(words)[:limit])
    if found and not hasattr(found[0], "found_intro"):
        # A search backend that drops annotations: read the introductions in one more query.
        intros = dict(
            Page.objects.filter(pk__in=[page.pk for page in found])
            .annotate(found_intro=_intro())
            .values_list("pk", "found_intro")
        )
        for page in found:
            page.found_intro = intros.get(page.pk, "")
    return [
        SearchResult(
            title=page.title,
            url=page.get_url(request),
            kind="Page",
            summary=summary_of(page.search_description or page.found_intro),
            date=page.last_published_at.date() if page.last_published_at else None,
        )
        for page in found
    ]


def _intro() -> Coalesce | Value:
    """A page's ``intro``, from whichever page type's table has one (a page is a row of
    one type's table only, so at most one of these is filled)."""
    models = [
        model
        for model in get_page_models()
        if any(f.name == "intro" and f.model is model for f in model._meta.concrete_fields)
    ]
    if not models:
        return Value("", output_field=TextField())
    return Coalesce(
        *[
            Subquery(model.objects.filter(pk=OuterRef("pk")).values("intro")[:1])
            for model in models
        ],
        Value(""),
        output_field=TextField(),
    )


def find_offers(words: str, limit: int, request=None) -> list[SearchResult]:
    """Support offers in the directory, found by the directory's own search."""
    return (
        [
            SearchResult(
                title=offer.title,
                url=offer.get_url(request),
                kind="Support",
                summary=summary_of(offer.search_description or offer.summary),
                detail=f"Run by {offer.provider.name}" if offer.provider_id else "",
                date=offer.last_reviewed,
                date_label="Checked",
            )
            # A result shows no card, so none of the cards' relations are read. Exact: the
            # page says its results are for the words typed, and has no way to say "showing
            # results for <the words spelt right>" as the directory does, so offers are not
            # found by correcting the spelling here.
            for offer in offers_search(
                OfferFilters(query=words, exact=True), limit=limit, cards=False
            )
        ]
        if words
        else []
    )
