""" "You said, we did" as the public sees it: each change's page (what people said, with
the linked feedback counted live, what changed, the timeline, the services, the panel and
its rung on the ladder), the list of changes with its filters, its Atom feed, and the
changes shown on an offer's page."""

from datetime import date
from xml.etree import ElementTree

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from coproduce.choices import CoproductionLevel
from coproduce.models import ServiceChangePage
from tests.conftest import ROLE_NAMES
from tests.factories import (
    FeedbackFactory,
    OfferPageFactory,
    OrganisationFactory,
    PanelFactory,
    ServiceChangePageFactory,
    ThemeFactory,
    service_changes_index,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DONE = ServiceChangePage.Status.DONE
PLANNED = ServiceChangePage.Status.PLANNED
IN_PROGRESS = ServiceChangePage.Status.IN_PROGRESS


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel("2026-12-01 10:00 +00:00", tick=False):
        yield


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text(response) -> str:
    return soup(response).get_text(" ", strip=True)


def queries(client, url) -> int:
    client.get(url)  # site-wide caches (header, footer, page paths) filled first
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def atom(response) -> ElementTree.Element:
    """Parse the feed as any feed reader would (it is our own output, not untrusted)."""
    return ElementTree.fromstring(response.content)  # noqa: S314


def listed(response) -> list[str]:
    return [a.get_text(strip=True) for a in soup(response).select("main .nhsuk-card h3 a")]


def draft_change(title: str) -> ServiceChangePage:
    """A change written and saved, but not published."""
    index = service_changes_index()
    page = ServiceChangePage(
        title=title,
        slug=title.lower().replace(" ", "-"),
        what_people_said="<p>Said.</p>",
        what_changed="<p>Changed.</p>",
        live=False,
    )
    index.add_child(instance=page)
    page.save_revision()
    return page


# --- One change's page ---------------------------------------------------------------------------


def test_a_change_page_shows_what_people_said_what_changed_and_its_dated_timeline(client):
    change = ServiceChangePageFactory(
        title="Evening opening at the crisis café",
        what_people_said="<p>People said the café closed too early.</p>",
        what_changed="<p>The café now opens until 11pm.</p>",
        status=DONE,
        updates=[
            (date(2026, 3, 2), PLANNED, "The panel met the café team."),
            (date(2026, 5, 11), IN_PROGRESS, ""),
            (date(2026, 9, 1), DONE, "Open late from September."),
        ],
    )
    response = client.get(change.url)
    assert response.status_code == 200
    page = text(response)
    assert "People said the café closed too early." in page
    assert "The café now opens until 11pm." in page
    assert "Status Done" in page
    steps = [
        li.get_text(" ", strip=True) for li in soup(response).select("ol.nhsuk-list--border li")
    ]
    assert steps == [
        "2 March 2026 : Planned The panel met the café team.",
        "11 May 2026 : In progress",
        "1 September 2026 : Done Open late from September.",
    ]


def test_linked_feedback_is_counted_live_with_its_themes_and_only_published_quotes(client):
    waiting, kindness = ThemeFactory(name="Waiting times"), ThemeFactory(name="Kindness")
    offer = OfferPageFactory(title="Crisis Cafe")
    change = ServiceChangePageFactory(offers=[offer])
    FeedbackFactory(
        offer=offer,
        service_change=change,
        published=True,
        public_quote="I waited four hours in the cold.",
        themes=[waiting],
    )
    FeedbackFactory(offer=offer, service_change=change, themes=[waiting, kindness])
    FeedbackFactory(
        offer=offer,
        service_change=change,
        consent_to_publish=False,
        public_quote="Not agreed to, so never shown.",
    )
    FeedbackFactory(offer=offer)  # about the offer, but not linked to this change
    page = text(client.get(change.url))
    assert "We linked 3 pieces of feedback to this change." in page
    assert "Waiting times: 2 pieces of feedback" in page
    assert "Kindness: 1 piece of feedback" in page
    assert "“I waited four hours in the cold.”" in page
    assert "About Crisis Cafe, December 2026" in page
    assert "Not agreed to, so never shown." not in page
    # What people typed is never shown: only the moderator's checked quote.
    assert "I was seen the same evening" not in page

    FeedbackFactory(offer=offer, service_change=change)
    assert "We linked 4 pieces of feedback" in text(client.get(change.url))


def test_hidden_feedback_is_neither_counted_nor_quoted(client):
    theme = ThemeFactory(name="Building")
    change = ServiceChangePageFactory()
    FeedbackFactory(service_change=change)
    FeedbackFactory(
        service_change=change,
        published=True,
        public_quote="Hidden words.",
        hidden=True,
        hidden_reason="Names a member of staff.",
        themes=[theme],
    )
    page = text(client.get(change.url))
    assert "We linked 1 piece of feedback to this change." in page
    assert "Hidden words." not in page
    assert "Building" not in page


def test_a_change_with_no_linked_feedback_says_nothing_about_feedback(client):
    page = text(client.get(ServiceChangePageFactory().url))
    assert "We linked" not in page
    assert "People said the entrance was hard to find." in page


def test_quotes_beyond_the_first_ten_are_counted_not_listed(client):
    change = ServiceChangePageFactory()
    for n in range(12):
        FeedbackFactory(service_change=change, published=True, public_quote=f"Quote {n}.")
    response = client.get(change.url)
    assert len(soup(response).select("main blockquote")) == 10
    assert "And 2 more published comments" in text(response)


def test_the_panel_recommendations_are_listed_in_order(client):
    from coproduce.models import PanelRecommendation

    change = ServiceChangePageFactory()
    change.recommendations = [
        PanelRecommendation(text="Open later on Fridays."),
        PanelRecommendation(text="Put a sign on the main road."),
    ]
    change.save_revision().publish()
    response = client.get(change.url)
    items = [
        li.get_text(strip=True)
        for li in soup(response).select("main ol.nhsuk-list--number")[0].find_all("li")
    ]
    assert items == ["Open later on Fridays.", "Put a sign on the main road."]
    assert "What the panel recommended" in text(response)


def test_the_panel_is_linked_and_its_level_is_named_and_numbered_on_the_ladder(client):
    panel = PanelFactory(
        recruiting=True,
        title="Crisis café panel",
        organisation=OrganisationFactory(name="Open Door"),
        coproduction_level=CoproductionLevel.CO_DESIGN,
    )
    change = ServiceChangePageFactory(panel=panel)
    response = client.get(change.url)
    link = soup(response).find("a", string="Crisis café panel")
    assert link["href"] == f"/panels/{panel.slug}/"
    page = text(response)
    assert "run by Open Door" in page
    assert "Co-design — step 6 of 7 on the ladder of co-production." in page
    # Readable without colour: the step is marked in words and for screen readers.
    current = soup(response).find("li", attrs={"aria-current": "step"})
    assert current.get_text(strip=True) == "Co-design (this change)"


def test_the_change_s_own_level_is_shown_when_given(client):
    panel = PanelFactory(coproduction_level=CoproductionLevel.CO_DESIGN)
    change = ServiceChangePageFactory(
        panel=panel, coproduction_level=CoproductionLevel.CO_PRODUCTION
    )
    assert "Co-production — step 7 of 7" in text(client.get(change.url))


def test_a_draft_panel_is_neither_named_nor_linked(client):
    panel = PanelFactory(
        draft=True, title="Secret draft panel", organisation=OrganisationFactory(name="Open Door")
    )
    change = ServiceChangePageFactory(panel=panel)
    response = client.get(change.url)
    page = text(response)
    assert "Secret draft panel" not in page
    assert (
        "co-produced with a design panel of people with lived experience run by Open Door" in page
    )
    assert not soup(response).select("main a[href^='/panels/']")


def test_only_published_services_are_linked(client):
    listed_offer = OfferPageFactory(title="Crisis Cafe")
    withdrawn = OfferPageFactory(title="Old Drop-in")
    withdrawn.unpublish()
    change = ServiceChangePageFactory(offers=[listed_offer, withdrawn])
    response = client.get(change.url)
    assert soup(response).find("a", string="Crisis Cafe")["href"] == listed_offer.url
    assert "Old Drop-in" not in text(response)


def test_quotes_and_notes_are_escaped(client):
    change = ServiceChangePageFactory(
        updates=[(date(2026, 11, 1), DONE, "<script>alert('note')</script>")]
    )
    FeedbackFactory(
        service_change=change, published=True, public_quote="<img src=x onerror=alert(1)>"
    )
    html = client.get(change.url).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert('note')" not in html


def test_a_change_page_costs_the_same_queries_with_3_or_30_linked_feedback(client):
    themes = [ThemeFactory(name=f"Theme {n}") for n in range(3)]
    offer = OfferPageFactory()
    change = ServiceChangePageFactory(offers=[offer], panel=PanelFactory(recruiting=True))
    for _ in range(3):
        FeedbackFactory(offer=offer, service_change=change, published=True, themes=themes)
    few = queries(client, change.url)
    for _ in range(27):
        FeedbackFactory(offer=offer, service_change=change, published=True, themes=themes)
    assert queries(client, change.url) == few


def test_a_draft_change_is_not_found(client_as):
    draft = draft_change("Not yet")
    for role in ("anonymous", "member", "engagement_lead"):
        assert client_as(role).get(f"{service_changes_index().url}not-yet/").status_code == 404, (
            role
        )
    assert draft.pk


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_everyone_can_read_the_index_its_feed_and_a_change(client_as, role):
    change = ServiceChangePageFactory(title="Shorter waits")
    client = client_as(role)
    index = service_changes_index()
    assert client.get(index.url).status_code == 200
    assert client.get(f"{index.url}feed/").status_code == 200
    assert client.get(change.url).status_code == 200


# --- The list of changes --------------------------------------------------------------------------


def test_the_list_shows_published_changes_newest_first_by_their_latest_step(client):
    ServiceChangePageFactory(title="Older", updates=[(date(2025, 6, 1), DONE, "")])
    ServiceChangePageFactory(
        title="Newest",
        status=IN_PROGRESS,
        updates=[(date(2025, 1, 1), PLANNED, ""), (date(2026, 10, 1), IN_PROGRESS, "")],
    )
    ServiceChangePageFactory(
        title="Middle", status=PLANNED, updates=[(date(2026, 2, 1), PLANNED, "")]
    )
    draft_change("Draft change")
    response = client.get(service_changes_index().url)
    assert listed(response) == ["Newest", "Middle", "Older"]
    page = text(response)
    assert "3 changes" in page
    assert "Status: In progress Last update 1 October 2026" in page


def test_private_changes_are_left_out_of_the_list_and_the_feed(client):
    ServiceChangePageFactory(title="Public change")
    private = ServiceChangePageFactory(title="Private change")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    index = service_changes_index()
    assert listed(client.get(index.url)) == ["Public change"]
    assert "Private change" not in client.get(f"{index.url}feed/").content.decode()


def _filtered_set_up():
    cafe = OfferPageFactory(title="Crisis Cafe", slug="crisis-cafe")
    line = OfferPageFactory(title="Listening Line", slug="listening-line")
    waiting = ThemeFactory(name="Waiting times", slug="waiting-times")
    ThemeFactory(name="Unused theme", slug="unused-theme")
    ServiceChangePageFactory(
        title="Cafe open later",
        offers=[cafe],
        themes=[waiting],
        updates=[(date(2025, 4, 1), DONE, "")],
    )
    ServiceChangePageFactory(
        title="Line call-backs",
        status=PLANNED,
        offers=[line],
        updates=[(date(2026, 4, 1), PLANNED, "")],
    )
    ServiceChangePageFactory(
        title="Both shorter waits",
        status=IN_PROGRESS,
        offers=[cafe, line],
        themes=[waiting],
        updates=[(date(2025, 11, 1), PLANNED, ""), (date(2026, 1, 5), IN_PROGRESS, "")],
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=done", ["Cafe open later"]),
        ("status=in_progress", ["Both shorter waits"]),
        ("offer=crisis-cafe", ["Both shorter waits", "Cafe open later"]),
        ("theme=waiting-times", ["Both shorter waits", "Cafe open later"]),
        ("year=2025", ["Both shorter waits", "Cafe open later"]),
        ("year=2026", ["Line call-backs", "Both shorter waits"]),
        ("offer=listening-line&status=planned", ["Line call-backs"]),
    ],
)
def test_the_list_filters_by_status_service_theme_and_year(client, query, expected):
    _filtered_set_up()
    response = client.get(f"{service_changes_index().url}?{query}")
    assert listed(response) == expected
    assert f"{len(expected)} change" in text(response)
    assert "your filters" in text(response)


def test_each_filter_offers_only_values_some_published_change_has(client):
    _filtered_set_up()
    OfferPageFactory(title="Untouched Service", slug="untouched")
    form = soup(client.get(service_changes_index().url)).find("main").find("form")
    assert form["method"] == "get"
    options = {
        select["name"]: [option.get_text(strip=True) for option in select.find_all("option")]
        for select in form.find_all("select")
    }
    assert options["offer"] == ["Any service", "Crisis Cafe", "Listening Line"]
    assert options["theme"] == ["Any theme", "Waiting times"]
    assert options["year"] == ["Any year", "2026", "2025"]
    assert options["status"] == ["Any status", "Planned", "In progress", "Done"]
    for select in form.find_all("select"):
        assert form.find("label", attrs={"for": select["id"]}), select["name"]


def test_selected_filters_are_shown_and_each_can_be_removed(client):
    _filtered_set_up()
    index = service_changes_index()
    response = client.get(f"{index.url}?offer=crisis-cafe&status=in_progress")
    chosen = soup(response).find(id="chosen-filters-heading").find_next("ul")
    rows = [li.get_text(" ", strip=True) for li in chosen.find_all("li")]
    assert rows == [
        "Status: In progress Remove the status filter",
        "Service: Crisis Cafe Remove the service filter",
    ]
    removes = [a["href"] for a in chosen.find_all("a")]
    assert removes == [f"{index.url}?offer=crisis-cafe", f"{index.url}?status=in_progress"]
    assert listed(client.get(removes[0])) == ["Both shorter waits", "Cafe open later"]
    # The form shows what is chosen, so it can be changed without starting again.
    selected = soup(response).select("main form select option[selected]")
    assert {option["value"] for option in selected} >= {"crisis-cafe", "in_progress"}


def test_an_unrecognised_filter_is_left_out_with_a_message(client):
    _filtered_set_up()
    response = client.get(f"{service_changes_index().url}?status=lost&theme=waiting-times")
    assert listed(response) == ["Both shorter waits", "Cafe open later"]
    assert "Some of the filters in the web address were not recognised" in text(response)


def test_no_match_offers_a_way_back_to_every_change(client):
    _filtered_set_up()
    response = client.get(f"{service_changes_index().url}?status=planned&theme=waiting-times")
    assert "No changes match all of these filters." in text(response)
    assert soup(response).find("a", string="see every change")


def test_with_no_changes_yet_the_list_says_so_kindly(client):
    assert "No changes have been published yet." in text(client.get(service_changes_index().url))


def test_the_list_is_paginated_and_each_page_keeps_the_filters(client):
    for n in range(12):
        ServiceChangePageFactory(
            title=f"Change {n:02d}", updates=[(date(2026, 1, n + 1), DONE, "")]
        )
    index = service_changes_index()
    first = client.get(f"{index.url}?status=done")
    assert len(listed(first)) == 10
    assert "12 changes match your filters" in text(first)
    next_link = soup(first).select_one("a.nhsuk-pagination__link--next")["href"]
    assert next_link == "?status=done&page=2"
    assert listed(client.get(f"{index.url}{next_link}")) == ["Change 01", "Change 00"]


def test_the_list_costs_the_same_queries_for_3_or_30_changes(client):
    offer = OfferPageFactory()
    theme = ThemeFactory(name="Waiting times")

    def add(count, start):
        for n in range(start, start + count):
            ServiceChangePageFactory(
                title=f"Change {n:03d}", offers=[offer], themes=[theme], panel=PanelFactory()
            )

    add(3, 0)
    index = service_changes_index()
    urls = [index.url, f"{index.url}?theme=waiting-times&status=done&year=2026"]
    few = [queries(client, url) for url in urls]
    add(27, 3)
    assert [queries(client, url) for url in urls] == few


# --- The Atom feed --------------------------------------------------------------------------------


def test_the_list_links_its_atom_feed(client):
    index = service_changes_index()
    head = soup(client.get(index.url)).find("head")
    link = head.find("link", attrs={"rel": "alternate", "type": "application/atom+xml"})
    assert link["href"] == f"{index.url}feed/"
    filtered = soup(client.get(f"{index.url}?status=done")).find(
        "link", attrs={"type": "application/atom+xml"}
    )
    assert filtered["href"] == f"{index.url}feed/?status=done"


def test_the_feed_is_valid_atom_with_one_entry_per_change(client):
    ServiceChangePageFactory(
        title="Cafe open later",
        what_changed="<p>The café opens until 11pm &amp; at weekends.</p>",
        themes=[ThemeFactory(name="Getting there")],
    )
    ServiceChangePageFactory(title="Line call-backs", status=PLANNED)
    index = service_changes_index()
    response = client.get(f"{index.url}feed/")
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = atom(response)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "You said, we did"
    assert feed.findtext(f"{ATOM}id").startswith("tag:")
    assert feed.findtext(f"{ATOM}updated")
    assert feed.find(f"{ATOM}author").findtext(f"{ATOM}name")
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == f"http://testserver{index.url}feed/"
    assert links["alternate"] == f"http://testserver{index.url}"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "Line call-backs",
        "Cafe open later",
    ]
    for entry in entries:
        for element in ("id", "title", "updated", "summary"):
            assert entry.findtext(f"{ATOM}{element}"), element
        assert entry.find(f"{ATOM}link").get("href").startswith(f"http://testserver{index.url}")
    cafe = entries[1]
    assert cafe.find(f"{ATOM}summary").get("type") == "html"
    assert cafe.findtext(f"{ATOM}summary") == ("Done. The café opens until 11pm &amp; at weekends.")
    assert [c.get("term") for c in cafe.findall(f"{ATOM}category")] == ["Getting there"]
    assert len({entry.findtext(f"{ATOM}id") for entry in entries}) == 2


def test_an_entry_keeps_its_id_when_the_change_is_renamed(client):
    change = ServiceChangePageFactory(title="First title")
    url = f"{service_changes_index().url}feed/"
    before = atom(client.get(url)).find(f"{ATOM}entry")
    change.title = "Better title"
    change.save_revision().publish()
    after = atom(client.get(url)).find(f"{ATOM}entry")
    assert after.findtext(f"{ATOM}title") == "Better title"
    assert after.findtext(f"{ATOM}id") == before.findtext(f"{ATOM}id")


def test_the_feed_honours_the_filters(client):
    _filtered_set_up()
    response = client.get(f"{service_changes_index().url}feed/?offer=listening-line")
    feed = atom(response)
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]
    assert titles == ["Line call-backs", "Both shorter waits"]
    assert feed.findtext(f"{ATOM}id").endswith("you-said-we-did?offer=listening-line")


def test_the_feed_of_no_changes_is_still_valid(client):
    feed = atom(client.get(f"{service_changes_index().url}feed/"))
    assert feed.findtext(f"{ATOM}updated")
    assert feed.findall(f"{ATOM}entry") == []


@pytest.mark.parametrize(
    "status, heading",
    [
        (PLANNED, "What we plan to change"),
        (IN_PROGRESS, "What we are changing"),
        (DONE, "What we changed"),
    ],
)
def test_what_changed_is_headed_in_the_tense_of_the_change(client, status, heading):
    change = ServiceChangePageFactory(status=status)
    headings = [h.get_text(strip=True) for h in soup(client.get(change.url)).select("main h2")]
    assert heading in headings
    assert [h for h in headings if h.startswith("What we")] == [heading]


# --- On an offer's page ---------------------------------------------------------------------------


def test_an_offer_page_lists_the_changes_made_to_it(client):
    offer = OfferPageFactory(title="Crisis Cafe", slug="crisis-cafe")
    ServiceChangePageFactory(title="Cafe open later", offers=[offer])
    ServiceChangePageFactory(title="Somewhere else")
    draft = draft_change("Draft for the cafe")
    draft.offers = [offer]
    draft.save()
    response = client.get(offer.url)
    section = soup(response).find("section", attrs={"aria-labelledby": "changes-made-heading"})
    assert section.find("h2").get_text(strip=True) == "What we changed because people spoke"
    assert [a.get_text(strip=True) for a in section.select("li a")] == ["Cafe open later"]
    see_all = section.find_all("a")[-1]
    assert see_all["href"] == f"{service_changes_index().url}?offer=crisis-cafe"


@pytest.mark.parametrize(
    "statuses, heading, sentence",
    [
        (
            [DONE, DONE],
            "What we changed because people spoke",
            "Crisis Cafe has made these changes because of what people told us.",
        ),
        (
            [PLANNED],
            "What we plan to change because people spoke",
            "Crisis Cafe plans to make these changes because of what people told us.",
        ),
        (
            [IN_PROGRESS],
            "What we are changing because people spoke",
            "Crisis Cafe is making these changes because of what people told us.",
        ),
        (
            [DONE, PLANNED],
            "What we changed and plan to change because people spoke",
            "Crisis Cafe has made and plans to make these changes because of what people told us.",
        ),
        (
            [PLANNED, IN_PROGRESS, DONE],
            "What we changed, are changing and plan to change because people spoke",
            "Crisis Cafe has made, is making and plans to make these changes because of what "
            "people told us.",
        ),
    ],
)
def test_an_offer_page_does_not_call_a_planned_change_made(client, statuses, heading, sentence):
    offer = OfferPageFactory(title="Crisis Cafe")
    for n, status in enumerate(statuses):
        ServiceChangePageFactory(title=f"Change {n}", offers=[offer], status=status)
    section = soup(client.get(offer.url)).find(
        "section", attrs={"aria-labelledby": "changes-made-heading"}
    )
    assert section.find("h2").get_text(strip=True) == heading
    assert section.find("p").get_text(" ", strip=True) == sentence


def test_an_offer_no_change_has_touched_shows_no_changes_section(client):
    offer = OfferPageFactory()
    page = soup(client.get(offer.url))
    assert page.find("section", attrs={"aria-labelledby": "changes-made-heading"}) is None
    assert "because people spoke" not in page.get_text()


def test_an_offer_page_shows_the_latest_five_changes(client):
    offer = OfferPageFactory()
    for n in range(7):
        ServiceChangePageFactory(
            title=f"Change {n}", offers=[offer], updates=[(date(2026, 1, n + 1), DONE, "")]
        )
    section = soup(client.get(offer.url)).find(
        "section", attrs={"aria-labelledby": "changes-made-heading"}
    )
    assert [a.get_text(strip=True) for a in section.select("li a")] == [
        f"Change {n}" for n in range(6, 1, -1)
    ]
    assert "See all the changes" in section.get_text()


def test_an_offer_page_costs_the_same_queries_for_3_or_30_changes(client):
    offer = OfferPageFactory()
    for n in range(3):
        ServiceChangePageFactory(title=f"Change {n:02d}", offers=[offer])
    few = queries(client, offer.url)
    for n in range(3, 30):
        ServiceChangePageFactory(title=f"Change {n:02d}", offers=[offer])
    assert queries(client, offer.url) == few
