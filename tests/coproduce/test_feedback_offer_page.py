"""What the public sees of feedback on an offer's page: only published quotes (agreed to,
checked by a moderator, not hidden) with the provider's reply, and ratings only once 5 or
more pieces of feedback that are not hidden exist. The page costs the same queries with 3
pieces of feedback or 30."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from coproduce.factories import FeedbackFactory, ServiceChangePageFactory
from coproduce.models import Feedback
from tests.coproduce.test_claims import page_text
from tests.factories import OfferPageFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(organisation):
    return OfferPageFactory(title="Crisis café", provider=organisation)


def section_text(response) -> str:
    page = BeautifulSoup(response.content, "html.parser")
    section = page.find("section", attrs={"aria-labelledby": "offer-feedback-heading"})
    assert section is not None, "The offer page has no feedback section"
    return " ".join(section.get_text(" ").split())


def all_url(offer) -> str:
    return reverse("coproduce:feedback_on_offer", kwargs={"offer_id": offer.pk})


def test_published_feedback_shows_on_its_offer_page_with_the_reply(client, offer):
    FeedbackFactory(
        offer=offer,
        went_well="Everything the person typed, with Jane Smith's name in it.",
        consent_to_publish=True,
        public_quote="The staff listened and I was seen the same evening.",
        public_response="Thank you. We are glad the evening service helped.",
        rating=Feedback.Rating.VERY_GOOD,
        status=Feedback.Status.RESPONDED,
    )
    text = section_text(client.get(offer.url))
    assert "The staff listened and I was seen the same evening." in text
    assert "Reply from Northdale Health NHS Trust" in text
    assert "We are glad the evening service helped." in text
    assert "Rated “Very good”" in text
    # Only the moderator's checked words are ever published, never what was typed.
    assert "Jane Smith" not in text


def test_feedback_not_agreed_to_not_checked_or_hidden_never_shows(client, offer):
    FeedbackFactory(offer=offer, went_well="Not agreed", public_quote="Not agreed quote")
    FeedbackFactory(offer=offer, consent_to_publish=True, went_well="Agreed, not checked yet")
    FeedbackFactory(
        offer=offer,
        published=True,
        public_quote="Hidden words",
        hidden=True,
        hidden_reason="Spam",
    )
    FeedbackFactory(published=True, public_quote="About another offer")
    text = section_text(client.get(offer.url))
    for words in [
        "Not agreed",
        "Agreed, not checked yet",
        "Hidden words",
        "About another offer",
        "Spam",
    ]:
        assert words not in text
    assert "No comments have been published about Crisis café yet." in text


def test_ratings_are_shown_only_once_5_pieces_of_feedback_are_not_hidden(client, offer):
    for rating in [5, 5, 4, 2]:
        FeedbackFactory(offer=offer, rating=rating)
    FeedbackFactory(offer=offer, rating=1, hidden=True, hidden_reason="Spam")
    text = section_text(client.get(offer.url))
    assert "Not enough feedback yet to show ratings" in text
    assert "Average rating" not in text

    FeedbackFactory(offer=offer, rating=4, felt_listened_to=Feedback.Listened.NO)
    response = client.get(offer.url)
    text = section_text(response)
    assert "Not enough feedback yet" not in text
    # (5 + 5 + 4 + 2 + 4) / 5, the hidden one left out.
    assert "Average rating: 4.0 out of 5" in text
    assert "from 5 people's feedback." in text
    assert "80% said they felt listened to." in text
    rows = {
        row.th.get_text(strip=True): row.find("td").get_text(strip=True)
        for row in BeautifulSoup(response.content, "html.parser").select("section tbody tr")
    }
    assert rows == {
        "Very good": "2",
        "Good": "2",
        "Neither good nor poor": "0",
        "Poor": "1",
        "Very poor": "0",
    }


def test_the_latest_5_comments_show_with_a_way_to_see_them_all(client, offer):
    for n in range(7):
        FeedbackFactory(offer=offer, published=True, public_quote=f"Comment number {n}")
    response = client.get(offer.url)
    text = section_text(response)
    shown = [n for n in range(7) if f"Comment number {n}" in text]
    assert shown == [2, 3, 4, 5, 6]
    assert "See all 7 comments about Crisis café" in text

    everything = client.get(all_url(offer))
    assert everything.status_code == 200
    text = page_text(everything)
    assert all(f"Comment number {n}" in text for n in range(7))
    assert "7 comments, newest first" in text


def test_the_page_of_all_comments_is_paginated(client, offer):
    for n in range(12):
        FeedbackFactory(offer=offer, published=True, public_quote=f"Comment number {n}")
    first = page_text(client.get(all_url(offer)))
    assert "Comment number 11" in first
    assert "“Comment number 1”" not in first
    second = page_text(client.get(all_url(offer) + "?page=2"))
    assert "“Comment number 1”" in second
    assert "Comment number 0" in second


def test_feedback_that_led_to_a_published_change_links_to_it(client, offer):
    change = ServiceChangePageFactory(title="Signs at the entrance")
    FeedbackFactory(offer=offer, published=True, service_change=change)
    response = client.get(offer.url)
    assert "You said, we did: Signs at the entrance" in section_text(response)
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("a", string="Signs at the entrance")["href"] == change.url


def test_a_draft_change_is_not_linked_from_the_offer_page(client, offer):
    change = ServiceChangePageFactory(title="Not ready yet")
    change.unpublish()
    FeedbackFactory(offer=offer, published=True, service_change=change)
    assert "Not ready yet" not in section_text(client.get(offer.url))


def test_comments_on_an_offer_that_is_not_listed_are_not_found(client, offer):
    FeedbackFactory(offer=offer, published=True)
    offer.unpublish()
    assert client.get(all_url(offer)).status_code == 404


def _add_published(offer, how_many, change=None):
    for n in range(how_many):
        FeedbackFactory(
            offer=offer,
            published=True,
            public_response="Thank you for telling us.",
            service_change=change,
            rating=1 + n % 5,
        )


def test_the_offer_page_costs_the_same_queries_with_3_or_30_pieces_of_feedback(client, offer):
    change = ServiceChangePageFactory(title="Signs")
    _add_published(offer, 3, change)
    queries_for(client, offer.url)
    few = queries_for(client, offer.url)
    _add_published(offer, 27, change)
    assert queries_for(client, offer.url) == few


def test_all_comments_cost_the_same_queries_with_3_or_30(client, offer):
    change = ServiceChangePageFactory(title="Signs")
    _add_published(offer, 3, change)
    queries_for(client, all_url(offer))
    few = queries_for(client, all_url(offer))
    _add_published(offer, 27, change)
    assert queries_for(client, all_url(offer)) == few
