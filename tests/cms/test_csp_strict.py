"""The Content-Security-Policy allows scripts from this site only, with no per-response
nonce, so one copy of a public page can be served to every visitor (cms/page_cache.py).
For that, no template may carry an inline script that runs, nor a nonce: each script is a
static file. JSON-LD data blocks stay inline; browsers do not run them, and the browser
test (tests/browser/test_strict_csp.py) shows the policy reports nothing."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

PROJECT = Path(__file__).parents[2]
APPS = ["cms", "coproduce", "peers", "charter"]
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
DATA_TYPES = {"application/ld+json", "application/json"}


def _templates():
    for app in APPS:
        yield from sorted((PROJECT / app).glob("**/templates/**/*.html"))


def _runs_inline(attributes: str) -> bool:
    if re.search(r"\bsrc\s*=", attributes):
        return False
    kind = re.search(r"""\btype\s*=\s*["']([^"']+)["']""", attributes)
    return not (kind and kind.group(1).lower() in DATA_TYPES)


def test_the_walk_finds_the_templates():
    names = {path.name for path in _templates()}
    assert {"base.html", "offer_page.html", "status.html"} <= names


@pytest.mark.parametrize("template", list(_templates()), ids=lambda p: str(p.relative_to(PROJECT)))
def test_no_template_carries_a_nonce_or_an_inline_script_that_runs(template):
    text = template.read_text()
    assert "csp_nonce" not in text and "CSP_NONCE" not in text
    inline = [attrs for attrs in SCRIPT.findall(text) if _runs_inline(attrs)]
    assert not inline, f"{template}: inline script(s) {inline}; move them to a static file"


def test_the_policy_allows_scripts_from_this_site_only_without_a_nonce():
    script_src = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    assert script_src == ["'self'"]


@pytest.mark.django_db
def test_every_page_sends_the_same_policy_twice():
    first = Client().get("/")["Content-Security-Policy"]
    second = Client().get("/")["Content-Security-Policy"]
    assert first == second and "nonce" not in first
