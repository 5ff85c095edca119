"""An organisation's on-call (duty) number: administrators add it in the admin with a few
words on when to use it; it must be a UK phone number, and nothing typed is lost when it
is not."""

import pytest
from bs4 import BeautifulSoup

from cms.models import Organisation
from cms.models.organisations import tel_link
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

WHEN = "Evenings, weekends and bank holidays: ask for the duty manager"


def edit(client, organisation, **typed):
    data = {
        "name": organisation.name,
        "kind": organisation.kind,
        "area": organisation.area,
        "website": organisation.website,
        "on_call_phone": "",
        "on_call_when": "",
        **typed,
    }
    return client.post(f"/admin/organisations/edit/{organisation.pk}/", data)


def errors(response) -> str:
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(" ".join(e.get_text(" ").split()) for e in soup.select(".error-message"))


def test_admin_adds_an_on_call_number_and_when_to_use_it(client_as):
    client = client_as("admin")
    response = client.post(
        "/admin/organisations/new/",
        {
            "name": "Kirklees Mind",
            "kind": "vcse",
            "area": "Kirklees",
            "website": "",
            "on_call_phone": "0113 496 0000",
            "on_call_when": WHEN,
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Kirklees Mind")
    assert organisation.on_call_phone == "0113 496 0000"  # as typed
    assert organisation.on_call_when == WHEN
    assert organisation.on_call_tel == "tel:01134960000"


def test_the_edit_form_offers_the_on_call_fields(client_as, organisation):
    client = client_as("admin")
    page = client.get(f"/admin/organisations/edit/{organisation.pk}/").content.decode()
    assert 'name="on_call_phone"' in page
    assert "On-call phone number" in page
    assert 'name="on_call_when"' in page
    assert "When to use it" in page


@pytest.mark.parametrize(
    "number", ["0113 496 0000", "07700 900123", "+44 7700 900 123", "(0161) 496 0000"]
)
def test_uk_phone_numbers_are_accepted(client_as, organisation, number):
    response = edit(client_as("admin"), organisation, on_call_phone=number)
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.on_call_phone == number


@pytest.mark.parametrize(
    "number", ["999", "ring the office", "0113 496 0000 or 0113 496 0001", "+1 212 555 0100"]
)
def test_a_number_that_is_not_a_uk_phone_number_is_refused_and_kept(
    client_as, organisation, number
):
    response = edit(client_as("admin"), organisation, on_call_phone=number, on_call_when=WHEN)
    assert response.status_code == 200
    assert "Enter a UK phone number, like 0113 496 0000 or 07700 900 123" in errors(response)
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("#id_on_call_phone")["value"] == number
    assert page.select_one("#id_on_call_when")["value"] == WHEN
    organisation.refresh_from_db()
    assert organisation.on_call_phone == ""
    assert organisation.on_call_when == ""


def test_when_to_use_it_without_a_number_is_refused(client_as, organisation):
    response = edit(client_as("admin"), organisation, on_call_when=WHEN)
    assert response.status_code == 200
    assert "Enter the on-call phone number, or leave ‘When to use it’ empty" in errors(response)
    organisation.refresh_from_db()
    assert organisation.on_call_when == ""


def test_the_on_call_number_can_be_taken_away(client_as):
    organisation = OrganisationFactory(on_call_phone="0113 496 0000", on_call_when=WHEN)
    response = edit(client_as("admin"), organisation)
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.on_call_phone, organisation.on_call_when) == ("", "")
    assert organisation.on_call_tel == ""


@pytest.mark.parametrize("role", ["peer_worker", "supervisor", "engagement_lead", "hr", "editor"])
def test_only_administrators_change_the_on_call_number(client_as, organisation, role):
    response = edit(client_as(role), organisation, on_call_phone="0113 496 0000")
    assert response.status_code in (302, 403)
    organisation.refresh_from_db()
    assert organisation.on_call_phone == ""


def test_the_organisations_export_has_the_on_call_number(client_as):
    OrganisationFactory(name="Alpha Trust", on_call_phone="0113 496 0000", on_call_when=WHEN)
    response = client_as("admin").get("/admin/organisations/?export=csv")
    body = b"".join(response.streaming_content).decode()
    assert "0113 496 0000" in body
    assert WHEN in body


@pytest.mark.parametrize(
    ("number", "link"),
    [
        ("0113 496 0000", "tel:01134960000"),
        ("0113-496-0000", "tel:01134960000"),
        ("(0161) 496 0000", "tel:01614960000"),
        ("+44 (0)113 496 0000", "tel:+441134960000"),
        ("+44 7700 900123", "tel:+447700900123"),
    ],
)
def test_a_number_as_typed_becomes_a_phone_link(number, link):
    assert tel_link(number) == link
