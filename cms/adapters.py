"""The one place allauth is customised for this site."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils.crypto import get_random_string

from . import encryption, permissions
from .roles import Role


class AccountAdapter(DefaultAccountAdapter):
    """New accounts are members; everyone lands on My space after signing in."""

    def is_open_for_signup(self, request):
        return settings.SIGNUP_OPEN

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            group, _ = Group.objects.get_or_create(name=Role.MEMBER.value)
            user.groups.add(group)
        return user

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
