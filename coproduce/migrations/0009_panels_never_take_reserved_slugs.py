"""A panel saved with a slug that belongs to a fixed page ("meetings", "calendar") could never be
reached, and since the model refuses such slugs it could not be saved in the admin either:
give each one the slug the model would now give it ("meetings-panel")."""

from django.db import migrations

RESERVED = {"meetings", "calendar"}
SUFFIX = "panel"


def free_reserved_slugs(apps, schema_editor):
    model = apps.get_model("coproduce", "Panel")
    taken = set(model.objects.values_list("slug", flat=True))
    for row in model.objects.filter(slug__in=RESERVED):
        base = f"{row.slug}-{SUFFIX}"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        model.objects.filter(pk=row.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [("coproduce", "0008_consent_for_access_needs")]

    operations = [migrations.RunPython(free_reserved_slugs, migrations.RunPython.noop)]
