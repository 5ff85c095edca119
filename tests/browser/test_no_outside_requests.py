"""No page asks another host for anything (issue 21).

NHS.UK frontend's stylesheet asked assets.nhs.uk for its Frutiger webfont on every page: the
CSP blocked it (four console errors a page) and, without the CSP, the visitor's address
would have gone there. Here real Chromium records every request of the home page, a content
page, an offer, the sign-in page and an admin page, and each must go to this site alone,
with nothing in the browser console.
"""

import pytest

from cms.roles import Role
from tests.browser.conftest import assert_styled
from tests.browser.test_panels_journey import LEAD_SECRET, sign_in
from tests.factories import ContentPageFactory, OfferPageFactory, OrganisationFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def record_requests(page) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    return requested


def assert_only_this_site(page, requested: list[str], base_url: str) -> None:
    page.wait_for_load_state("networkidle")
    elsewhere = [url for url in requested if not url.startswith((base_url + "/", "data:"))]
    assert not elsewhere, f"{page.url} asked other hosts for: {elsewhere}"
    assert not page.console_errors, f"Browser console errors on {page.url}: {page.console_errors}"


def test_public_pages_ask_nothing_of_other_hosts(live_server, new_page, screenshot):
    content = ContentPageFactory(title="About the partnership", body=[("heading", "Who we are")])
    offer = OfferPageFactory(title="Northdale Crisis Café")
    page = new_page()
    requested = record_requests(page)
    for name, path in [
        ("home", "/"),
        ("content", content.url),
        ("offer", offer.url),
        ("sign-in", "/accounts/login/"),
    ]:
        requested.clear()
        page.goto(live_server.url + path)
        assert_styled(page)
        assert_only_this_site(page, requested, live_server.url)
        screenshot(page, name)


def test_the_admin_asks_nothing_of_other_hosts(live_server, new_page, screenshot, settings):
    settings.MFA_TOTP_TOLERANCE = 1
    organisation = OrganisationFactory(name="Northdale Health and Care NHS Foundation Trust")
    hr = UserFactory(roles=[Role.HR], organisation=organisation, mfa=LEAD_SECRET)
    page = new_page()
    sign_in(page, live_server.url, hr.email, totp_secret=LEAD_SECRET)
    requested = record_requests(page)
    page.goto(live_server.url + "/admin/")
    assert_only_this_site(page, requested, live_server.url)
    screenshot(page, "admin-home")
