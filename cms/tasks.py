"""Background entry points of the site shell: each takes ids and calls one service."""

from . import jobs, mail, submissions, texts, worker


def deliver_email(outbound_id: int) -> str:
    outbound = mail.email_deliver(outbound_id=outbound_id)
    return outbound.status if outbound else "missing"


def retry_pending_email() -> int:
    return mail.email_retry_pending()


def heartbeat() -> int:
    return worker.heartbeat_record(name="worker").runs


def run_report_job(job_id: str) -> str:
    job = jobs.report_run(job_id=job_id)
    return job.status if job else "missing"


def purge_old_reports() -> int:
    return jobs.reports_purge()


def clear_expired_sessions() -> str:
    from django.core.management import call_command

    call_command("clearsessions")
    return "cleared"


def purge_old_email() -> int:
    return mail.email_purge()


def rescue_stuck_reports() -> int:
    return jobs.reports_rescue()


def purge_old_submission_tokens() -> int:
    return submissions.submissions_purge()


def apply_data_retention(ran_by_id: int | None = None) -> int:
    from . import retention

    try:
        return retention.retention_run(by_id=ran_by_id).total
    except retention.RetentionBusy:
        return 0


def deliver_text(outbound_id: int) -> str:
    outbound = texts.text_deliver(outbound_id=outbound_id)
    return outbound.status if outbound else "missing"


def retry_pending_texts() -> int:
    return texts.text_retry_pending()


def purge_old_texts() -> int:
    return texts.texts_purge()
