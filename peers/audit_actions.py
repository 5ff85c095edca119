"""The log actions of peer work, recorded in Wagtail's audit log, so every change of state
(and every look at a case record's notes) can be traced: who, when and why. Each topic adds
its own constants and ``ACTIONS`` entries here."""

ACTIONS: dict[str, tuple[str, str]] = {}

# --- Supervision and wellbeing -------------------------------------------------------------
SUPERVISION_RECORD = "peers.supervision.record"
SUPERVISION_ACTION_ADD = "peers.supervision.action_add"
SUPERVISION_ACTION_DONE = "peers.supervision.action_done"
SUPERVISION_ACTION_REOPEN = "peers.supervision.action_reopen"
SUPERVISION_REMIND = "peers.supervision.remind"
WELLBEING_CHECK_IN = "peers.wellbeing.check_in"
WELLBEING_SHARE = "peers.wellbeing.share"
WELLBEING_UNSHARE = "peers.wellbeing.unshare"
WELLBEING_DELETE = "peers.wellbeing.delete"

ACTIONS.update(
    {
        SUPERVISION_RECORD: ("Record supervision", "Recorded a supervision"),
        SUPERVISION_ACTION_ADD: ("Add supervision action", "Added an action to a supervision"),
        SUPERVISION_ACTION_DONE: ("Complete supervision action", "Marked an action done"),
        SUPERVISION_ACTION_REOPEN: ("Reopen supervision action", "Marked an action not done"),
        SUPERVISION_REMIND: ("Remind of overdue supervision", "Sent overdue-supervision reminders"),
        WELLBEING_CHECK_IN: ("Wellbeing check-in", "Completed a wellbeing check-in"),
        WELLBEING_SHARE: ("Share wellbeing check-in", "Shared a check-in with supervisors"),
        WELLBEING_UNSHARE: ("Stop sharing wellbeing check-in", "Stopped sharing a check-in"),
        WELLBEING_DELETE: ("Delete wellbeing check-in", "Deleted a wellbeing check-in"),
    }
)

# --- Session logs and safeguarding ----------------------------------------------------------
SESSION_DELETE = "peers.session.delete"
CONCERN_RAISE = "peers.concern.raise"
CONCERN_ALERT = "peers.concern.alert"
CONCERN_ACKNOWLEDGE = "peers.concern.acknowledge"
CONCERN_ESCALATE = "peers.concern.escalate"

ACTIONS.update(
    {
        SESSION_DELETE: ("Delete session log", "Deleted a session log"),
        CONCERN_RAISE: ("Raise safeguarding concern", "Raised a safeguarding concern"),
        CONCERN_ALERT: ("Alert of safeguarding concern", "Emailed the alert of a concern"),
        CONCERN_ACKNOWLEDGE: (
            "Acknowledge safeguarding concern",
            "Acknowledged a safeguarding concern and recorded the action taken",
        ),
        CONCERN_ESCALATE: (
            "Escalate safeguarding concern",
            "Told HR that no supervisor had picked a concern up in time",
        ),
    }
)

# --- Recruitment ---------------------------------------------------------------------------
VACANCY_PUBLISH = "peers.vacancy.publish"
VACANCY_CLOSE = "peers.vacancy.close"
JOB_APPLICATION_SUBMIT = "peers.job_application.submit"
JOB_APPLICATION_STAGE = "peers.job_application.stage"
JOB_APPLICATION_WITHDRAW = "peers.job_application.withdraw"
JOB_APPLICATION_ADJUSTMENTS = "peers.job_application.adjustments"
JOB_APPLICATION_CHECK = "peers.job_application.check"
JOB_APPLICATION_FEEDBACK = "peers.job_application.feedback"

ACTIONS.update(
    {
        VACANCY_PUBLISH: ("Publish vacancy", "Published a peer-role vacancy"),
        VACANCY_CLOSE: ("Close vacancy", "Closed a peer-role vacancy"),
        JOB_APPLICATION_SUBMIT: ("Apply for a peer role", "Applied for a peer role"),
        JOB_APPLICATION_STAGE: (
            "Move job application",
            "Moved a job application to another stage",
        ),
        JOB_APPLICATION_WITHDRAW: ("Withdraw job application", "Withdrew a job application"),
        JOB_APPLICATION_ADJUSTMENTS: (
            "Agree reasonable adjustments",
            "Recorded the reasonable adjustments agreed",
        ),
        JOB_APPLICATION_CHECK: (
            "Record pre-employment check",
            "Recorded a pre-employment check",
        ),
        JOB_APPLICATION_FEEDBACK: (
            "Offer feedback to candidate",
            "Recorded feedback offered to an unsuccessful candidate",
        ),
    }
)

# --- Progression pathway and induction ------------------------------------------------------
EVIDENCE_ADD = "peers.pathway.evidence_add"
TRAINING_RECORD = "peers.pathway.training_record"
COMPETENCE_SIGN_OFF = "peers.pathway.sign_off"
PROGRESSION_REVIEW = "peers.pathway.review"
INDUCTION_CREATE = "peers.induction.create"
INDUCTION_ITEM_DONE = "peers.induction.item_done"
INDUCTION_ITEM_UNDONE = "peers.induction.item_undone"
PORTFOLIO_DOWNLOAD = "peers.pathway.portfolio"

ACTIONS.update(
    {
        EVIDENCE_ADD: ("Add competence evidence", "Added evidence for a competence"),
        TRAINING_RECORD: ("Record training", "Recorded a completed training course"),
        COMPETENCE_SIGN_OFF: ("Sign off competence", "Signed off a competence"),
        PROGRESSION_REVIEW: ("Record progression review", "Recorded a progression review"),
        INDUCTION_CREATE: ("Start induction", "Started an induction checklist"),
        INDUCTION_ITEM_DONE: ("Tick induction item", "Marked an induction item done"),
        INDUCTION_ITEM_UNDONE: ("Untick induction item", "Marked an induction item not done"),
        PORTFOLIO_DOWNLOAD: ("Download portfolio", "Downloaded a portfolio"),
    }
)

# --- Worker records ------------------------------------------------------------------------
WORKER_ROLE_GRANT = "peers.worker.role_grant"
WORKER_LEAVE = "peers.worker.leave"

ACTIONS.update(
    {
        WORKER_ROLE_GRANT: ("Give peer worker role", "Gave the person the peer worker role"),
        WORKER_LEAVE: ("Mark peer worker as left", "Marked a peer worker as left"),
    }
)
