"""The data migration that sets up "You said, we did": it makes the index under the home
page, lets engagement leads add and edit pages there (never publish), sends the pages
there through panel sign-off, and reverses cleanly."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("coproduce", "0006_service_change_notices")]
AFTER = [("coproduce", "0007_changes_index_and_lead_access")]


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


def _grants(apps, index_id) -> set[str]:
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    return set(
        GroupPagePermission.objects.filter(
            group__name="Engagement leads", page_id=index_id
        ).values_list("permission__codename", flat=True)
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_index_is_made_under_the_home_page_with_leads_access_and_sign_off():
    apps = _migrate(BEFORE)
    assert not apps.get_model("coproduce", "ServiceChangeIndexPage").objects.exists()

    apps = _migrate(AFTER)
    Index = apps.get_model("coproduce", "ServiceChangeIndexPage")
    HomePage = apps.get_model("cms", "HomePage")
    index = Index.objects.get()
    home = HomePage.objects.get()
    assert index.live and index.slug == "you-said-we-did"
    assert index.depth == home.depth + 1 and index.path.startswith(home.path)
    assert index.url_path == "/home/you-said-we-did/"
    assert _grants(apps, index.pk) == {"add_page", "change_page"}
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    assert WorkflowPage.objects.get(page_id=index.pk).workflow.name == "Service change sign-off"

    apps = _migrate(BEFORE)
    assert not apps.get_model("coproduce", "ServiceChangeIndexPage").objects.exists()
    assert not _grants(apps, index.pk)
    assert apps.get_model("cms", "HomePage").objects.get().numchild == home.numchild - 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_index_is_a_proper_page_in_the_tree():
    from wagtail.models import Page

    from coproduce.models import ServiceChangeIndexPage
    from tests.factories import ServiceChangePageFactory

    index = ServiceChangeIndexPage.objects.get()
    assert Page.find_problems() == ([], [], [], [], [])
    assert index.get_parent().specific_class.__name__ == "HomePage"
    ServiceChangePageFactory(title="A change")
    assert Page.find_problems() == ([], [], [], [], [])
