"""Account safety checks that run on every request.

A signed-in person's session ends after inactivity or an absolute lifetime; an account whose
email is not verified is signed out; anyone holding a staff role is sent to set up
multi-factor authentication before any page other than public content and account pages,
and holds none of their staff powers on those pages until they have; and a signed-in person
the Wagtail admin is not for gets a plain "this part is for staff" page there.
"""

import time
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse

from . import permissions

SESSION_STARTED = "lep_session_started"
SESSION_LAST_SEEN = "lep_last_seen"
SESSION_EMAIL_VERIFIED = "lep_email_verified"
SESSION_MFA_READY = "lep_mfa_ready"
# Writing the session on every request would cost a query each; a minute is precise enough.
LAST_SEEN_RESOLUTION = 60

# Views a staff member without MFA may still reach: public content, the public open-data
# API and the account pages that let them set MFA up or sign out.
MFA_EXEMPT_URL_NAMES = frozenset(
    {
        "wagtail_serve",
        "robots_txt",
        "sitemap",
        "search",
        "crisis_help",
        "oruk_root",
        "oruk_services",
        "oruk_service",
        "oruk_taxonomies",
        "oruk_taxonomy",
        "oruk_taxonomy_terms",
        "oruk_taxonomy_term",
        "oruk_service_at_locations",
        "oruk_service_at_location",
    }
)
MFA_EXEMPT_PREFIXES = ("account_", "mfa_")
ADMIN_PREFIX = "/admin/"


def public_page(view=None, *, cache_for: int | None = None):
    """Mark an app's view as public, so staff who have not yet set up MFA can still see it
    like any visitor (it must show nothing that needs a staff role).

    ``@public_page(cache_for=seconds)`` also lets visitors be served a copy of the page for
    that long (cms/page_cache.py: ``CLOCK`` where it says what is open now, else ``LONG``);
    only pages that are the same for every visitor are ever kept."""

    def mark(view):
        view.mfa_exempt = True
        view.page_cache_for = cache_for
        return view

    return mark if view is None else mark(view)


def _is_mfa_exempt(request) -> bool:
    if request.path_info.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return True  # a 404 reveals nothing
    # The namespaced name: Wagtail's admin page search is "wagtailadmin_pages:search".
    name = match.view_name or ""
    return (
        name in MFA_EXEMPT_URL_NAMES
        or name.startswith(MFA_EXEMPT_PREFIXES)
        or getattr(match.func, "mfa_exempt", False)
    )


def _sign_out(request, message: str) -> None:
    """Sign the person out and carry on as a visitor: public pages still show, with the
    message; pages that need an account send them to log in, keeping where they were."""
    logout(request)
    messages.info(request, message)


class AccountSafetyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self._check(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request, user):
        session = request.session
        now = int(time.time())
        started = session.get(SESSION_STARTED)
        if started is None:
            session[SESSION_STARTED] = started = now
        last_seen = session.get(SESSION_LAST_SEEN, now)
        if now - started > settings.SESSION_ABSOLUTE_LIFETIME:
            _sign_out(request, "For your safety you were signed out. Please sign in again.")
            return None
        if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
            _sign_out(
                request,
                "You were signed out because you had not done anything for a while. "
                "Please sign in again.",
            )
            return None
        if now - last_seen >= LAST_SEEN_RESOLUTION or SESSION_LAST_SEEN not in session:
            session[SESSION_LAST_SEEN] = now

        if not session.get(SESSION_EMAIL_VERIFIED):
            if not user.emailaddress_set.filter(verified=True).exists():
                _sign_out(
                    request,
                    "Please confirm your email address using the link we sent you, then sign in.",
                )
                return None
            session[SESSION_EMAIL_VERIFIED] = True

        if not session.get(SESSION_MFA_READY) and permissions.requires_mfa(user):
            if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                session[SESSION_MFA_READY] = True
            elif _is_mfa_exempt(request):
                # A public or account page: they see it as a visitor would.
                permissions.withhold_staff_roles(user)
            else:
                messages.info(
                    request,
                    "Your role needs an authenticator app as a second step when you "
                    "sign in. Please set it up to continue.",
                )
                return redirect(
                    f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}"
                )

        if request.path_info.startswith(ADMIN_PREFIX) and not permissions.can(
            user, "cms.use_admin_site"
        ):
            # Wagtail would send them to sign in, and signing in sends a signed-in person
            # straight back here: say plainly that this part is not theirs instead.
            return render(request, "cms/staff_only.html", status=403)
        return None


class SiteCSPMiddleware(CSPMiddleware):
    """Our strict Content Security Policy (scripts only from us or with this response's
    nonce) everywhere except Wagtail's admin, whose date and time widgets start themselves
    with inline scripts that carry no nonce. The admin is for staff only, behind MFA, and
    renders no visitor's HTML; there, inline scripts are allowed and no nonce is sent (a
    nonce would make browsers ignore 'unsafe-inline')."""

    ADMIN_PREFIX = ADMIN_PREFIX

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(self.ADMIN_PREFIX):
            parts.replace = {**(parts.replace or {}), "script-src": [SELF, UNSAFE_INLINE]}
            parts.nonce = None
        return parts
