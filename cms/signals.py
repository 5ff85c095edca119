"""Decoupled side effects only: session bookkeeping on account events, and cache purges."""

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


def _forget_site_shell(sender=None, **kwargs):
    from wagtail.models import Page

    from . import page_cache
    from .site_shell import site_shell_forget

    site_shell_forget()
    if not (isinstance(sender, type) and issubclass(sender, Page)):
        # A header or footer setting is on every page: every process's copies (and its
        # header kept in memory) are out of date. Pages replace the generation themselves
        # when they are published, unpublished or moved.
        page_cache.public_content_changed()


def connect_site_shell_purges() -> None:
    """Drop the cached header and footer whenever a setting, link or page changes."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished, post_page_move
    from wagtailnhsukfrontend.settings.models import (
        FooterLinks,
        FooterSettings,
        HeaderSettings,
        NavigationLink,
    )

    for model in (HeaderSettings, NavigationLink, FooterSettings, FooterLinks, Page):
        post_save.connect(_forget_site_shell, sender=model, dispatch_uid=f"shell-save-{model}")
        post_delete.connect(_forget_site_shell, sender=model, dispatch_uid=f"shell-del-{model}")
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_forget_site_shell, dispatch_uid=f"shell-{signal}")
