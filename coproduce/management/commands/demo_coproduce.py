"""Co-production's demo: panels, members, meetings and claims."""

from django.core.management.base import BaseCommand

from coproduce.demo import load_coproduce_demo


class Command(BaseCommand):
    help = "Load co-production's part of the demo partnership (after demo_cms)."

    def handle(self, *args, **options):
        loaded = load_coproduce_demo()
        if not loaded["created"]:
            self.stdout.write(f"Co-production demo already loaded ({loaded['panels']} panels).")
            return
        self.stdout.write(
            f"Co-production demo: {loaded['panels']} panels, {loaded['members']} members "
            "(member01@example.org to member64@example.org, same password)."
        )
