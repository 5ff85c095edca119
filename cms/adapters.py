"""The one place allauth is customised for this site."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.email_verification import verify_email_indirectly
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils.crypto import get_random_string

from . import encryption, permissions
from .roles import Role

# The page where a person chooses a password through a link we emailed them: a password
# reset, or the invitation an administrator sends (``cms.staff_accounts``).
EMAILED_LINK_VIEW = "account_reset_password_from_key"


class AccountAdapter(DefaultAccountAdapter):
    """New accounts are members; everyone lands on My space after signing in; a password
    chosen through a link we emailed confirms the address it was sent to."""

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
