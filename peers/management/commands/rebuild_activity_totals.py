"""Recount every peer worker's daily activity totals from their session logs: after a bulk
load or an import that bypassed the services, or to check nothing drifted."""

from django.core.management.base import BaseCommand

from peers.models import PeerWorker
from peers.services.activity_totals import activity_totals_rebuild


class Command(BaseCommand):
    help = "Recount the peer workers' daily activity totals from their session logs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--worker",
            type=int,
            action="append",
            metavar="ID",
            help="only this peer worker (may be given more than once)",
        )

    def handle(self, *args, worker=None, **options):
        workers = PeerWorker.objects.filter(pk__in=worker) if worker else None
        rows = activity_totals_rebuild(workers=workers)
        who = f"{len(worker)} peer worker(s)" if worker else "every peer worker"
        self.stdout.write(f"Recounted the activity totals of {who}: {rows} day-and-setting rows.")
