"""Closing an account: a person's right to erasure (UK GDPR Article 17), carried out as the
registry of personal data (``cms.data_registry``) says, kind of record by kind of record.

Closing an account, in one transaction:

1. Every record of the person is found first, before anything changes: some are found
   through others (a receipt through its claim) or through the email address (queued
   mail), which are about to go.
2. Records the registry says to delete are deleted, children before parents, so each one's
   stored files go too. A record that a kept record still needs (a ``PROTECT`` link), or
   that another kind of record on the same row says to keep, is not deleted: its details
   are blanked instead where the registry knows how, or it is kept.
3. The person is emailed (through the queue, after their old queued mail was deleted) what
   was deleted, what was kept and why, and whom to ask.
4. Records to anonymise have the registry's fields blanked; records to keep stay, linked to
   an account that no longer has a name or a real email address.
5. The account is closed: it cannot sign in (no usable password, which also ends every
   other session), it holds no role, email address or authenticator.
6. The erasure is written to the audit log and to the register of requests about data.

What a cascade (``on_delete=CASCADE``) takes with a deleted record is part of what the
models declare: it is reported to the person as deleted, honestly, rather than hidden.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.utils import timezone

from . import audit, data_registry, permissions, site_address
from .data_registry import DataClass, Fate, PersonalData
from .dates import day_in_words
from .models import DataRequest, User
from .refusals import Refused

DORMANT_REASON = "Not signed in to for 3 years"
SELF_REASON = "Closed their own account"
# Whoever carries out someone else's erasure request must be allowed to handle such requests.
HANDLE_REQUESTS_RULE = "cms.handle_data_requests"
CONTACT_PATH = "/contact/"
ICO_COMPLAINTS = "https://ico.org.uk/make-a-complaint/"
# The fields of the account itself that closing always blanks.
ACCOUNT_NAME_FIELDS = ("first_name", "last_name")
# How far a deletion's cascade is followed, to report what goes with it.
CASCADE_DEPTH = 4


WHY_DEPENDED_ON = "Other records we must keep depend on them."
WHY_WENT_WITH = "Deleted with the records they belong to."
WHY_ACCOUNT_KEPT = (
    "Your account stays, with no name or email address, so the records we must keep stay "
    "together. Nobody can sign in to it."
)


@dataclass(frozen=True)
class Outcome:
    """What closing an account does (or did) to one kind of the person's records."""

    key: str
    data_class: str
    data_class_label: str
    label: str
    fate: Fate
    count: int
    # For records kept: how long, until when at the latest (when known), and why.
    kept_for: str = ""
    kept_until: date | None = None
    why: str = ""
    # For records anonymised: what is removed from them.
    removed: tuple[str, ...] = ()

    @property
    def fate_label(self) -> str:
        return Fate(self.fate).label

    def in_words(self) -> str:
        """One line, for the email and the register of requests."""
        line = f"{self.label} ({self.count}): {self.fate_label.lower()}"
        if self.removed:
            line += f"; we removed: {', '.join(self.removed)}"
        if self.kept_for:
            line += f"; kept for {self.kept_for}"
            if self.kept_until:
                line += f", until {day_in_words(self.kept_until)} at the latest"
        if self.why:
            line += f". {self.why}"
        return line


@dataclass
class Closure:
    """What closing an account did, kind of record by kind of record."""

    person_id: int
    outcomes: list[Outcome]
    data_request: DataRequest | None = None
    closed_at: object = field(default_factory=timezone.now)

    def _with(self, fate: Fate) -> list[Outcome]:
        return [o for o in self.outcomes if o.fate == fate]

    @property
    def deleted(self) -> list[Outcome]:
        return self._with(Fate.DELETE)

    @property
    def anonymised(self) -> list[Outcome]:
        return self._with(Fate.ANONYMISE)

    @property
    def kept(self) -> list[Outcome]:
        return self._with(Fate.KEEP)

    @property
    def summary(self) -> str:
        return outcomes_in_words(self.outcomes)


def by_fate(outcomes: Iterable[Outcome]) -> dict[str, list[Outcome]]:
    """Outcomes grouped for a page: ``deleted``, ``anonymised`` and ``kept``."""
    closure = Closure(person_id=0, outcomes=list(outcomes))
    return {"deleted": closure.deleted, "anonymised": closure.anonymised, "kept": closure.kept}


def outcomes_in_words(outcomes: Iterable[Outcome]) -> str:
    return "\n".join(outcome.in_words() for outcome in outcomes)


# --- Working out what happens ---------------------------------------------------------------


@dataclass
class _Step:
    """One kind of record: its rows, and what happens to which of them."""

    entry: PersonalData
    pks: set
    # For a "delete" entry: the rows spared (and what they get instead).
    spared: set = field(default_factory=set)
    spared_fate: Fate = Fate.KEEP
    # For a "keep" or "anonymise" entry: rows a deletion elsewhere takes with it.
    cascaded: set = field(default_factory=set)

    @property
    def model(self):
        return self.entry.model._meta.concrete_model

    @property
    def to_delete(self) -> set:
        return self.pks - self.spared

    @property
    def staying(self) -> set:
        return self.pks - self.cascaded


def _plan(person) -> list[_Step]:
    """Every kind of record about ``person`` with what closing does to it, found before
    anything changes."""
    steps = [
        _Step(entry=entry, pks=set(entry.owned_by(person).values_list("pk", flat=True)))
        for entry in data_registry.entries()
    ]
    claimed: dict[type, set] = defaultdict(set)
    for step in steps:
        if step.entry.on_close != Fate.DELETE:
            claimed[step.model] |= step.pks
    deleting = [s for s in steps if s.entry.on_close == Fate.DELETE]
    for step in deleting:
        # Keeping wins over deleting: a row another kind of record says to keep stays.
        step.spared = step.pks & claimed[step.model]
    # Sparing a row can leave another protected; settle in a few bounded passes.
    for _ in range(len(deleting) + 1):
        going = _going(deleting)
        changed = False
        for step in deleting:
            protected = _protected(step.model, step.to_delete, going)
            if protected:
                step.spared |= protected
                changed = True
        if not changed:
            break
    for step in deleting:
        if step.spared:
            step.spared_fate = _fallback(step.entry)
    going = _going(deleting)
    for step in steps:
        if step.entry.on_close != Fate.DELETE:
            step.cascaded = step.pks & going.get(step.model, set())
    return steps


def _going(deleting: list[_Step]) -> dict[type, set]:
    """Every row the deletions take, with what their cascades take along."""
    going: dict[type, set] = defaultdict(set)
    for step in deleting:
        going[step.model] |= step.to_delete
    for step in deleting:
        for model, pks in _cascade(step.model, step.to_delete).items():
            going[model] |= pks
    return going


def _reverse_links(model):
    for rel in model._meta.related_objects:
        if rel.many_to_many or not rel.field.concrete:
            continue
        yield rel


def _cascade(model, pks: set, depth: int = 0) -> dict[type, set]:
    """The rows deleting ``pks`` of ``model`` takes with it through ``CASCADE`` links."""
    found: dict[type, set] = defaultdict(set)
    if not pks or depth >= CASCADE_DEPTH:
        return found
    for rel in _reverse_links(model):
        if rel.on_delete is not models.CASCADE:
            continue
        child = rel.related_model._meta.concrete_model
        child_pks = set(
            child._base_manager.filter(**{f"{rel.field.name}__in": pks}).values_list(
                "pk", flat=True
            )
        )
        if child_pks:
            found[child] |= child_pks
            for below, below_pks in _cascade(child, child_pks, depth + 1).items():
                found[below] |= below_pks
    return found


def _protected(model, pks: set, going: dict[type, set]) -> set:
    """Rows of ``pks`` that a record which stays links to with ``PROTECT`` or ``RESTRICT``:
    deleting them would fail, and the record that stays needs them."""
    protected = set()
    if not pks:
        return protected
    for rel in _reverse_links(model):
        if rel.on_delete not in (models.PROTECT, models.RESTRICT):
            continue
        child = rel.related_model._meta.concrete_model
        staying = child._base_manager.filter(**{f"{rel.field.name}__in": pks}).exclude(
            pk__in=going.get(child, set())
        )
        protected |= set(staying.values_list(rel.field.attname, flat=True))
    return protected


def _fallback(entry: PersonalData) -> Fate:
    """What a row that cannot be deleted gets: its details blanked, where the registry
    knows how, or else it is kept."""
    try:
        entry.blanks()
    except ImproperlyConfigured:
        return Fate.KEEP
    return Fate.ANONYMISE


# --- Describing it -------------------------------------------------------------------------


def _is_the_account(entry: PersonalData) -> bool:
    return entry.owner_q is None and not entry.owner and entry.model is User


def _in_a_sentence(words: str) -> str:
    """A field's name as it reads mid-sentence: "What went well" → "what went well",
    but "BSL interpreter" stays as it is."""
    return words if words[:2].isupper() else words[:1].lower() + words[1:]


def _removed_fields(entry: PersonalData) -> tuple[str, ...]:
    names = entry.blanks().keys()
    return tuple(
        _in_a_sentence(str(entry.model._meta.get_field(name).verbose_name)) for name in names
    )


def _kept_until(entry: PersonalData, pks: set) -> date | None:
    """The latest date these rows' time limit ends, when every one of them is on the
    clock; None when some are not (their clock has not started) or it depends on more."""
    retention = entry.retention
    if not retention.counted_from or retention.only is not None or not pks:
        return None
    counted = retention.counted_from
    found = entry.model._default_manager.filter(pk__in=pks).aggregate(
        latest=Max(counted),
        undated=Count("pk", filter=Q(**{f"{counted}__isnull": True}), distinct=True),
    )
    latest = found["latest"]
    if latest is None or found["undated"]:
        return None
    if hasattr(latest, "tzinfo"):
        latest = timezone.localtime(latest).date() if timezone.is_aware(latest) else latest.date()
    return latest + retention.period


def _outcome(entry: PersonalData, fate: Fate, pks: set, why: str = "") -> Outcome:
    outcome = {
        "key": entry.key,
        "data_class": str(entry.data_class),
        "data_class_label": DataClass(entry.data_class).label,
        "label": entry.label,
        "fate": fate,
        "count": len(pks),
        "why": why,
    }
    if fate == Fate.ANONYMISE:
        outcome["removed"] = _removed_fields(entry)
    elif fate == Fate.KEEP and _is_the_account(entry):
        outcome["why"] = why or WHY_ACCOUNT_KEPT
    elif fate == Fate.KEEP:
        if entry.retention.counted_from:
            outcome["kept_for"] = entry.retention.words
            outcome["kept_until"] = _kept_until(entry, pks)
        outcome["why"] = why or entry.retention.reason
    return Outcome(**outcome)


def _outcomes(steps: list[_Step]) -> list[Outcome]:
    outcomes = []
    for step in steps:
        entry = step.entry
        if entry.on_close == Fate.DELETE:
            parts = [
                (Fate.DELETE, step.to_delete, ""),
                (step.spared_fate, step.spared, WHY_DEPENDED_ON),
            ]
        else:
            parts = [
                (entry.on_close, step.staying, ""),
                (Fate.DELETE, step.cascaded, WHY_WENT_WITH),
            ]
        for fate, pks, why in parts:
            if pks:
                outcomes.append(_outcome(entry, fate, pks, why))
    order = {data_class: index for index, data_class in enumerate(DataClass)}
    return sorted(outcomes, key=lambda o: order[DataClass(o.data_class)])


def what_closing_does(person) -> list[Outcome]:
    """What closing ``person``'s account would do to each kind of their records (with how
    many there are), for the page that asks them to confirm. Changes nothing."""
    return _outcomes(_plan(person))


# --- Closing --------------------------------------------------------------------------------


def close_account(person, *, by, reason: str, request: DataRequest | None = None) -> Closure:
    """Close ``person``'s account and erase their data as the registry says.

    ``by`` is the person themselves, a member of staff carrying out their erasure request
    (``request``, or else their open erasure request on the register), or None when the
    retention task closes an account nobody has used for years. Raises ``Refused``.
    """
    if not reason:
        raise ValueError("Closing an account needs a reason.")
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        _refuse_if_not_allowed(person, by=by)
        answered = _requests_answered(person, by=by, request=request)
        old_email = person.email
        steps = _plan(person)
        outcomes = _outcomes(steps)
        _delete(steps)
        # After the person's queued mail was deleted, before their address is removed.
        _tell_the_person(old_email, outcomes)
        _anonymise(steps)
        _close(person)
        person.refresh_from_db()
        audit.audit_erase(user=by, instance=person, reason=reason)
        closure = Closure(person_id=person.pk, outcomes=outcomes)
        closure.data_request = _record_request(person, by=by, answered=answered, closure=closure)
    return closure


def close_dormant_accounts(rows) -> int:
    """Close each account in ``rows`` (nobody has signed in to them for years), as if its
    owner had: the registry's ``expire`` hook for accounts. Administrators' accounts are
    skipped (an unused one is for a person to remove, so the site is never left without
    one). Returns how many were closed."""
    closed = 0
    for pk in list(rows.filter(is_superuser=False).values_list("pk", flat=True)):
        person = User.objects.filter(pk=pk, is_active=True).first()
        if person is None:
            continue
        try:
            close_account(person, by=None, reason=DORMANT_REASON)
        except Refused:
            continue
        closed += 1
    return closed


def _refuse_if_not_allowed(person, *, by) -> None:
    if not person.is_active:
        raise Refused("This account is already closed.")
    if by is not None and by.pk != person.pk and not permissions.can(by, HANDLE_REQUESTS_RULE):
        raise Refused("Only administrators can close someone else’s account.")
    if person.is_superuser:
        others = (
            User.objects.select_for_update()
            .filter(is_superuser=True, is_active=True)
            .exclude(pk=person.pk)
        )
        if not others.exists():
            raise Refused(
                "This is the only administrator account. Make someone else an administrator "
                "first, so the site is never left without one."
            )


def _requests_answered(person, *, by, request) -> list[DataRequest]:
    """The erasure requests on the register this closure answers."""
    if request is not None:
        if request.person_id != person.pk or request.kind != DataRequest.Kind.ERASURE:
            raise ValueError("That is not an erasure request from this person.")
        return [request]
    if by is None or by.pk == person.pk:
        return []
    answered = list(
        DataRequest.objects.filter(
            person=person, kind=DataRequest.Kind.ERASURE, status=DataRequest.Status.OPEN
        )
    )
    if not answered:
        raise Refused(
            "Record their request first (how it reached us and how you checked who they "
            "are), then close the account from it."
        )
    return answered


def _children_first(steps: list[_Step]) -> list[_Step]:
    """Order deletions so a record is deleted before one it links to: each goes through
    ``erase`` itself, which removes its stored files, rather than by a parent's cascade."""
    links_to = {
        step.model: {
            f.related_model._meta.concrete_model
            for f in step.model._meta.concrete_fields
            if f.many_to_one and f.related_model is not None
        }
        for step in steps
    }
    pending = list(steps)
    ordered = []
    for _ in range(len(steps) + 1):
        if not pending:
            break
        ready = [
            step
            for step in pending
            if not any(
                step.model in links_to[other.model]
                for other in pending
                if other.model is not step.model
            )
        ] or pending
        ordered.extend(ready)
        placed = {id(step) for step in ready}
        pending = [step for step in pending if id(step) not in placed]
    return ordered


def _rows(step: _Step, pks: set) -> models.QuerySet:
    return step.entry.model._default_manager.filter(pk__in=pks)


def _delete(steps: list[_Step]) -> None:
    deleting = [s for s in steps if s.entry.on_close == Fate.DELETE]
    for step in _children_first(deleting):
        if step.to_delete:
            data_registry.erase(step.entry, _rows(step, step.to_delete), Fate.DELETE)


def _anonymise(steps: list[_Step]) -> None:
    for step in steps:
        if step.entry.on_close == Fate.DELETE:
            if step.spared and step.spared_fate == Fate.ANONYMISE:
                data_registry.erase(step.entry, _rows(step, step.spared), Fate.ANONYMISE)
            continue
        if step.staying:
            data_registry.erase(step.entry, _rows(step, step.staying), step.entry.on_close)


def _account_blanks() -> dict:
    """The name and email address a closed account is left with: blank, and the email
    address the registry gives a closed account (it must stay unique)."""
    values = dict.fromkeys(ACCOUNT_NAME_FIELDS, "")
    for entry in data_registry.entries_for(User):
        blank_email = entry.blank_values.get("email")
        if blank_email is not None:
            values["email"] = blank_email
    if "email" not in values:
        raise ImproperlyConfigured("The registry gives no blank email address for an account.")
    return values


def _close(person) -> None:
    """The account can no longer be used by anyone."""
    EmailAddress.objects.filter(user=person).delete()
    Authenticator.objects.filter(user=person).delete()
    person.groups.clear()
    person.user_permissions.clear()
    # An unusable password: nobody can sign in, and every other session's hash stops
    # matching, so each is signed out on its next request.
    User.objects.filter(pk=person.pk).update(
        is_active=False,
        is_superuser=False,
        is_staff=False,
        partnership_wide=False,
        password=make_password(None),
        **_account_blanks(),
    )


def _tell_the_person(email: str, outcomes: list[Outcome]) -> None:
    body = render_to_string(
        "cms/email/account_closed.txt",
        {
            **by_fate(outcomes),
            "contact_url": site_address.absolute_url(CONTACT_PATH),
            "ico_url": ICO_COMPLAINTS,
        },
    )
    send_mail("Your account is closed", body, None, [email])


def _record_request(person, *, by, answered, closure: Closure) -> DataRequest | None:
    """The register of requests about data shows the erasure was done, and when."""
    now = timezone.now()
    outcome = closure.summary
    if answered:
        for request in answered:
            request.status = DataRequest.Status.DONE
            request.completed_at = now
            request.outcome = outcome
            request.save(update_fields=["status", "completed_at", "outcome"])
        return answered[0]
    if by is None:
        # Not a request: the retention task closed an unused account (the audit log says so).
        return None
    return DataRequest.objects.create(
        person=person,
        kind=DataRequest.Kind.ERASURE,
        channel=DataRequest.Channel.SITE,
        received_on=timezone.localdate(now),
        identity_checked="Signed in to their own account and confirmed it with their password.",
        status=DataRequest.Status.DONE,
        completed_at=now,
        outcome=outcome,
    )
