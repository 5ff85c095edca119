"""Import offers from an Open Referral UK JSON file, as the admin's import page does: the
same size limit, the same checks, drafts unless ``--publish`` is given."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.oruk.import_file import OrukImportError, load_import_file
from cms.oruk.importer import offers_import_oruk


class Command(BaseCommand):
    help = (
        "Import offers from an Open Referral UK (version 3) JSON file: all records or none. "
        "New and changed offers are saved as drafts unless --publish is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The ORUK JSON file.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish new and changed offers now instead of saving drafts for review.",
        )

    def handle(self, *args, file: Path, publish: bool = False, **options):
        try:
            with file.open("rb") as stream:
                data = load_import_file(stream)
            result = offers_import_oruk(data=data, publish=publish)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
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
        for offer in result.offers:
            if offer.created or offer.changes:
                self.stdout.write(f"{offer.title} ({'new' if offer.created else 'updated'}):")
                for change in offer.changes:
                    self.stdout.write(f"  {change}")
            if offer.not_kept:
                self.stdout.write(f"{offer.title}: not kept: " + "; ".join(offer.not_kept))
        self.stdout.write(
            f"Imported: {result.created} new, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
        if result.created or result.updated:
            self.stdout.write(
                "Published in the directory now."
                if result.published
                else "The changes are saved as drafts: check each offer and publish it."
            )
