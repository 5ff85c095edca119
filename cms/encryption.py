"""Secrets the platform keeps, encrypted at rest with a key from the environment.

Authenticator app secrets and recovery-code seeds (allauth MFA, through ``MFAAdapter``)
pass through ``encrypt`` before they are stored and ``decrypt`` when read, so a copy of the
database alone does not let anyone sign in as staff. The key is ``FIELD_ENCRYPTION_KEY``
(production refuses to start without one); any secret the platform stores later uses these
two functions too. Values stored before encryption was turned on are read as they are.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Marks an encrypted value, so older plain values can still be told apart and read.
PREFIX = "enc1:"


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    # Any long random string is accepted: it is stretched to the 32 bytes Fernet needs.
    digest = hashlib.sha256(f"lep-field-encryption:{key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _cipher() -> Fernet:
    key = getattr(settings, "FIELD_ENCRYPTION_KEY", "")
    if not key:
        raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEY to encrypt stored secrets.")
    return _fernet(key)


def encrypt(text: str) -> str:
    """``text`` encrypted for storing (authenticated: a changed value fails to decrypt)."""
    return PREFIX + _cipher().encrypt(text.encode()).decode("ascii")


def decrypt(stored: str) -> str:
    """The text of a value ``encrypt`` made; a value stored before encryption (no prefix)
    is returned unchanged. A value made with another key raises ``ValueError``."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _cipher().decrypt(stored.removeprefix(PREFIX).encode("ascii")).decode()
    except InvalidToken as error:
        raise ValueError(
            "A stored secret could not be decrypted: is FIELD_ENCRYPTION_KEY the key it "
            "was stored with?"
        ) from error


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)
