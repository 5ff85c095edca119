"""Real headless Chromium for the journey tests, and the checks every page of a journey gets.

Browsers are never downloaded: the tests drive the system's Chromium (Debian package
``chromium``, or ``CHROMIUM_PATH``) and are skipped, all of them, when there is none.
"""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.accessibility import axe_findings, not_accepted, url_name_of

BROWSER_DIR = Path(__file__).parent
SKIP_REASON = "Chromium not found (install Debian package chromium): browser tests skipped"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_VIEWPORT = {"width": 1280, "height": 900}
# NHS.UK header blue: if the header has it, the NHS.UK stylesheet was served and applied.
NHS_BLUE = "rgb(0, 94, 184)"


def find_chromium() -> str | None:
    candidates = [
        os.environ.get("CHROMIUM_PATH"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        "/usr/bin/chromium",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


CHROMIUM = find_chromium()


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if BROWSER_DIR not in Path(item.fspath).parents:
            continue
        item.add_marker(pytest.mark.browser)
        if CHROMIUM is None:
            item.add_marker(skip)


@pytest.fixture
def browser(monkeypatch):
    """Chromium for one test.

    Playwright's sync API leaves an event loop running in this thread while it is started.
    Django then refuses ORM calls (hence DJANGO_ALLOW_ASYNC_UNSAFE, only while it runs) and,
    worse, hands out fresh database connection objects that lack the serialized copy of the
    migrations' data, so a later test's serialized rollback would silently restore nothing.
    Starting and stopping it per test (about a second) keeps every other test unaffected.
    """
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    expect.set_options(timeout=20_000)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (no cookies); each is closed after the test.

    Every page keeps the browser console's errors and uncaught exceptions in
    ``page.console_errors``, so a test can see a blocked script or a missing file.
    """
    contexts = []

    def open_page(viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or DEFAULT_VIEWPORT, locale="en-GB")
        # Generous: CI runs these beside the rest of the suite on two cores.
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A browser tab 1280×900 in its own context."""
    return new_page()


def axe_check(page) -> None:
    """Fail if axe-core finds any accessibility problem on the page, of any impact and
    best practices included, that ``tests/browser/accessibility.py`` does not accept: the
    standard the every-role walk holds, with the same list of accepted findings."""
    address = urlsplit(page.url)
    path = address.path + (f"?{address.query}" if address.query else "")
    findings = not_accepted(axe_findings(page, url_name=url_name_of(path), path=path))
    if findings:
        lines = [f"axe found {len(findings)} problem(s) on {page.url}:"]
        lines += [f"- {finding}" for finding in findings]
        pytest.fail("\n".join(lines), pytrace=False)


def assert_styled(page) -> None:
    """The site's stylesheets loaded (served by staticfiles) and the NHS.UK styles apply."""
    from playwright.sync_api import expect

    expect(page.locator("header.nhsuk-header")).to_have_css("background-color", NHS_BLUE)
    unloaded = page.evaluate(
        """() => [...document.querySelectorAll('link[rel=stylesheet]')]
               .filter(link => !link.sheet || link.sheet.cssRules.length === 0)
               .map(link => link.href)"""
    )
    assert not unloaded, f"Stylesheets did not load on {page.url}: {unloaded}"


def assert_no_console_errors(page) -> None:
    """No blocked script (CSP), missing file or JavaScript error so far on this page."""
    assert not page.console_errors, f"Browser console errors on {page.url}: {page.console_errors}"


@pytest.fixture(scope="session")
def screenshots_dir(tmp_path_factory) -> Path:
    configured = os.environ.get("BROWSER_SCREENSHOTS_DIR")
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("browser-screenshots")


@pytest.fixture
def screenshot(request, screenshots_dir):
    """``screenshot(page, "signup")`` saves a full-page PNG for people to look at.

    Files are numbered in the order taken, in a folder named after the test:
    ``$BROWSER_SCREENSHOTS_DIR/<test name>/01-signup.png``.
    """
    folder = screenshots_dir / re.sub(r"[^\w.-]+", "_", request.node.name)
    taken = []

    def save(page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^\w.-]+", "-", name)
        path = folder / f"{len(taken) + 1:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        taken.append(path)
        return path

    return save


@pytest.fixture
def check_page(screenshot):
    """Everything each page of a journey gets: styles, no console errors, no template syntax
    showing, axe, a screenshot."""

    def check(page, name: str) -> None:
        page.wait_for_load_state("load")
        screenshot(page, name)
        assert_styled(page)
        assert_no_console_errors(page)
        text = page.locator("body").inner_text()
        for marker in ("{#", "#}", "{%", "%}", "{{", "}}"):
            assert marker not in text, f"Template syntax {marker!r} shows on {page.url}"
        axe_check(page)

    return check
