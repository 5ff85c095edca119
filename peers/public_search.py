"""Peer roles in the site's public sections, site search and sitemap: the vacancies open for
applications. Drafts and closed roles are never found, nor listed in the sitemap.
Registered in peers/wagtail_hooks.py."""

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from cms.sections import PublicSection
from cms.site_search import SearchResult, SearchSource, summary_of, words_match
from cms.sitemap import SitemapItem

from .selectors.recruitment import vacancies_open

VACANCY_SEARCH_FIELDS = ["title", "description", "organisation__name", "level__name"]


def sections(site) -> list[PublicSection]:
    return [
        PublicSection(
            key="peer-roles",
            name="Peer roles",
            url=reverse("peers:vacancy_list"),
            description="Paid jobs where your own lived experience helps you support others.",
            order=40,
        )
    ]


def find_vacancies(words: str, limit: int, request=None) -> list[SearchResult]:
    """Open peer roles: one query."""
    vacancies = vacancies_open(AnonymousUser()).filter(words_match(words, VACANCY_SEARCH_FIELDS))
    return [
        SearchResult(
            title=vacancy.title,
            url=vacancy.get_absolute_url(),
            kind="Peer role",
            summary=summary_of(vacancy.description),
            detail=f"{vacancy.organisation.name}, {vacancy.pay}",
            date=vacancy.closing_date,
            date_label="Closes",
        )
        for vacancy in vacancies[:limit]
    ]


def search_source() -> SearchSource:
    return SearchSource(
        key="peer-roles", label="Peer role", plural="peer roles", find=find_vacancies, order=40
    )


def sitemap_items() -> list[SitemapItem]:
    vacancies = vacancies_open(AnonymousUser())
    return [
        SitemapItem(path=reverse("peers:vacancy_list")),
        *(
            SitemapItem(path=vacancy.get_absolute_url(), lastmod=vacancy.updated_at)
            for vacancy in vacancies
        ),
    ]
