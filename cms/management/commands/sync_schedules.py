"""Make django-q2's scheduled tasks match the schedules the apps declare (cms.schedules)."""

from django.core.management.base import BaseCommand

from cms.schedules import schedules_sync


class Command(BaseCommand):
    help = "Create, update or remove django-q2 schedules to match the declared ones."

    def handle(self, *args, **options):
        counts = schedules_sync()
        self.stdout.write(
            "Schedules: {created} created, {updated} updated, {removed} removed, "
            "{unchanged} unchanged.".format(**counts)
        )
