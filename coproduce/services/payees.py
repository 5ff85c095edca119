"""Where a member's payments go: their choice of payment, and their bank details, kept
encrypted and read in full only by finance.

The member chooses on "How you are paid" (bank transfer, vouchers, or no payment for their
time) and, for a bank transfer, gives the account's name, sort code and number. Finance may
type the details in from a form the member sent. Either way the numbers are stored only as
``cms.encryption`` ciphertext, with the last digits in clear for the masked form every page
shows, and the member is told each time their details are entered or changed (never the
numbers, only the masked form), so a change they did not make does not go unnoticed.

Reading the numbers in full (``payee_reveal``, ``bank_details_for``) is for finance of an
organisation the member has a claim with, and administrators; every read is audited, so it
appears on the member's "Who has looked at your records".

The UK modulus check (VocaLink's rules for which account numbers can exist at a sort code)
is not built in: no well-kept Python library implements it with a current weight table, and
an out-of-date table wrongly rejects real accounts. ``PAYEE_MODULUS_CHECKER`` (a dotted path
to ``check(sort_code, account_number) -> bool | None``) plugs one in; without it details
are saved as not checked. When a check says the numbers cannot be right, the member is asked
to look again and confirm, never refused.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.module_loading import import_string

from cms.audit import audit_change, audit_view
from cms.encryption import decrypt, encrypt
from cms.permissions import has_role, in_organisation_scope, is_admin, require
from cms.roles import Role
from cms.site_address import absolute_url

from ..choices import PaymentChoice
from ..models import InvolvementClaim, InvolvementProfile, PayeeDetails
from ..notices import notify
from . import Refused

ModulusCheck = PayeeDetails.ModulusCheck
ACCOUNT_NAME_LIMIT = 70
# What people type between the pairs of a sort code: "12-34-56", "12 34 56", "12.34.56".
SEPARATORS = re.compile(r"[\s\-–—.]+")


@dataclass(frozen=True)
class BankDetails:
    """A member's bank details in full, for finance's bank file."""

    account_name: str
    sort_code: str  # six digits, no separators
    account_number: str  # eight digits


class NeedsConfirming(Refused):
    """The modulus check says these numbers cannot be right: the member looks again and
    confirms, or corrects them."""


# --- Reading what people type -----------------------------------------------------------------


def normalise_sort_code(typed: str) -> str:
    """Six digits, from a sort code as people type it ("12-34-56", "12 34 56", "123456")."""
    text = SEPARATORS.sub("", typed or "")
    if not text:
        raise Refused("Enter a sort code.", field="sort_code")
    if not text.isdigit() or not text.isascii():
        raise Refused(
            "Enter a sort code using numbers only, like 30-99-50.",
            field="sort_code",
        )
    if len(text) != 6:
        raise Refused("A sort code must be 6 numbers, like 30-99-50.", field="sort_code")
    return text


def normalise_account_number(typed: str) -> str:
    """Eight digits. Some accounts have 6 or 7 digit numbers: banks pay them with zeros in
    front, as VocaLink's rules say, so they are padded the same way."""
    text = SEPARATORS.sub("", typed or "")
    if not text:
        raise Refused("Enter an account number.", field="account_number")
    if not text.isdigit() or not text.isascii():
        raise Refused("Enter an account number using numbers only.", field="account_number")
    if len(text) < 6:
        raise Refused("An account number must be between 6 and 8 numbers.", field="account_number")
    if len(text) > 8:
        # 9 and 10 digit numbers are turned into 8 in different ways by different banks:
        # only the bank can say which 8 to use.
        raise Refused(
            "UK account numbers are 8 numbers. If yours is longer, ask your bank or "
            "building society which 8 numbers to use for payments into it.",
            field="account_number",
        )
    return text.rjust(8, "0")


def clean_account_name(typed: str) -> str:
    name = " ".join((typed or "").split())
    if not name:
        raise Refused("Enter the name on the account.", field="account_name")
    if len(name) > ACCOUNT_NAME_LIMIT:
        raise Refused(
            f"Keep the name on the account to {ACCOUNT_NAME_LIMIT} characters or fewer.",
            field="account_name",
        )
    return name


def modulus_check(sort_code: str, account_number: str) -> str:
    """PASSED or the check's doubt (a ``NeedsConfirming`` is raised by the caller), or
    NOT_CHECKED when no check is set up or the sort code is not one it knows."""
    path = getattr(settings, "PAYEE_MODULUS_CHECKER", "")
    if not path:
        return ModulusCheck.NOT_CHECKED
    answer = import_string(path)(sort_code, account_number)
    if answer is None:
        return ModulusCheck.NOT_CHECKED
    return ModulusCheck.PASSED if answer else "failed"


# --- Showing details masked -------------------------------------------------------------------


def masked(details: PayeeDetails) -> str:
    return (
        f"sort code {details.masked_sort_code}, account ending {details.account_number_last_digits}"
    )


def payee_summary(member) -> str | None:
    """The member's bank details in one masked line, or None; nothing is decrypted."""
    details = PayeeDetails.objects.filter(user=member).first()
    return masked(details) if details else None


# --- Who may read and enter them --------------------------------------------------------------


def _claim_organisations(member_ids: Iterable[int]) -> dict[int, set[int]]:
    """Per member, the organisations whose panels they have claims with (one query)."""
    found: dict[int, set[int]] = {}
    rows = InvolvementClaim.objects.filter(member_id__in=list(member_ids)).values_list(
        "member_id", "panel__organisation_id"
    )
    for member_id, organisation_id in rows:
        found.setdefault(member_id, set()).add(organisation_id)
    return found


def finance_may_pay(user, member_ids: Iterable[int]) -> set[int]:
    """Those of ``member_ids`` whose bank details ``user`` may read and enter: any, for an
    administrator; for finance, members with a claim at an organisation in their scope."""
    member_ids = set(member_ids)
    if is_admin(user):
        return member_ids
    if not has_role(user, Role.FINANCE):
        return set()
    return {
        member_id
        for member_id, organisations in _claim_organisations(member_ids).items()
        if any(in_organisation_scope(user, organisation) for organisation in organisations)
    }


def members_finance_pays(user):
    """The members with claims at an organisation ``user`` pays for (finance), or every
    member with a claim (administrators), as a queryset of users."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.all()
    if is_admin(user):
        return users.filter(pk__in=InvolvementClaim.objects.values("member_id"))
    if not has_role(user, Role.FINANCE):
        return users.none()
    claims = InvolvementClaim.objects.all()
    if not (getattr(user, "partnership_wide", False)):
        if not user.organisation_id:
            return users.none()
        claims = claims.filter(panel__organisation_id=user.organisation_id)
    return users.filter(pk__in=claims.values("member_id"))


# --- The member's choice ------------------------------------------------------------------------


@transaction.atomic
def payment_choice_set(*, user, payment_choice: str) -> InvolvementProfile:
    """The member's own choice of how to be paid for their time, kept on their profile."""
    require(user, "coproduce.keep_profile")
    if payment_choice not in PaymentChoice.values:
        raise Refused("Choose how you would like to be paid.", field="payment_choice")
    profile = InvolvementProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise Refused("Make your involvement profile first.")
    if profile.payment_choice != payment_choice:
        profile.payment_choice = payment_choice
        profile.save(update_fields=["payment_choice", "updated_at"])
        audit_change(
            user=user,
            instance=profile,
            reason="The member changed how they would like to be paid",
            fields=["payment_choice"],
        )
    return profile


def missing_for_choice(user, profile) -> str | None:
    """What is missing for the member's choice to work, in words for them, or None."""
    if profile is None or profile.payment_choice != PaymentChoice.PAID:
        return None
    if PayeeDetails.objects.filter(user=user).exists():
        return None
    return (
        "You chose to be paid by bank transfer, but we do not have your bank details yet. "
        "Until you give them, we cannot pay you for your time."
    )


# --- Entering bank details ---------------------------------------------------------------------


@transaction.atomic
def payee_details_save(
    *,
    member,
    by,
    account_name: str,
    sort_code: str,
    account_number: str,
    confirmed: bool = False,
) -> PayeeDetails:
    """Keep ``member``'s bank details, typed by themselves or, from a form they sent, by
    finance (``by``). The numbers are normalised and encrypted; the member is told of every
    new or changed set. Details identical to those kept change nothing and tell nobody.

    When the modulus check doubts the numbers, ``NeedsConfirming`` is raised unless the
    person confirmed they checked them (then they are kept as CONFIRMED).
    """
    entered_by_finance = by.pk != member.pk
    if entered_by_finance:
        require(by, "coproduce.enter_payee_details", member)
    else:
        require(by, "coproduce.keep_profile")
    name = clean_account_name(account_name)
    sort_code = normalise_sort_code(sort_code)
    account_number = normalise_account_number(account_number)
    check = modulus_check(sort_code, account_number)
    if check == "failed":
        if not confirmed:
            raise NeedsConfirming(
                "These numbers do not look like a UK bank account. Check the sort code and "
                "account number against a bank card or statement. If they are right, tick "
                "the box to say so.",
                field="confirmed",
            )
        check = ModulusCheck.CONFIRMED

    existing = PayeeDetails.objects.select_for_update().filter(user=member).first()
    if existing is not None and _same(existing, name, sort_code, account_number):
        return existing
    details = payee_details_build(
        details=existing or PayeeDetails(user=member),
        account_name=name,
        sort_code=sort_code,
        account_number=account_number,
    )
    details.modulus_check = check
    details.entered_by = by
    details.entered_by_finance = entered_by_finance
    details.save()
    audit_change(
        user=by,
        instance=details,
        reason=(
            "Finance entered the member's bank details from a form they sent"
            if entered_by_finance
            else "The member entered their own bank details"
        ),
        fields=["account_name", "sort_code", "account_number"],
    )
    _tell_member(member, details, changed=existing is not None, by_finance=entered_by_finance)
    return details


def payee_details_build(
    *, details: PayeeDetails, account_name: str, sort_code: str, account_number: str
) -> PayeeDetails:
    """``details`` (unsaved changes) holding these bank details as they are kept:
    normalised, encrypted, with the last digits in clear. Also for the demo's bulk load."""
    sort_code = normalise_sort_code(sort_code)
    account_number = normalise_account_number(account_number)
    details.account_name = encrypt(clean_account_name(account_name))
    details.sort_code = encrypt(sort_code)
    details.account_number = encrypt(account_number)
    details.sort_code_last_digits = sort_code[-2:]
    details.account_number_last_digits = account_number[-4:]
    return details


def _same(details: PayeeDetails, name: str, sort_code: str, account_number: str) -> bool:
    try:
        return (
            decrypt(details.account_name) == name
            and decrypt(details.sort_code) == sort_code
            and decrypt(details.account_number) == account_number
        )
    except ValueError:
        return False


def _tell_member(member, details: PayeeDetails, *, changed: bool, by_finance: bool) -> None:
    done = "changed" if changed else "added"
    who = "Our finance team" if by_finance else "You"
    how = " from the form you sent us" if by_finance else ' on the "How you are paid" page'
    body = (
        f"{who} {done} the bank details we pay you into{how}.\n\n"
        f"The account now kept is: {masked(details)}.\n\n"
        "We never show your full bank details in an email.\n\n"
        "If you did not expect this, please tell us straight away, so nobody can take "
        "your payments: sign in, change your password, and contact the team who runs "
        "your panel.\n\n"
        f"See how you are paid: {absolute_url(reverse('coproduce:payment'))}\n"
    )
    notify(
        member,
        "claims",
        subject=f"Your bank details were {done}",
        body=body,
        text=f"Your bank details for involvement payments were {done}. "
        "If this was not you, contact us straight away.",
    )


# --- Reading them in full -----------------------------------------------------------------------


def _details(details: PayeeDetails) -> BankDetails:
    return BankDetails(
        account_name=decrypt(details.account_name),
        sort_code=decrypt(details.sort_code),
        account_number=decrypt(details.account_number),
    )


def _need_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Refused("Say why you need to see the full bank details.", field="reason")
    return reason


@transaction.atomic
def payee_reveal(*, member, user, reason: str) -> BankDetails | None:
    """``member``'s bank details in full for finance, with the reason recorded in the audit
    log (and so on the member's "Who has looked at your records"); None when they have
    none."""
    require(user, "coproduce.read_payee_details", member)
    reason = _need_reason(reason)
    details = PayeeDetails.objects.filter(user=member).first()
    if details is None:
        return None
    audit_view(user=user, instance=details, reason=reason)
    return _details(details)


@transaction.atomic
def bank_details_for(members, *, user, reason: str) -> dict[int, BankDetails]:
    """Full details of those of ``members`` (users) who have them, keyed by user id.
    Refuses (cms.refusals.Refused) unless ``user`` is finance (or admin) for an
    organisation where each member has a claim; audits one view per member read."""
    reason = _need_reason(reason)
    ids = {member.pk for member in members}
    allowed = finance_may_pay(user, ids)
    if ids - allowed:
        raise Refused(
            "You can only see the bank details of members with claims at an organisation "
            "you pay for."
        )
    found = {}
    for details in (
        PayeeDetails.objects.filter(user_id__in=ids).select_related("user").order_by("user_id")
    ):
        audit_view(user=user, instance=details, reason=reason)
        found[details.user_id] = _details(details)
    return found
