"""What the site's layout gives every page (issue 21): a description for search engines and
shared links, a back link a screen reader can find in a landmark, and a heading block whose
text box in the page editor has a name."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from cms.blocks import ContentStreamBlock
from cms.factories import home_page
from cms.templatetags.site_tags import SITE_DESCRIPTION
from peers.factories import VacancyFactory
from tests.conftest import sign_in
from tests.factories import (
    CharterFactory,
    ContentPageFactory,
    OfferPageFactory,
    OrganisationFactory,
    PanelFactory,
)

pytestmark = pytest.mark.django_db


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def description_of(response) -> str:
    meta = soup_of(response).find("meta", attrs={"name": "description"})
    assert meta is not None, "the page has no meta description"
    return meta["content"]


# --- Meta descriptions ---------------------------------------------------------------------


def test_the_home_page_is_described_by_its_intro(client):
    home = home_page()
    home.intro = "Shape local mental health support with us."
    home.save_revision().publish()
    assert description_of(client.get("/")) == "Shape local mental health support with us."


def test_a_content_page_is_described_by_its_search_description_first(client):
    page = ContentPageFactory(
        title="About us", intro="Who we are.", search_description="The partnership, in brief."
    )
    assert description_of(client.get(page.url)) == "The partnership, in brief."


def test_a_content_page_without_a_search_description_is_described_by_its_intro(client):
    page = ContentPageFactory(title="About us", intro="Who we are and   what we do.")
    assert description_of(client.get(page.url)) == "Who we are and what we do."


def test_an_offer_is_described_by_its_summary(client):
    offer = OfferPageFactory(summary="A calm place to go in the evening.")
    assert description_of(client.get(offer.url)) == "A calm place to go in the evening."


def test_panel_and_vacancy_pages_get_the_sites_sentence(client):
    organisation = OrganisationFactory()
    panel = PanelFactory(organisation=organisation, recruiting=True)
    vacancy = VacancyFactory(organisation=organisation)
    for url in (
        reverse("coproduce:panel_detail", kwargs={"slug": panel.slug}),
        reverse("peers:vacancy_detail", kwargs={"slug": vacancy.slug}),
    ):
        assert description_of(client.get(url)) == SITE_DESCRIPTION


def test_the_charter_pages_say_what_the_charter_is_and_whose_progress_it_is(client):
    organisation = OrganisationFactory(name="Northdale Mind")
    CharterFactory(organisation=organisation, published=True)
    assert "promise to recruit, support and promote" in description_of(
        client.get(reverse("charter:index"))
    )
    progress = client.get(reverse("charter:progress", args=[organisation.slug]))
    assert description_of(progress).startswith("How Northdale Mind is keeping the promises")


def test_a_page_outside_wagtail_gets_the_sites_sentence(client):
    assert description_of(client.get(reverse("account_login"))) == SITE_DESCRIPTION


# --- Back links in a landmark --------------------------------------------------------------


def test_a_lone_back_link_is_in_a_navigation_landmark_named_back(client):
    panel = PanelFactory(organisation=OrganisationFactory(), recruiting=True)
    page = soup_of(client.get(reverse("coproduce:panel_detail", kwargs={"slug": panel.slug})))
    back = page.find("a", class_="nhsuk-back-link")
    assert back.get_text(strip=True) == "Back to panels looking for members"
    landmark = back.find_parent("nav")
    assert landmark is not None and landmark["aria-label"] == "Back"


def test_breadcrumbs_stay_one_landmark_with_their_back_link(client):
    page = ContentPageFactory(title="About us")
    html = soup_of(client.get(page.url))
    back = html.find("a", class_="nhsuk-back-link")
    assert back.find_parent("nav")["aria-label"] == "Breadcrumb"
    assert not html.find("nav", attrs={"aria-label": "Back"})


def test_a_page_with_no_back_link_gets_no_empty_landmark(client):
    assert not soup_of(client.get("/")).find("nav", attrs={"aria-label": "Back"})


# --- The heading block in the page editor --------------------------------------------------


def test_the_heading_blocks_text_box_is_named_in_the_page_editor(client, make_person):
    editor = make_person("editor")
    page = ContentPageFactory(title="About us", body=[("heading", "No wrong door")])
    sign_in(client, editor)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    # The block's form is sent to Wagtail's editor as JSON, inside an HTML attribute.
    assert "aria-label=\\&quot;Heading\\&quot;" in response.content.decode()


def test_the_heading_block_is_still_a_char_block_to_migrations():
    heading = ContentStreamBlock().child_blocks["heading"]
    assert heading.deconstruct()[0] == "wagtail.blocks.CharBlock"
