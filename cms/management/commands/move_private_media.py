"""Move every file that is not a public image out of the public media, into the private
storage: run once after upgrading from a release that kept Wagtail's documents (panel
papers, charter evidence) in MEDIA_ROOT, and again at any time, harmlessly.

Files keep their names (``documents/agenda.pdf``), so the records naming them need no
change: the "default" storage (cms.storage.SplitMediaStorage) looks for them in the private
storage from now on. A file is removed from the public media only once the private storage
holds a copy of the same size; a different file already there under the same name is
reported and both are left alone.
"""

import os

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from cms.storage import PUBLIC_MEDIA_FOLDERS, SplitMediaStorage, is_public_media


def _files_under(storage, folder: str):
    """Every file's name under ``folder`` of ``storage`` ("" for all of it), depth first."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for directory in sorted(directories):
        yield from _files_under(storage, f"{folder}/{directory}" if folder else directory)


def _remove_empty_folders(storage) -> None:
    """On disk, the folders the move emptied (never a public one) go too."""
    try:
        root = storage.path("")
    except NotImplementedError:
        return
    for top in os.listdir(root) if os.path.isdir(root) else []:
        if top in PUBLIC_MEDIA_FOLDERS or not os.path.isdir(os.path.join(root, top)):
            continue
        for folder, _dirs, _files in os.walk(os.path.join(root, top), topdown=False):
            if not os.listdir(folder):
                os.rmdir(folder)


class Command(BaseCommand):
    help = (
        "Move files that are not public images (Wagtail's documents above all) out of the "
        "public media into the private storage. Safe to run again."
    )

    def handle(self, *args, **options):
        media = storages["default"]
        if not isinstance(media, SplitMediaStorage):
            raise CommandError(
                'The "default" storage is not cms.storage.SplitMediaStorage: nothing to move.'
            )
        public, private = media.public, media.private
        moved = kept = 0
        for name in _files_under(public, ""):
            if is_public_media(name):
                continue
            if private.exists(name):
                if private.size(name) != public.size(name):
                    self.stderr.write(
                        f"Left {name} in the public media: the private storage has a "
                        "different file of that name. Compare the two and remove one."
                    )
                    kept += 1
                    continue
            else:
                with public.open(name, "rb") as content:
                    stored = private.save(name, content)
                if stored != name:
                    private.delete(stored)
                    raise CommandError(f"The private storage would not keep the name {name}.")
            public.delete(name)
            moved += 1
        _remove_empty_folders(public)
        self.stdout.write(
            f"Moved {moved} file{'' if moved == 1 else 's'} from the public media to the "
            f"private storage; {kept} left for you to check."
        )
        if kept:
            raise CommandError("Some files were left in the public media: see above.")
