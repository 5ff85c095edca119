"""The site's public address (``settings.SITE_URL``), in one place.

Links that leave the site (emails, calendar feeds) are built with ``absolute_url``; the
Wagtail Site, from which the sitemap, the Open Referral feed and schema.org data take their
URLs, is kept in step by ``site_sync``, which runs after every ``migrate``.
"""

import contextlib
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.db import DatabaseError


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def absolute_url(path: str = "/") -> str:
    """``path`` (from ``reverse`` or a page's ``url``) as a full address on the site."""
    return site_url() + "/" + path.lstrip("/")


def site_host() -> str:
    return urlsplit(site_url()).hostname or "localhost"


def _hostname_and_port() -> tuple[str, int]:
    parts = urlsplit(site_url())
    return parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 80)


def site_sync(**kwargs) -> bool:
    """Give the default Wagtail Site the address of ``SITE_URL``; True if it changed."""
    from wagtail.models import Site

    hostname, port = _hostname_and_port()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (hostname, port):
        return False
    # An update, not save(): on a first `migrate` the database cache's table does not exist
    # yet, and save() would clear cached site paths through it. Nothing is cached then.
    Site.objects.filter(pk=site.pk).update(hostname=hostname, port=port)
    with contextlib.suppress(DatabaseError):
        Site.clear_site_root_paths_cache()
    return True


@checks.register(checks.Tags.compatibility, deploy=True)
def check_site_address(app_configs=None, **kwargs):
    """The deploy check warns when the Site's address and SITE_URL disagree."""
    from wagtail.models import Site

    try:
        site = Site.objects.filter(is_default_site=True).first()
    except DatabaseError:
        return []
    if site is None or (site.hostname, site.port) == _hostname_and_port():
        return []
    return [
        checks.Warning(
            f"The Wagtail Site's address ({site.root_url}) is not SITE_URL ({site_url()}).",
            hint="Run `python manage.py migrate`, which sets it from SITE_URL.",
            id="cms.W001",
        )
    ]
