"""An offer page read by a signed-in member (never a visitor's copy) costs at most 15
queries, the same with 3 alternatives, places and closures or 30, and its breadcrumbs are
the pages routing passed through: home, then the directory."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from cms.directory import _breadcrumbs
from cms.models import Closure, Location, Need, OfferPage
from coproduce.factories import FeedbackFactory
from tests.factories import AreaFactory, OfferPageFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

BUDGET = 15  # issue 19: every page at most 15 queries, the same whatever the data size


def crisis() -> Need:
    return Need.objects.get(slug="crisis")


def add_more(offer, area, *, n: int, start: int = 0):
    """``n`` more alternatives, and ``n`` more places, closures and pieces of feedback."""
    today = timezone.localdate()
    for i in range(start, start + n):
        OfferPageFactory(
            title=f"Alternative {i:03d}",
            needs=[crisis()],
            areas=[area],
            opening_times=[(0, "09:00", "17:00")],
        )
        Location.objects.create(offer=offer, name=f"Place {i}", postcode="NE1 4ST")
        Closure.objects.create(
            offer=offer,
            first_day=today + timedelta(days=10 + i),
            last_day=today + timedelta(days=10 + i),
            reason=f"Training day {i}",
        )
        FeedbackFactory(offer=offer)


def breadcrumbs(response) -> list[tuple[str, str]]:
    page = BeautifulSoup(response.content, "html.parser")
    return [
        (link.get_text(strip=True), link["href"]) for link in page.select(".nhsuk-breadcrumb__link")
    ]


def test_a_member_reads_an_offer_page_in_15_queries_with_3_or_30_of_everything(client_as):
    client = client_as("member")
    area = AreaFactory(name="Northdale")
    offer = OfferPageFactory(title="The offer", needs=[crisis()], areas=[area])
    add_more(offer, area, n=3)
    client.get(offer.url)
    few = queries_for(client, offer.url)
    add_more(offer, area, n=27, start=3)
    client.get(offer.url)  # publishing drops the cached header; warm it again
    many = queries_for(client, offer.url)
    response = client.get(offer.url)
    text = " ".join(BeautifulSoup(response.content, "html.parser").text.split())
    assert "Place 29" in text
    assert "Training day 29" in text
    assert breadcrumbs(response) == [("Home", "/"), ("Find support", "/find-support/")]
    assert many == few
    assert few <= BUDGET


def test_breadcrumbs_read_from_the_tree_match_those_routing_passed_through(client_as):
    """An offer reached other than by routing (no parents kept on it) reads its ancestors."""
    offer = OfferPageFactory(title="The offer", needs=[crisis()])
    routed = client_as("member").get(offer.url).context["breadcrumbs"]
    read = _breadcrumbs(OfferPage.objects.get(pk=offer.pk))
    assert [page.pk for page in read] == [page.pk for page in routed]
    assert [page.depth for page in read] == [2, 3]
