"""People an administrator adds in the Wagtail admin: their invitation to choose a password,
and the reset of their authenticator app when they have lost it.

No administrator ever types or sees someone's password. A new person is emailed a link to
choose their own; the link is allauth's password-reset link (``default_token_generator``), so
it expires like one (``PASSWORD_RESET_TIMEOUT``), works once, and choosing a password through
it confirms the email address (``cms.adapters.AccountAdapter.set_password``). A person with a
staff role is then taken to set up their authenticator app by ``AccountSafetyMiddleware``.

Resetting someone's authenticator removes their authenticator app and recovery codes and
signs them out everywhere, so their staff roles are withheld until they set one up again.
It needs a reason, is written to the audit log, and the person is told by email.
"""

from importlib import import_module

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import audit, permissions, site_address
from .models import User
from .refusals import Refused
from .roles import STAFF_ROLES

RULE = "cms.manage_sign_in"
PLATFORM = "the Lived Experience Platform"
REASON_MAX = 1000


@permissions.register(RULE)
def _may_manage_sign_in(user, obj=None) -> bool:
    """Inviting people and resetting their authenticator is for administrators, who already
    manage every account in the Wagtail admin."""
    return permissions.is_admin(user)


# --- Invitations -----------------------------------------------------------------------------


def invitation_refusal(*, by, person: User) -> str | None:
    """Why ``by`` may not send ``person`` an invitation now, or None when they may."""
    if not permissions.can(by, RULE):
        return "Only administrators can invite people."
    if person.has_usable_password():
        return (
            f"{person} has already chosen a password, so there is no invitation to send. "
            "If they have forgotten it, they can use “Forgot your password?” on the sign-in page."
        )
    if not person.is_active:
        return f"{person}’s account is switched off. Switch it on before inviting them."
    return None


def invitation_link(person: User) -> str:
    """The address at which ``person`` chooses their password: allauth's reset link."""
    key = f"{user_pk_to_url_str(person)}-{default_token_generator.make_token(person)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    return site_address.absolute_url(path.replace("UID-KEY", key))


@transaction.atomic
def person_invite(*, person: User, by) -> User:
    """Email ``person`` a link to choose their password, from ``by``. Any link sent before
    stops working, so only the newest invitation lets them in."""
    refusal = invitation_refusal(by=by, person=person)
    if refusal:
        raise Refused(refusal)
    person.set_unusable_password()
    person.save(update_fields=["password"])
    # The address the link goes to: confirmed, and made their main one, once it is used.
    EmailAddress.objects.get_or_create(
        user=person, email=person.email, defaults={"primary": False, "verified": False}
    )
    roles = permissions.held_roles(person)
    context = {
        "name": person.first_name or str(person),
        # Nobody to name when the first administrator is invited by ``first_run``.
        "inviter": "" if by.pk == person.pk else str(by),
        "organisation": person.organisation.name if person.organisation else PLATFORM,
        "roles": ", ".join(sorted(role.label for role in roles)),
        "needs_authenticator": bool(roles & STAFF_ROLES),
        "link": invitation_link(person),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "forgot_password_url": site_address.absolute_url(reverse("account_reset_password")),
    }
    send_mail(
        "You are invited to the Lived Experience Platform",
        render_to_string("cms/email/staff_invitation.txt", context),
        None,
        [person.email],
    )
    audit.audit_change(
        user=by,
        instance=person,
        reason="Emailed an invitation to choose a password (earlier links no longer work)",
    )
    return person


# --- Resetting an authenticator -----------------------------------------------------------------


def authenticator_reset_refusal(*, by, person: User) -> str | None:
    """Why ``by`` may not reset ``person``'s authenticator, or None when they may."""
    if not permissions.can(by, RULE):
        return "Only administrators can reset someone’s authenticator."
    if by.pk == person.pk:
        return (
            "You cannot reset your own authenticator here. To change it, go to My space, "
            "then Two-step sign in."
        )
    if not Authenticator.objects.filter(user=person).exists():
        return f"{person} has not set up an authenticator, so there is nothing to reset."
    return None


@transaction.atomic
def authenticator_reset(*, person: User, by, reason: str) -> int:
    """Remove ``person``'s authenticator app and recovery codes and sign them out everywhere,
    so they set one up again at their next sign-in; ``reason`` goes to the audit log. Returns
    how many authenticators were removed."""
    refusal = authenticator_reset_refusal(by=by, person=person)
    if refusal:
        raise Refused(refusal)
    reason = (reason or "").strip()
    if not reason:
        raise Refused("Enter why you are resetting this authenticator.")
    if len(reason) > REASON_MAX:
        raise Refused(f"The reason must be {REASON_MAX:,} characters or fewer.")
    removed, _ = Authenticator.objects.filter(user=person).delete()
    _sign_out_everywhere(person)
    audit.audit_change(
        user=by,
        instance=person,
        reason=f"Reset their authenticator: {reason}",
        fields=["authenticators"],
    )
    reset_at = timezone.localtime()
    context = {
        "name": person.first_name or str(person),
        "organisation": by.organisation.name if by.organisation else PLATFORM,
        "reset_at": reset_at,
        "by_name": str(by),
        "by_email": by.email,
        "sign_in_url": site_address.absolute_url(reverse("account_login")),
    }
    send_mail(
        "Your authenticator app was reset",
        render_to_string("cms/email/authenticator_reset.txt", context),
        None,
        [person.email],
    )
    return removed


def _sign_out_everywhere(person: User) -> int:
    """End every session ``person`` has. A session keeps the note that its person has set
    up their authenticator (``AccountSafetyMiddleware``), so without this someone signed in
    before the reset would keep their staff powers until the session ran out."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0  # sessions kept only in a cookie or a cache cannot be listed
    person_id = str(person.pk)
    theirs = [
        session.session_key
        for session in store_class.get_model_class()
        .objects.filter(expire_date__gt=timezone.now())
        .iterator(chunk_size=500)
        if session.get_decoded().get(SESSION_KEY) == person_id
    ]
    for session_key in theirs:
        store_class(session_key).delete()  # the database row, and any cached copy
    return len(theirs)
