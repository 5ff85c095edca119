"""Settings shared by every environment.

Everything that varies between machines is read from the environment here, in one place,
with defaults that are safe for a developer's laptop. ``production.py`` refuses the unsafe
ones.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from error


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# A development key: production.py refuses to start with it.
INSECURE_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", INSECURE_SECRET_KEY)
# The key secrets kept in the database (authenticator secrets) are encrypted with
# (cms.encryption). On a developer's machine it follows SECRET_KEY; production.py requires
# its own, so a leaked SECRET_KEY alone does not unlock them.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY") or f"field-encryption:{SECRET_KEY}"
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# How many reverse proxies sit in front of the app; their X-Forwarded-For entries are
# trusted, so rate limits count the real client rather than the proxy.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

INSTALLED_APPS = [
    "cms",
    "coproduce",
    "peers",
    "charter",
    "wagtailnhsukfrontend",
    "wagtailnhsukfrontend.forms",
    "wagtailnhsukfrontend.settings",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "cms.apps.UsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_q",
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.forms",
]

MIDDLEWARE = [
    # First: /health/ answers load balancers without HTTPS, host checks or a session.
    "cms.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETags and 304s for every page, the cached ones included (their ETag is kept).
    "django.middleware.http.ConditionalGetMiddleware",
    # Before the session: a visitor's copy of a public page is served without one.
    "cms.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.auth_backends.FormerBackendSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms.middleware.SiteCSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "cms.middleware.AccountSafetyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.site_shell",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------------
# SQLite by default so `make run` needs no server: WAL lets readers and the task worker
# work alongside a writer, and IMMEDIATE transactions take the write lock up front, so
# concurrent writers queue instead of failing with "database is locked". A writer waits up
# to `timeout` seconds for the lock; init_command must not set busy_timeout, which would
# replace that wait with its own.
DEFAULT_SQLITE_PATH = BASE_DIR / "var" / "db.sqlite3"
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Third-party apps without their own default (wagtail-nhsuk-frontend) keep AutoField;
# our apps set BigAutoField in their AppConfig.
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# --- Cache ----------------------------------------------------------------------------
# Rate limits live in the cache, so it must be shared by every process: Redis when
# REDIS_URL is set, otherwise Django's database cache (never the per-process locmem).
# While Redis cannot be reached each process serves the cache from its own memory and tries
# Redis again after `retry_after` seconds (cms/cache.py): pages keep working, and rate limits
# count per process until Redis is back.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "cms.cache.FailSafeRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "lep"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1, "retry_after": 5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cms_cache",
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "lep"),
        }
    }

# --- People and accounts ----------------------------------------------------------------
AUTH_USER_MODEL = "cms.User"
AUTHENTICATION_BACKENDS = [
    "cms.auth_backends.PermissionsBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "my_space"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "cms.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Lived Experience Platform] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http")
# allauth's defaults stay on; listed so the limits are visible in one place.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/900s/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/180s/key",
    # Feedback from people without an account (coproduce): enough for a family or a
    # drop-in sharing one connection, not enough to flood an offer page. Counted per
    # connection by a keyed hash of its address, so no address is kept even in the cache.
    "feedback": "5/10m/key,50/h/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", "Lived Experience Platform")
MFA_ADAPTER = "cms.adapters.MFAAdapter"

# Sessions end after inactivity and after an absolute lifetime (see AccountSafetyMiddleware).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_LIFETIME = env_int("SESSION_ABSOLUTE_LIFETIME", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Email ----------------------------------------------------------------------------
# Every message goes through the queued backend: it stores the message and a django-q2
# task delivers it with EMAIL_DELIVERY_BACKEND, retrying until the mail server takes it.
EMAIL_BACKEND = "cms.mail.QueuedEmailBackend"
EMAIL_DELIVERY_BACKEND = env(
    "EMAIL_DELIVERY_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Lived Experience Platform <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_QUEUE_ON_COMMIT = True

# --- Text messages ----------------------------------------------------------------------
# Queued like email (cms/texts.py); TEXT_BACKEND sends them. GOV.UK Notify in production
# (cms.texts.NotifyTextBackend, with a text message template whose content is ((body))).
TEXT_BACKEND = env("TEXT_BACKEND", "cms.texts.ConsoleTextBackend")
NOTIFY_API_KEY = env("NOTIFY_API_KEY")
NOTIFY_SMS_TEMPLATE_ID = env("NOTIFY_SMS_TEMPLATE_ID")

# --- Background work ------------------------------------------------------------------
# The ORM broker is used everywhere: a task a dying worker held is handed out again after
# `retry` seconds. `timeout` is longer than the slowest report at the benchmark scale and
# shorter than `retry`, so a task is never run twice at once; a report job's lease ends with
# the timeout, so the task handed out again takes the job over (cms/jobs.py). Missed
# scheduled runs are not replayed (catch_up off). `manage.py worker` stops within
# Q_STOP_GRACE seconds: tasks cut off then are handed out again.
Q_TIMEOUT = env_int("Q_TIMEOUT", 600)
Q_RETRY = env_int("Q_RETRY", Q_TIMEOUT + 60)
if Q_RETRY <= Q_TIMEOUT:
    raise ImproperlyConfigured("Q_RETRY must be longer than Q_TIMEOUT, or tasks run twice.")
Q_STOP_GRACE = env_int("Q_STOP_GRACE", 25)
Q_CLUSTER = {
    "name": "lep",
    "orm": "default",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": Q_TIMEOUT,
    "retry": Q_RETRY,
    "max_attempts": 10,
    "ack_failures": False,
    "catch_up": False,
    "save_limit": 1000,
    "queue_limit": 50,
    "label": "Task queue",
    "poll": 1,
}
HEARTBEAT_STALE_AFTER = 5 * 60
SIGNUP_OPEN = env_bool("SIGNUP_OPEN", True)

# --- Wagtail --------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Lived Experience Platform"
# The dashboard would ask releases.wagtail.org for new versions: no page requests anything
# from another host.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# The site's public address, in one setting: links in emails and calendar feeds, and the
# Wagtail Site (kept in step by `migrate`), from which the sitemap, the Open Referral feed and
# schema.org data take their URLs. production.py refuses to start without a real one.
DEFAULT_SITE_URL = "http://127.0.0.1:8000"
SITE_URL = (env("SITE_URL") or env("WAGTAILADMIN_BASE_URL") or DEFAULT_SITE_URL).rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
# No staff email hashes are sent to Gravatar (CSP would block the images anyway).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "doc", "odt", "xlsx", "csv", "txt", "pptx"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
# Files live in three places (README, "Files on more than one machine"). Static files are
# built into STATIC_ROOT by collectstatic on every web node and served by whitenoise. Public
# media are Wagtail's images and renditions only (cms.storage.PUBLIC_MEDIA_FOLDERS), at
# MEDIA_URL. Private media are everything else: Wagtail's documents (panel papers, charter
# evidence; served by Wagtail's document view, "serve_view" above, which checks who is
# asking), expense receipts and reports, streamed only by views that check who is asking.
# The "default" storage, which Wagtail uses, sends each file to one or the other by its
# folder. Both are on disk (volumes every node shares) unless MEDIA_S3_BUCKET is set: then
# both are in S3-compatible object storage, images in MEDIA_S3_BUCKET (which anyone may
# read) and private files in MEDIA_S3_PRIVATE_BUCKET (which nobody but the site may read;
# any address made for one is signed and lasts a minute; no file is made public-read).
MEDIA_S3_BUCKET = env("MEDIA_S3_BUCKET")
MEDIA_S3_PRIVATE_BUCKET = env("MEDIA_S3_PRIVATE_BUCKET")
if MEDIA_S3_BUCKET:
    if MEDIA_S3_PRIVATE_BUCKET in ("", MEDIA_S3_BUCKET):
        raise ImproperlyConfigured(
            "Set MEDIA_S3_PRIVATE_BUCKET to a second bucket, one nobody but the site may read: "
            "receipts, reports, panel papers and charter evidence go there, never to "
            "MEDIA_S3_BUCKET, whose images anyone may read."
        )
    _s3 = {
        option: value
        for option, value in {
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL"),
            "region_name": env("MEDIA_S3_REGION"),
            "access_key": env("MEDIA_S3_ACCESS_KEY_ID"),
            "secret_key": env("MEDIA_S3_SECRET_ACCESS_KEY"),
        }.items()
        if value
    }
    # A second file of the same name gets a new name, as on disk, never overwrites.
    _s3 |= {"file_overwrite": False, "default_acl": None}
    _public_domain = env("MEDIA_S3_PUBLIC_DOMAIN")
    _public_media = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": MEDIA_S3_BUCKET,
            "querystring_auth": False,
            "custom_domain": _public_domain or None,
        },
    }
    _private_media = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": MEDIA_S3_PRIVATE_BUCKET,
            "querystring_auth": True,
            "querystring_expire": 60,
        },
    }
    # Where browsers fetch the images from, for the Content-Security-Policy's img-src.
    if _public_domain:
        PUBLIC_MEDIA_ORIGINS = [f"https://{_public_domain}"]
    elif "endpoint_url" in _s3:
        _endpoint = urlsplit(_s3["endpoint_url"])
        PUBLIC_MEDIA_ORIGINS = [f"{_endpoint.scheme}://{_endpoint.netloc}"]
    else:
        PUBLIC_MEDIA_ORIGINS = [f"https://{MEDIA_S3_BUCKET}.s3.amazonaws.com"]
else:
    _public_media = {"BACKEND": "cms.storage.MediaStorage", "OPTIONS": {"location": MEDIA_ROOT}}
    _private_media = {
        "BACKEND": "cms.storage.MediaStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    }
    PUBLIC_MEDIA_ORIGINS = []
STORAGES = {
    "default": {"BACKEND": "cms.storage.SplitMediaStorage", "OPTIONS": {"public": _public_media}},
    "private": _private_media,
    "staticfiles": {"BACKEND": "cms.storage.StaticFilesStorage"},
}

# --- Security headers -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No page may be framed; Wagtail relaxes this to SAMEORIGIN on its own preview views,
# which CSP's frame-ancestors 'self' also allows.
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # No nonce: scripts are static files, so a cached page carries a valid policy.
        # JSON-LD data blocks are not scripts a browser runs, and need no permission.
        "script-src": [SELF],
        # Wagtail's admin sets inline styles from its scripts.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *PUBLIC_MEDIA_ORIGINS],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Everything goes to standard output, one line each, for the host to collect: WARNING and
# above from the site (LOG_LEVEL), and each task the worker runs at INFO (Q_LOG_LEVEL).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    # django-q2 logs as "django-q", with a hyphen.
    "loggers": {"django-q": {"level": env("Q_LOG_LEVEL", "INFO"), "propagate": True}},
}
