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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_role_groups_migration_creates_each_role_and_reverses_cleanly():
    apps = _migrate([("cms", "0003_create_roles")])
    Group = apps.get_model("auth", "Group")
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.value for role in GROUP_ROLES} <= names
    for role in ADMIN_SITE_ROLES:
        group = Group.objects.get(name=role.value)
        assert group.permissions.filter(codename="access_admin").exists(), role

    apps = _migrate([("cms", "0002_pages")])
    Group = apps.get_model("auth", "Group")
    remaining = set(Group.objects.values_list("name", flat=True))
    assert "Peer workers" not in remaining
    assert "Editors" in remaining  # Wagtail's own group stays


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_homepage_migration_replaces_wagtails_placeholder_once():
    apps = _migrate([("cms", "0004_create_homepage")])
    HomePage = apps.get_model("cms", "HomePage")
    Site = apps.get_model("wagtailcore", "Site")
    assert HomePage.objects.count() == 1
    assert Site.objects.get(is_default_site=True).root_page_id == HomePage.objects.get().pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_needs_migration_seeds_the_wider_determinants_and_reverses():
    apps = _migrate([("cms", "0006_seed_needs")])
    Need = apps.get_model("cms", "Need")
    wider = set(Need.objects.filter(wider_determinant=True).values_list("slug", flat=True))
    assert {"money-and-debt", "housing", "work", "loneliness"} <= wider
    apps = _migrate([("cms", "0005_offers_directory")])
    assert not apps.get_model("cms", "Need").objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_editors_may_publish_pages_and_the_grant_reverses():
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
