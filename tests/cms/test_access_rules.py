"""Access rules nobody can skip: the admin turns away people it is not for with a plain
page, staff without an authenticator hold no staff powers, and nobody grants themselves
sight of case records."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from cms.roles import Role
from peers.factories import SafeguardingConcernFactory, VacancyFactory
from tests.conftest import sign_in
from tests.factories import PanelFactory, PeerWorkerFactory, UserFactory

pytestmark = pytest.mark.django_db


def main_text(response) -> str:
    main = BeautifulSoup(response.content, "html.parser").find("main")
    assert main is not None, "The page has no <main> element."
    return " ".join(main.get_text(" ").split())


# --- The admin is for staff who work in it --------------------------------------------------


@pytest.mark.parametrize("role_name", ["member", "peer_worker", "supervisor"])
@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/admin/login/"])
def test_people_the_admin_is_not_for_get_a_plain_page_not_a_loop(
    client, make_person, role_name, path
):
    sign_in(client, make_person(role_name))
    response = client.get(path, follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 0
    page = main_text(response)
    assert "This part is for staff" in page
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("main").find("a", href=reverse("my_space")) is not None
    assert soup.find("link", rel="stylesheet") is not None  # the site's NHS styles


# --- Staff powers need the authenticator ----------------------------------------------------


@pytest.fixture
def draft_panel(organisation):
    return PanelFactory(organisation=organisation, title="Draft crisis café panel", draft=True)


@pytest.fixture
def draft_vacancy(organisation):
    return VacancyFactory(organisation=organisation, title="Draft peer mentor role", draft=True)


@pytest.mark.parametrize("mfa", [False, True])
def test_a_lead_sees_their_draft_panel_only_once_their_authenticator_is_set_up(
    client, make_person, draft_panel, mfa
):
    sign_in(client, make_person("engagement_lead", mfa=mfa))
    response = client.get(reverse("coproduce:panel_detail", args=[draft_panel.slug]))
    assert response.status_code == (200 if mfa else 404)
    listing = client.get(reverse("coproduce:panel_list"))
    assert listing.status_code == 200
    assert "Draft crisis café panel" not in main_text(listing)


@pytest.mark.parametrize("mfa", [False, True])
def test_hr_sees_their_draft_vacancy_only_once_their_authenticator_is_set_up(
    client, make_person, draft_vacancy, mfa
):
    sign_in(client, make_person("hr", mfa=mfa))
    response = client.get(reverse("peers:vacancy_detail", args=[draft_vacancy.slug]))
    assert response.status_code == (200 if mfa else 404)
    listing = client.get(reverse("peers:vacancy_list"))
    assert listing.status_code == 200
    assert "Draft peer mentor role" not in main_text(listing)


@pytest.mark.parametrize("role_name", ["engagement_lead", "hr", "editor", "admin"])
def test_staff_without_an_authenticator_are_still_sent_to_set_it_up(client, make_person, role_name):
    sign_in(client, make_person(role_name, mfa=False))
    response = client.get(reverse("my_space"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


# --- Nobody grants themselves sight of case records -----------------------------------------

SELF_GRANT_MESSAGE = "someone else must make this change"


@pytest.fixture
def admin_who_supervises(organisation):
    """An administrator who also holds the supervisor role (given by someone else)."""
    return UserFactory(
        organisation=organisation,
        roles=[Role.ADMIN, Role.SUPERVISOR],
        mfa=True,
        first_name="Ada",
        last_name="Admin",
    )


@pytest.fixture
def worker_with_concern(organisation):
    worker = PeerWorkerFactory(organisation=organisation, supervisors=[], user__first_name="Wren")
    concern = SafeguardingConcernFactory(session__worker=worker)
    return worker, concern


def worker_edit_form(worker, supervisors) -> dict:
    return {
        "organisation": worker.organisation_id,
        "team": worker.team_id or "",
        "level": worker.level_id,
        "job_title": worker.job_title,
        "employment_type": worker.employment_type,
        "start_date": worker.start_date.isoformat(),
        "contracted_hours": str(worker.contracted_hours or ""),
        "supervisors": [person.pk for person in supervisors],
        "supervision_every_days": str(worker.supervision_every_days),
        "status": worker.status,
        "left_on": "",
        "leaving_reason": "",
        "leaving_note": "",
    }


def test_an_admin_cannot_name_themselves_a_workers_supervisor(
    client, admin_who_supervises, worker_with_concern
):
    worker, concern = worker_with_concern
    mail.outbox.clear()
    sign_in(client, admin_who_supervises)
    response = client.post(
        f"/admin/peer-workers/edit/{worker.pk}/",
        worker_edit_form(worker, [admin_who_supervises]),
    )
    assert response.status_code == 200
    assert SELF_GRANT_MESSAGE in BeautifulSoup(response.content, "html.parser").get_text(" ")
    assert not worker.supervisors.exists()
    assert not mail.outbox
    assert client.get(reverse("peers:concern_detail", args=[concern.pk])).status_code in (
        403,
        404,
    )


def test_another_admin_names_them_supervisor_and_the_worker_is_told(
    client, make_person, admin_who_supervises, worker_with_concern
):
    worker, concern = worker_with_concern
    mail.outbox.clear()
    sign_in(client, make_person("admin"))
    response = client.post(
        f"/admin/peer-workers/edit/{worker.pk}/",
        worker_edit_form(worker, [admin_who_supervises]),
    )
    assert response.status_code == 302
    assert list(worker.supervisors.all()) == [admin_who_supervises]
    told = [message for message in mail.outbox if message.to == [worker.user.email]]
    assert len(told) == 1
    assert "Ada Admin" in told[0].body
    assert len(mail.outbox) == 1

    sign_in(client, admin_who_supervises)
    response = client.get(reverse("peers:concern_detail", args=[concern.pk]))
    assert response.status_code == 200


def test_an_admin_cannot_give_themselves_the_supervisor_role(client, make_person):
    admin = make_person("admin", first_name="Ada", last_name="Admin")
    sign_in(client, admin)
    response = client.post(
        f"/admin/users/edit/{admin.pk}/",
        {
            "email": admin.email,
            "first_name": "Ada",
            "last_name": "Admin",
            "organisation": str(admin.organisation_id),
            "groups": [str(Group.objects.get(name=Role.SUPERVISOR.value).pk)],
        },
    )
    assert response.status_code == 200
    assert SELF_GRANT_MESSAGE in BeautifulSoup(response.content, "html.parser").get_text(" ")
    assert not admin.groups.filter(name=Role.SUPERVISOR.value).exists()


def test_another_admin_may_give_someone_the_supervisor_role(client, make_person):
    person = make_person("hr", first_name="Hal", last_name="Harper")
    sign_in(client, make_person("admin"))
    response = client.post(
        f"/admin/users/edit/{person.pk}/",
        {
            "email": person.email,
            "first_name": "Hal",
            "last_name": "Harper",
            "is_active": "on",
            "organisation": str(person.organisation_id),
            "groups": [
                str(Group.objects.get(name=name).pk)
                for name in (Role.HR.value, Role.SUPERVISOR.value)
            ],
        },
    )
    assert response.status_code == 302
    assert person.groups.filter(name=Role.SUPERVISOR.value).exists()
