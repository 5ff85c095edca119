"""The charter in the site's public sections, site search and sitemap: each organisation's
published charter and its progress (and each earlier published version, in the sitemap),
and the partnership's published outcomes. Drafts are never found or listed.
Registered in charter/wagtail_hooks.py."""

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from cms.permissions import visible_to
from cms.sections import PublicSection
from cms.site_search import SearchResult, SearchSource, summary_of, text_matches
from cms.sitemap import SitemapItem

from .models import Charter, Commitment
from .selectors import charters_published
from .selectors_outcomes import programmes_published


def sections(site) -> list[PublicSection]:
    return [
        PublicSection(
            key="charter",
            name="Our charter",
            url=reverse("charter:index"),
            description="The promises each organisation makes to people with lived "
            "experience, and how well they are keeping them.",
            order=50,
        ),
        PublicSection(
            key="outcomes",
            name="Outcomes",
            url=reverse("outcomes:index"),
            description="What our work has changed for people, with the figures before and after.",
            order=60,
        ),
    ]


def find_charters(words: str, limit: int, request=None) -> list[SearchResult]:
    """Each organisation's latest published charter whose title, organisation, introduction
    or commitments have the words: two queries."""
    charters = charters_published(AnonymousUser())
    commitments: dict[int, list[str]] = {}
    for charter_id, title in Commitment.objects.filter(
        charter__in=[charter.pk for charter in charters]
    ).values_list("charter_id", "title"):
        commitments.setdefault(charter_id, []).append(title)
    found = [
        charter
        for charter in charters
        if text_matches(
            words,
            charter.title,
            charter.organisation.name,
            charter.introduction,
            *commitments.get(charter.pk, []),
        )
    ]
    return [
        SearchResult(
            title=f"{charter.organisation.name}: {charter.title}",
            url=reverse("charter:progress", args=[charter.organisation.slug]),
            kind="Charter",
            summary=summary_of(charter.introduction),
            detail=f"Version {charter.version}",
            date=charter.adopted_on,
            date_label="Adopted",
        )
        for charter in found[:limit]
    ]


def find_programmes(words: str, limit: int, request=None) -> list[SearchResult]:
    """Published outcome programmes with the words: two queries."""
    found = [
        programme
        for programme in programmes_published(AnonymousUser())
        if text_matches(
            words,
            programme.name,
            programme.summary,
            programme.description,
            *(organisation.name for organisation in programme.lead_organisations.all()),
        )
    ]
    return [
        SearchResult(
            title=programme.name,
            url=programme.get_absolute_url(),
            kind="Outcomes",
            summary=summary_of(programme.summary),
            detail="Led by "
            + ", ".join(organisation.name for organisation in programme.lead_organisations.all())
            if programme.lead_organisations.all()
            else "",
        )
        for programme in found[:limit]
    ]


def charters_source() -> SearchSource:
    return SearchSource(
        key="charters", label="Charter", plural="charters", find=find_charters, order=50
    )


def outcomes_source() -> SearchSource:
    return SearchSource(
        key="outcomes", label="Outcomes", plural="outcomes", find=find_programmes, order=60
    )


def sitemap_items() -> list[SitemapItem]:
    """The charters list, each organisation's charter and its earlier published versions,
    the outcomes list and each published programme."""
    items = [SitemapItem(path=reverse("charter:index"))]
    charters = (
        visible_to(AnonymousUser(), Charter)
        .filter(published=True)
        .select_related("organisation")
        .order_by("organisation__name", "-adopted_on", "-pk")
    )
    latest_seen: set[int] = set()
    for charter in charters:
        slug = charter.organisation.slug
        if charter.organisation_id in latest_seen:
            path = reverse("charter:version", args=[slug, charter.version])
        else:
            latest_seen.add(charter.organisation_id)
            path = reverse("charter:progress", args=[slug])
        items.append(SitemapItem(path=path, lastmod=charter.updated_at))
    items.append(SitemapItem(path=reverse("outcomes:index")))
    items.extend(
        SitemapItem(path=programme.get_absolute_url(), lastmod=programme.updated_at)
        for programme in programmes_published(AnonymousUser())
    )
    return items
