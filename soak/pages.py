"""What a simulated person reads off a page before filling in its form: the hidden fields
(the CSRF token, the once-only submission token), the values already filled in, and the
choices offered by radios, checkboxes and selects.

The standard library's HTML parser is enough and keeps the load generator light; the soak
fills in forms the way a person would, from what the page offers, so a changed form shows up
as refused writes rather than as a soak that silently sends the wrong fields.
"""

from html.parser import HTMLParser


class FormFields(HTMLParser):
    """The fields of every form on one page, by name."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.hidden: dict[str, str] = {}
        self.values: dict[str, str] = {}
        self.choices: dict[str, list[str]] = {}
        self._select: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        name = attributes.get("name")
        if tag == "select":
            self._select = name
            if name:
                self.choices.setdefault(name, [])
            return
        if tag == "option" and self._select:
            self.choices[self._select].append(attributes.get("value", ""))
            return
        if tag != "input" or not name:
            return
        kind = attributes.get("type", "text").lower()
        if kind == "hidden":
            self.hidden[name] = attributes.get("value", "")
        elif kind in ("radio", "checkbox"):
            self.choices.setdefault(name, []).append(attributes.get("value", "on"))
        elif kind not in ("submit", "button", "file"):
            self.values[name] = attributes.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None

    def has(self, name: str) -> bool:
        return name in self.hidden or name in self.values or name in self.choices
