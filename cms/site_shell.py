"""What the header and footer of every page show, read once and cached per site.

Header and footer come from editor-managed site settings (wagtail-nhsuk-frontend's
HeaderSettings and FooterSettings) and the pages they link to. Reading them costs five
queries, on every page; so they are cached as plain data, kept in each process's memory for
the page cache's generation, and dropped whenever a setting, a link or a page changes
(cms/signals.py).
"""

from django.core.cache import cache
from wagtailnhsukfrontend.settings.models import FooterSettings, HeaderSettings

from . import page_cache
from .sections import public_sections

SERVICE_NAME = "Lived Experience Platform"
CACHE_TIMEOUT = 60 * 60
_KEY = "site-shell:{site_id}"
_REQUEST_ATTRIBUTE = "_cms_site_shell"


def _key(site_id: int) -> str:
    return _KEY.format(site_id=site_id)


def site_shell_for(site) -> dict:
    """The service name, navigation links and footer links of ``site`` (cached)."""
    if site is None:
        return {
            "service_name": SERVICE_NAME,
            "navigation": [],
            "footer_links": [],
            "sections": [],
            "more_sections": [],
        }
    return page_cache.for_generation.get(("site-shell", site.pk), lambda: _cached(site))


def _cached(site) -> dict:
    data = cache.get(_key(site.pk))
    if data is None:
        data = _read(site)
        cache.set(_key(site.pk), data, CACHE_TIMEOUT)
    return data


def site_shell_of(request) -> dict:
    """``site_shell_for`` the request's site, read once a request: the header, the home
    page's sections and the footer all show it."""
    shell = getattr(request, _REQUEST_ATTRIBUTE, None)
    if shell is None:
        from wagtail.models import Site

        shell = site_shell_for(Site.find_for_request(request))
        setattr(request, _REQUEST_ATTRIBUTE, shell)
    return shell


def _read(site) -> dict:
    # Read, never made: ``for_site`` would save a row of defaults on a new site's first
    # page, a write in a visitor's GET that replaces the page cache's generation.
    header = HeaderSettings.objects.filter(site=site).first() or HeaderSettings(site=site)
    footer = FooterSettings.objects.filter(site=site).first() or FooterSettings(site=site)
    navigation = [
        {"label": link.label, "url": link.page.relative_url(site)}
        for link in header.navigation_links.select_related("page")
        if link.page is not None and link.page.live
    ]
    footer_links = [
        {"label": link.link_label, "url": link.link_url}
        for link in footer.footer_links.all()
        if link.link_url
    ]
    # Every public section is in the header: those the editors have not linked already
    # follow their links (cms/sections.py).
    sections = public_sections(site)
    linked = {link["url"] for link in navigation}
    return {
        "service_name": header.service_name or SERVICE_NAME,
        "navigation": navigation,
        "footer_links": footer_links,
        "sections": sections,
        "more_sections": [section for section in sections if section["url"] not in linked],
    }


def site_shell_forget() -> None:
    """Drop every site's cached header and footer (called when anything they show changes)."""
    from wagtail.models import Site

    page_cache.for_generation.clear("site-shell")
    cache.delete_many([_key(site_id) for site_id in Site.objects.values_list("pk", flat=True)])
