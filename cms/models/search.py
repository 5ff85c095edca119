"""The directory's search entries: each live offer's words, kept by where they appear, so a
search can rank a word in the title above one in the small print and find an offer by the
words people use for its needs (their synonyms), not only the words its editor wrote."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class OfferSearchEntry(models.Model):
    """One live offer's words for the directory's search, written by ``cms.offer_search``
    whenever the offer is published or a need's synonyms change.

    On PostgreSQL ``vector`` holds the weighted, stemmed words (title A; needs, their
    synonyms and the kind of help B; summary C; the rest D) under a GIN index. On SQLite an
    FTS5 table with the Porter stemmer mirrors the four text columns (kept in step by
    triggers), so ``make run`` stems and ranks too. Both are made in migration 0019.
    """

    offer = models.OneToOneField(
        "cms.OfferPage", on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    title = models.TextField()
    needs = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    rest = models.TextField(blank=True)
    vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = "offer search entry"
        verbose_name_plural = "offer search entries"

    def __str__(self):
        return self.title
