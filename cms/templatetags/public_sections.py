"""The site's public sections (cms/sections.py) for the header, the home page and the footer,
from the cached site shell: ``{% public_sections as sections %}``, or ``"more"`` for those
the header's editor-chosen links do not already cover."""

from django import template

from ..site_shell import site_shell_of

register = template.Library()


@register.simple_tag(takes_context=True)
def public_sections(context, which: str = "all") -> list[dict]:
    # The footer's inclusion tag passes on no context, but a RequestContext keeps its request.
    request = context.get("request") or getattr(context, "request", None)
    if request is None:
        return []
    shell = site_shell_of(request)
    sections = shell.get("more_sections" if which == "more" else "sections", [])
    return [
        {**section, "current": request.path.startswith(section["url"]) and section["url"] != "/"}
        for section in sections
    ]
