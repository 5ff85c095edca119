"""Rewrite every live offer's search entry: after offers were written in bulk (an import
that bypassed publishing), or to check the entries match what is published."""

from django.core.management.base import BaseCommand

from cms.offer_search import reindex_offers


class Command(BaseCommand):
    help = "Rewrite the offers directory's search entries from the live offers."

    def handle(self, *args, **options):
        written = reindex_offers()
        self.stdout.write(f"Search entries written for {written} live offers.")
