"""My space gathers the panels a person's roles allow, with helpful empty states."""

import pytest
from bs4 import BeautifulSoup
from wagtail import hooks

from cms.myspace import MySpacePanel, panels_for
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db


SHELL_PANELS = ["Getting started", "Staff tools", "Your account"]


def panel_headings(response):
    """The shell's own panels, in order (apps add theirs, tested with each app)."""
    page = BeautifulSoup(response.content, "html.parser")
    headings = [h.get_text(strip=True) for h in page.select(".lep-panels h2")]
    return [heading for heading in headings if heading in SHELL_PANELS]


def test_a_new_member_sees_a_welcome_and_their_account(client_as):
    response = client_as("member").get("/my-space/")
    assert response.status_code == 200
    assert panel_headings(response) == ["Getting started", "Your account"]
    text = response.content.decode()
    assert "You choose how much you do" in text
    assert "Off (optional)" in text


def greeting(response) -> str:
    page = BeautifulSoup(response.content, "html.parser")
    return page.select_one("p.nhsuk-lede-text").get_text(" ", strip=True)


def test_a_newcomer_who_gave_no_name_is_welcomed_not_greeted_with_a_bare_hello(client_as):
    response = client_as("member", first_name="", last_name="")
    text = greeting(response.get("/my-space/"))
    assert text.startswith("Welcome. This is your own page")
    assert "Hello" not in text


def test_a_person_is_greeted_by_their_first_name(client_as):
    text = greeting(client_as("member", first_name="Alex").get("/my-space/"))
    assert text.startswith("Hello Alex. This is your own page")


def test_a_name_chosen_in_an_app_comes_before_the_first_name(client_as):
    def chosen(user):
        return "Lou" if user.first_name == "Louisa" else ""

    with hooks.register_temporarily("my_space_chosen_name", chosen):
        text = greeting(client_as("member", first_name="Louisa").get("/my-space/"))
    assert text.startswith("Hello Lou. This is your own page")


def test_staff_see_their_tools_and_organisation_not_the_welcome(client_as, organisation):
    response = client_as("engagement_lead").get("/my-space/")
    assert panel_headings(response) == ["Staff tools", "Your account"]
    text = response.content.decode()
    assert f"You work for {organisation.name}" in text
    assert "Two-step sign in" in text and ">On<" in text


def test_supervisors_have_no_admin_site_link(client_as):
    response = client_as("supervisor").get("/my-space/")
    assert panel_headings(response) == ["Your account"]
    assert "/admin/" not in response.content.decode()


def test_staff_without_an_organisation_are_told_what_to_do(client_as):
    response = client_as("hr", organisation=None).get("/my-space/")
    assert "Ask an administrator to set it" in response.content.decode()


def test_roles_are_named_on_the_page(client_as):
    response = client_as("peer_worker").get("/my-space/")
    assert "You are signed in as: Peer worker." in response.content.decode()


class _CountingPanel(MySpacePanel):
    name = "test_counting"
    heading = "Test panel"
    order = 50
    template_name = "cms/myspace/getting_started_panel.html"

    def is_shown(self, request):
        return request.user.email.startswith("shown")


def test_apps_add_panels_through_the_hook_and_each_decides_who_sees_it(rf):
    def add(request, panels):
        panels.append(_CountingPanel())

    with hooks.register_temporarily("construct_my_space_panels", add):
        request = rf.get("/my-space/")
        request.user = UserFactory(email="shown@example.org", roles=[])
        assert "test_counting" in [p.name for p in panels_for(request)]
        request.user = UserFactory(email="hidden@example.org", roles=[])
        assert "test_counting" not in [p.name for p in panels_for(request)]


@pytest.mark.parametrize("role", ["member", "engagement_lead", "finance", "hr", "admin"])
def test_my_space_issues_the_same_queries_with_3_or_30_organisations_and_people(
    role, client, make_person, django_assert_num_queries
):

    from tests.factories import OrganisationFactory

    person = make_person(role)
    sign_in(client, person)
    client.get("/my-space/")

    def count():
        return queries_for(client, "/my-space/")

    OrganisationFactory.create_batch(3)
    UserFactory.create_batch(3)
    few = count()
    OrganisationFactory.create_batch(27)
    UserFactory.create_batch(27)
    assert count() == few
    # The whole page, with every app's panels for this role: each app's own tests hold its
    # panels to a constant count; this catches a panel that forgets to, and holds the page
    # to issue 19's budget of 15 queries.
    assert few <= 15
