"""Where private uploads (expense receipts) are kept: the "private" storage (outside
MEDIA_ROOT in production), never served by a URL of its own, only streamed by views that
check who is asking."""

from django.core.files.storage import storages


def receipt_storage():
    """A callable, so the storage is looked up when used, not when models are imported."""
    return storages["private"]
