"""Load the demo partnership: each app's demo command in order, safe to run again."""

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

# Each app adds its own demo command; they run in this order, skipping any not yet written.
APP_DEMO_COMMANDS = ["demo_cms", "demo_coproduce", "demo_peers", "demo_charter"]


class Command(BaseCommand):
    help = "Create a believable demo partnership (refused when DEBUG is off)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The demo has published passwords, so it only loads when DEBUG is on. "
                "Never load it on a live site."
            )
        available = get_commands()
        for name in APP_DEMO_COMMANDS:
            if name in available:
                call_command(name, stdout=self.stdout, stderr=self.stderr)
