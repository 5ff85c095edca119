"""Every public section of the site can be found: from the header on every page, from the
home page's "Find your way" cards and from the footer; and the demo's "About" and "Get
involved" pages link to the sections their words promise."""

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Site
from wagtailnhsukfrontend.settings.models import HeaderSettings, NavigationLink

from cms.demo import demo_pages
from coproduce.factories import service_changes_index
from tests.factories import ContentPageFactory, offers_index

pytestmark = pytest.mark.django_db

SECTIONS = {
    "Find support": "/find-support/",
    "You said, we did": "/you-said-we-did/",
    "Join a panel": "/panels/",
    "Peer roles": "/peer-roles/",
    "Our charter": "/charter/",
    "Outcomes": "/outcomes/",
}


@pytest.fixture
def site_sections(db):
    """The two sections that are Wagtail pages, made as first_run makes them."""
    return offers_index(), service_changes_index()


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def links_in(page, selector) -> dict[str, str]:
    return {a.get_text(" ", strip=True): a["href"] for a in page.select(selector)}


@pytest.mark.parametrize("path", ["/", "/panels/", "/help-now/", "/search/?q=café"])
def test_the_header_links_every_section_on_every_page(client, site_sections, path):
    header = links_in(soup(client.get(path)), "a.nhsuk-header__navigation-link")
    for name, url in SECTIONS.items():
        assert header.get(name) == url, name
    assert header["Help now"] == "/help-now/"


def test_every_section_link_in_the_header_leads_to_a_page(client, site_sections):
    header = links_in(soup(client.get("/")), "a.nhsuk-header__navigation-link")
    for url in header.values():
        assert client.get(url).status_code == 200, url


def test_a_section_the_editors_linked_is_not_linked_twice(client, site_sections):
    directory, _changes = site_sections
    header = HeaderSettings.for_site(Site.objects.get(is_default_site=True))
    NavigationLink.objects.create(setting=header, label="Get support", page=directory)
    page = soup(client.get("/"))
    hrefs = [a["href"] for a in page.select("a.nhsuk-header__navigation-link")]
    assert hrefs.count("/find-support/") == 1
    assert hrefs[0] == "/find-support/"  # the editors' links come first, in their words
    assert "Get support" in links_in(page, "a.nhsuk-header__navigation-link")


def test_the_current_section_is_marked_in_the_header(client, site_sections):
    page = soup(client.get("/peer-roles/"))
    current = page.select("a.nhsuk-header__navigation-link[aria-current=page]")
    assert [a.get_text(strip=True) for a in current] == ["Peer roles"]


def test_a_section_whose_page_is_unpublished_leaves_the_header(client, site_sections):
    _directory, changes = site_sections
    client.get("/")
    changes.unpublish()
    header = links_in(soup(client.get("/")), "a.nhsuk-header__navigation-link")
    assert "You said, we did" not in header
    assert header["Join a panel"] == "/panels/"


def test_the_home_page_has_a_card_for_every_section(client, site_sections):
    page = soup(client.get("/"))
    heading = page.find("h2", string="Find your way")
    assert heading is not None
    cards = page.select(".nhsuk-card-group .nhsuk-card")
    found = {
        card.select_one("a.nhsuk-card__link").get_text(strip=True): (
            card.select_one("a.nhsuk-card__link")["href"],
            card.select_one(".nhsuk-card__description").get_text(strip=True),
        )
        for card in cards
    }
    assert {name: href for name, (href, _) in found.items()} == SECTIONS
    # Each card says in a sentence what is there.
    assert all(description.endswith(".") for _href, description in found.values())


def test_the_footer_links_every_section(client, site_sections):
    footer = links_in(soup(client.get("/help-now/")), "footer a")
    for name, url in SECTIONS.items():
        assert footer.get(name) == url, name


@pytest.mark.parametrize(
    ("slug", "promised"),
    [
        ("about", ["/find-support/", "/panels/", "/you-said-we-did/", "/charter/", "/outcomes/"]),
        ("get-involved", ["/panels/", "/peer-roles/", "/find-support/", "/you-said-we-did/"]),
    ],
)
def test_the_demo_pages_link_to_the_sections_they_promise(client, site_sections, slug, promised):
    title, slug, intro, body = next(page for page in demo_pages() if page[1] == slug)
    ContentPageFactory(title=title, slug=slug, intro=intro, body=body)
    page = soup(client.get(f"/{slug}/"))
    hrefs = [a["href"] for a in page.select("main a")]
    for url in promised:
        assert url in hrefs, url
    for url in hrefs:
        if url.startswith("/"):
            assert client.get(url).status_code == 200, url
