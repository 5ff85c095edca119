"""The log actions of the charter, recorded in Wagtail's audit log (Reports → Site history,
and each record's History in the admin)."""

CHARTER_CREATE_FROM_TEMPLATE = "charter.charter.create_from_template"
READING_ENTER = "charter.reading.enter"
READING_SNAPSHOT = "charter.reading.snapshot"
EVIDENCE_UPLOAD = "charter.evidence.upload"
REVIEW_REMIND = "charter.review.remind"
BOARD_REPORT_REQUEST = "charter.board_report.request"

ACTIONS = {
    CHARTER_CREATE_FROM_TEMPLATE: (
        "Create charter from template",
        "Created the charter from the default template",
    ),
    READING_ENTER: ("Enter charter reading", "Entered a reading"),
    READING_SNAPSHOT: ("Snapshot charter reading", "Took a reading from the platform's data"),
    EVIDENCE_UPLOAD: ("Upload charter evidence", "Uploaded evidence"),
    REVIEW_REMIND: ("Remind of charter review", "Reminded the charter lead of a review"),
    BOARD_REPORT_REQUEST: ("Ask for board report", "Asked for the charter board report"),
}
