"""The one place allauth is customised for this site."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import Group

from . import permissions
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


class MFAAdapter(DefaultMFAAdapter):
    """Staff cannot switch off the authenticator app that keeps their account safe."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and permissions.requires_mfa(
            authenticator.user
        ):
            return False
        return super().can_delete_authenticator(authenticator)
