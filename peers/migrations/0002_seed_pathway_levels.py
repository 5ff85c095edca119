"""Start the progression pathway with its five levels, from trainee peer to lived experience
practitioner; HR can rename them or change the minimums afterwards."""

from django.db import migrations

LEVELS = [
    (
        "Trainee peer support worker",
        "trainee",
        "Learning the role through training and supported practice.",
        0,
        0,
    ),
    (
        "Peer support worker",
        "peer-support-worker",
        "Offers one-to-one and group peer support, drawing on their own lived experience.",
        150,
        6,
    ),
    (
        "Senior peer support worker",
        "senior-peer-support-worker",
        "Supports newer peers, leads groups and shares good practice.",
        600,
        12,
    ),
    (
        "Peer lead",
        "peer-lead",
        "Leads a peer team, shapes services and supervises peer practice.",
        1200,
        18,
    ),
    (
        "Lived experience practitioner",
        "lived-experience-practitioner",
        "Brings lived experience leadership to service design, training and strategy.",
        0,
        0,
    ),
]


def seed(apps, schema_editor):
    Level = apps.get_model("peers", "Level")
    for order, (name, slug, summary, hours, months) in enumerate(LEVELS):
        Level.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "order": order,
                "summary": summary,
                "minimum_practice_hours": hours,
                "minimum_months": months,
            },
        )


def unseed(apps, schema_editor):
    """Keep the levels: workers, vacancies, competences and reviews all point at them, and
    reversing 0001 drops the table with them. Seeding again finds them by slug."""


class Migration(migrations.Migration):
    dependencies = [("peers", "0001_peer_work")]

    operations = [migrations.RunPython(seed, unseed)]
