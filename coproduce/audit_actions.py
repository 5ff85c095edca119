"""The log actions of co-production, recorded in Wagtail's audit log (Reports → Site
history, and each record's History in the admin), so every change of state can be traced:
who did it, when, and the reason they gave."""

APPLICATION_DECIDE = "coproduce.application.decide"
APPLICATION_WITHDRAW = "coproduce.application.withdraw"
MEETING_CANCEL = "coproduce.meeting.cancel"
ATTENDANCE_RECORD = "coproduce.attendance.record"
CLAIM_CREATE = "coproduce.claim.create"
CLAIM_SUBMIT = "coproduce.claim.submit"
CLAIM_RETURN = "coproduce.claim.return"
CLAIM_APPROVE = "coproduce.claim.approve"
CLAIM_PAY = "coproduce.claim.pay"
CONSENT_GIVE = "coproduce.consent.give"
CONSENT_WITHDRAW = "coproduce.consent.withdraw"

ACTIONS = {
    APPLICATION_DECIDE: ("Decide panel application", "Decided a panel application"),
    APPLICATION_WITHDRAW: ("Withdraw panel application", "Withdrew a panel application"),
    MEETING_CANCEL: ("Cancel meeting", "Cancelled a meeting"),
    ATTENDANCE_RECORD: ("Record attendance", "Recorded attendance"),
    CLAIM_CREATE: ("Start claim", "Started an involvement claim"),
    CLAIM_SUBMIT: ("Submit claim", "Submitted an involvement claim"),
    CLAIM_RETURN: ("Return claim", "Returned an involvement claim"),
    CLAIM_APPROVE: ("Approve claim", "Approved an involvement claim"),
    CLAIM_PAY: ("Pay claim", "Marked an involvement claim paid"),
    CONSENT_GIVE: ("Give consent", "Gave consent"),
    CONSENT_WITHDRAW: ("Withdraw consent", "Withdrew consent"),
}
