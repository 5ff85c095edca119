"""Decoupled side effects of account events: session bookkeeping only."""

import time

from allauth.mfa.signals import authenticator_removed
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import SESSION_LAST_SEEN, SESSION_MFA_READY, SESSION_STARTED


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_STARTED] = now
        request.session[SESSION_LAST_SEEN] = now


@receiver(authenticator_removed)
def forget_mfa_ready(sender, request=None, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_MFA_READY, None)
