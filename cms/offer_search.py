"""The offers directory's search: finds offers by the words people use, not only the words
their editors wrote, and stays fast however many offers there are.

- Every live offer has an ``OfferSearchEntry``: its title; its needs, their synonyms (kept by
  editors on each need) and its kind of help; its summary; the rest. PostgreSQL keeps them as
  one weighted ``tsvector`` (A, B, C, D) under a GIN index; SQLite as an FTS5 table with the
  Porter stemmer, weighted by BM25. Either way "worried" finds "worry", and "skint" finds the
  offers for money and debt.
- A search returns ranked offer ids only (the cards are loaded once, for one page).
- A search that finds nothing is tried again with small spelling mistakes put right against
  the directory's own words ("lonley" → "lonely"), then with any of its words rather than
  all of them, so a person is told what was searched for instead of meeting a dead end.
- ``touches_crisis`` decides, in one place, when a search is about urgent help.
"""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.cache import cache
from django.db import connection
from django.db.models import F, QuerySet

from .params import clean_text

# PostgreSQL's text search configuration: English stemming and stop words.
CONFIG = "english"
# ts_rank's weights for D, C, B, A; SQLite's BM25 weights for title, needs, summary, rest.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
BM25_WEIGHTS = (10.0, 4.0, 2.0, 1.0)
FTS_TABLE = "cms_offersearchentry_fts"
BATCH_SIZE = 500
# A person's search is a few words; more than this is pasted text, and only slows the query.
MAX_TERMS = 12
MAX_TERM_LENGTH = 40
# Spelling: words shorter than this are left alone ("gp", "cbt"), and a correction must be
# at least this close (difflib's ratio).
MIN_CORRECTABLE_LENGTH = 4
CORRECTION_CUTOFF = 0.75
VOCABULARY_CACHE_KEY = "offer-search-vocabulary"
VOCABULARY_TIMEOUT = 24 * 60 * 60

# Words that say nothing about which offer a person wants; dropped unless nothing else is left.
_STOP_WORDS = (
    "a about after again all am an and any are as at be been being but by can could did do "
    "does for from get getting got had has have having he her here him his how i i'm if in "
    "into is it its just me more my myself need needs no not of on or our out please so some "
    "someone somebody something somewhere than that the their them then there these they "
    "this those to too up us very want wanting was we were what when where which who why "
    "will with would you your help helping looking find finding"
)
STOP_WORDS = frozenset(_STOP_WORDS.split())

# Words and phrases that mean a person may need urgent help. Matched as whole words, after
# the same clean-up as a search; close misspellings of the longer words count too.
CRISIS_WORDS = frozenset(
    {"crisis", "suicide", "suicidal", "selfharm", "urgent", "emergency", "overdose"}
)
CRISIS_PHRASES = (
    "self harm",
    "self harming",
    "want to die",
    "wanna die",
    "kill myself",
    "killing myself",
    "end my life",
    "end it all",
    "hurt myself",
    "harm myself",
)
CRISIS_NEED = "crisis"
CRISIS_KIND = "crisis_cafe"

_TERM = re.compile(r"[^\W_]+")
_SYNONYM_SEPARATORS = re.compile(r"[,\n;]+")


def words_of(text: str) -> list[str]:
    """The words of ``text``, lower-cased: letters and digits in any script, nothing that a
    search engine could read as syntax."""
    return [word.lower() for word in _TERM.findall(clean_text(text or "", max_length=None))]


def search_terms(text: str) -> list[str]:
    """The words a search looks for: no stop words (unless they are all there is), no
    repeats, no more than ``MAX_TERMS``."""
    words = [word[:MAX_TERM_LENGTH] for word in words_of(text)]
    kept = [word for word in words if word not in STOP_WORDS] or words
    return list(dict.fromkeys(kept))[:MAX_TERMS]


def synonyms_of(synonyms: str) -> list[str]:
    """A need's synonyms as editors wrote them: separated by commas or one to a line."""
    return [part.strip() for part in _SYNONYM_SEPARATORS.split(synonyms or "") if part.strip()]


# --- Urgent help -------------------------------------------------------------------------


def touches_crisis(words: str | Iterable[str] = "", needs: Iterable = (), kind: str = "") -> bool:
    """Whether a search (its words, the needs chosen, the kind of help chosen) is about
    crisis support, so the page shows where to get urgent help above everything else.
    ``needs`` may be slugs or ``Need`` objects."""
    if kind == CRISIS_KIND:
        return True
    if any(getattr(need, "slug", need) == CRISIS_NEED for need in needs):
        return True
    text = words if isinstance(words, str) else " ".join(words)
    found = words_of(text)
    if not found:
        return False
    joined = f" {' '.join(found)} "
    if any(f" {phrase} " in joined for phrase in CRISIS_PHRASES):
        return True
    for word in found:
        if word in CRISIS_WORDS:
            return True
        if len(word) >= 6 and difflib.get_close_matches(word, CRISIS_WORDS, n=1, cutoff=0.85):
            return True
    return False


# --- Keeping the entries up to date ------------------------------------------------------


def offer_document(offer) -> dict[str, str]:
    """An offer's words by weight. ``offer`` has its provider, needs and areas loaded."""
    needs = list(offer.needs.all())
    # "Other support" says nothing a person would search for.
    need_words = [offer.get_kind_display()] if offer.kind != "other" else []
    for need in needs:
        need_words.append(need.name)
        need_words.extend(synonyms_of(need.synonyms))
    rest = [
        offer.easy_read_summary,
        offer.who_for,
        offer.communities,
        offer.languages,
        "British Sign Language BSL" if offer.bsl else "",
        offer.provider.name,
        *(need.description for need in needs),
        *(area.name for area in offer.areas.all()),
    ]
    return {
        "title": offer.title,
        "needs": ", ".join(need_words),
        "summary": offer.summary,
        "rest": "\n".join(part for part in rest if part),
    }


def _weighted_vector():
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("needs", weight="B", config=CONFIG)
        + SearchVector("summary", weight="C", config=CONFIG)
        + SearchVector("rest", weight="D", config=CONFIG)
    )


def reindex_offers(offer_ids: Iterable[int] | None = None) -> int:
    """Write the search entries of these offers (every offer when None) from what is live
    now; an offer no longer live loses its entry. Returns how many entries were written."""
    from .models import OfferPage, OfferSearchEntry

    if offer_ids is None:
        ids = list(OfferPage.objects.values_list("pk", flat=True))
    else:
        ids = list(dict.fromkeys(offer_ids))
    written = 0
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        offers = list(
            OfferPage.objects.live()
            .filter(pk__in=batch)
            .select_related("provider")
            .prefetch_related("needs", "areas")
        )
        live_ids = [offer.pk for offer in offers]
        OfferSearchEntry.objects.filter(offer_id__in=batch).exclude(offer_id__in=live_ids).delete()
        if not offers:
            continue
        OfferSearchEntry.objects.bulk_create(
            [OfferSearchEntry(offer_id=offer.pk, **offer_document(offer)) for offer in offers],
            update_conflicts=True,
            unique_fields=["offer"],
            update_fields=["title", "needs", "summary", "rest"],
        )
        if connection.vendor == "postgresql":
            OfferSearchEntry.objects.filter(offer_id__in=live_ids).update(vector=_weighted_vector())
        written += len(offers)
    forget_vocabulary()
    return written


def _offer_changed(sender, instance, **kwargs):
    reindex_offers([instance.pk])


def _need_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        reindex_offers(instance.offers.values_list("pk", flat=True))


def _need_deleting(sender, instance, **kwargs):
    instance._search_offer_ids = list(instance.offers.values_list("pk", flat=True))


def _need_deleted(sender, instance, **kwargs):
    reindex_offers(getattr(instance, "_search_offer_ids", ()))


def _provider_saved(sender, instance, created=False, raw=False, **kwargs):
    if not (created or raw):
        reindex_offers(instance.offers.values_list("pk", flat=True))


def connect_upkeep() -> None:
    """Keep the entries in step: an offer published or unpublished, a need's synonyms
    edited, a need removed, a provider renamed. (A side effect, like a cache purge.)"""
    from django.db.models.signals import post_delete, post_save, pre_delete
    from wagtail.signals import page_published, page_unpublished

    from .models import Need, OfferPage, Organisation

    page_published.connect(_offer_changed, sender=OfferPage, dispatch_uid="offer-search-pub")
    page_unpublished.connect(_offer_changed, sender=OfferPage, dispatch_uid="offer-search-unpub")
    post_save.connect(_need_saved, sender=Need, dispatch_uid="offer-search-need-save")
    pre_delete.connect(_need_deleting, sender=Need, dispatch_uid="offer-search-need-deleting")
    post_delete.connect(_need_deleted, sender=Need, dispatch_uid="offer-search-need-deleted")
    post_save.connect(_provider_saved, sender=Organisation, dispatch_uid="offer-search-provider")


# --- Spelling ----------------------------------------------------------------------------


def forget_vocabulary() -> None:
    cache.delete(VOCABULARY_CACHE_KEY)


def vocabulary() -> list[str]:
    """The directory's own words (needs, their synonyms, kinds of help, offer titles) that a
    misspelt word is corrected to; kept in the cache until an offer or need changes."""
    words = cache.get(VOCABULARY_CACHE_KEY)
    if words is None:
        from .models import Need, OfferPage, OfferSearchEntry

        found: set[str] = set()
        for name, synonyms, description in Need.objects.values_list(
            "name", "synonyms", "description"
        ):
            found.update(words_of(f"{name} {synonyms} {description}"))
        found.update(words_of(" ".join(str(label) for label in OfferPage.Kind.labels)))
        for title in OfferSearchEntry.objects.values_list("title", flat=True).iterator():
            found.update(words_of(title))
        words = sorted(
            word for word in found if len(word) >= MIN_CORRECTABLE_LENGTH and not word.isdigit()
        )
        cache.set(VOCABULARY_CACHE_KEY, words, VOCABULARY_TIMEOUT)
    return words


def _closest_word(word: str, known: list[str]) -> str | None:
    candidates = [w for w in known if abs(len(w) - len(word)) <= 2]
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=CORRECTION_CUTOFF)
    return matches[0] if matches else None


def corrected_spelling(text: str) -> str:
    """``text`` with each word the directory does not know replaced by the closest word it
    does, or "" when nothing needed putting right."""
    known = vocabulary()
    known_set = set(known)
    words = words_of(text)[: MAX_TERMS * 2]
    changed = False
    corrected = []
    for word in words:
        if (
            len(word) >= MIN_CORRECTABLE_LENGTH
            and not word.isdigit()
            and word not in known_set
            and word not in STOP_WORDS
        ):
            closest = _closest_word(word[:MAX_TERM_LENGTH], known)
            if closest:
                corrected.append(closest)
                changed = True
                continue
        corrected.append(word)
    return " ".join(corrected) if changed else ""


# --- Ranking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranking:
    """What a search found: offer ids, best first; whether there were more than the limit;
    the corrected words it searched for instead (or ""); whether it matched only some of
    the words."""

    ids: list[int]
    more: bool = False
    corrected: str = ""
    some_words: bool = False


Group = list[tuple[str, ...]]


def query_groups(text: str, needs: Iterable = ()) -> list[Group]:
    """What a search looks for: groups that must all match (or, failing that, any), each a
    list of alternative phrases. A need's synonym of several words found in the search (a
    phrase like "on my own", whose words alone say little) may match as itself or as the
    need's name."""
    words = [word[:MAX_TERM_LENGTH] for word in words_of(text)][: MAX_TERMS * 4]
    phrases = []
    for need in needs:
        name = tuple(words_of(need.name))
        for synonym in synonyms_of(need.synonyms):
            phrase = tuple(words_of(synonym))
            if len(phrase) > 1 and name:
                phrases.append((phrase, name))
    phrases.sort(key=lambda pair: -len(pair[0]))
    groups: list[Group] = []
    plain: list[str] = []
    position = 0
    while position < len(words):
        for phrase, name in phrases:
            if tuple(words[position : position + len(phrase)]) == phrase:
                if [phrase, name] not in groups:
                    groups.append([phrase, name])
                position += len(phrase)
                break
        else:
            plain.append(words[position])
            position += 1
    kept = [word for word in plain if word not in STOP_WORDS] or ([] if groups else plain)
    groups.extend([(word,)] for word in dict.fromkeys(kept))
    return groups[:MAX_TERMS]


def _fts5_match(groups: list[Group], joiner: str) -> str:
    # Each phrase quoted, so FTS5 reads its words as words (never as AND, NEAR or a column).
    def alternatives(group):
        quoted = [f'"{" ".join(phrase)}"' for phrase in group]
        return quoted[0] if len(quoted) == 1 else f"({' OR '.join(quoted)})"

    return f" {joiner} ".join(alternatives(group) for group in groups)


def _tsquery(groups: list[Group], joiner: str) -> str:
    # The words are letters and digits only, so nothing in them is tsquery syntax.
    def alternatives(group):
        return "(" + " | ".join(f"({' <-> '.join(phrase)})" for phrase in group) + ")"

    return f" {joiner} ".join(alternatives(group) for group in groups)


def _ranked_ids(groups: list[Group], within: QuerySet, limit: int, *, any_word: bool) -> list[int]:
    if not groups:
        return []
    within_ids = within.order_by().values("pk")
    if connection.vendor == "postgresql":
        from .models import OfferSearchEntry

        query = SearchQuery(
            _tsquery(groups, "|" if any_word else "&"), search_type="raw", config=CONFIG
        )
        return list(
            OfferSearchEntry.objects.filter(offer_id__in=within_ids, vector=query)
            .annotate(rank=SearchRank(F("vector"), query, weights=RANK_WEIGHTS))
            .order_by("-rank", "title")
            .values_list("offer_id", flat=True)[:limit]
        )
    match = _fts5_match(groups, "OR" if any_word else "AND")
    within_sql, within_params = within_ids.query.sql_with_params()
    weights = ", ".join(str(weight) for weight in BM25_WEIGHTS)
    # Only fixed names and placeholders go into the SQL; the words are a parameter. The
    # "+" keeps "rowid IN" away from FTS5: given it, FTS5 runs the whole MATCH again for
    # every id in the list (2,044 offers: 35-70 ms; 20,044: 3-12 s), where SQLite itself
    # reads the list once, only if anything matched, and checks each match against it.
    sql = (
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND +rowid IN ({within_sql}) "  # noqa: S608
        f"ORDER BY bm25({FTS_TABLE}, {weights}), title LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, *within_params, limit])
        return [row[0] for row in cursor.fetchall()]


def rank_offers(
    text: str, *, within: QuerySet, limit: int, exact: bool = False, needs: Iterable | None = None
) -> Ranking:
    """The ids of the offers in ``within`` that match ``text``, best first (at most
    ``limit``). Finding nothing, it tries the words spelt right (unless ``exact``), then
    any of the words instead of all of them. ``needs`` (with their synonyms), when the
    caller has them already, saves reading them again."""
    if needs is None:
        from .models import Need

        needs = Need.objects.exclude(synonyms="").only("name", "synonyms")
    needs = list(needs)
    groups = query_groups(text, needs)
    ids = _ranked_ids(groups, within, limit + 1, any_word=False)
    corrected = ""
    some_words = False
    if not ids and groups and not exact:
        suggestion = corrected_spelling(text)
        if suggestion:
            ids = _ranked_ids(query_groups(suggestion, needs), within, limit + 1, any_word=False)
            corrected = suggestion if ids else ""
    if not ids and len(groups) > 1:
        ids = _ranked_ids(groups, within, limit + 1, any_word=True)
        some_words = bool(ids)
    return Ranking(
        ids=ids[:limit], more=len(ids) > limit, corrected=corrected, some_words=some_words
    )


# --- When nothing is found ---------------------------------------------------------------


def _closeness(term: str, word: str) -> float:
    if term == word:
        return 1.0
    shorter, longer = sorted((term, word), key=len)
    if len(shorter) >= MIN_CORRECTABLE_LENGTH and longer.startswith(shorter):
        return 0.9
    return difflib.SequenceMatcher(None, term, word).ratio()


def closest_needs(text: str, needs: Iterable, *, limit: int = 3, cutoff: float = 0.8) -> list:
    """The needs whose names or synonyms are closest to the words of ``text`` (allowing for
    spelling), best first: what to suggest when a search finds nothing."""
    terms = [term for term in search_terms(text) if term not in STOP_WORDS]
    if not terms:
        return []
    scored = []
    for need in needs:
        need_words = set(words_of(f"{need.name} {need.synonyms}"))
        score = max((_closeness(t, w) for t in terms for w in need_words), default=0.0)
        if score >= cutoff:
            scored.append((-score, need.sort_order, need.name, need))
    return [need for *_, need in sorted(scored, key=lambda row: row[:3])][:limit]
