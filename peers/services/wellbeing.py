"""Wellbeing check-ins: a worker completes SWEMWBS, and may share a check-in with their
supervisors, stop sharing it, or delete it.

A check-in is the worker's own. Whatever the score, nothing here tells anyone else: no flag,
no email, no count for management. A low score only changes what the worker's own result
page offers them.
"""

from django.db import transaction
from wagtail.log_actions import log

from cms.permissions import require
from cms.sanitise import plain_text

from .. import audit_actions
from .. import wellbeing_scale as scale
from ..models import WellbeingCheckIn
from ..rules import worker_of
from . import Refused

NOTE_MAX = 2000


@transaction.atomic
def wellbeing_check_in(
    *, user, answers: dict[str, int], note: str = "", share: bool = False
) -> WellbeingCheckIn:
    """Record ``user``'s answers to the seven items, scored with the published table."""
    require(user, "peers.check_in")
    worker = worker_of(user)
    missing = [item.wording for item in scale.ITEMS if answers.get(item.field) is None]
    if missing:
        raise Refused(f"Choose an answer for '{missing[0]}'.")
    try:
        raw = scale.raw_score(answers)
    except ValueError:
        raise Refused("Choose one of the five answers for each statement.") from None
    note = plain_text(note).strip()
    if len(note) > NOTE_MAX:
        raise Refused(f"Your note must be {NOTE_MAX:,} characters or fewer.")
    check_in = WellbeingCheckIn.objects.create(
        worker=worker,
        raw_score=raw,
        metric_score=scale.metric_score(raw),
        shared_with_supervisor=share,
        note=note,
        **{field: answers[field] for field in scale.ITEM_FIELDS},
    )
    # The log says a check-in happened, never its score.
    log(check_in, audit_actions.WELLBEING_CHECK_IN, user=user, data={"shared": share})
    return check_in


@transaction.atomic
def wellbeing_share(*, user, check_in: WellbeingCheckIn, shared: bool) -> WellbeingCheckIn:
    """Share a check-in with the worker's supervisors, or stop sharing it."""
    require(user, "peers.share_wellbeing", check_in)
    check_in = WellbeingCheckIn.objects.select_for_update().get(pk=check_in.pk)
    if check_in.shared_with_supervisor == shared:
        return check_in
    check_in.shared_with_supervisor = shared
    check_in.save(update_fields=["shared_with_supervisor"])
    log(
        check_in,
        audit_actions.WELLBEING_SHARE if shared else audit_actions.WELLBEING_UNSHARE,
        user=user,
    )
    return check_in


@transaction.atomic
def wellbeing_delete(*, user, check_in: WellbeingCheckIn) -> None:
    """Delete a check-in for good: it is the worker's to keep or not."""
    require(user, "peers.share_wellbeing", check_in)
    log(check_in, audit_actions.WELLBEING_DELETE, user=user)
    WellbeingCheckIn.objects.filter(pk=check_in.pk).delete()
