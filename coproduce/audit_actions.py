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
PAYMENT_POLICY_CHANGE = "coproduce.payment_policy.change"
CONSENT_GIVE = "coproduce.consent.give"
CONSENT_WITHDRAW = "coproduce.consent.withdraw"
SERVICE_CHANGE_NOTIFY = "coproduce.service_change.notify"
FEEDBACK_GIVE = "coproduce.feedback.give"
FEEDBACK_TRIAGE = "coproduce.feedback.triage"
FEEDBACK_THEMES = "coproduce.feedback.themes"
FEEDBACK_HIDE = "coproduce.feedback.hide"
FEEDBACK_UNHIDE = "coproduce.feedback.unhide"
FEEDBACK_QUOTE = "coproduce.feedback.quote"
FEEDBACK_RESPOND = "coproduce.feedback.respond"
FEEDBACK_CLOSE = "coproduce.feedback.close"
FEEDBACK_REOPEN = "coproduce.feedback.reopen"
FEEDBACK_LINK_CHANGE = "coproduce.feedback.link_change"
IMPACT_REPORT_REQUEST = "coproduce.impact_report.request"

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
    PAYMENT_POLICY_CHANGE: (
        "Change payment policy",
        "Changed an organisation's mileage rate or unpaid-claim warning",
    ),
    CONSENT_GIVE: ("Give consent", "Gave consent"),
    CONSENT_WITHDRAW: ("Withdraw consent", "Withdrew consent"),
    SERVICE_CHANGE_NOTIFY: (
        "Tell people about a service change",
        "Emailed the people whose feedback is linked that the change reached a new status",
    ),
    FEEDBACK_GIVE: ("Give feedback", "Gave feedback on an offer"),
    FEEDBACK_TRIAGE: ("Triage feedback", "Triaged feedback"),
    FEEDBACK_THEMES: ("Change feedback themes", "Changed the themes of feedback"),
    FEEDBACK_HIDE: ("Hide feedback", "Hid feedback from the offer page"),
    FEEDBACK_UNHIDE: ("Unhide feedback", "Stopped hiding feedback"),
    FEEDBACK_QUOTE: ("Set feedback quote", "Set the words published from feedback"),
    FEEDBACK_RESPOND: ("Respond to feedback", "Wrote the public response to feedback"),
    FEEDBACK_CLOSE: ("Close feedback", "Closed feedback"),
    FEEDBACK_REOPEN: ("Reopen feedback", "Reopened feedback"),
    FEEDBACK_LINK_CHANGE: ("Link feedback to change", "Linked feedback to a service change"),
    IMPACT_REPORT_REQUEST: ("Ask for impact report", "Asked for a panel impact report"),
}
