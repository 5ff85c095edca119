"""Co-production's demo: panels, members, meetings and claims; then feedback on offers and
the "You said, we did" service changes that answer it."""

from django.core.management.base import BaseCommand

from coproduce.demo import load_coproduce_demo
from coproduce.demo_feedback import load_feedback_demo


class Command(BaseCommand):
    help = "Load co-production's part of the demo partnership (after demo_cms)."

    def handle(self, *args, **options):
        loaded = load_coproduce_demo()
        if not loaded["created"]:
            self.stdout.write(f"Co-production demo already loaded ({loaded['panels']} panels).")
        else:
            self.stdout.write(
                f"Co-production demo: {loaded['panels']} panels, {loaded['members']} members "
                "(member01@example.org to member64@example.org, same password)."
            )
        # A step of its own, after the panels it names: it also loads on a site whose
        # panels were loaded before feedback existed.
        feedback = load_feedback_demo()
        if not feedback["created"]:
            self.stdout.write("Feedback demo already loaded.")
            return
        self.stdout.write(
            f"Feedback demo: {feedback['feedback']} pieces of feedback and "
            f"{feedback['changes']} service changes in “You said, we did”."
        )
