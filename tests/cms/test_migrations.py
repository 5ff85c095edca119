"""The data migrations create the roles and the home page, and can be reversed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cms.roles import ADMIN_SITE_ROLES, GROUP_ROLES


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest_migrations():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


# One walk down and back up the shell's migrations (each reversal of cms also reverses every
# app built on it, which is slow), checking each data migration forwards and backwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_shells_data_migrations_apply_and_reverse_cleanly():
    # Roles: created by 0003, removed again when it is reversed (Wagtail's Editors stay).
    apps = _migrate([("cms", "0002_pages")])
    remaining = set(apps.get_model("auth", "Group").objects.values_list("name", flat=True))
    assert "Peer workers" not in remaining
    assert "Editors" in remaining

    apps = _migrate([("cms", "0003_create_roles")])
    Group = apps.get_model("auth", "Group")
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.value for role in GROUP_ROLES} <= names
    for role in ADMIN_SITE_ROLES:
        group = Group.objects.get(name=role.value)
        assert group.permissions.filter(codename="access_admin").exists(), role

    # The home page replaces Wagtail's placeholder once.
    apps = _migrate([("cms", "0004_create_homepage")])
    HomePage = apps.get_model("cms", "HomePage")
    Site = apps.get_model("wagtailcore", "Site")
    assert HomePage.objects.count() == 1
    assert Site.objects.get(is_default_site=True).root_page_id == HomePage.objects.get().pk

    # The needs taxonomy starts with the wider determinants.
    apps = _migrate([("cms", "0006_seed_needs")])
    Need = apps.get_model("cms", "Need")
    wider = set(Need.objects.filter(wider_determinant=True).values_list("slug", flat=True))
    assert {"money-and-debt", "housing", "work", "loneliness"} <= wider

    # Editors may publish pages, and the grant reverses.
    apps = _migrate([("cms", "0008_editors_publish_pages")])
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    grants = GroupPagePermission.objects.filter(
        group__name="Editors", permission__codename="publish_page"
    )
    assert grants.filter(page__depth=1).exists()
    apps = _migrate([("cms", "0007_offer_oruk_id")])
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    assert not GroupPagePermission.objects.filter(
        group__name="Editors", permission__codename="publish_page", page__depth=1
    ).exists()

    apps = _migrate([("cms", "0005_offers_directory")])
    assert not apps.get_model("cms", "Need").objects.exists()
