"""The one place allauth is customised for this site."""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.email_verification import verify_email_indirectly
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.crypto import get_random_string

from . import dates, encryption, permissions, site_address
from .erasure import CONTACT_PATH
from .roles import Role

# The page where a person chooses a password through a link we emailed them: a password
# reset, or the invitation an administrator sends (``cms.staff_accounts``).
EMAILED_LINK_VIEW = "account_reset_password_from_key"


def on_site(url: str) -> str:
    """``url``, a link allauth built from the request's host, at the site's own address
    (``SITE_URL``): a request can arrive under any name the server answers to."""
    parts = urlsplit(url)
    return site_address.absolute_url(parts.path + (f"?{parts.query}" if parts.query else ""))


class AccountAdapter(DefaultAccountAdapter):
    """New accounts are members; everyone lands on My space after signing in; a password
    chosen through a link we emailed confirms the address it was sent to; every account
    email links to the site's own address and is signed with its name."""

    def is_open_for_signup(self, request):
        return settings.SIGNUP_OPEN

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            group, _ = Group.objects.get_or_create(name=Role.MEMBER.value)
            user.groups.add(group)
        return user

    def set_password(self, user, password):
        """A password chosen through an emailed link proves the person reads that address,
        so it is confirmed and made their main one, as allauth's reset by code already
        does. Invited staff (who have never had a password) can then sign in straight away,
        with no second email to confirm."""
        super().set_password(user, password)
        match = getattr(self.request, "resolver_match", None)
        if match is not None and match.view_name == EMAILED_LINK_VIEW and user.email:
            verify_email_indirectly(self.request, user, user.email)

    def send_mail(self, template_prefix, email, context):
        """Every email allauth sends passes here. Its links (``…_url``) are moved to
        ``SITE_URL``, and the templates (``templates/account/email/``, ``mfa/email/``) get
        the site's name, the links they offer, and when a change happened in words."""
        context = {
            name: on_site(value) if name.endswith("_url") and isinstance(value, str) else value
            for name, value in context.items()
        }
        context.update(
            site_name=settings.WAGTAIL_SITE_NAME,
            site_url=site_address.absolute_url("/"),
            sign_in_url=site_address.absolute_url(reverse("account_login")),
            forgot_password_url=site_address.absolute_url(reverse("account_reset_password")),
            contact_url=site_address.absolute_url(CONTACT_PATH),
        )
        if "timestamp" in context:
            context["when"] = dates.moment_in_words(context["timestamp"])
        super().send_mail(template_prefix, email, context)

    def send_password_reset_mail(self, user, email, context):
        """The email says how long its link works (Django's ``PASSWORD_RESET_TIMEOUT``)."""
        days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
        super().send_password_reset_mail(user, email, {**context, "days": days})

    def respond_email_verification_sent(self, request, user):
        """A sign-up with an address that already has an account creates nobody (allauth
        emails the owner instead, ACCOUNT_PREVENT_ENUMERATION), so it would skip hashing
        the password, the slow step of making an account. Hash a throwaway one here, so
        both answers take the same time and the wait says nothing about the address."""
        if user is None:
            make_password(get_random_string(32))
        return super().respond_email_verification_sent(request, user)


class MFAAdapter(DefaultMFAAdapter):
    """Staff cannot switch off the authenticator app that keeps their account safe, and
    its secrets are stored encrypted (``cms.encryption``)."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": (
            "You cannot add an email address while two-step sign in is on. Turn it off "
            "first, or ask an administrator to change your email address."
        ),
        "cannot_delete_authenticator": (
            "Your role needs an authenticator app, so you cannot turn it off."
        ),
        "cannot_generate_recovery_codes": (
            "Set up an authenticator app first. Then you can make recovery codes."
        ),
        "unverified_email": (
            "Confirm your email address first, using the link we emailed you. Then you can "
            "set up an authenticator app."
        ),
    }

    def encrypt(self, text: str) -> str:
        return encryption.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return encryption.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and permissions.requires_mfa(
            authenticator.user
        ):
            return False
        return super().can_delete_authenticator(authenticator)
