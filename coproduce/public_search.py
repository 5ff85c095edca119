"""Co-production in the site's public sections, site search and sitemap: "You said, we did"
(the changes made because people spoke) and the design panels anyone may join. Only what
anyone without an account may see: published changes, panels that are not drafts (and in
search, only those taking applications). Registered in coproduce/wagtail_hooks.py."""

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from cms.permissions import visible_to
from cms.sections import PublicSection, page_section
from cms.site_search import SearchResult, SearchSource, summary_of, words_match
from cms.sitemap import SitemapItem

from .models import Panel, ServiceChangeIndexPage, ServiceChangePage
from .selectors.panels import panels_recruiting

PANEL_SEARCH_FIELDS = ["title", "purpose", "who_is_sought", "organisation__name"]


def sections(site) -> list[PublicSection]:
    return [
        *page_section(
            ServiceChangeIndexPage,
            site,
            key="you-said-we-did",
            name="You said, we did",
            description="What has changed in local services because people with lived "
            "experience spoke up.",
            order=20,
        ),
        PublicSection(
            key="panels",
            name="Join a panel",
            url=reverse("coproduce:panel_list"),
            description="Help design local mental health services. You are paid for your "
            "time and we meet your access needs.",
            order=30,
        ),
    ]


def find_changes(words: str, limit: int, request=None) -> list[SearchResult]:
    """Published "You said, we did" changes: one search query."""
    changes = visible_to(AnonymousUser(), ServiceChangePage).search(words)[:limit]
    return [
        SearchResult(
            title=change.title,
            url=change.get_url(request),
            kind="You said, we did",
            summary=change.summary,
            detail=change.get_status_display(),
            date=change.last_published_at.date() if change.last_published_at else None,
        )
        for change in changes
    ]


def find_panels(words: str, limit: int, request=None) -> list[SearchResult]:
    """Panels taking applications now: one query."""
    panels = panels_recruiting(AnonymousUser()).filter(words_match(words, PANEL_SEARCH_FIELDS))
    return [
        SearchResult(
            title=panel.title,
            url=panel.get_absolute_url(),
            kind="Design panel",
            summary=summary_of(panel.purpose),
            detail=f"Run by {panel.organisation.name}",
            date=panel.applications_close_on,
            date_label="Applications close",
        )
        for panel in panels[:limit]
    ]


def changes_source() -> SearchSource:
    return SearchSource(
        key="changes",
        label="You said, we did",
        plural="changes people asked for",
        find=find_changes,
        order=20,
        page_models=(ServiceChangePage,),
    )


def panels_source() -> SearchSource:
    return SearchSource(
        key="panels", label="Design panel", plural="panels to join", find=find_panels, order=30
    )


def sitemap_items() -> list[SitemapItem]:
    """The panels list and every panel's page that is not a draft. (The changes are
    Wagtail pages, in Wagtail's part of the sitemap.)"""
    panels = visible_to(AnonymousUser(), Panel).only("slug", "updated_at").order_by("slug")
    return [
        SitemapItem(path=reverse("coproduce:panel_list")),
        *(SitemapItem(path=panel.get_absolute_url(), lastmod=panel.updated_at) for panel in panels),
    ]
