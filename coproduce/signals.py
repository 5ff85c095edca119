"""Decoupled side effects of co-production, connected in CoproduceConfig.ready: each hands
the event to a service and holds no logic of its own.

- A service change is published: queue telling the members whose feedback is linked.
- A service change reaches panel sign-off: ask its facilitators (Wagtail's moderation
  email, for our task).
"""

from wagtail.models import TaskState
from wagtail.signals import page_published, task_submitted


def _service_change_published(sender, instance, **kwargs):
    from .services.changes import service_change_notify_queue

    service_change_notify_queue(page=instance)


def connect() -> None:
    from .models import ServiceChangePage
    from .services.changes import sign_off_request_notifier

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
