"""The log actions of co-production, recorded in Wagtail's audit log (Reports → Site
history, and each record's History in the admin), so every change of state can be traced:
who did it, when, and the reason they gave."""

APPLICATION_SUBMIT = "coproduce.application.submit"
APPLICATION_DECIDE = "coproduce.application.decide"
APPLICATION_WITHDRAW = "coproduce.application.withdraw"
MEETING_CANCEL = "coproduce.meeting.cancel"
MEETING_REMIND = "coproduce.meeting.remind"
ACCESS_ARRANGEMENT_RECORD = "coproduce.access_arrangement.record"
CALENDAR_ADDRESS_RESET = "coproduce.calendar.reset"
ATTENDANCE_RECORD = "coproduce.attendance.record"
CLAIM_CREATE = "coproduce.claim.create"
CLAIM_SUBMIT = "coproduce.claim.submit"
CLAIM_RETURN = "coproduce.claim.return"
CLAIM_APPROVE = "coproduce.claim.approve"
CLAIM_PAY = "coproduce.claim.pay"
CLAIM_EXPENSE_ADD = "coproduce.claim.expense_add"
CLAIM_EXPENSE_REMOVE = "coproduce.claim.expense_remove"
CONSENT_GIVE = "coproduce.consent.give"
CONSENT_WITHDRAW = "coproduce.consent.withdraw"

ACTIONS = {
    APPLICATION_SUBMIT: ("Apply to panel", "Applied to join a panel"),
    APPLICATION_DECIDE: ("Decide panel application", "Decided a panel application"),
    APPLICATION_WITHDRAW: ("Withdraw panel application", "Withdrew a panel application"),
    MEETING_CANCEL: ("Cancel meeting", "Cancelled a meeting"),
    MEETING_REMIND: ("Remind of meeting", "Sent meeting reminders to the panel"),
    ACCESS_ARRANGEMENT_RECORD: ("Record access arrangement", "Recorded an access arrangement"),
    CALENDAR_ADDRESS_RESET: ("Reset calendar address", "Reset a calendar feed address"),
    ATTENDANCE_RECORD: ("Record attendance", "Recorded attendance"),
    CLAIM_CREATE: ("Start claim", "Started an involvement claim"),
    CLAIM_SUBMIT: ("Submit claim", "Submitted an involvement claim"),
    CLAIM_RETURN: ("Return claim", "Returned an involvement claim"),
    CLAIM_APPROVE: ("Approve claim", "Approved an involvement claim"),
    CLAIM_PAY: ("Pay claim", "Marked an involvement claim paid"),
    CLAIM_EXPENSE_ADD: ("Add expense to claim", "Added an expense to an involvement claim"),
    CLAIM_EXPENSE_REMOVE: (
        "Remove expense from claim",
        "Removed an expense from an involvement claim",
    ),
    CONSENT_GIVE: ("Give consent", "Gave consent"),
    CONSENT_WITHDRAW: ("Withdraw consent", "Withdrew consent"),
}
