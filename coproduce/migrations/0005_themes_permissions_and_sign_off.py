"""Seed the feedback themes, let editors keep them and leads moderate feedback, and make
the "Service change sign-off" workflow with its panel sign-off task."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

THEMES = [
    ("Waiting times", "How long people waited to be seen or to hear back."),
    ("Being listened to", "Whether people felt heard and believed."),
    ("Information and letters", "How clear the information, letters and calls were."),
    ("Kindness and respect", "How staff treated people."),
    ("Access and accessibility", "Interpreters, easy read, step-free access, quiet spaces."),
    ("Getting there and opening hours", "Travel, location and when the service is open."),
    ("Crisis support", "Help when things were at their worst."),
    ("Family and carers", "How families and carers were involved."),
    ("Money, housing and work", "Help with the wider things that affect mental health."),
    ("Peer support", "Support from people with lived experience."),
    ("Moving between services", "Referrals, transfers and being passed on."),
]
EDITOR_PERMISSIONS = ["add_theme", "change_theme", "delete_theme", "view_theme"]
LEAD_PERMISSIONS = ["view_feedback", "change_feedback", "view_theme"]
WORKFLOW_NAME = "Service change sign-off"
TASK_NAME = "Panel sign-off"


def _ensure_permissions(apps):
    app_config = apps.get_app_config("coproduce")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None


def forwards(apps, schema_editor):
    _ensure_permissions(apps)
    Theme = apps.get_model("coproduce", "Theme")
    for order, (name, description) in enumerate(THEMES):
        slug = name.lower().replace(",", "").replace(" ", "-")
        Theme.objects.get_or_create(
            name=name, defaults={"slug": slug, "description": description, "sort_order": order}
        )

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in (
        ("Editors", EDITOR_PERMISSIONS),
        ("Engagement leads", LEAD_PERMISSIONS),
    ):
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="coproduce", codename__in=codenames
                )
            )

    ContentType = apps.get_model("contenttypes", "ContentType")
    PanelSignOffTask = apps.get_model("coproduce", "PanelSignOffTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    task_type, _ = ContentType.objects.get_or_create(
        app_label="coproduce", model="panelsignofftask"
    )
    task = PanelSignOffTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = PanelSignOffTask.objects.create(name=TASK_NAME, active=True, content_type=task_type)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task_id=task.pk, defaults={"sort_order": 0}
    )


def backwards(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    PanelSignOffTask = apps.get_model("coproduce", "PanelSignOffTask")
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    PanelSignOffTask.objects.filter(name=TASK_NAME).delete()
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in (
        ("Editors", EDITOR_PERMISSIONS),
        ("Engagement leads", LEAD_PERMISSIONS),
    ):
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="coproduce", codename__in=codenames
                )
            )
    # Themes stay: feedback may already point at them.


class Migration(migrations.Migration):
    dependencies = [
        ("coproduce", "0004_feedback_and_service_changes"),
        ("cms", "0003_create_roles"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
