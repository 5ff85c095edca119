"""The cookies this site sets, described once, from the settings that decide them.

The cookies page lists what ``site_cookies()`` returns, so when a setting changes (a
cookie's name, how long it lasts) the page changes with it. Every cookie here is strictly
necessary for a service the person asked for, so no consent banner is needed (the Privacy
and Electronic Communications Regulations 2003, regulation 6(4)). A test walks the site's
journeys and fails if a response sets a cookie that is not in this list.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Cookie:
    """One cookie: its name, why it is needed, how long it lasts and who gets it."""

    name: str
    purpose: str
    lasts: str
    who: str


def duration_in_words(seconds: int | float) -> str:
    """``43200`` → ``"12 hours"``; ``31449600`` → ``"about 1 year (52 weeks)"``: the largest
    whole unit."""
    seconds = int(seconds)
    weeks, rest = divmod(seconds, 604_800)
    if weeks >= 52 and not rest:
        years = round(weeks / 52)
        return f"about {years} year{'' if years == 1 else 's'} ({weeks} weeks)"
    for unit, size in (("week", 604_800), ("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            amount = seconds // size
            return f"{amount} {unit}{'' if amount == 1 else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def _lasts(seconds: int | float | None) -> str:
    """How long a cookie lasts, as a sentence; no age means it goes when the browser closes."""
    if not seconds:
        return "Until you close your browser."
    words = duration_in_words(seconds)
    return f"{words[0].upper()}{words[1:]}."


def _session_cookie() -> Cookie:
    idle = getattr(settings, "SESSION_IDLE_TIMEOUT", None)
    lifetime = getattr(settings, "SESSION_ABSOLUTE_LIFETIME", None) or settings.SESSION_COOKIE_AGE
    if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        lasts = "Until you close your browser."
    else:
        lasts = _lasts(settings.SESSION_COOKIE_AGE)
    if idle:
        lasts += (
            f" You are signed out after {duration_in_words(idle)} without using the site, "
            f"and after {duration_in_words(lifetime)} in any case."
        )
    return Cookie(
        name=settings.SESSION_COOKIE_NAME,
        purpose=(
            "Keeps you signed in as you move from page to page, and remembers where you are "
            "in signing up or signing in."
        ),
        lasts=lasts,
        who="Everyone who signs in, signs up or fills in a form",
    )


def _csrf_cookie() -> Cookie | None:
    if settings.CSRF_USE_SESSIONS:
        return None
    return Cookie(
        name=settings.CSRF_COOKIE_NAME,
        purpose=(
            "Keeps your forms safe: it checks that a form was sent from this website and not "
            "by another website pretending to be you."
        ),
        lasts=_lasts(settings.CSRF_COOKIE_AGE),
        who="Everyone who sees a page with a form",
    )


def _messages_cookie() -> Cookie | None:
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.utils.module_loading import import_string

    storage = import_string(settings.MESSAGE_STORAGE)
    # The fallback storage tries a cookie first, then the session.
    if not issubclass(storage, CookieStorage) and CookieStorage not in getattr(
        storage, "storage_classes", ()
    ):
        return None
    return Cookie(
        name=CookieStorage.cookie_name,
        purpose=(
            "Carries a short message to the next page you see, such as “You have signed out.”"
        ),
        lasts="Until the message is shown, which is usually straight away.",
        who="Everyone who does something the site confirms",
    )


def _mfa_trust_cookie() -> Cookie | None:
    from allauth.mfa import app_settings

    if not app_settings.TRUST_ENABLED:
        return None
    return Cookie(
        name=app_settings.TRUST_COOKIE_NAME,
        purpose=(
            "Remembers that you chose to trust this browser, so you are not asked for a code "
            "from your authenticator app every time."
        ),
        lasts=_lasts(app_settings.TRUST_COOKIE_AGE.total_seconds()),
        who="Staff who choose to trust their browser",
    )


def _language_cookie() -> Cookie | None:
    try:
        reverse("set_language")
    except NoReverseMatch:
        return None
    return Cookie(
        name=settings.LANGUAGE_COOKIE_NAME,
        purpose="Remembers the language you chose for the website.",
        lasts=_lasts(settings.LANGUAGE_COOKIE_AGE),
        who="Everyone who chooses a language",
    )


def _admin_menu_cookie() -> Cookie:
    # Set by the Wagtail admin's own script, not by a response, so only staff who use the
    # admin ever get it.
    return Cookie(
        name="wagtail_sidebar_collapsed",
        purpose="Remembers whether you made the admin's side menu smaller.",
        lasts="Until you close your browser.",
        who="Staff who make the admin's side menu smaller",
    )


def site_cookies() -> list[Cookie]:
    """Every cookie the site can set, in the order a visitor meets them."""
    found = [
        _csrf_cookie(),
        _session_cookie(),
        _messages_cookie(),
        _mfa_trust_cookie(),
        _language_cookie(),
        _admin_menu_cookie(),
    ]
    return [cookie for cookie in found if cookie is not None]


def cookie_names() -> set[str]:
    return {cookie.name for cookie in site_cookies()}


__all__ = ["Cookie", "cookie_names", "duration_in_words", "site_cookies"]
