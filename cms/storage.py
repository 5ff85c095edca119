"""Where files live and how uploads are kept with their records: one home for both.

Public media are Wagtail's images and their renditions, the only uploads with an address
anyone may open. Private media are everything else (Wagtail's documents: panel papers and
charter evidence; expense receipts; reports), streamed only by views that check who is
asking. Each is on local disk or in S3-compatible object storage (cms/settings/base.py).

Static files: whitenoise's compressed, hashed files, tolerant of missing source maps.

wagtail-nhsuk-frontend's CSS ends with a sourceMappingURL comment naming a .map file the
package does not ship, and Django's manifest storage refuses to collect a file whose
references are missing. Source maps are a developer convenience, so their comments are
left as they are rather than rewritten to hashed names.
"""

import contextlib
import functools
import logging
import mimetypes
import os
from contextvars import ContextVar

from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


def _without_source_maps(patterns):
    return tuple(
        (
            extension,
            tuple(
                pattern
                for pattern in extension_patterns
                if "sourceMappingURL" not in (pattern if isinstance(pattern, str) else pattern[0])
            ),
        )
        for extension, extension_patterns in patterns
    )


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)


# --- Media: public images, private everything else --------------------------------------------

# The only folders of the public media (MEDIA_ROOT, or the public bucket): Wagtail's images
# and their renditions. Documents (panel papers, charter evidence), receipts and reports are
# in the "private" storage; documents are served by Wagtail's document view, which checks
# who is asking, receipts and reports by the apps' own views.
PUBLIC_MEDIA_FOLDERS = ("original_images", "images")


def is_public_media(name: str) -> bool:
    """Whether a stored file's name puts it in one of the PUBLIC_MEDIA_FOLDERS."""
    folder, slash, _rest = str(name).replace("\\", "/").lstrip("/").partition("/")
    return bool(slash) and folder in PUBLIC_MEDIA_FOLDERS


class SplitMediaStorage(Storage):
    """The "default" storage, which Wagtail's images and documents use: images and their
    renditions go to the public media, every other file (Wagtail's documents above all) to
    the "private" storage, so a proxy or bucket serving the public media can never publish a
    panel paper. Names are kept as they are (``documents/agenda.pdf``): where a file lives
    follows from its folder, so the records naming it need no change when it moves.

    ``public`` is a storage as STORAGES describes one (``BACKEND`` and ``OPTIONS``);
    ``private`` the alias of the storage for everything else."""

    def __init__(self, public: dict, private: str = "private"):
        self._public = public
        self._private = private

    @cached_property
    def public(self) -> Storage:
        return import_string(self._public["BACKEND"])(**self._public.get("OPTIONS", {}))

    @cached_property
    def private(self) -> Storage:
        return storages[self._private]

    def storage_for(self, name: str) -> Storage:
        return self.public if is_public_media(name) else self.private

    def save(self, name, content, max_length=None):
        if name is None:
            name = content.name
        return self.storage_for(name).save(name, content, max_length=max_length)

    def _open(self, name, mode="rb"):
        return self.storage_for(name).open(name, mode)

    def generate_filename(self, filename):
        return self.storage_for(filename).generate_filename(filename)

    def get_valid_name(self, name):
        return self.storage_for(name).get_valid_name(name)

    def get_available_name(self, name, max_length=None):
        return self.storage_for(name).get_available_name(name, max_length=max_length)

    def path(self, name):
        return self.storage_for(name).path(name)

    def delete(self, name):
        self.storage_for(name).delete(name)

    def exists(self, name):
        return self.storage_for(name).exists(name)

    def size(self, name):
        return self.storage_for(name).size(name)

    def url(self, name):
        return self.storage_for(name).url(name)

    def get_accessed_time(self, name):
        return self.storage_for(name).get_accessed_time(name)

    def get_created_time(self, name):
        return self.storage_for(name).get_created_time(name)

    def get_modified_time(self, name):
        return self.storage_for(name).get_modified_time(name)


class MediaStorage(FileSystemStorage):
    """Local disk storage that never leaves half a file behind: when writing fails part
    way (the disk is full), the part written is removed before the error goes on."""

    def _save(self, name, content):
        full_path = self.path(name)
        existed = os.path.exists(full_path)
        try:
            return super()._save(name, content)
        except FileExistsError:
            raise
        except OSError:
            if not existed and os.path.exists(full_path):
                with contextlib.suppress(OSError):
                    os.remove(full_path)
            raise


# --- Uploads: stored with their records, or not at all --------------------------------------

STORAGE_FAILED_MESSAGE = (
    "We could not save your file just now, so nothing has been saved. Please choose the "
    "file again and try in a few minutes. If it keeps happening, tell the site's "
    "administrator."
)


class FileNotStored(Exception):
    """The storage would not take a file (the disk is full, the storage service is down)."""

    message = STORAGE_FAILED_MESSAGE


_stored_here: ContextVar[list | None] = ContextVar("files_stored_in_this_block", default=None)


def _remember_for_rollback(storage, name: str) -> None:
    """Inside ``kept_with_their_records``, note a stored file so a failed block removes it."""
    stored = _stored_here.get()
    if stored is not None:
        stored.append((storage, name))


def store_upload(field_file, name: str, content) -> str:
    """Save ``content`` into a model's file field (without saving the record), returning
    the stored name. Inside ``kept_with_their_records`` the file is removed again if the
    block fails; a storage failure is ``FileNotStored``, with the message to show."""
    try:
        field_file.save(name, content, save=False)
    except Exception as error:
        logger.exception("An upload could not be stored")
        raise FileNotStored(STORAGE_FAILED_MESSAGE) from error
    _remember_for_rollback(field_file.storage, field_file.name)
    return field_file.name


def save_to_storage(storage, name: str, content) -> str:
    """``storage.save``, for files kept without a record (a receipt held while the form is
    fixed); a storage failure is ``FileNotStored``, with the message to show."""
    try:
        stored_name = storage.save(name, content)
    except Exception as error:
        logger.exception("A file could not be stored")
        raise FileNotStored(STORAGE_FAILED_MESSAGE) from error
    _remember_for_rollback(storage, stored_name)
    return stored_name


def kept_with_their_records(service):
    """For a service that stores uploads and writes the records naming them: one
    transaction, and the files stored in it are deleted if it fails, so no record names a
    missing file and no file is left without its record. Nested services share the outer
    one's files."""

    @functools.wraps(service)
    def run(*args, **kwargs):
        if _stored_here.get() is not None:
            with transaction.atomic():
                return service(*args, **kwargs)
        stored = []
        token = _stored_here.set(stored)
        try:
            with transaction.atomic():
                return service(*args, **kwargs)
        except BaseException:
            for storage, name in stored:
                with contextlib.suppress(Exception):
                    storage.delete(name)
            raise
        finally:
            _stored_here.reset(token)

    return run


# --- Downloads of files that have gone missing ------------------------------------------------


def stored_file_response(
    request,
    field_file,
    *,
    filename: str,
    content_type: str | None = None,
    as_attachment: bool = True,
    what: str = "file",
):
    """Stream a stored file to someone already allowed to have it; when the record's file
    has gone from storage, the plain "no longer available" page (410), and when the storage
    cannot be reached (object storage down), a plain "try again" page (503): never an error."""
    try:
        handle = field_file.storage.open(field_file.name, "rb") if field_file else None
    except OSError:
        handle = None
    except Exception:
        # Object storage raises its own errors when it cannot be reached (botocore's).
        logger.exception("Storage could not be reached for %s", field_file.name)
        return file_unavailable_response(request, what)
    if handle is None:
        logger.warning("A stored file is missing: %s", getattr(field_file, "name", ""))
        return file_missing_response(request, what)
    if content_type is None:
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


def file_unavailable_response(request, what: str = "file"):
    """The plain page for a file whose storage is not answering: 503, try again later."""
    return render(request, "cms/file_unavailable.html", {"what": what}, status=503)


def file_missing_response(request, what: str = "file"):
    """The plain page for a record whose file has gone: 410 Gone, never a server error."""
    return render(request, "cms/file_missing.html", {"what": what}, status=410)
