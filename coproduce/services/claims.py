"""Involvement claims from attendance to payment: create, check, submit, approve or return,
pay. Each change of state is logged in Wagtail's audit log and guarded so that it happens
once, even when two people (or two browser tabs) try at the same moment."""

from django.db import transaction
from wagtail.log_actions import log

from .. import audit_actions
from ..choices import PaymentChoice
from ..models import Attendance, InvolvementClaim, InvolvementProfile


@transaction.atomic
def claim_create_for_attendance(*, attendance: Attendance, user) -> InvolvementClaim | None:
    """Start a draft claim when a member attended; idempotent (one claim per attendance).

    Hours default to the attendance's hours, or the meeting's length; the rate and the
    member's payment choice are copied so later changes to either do not alter the claim.
    Returns None when the attendance is not "attended".
    """
    if attendance.status != Attendance.Status.ATTENDED:
        return None
    existing = InvolvementClaim.objects.filter(attendance=attendance).first()
    if existing is not None:
        return existing
    meeting = attendance.meeting
    panel = meeting.panel
    profile = InvolvementProfile.objects.filter(user_id=attendance.member_id).first()
    claim = InvolvementClaim.objects.create(
        attendance=attendance,
        member_id=attendance.member_id,
        panel=panel,
        hours=attendance.hours if attendance.hours is not None else meeting.hours,
        hourly_rate=panel.hourly_rate,
        payment_choice=profile.payment_choice if profile else PaymentChoice.PAID,
    )
    log(claim, audit_actions.CLAIM_CREATE, user=user)
    return claim
