"""The sitemap: every public page, at the site's real address (``SITE_URL``).

Wagtail lists its live public pages; the rest of the public site (the crisis page, the
directory's "help me choose", and each app's own public pages: panels, peer roles,
charters, outcomes) comes from the apps through a hook, since the shell imports none::

    @hooks.register(SITEMAP_ITEMS_HOOK)
    def my_pages():
        return [SitemapItem(path="/panels/"), SitemapItem(path=panel_url, lastmod=updated)]

Addresses are built on ``SITE_URL``, never on the host a request came in by, so a sitemap
fetched through a proxy or an internal name still names the public site.
"""

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from wagtail import hooks
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap_view

from .middleware import public_page
from .page_cache import LONG
from .site_address import absolute_url, site_url

SITEMAP_ITEMS_HOOK = "register_sitemap_items"


@dataclass(frozen=True)
class SitemapItem:
    """A public page that is not a Wagtail page: its path on the site, and when it last
    changed where that is known."""

    path: str
    lastmod: date | datetime | None = None


class _OnTheSiteAddress:
    """Addresses on ``SITE_URL``'s scheme and host, whatever host the request named."""

    def get_protocol(self, protocol=None):
        return urlsplit(site_url()).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(site_url()).netloc


class PagesSitemap(_OnTheSiteAddress, WagtailSitemap):
    """Wagtail's live public pages (each page's own ``get_sitemap_urls``), on the site's
    address."""

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for url in urls:
            location = urlsplit(url["location"])
            path = location.path + (f"?{location.query}" if location.query else "")
            url["location"] = absolute_url(path)
        return urls


class PublicPagesSitemap(_OnTheSiteAddress, DjangoSitemap):
    """The public pages that are not Wagtail pages, from every app's hook."""

    def items(self):
        items = []
        for register in hooks.get_hooks(SITEMAP_ITEMS_HOOK):
            items.extend(register())
        return items

    def location(self, item):
        return item.path

    def lastmod(self, item):
        # One type for every item (Django compares them to find the latest): the day.
        if isinstance(item.lastmod, datetime):
            return item.lastmod.date()
        return item.lastmod


@public_page(cache_for=LONG)
def sitemap(request):
    return wagtail_sitemap_view(
        request, sitemaps={"pages": PagesSitemap, "public": PublicPagesSitemap}
    )
