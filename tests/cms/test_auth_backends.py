"""Reading a signed-in person in fewer queries (cms/auth_backends.py) gives the same answers
as Django's ModelBackend and Wagtail's own reads: a group's permission is held, a missing one
is not, inactive people hold none, superusers hold every one, each role's page, collection and
site permissions are what Wagtail would read; and every admin page costs fewer queries."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permission_policies.sites import SitePermissionPolicy
from wagtail.permissions import policy_registry
from wagtail.users.models import UserProfile

from cms import auth_backends
from cms.auth_backends import PermissionsBackend
from cms.factories import UserFactory, grant_roles
from cms.models import User
from cms.roles import Role
from tests.conftest import sign_in
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

DJANGO_BACKEND = "django.contrib.auth.backends.ModelBackend"
ALLAUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def _fresh(person) -> User:
    """The person as the next request reads them: nothing cached on them yet."""
    return User.objects.get(pk=person.pk)


@pytest.fixture
def permission():
    return Permission.objects.get(content_type__app_label="charter", codename="change_measure")


@pytest.fixture
def person_in_a_group(make_person, permission):
    person = make_person("member")
    group = Group.objects.create(name="Measure keepers")
    group.permissions.add(permission)
    person.groups.add(group)
    return _fresh(person)


def test_a_person_holds_the_permissions_of_their_group(person_in_a_group):
    assert person_in_a_group.has_perm("charter.change_measure")
    assert "charter.change_measure" in PermissionsBackend().get_all_permissions(person_in_a_group)


def test_a_person_holds_their_own_permissions_and_their_groups_as_django_says(
    person_in_a_group,
):
    own = Permission.objects.get(content_type__app_label="charter", codename="view_reading")
    person_in_a_group.user_permissions.add(own)
    ours = PermissionsBackend().get_all_permissions(_fresh(person_in_a_group))
    assert ours == ModelBackend().get_all_permissions(_fresh(person_in_a_group))
    assert {"charter.change_measure", "charter.view_reading"} <= ours


def test_a_person_without_a_permission_does_not_hold_it(make_person, person_in_a_group):
    assert not person_in_a_group.has_perm("charter.delete_measure")
    someone_else = _fresh(make_person("member"))
    assert not someone_else.has_perm("charter.change_measure")
    assert PermissionsBackend().get_all_permissions(someone_else) == set()


def test_an_inactive_person_holds_no_permission_and_is_not_signed_in(person_in_a_group):
    person_in_a_group.is_active = False
    person_in_a_group.save()
    inactive = _fresh(person_in_a_group)
    assert not inactive.has_perm("charter.change_measure")
    assert PermissionsBackend().get_all_permissions(inactive) == set()
    assert PermissionsBackend().get_user(inactive.pk) is None


def test_a_superuser_holds_every_permission(make_person):
    admin = _fresh(make_person("admin"))
    assert admin.has_perm("charter.change_measure") and admin.has_perm("wagtailcore.add_page")
    every = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert PermissionsBackend().get_all_permissions(admin) == every


def test_no_permission_is_held_for_a_particular_record(person_in_a_group, permission):
    """Like Django's ModelBackend: permissions are on models, never on one record."""
    assert PermissionsBackend().get_all_permissions(person_in_a_group, obj=permission) == set()


def test_a_persons_own_and_group_permissions_are_read_in_one_query(person_in_a_group):
    with CaptureQueriesContext(connection) as queries:
        assert person_in_a_group.has_perm("charter.change_measure")
        assert not person_in_a_group.has_perm("charter.delete_measure")
    assert len(queries) == 1


def test_the_person_is_read_with_their_wagtail_profile(make_person):
    with_profile = make_person("hr")
    UserProfile.objects.create(user=with_profile, preferred_language="en")
    without_profile = make_person("hr")
    with CaptureQueriesContext(connection) as queries:
        read = PermissionsBackend().get_user(with_profile.pk)
        assert read.wagtail_userprofile.preferred_language == "en"
        assert not hasattr(PermissionsBackend().get_user(without_profile.pk), "wagtail_userprofile")
    assert len(queries) == 2


def _site_settings_policy() -> SitePermissionPolicy:
    site_setting = next(model for model in settings_registry if issubclass(model, BaseSiteSetting))
    return SitePermissionPolicy(site_setting)


def _wagtail_policies() -> list:
    """Wagtail's policies that read a person's groups' page, collection and site rows."""
    return [
        PagePermissionPolicy(),
        policy_registry.get_by_type(get_document_model()),
        policy_registry.get_by_type(get_image_model()),
        _site_settings_policy(),
    ]


@pytest.mark.parametrize(
    "roles",
    [
        [Role.MEMBER],
        [Role.PEER_WORKER],
        [Role.SUPERVISOR],
        [Role.ENGAGEMENT_LEAD],
        [Role.HR],
        [Role.FINANCE],
        [Role.EDITOR],
        [Role.ADMIN],
        [Role.HR, Role.ENGAGEMENT_LEAD],
    ],
)
def test_wagtail_goes_by_the_page_collection_and_site_permissions_it_would_have_read(roles):
    """With page and collection permissions or without, what Wagtail's policies go by once
    our roles are read is what they read themselves."""
    person = UserFactory(roles=roles)
    ours, wagtails = _fresh(person), _fresh(person)
    assert ours.role_names == {role.value for role in roles if role is not Role.ADMIN}
    for policy in _wagtail_policies():
        read_by_wagtail = set(policy.get_all_permissions_for_user(wagtails))
        assert set(policy.get_cached_permissions_for_user(ours)) == read_by_wagtail
        assert policy.user_has_any_permission(
            ours, {"add", "change", "publish"}
        ) == policy.user_has_any_permission(_fresh(person), {"add", "change", "publish"})


def test_wagtail_asks_nothing_of_hrs_groups_pages_and_sites(make_person):
    """HR's groups hold no page or site permission: Wagtail is told so with their roles."""
    hr = _fresh(make_person("hr"))
    assert Role.HR.value in hr.role_names
    with CaptureQueriesContext(connection) as queries:
        assert not PagePermissionPolicy().user_has_any_permission(hr, {"add", "change"})
        assert not list(_site_settings_policy().get_cached_permissions_for_user(hr))
    assert len(queries) == 0


def test_a_role_given_during_the_request_shows_in_wagtail(make_person):
    member = _fresh(make_person("member"))
    assert not PagePermissionPolicy().user_has_any_permission(member, {"change"})
    grant_roles(member, [Role.EDITOR])
    assert Role.EDITOR.value in member.role_names
    assert PagePermissionPolicy().user_has_any_permission(member, {"change"})
    assert member.has_perm("wagtailadmin.access_admin")


def _admin_home_queries(client, person) -> int:
    sign_in(client, person)
    client.get("/admin/")  # the session's first-visit work
    return queries_for(client, "/admin/")


def test_the_admin_home_costs_fewer_queries_than_with_djangos_backend_alone(
    client, make_person, settings, monkeypatch
):
    """HR's shell: the profile comes with the person, their own and their groups'
    permissions in one query, and Wagtail does not read their groups' page or site rows."""
    hr = make_person("hr")
    ours = _admin_home_queries(client, hr)
    settings.AUTHENTICATION_BACKENDS = [DJANGO_BACKEND, ALLAUTH_BACKEND]
    monkeypatch.setattr(auth_backends, "WAGTAIL_GROUP_PERMISSIONS", {})
    client.logout()
    before = _admin_home_queries(client, _fresh(hr))
    assert ours <= before - 4


def test_a_session_signed_in_under_djangos_backend_stays_signed_in(client, make_person):
    """Sessions made before this backend name Django's; they are not signed out by it."""
    person = make_person("hr")
    client.force_login(person, backend=DJANGO_BACKEND)
    assert client.session["_auth_user_backend"] == DJANGO_BACKEND
    response = client.get("/my-space/")
    assert response.status_code == 200
    assert response.wsgi_request.user == person
    assert client.session["_auth_user_backend"] == "cms.auth_backends.PermissionsBackend"
    # A session naming a backend that was never ours is still signed out, as Django does.
    client.force_login(person, backend=DJANGO_BACKEND)
    session = client.session
    session["_auth_user_backend"] = "somewhere.else.Backend"
    session.save()
    assert client.get("/my-space/").wsgi_request.user.is_anonymous


def test_a_visitor_without_a_session_costs_no_query_for_the_former_backend(rf):
    request = rf.get("/")
    request.session = SessionStore()
    middleware = auth_backends.FormerBackendSessionMiddleware(lambda request: "answered")
    with CaptureQueriesContext(connection) as queries:
        assert middleware(request) == "answered"
    assert len(queries) == 0
    assert not request.session.modified
