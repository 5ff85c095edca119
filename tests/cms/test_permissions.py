"""The permission module answers "may this person do X" the same way for every role."""

import pytest
from django.core.exceptions import PermissionDenied

from cms import permissions
from cms.models import Organisation
from cms.roles import Role

pytestmark = pytest.mark.django_db

# role name -> (roles held, staff?, may use the Wagtail admin?, may edit pages?, is admin?)
EXPECTED = {
    "member": ({Role.MEMBER}, False, False, False, False),
    "peer_worker": ({Role.PEER_WORKER}, False, False, False, False),
    "supervisor": ({Role.SUPERVISOR}, True, False, False, False),
    "engagement_lead": ({Role.ENGAGEMENT_LEAD}, True, True, False, False),
    "hr": ({Role.HR}, True, True, False, False),
    "finance": ({Role.FINANCE}, True, True, False, False),
    "editor": ({Role.EDITOR}, True, True, True, False),
    "admin": ({Role.ADMIN}, True, True, True, True),
}


@pytest.mark.parametrize("role_name", list(EXPECTED))
def test_each_role_gets_exactly_its_own_powers(role_name, make_person):
    person = make_person(role_name)
    roles, staff, admin_site, pages, admin = EXPECTED[role_name]
    assert permissions.roles_of(person) == roles
    assert permissions.is_staff_member(person) is staff
    assert permissions.requires_mfa(person) is staff
    assert permissions.can(person, "cms.use_admin_site") is admin_site
    assert permissions.can(person, "cms.edit_pages") is pages
    assert permissions.can(person, "cms.view_audit_log") is admin
    assert permissions.can(person, "cms.view_worker_status") is admin
    assert permissions.can(person, "cms.view_my_space") is True


def test_anonymous_visitors_hold_no_role_and_may_do_nothing(rf):
    from django.contrib.auth.models import AnonymousUser

    visitor = AnonymousUser()
    assert permissions.roles_of(visitor) == frozenset()
    for rule in permissions.registered_rules():
        assert permissions.can(visitor, rule) is False, rule


def test_a_deactivated_account_holds_no_role(make_person):
    person = make_person("editor")
    person.is_active = False
    assert permissions.roles_of(person) == frozenset()


def test_a_person_can_hold_several_roles(make_person):
    from django.contrib.auth.models import Group

    person = make_person("peer_worker")
    person.groups.add(Group.objects.get(name=Role.SUPERVISOR.value))
    person.__dict__.pop("role_names", None)
    assert permissions.roles_of(person) == {Role.PEER_WORKER, Role.SUPERVISOR}
    assert permissions.requires_mfa(person)


def test_staff_see_only_their_own_organisations_records(
    make_person, organisation, other_organisation
):
    lead = make_person("engagement_lead", organisation=organisation)
    assert permissions.can(lead, "cms.view_organisation_records", organisation)
    assert not permissions.can(lead, "cms.view_organisation_records", other_organisation)


def test_scope_to_organisation_narrows_querysets(make_person, organisation, other_organisation):
    from cms.models import User

    lead = make_person("engagement_lead", organisation=organisation)
    colleague = make_person("hr", organisation=organisation)
    stranger = make_person("hr", organisation=other_organisation)
    visible = permissions.scope_to_organisation(lead, User.objects.filter(is_superuser=False))
    assert colleague in visible and lead in visible
    assert stranger not in visible


def test_partnership_wide_staff_and_admins_see_every_organisation(
    make_person, organisation, other_organisation
):
    wide = make_person("hr", organisation=organisation, partnership_wide=True)
    admin = make_person("admin")
    for person in (wide, admin):
        assert permissions.can(person, "cms.view_organisation_records", other_organisation)


def test_staff_with_no_organisation_see_no_organisations_records(make_person, organisation):
    from cms.models import User

    lead = make_person("engagement_lead", organisation=None)
    assert not permissions.can(lead, "cms.view_organisation_records", organisation)
    assert not permissions.scope_to_organisation(lead, User.objects.all()).exists()


def test_members_never_see_organisation_records_even_their_own(make_person, organisation):
    member = make_person("member", organisation=organisation)
    assert not permissions.can(member, "cms.view_organisation_records", organisation)


def test_an_unknown_rule_is_an_error_not_a_yes(make_person):
    with pytest.raises(KeyError):
        permissions.can(make_person("admin"), "cms.no_such_rule")


def test_require_raises_permission_denied(make_person):
    with pytest.raises(PermissionDenied):
        permissions.require(make_person("member"), "cms.use_admin_site")


def test_a_rule_cannot_be_registered_twice_under_one_name():
    with pytest.raises(ValueError):
        permissions.register("cms.edit_pages")(lambda user, obj=None: True)


def test_visible_to_shows_nothing_for_a_model_with_no_rule(make_person):
    from cms.models import OutboundEmail

    OutboundEmail.objects.create(message={"subject": "x"})
    assert not permissions.visible_to(make_person("admin"), OutboundEmail).exists()


def test_organisations_are_public_facts(organisation):
    assert organisation in permissions.visible_to(None, Organisation)


def test_only_admins_and_partnership_wide_staff_see_the_whole_partnership(
    make_person, organisation
):
    from django.contrib.auth.models import AnonymousUser

    assert permissions.sees_whole_partnership(make_person("admin")) is True
    wide = make_person("hr", organisation=organisation, partnership_wide=True)
    assert permissions.sees_whole_partnership(wide) is True
    for role in ("engagement_lead", "hr", "finance", "member"):
        assert not permissions.sees_whole_partnership(make_person(role, organisation=organisation))
    assert not permissions.sees_whole_partnership(AnonymousUser())
    former_admin = make_person("admin")
    former_admin.is_active = False
    assert not permissions.sees_whole_partnership(former_admin)
