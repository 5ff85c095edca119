"""Let engagement leads and finance work on co-production in the Wagtail admin, and make
the private "Panel papers" collection for meeting documents.

The collection's view restriction lets only engagement leads open its documents through
Wagtail's public document URLs; members get papers through the panel's own view, which
checks that they are on the panel.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PAPERS_COLLECTION = "Panel papers"

LEAD_PERMISSIONS = {
    "panel": ["add", "change", "view"],
    "panelapplication": ["change", "view"],
    "meeting": ["add", "change", "view", "delete"],
    "meetingpaper": ["add", "change", "view", "delete"],
    "accessarrangement": ["add", "change", "view"],
    "attendance": ["add", "change", "view"],
    "involvementclaim": ["change", "view"],
    "expense": ["view"],
}
FINANCE_PERMISSIONS = {"involvementclaim": ["change", "view"], "expense": ["view"]}
DOCUMENT_PERMISSIONS = ["add_document", "change_document", "choose_document"]


def _codenames(spec):
    return [f"{action}_{model}" for model, actions in spec.items() for action in actions]


def _ensure_permissions(apps):
    # Permissions for models added in this run of migrate are otherwise only created after it.
    app_config = apps.get_app_config("coproduce")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None


def forwards(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    CollectionViewRestriction = apps.get_model("wagtailcore", "CollectionViewRestriction")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    leads = Group.objects.get(name="Engagement leads")
    finance = Group.objects.get(name="Finance")
    leads.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="coproduce", codename__in=_codenames(LEAD_PERMISSIONS)
        )
    )
    finance.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="coproduce", codename__in=_codenames(FINANCE_PERMISSIONS)
        )
    )

    root = Collection.objects.filter(depth=1).first()
    papers = Collection.objects.filter(name=PAPERS_COLLECTION, depth=2).first()
    if papers is None:
        # Treebeard's API is not available on historical models: add the child by hand.
        last = Collection.objects.filter(depth=2).order_by("-path").first()
        step = root.path.__len__()
        next_number = int(last.path[step:], 36) + 1 if last else 1
        papers = Collection.objects.create(
            name=PAPERS_COLLECTION,
            path=root.path + _base36(next_number).rjust(4, "0"),
            depth=2,
            numchild=0,
        )
        root.numchild += 1
        root.save(update_fields=["numchild"])
    restriction, _ = CollectionViewRestriction.objects.get_or_create(
        collection=papers, defaults={"restriction_type": "groups"}
    )
    restriction.groups.add(leads)
    for codename in DOCUMENT_PERMISSIONS:
        permission = Permission.objects.get(
            content_type__app_label="wagtaildocs", codename=codename
        )
        GroupCollectionPermission.objects.get_or_create(
            group=leads, collection=papers, permission=permission
        )


def _base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while number:
        number, remainder = divmod(number, 36)
        out = digits[remainder] + out
    return out or "0"


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    for name, spec in (("Engagement leads", LEAD_PERMISSIONS), ("Finance", FINANCE_PERMISSIONS)):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="coproduce", codename__in=_codenames(spec)
                )
            )
    papers = Collection.objects.filter(name=PAPERS_COLLECTION, depth=2).first()
    if papers is not None and not papers.numchild:
        root = Collection.objects.filter(depth=1).first()
        papers.delete()
        root.numchild = max(root.numchild - 1, 0)
        root.save(update_fields=["numchild"])


class Migration(migrations.Migration):
    dependencies = [
        ("coproduce", "0001_panels_meetings_claims"),
        ("cms", "0003_create_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
