"""Requests about personal data get a plain name in the admin, and on PostgreSQL the audit
log gets an index on whose record each entry is about, so "Who has looked at your records"
stays fast however long the log grows. (SQLite, used only for development, does without.)"""

from django.db import migrations

INDEX = "cms_modellogentry_about"


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailcore_modellogentry ((data -> 'about'))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0015_content_pages_show_the_register_and_cookies"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="datarequest",
            options={
                "ordering": ["-received_on", "-pk"],
                "verbose_name": "request about personal data",
                "verbose_name_plural": "requests about personal data",
            },
        ),
        migrations.RunPython(add_index, drop_index),
    ]
