"""Background entry points of the site shell: each takes ids and calls one service."""

from . import mail, worker


def deliver_email(outbound_id: int) -> str:
    outbound = mail.email_deliver(outbound_id=outbound_id)
    return outbound.status if outbound else "missing"


def retry_pending_email() -> int:
    return mail.email_retry_pending()


def heartbeat() -> int:
    return worker.heartbeat_record(name="worker").runs
