"""Every journey's ``axe_check`` holds the walk's standard: every impact, best practices
included, with only the findings ``tests/browser/accessibility.py`` accepts let through."""

import pytest

from tests.browser.conftest import axe_check

PAGE = "<!doctype html><html lang='en'><head><title>A page</title></head><body>{}</body></html>"


def test_a_moderate_best_practice_finding_fails_the_check(page):
    # Text outside any landmark: axe's "region" rule, a moderate best practice.
    page.set_content(PAGE.format("<p>Nobody knows which part of the page this is.</p>"))
    with pytest.raises(pytest.fail.Exception, match="region"):
        axe_check(page)


def test_a_clean_page_passes(page):
    page.set_content(PAGE.format("<main><h1>A page</h1><p>Where it belongs.</p></main>"))
    axe_check(page)
