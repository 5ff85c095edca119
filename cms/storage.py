"""Where files live and how uploads are kept with their records: one home for both.

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

from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import render
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

# The only folders of MEDIA_ROOT with a public URL: Wagtail's images and their renditions.
# Documents (panel papers, charter evidence) are served by Wagtail's document view, which
# checks who is asking; receipts and reports are in the "private" storage, with no URL.
PUBLIC_MEDIA_FOLDERS = ("original_images", "images")


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
    has gone from storage, the plain "no longer available" page (410), never an error."""
    try:
        handle = field_file.storage.open(field_file.name, "rb") if field_file else None
    except OSError:
        handle = None
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


def file_missing_response(request, what: str = "file"):
    """The plain page for a record whose file has gone: 410 Gone, never a server error."""
    return render(request, "cms/file_missing.html", {"what": what}, status=410)
