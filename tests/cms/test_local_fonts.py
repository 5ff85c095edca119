"""No page asks another host for a font.

NHS.UK frontend's stylesheet declares the Frutiger webfont with @font-face rules pointing at
assets.nhs.uk. Chromium checks those against the CSP as soon as it reads them, used or not,
so every page logged four blocked fonts, and a browser without the CSP would send the
visitor's address to that host. Frutiger is licensed to NHS services, so it is not served
from here either: pages load a copy of the library's stylesheet with those rules taken out,
and text is set in Frutiger where the device has it, else in Arial (NHS.UK's own fallback).

The copy is made from the installed library by ``local_fonts_css``; when wagtail-nhsuk-frontend
is upgraded, write it again with ``python -m tests.cms.test_local_fonts`` (and update the file
name in base.html and 500.html).
"""

import re
from pathlib import Path

import pytest
import wagtailnhsukfrontend
from django.test import Client

NHSUK_VERSION = "10.4.2"
LIBRARY_CSS = (
    Path(wagtailnhsukfrontend.__file__).parent
    / "static/wagtailnhsukfrontend/css"
    / f"nhsuk-frontend-{NHSUK_VERSION}.min.css"
)
LOCAL_FONTS_CSS = (
    Path(__file__).resolve().parents[2]
    / f"cms/static/cms/css/nhsuk-frontend-{NHSUK_VERSION}-local-fonts.min.css"
)
REMOTE_FONT_FACE = re.compile(r"@font-face\{[^}]*url\(https?://[^}]*\}")
REMOVED_NOTE = (
    "/* Frutiger webfont rules (on assets.nhs.uk) removed: see cms/static/cms/css/site.css */"
)


def local_fonts_css(library_css: str) -> str:
    """The library's stylesheet without the @font-face rules that load fonts from elsewhere."""
    first = REMOTE_FONT_FACE.search(library_css)
    if first is None:
        return library_css
    rest = REMOTE_FONT_FACE.sub("", library_css[first.end() :])
    return library_css[: first.start()] + REMOVED_NOTE + rest


def test_the_stylesheet_pages_load_is_the_library_one_without_remote_fonts():
    expected = local_fonts_css(LIBRARY_CSS.read_text(encoding="utf-8"))
    assert LOCAL_FONTS_CSS.read_text(encoding="utf-8") == expected, (
        "The local-fonts copy of NHS.UK frontend's CSS is out of date: "
        "write it again with `python -m tests.cms.test_local_fonts`"
    )


def test_the_stylesheet_pages_load_names_no_other_host():
    css = LOCAL_FONTS_CSS.read_text(encoding="utf-8")
    assert "@font-face" not in css
    assert not re.findall(r"url\((?!data:)[^)]*//", css)


@pytest.mark.django_db
def test_pages_link_the_local_fonts_stylesheet_not_the_library_one():
    html = Client().get("/").content.decode()
    assert LOCAL_FONTS_CSS.name in html
    assert f"wagtailnhsukfrontend/css/nhsuk-frontend-{NHSUK_VERSION}.min.css" not in html


if __name__ == "__main__":
    LOCAL_FONTS_CSS.write_text(
        local_fonts_css(LIBRARY_CSS.read_text(encoding="utf-8")), encoding="utf-8"
    )
    print(f"Wrote {LOCAL_FONTS_CSS}")
