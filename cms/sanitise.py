"""The one HTML sanitiser for text people write on the site.

Every form that accepts formatted text passes it through ``clean_html`` on the way in;
plain text is stored as typed and escaped by the templates on the way out. Keeping the
allow-list here means the sanitiser can be swapped, or tightened, in one place.
"""

import bleach
from django.utils.html import strip_tags

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a", "blockquote", "h2", "h3"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
# The Draftail features editors may use in Wagtail rich text, matching the list above.
ALLOWED_RICHTEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]

_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)
_linker = bleach.linkifier.Linker(
    callbacks=[bleach.callbacks.nofollow, bleach.callbacks.target_blank]
)


def clean_html(value: str | None) -> str:
    """Return ``value`` with only the allowed tags, attributes and link protocols left."""
    if not value:
        return ""
    return _cleaner.clean(value).strip()


def clean_html_with_links(value: str | None) -> str:
    """Clean ``value`` and make bare web addresses into safe links that open elsewhere."""
    return _linker.linkify(clean_html(value))


def plain_text(value: str | None) -> str:
    """Strip every tag: for text that allows no formatting at all (names, titles)."""
    if not value:
        return ""
    return strip_tags(value).strip()
