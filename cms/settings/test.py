"""Settings for the test suite: fast hashing, mail kept in memory, tasks run inline."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import CACHES, Q_CLUSTER, REDIS_URL, env, env_bool

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_DELIVERY_BACKEND = env(
    "EMAIL_DELIVERY_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
# Tasks run inline, except for the real worker started by tests/cms/test_real_worker.py,
# which sets Q_SYNC=0. django-q2 runs its scheduler once its guard cycles add up to 30 s,
# whatever the cycle, so a shorter cycle does not make schedules run sooner.
Q_CLUSTER = {
    **Q_CLUSTER,
    "sync": env_bool("Q_SYNC", True),
    "guard_cycle": float(env("Q_GUARD_CYCLE", "0.5")),
}

EMAIL_QUEUE_ON_COMMIT = False
# Text messages are kept in cms.texts.outbox (emptied between tests by tests/conftest.py).
TEXT_BACKEND = "cms.texts.LocmemTextBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Separate processes (the fault tests' workers and web servers) cannot share memory, so
# tests/fault/harness.py gives them files on disk under TEST_FILE_STORAGE_ROOT instead.
if _file_root := env("TEST_FILE_STORAGE_ROOT", ""):
    MEDIA_ROOT = Path(_file_root) / "media"
    PRIVATE_MEDIA_ROOT = Path(_file_root) / "private"
    _public = {"BACKEND": "cms.storage.MediaStorage", "OPTIONS": {"location": MEDIA_ROOT}}
    STORAGES = {
        **STORAGES,
        "default": {"BACKEND": "cms.storage.SplitMediaStorage", "OPTIONS": {"public": _public}},
        "private": {
            "BACKEND": "cms.storage.MediaStorage",
            "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
        },
    }
SITE_URL = WAGTAILADMIN_BASE_URL = "http://testserver"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# Parallel workers must not share rate-limit counters: each gets its own Redis database.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
if REDIS_URL:
    _parts = urlsplit(REDIS_URL)
    _location = urlunsplit(_parts._replace(path=f"/{(int(_worker) % 15) + 1}"))
    CACHES = {"default": {**CACHES["default"], "LOCATION": _location}}
# Serve static files straight from the apps (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
