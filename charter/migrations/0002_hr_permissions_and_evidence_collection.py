"""Let HR and charter leads keep their charters in the Wagtail admin, and make the private
"Charter evidence" collection for evidence documents.

The collection's view restriction names no group, so Wagtail's public document URLs serve
its documents to nobody but superusers; HR open evidence through the charter's own view,
which checks that the charter is their organisation's.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EVIDENCE_COLLECTION = "Charter evidence"
HR_GROUP = "HR and charter leads"
HR_PERMISSIONS = {
    "charter": ["add", "change", "view"],
    "commitment": ["add", "change", "view", "delete"],
    "measure": ["add", "change", "view", "delete"],
    "target": ["add", "change", "view", "delete"],
    "reading": ["view", "change"],
    "charteraction": ["add", "change", "view", "delete"],
    "evidence": ["view", "delete"],
    "review": ["add", "change", "view", "delete"],
}


def _codenames():
    return [f"{action}_{model}" for model, actions in HR_PERMISSIONS.items() for action in actions]


def _base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while number:
        number, remainder = divmod(number, 36)
        out = digits[remainder] + out
    return out or "0"


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("charter")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    CollectionViewRestriction = apps.get_model("wagtailcore", "CollectionViewRestriction")

    hr = Group.objects.get(name=HR_GROUP)
    hr.permissions.add(
        *Permission.objects.filter(content_type__app_label="charter", codename__in=_codenames())
    )

    root = Collection.objects.filter(depth=1).first()
    evidence = Collection.objects.filter(name=EVIDENCE_COLLECTION, depth=2).first()
    if evidence is None:
        # Treebeard's API is not available on historical models: add the child by hand.
        last = Collection.objects.filter(depth=2).order_by("-path").first()
        step = len(root.path)
        next_number = int(last.path[step:], 36) + 1 if last else 1
        evidence = Collection.objects.create(
            name=EVIDENCE_COLLECTION,
            path=root.path + _base36(next_number).rjust(4, "0"),
            depth=2,
            numchild=0,
        )
        root.numchild += 1
        root.save(update_fields=["numchild"])
    CollectionViewRestriction.objects.get_or_create(
        collection=evidence, defaults={"restriction_type": "groups"}
    )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    hr = Group.objects.filter(name=HR_GROUP).first()
    if hr is not None:
        hr.permissions.remove(
            *Permission.objects.filter(content_type__app_label="charter", codename__in=_codenames())
        )
    evidence = Collection.objects.filter(name=EVIDENCE_COLLECTION, depth=2).first()
    if evidence is not None and not evidence.numchild:
        root = Collection.objects.filter(depth=1).first()
        evidence.delete()
        root.numchild = max(root.numchild - 1, 0)
        root.save(update_fields=["numchild"])


class Migration(migrations.Migration):
    dependencies = [
        ("charter", "0001_charters_measures_readings"),
        ("cms", "0003_create_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
