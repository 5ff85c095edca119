"""Writing a service change in Wagtail's page editor: where it can go, the checks on its
timeline (a change cannot be done in the future), the co-production level taken from the
panel, and the panels a person is offered."""

import pytest
import time_machine
from bs4 import BeautifulSoup
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from cms.models import HomePage
from coproduce.choices import CoproductionLevel
from coproduce.models import ServiceChangeIndexPage, ServiceChangePage
from tests.conftest import sign_in
from tests.coproduce.test_sign_off import add_url, change_form
from tests.factories import OrganisationFactory, PanelFactory, service_changes_index

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel("2026-12-01 10:00 +00:00", tick=False):
        yield


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text(response) -> str:
    return soup(response).get_text(" ", strip=True)


def timeline(*steps) -> dict:
    return nested_form_data(
        {
            "updates": inline_formset(
                [{"date": day, "status": status, "note": ""} for day, status in steps], min=1
            )
        }
    )


@pytest.fixture
def editor(client, make_person):
    person = make_person("editor")
    sign_in(client, person)
    return person


def test_editors_can_put_the_index_under_the_home_page_and_changes_under_it():
    assert ServiceChangeIndexPage in HomePage.allowed_subpage_models()
    assert ServiceChangeIndexPage.allowed_parent_page_models() == [HomePage]
    assert ServiceChangePage.allowed_parent_page_models() == [ServiceChangeIndexPage]
    # There is one index, made when the site was set up; a second cannot be added.
    assert not ServiceChangeIndexPage.can_create_at(HomePage.objects.get())
    assert service_changes_index().live


@pytest.mark.parametrize(
    ("status", "steps", "message"),
    [
        (
            "in_progress",
            [("2026-11-01", "planned"), ("2026-12-02", "done")],
            "The date a change was done must be today or in the past",
        ),
        (
            "done",
            [("2026-11-01", "done"), ("2027-01-10", "planned")],
            "This change is done, so the dates in its timeline must be today or in the past",
        ),
        (
            "done",
            [("2026-11-01", "planned"), ("2026-11-20", "in_progress")],
            "Add a step to the timeline with the date the change was done",
        ),
    ],
)
def test_a_timeline_cannot_say_a_change_is_done_in_the_future(
    client, editor, status, steps, message
):
    data = change_form(status=status, **{"action-publish": "Publish"})
    data.update(timeline(*steps))
    response = client.post(add_url(), data)
    assert response.status_code == 200
    assert message in text(response)
    assert not ServiceChangePage.objects.exists()
    # What was typed is still there to correct.
    page = soup(response)
    assert page.find("input", attrs={"name": "title"})["value"] == "Evening opening at the café"
    assert page.find("input", attrs={"name": "updates-1-date"})["value"] == steps[1][0]


def test_a_change_done_today_with_a_plan_for_the_future_is_fine_while_in_progress(client, editor):
    data = change_form(status="in_progress", **{"action-publish": "Publish"})
    data.update(timeline(("2026-12-01", "in_progress"), ("2027-03-01", "planned")))
    assert client.post(add_url(), data).status_code == 302
    assert ServiceChangePage.objects.get().live


def test_a_change_done_today_is_fine(client, editor):
    data = change_form(status="done", **{"action-publish": "Publish"})
    data.update(timeline(("2026-10-01", "planned"), ("2026-12-01", "done")))
    assert client.post(add_url(), data).status_code == 302


def test_the_co_production_level_defaults_to_the_panels(client, make_person, organisation):
    lead = make_person("engagement_lead")
    panel = PanelFactory(
        organisation=organisation, coproduction_level=CoproductionLevel.CO_PRODUCTION
    )
    sign_in(client, lead)
    assert client.post(add_url(), change_form(panel=panel)).status_code == 302
    draft = ServiceChangePage.objects.get().get_latest_revision_as_object()
    assert draft.coproduction_level == CoproductionLevel.CO_PRODUCTION


def test_a_level_given_is_kept(client, make_person, organisation):
    lead = make_person("engagement_lead")
    panel = PanelFactory(organisation=organisation, coproduction_level=CoproductionLevel.CO_DESIGN)
    sign_in(client, lead)
    client.post(add_url(), change_form(panel=panel, coproduction_level="5"))
    draft = ServiceChangePage.objects.get().get_latest_revision_as_object()
    assert draft.coproduction_level == CoproductionLevel.ENGAGEMENT


def test_a_lead_is_offered_public_panels_and_their_own_drafts_only(
    client, make_person, organisation, other_organisation
):
    lead = make_person("engagement_lead")
    PanelFactory(organisation=organisation, draft=True, title="Our draft panel")
    PanelFactory(organisation=other_organisation, draft=True, title="Their draft panel")
    PanelFactory(organisation=OrganisationFactory(), recruiting=True, title="A public panel")
    sign_in(client, lead)
    select = soup(client.get(add_url())).find("select", attrs={"name": "panel"})
    offered = {option.get_text(strip=True) for option in select.find_all("option")}
    assert {"Our draft panel", "A public panel"} <= offered
    assert "Their draft panel" not in offered


def test_a_lead_cannot_choose_a_panel_they_were_not_offered(
    client, make_person, other_organisation
):
    hidden = PanelFactory(organisation=other_organisation, draft=True)
    sign_in(client, make_person("engagement_lead"))
    response = client.post(add_url(), change_form(panel=hidden))
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not ServiceChangePage.objects.exists()
