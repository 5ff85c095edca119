"""Recount every organisation's monthly feedback totals (the trends page reads them) from
the feedback itself: after a bulk load or an import that bypassed the services, or to
check nothing drifted."""

from django.core.management.base import BaseCommand

from coproduce.services.feedback_totals import feedback_totals_rebuild


class Command(BaseCommand):
    help = "Recount the monthly feedback totals the trends page reads, from the feedback."

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisation",
            type=int,
            action="append",
            metavar="ID",
            help="only this organisation (may be given more than once)",
        )

    def handle(self, *args, organisation=None, **options):
        rows = feedback_totals_rebuild(organisations=organisation)
        who = f"{len(organisation)} organisation(s)" if organisation else "every organisation"
        self.stdout.write(f"Recounted the feedback totals of {who}: {rows} rows.")
