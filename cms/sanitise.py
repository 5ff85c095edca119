"""The one place that decides what happens to text people write on the site.

Plain text (nearly every field: notes, feedback, statements, descriptions) is stored exactly
as typed and escaped by the templates and the PDFs on the way out: a note that says "she
felt <empty>" keeps every word. ``plain_text`` only trims the spaces around it and takes
out NUL characters, which PostgreSQL cannot store in text (the forms already refuse them
with a message, so this only matters to text that does not come through a form).

Formatted text, where a page offers formatting, passes through ``clean_html`` on the way
in. Keeping the allow-list here means the sanitiser can be swapped, or tightened, in one
place; Wagtail's rich text editor is limited to the same features.
"""

import bleach

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


def clean_html(value: str | None) -> str:
    """Return ``value`` with only the allowed tags, attributes and link protocols left."""
    if not value:
        return ""
    return _cleaner.clean(value).strip()


def plain_text(value: str | None) -> str:
    """Text as typed, for fields that allow no formatting: nothing that looks like a tag is
    taken out (templates escape it), only the spaces around it and any NUL character."""
    if not value:
        return ""
    return value.replace("\x00", "").strip()
