"""The charter's demo: two organisations' published charters with two years of readings."""

from django.core.management.base import BaseCommand

from charter.demo import load_charter_demo
from charter.demo_outcomes import load_outcomes_demo


class Command(BaseCommand):
    help = "Load the charter's part of the demo partnership (after demo_cms)."

    def handle(self, *args, **options):
        loaded = load_charter_demo()
        outcomes = load_outcomes_demo()
        if outcomes["created"]:
            self.stdout.write(
                f"Outcomes demo: {outcomes['created']} partnership programmes (see /outcomes/)."
            )
        if not loaded["created"]:
            self.stdout.write(f"Charter demo already loaded ({loaded['charters']} charters).")
            return
        self.stdout.write(
            f"Charter demo: {loaded['created']} published charters with two years of "
            "readings, targets, actions and evidence (see /charter/)."
        )
