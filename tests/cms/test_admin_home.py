"""The shell's part of the admin home (issue 21): editors see the offers overdue for a check,
people who may not work on pages are not offered a search of them, and someone no panel
speaks to reads "Nothing needs you today." instead of an empty page."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from cms.admin_home import NothingWaitingPanel, WithoutPageSearch, speaks_to_nobody
from tests.conftest import sign_in
from tests.factories import OfferPageFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

HOME = "/admin/"
HIDDEN_SEARCH = "admin-home-without-page-search.css"


def home_text(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    text = " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())
    return text.replace(" :", ":")


def stale_offer(organisation, title: str):
    return OfferPageFactory(
        title=title,
        provider=organisation,
        last_reviewed=timezone.localdate() - timedelta(days=500),
    )


def test_editors_see_the_offers_overdue_for_a_check(client, make_person, organisation):
    offer = stale_offer(organisation, "Open Door Crisis Café")
    OfferPageFactory(title="Checked last month", provider=organisation)
    client = sign_in(client, make_person("editor"))
    text = home_text(client)
    assert "1 offer was last checked more than a year ago" in text
    assert "Open Door Crisis Café: Northdale Health NHS Trust, last checked on" in text
    assert "Checked last month" not in text
    assert f"/admin/pages/{offer.pk}/edit/" in client.get(HOME).content.decode()


def test_editors_keep_the_search_of_pages(client, make_person):
    response = sign_in(client, make_person("editor")).get(HOME)
    assert "Search all pages" in response.content.decode()
    assert HIDDEN_SEARCH not in response.content.decode()


@pytest.mark.parametrize("role", ["hr", "finance"])
def test_people_without_pages_are_not_offered_a_search_of_them(client, make_person, role):
    assert HIDDEN_SEARCH in sign_in(client, make_person(role)).get(HOME).content.decode()


def test_an_editor_with_nothing_to_check_is_told_so_calmly(client, make_person):
    assert "Every offer has been checked in the last year." not in home_text(
        sign_in(client, make_person("editor"))
    )
    # (A panel with nothing waiting says one line, not a list of zeros.)
    assert "Nothing needs you today." in home_text(client)


def test_someone_no_panel_speaks_to_gets_the_calm_line():
    assert speaks_to_nobody([WithoutPageSearch()])
    assert not speaks_to_nobody([WithoutPageSearch(), NothingWaitingPanel()])


def test_an_editors_admin_home_costs_the_same_queries_with_3_offers_or_30(
    client, make_person, organisation
):
    client = sign_in(client, make_person("editor"))
    for number in range(3):
        stale_offer(organisation, f"Offer {number}")
    queries_for(client, HOME)  # the first page of a session reads more, once
    with_3 = queries_for(client, HOME)
    for number in range(27):
        stale_offer(organisation, f"More {number}")
    assert queries_for(client, HOME) == with_3
