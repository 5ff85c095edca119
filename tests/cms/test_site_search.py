"""Site search finds everything public (support offers, "You said, we did" changes, panels
open to join, peer roles, charters, outcomes and information pages), each with its kind
label, and nothing private; it pages through them at a fixed number of queries."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from charter.factories import CommitmentFactory, ProgrammeFactory
from peers.factories import VacancyFactory
from tests.factories import (
    CharterFactory,
    ContentPageFactory,
    OfferPageFactory,
    OrganisationFactory,
    PanelFactory,
    ServiceChangePageFactory,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

WORD = "lighthouse"


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def results(client, query, **extra):
    response = client.get("/search/", {"q": query, **extra})
    assert response.status_code == 200
    page = soup(response)
    return [
        (item.select_one(".nhsuk-tag").get_text(strip=True), item.h3.get_text(strip=True))
        for item in page.select("main li")
        if item.h3
    ]


def one_of_each(word: str = WORD, n: int = 0):
    """One public thing of every kind with ``word`` in its title."""
    organisation = OrganisationFactory(name=f"Harbour Trust {n}", slug=f"harbour-trust-{n}")
    OfferPageFactory(title=f"{word.title()} crisis café {n}", provider=organisation)
    ServiceChangePageFactory(title=f"{word.title()} opens later {n}")
    PanelFactory(title=f"{word.title()} design panel {n}", recruiting=True)
    VacancyFactory(title=f"{word.title()} peer support worker {n}")
    charter = CharterFactory(
        organisation=organisation, title=f"{word.title()} Charter {n}", published=True
    )
    CommitmentFactory(charter=charter)
    ProgrammeFactory(name=f"{word.title()} peer mentoring {n}", published=True)
    ContentPageFactory(title=f"About the {word} project {n}", slug=f"{word}-{n}")


def test_every_public_kind_is_found_with_its_label(client):
    one_of_each()
    found = results(client, WORD)
    kinds = {kind for kind, _title in found}
    assert kinds == {
        "Support",
        "You said, we did",
        "Design panel",
        "Peer role",
        "Charter",
        "Outcomes",
        "Page",
    }
    titles = [title for _kind, title in found]
    assert "Lighthouse crisis café 0" in titles
    assert "Harbour Trust 0: Lighthouse Charter 0" in titles
    # Each is found once: offers and changes are Wagtail pages, but not listed as "Page".
    assert len(titles) == len(set(titles)) == 7


def test_each_result_links_to_its_public_page(client):
    one_of_each()
    page = soup(client.get("/search/", {"q": WORD}))
    links = [a["href"] for a in page.select("main li h3 a")]
    assert len(links) == 7
    for link in links:
        assert client.get(link).status_code == 200, link


def test_words_in_a_commitment_find_its_charter(client):
    charter = CharterFactory(published=True)
    CommitmentFactory(charter=charter, title="Pay people fairly for their involvement")
    assert [kind for kind, _ in results(client, "involvement fairly")] == ["Charter"]


def test_nothing_private_is_found(client):
    CharterFactory(title="Lighthouse Charter draft", published=False)
    PanelFactory(title="Lighthouse draft panel", draft=True)
    PanelFactory(title="Lighthouse closed panel", closed=True)
    PanelFactory(title="Lighthouse panel no longer recruiting")  # active: its seats are filled
    PanelFactory(
        title="Lighthouse panel past its closing date",
        recruiting=True,
        applications_close_on=timezone.localdate() - timedelta(days=1),
    )
    VacancyFactory(title="Lighthouse draft role", draft=True)
    VacancyFactory(title="Lighthouse closed role", closed=True)
    VacancyFactory(
        title="Lighthouse role past its closing date",
        closing_date=timezone.localdate() - timedelta(days=1),
    )
    ProgrammeFactory(name="Lighthouse draft programme", published=False)
    draft_change = ServiceChangePageFactory(title="Lighthouse draft change")
    draft_change.unpublish()
    draft_offer = OfferPageFactory(title="Lighthouse draft offer")
    draft_offer.unpublish()
    ContentPageFactory(
        title="Lighthouse unpublished page", slug="lighthouse-unpublished"
    ).unpublish()

    response = client.get("/search/", {"q": WORD})
    assert "No results for" in response.content.decode()
    assert results(client, WORD) == []


def test_a_staff_member_searching_sees_no_more_than_the_public(client_as):
    """Search is the public site's: a lead does not find their own draft panel there."""
    client = client_as("engagement_lead")
    PanelFactory(title="Lighthouse draft panel", draft=True)
    assert results(client, WORD) == []


def test_kind_narrows_the_results_and_every_kind_found_is_offered(client):
    one_of_each()
    page = soup(client.get("/search/", {"q": WORD}))
    offered = {a.get_text(strip=True) for a in page.select("main nav a")}
    assert "peer roles (1)" in offered and "support offers (1)" in offered
    assert results(client, WORD, kind="peer-roles") == [
        ("Peer role", "Lighthouse peer support worker 0")
    ]


def test_an_unknown_kind_shows_everything(client):
    one_of_each()
    assert len(results(client, WORD, kind="<script>")) == 7


def test_results_are_paginated(client):
    for n in range(12):
        PanelFactory(title=f"Lighthouse panel {n}", recruiting=True)
    first = results(client, WORD)
    second = results(client, WORD, page=2)
    assert len(first) == 10 and len(second) == 2
    assert not set(first) & set(second)


@pytest.mark.parametrize(
    "query",
    ['"', "'; DROP TABLE", "\x00", "((( )))", "a" * 5000, "NOT AND OR", "٣", "*"],
)
def test_bad_input_answers_calmly(client, query):
    one_of_each()
    response = client.get("/search/", {"q": query, "page": "x", "kind": "zzz"})
    assert response.status_code == 200


def test_no_query_asks_for_one(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "What are you looking for?" in response.content.decode()
    assert "result" not in soup(response).select_one("main").get_text()


def test_no_results_suggests_the_sections_of_the_site(client):
    OfferPageFactory(title="Something else")
    page = soup(client.get("/search/", {"q": "zebra"}))
    text = page.select_one("main").get_text(" ", strip=True)
    assert "No results for ‘zebra’" in text
    links = {a.get_text(strip=True): a["href"] for a in page.select("main a")}
    assert links["Find support"] == "/find-support/"
    assert links["Join a panel"] == "/panels/"
    assert links["Peer roles"] == "/peer-roles/"
    assert links["Our charter"] == "/charter/"
    assert links["Outcomes"] == "/outcomes/"
    assert links["Get help now"] == "/help-now/"


@pytest.mark.parametrize("role", ["anonymous", "member", "engagement_lead"])
def test_the_query_count_does_not_grow_with_the_results(role, client_as):
    """Issue 19: at most 15 queries, for visitors and signed-in people alike (they are
    never served a visitor's kept copy), however many things are found."""
    client = client_as(role)
    one_of_each(n=0)
    one_of_each(n=1)
    one_of_each(n=2)
    client.get("/search/", {"q": WORD})  # the site shell, once cached
    few = queries_for(client, f"/search/?q={WORD}")
    for n in range(3, 30):
        one_of_each(n=n)
    client.get("/")
    client.get("/search/", {"q": WORD})
    many = queries_for(client, f"/search/?q={WORD}")
    assert len(results(client, WORD)) == 10
    assert many == few
    assert few <= 15


@pytest.mark.parametrize("query", ["crisis", "I feel suicidal", "crisis café"])
def test_words_about_a_crisis_show_where_to_get_urgent_help(client, query):
    page = soup(client.get("/search/", {"q": query}))
    box = page.select_one("main [data-lep-urgent-help]")
    assert box is not None
    assert "NHS 111" in box.get_text() and box.select_one("a[href='/help-now/']")


def test_other_words_do_not_show_the_urgent_help_box(client):
    page = soup(client.get("/search/", {"q": "money advice"}))
    assert page.select_one("main [data-lep-urgent-help]") is None


def test_a_page_is_summed_up_by_its_search_description_else_its_introduction(client):
    ContentPageFactory(title="Lighthouse walks", slug="walks", intro="Walks along the coast.")
    ContentPageFactory(
        title="Lighthouse visits",
        slug="visits",
        intro="Not this one.",
        search_description="Visiting the lighthouse with a carer.",
    )
    page = soup(client.get("/search/", {"q": WORD, "kind": "pages"}))
    summaries = {
        item.h3.get_text(strip=True): item.get_text(" ", strip=True)
        for item in page.select("main li")
        if item.h3
    }
    assert "Walks along the coast." in summaries["Lighthouse walks"]
    assert "Visiting the lighthouse with a carer." in summaries["Lighthouse visits"]
    assert "Not this one." not in summaries["Lighthouse visits"]


def test_offers_are_found_by_the_words_typed_never_by_a_silent_spelling_correction(client):
    """The results page says "results for ‘lonley’": an offer found only by correcting the
    spelling would be shown as if it matched what the person typed."""
    OfferPageFactory(title="Befriending Service", summary="For anyone who feels lonely.")
    assert results(client, "lonely") == [("Support", "Befriending Service")]
    assert results(client, "lonley") == []
