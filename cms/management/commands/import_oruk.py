"""Import offers from an Open Referral UK JSON file, as the admin's import page does."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.oruk import OrukImportError, offers_import_oruk


class Command(BaseCommand):
    help = "Import offers from an Open Referral UK (version 3) JSON file: all records or none."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The ORUK JSON file.")

    def handle(self, *args, file: Path, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8-sig"))
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise CommandError(f"{file} is not valid JSON.") from None
        try:
            result = offers_import_oruk(data=data)
        except OrukImportError as error:
            raise CommandError(str(error)) from None
        for record in result.skipped:
            self.stdout.write(str(record))
        if result.unmatched_terms:
            self.stdout.write("Terms matching no need: " + ", ".join(result.unmatched_terms))
        if result.unmatched_areas:
            self.stdout.write("Areas matching none of ours: " + ", ".join(result.unmatched_areas))
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Nothing was imported: {len(result.errors)} bad record(s) listed above."
            )
        self.stdout.write(
            f"Imported: {result.created} new, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
