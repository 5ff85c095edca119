"""Peer work's demo: workers, teams, 12 months of sessions, supervision, safeguarding,
wellbeing and leavers; then vacancies with candidates at every stage, and every current
worker's pathway (evidence, sign-offs, training, reviews, inductions). Each part is
idempotent, so running it again adds nothing."""

from django.core.management.base import BaseCommand

from peers.demo import load_peers_demo
from peers.demo_progression import load_progression_demo
from peers.demo_recruitment import load_recruitment_demo


class Command(BaseCommand):
    help = "Load peer work's part of the demo partnership (after demo_cms)."

    def handle(self, *args, **options):
        loaded = load_peers_demo()
        if not loaded["created"]:
            self.stdout.write(
                f"Peer work demo already loaded, or the site demo is missing "
                f"({loaded['workers']} peer workers, {loaded['sessions']} sessions)."
            )
        else:
            self.stdout.write(
                f"Peer work demo: {loaded['workers']} peer workers (peer@example.org and "
                f"peer01@example.org to peer27@example.org, same password), "
                f"{loaded['sessions']} sessions."
            )
        recruitment = load_recruitment_demo()
        self.stdout.write(
            f"Recruitment demo: {recruitment['vacancies']} vacancies and "
            f"{recruitment['applications']} applications added."
        )
        pathway = load_progression_demo()
        self.stdout.write(
            "Pathway demo: "
            + ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in pathway.items())
            + "."
        )
