"""Create one group per role, and let the roles that work in the Wagtail admin into it.

Editors reuse the group Wagtail creates; admin is the superuser flag, not a group.
"""

from django.db import migrations

ROLE_GROUPS = [
    "Members",
    "Peer workers",
    "Supervisors",
    "Engagement leads",
    "HR and charter leads",
    "Finance",
    "Editors",
]
ADMIN_SITE_GROUPS = ["Engagement leads", "HR and charter leads", "Finance", "Editors"]
NEW_GROUPS = [name for name in ROLE_GROUPS if name != "Editors"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    for name in ROLE_GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        if name in ADMIN_SITE_GROUPS:
            group.permissions.add(access_admin)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=NEW_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_pages"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
