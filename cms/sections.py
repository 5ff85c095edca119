"""The public sections of the site, each linked from the header, the home page and the footer.

The shell imports no domain app, so each app names its own public sections through a hook::

    @hooks.register(PUBLIC_SECTIONS_HOOK)
    def my_sections(site):
        return [PublicSection(key="panels", name="Join a panel", url="/panels/", ...)]

The hook is given the Wagtail Site (for sections that are pages, whose address it knows);
it returns the sections that exist (an app whose page has not been made yet returns none).
They are read with the rest of the header and footer, cached, and dropped when a page
changes (cms/site_shell.py).
"""

from dataclasses import asdict, dataclass

from wagtail import hooks

from .page_cache import public_only

PUBLIC_SECTIONS_HOOK = "register_public_sections"


@dataclass(frozen=True)
class PublicSection:
    """One public section: its short label for menus, its address and a one-line summary
    for the home page's cards; ``order`` puts the sections in the order people need them."""

    key: str
    name: str
    url: str
    description: str
    order: int = 100


def public_sections(site) -> list[dict]:
    """Every section the apps register for ``site``, in order, as plain data (cacheable)."""
    found: list[PublicSection] = []
    for register in hooks.get_hooks(PUBLIC_SECTIONS_HOOK):
        found.extend(register(site) or [])
    found.sort(key=lambda section: (section.order, section.name))
    return [asdict(section) for section in found]


def page_section(page_model, site, **fields) -> list[PublicSection]:
    """The section that is the site's one live page of ``page_model`` (an index page), at
    its address on ``site``; none when there is no such page yet."""
    page = public_only(page_model.objects.live()).first()
    url = page.relative_url(site) if page is not None and site is not None else None
    if not url:
        return []
    return [PublicSection(url=url, **fields)]
