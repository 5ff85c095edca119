"""Administrators manage organisations and people's organisations in the Wagtail admin."""

import pytest

from cms.models import Organisation, User
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_admin_adds_an_organisation(client_as):
    client = client_as("admin")
    response = client.post(
        "/admin/organisations/new/",
        {"name": "Kirklees Mind", "kind": "vcse", "area": "Kirklees", "website": ""},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Kirklees Mind")
    assert organisation.slug == "kirklees-mind"
    assert organisation.get_kind_display().startswith("Voluntary")


def test_a_duplicate_organisation_name_is_refused_and_the_form_keeps_what_was_typed(client_as):
    OrganisationFactory(name="Kirklees Mind")
    client = client_as("admin")
    response = client.post(
        "/admin/organisations/new/",
        {"name": "Kirklees Mind", "kind": "vcse", "area": "Typed area", "website": ""},
    )
    assert response.status_code == 200
    assert Organisation.objects.filter(name="Kirklees Mind").count() == 1
    assert "Typed area" in response.content.decode()


def test_admin_exports_organisations_as_csv(client_as):
    OrganisationFactory(name="Alpha Trust", nhs_trust=True)
    client = client_as("admin")
    response = client.get("/admin/organisations/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "Alpha Trust" in body


@pytest.mark.parametrize("role", ["engagement_lead", "hr", "finance", "editor"])
def test_other_staff_cannot_add_organisations(client_as, role):
    client = client_as(role)
    response = client.post("/admin/organisations/new/", {"name": "Sneaky", "kind": "vcse"})
    assert response.status_code in (302, 403)
    assert not Organisation.objects.filter(name="Sneaky").exists()


def test_admin_sets_a_persons_organisation_and_partnership_wide_access(client_as, organisation):
    person = User.objects.create_user("lead@example.org", first_name="Chris", last_name="Evans")
    client = client_as("admin")
    form = client.get(f"/admin/users/edit/{person.pk}/")
    assert form.status_code == 200
    assert "Organisation" in form.content.decode()
    response = client.post(
        f"/admin/users/edit/{person.pk}/",
        {
            "email": "lead@example.org",
            "first_name": "Chris",
            "last_name": "Evans",
            "is_active": "on",
            "organisation": str(organisation.pk),
            "partnership_wide": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.organisation == organisation
    assert person.partnership_wide is True


def test_saving_a_persons_rendered_form_unchanged_changes_nothing(client_as, organisation):
    """The form as the page renders it, sent back as a browser would: nothing is reset."""
    from django.contrib.auth.models import Group

    from cms.roles import Role
    from tests.forms_as_sent import as_sent

    person = User.objects.create_user(
        "lead@example.org", first_name="Chris", last_name="Evans", password="x" * 20
    )
    person.organisation = organisation
    person.partnership_wide = True
    person.save()
    person.groups.add(Group.objects.get(name=Role.ENGAGEMENT_LEAD.value))
    client = client_as("admin")
    url = f"/admin/users/edit/{person.pk}/"
    response = client.post(url, as_sent(client.get(url).content.decode()))
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert (person.organisation, person.partnership_wide) == (organisation, True)
    assert [group.name for group in person.groups.all()] == [Role.ENGAGEMENT_LEAD.value]
    assert (person.email, person.first_name, person.is_active) == (
        "lead@example.org",
        "Chris",
        True,
    )
    assert person.check_password("x" * 20)
