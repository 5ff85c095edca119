"""The charter's admin reads as finished (issue 21): HR never number measures by hand, the
charters list says "Published" or "Draft", and HR's admin home shows their charters and what
is waiting on them instead of an empty page."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from charter.models import CharterAction, Measure
from tests.conftest import sign_in
from tests.factories import (
    CharterActionFactory,
    CharterFactory,
    CommitmentFactory,
    MeasureFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def charter(organisation):
    return CharterFactory(organisation=organisation, title="Our charter", published=True)


def page_text(response) -> str:
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(soup.get_text(" ").split())


MEASURE_FORM = {
    "name": "Peer workers in post",
    "description": "",
    "unit": "count",
    "better": "higher",
    "frequency": "quarterly",
    "source": "entered",
    "calculation": "",
    "baseline": "",
}


# --- Measures --------------------------------------------------------------------------------


def test_the_measure_form_asks_for_no_sort_order(hr_client):
    assert "Sort order" not in page_text(hr_client.get("/admin/charter-measures/new/"))


def test_a_new_measure_goes_after_its_commitments_others(hr_client, charter):
    commitment = CommitmentFactory(charter=charter, number=1)
    MeasureFactory(commitment=commitment, name="First", sort_order=0)
    MeasureFactory(commitment=commitment, name="Second", sort_order=4)
    response = hr_client.post(
        "/admin/charter-measures/new/", {**MEASURE_FORM, "commitment": commitment.pk}
    )
    assert response.status_code == 302
    names = list(commitment.measures.values_list("name", flat=True))
    assert names == ["First", "Second", "Peer workers in post"]


def test_the_first_measure_of_a_commitment_needs_no_number(hr_client, charter):
    commitment = CommitmentFactory(charter=charter, number=1)
    response = hr_client.post(
        "/admin/charter-measures/new/", {**MEASURE_FORM, "commitment": commitment.pk}
    )
    assert response.status_code == 302
    assert Measure.objects.get(commitment=commitment).sort_order == 0


def test_a_measure_with_bad_input_is_refused_without_a_sort_order_error(hr_client, charter):
    commitment = CommitmentFactory(charter=charter, number=1)
    response = hr_client.post(
        "/admin/charter-measures/new/", {**MEASURE_FORM, "commitment": commitment.pk, "name": ""}
    )
    assert response.status_code == 200
    assert "Sort order" not in page_text(response)
    assert not Measure.objects.exists()


def test_editing_a_measure_keeps_its_place(hr_client, charter):
    commitment = CommitmentFactory(charter=charter, number=1)
    measure = MeasureFactory(commitment=commitment, sort_order=3)
    MeasureFactory(commitment=commitment, sort_order=7)
    response = hr_client.post(
        f"/admin/charter-measures/edit/{measure.pk}/",
        {**MEASURE_FORM, "commitment": commitment.pk, "name": "Renamed"},
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.name, measure.sort_order) == ("Renamed", 3)


# --- The charters list -----------------------------------------------------------------------


def test_the_charters_list_says_published_or_draft_in_words(hr_client, organisation):
    CharterFactory(organisation=organisation, title="This year", published=True)
    CharterFactory(organisation=organisation, title="Next year", version=2, published=False)
    text = page_text(hr_client.get("/admin/charters/"))
    assert "Published" in text and "Draft" in text
    assert "True" not in text and "False" not in text


# --- HR's admin home -------------------------------------------------------------------------


def test_hrs_admin_home_shows_their_charter_and_what_is_waiting(hr_client, charter):
    today = timezone.localdate()
    CharterActionFactory(charter=charter, overdue=True)
    CharterActionFactory(charter=charter)
    CharterActionFactory(charter=charter, status=CharterAction.Status.DONE)
    ReviewFactory(charter=charter, due_on=today - timedelta(days=3))
    text = page_text(hr_client.get("/admin/"))
    assert "Your charters" in text
    assert "Our charter" in text
    assert "2 actions not done yet" in text and "1 past its due date" in text
    assert "Next review due" in text and "overdue" in text


def test_hrs_admin_home_shows_only_their_own_organisations_charters(
    hr_client, charter, other_organisation
):
    CharterFactory(organisation=other_organisation, title="Someone else's charter")
    text = page_text(hr_client.get("/admin/"))
    assert "Our charter" in text
    assert "Someone else's charter" not in text


def test_hr_without_a_charter_is_offered_the_template(hr_client):
    text = page_text(hr_client.get("/admin/"))
    assert "You do not keep a charter yet. Start one from the template" in text


@pytest.mark.parametrize("role", ["engagement_lead", "finance", "editor"])
def test_people_who_do_not_keep_charters_see_no_charter_panel(client, make_person, role, charter):
    sign_in(client, make_person(role))
    assert "Your charters" not in page_text(client.get("/admin/"))


def test_the_admin_home_has_no_empty_upgrade_banner(client, make_person):
    sign_in(client, make_person("admin"))
    assert "Wagtail upgrade available" not in page_text(client.get("/admin/"))
