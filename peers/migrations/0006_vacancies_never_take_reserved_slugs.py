"""A vacancy saved with a slug that belongs to a fixed page ("applications") could never be
reached, and since the model refuses such slugs it could not be saved in the admin either:
give each one the slug the model would now give it ("applications-role")."""

from django.db import migrations

RESERVED = {"applications"}
SUFFIX = "role"


def free_reserved_slugs(apps, schema_editor):
    model = apps.get_model("peers", "Vacancy")
    taken = set(model.objects.values_list("slug", flat=True))
    for row in model.objects.filter(slug__in=RESERVED):
        base = f"{row.slug}-{SUFFIX}"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        model.objects.filter(pk=row.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [("peers", "0005_consent_for_adjustments_and_equality")]

    operations = [migrations.RunPython(free_reserved_slugs, migrations.RunPython.noop)]
