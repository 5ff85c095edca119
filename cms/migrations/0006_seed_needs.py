"""Start the needs taxonomy with the common needs and the wider determinants of mental
health; editors can rename, add or remove them afterwards."""

from django.db import migrations

NEEDS = [
    ("Crisis support", "crisis", "Urgent help when you feel you cannot cope.", False),
    ("Feeling low or anxious", "low-or-anxious", "Worry, low mood, stress or panic.", False),
    ("Talking therapies", "talking-therapies", "Talking to a trained therapist.", False),
    ("Peer support", "peer-support", "Support from people who have been there too.", False),
    ("Loneliness", "loneliness", "Feeling alone or cut off from people.", True),
    ("Money and debt", "money-and-debt", "Debts, benefits or managing money.", True),
    ("Housing", "housing", "Somewhere safe and settled to live.", True),
    ("Work and training", "work", "Finding, keeping or returning to work.", True),
    ("Physical health", "physical-health", "Looking after your body as well as your mind.", True),
    ("Alcohol and drugs", "substance-use", "Help with alcohol or drug use.", True),
    ("Caring for someone", "caring", "Support for unpaid carers.", True),
]


def seed(apps, schema_editor):
    Need = apps.get_model("cms", "Need")
    for order, (name, slug, description, wider) in enumerate(NEEDS):
        Need.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "wider_determinant": wider,
                "sort_order": order,
            },
        )


def unseed(apps, schema_editor):
    Need = apps.get_model("cms", "Need")
    Need.objects.filter(slug__in=[slug for _, slug, _, _ in NEEDS], offers__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cms", "0005_offers_directory")]

    operations = [migrations.RunPython(seed, unseed)]
