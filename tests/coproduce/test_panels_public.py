"""The public panel pages: the list of panels looking for members, and each panel's page
with the offers it redesigns and a clear way to apply."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduce.choices import CoproductionLevel
from tests.conftest import sign_in
from tests.factories import (
    MemberFactory,
    OfferPageFactory,
    OrganisationFactory,
    PanelApplicationFactory,
    PanelFactory,
)

pytestmark = pytest.mark.django_db

# A Tuesday; closing dates are compared with the day in London.
TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel("2026-12-01 10:00 +00:00", tick=False):
        yield


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def listed_titles(response) -> list[str]:
    return [a.get_text(strip=True) for a in soup(response).select(".nhsuk-card h3 a")]


def queries(client, url) -> int:
    client.get(url)  # site-wide caches (header, footer, page paths) filled first
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- The list ---------------------------------------------------------------------------------


def test_recruiting_panels_show_everything_a_person_needs_to_decide(client):
    PanelFactory(
        recruiting=True,
        title="Crisis café panel",
        organisation=OrganisationFactory(name="Open Door"),
        purpose="Make the crisis café easier to find at night.",
        who_is_sought="People who have used crisis services.",
        coproduction_level=CoproductionLevel.CO_PRODUCTION,
        hourly_rate=Decimal("20.00"),
        time_commitment="2 hours a month",
        applications_close_on=date(2026, 12, 15),
    )
    response = client.get("/panels/")
    assert response.status_code == 200
    text = soup(response).get_text(" ", strip=True)
    assert listed_titles(response) == ["Crisis café panel"]
    for expected in [
        "1 panel looking for members",
        "Run by Open Door",
        "Make the crisis café easier to find at night.",
        "People who have used crisis services.",
        "Co-production",
        "£20.00 an hour, and expenses",
        "2 hours a month",
        "Tuesday 15 December 2026",
    ]:
        assert expected in text, expected


def test_panels_not_taking_applications_are_not_listed(client):
    PanelFactory(recruiting=True, title="Open")
    PanelFactory(recruiting=True, title="Closes today", applications_close_on=TODAY)
    PanelFactory(draft=True, title="Draft")
    PanelFactory(title="Active")
    PanelFactory(closed=True, title="Closed")
    PanelFactory(
        recruiting=True, title="Closed yesterday", applications_close_on=TODAY - timedelta(1)
    )
    assert sorted(listed_titles(client.get("/panels/"))) == ["Closes today", "Open"]


def test_panels_closing_soonest_come_first(client):
    PanelFactory(recruiting=True, title="No closing date")
    PanelFactory(recruiting=True, title="Later", applications_close_on=date(2027, 1, 10))
    PanelFactory(recruiting=True, title="Sooner", applications_close_on=date(2026, 12, 5))
    assert listed_titles(client.get("/panels/")) == ["Sooner", "Later", "No closing date"]


def test_a_panel_that_pays_nothing_for_time_says_expenses_are_paid(client):
    PanelFactory(recruiting=True, hourly_rate=Decimal("0"))
    assert "Expenses only (no payment for time)" in client.get("/panels/").content.decode()


def test_with_no_panels_recruiting_the_page_says_so_kindly(client):
    PanelFactory(title="Active")
    text = soup(client.get("/panels/")).get_text(" ", strip=True)
    assert "No panels are looking for members right now" in text
    assert "please check again soon" in text


def test_the_list_is_paginated(client):
    PanelFactory.create_batch(12, recruiting=True)
    first = client.get("/panels/")
    assert len(listed_titles(first)) == 10
    assert "Page 2 of 2" in first.content.decode()
    assert len(listed_titles(client.get("/panels/?page=2"))) == 2
    assert len(listed_titles(client.get("/panels/?page=99"))) == 2
    assert len(listed_titles(client.get("/panels/?page=nonsense"))) == 10


@pytest.mark.parametrize("role", ["anonymous", "member", "engagement_lead"])
def test_the_list_costs_the_same_queries_for_3_or_30_panels(client_as, role):
    client = client_as(role)
    PanelFactory.create_batch(3, recruiting=True)
    few = queries(client, "/panels/")
    PanelFactory.create_batch(27, recruiting=True)
    assert queries(client, "/panels/") == few


def test_panel_text_is_escaped(client):
    PanelFactory(recruiting=True, title="<script>alert(1)</script>", purpose="<b>bold</b>")
    html = client.get("/panels/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


# --- A panel's page -------------------------------------------------------------------------


def test_a_panel_page_shows_the_offers_it_redesigns_as_links(client):
    offer = OfferPageFactory(title="Crisis Cafe")
    panel = PanelFactory(recruiting=True, offers=[offer], pathway="The out-of-hours pathway")
    response = client.get(f"/panels/{panel.slug}/")
    assert response.status_code == 200
    link = soup(response).find("a", string="Crisis Cafe")
    assert link["href"] == offer.url
    assert "The out-of-hours pathway" in response.content.decode()


def test_a_panel_page_explains_its_rung_on_the_ladder_in_plain_words(client):
    panel = PanelFactory(recruiting=True, coproduction_level=CoproductionLevel.CO_DESIGN)
    text = soup(client.get(f"/panels/{panel.slug}/")).get_text(" ", strip=True)
    assert "Co-design Members design the changes together with staff" in text


def test_offers_no_longer_published_are_left_out(client):
    gone = OfferPageFactory(title="Closed service")
    gone.unpublish()
    panel = PanelFactory(recruiting=True, offers=[gone])
    assert "Closed service" not in client.get(f"/panels/{panel.slug}/").content.decode()


def test_a_recruiting_panel_has_a_clear_apply_button(client):
    panel = PanelFactory(recruiting=True, title="Crisis café panel")
    button = soup(client.get(f"/panels/{panel.slug}/")).select_one("a.nhsuk-button")
    assert button.get_text(" ", strip=True) == "Apply to join Crisis café panel"
    assert button["href"] == f"/panels/{panel.slug}/apply/"


def test_staff_without_the_member_role_are_told_who_can_apply_instead_of_a_button(client_as):
    panel = PanelFactory(recruiting=True)
    response = client_as("hr").get(f"/panels/{panel.slug}/")
    assert soup(response).select_one("a.nhsuk-button") is None
    assert "Your account does not have the member role" in response.content.decode()


def test_a_panel_past_its_closing_date_says_applications_have_closed(client):
    panel = PanelFactory(recruiting=True, applications_close_on=TODAY - timedelta(days=1))
    response = client.get(f"/panels/{panel.slug}/")
    assert soup(response).select_one("a.nhsuk-button") is None
    assert "Applications for this panel closed on Monday 30 November 2026" in (
        soup(response).get_text(" ", strip=True)
    )


@pytest.mark.parametrize("status", ["active", "closed"])
def test_active_and_closed_panels_can_be_read_but_not_applied_to(client, status):
    panel = PanelFactory(status=status)
    response = client.get(f"/panels/{panel.slug}/")
    assert response.status_code == 200
    assert soup(response).select_one("a.nhsuk-button") is None
    assert "not looking for new members" in response.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "member", "hr", "editor"])
def test_a_draft_panel_is_not_found_by_anyone_who_does_not_run_it(client_as, role):
    panel = PanelFactory(draft=True)
    assert client_as(role).get(f"/panels/{panel.slug}/").status_code == 404


def test_a_draft_panel_is_not_found_by_a_lead_of_another_organisation(
    client_as, other_organisation
):
    panel = PanelFactory(draft=True, organisation=other_organisation)
    assert client_as("engagement_lead").get(f"/panels/{panel.slug}/").status_code == 404


def test_the_leads_of_a_draft_panel_see_it_marked_as_a_draft(client_as, organisation):
    panel = PanelFactory(draft=True, organisation=organisation)
    response = client_as("engagement_lead").get(f"/panels/{panel.slug}/")
    assert response.status_code == 200
    assert "This panel is a draft" in response.content.decode()
    assert "Manage this panel in the staff admin" in response.content.decode()


def test_a_member_who_applied_sees_their_status_instead_of_the_button(client):
    member = MemberFactory()
    panel = PanelFactory(recruiting=True)
    PanelApplicationFactory(panel=panel, applicant=member, waitlisted=True)
    sign_in(client, member)
    response = client.get(f"/panels/{panel.slug}/")
    assert soup(response).select_one("a.nhsuk-button") is None
    assert "On the waiting list" in response.content.decode()
    assert f"/panels/{panel.slug}/your-application/" in response.content.decode()


def test_an_unknown_panel_is_not_found(client):
    assert client.get("/panels/no-such-panel/").status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_the_panel_page_costs_the_same_queries_for_3_or_30_offers(client_as, role):
    client = client_as(role)
    panel = PanelFactory(recruiting=True)
    panel.offers.add(*[OfferPageFactory() for _ in range(3)])
    few = queries(client, f"/panels/{panel.slug}/")
    panel.offers.add(*[OfferPageFactory() for _ in range(27)])
    assert queries(client, f"/panels/{panel.slug}/") == few


# --- Addresses kept for other pages -----------------------------------------------------------


@pytest.mark.parametrize("title", ["Meetings", "Calendar"])
def test_a_panel_saved_with_a_reserved_title_gets_an_address_people_can_reach(client, title):
    from coproduce.models import Panel

    panel = Panel(
        organisation=OrganisationFactory(),
        title=title,
        purpose="Plan the year's meetings together.",
        status=Panel.Status.RECRUITING,
        seats=6,
        who_is_sought="Anyone who has been to a panel meeting.",
        coproduction_level=CoproductionLevel.CO_DESIGN,
        hourly_rate=Decimal("15.00"),
    )
    panel.save()
    assert panel.slug == f"{title.lower()}-panel"
    response = client.get(panel.get_absolute_url())
    assert response.status_code == 200
    assert soup(response).select_one("h1").get_text(strip=True) == title


def test_a_panel_cannot_be_given_a_reserved_address_by_hand():
    from django.core.exceptions import ValidationError

    panel = PanelFactory.build(organisation=OrganisationFactory(), slug="meetings")
    with pytest.raises(ValidationError) as refused:
        panel.full_clean()
    assert "The address /panels/meetings/ belongs to another page" in str(refused.value)
