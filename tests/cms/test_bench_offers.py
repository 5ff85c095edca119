"""The benchmark's bulk offers make a sound page tree that the directory serves like any
other offers, and generating again only tops up."""

import pytest
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from cms.bench.offers import SLUG_PREFIX, generate_offers
from cms.bench.scenarios import scenarios
from cms.models import OfferPage
from tests.factories import OfferPageFactory, OrganisationFactory, offers_index

pytestmark = pytest.mark.django_db

PER_SCALE = 30


def assert_sound_tree() -> None:
    # Bad characters, bad step lengths, orphans, wrong depths, wrong child counts.
    problems = Page.find_problems()
    assert not any(problems), problems


def test_bulk_offers_sit_after_existing_offers_in_a_sound_tree(client):
    OrganisationFactory(name="Bench Northdale Council 0001")
    hand_made = OfferPageFactory(title="Hand made offer")

    counts = generate_offers(scale=1, per_scale=PER_SCALE)

    assert counts["offers"] == {"created": PER_SCALE, "total": PER_SCALE + 1}
    assert_sound_tree()
    index = offers_index()
    index.refresh_from_db()
    assert index.numchild == PER_SCALE + 1
    children = list(index.get_children().specific())
    assert children[0] == hand_made
    assert all(child.url_path == f"{index.url_path}{child.slug}/" for child in children)

    # Editors can still add offers the ordinary way afterwards.
    later = OfferPageFactory(title="Added later")
    assert_sound_tree()
    assert later.path > children[-1].path


def test_the_directory_serves_and_filters_bulk_offers(client):
    OrganisationFactory(name="Bench Southmoor Council 0001")
    generate_offers(scale=1, per_scale=PER_SCALE)
    offer = OfferPage.objects.get(slug=f"{SLUG_PREFIX}00005")

    directory = client.get(offers_index().url)
    assert f"{PER_SCALE} offers" in directory.text

    crisis = client.get(offers_index().url, {"need": "crisis"})
    expected = OfferPage.objects.filter(needs__slug="crisis").distinct().count()
    assert 0 < expected < PER_SCALE
    assert f"{expected} offer" in crisis.text

    page = client.get(offer.url)
    assert page.status_code == 200
    assert offer.title in page.text
    assert "If this isn't right for you" in page.text

    found = get_search_backend().search(offer.title, OfferPage)
    assert offer.pk in [result.pk for result in found]


def test_generating_again_only_tops_up():
    OrganisationFactory(name="Bench Eastfield Council 0001")
    generate_offers(scale=1, per_scale=PER_SCALE)

    assert generate_offers(scale=1, per_scale=PER_SCALE)["offers"]["created"] == 0
    assert generate_offers(scale=2, per_scale=PER_SCALE)["offers"]["created"] == PER_SCALE
    assert OfferPage.objects.filter(slug__startswith=SLUG_PREFIX).count() == 2 * PER_SCALE
    assert_sound_tree()


def test_the_directory_scenarios_find_their_pages():
    OrganisationFactory(name="Bench Westbrook Council 0001")
    generate_offers(scale=1, per_scale=PER_SCALE)
    paths = {
        scenario.name: scenario.resolve_path()
        for scenario in scenarios(["directory", "directory-filter", "directory-search", "offer"])
    }

    assert paths["directory"] == offers_index().url
    assert paths["directory-filter"] == f"{offers_index().url}?need=crisis&open_now=on"
    assert paths["offer"].startswith(f"{offers_index().url}{SLUG_PREFIX}")
