"""Who viewed or changed a sensitive record, when and why.

Built on Wagtail's audit log (``wagtail.log_actions``), so entries are append-only rows that
admins read in the Wagtail admin under Reports → Site history, filterable by action and user.
Apps call these functions from their services and views whenever a sensitive record is
viewed, changed, exported or erased.
"""

from wagtail.log_actions import log

from . import data_registry

VIEW = "lep.view"
CHANGE = "lep.change"
EXPORT = "lep.export"
ERASE = "lep.erase"

ACTIONS = {
    VIEW: ("View sensitive record", "Viewed a sensitive record"),
    CHANGE: ("Change sensitive record", "Changed a sensitive record"),
    EXPORT: ("Export sensitive records", "Exported sensitive records"),
    ERASE: ("Erase personal data", "Erased personal data"),
}


def _record(action: str, *, user, instance, reason: str, **data):
    if not reason:
        raise ValueError("An audit entry needs a reason.")
    # Whose record it is (from the registry of personal data), so that person can see
    # who looked at it on "Who has looked at your records".
    about = data_registry.owner_id_of(instance)
    if about is not None:
        data["about"] = about
    return log(instance, action, user=user, data={"reason": reason, **data})


def audit_view(*, user, instance, reason: str):
    """Record that ``user`` looked at ``instance`` and why."""
    return _record(VIEW, user=user, instance=instance, reason=reason)


def audit_change(*, user, instance, reason: str, fields: list[str] | None = None):
    """Record that ``user`` changed ``instance`` (naming fields, never their values)."""
    return _record(CHANGE, user=user, instance=instance, reason=reason, fields=fields or [])


def audit_export(*, user, instance, reason: str, count: int):
    return _record(EXPORT, user=user, instance=instance, reason=reason, count=count)


def audit_erase(*, user, instance, reason: str):
    return _record(ERASE, user=user, instance=instance, reason=reason)
