"""The shell's own public sections, search and sitemap entries: the offers directory ("Find
support"), its "help me choose" questions and the crisis page. Registered in
cms/wagtail_hooks.py like every app's."""

from django.urls import reverse

from .models import OfferPage, OffersIndexPage
from .page_cache import public_only
from .sections import PublicSection, page_section
from .site_search import SearchSource, find_offers
from .sitemap import SitemapItem


def sections(site) -> list[PublicSection]:
    return page_section(
        OffersIndexPage,
        site,
        key="find-support",
        name="Find support",
        description="Support for your mental health near you, from the NHS, the council "
        "and local charities.",
        order=10,
    )


def search_source() -> SearchSource:
    return SearchSource(
        key="support",
        label="Support",
        plural="support offers",
        find=find_offers,
        order=10,
        page_models=(OfferPage,),
    )


def sitemap_items() -> list[SitemapItem]:
    items = [SitemapItem(path=reverse("crisis_help"))]
    directory = public_only(OffersIndexPage.objects.live()).first()
    if directory is not None and directory.url:
        items.append(
            SitemapItem(
                path=directory.url + directory.reverse_subpage("help_me_choose"),
                lastmod=directory.last_published_at,
            )
        )
    return items
