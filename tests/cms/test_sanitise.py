"""The one sanitiser keeps people's formatting and removes everything that could run; plain
text is kept exactly as typed (the pages escape it)."""

import pytest

from cms.sanitise import clean_html, plain_text

# Classic payloads: scripts, event handlers, javascript: and data: URLs, SVG, CSS, and
# the parser tricks that get past naive filters.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert('XSS')\">",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"
    "</style></mglyph></table></mtext></math>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<p style="width: expression(alert(1))">styled</p>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<div style="behavior: url(xss.htc)">x</div>',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    '<p onclick="alert(1)">hello</p>',
    '<a href="https://example.org" onmouseover="alert(1)">link</a>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<!--<script>alert(1)--><script>alert(1)</script>",
    '<img """><script>alert(1)</script>">',
    '<base href="javascript:alert(1)//">',
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '"><script>alert(document.cookie)</script>',
    '<a href="  javascript:alert(1)">spaced</a>',
    '<video><source onerror="alert(1)"></video>',
]

DANGEROUS_MARKERS = [
    "<script",
    "onerror",
    "onload",
    "onclick",
    "onmouseover",
    "onfocus",
    "ontoggle",
    "onbegin",
    "javascript:",
    "vbscript:",
    "data:text/html",
    "<iframe",
    "<object",
    "<embed",
    "<svg",
    "<style",
    "<link",
    "<meta",
    "<form",
    "<base",
    "<input",
    "style=",
    "srcdoc",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_payload_survives_the_sanitiser(payload):
    cleaned = clean_html(payload).lower()
    for marker in DANGEROUS_MARKERS:
        assert marker not in cleaned, f"{marker!r} survived in {cleaned!r}"


def test_the_sanitiser_is_idempotent_on_everything_in_the_corpus():
    for payload in XSS_PAYLOADS:
        once = clean_html(payload)
        assert clean_html(once) == once


def test_simple_formatting_people_use_is_kept():
    text = (
        "<p>We met on <strong>Tuesday</strong> and <em>everyone</em> spoke.</p>"
        "<ul><li>Shorter forms</li><li>Quieter room</li></ul>"
        '<p>See <a href="https://example.org/notes">the notes</a>.</p>'
    )
    assert clean_html(text) == text


def test_allowed_tags_lose_attributes_that_are_not_allowed():
    assert clean_html('<p class="big" id="x">Hi</p>') == "<p>Hi</p>"


def test_mailto_and_tel_links_are_kept():
    text = '<a href="mailto:team@example.org">email</a> <a href="tel:01234567890">call</a>'
    assert clean_html(text) == text


def test_empty_input_gives_empty_text():
    assert clean_html(None) == ""
    assert clean_html("") == ""
    assert plain_text(None) == ""


def test_plain_text_keeps_everything_that_looks_like_a_tag():
    assert plain_text("Said she felt <empty> most days") == "Said she felt <empty> most days"
    assert plain_text("<b>Sam</b> <script>x</script>Ahmed") == "<b>Sam</b> <script>x</script>Ahmed"
    assert plain_text("Fish & chips < 5 pounds &amp; more") == "Fish & chips < 5 pounds &amp; more"


def test_plain_text_trims_only_the_spaces_around_it():
    assert plain_text("  two  spaces\n\nand a blank line  \n") == "two  spaces\n\nand a blank line"


def test_plain_text_takes_out_nul_characters_which_the_database_cannot_store():
    assert plain_text("before\x00after") == "beforeafter"


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_plain_text_stores_every_payload_as_typed(payload):
    assert plain_text(payload) == payload.strip()
