"""Template tags for the site layout and NHS.UK form rendering."""

from django import template
from django.forms.widgets import CheckboxSelectMultiple, RadioSelect
from django.utils.html import format_html
from django.utils.text import Truncator
from wagtailnhsukfrontend.forms.templatetags.nhsukfrontendforms_tags import (
    get_widget_html_class,
    get_widget_html_error_class,
)

from ..dates import clock, day_in_words, hours_in_words
from ..models.offers import MIDNIGHT, opens_24_hours, runs_past_midnight
from ..site_shell import site_shell_of

register = template.Library()


@register.inclusion_tag("components/header.html", takes_context=True)
def site_header(context):
    """The header, with navigation links editors choose in Settings → Header."""
    request = context["request"]
    shell = site_shell_of(request)
    navigation = [
        {**item, "current": item["url"] != "/" and request.path.startswith(item["url"])}
        for item in shell["navigation"]
    ]
    return {
        "request": request,
        "service_name": shell["service_name"],
        "navigation": navigation,
        "signed_in": context.get("signed_in"),
        "can_use_admin_site": context.get("can_use_admin_site"),
        "csrf_token": context.get("csrf_token"),
        "search_query": context.get("query", ""),
    }


@register.inclusion_tag("components/footer.html", takes_context=True)
def site_footer(context):
    """The footer, with links editors choose in Settings → Footer."""
    shell = site_shell_of(context["request"])
    return {"links": shell["footer_links"]}


# For search results and shared links, on pages that have no words of their own to offer.
SITE_DESCRIPTION = (
    "Shaping mental health support together with the people who use it: find support, "
    "join a design panel, and see what changed because people spoke."
)
META_DESCRIPTION_WORDS = 40


@register.simple_tag(takes_context=True)
def meta_description(context) -> str:
    """The page's description for search engines: a view's ``meta_description``, else the
    Wagtail page's search description, intro or summary, else a sentence about the site."""
    page = context.get("page")
    candidates = [
        context.get("meta_description"),
        *(getattr(page, name, "") for name in ("search_description", "intro", "summary")),
    ]
    text = next((str(c) for c in candidates if c and str(c).strip()), SITE_DESCRIPTION)
    return Truncator(" ".join(text.split())).words(META_DESCRIPTION_WORDS)


@register.filter(is_safe=True)
def in_back_landmark(html: str) -> str:
    """What a page puts above its main content (base.html's breadcrumbs block), inside a
    landmark, so screen reader users can find it. Breadcrumbs are already a navigation
    landmark; a lone back link is put in one named "Back"."""
    start = html.lstrip()
    if not start or start.startswith("<nav"):
        return html
    return format_html('<nav class="lep-back-link-nav" aria-label="Back">{}</nav>', html)


@register.filter
def is_multiple_choice(field) -> bool:
    return isinstance(field.field.widget, RadioSelect | CheckboxSelectMultiple)


@register.filter
def described_by(field) -> str:
    """The ids of a field's hint and error, for aria-describedby."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.filter
def nhsuk_widget(field, described: str = ""):
    """Render a field's widget with NHS.UK classes and its aria-describedby."""
    widget = field.field.widget
    # NHS.UK guidance: no placeholders (they vanish when typing and repeat the label).
    widget.attrs.pop("placeholder", None)
    if is_multiple_choice(field):
        # Radios and checkboxes take their classes from their own templates: a class here
        # would land on every option.
        return field.as_widget()
    classes = [get_widget_html_class(widget)]
    if field.errors:
        classes.append(get_widget_html_error_class(widget))
    attrs = {"class": " ".join(c for c in classes if c)}
    if described:
        attrs["aria-describedby"] = described
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


# A time the NHS way: 9am, 5:30pm, midnight.
register.filter("clock", clock)
# A length of time: 4 hours, 1 hour, 1.5 hours.
register.filter("hours", hours_in_words)


@register.filter
def opening_span(span) -> str:
    """One opening span in words: "9am to 5pm", "6pm to 2am the next day", or "Open 24
    hours", with its dates when it holds only between them."""
    if opens_24_hours(span) and span.opens == MIDNIGHT:
        words = "Open 24 hours"
    elif runs_past_midnight(span) and clock(span.closes) != "midnight":
        words = f"{clock(span.opens)} to {clock(span.closes)} the next day"
    else:
        words = f"{clock(span.opens)} to {clock(span.closes)}"
    dates = " ".join(
        f"{label} {day_in_words(day)}"
        for label, day in (("from", span.valid_from), ("to", span.valid_to))
        if day
    )
    return f"{words} ({dates})" if dates else words
