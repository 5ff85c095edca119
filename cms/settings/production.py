"""Production settings: HTTPS only, and refuse to start with development defaults."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    CSRF_TRUSTED_ORIGINS,
    DEFAULT_SITE_URL,
    INSECURE_SECRET_KEY,
    NOTIFY_API_KEY,
    NOTIFY_SMS_TEMPLATE_ID,
    SECRET_KEY,
    SITE_URL,
    TEXT_BACKEND,
    env,
    env_bool,
    env_int,
)

DEBUG = False

if SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a long random value (50+ characters) before starting in production."
    )

FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY")
if (
    len(FIELD_ENCRYPTION_KEY) < 32
    or len(set(FIELD_ENCRYPTION_KEY)) < 5
    or (FIELD_ENCRYPTION_KEY == SECRET_KEY)
):
    raise ImproperlyConfigured(
        "Set FIELD_ENCRYPTION_KEY to a long random value (32+ characters, not the same as "
        "SECRET_KEY) before starting in production: it encrypts the secrets kept in the "
        "database. Keep it safe: without it, staff must set up their authenticator again."
    )

_site = urlsplit(SITE_URL)
if SITE_URL == DEFAULT_SITE_URL or _site.scheme != "https" or not _site.hostname:
    raise ImproperlyConfigured(
        "Set SITE_URL to the site's public address, e.g. https://lep.example.org, before "
        "starting in production: links in emails, the sitemap and the open data feed use it."
    )
# The site's own host name is always allowed, and trusted for forms sent over HTTPS.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, _site.hostname]

# Texts through GOV.UK Notify need its key and template. (The console backend is allowed,
# for sites that do not send texts yet; the dashboard warns while members who chose texts
# are not getting them.)
if TEXT_BACKEND == "cms.texts.NotifyTextBackend" and not (
    NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID
):
    raise ImproperlyConfigured(
        "Set NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID to send text messages through GOV.UK "
        "Notify, or set TEXT_BACKEND to another backend."
    )
CSRF_TRUSTED_ORIGINS = [*CSRF_TRUSTED_ORIGINS, f"https://{_site.netloc}"]

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
