"""The site shell's demo: organisations, one demo person per role, pages and site settings."""

from django.core.management.base import BaseCommand

from cms.demo import DEMO_PEOPLE, DEMO_TOTP_SECRET, load_cms_demo
from cms.factories import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the site shell's part of the demo partnership."

    def handle(self, *args, **options):
        loaded = load_cms_demo()
        self.stdout.write(
            f"Demo: {len(loaded['organisations'])} organisations, "
            f"{len(loaded['people'])} demo people, {len(loaded['pages'])} pages, "
            f"{len(loaded['offers'])} offers."
        )
        self.stdout.write("")
        self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for person in DEMO_PEOPLE:
            roles = ", ".join(role.label for role in person.roles)
            self.stdout.write(f"  {person.email:<26} {roles}")
        self.stdout.write(
            "Staff log-ins also ask for a code from an authenticator app. Add this demo secret "
            f"to your app (or run `oathtool --totp -b {DEMO_TOTP_SECRET}`): {DEMO_TOTP_SECRET}"
        )
