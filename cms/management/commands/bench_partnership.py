"""Create (or top up) the benchmark partnership at a chosen scale."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms.bench.generate import generate_partnership


class Command(BaseCommand):
    help = (
        "Create a partnership for benchmarks: about 4×N organisations, 50×N people and "
        "20×N pages, plus the demo people. Safe to run again. Never run it on a live site."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="N, 1 or more (default 1).")

    def handle(self, *args, scale, **options):
        if scale < 1:
            raise CommandError("Choose a scale of 1 or more.")
        if not settings.DEBUG:
            raise CommandError(
                "The benchmark partnership's accounts share the published demo password, so "
                "it only loads when DEBUG is on (make bench builds its own database)."
            )
        counts = generate_partnership(scale=scale)
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count['total']} ({count['created']} new)")
