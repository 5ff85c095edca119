"""The directory's own search (issue 16, issue 19): an entry per live offer with its words
by weight; on PostgreSQL a GIN index on the weighted vector, on SQLite an FTS5 table with the
Porter stemmer kept in step by triggers. Seeds the words people use for the seeded needs
(where editors have not written any) and writes the entries of the offers already live."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

FTS_TABLE = "cms_offersearchentry_fts"
GIN_INDEX = "cms_offersearchentry_vector_gin"
ENTRY_TABLE = "cms_offersearchentry"
TRIGGERS = ("ai", "ad", "au")

SYNONYMS = {
    "crisis": "emergency, urgent help, breaking point, can't cope, suicidal, self-harm",
    "low-or-anxious": "anxiety, anxious, depression, depressed, low mood, worry, worried, "
    "stress, stressed, panic attacks, sad, down",
    "talking-therapies": "counselling, counsellor, therapy, therapist, CBT, talking to someone",
    "peer-support": "peer mentor, people who understand, lived experience, support group, "
    "been there",
    "loneliness": "lonely, isolated, isolation, on my own, alone, no friends, befriending, company",
    "money-and-debt": "money worries, debt, debts, bills, skint, benefits, universal credit, "
    "food bank, budgeting, cost of living",
    "housing": "homeless, homelessness, rent, eviction, landlord, tenancy, somewhere to live",
    "work": "job, jobs, employment, unemployed, volunteering, training, CV, back to work",
    "physical-health": "exercise, healthy eating, weight, diet, sleep, fitness, "
    "long-term condition",
    "substance-use": "alcohol, drinking, drink, drugs, addiction, recovery, sober",
    "caring": "carer, carers, looking after someone, caring for a relative, young carer",
}


def make_search_structures(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON {ENTRY_TABLE} USING gin (vector)"
        )
    elif vendor == "sqlite":
        columns = "title, needs, summary, rest"
        new = "new.title, new.needs, new.summary, new.rest"
        old = "old.title, old.needs, old.summary, old.rest"
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({columns}, "
            f"content='{ENTRY_TABLE}', content_rowid='offer_id', "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON {ENTRY_TABLE} BEGIN "  # noqa: S608
            f"INSERT INTO {FTS_TABLE}(rowid, {columns}) VALUES (new.offer_id, {new}); END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON {ENTRY_TABLE} BEGIN "  # noqa: S608
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {columns}) "
            f"VALUES ('delete', old.offer_id, {old}); END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE ON {ENTRY_TABLE} BEGIN "  # noqa: S608
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {columns}) "
            f"VALUES ('delete', old.offer_id, {old}); "
            f"INSERT INTO {FTS_TABLE}(rowid, {columns}) VALUES (new.offer_id, {new}); END"
        )


def drop_search_structures(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
    elif vendor == "sqlite":
        for suffix in TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def seed_synonyms(apps, schema_editor):
    Need = apps.get_model("cms", "Need")
    for slug, synonyms in SYNONYMS.items():
        Need.objects.filter(slug=slug, synonyms="").update(synonyms=synonyms)


def unseed_synonyms(apps, schema_editor):
    Need = apps.get_model("cms", "Need")
    for slug, synonyms in SYNONYMS.items():
        Need.objects.filter(slug=slug, synonyms=synonyms).update(synonyms="")


def index_live_offers(apps, schema_editor):
    # The same words and weights the site writes on publish (cms.offer_search), applied to
    # this migration's models.
    from cms.offer_search import BATCH_SIZE, _weighted_vector, offer_document

    OfferPage = apps.get_model("cms", "OfferPage")
    OfferSearchEntry = apps.get_model("cms", "OfferSearchEntry")
    ids = list(OfferPage.objects.filter(live=True).values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        offers = (
            OfferPage.objects.filter(pk__in=ids[start : start + BATCH_SIZE])
            .select_related("provider")
            .prefetch_related("needs", "areas")
        )
        entries = [OfferSearchEntry(offer_id=o.pk, **offer_document(o)) for o in offers]
        OfferSearchEntry.objects.bulk_create(entries)
        if schema_editor.connection.vendor == "postgresql":
            OfferSearchEntry.objects.filter(offer_id__in=[e.offer_id for e in entries]).update(
                vector=_weighted_vector()
            )


def forget_entries(apps, schema_editor):
    apps.get_model("cms", "OfferSearchEntry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cms", "0018_places_closures_kinds_and_synonyms")]

    operations = [
        migrations.CreateModel(
            name="OfferSearchEntry",
            fields=[
                (
                    "offer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="cms.offerpage",
                    ),
                ),
                ("title", models.TextField()),
                ("needs", models.TextField(blank=True)),
                ("summary", models.TextField(blank=True)),
                ("rest", models.TextField(blank=True)),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
            ],
            options={
                "verbose_name": "offer search entry",
                "verbose_name_plural": "offer search entries",
            },
        ),
        migrations.RunPython(make_search_structures, drop_search_structures),
        migrations.RunPython(seed_synonyms, unseed_synonyms),
        migrations.RunPython(index_live_offers, forget_entries),
    ]
