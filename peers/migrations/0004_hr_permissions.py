"""Let HR work in the Wagtail admin on what is theirs: peer worker records and teams (add,
change, view; never delete: a worker who goes is marked as left), vacancies (add, change,
view; closed, never deleted) and job applications (change and view only: applications come
from the site)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

HR_GROUP = "HR and charter leads"
HR_PERMISSIONS = {
    "peerworker": ["add", "change", "view"],
    "team": ["add", "change", "view"],
    "vacancy": ["add", "change", "view"],
    "jobapplication": ["change", "view"],
}


def _codenames():
    return [f"{action}_{model}" for model, actions in HR_PERMISSIONS.items() for action in actions]


def _ensure_permissions(apps):
    # Permissions for models added in this run of migrate are otherwise only created after it.
    app_config = apps.get_app_config("peers")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="peers", codename__in=_codenames())


def forwards(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=HR_GROUP)
    group.permissions.add(*_permissions(apps))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=HR_GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [("peers", "0003_seed_competences_and_training"), ("cms", "0003_create_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
