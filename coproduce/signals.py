"""Decoupled side effects of co-production, connected in CoproduceConfig.ready: each hands
the event to a service and holds no logic of its own.

- A service change is published: queue telling the members whose feedback is linked.
- Feedback is given, changed or deleted: recount its month's totals for the trends page.
- A service change reaches panel sign-off: ask its facilitators (Wagtail's moderation
  email, for our task), and ask the members of its panel to read the draft and answer.
"""

from contextlib import contextmanager

from wagtail.models import TaskState
from wagtail.signals import page_published, task_submitted


def _service_change_published(sender, instance, **kwargs):
    from .services.changes import service_change_notify_queue

    service_change_notify_queue(page=instance)


def _sign_off_requested(sender, instance, **kwargs):
    from .services.sign_off import sign_off_requested

    sign_off_requested(task_state=instance)


def connect() -> None:
    from .models import ServiceChangePage
    from .services.changes import sign_off_request_notifier
    from .services.feedback_totals import connect_feedback_totals

    connect_feedback_totals()

    page_published.connect(
        _service_change_published,
        sender=ServiceChangePage,
        dispatch_uid="coproduce-service-change-published",
    )
    task_submitted.connect(
        sign_off_request_notifier,
        sender=TaskState,
        dispatch_uid="coproduce-service-change-sign-off-requested",
    )
    task_submitted.connect(
        _sign_off_requested,
        sender=TaskState,
        dispatch_uid="coproduce-service-change-members-asked",
    )


@contextmanager
def notices_held_back():
    """Nobody is told of what happens inside (the demo loader's changes and sign-offs are
    history, not news): the receivers that tell people are disconnected, then put back."""
    from wagtail.admin.signal_handlers import (
        workflow_approval_email_notifier,
        workflow_submission_email_notifier,
    )
    from wagtail.models import WorkflowState
    from wagtail.signals import workflow_approved, workflow_submitted

    from .models import ServiceChangePage
    from .services.changes import sign_off_request_notifier

    held = [
        # Wagtail's own emails to moderators.
        (
            workflow_submitted,
            workflow_submission_email_notifier,
            WorkflowState,
            "workflow_state_submitted_email_notification",
        ),
        (
            workflow_approved,
            workflow_approval_email_notifier,
            WorkflowState,
            "workflow_state_approved_email_notification",
        ),
        (
            page_published,
            _service_change_published,
            ServiceChangePage,
            "coproduce-service-change-published",
        ),
        (
            task_submitted,
            sign_off_request_notifier,
            TaskState,
            "coproduce-service-change-sign-off-requested",
        ),
        (task_submitted, _sign_off_requested, TaskState, "coproduce-service-change-members-asked"),
    ]
    for signal, _receiver, sender, uid in held:
        signal.disconnect(sender=sender, dispatch_uid=uid)
    try:
        yield
    finally:
        for signal, receiver, sender, uid in held:
            signal.connect(receiver, sender=sender, dispatch_uid=uid)
