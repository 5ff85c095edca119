"""What a browser would send for a rendered form, for tests that post a page's own form back.

A form that leaves a field out of its page, or renders it without its value, wipes that field
when it is saved unchanged; posting ``as_sent(html)`` back finds such forms.
"""

from bs4 import BeautifulSoup

NOT_SENT = {"submit", "button", "reset", "file", "image"}


def as_sent(html: str, *, form: str = "form[method=post]") -> dict[str, list[str]]:
    """The fields the first form matching ``form`` would send, as a browser sends them:
    checked boxes only, each select's selected options (a single select's first option
    when none is), textareas' text, and no buttons or files."""
    page = BeautifulSoup(html, "html.parser")
    element = page.select_one(form)
    if element is None:
        raise AssertionError(f"No form matches {form!r}")
    data: dict[str, list[str]] = {}

    def add(name, value):
        data.setdefault(name, []).append(value)

    for field in element.select("input[name], select[name], textarea[name]"):
        if field.has_attr("disabled"):
            continue
        name = field["name"]
        if field.name == "textarea":
            # A browser drops the one newline that may follow the opening tag.
            add(name, field.text.removeprefix("\n"))
        elif field.name == "select":
            options = field.select("option")
            chosen = [option for option in options if option.has_attr("selected")]
            if not chosen and options and not field.has_attr("multiple"):
                chosen = options[:1]
            for option in chosen:
                add(name, option.get("value", option.text))
        else:
            kind = field.get("type", "text").lower()
            if kind in NOT_SENT:
                continue
            if kind in ("checkbox", "radio"):
                if field.has_attr("checked"):
                    add(name, field.get("value", "on"))
                continue
            add(name, field.get("value", ""))
    return data
