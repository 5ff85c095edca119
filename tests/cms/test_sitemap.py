"""The sitemap lists every public page of the site (Wagtail's pages and each app's own public
pages) at the site's real address, with when each last changed where that is known, and no
draft, closed or private page."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from charter.factories import ProgrammeFactory
from cms import site_address
from peers.factories import VacancyFactory
from tests.factories import (
    CharterFactory,
    ContentPageFactory,
    OfferPageFactory,
    OrganisationFactory,
    PanelFactory,
    ServiceChangePageFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://lep.example.org"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def public_address(settings):
    settings.SITE_URL = SITE
    site_address.site_sync()
    return SITE


def sitemap(client) -> dict[str, str | None]:
    """Each address in the sitemap, with its lastmod (or None)."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    return {
        url.find("s:loc", NS).text: getattr(url.find("s:lastmod", NS), "text", None)
        for url in root.findall("s:url", NS)
    }


def test_every_public_page_is_listed_on_the_real_address(client, public_address):
    organisation = OrganisationFactory(name="Harbour Trust", slug="harbour-trust")
    offer = OfferPageFactory(title="Harbour crisis café", slug="harbour-crisis-cafe")
    change = ServiceChangePageFactory(title="Open later", slug="open-later")
    panel = PanelFactory(title="Crisis café panel", recruiting=True)
    active_panel = PanelFactory(title="Ward rounds panel")
    vacancy = VacancyFactory(title="Peer support worker")
    CharterFactory(organisation=organisation, version="1", published=True)
    CharterFactory(
        organisation=organisation,
        version="2",
        published=True,
        adopted_on=timezone.localdate() - timedelta(days=10),
    )
    programme = ProgrammeFactory(name="Peer mentoring", slug="peer-mentoring", published=True)
    ContentPageFactory(title="About", slug="about")

    listed = sitemap(client)

    expected = [
        "/",
        "/about/",
        "/find-support/",
        "/find-support/help-me-choose/",
        offer.url,
        "/you-said-we-did/",
        change.url,
        "/panels/",
        panel.get_absolute_url(),
        active_panel.get_absolute_url(),
        "/peer-roles/",
        vacancy.get_absolute_url(),
        "/charter/",
        "/charter/harbour-trust/",
        "/charter/harbour-trust/version/1/",
        "/outcomes/",
        programme.get_absolute_url(),
        "/help-now/",
    ]
    for path in expected:
        assert site_address.absolute_url(path) in listed, path
    assert all(address.startswith(SITE + "/") for address in listed)
    # Every address listed is a page anyone may read.
    for address in listed:
        path = address.removeprefix(SITE)
        assert client.get(path).status_code == 200, path


def test_no_address_leaks_the_host_the_request_came_in_by(client, public_address):
    OfferPageFactory(title="Harbour crisis café")
    PanelFactory(recruiting=True)
    body = client.get("/sitemap.xml", HTTP_HOST="testserver").content.decode()
    assert "testserver" not in body and "localhost" not in body and "example.com" not in body


def test_lastmod_is_given_where_it_is_known(client, public_address):
    panel = PanelFactory(recruiting=True)
    change = ServiceChangePageFactory(title="Open later", slug="open-later")
    listed = sitemap(client)
    assert listed[SITE + panel.get_absolute_url()] == panel.updated_at.date().isoformat()
    assert listed[SITE + change.url] is not None


def test_drafts_closed_and_private_pages_are_not_listed(client, public_address):
    organisation = OrganisationFactory(slug="draft-trust")
    CharterFactory(organisation=organisation, published=False)
    draft_panel = PanelFactory(draft=True)
    draft_vacancy = VacancyFactory(draft=True)
    closed_vacancy = VacancyFactory(closed=True)
    ProgrammeFactory(slug="draft-programme", published=False)
    unpublished = ContentPageFactory(title="Secret plans", slug="secret-plans")
    unpublished.unpublish()
    draft_change = ServiceChangePageFactory(title="Not yet", slug="not-yet")
    draft_change.unpublish()

    listed = " ".join(sitemap(client))

    for path in [
        "/charter/draft-trust/",
        draft_panel.get_absolute_url(),
        draft_vacancy.get_absolute_url(),
        closed_vacancy.get_absolute_url(),
        "/outcomes/draft-programme/",
        "/secret-plans/",
        "/not-yet/",
        "/my-space/",
        "/admin/",
    ]:
        assert path not in listed, path


def test_the_sitemap_costs_the_same_queries_for_3_records_or_30(client, public_address):
    from tests.queries import queries_for

    def add(n):
        for _i in range(n):
            PanelFactory(recruiting=True)
            VacancyFactory()
            CharterFactory(published=True)

    add(3)
    client.get("/sitemap.xml")  # Wagtail's site paths, cached once
    few = queries_for(client, "/sitemap.xml")
    add(27)
    client.get("/sitemap.xml")
    many = queries_for(client, "/sitemap.xml")
    assert many == few
