"""Who has looked at your records: each time someone else viewed, changed, downloaded or
erased a record about a person, read from the audit log (``cms.audit`` stores whose record it
was as ``data["about"]``).

The person sees when, what was done, which kind of record (named from the registry of
personal data, never by the record's own title, which could name someone else), who did it
and the reason they recorded. Staff act in a professional capacity, so their name is shown
with their role and organisation, as the NHS expects when someone asks who saw their
records; anyone else (a member, a peer worker with no staff role) is shown by role only. An
entry with no account behind it was made by an automatic task.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.shortcuts import render
from django.views.decorators.http import require_GET
from wagtail.log_actions import registry as log_actions
from wagtail.models import ModelLogEntry

from . import audit, params, permissions
from .data_registry import entries_for
from .dates import moment_in_words
from .roles import ROLE_LABELS, STAFF_ROLES, Role

PAGE_SIZE = 25

ACTION_WORDS = {
    audit.VIEW: "Looked at",
    audit.CHANGE: "Changed",
    audit.EXPORT: "Downloaded",
    audit.ERASE: "Erased",
}
SYSTEM = "The system (an automatic task)"


@dataclass(frozen=True)
class Look:
    """One line of the page: a time someone else did something with the person's records."""

    when: datetime
    when_in_words: str
    what: str
    record: str
    done: str
    who: str
    role: str
    organisation: str
    reason: str


def looks_at_records_of(person) -> QuerySet[ModelLogEntry]:
    """Audit entries about ``person`` made by anyone but ``person``, newest first, with
    everything the page shows fetched in a fixed number of queries."""
    return (
        ModelLogEntry.objects.filter(data__about=person.pk)
        .exclude(user_id=person.pk)
        .select_related("content_type", "user__organisation")
        .prefetch_related("user__groups")
        .order_by("-timestamp", "-pk")
    )


def record_in_words(entry: ModelLogEntry) -> str:
    """The kind of record, as the registry of personal data names it for its person."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    if model is None:
        return "A record about you"
    labels = list(dict.fromkeys(entry.label for entry in entries_for(model)))
    if not labels:
        return str(model._meta.verbose_name).capitalize()
    # One kind of record can hold several kinds of data (a profile: contact details and
    # access needs); every one is named, since the person looked at the whole record.
    rest = [label[:1].lower() + label[1:] for label in labels[1:]]
    if not rest:
        return labels[0]
    return ", ".join([labels[0], *rest[:-1]]) + f" and {rest[-1]}"


def action_in_words(action: str) -> str:
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    if log_actions.action_exists(action):
        return str(log_actions.get_action_label(action))
    return "Used"


def _roles_of(user) -> list[Role]:
    """The roles ``user`` holds, read from the prefetched groups (no query per person)."""
    names = {group.name for group in user.groups.all()}
    held = [role for role in Role if role.value in names]
    if user.is_superuser:
        held.append(Role.ADMIN)
    return held


def _who(user) -> tuple[str, str, str]:
    """(name, roles, organisation) of the person who acted; the name only for staff."""
    if user is None:
        return SYSTEM, "", ""
    held = _roles_of(user)
    role = ", ".join(ROLE_LABELS[r] for r in held) or "No role on the platform"
    organisation = user.organisation.name if user.organisation_id else ""
    if set(held) & STAFF_ROLES:
        name = user.get_full_name() or "A member of staff (account since closed)"
    else:
        name = "Someone without a staff role"
    return name, role, organisation


def look_from(entry: ModelLogEntry) -> Look:
    who, role, organisation = _who(entry.user)
    data = entry.data or {}
    what = action_in_words(entry.action)
    record = record_in_words(entry)
    return Look(
        when=entry.timestamp,
        when_in_words=moment_in_words(entry.timestamp),
        what=what,
        record=record,
        done=f"{what} {record[:1].lower()}{record[1:]}",
        who=who,
        role=role,
        organisation=organisation,
        reason=str(data.get("reason") or "No reason was recorded"),
    )


@login_required
@require_GET
def who_looked(request):
    permissions.require(request.user, "cms.view_my_space")
    page_obj = params.paginate(request, looks_at_records_of(request.user), PAGE_SIZE)
    return render(
        request,
        "cms/who_looked.html",
        {"page_obj": page_obj, "looks": [look_from(entry) for entry in page_obj]},
    )
