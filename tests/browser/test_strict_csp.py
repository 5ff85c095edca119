"""The strict Content-Security-Policy in real Chromium (cms/page_cache.py needs it): scripts
come only from this site with no nonce, and still every page's scripts run, the offer
page's JSON-LD block is not reported, and a page served from a visitor's copy behaves
exactly as the first one did.
"""

import pytest

from cms import page_cache
from tests.browser.conftest import assert_no_console_errors, assert_styled
from tests.factories import OfferPageFactory, OrganisationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Recorded before any of the page's own scripts run.
LISTEN_FOR_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_home_directory_and_offer_run_their_scripts_with_no_policy_violation(
    live_server, new_page, screenshot
):
    offer = OfferPageFactory(
        title="Northdale Crisis Café",
        provider=OrganisationFactory(name="Northdale Mind"),
        opening_times=[(weekday, "18:00", "23:00") for weekday in range(7)],
        phone="01484 000000",
    )
    page = new_page()
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    for visit in ("first", "from a visitor's copy"):
        for name, path in [("home", "/"), ("directory", "/find-support/"), ("offer", offer.url)]:
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            assert_styled(page)
            assert_no_console_errors(page)
            assert page.evaluate("window.cspViolations") == [], f"{path} ({visit})"
            classes = page.evaluate("document.body.className")
            assert "js-enabled" in classes and "nhsuk-frontend-supported" in classes
            # NHS.UK frontend's initAll ran: the header marks itself initialised.
            assert page.locator("[data-module='nhsuk-header'][data-nhsuk-header-init]").count()
            if visit == "first":
                screenshot(page, name)
        assert len(page_cache.copies) >= 3
    # The offer page (the last one opened) carries its schema.org data inline, unreported.
    assert page.locator("script[type='application/ld+json']").count() == 1
