"""Involvement profiles and consent: a member's own details, their private answers about
lived experience and communities, and the agreements that allow us to keep and use them.

Consent records are never edited or deleted: giving consent adds a record with the exact
words agreed to; withdrawing stamps ``withdrawn_at``. Withdrawing the equality consent
deletes the answers it covered, and withdrawing the access needs consent deletes the access
needs on the profile and on every application, in the same transaction, so they never
outlive it.

Access needs are kept only under a current access needs consent, or one given on the same
form at the same moment. Without it the rest of the profile is saved and the access needs
are left as they were: nothing new is kept, and an agreement to an older wording keeps what
it covered until the person is asked again.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log

from cms.audit import audit_change
from cms.permissions import can
from cms.sanitise import plain_text

from .. import audit_actions
from ..choices import AccessNeed, Community, ContactPreference, LivedExperience, PaymentChoice
from ..consent import ConsentPurpose, current_statement
from ..models import ConsentRecord, InvolvementProfile, PanelApplication
from ..selectors.panels import has_current_consent
from . import Refused

EQUALITY_FIELDS = ["lived_experience", "communities"]
ACCESS_NEEDS_FIELDS = ["access_needs", "access_needs_other", "interpreter_language"]


def _require_member(user) -> None:
    if not can(user, "coproduce.keep_profile"):
        raise Refused("Only members can keep an involvement profile.")


def _known(choices, values, what: str) -> list[str]:
    """The chosen values in the order the choices are declared; unknown values refused."""
    chosen = set(values or [])
    unknown = chosen - set(choices.values)
    if unknown:
        raise Refused(f"Choose {what} from the list.")
    return [value for value in choices.values if value in chosen]


def _limited(value: str | None, limit: int, too_long: str) -> str:
    """Text as typed, refused (never cut short) when longer than the field holds."""
    text = plain_text(value)
    if len(text) > limit:
        raise Refused(too_long)
    return text


def clean_access_needs(
    *, access_needs, access_needs_other: str = "", interpreter_language: str = ""
) -> tuple[list[str], str, str]:
    """The rule for access needs, shared by profiles and applications: "something else"
    needs a description and a spoken language interpreter needs the language, and a detail
    is kept only while its need is ticked."""
    needs = _known(AccessNeed, access_needs, "access needs")
    other = (
        _limited(access_needs_other, 500, "Keep this to 500 characters or fewer.")
        if AccessNeed.OTHER in needs
        else ""
    )
    language = (
        _limited(interpreter_language, 80, "Keep the language to 80 characters or fewer.")
        if AccessNeed.LANGUAGE in needs
        else ""
    )
    if AccessNeed.OTHER in needs and not other:
        raise Refused("Tell us what else you need.")
    if AccessNeed.LANGUAGE in needs and not language:
        raise Refused("Tell us which language you need an interpreter for.")
    return needs, other, language


@transaction.atomic
def profile_save(
    *,
    user,
    display_name: str,
    pronouns: str = "",
    contact_preference: str,
    phone: str = "",
    access_needs: list[str],
    access_needs_other: str = "",
    interpreter_language: str = "",
    payment_choice: str | None = None,
    agree_to_access_needs: bool = False,
) -> InvolvementProfile:
    """Create or update the member's own profile; saving the same details twice is
    harmless (one profile per person, updated in place).

    The access needs are kept only if the person's access needs consent is current, or
    they agree now (``agree_to_access_needs``): the agreement is recorded with the profile,
    in the same transaction. Otherwise they are left as they were.
    """
    _require_member(user)
    display_name = _limited(display_name, 80, "Keep your name to 80 characters or fewer.")
    if not display_name:
        raise Refused("Enter the name you would like us to use.")
    if contact_preference not in ContactPreference.values:
        raise Refused("Choose how you would like us to contact you.")
    phone = _limited(phone, 30, "Enter a phone number of 30 characters or fewer.")
    if contact_preference in (ContactPreference.PHONE, ContactPreference.TEXT) and not phone:
        raise Refused("Enter a phone number, so we can call or text you.")
    # Chosen on "How you are paid" (services.payees); a new profile starts at the default.
    if payment_choice is not None and payment_choice not in PaymentChoice.values:
        raise Refused("Choose how you would like to be paid.")
    details = {
        "display_name": display_name,
        "pronouns": _limited(pronouns, 40, "Keep your pronouns to 40 characters or fewer."),
        "contact_preference": contact_preference,
        "phone": phone,
    }
    if payment_choice is not None:
        details["payment_choice"] = payment_choice
    if access_needs_may_be_kept(user, agreeing=agree_to_access_needs):
        needs, other, language = clean_access_needs(
            access_needs=access_needs,
            access_needs_other=access_needs_other,
            interpreter_language=interpreter_language,
        )
        details.update(
            {"access_needs": needs, "access_needs_other": other, "interpreter_language": language}
        )
    profile, created = InvolvementProfile.objects.update_or_create(user=user, defaults=details)
    log(profile, "wagtail.create" if created else "wagtail.edit", user=user)
    return profile


def access_needs_may_be_kept(user, *, agreeing: bool) -> bool:
    """Whether access needs may be stored for ``user`` now: their access needs consent to
    today's wording stands, or they are agreeing to it now (then it is recorded here, so
    the agreement and the needs it covers are saved together)."""
    if has_current_consent(user, ConsentPurpose.ACCESS_NEEDS):
        return True
    if not agreeing:
        return False
    consent_give(user=user, purpose=ConsentPurpose.ACCESS_NEEDS)
    return True


@transaction.atomic
def profile_set_equality_answers(
    *, user, lived_experience: list[str], communities: list[str]
) -> InvolvementProfile:
    """Store the member's private answers, only under a current equality consent. The
    change is audit-logged as a sensitive record (which fields, never their values)."""
    _require_member(user)
    if not has_current_consent(user, ConsentPurpose.EQUALITY):
        raise Refused(
            "Before you answer these questions, agree to us using your answers in anonymous totals."
        )
    profile = InvolvementProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise Refused("Make your involvement profile first.")
    wanted = {
        "lived_experience": _known(LivedExperience, lived_experience, "lived experience"),
        "communities": _known(Community, communities, "communities"),
    }
    changed = [name for name, value in wanted.items() if getattr(profile, name) != value]
    if changed:
        for name in changed:
            setattr(profile, name, wanted[name])
        profile.save(update_fields=[*changed, "updated_at"])
        audit_change(
            user=user,
            instance=profile,
            reason="The member changed their own answers about lived experience and communities",
            fields=changed,
        )
    return profile


def _current_record(user, purpose: str) -> ConsentRecord | None:
    return (
        ConsentRecord.objects.select_for_update()
        .filter(user=user, purpose=purpose, withdrawn_at__isnull=True)
        .first()
    )


@transaction.atomic
def consent_give(*, user, purpose: str) -> ConsentRecord:
    """Record the member's agreement to today's wording for ``purpose``.

    Giving it again changes nothing. An agreement to an older wording is closed (stamped
    withdrawn, kept on record) and a new one made, so there is one agreement in force.
    """
    _require_member(user)
    try:
        purpose = ConsentPurpose(purpose)
    except ValueError:
        raise Refused("Choose what you are agreeing to.") from None
    statement = current_statement(purpose)
    current = _current_record(user, purpose)
    if current is not None and current.version == statement.version:
        return current
    now = timezone.now()
    if current is not None:
        current.withdrawn_at = now
        current.save(update_fields=["withdrawn_at"])
        log(
            current,
            audit_actions.CONSENT_WITHDRAW,
            user=user,
            data={"purpose": purpose.value, "version": current.version, "replaced": True},
        )
    try:
        with transaction.atomic():
            record = ConsentRecord.objects.create(
                user=user,
                purpose=purpose,
                version=statement.version,
                statement=statement.text,
                given_at=now,
            )
    except IntegrityError:
        # The same agreement arrived twice at once (a double click): the first one stands.
        return _current_record(user, purpose)
    log(
        record,
        audit_actions.CONSENT_GIVE,
        user=user,
        data={"purpose": purpose.value, "version": statement.version},
    )
    return record


@transaction.atomic
def consent_withdraw(*, user, purpose: str) -> ConsentRecord | None:
    """Withdraw the member's agreement for ``purpose`` (the record is kept, stamped).

    Withdrawing the equality consent deletes their answers about lived experience and
    communities; withdrawing the access needs consent deletes their access needs from the
    profile and from every application they made. Withdrawing what is already withdrawn
    changes nothing and returns None.
    """
    _require_member(user)
    try:
        purpose = ConsentPurpose(purpose)
    except ValueError:
        raise Refused("Choose which agreement to withdraw.") from None
    current = _current_record(user, purpose)
    if current is None:
        return None
    current.withdrawn_at = timezone.now()
    current.save(update_fields=["withdrawn_at"])
    log(
        current,
        audit_actions.CONSENT_WITHDRAW,
        user=user,
        data={"purpose": purpose.value, "version": current.version},
    )
    if purpose == ConsentPurpose.EQUALITY:
        _delete_equality_answers(user)
    if purpose == ConsentPurpose.ACCESS_NEEDS:
        _delete_access_needs(user)
    return current


def _delete_equality_answers(user) -> None:
    profile = InvolvementProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        return
    answered = [name for name in EQUALITY_FIELDS if getattr(profile, name)]
    if not answered:
        return
    for name in answered:
        setattr(profile, name, [])
    profile.save(update_fields=[*answered, "updated_at"])
    audit_change(
        user=user,
        instance=profile,
        reason="Equality consent withdrawn, so the answers it covered were deleted",
        fields=answered,
    )


def _delete_access_needs(user) -> None:
    """Every access need the person told us, on their profile and on each application,
    whatever its state: the needs were kept only to arrange meetings, and without the
    agreement nobody may arrange them. Meetings' access arrangements stay: they record, per
    meeting, what the people running the panel booked, and name no member."""
    records = [
        *InvolvementProfile.objects.select_for_update().filter(user=user),
        *PanelApplication.objects.select_for_update().filter(applicant=user).order_by("pk"),
    ]
    for record in records:
        held = [name for name in ACCESS_NEEDS_FIELDS if getattr(record, name)]
        if not held:
            continue
        record.access_needs = []
        record.access_needs_other = ""
        record.interpreter_language = ""
        record.save(update_fields=[*ACCESS_NEEDS_FIELDS, "updated_at"])
        audit_change(
            user=user,
            instance=record,
            reason="Access needs consent withdrawn, so the access needs it covered were deleted",
            fields=held,
        )
