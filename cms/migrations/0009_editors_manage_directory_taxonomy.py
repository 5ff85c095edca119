"""Editors keep the directory's taxonomies: let Wagtail's Editors group add, change and
delete needs and areas (the snippets under Directory in the admin)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    f"{action}_{model}"
    for model in ("need", "area")
    for action in ("add", "change", "delete", "view")
]


def _ensure_permissions(apps):
    # Permissions for models added in this run of migrate are otherwise only created after it.
    app_config = apps.get_app_config("cms")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None


def grant(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(
            *Permission.objects.filter(content_type__app_label="cms", codename__in=CODENAMES)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.remove(
            *Permission.objects.filter(content_type__app_label="cms", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [("cms", "0008_editors_publish_pages")]

    operations = [migrations.RunPython(grant, revoke)]
