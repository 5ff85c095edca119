"""What happens when a service change moves on: the members whose feedback is linked to it
are told, and the people who sign changes off are asked to.

Members hear once per change and status (planned, in progress, done): a
``ServiceChangeNotice`` row is made for each person told, under a unique constraint, so
publishing a page again, a task run twice or two workers at once send nothing twice.
The work runs in the task queue (``coproduce.tasks.notify_service_change``), so publishing
never waits for, or fails because of, the emails.
"""

import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django_q.tasks import async_task
from wagtail.admin.mail import EmailNotificationMixin, Notifier
from wagtail.log_actions import log
from wagtail.models import TaskState

from cms import site_address
from cms.permissions import visible_to

from .. import audit_actions
from ..models import ServiceChangeNotice, ServiceChangePage
from ..models.changes import PanelSignOffTask, panel_under_review
from ..notices import notify
from ..selectors.changes import people_to_tell, people_who_sign_off

logger = logging.getLogger(__name__)

SUBJECTS = {
    ServiceChangePage.Status.PLANNED: "A change is planned because of feedback you gave",
    ServiceChangePage.Status.IN_PROGRESS: "Work has started on a change you asked for",
    ServiceChangePage.Status.DONE: "A change you asked for has been made",
}


def service_change_notify_queue(*, page: ServiceChangePage) -> None:
    """Queue telling the members linked to ``page`` about its status, once the publishing
    transaction commits (so the worker finds the page as published)."""

    def enqueue():
        async_task(
            "coproduce.tasks.notify_service_change",
            page.pk,
            task_name=f"service-change-{page.pk}-{page.status}",
        )

    # Like email: tests run tasks inline at once, inside a transaction that never commits.
    if settings.EMAIL_QUEUE_ON_COMMIT:
        transaction.on_commit(enqueue)
    else:
        enqueue()


@transaction.atomic
def service_change_notify_members(*, page_id: int) -> int:
    """Email each member whose feedback is linked to the change, and who has not heard of
    its current status yet, with a link to the page; returns how many were told.

    Only a change the public can read is told about: a draft, or a page made private,
    tells nobody (the link would not open for them).
    """
    page = (
        visible_to(AnonymousUser(), ServiceChangePage)
        .select_for_update()
        .filter(pk=page_id)
        .first()
    )
    if page is None:
        return 0
    status = page.status
    told = 0
    for person in people_to_tell(page, status=status):
        try:
            with transaction.atomic():
                ServiceChangeNotice.objects.create(page=page, user=person.user, status=status)
        except IntegrityError:
            continue  # told already, by another run at the same moment
        _email(page, person)
        told += 1
    if told:
        log(page, audit_actions.SERVICE_CHANGE_NOTIFY, data={"status": status, "people": told})
    return told


def _email(page: ServiceChangePage, person) -> None:
    url = page.get_full_url()
    if not url:  # no site serves the page: make the best address we can
        url = site_address.absolute_url(page.url or "/")
    context = {
        "name": person.name,
        "offers": person.offers,
        "page": page,
        "status": page.get_status_display().lower(),
        "what_changed": page.summary or strip_tags(page.what_changed),
        "url": url,
    }
    notify(
        person.user,
        "changes",
        subject=SUBJECTS[page.status],
        body=render_to_string(f"coproduce/email/service_change_{page.status}.txt", context),
        panel=page.panel if page.panel_id else None,
        link=url,
    )


class SignOffRequestNotifier(EmailNotificationMixin, Notifier):
    """Wagtail's own moderation email, for panel sign-off: when a change reaches the step,
    its panel's facilitators (or, with no panel, the editors) are asked to look at it.
    Wagtail emails only the groups of its group approval tasks, so without this nobody
    would know a change was waiting. People's Wagtail notification settings still apply."""

    notification = "submitted"

    def __init__(self):
        super().__init__((TaskState,))

    def can_handle(self, instance, **kwargs):
        return super().can_handle(instance, **kwargs) and isinstance(
            instance.task.specific, PanelSignOffTask
        )

    def _page(self, task_state):
        return task_state.workflow_state.content_object.specific

    def get_recipient_users(self, task_state, **kwargs):
        people = people_who_sign_off(panel_under_review(self._page(task_state)))
        triggering_user = kwargs.get("user")
        if triggering_user is not None:
            people = people.exclude(pk=triggering_user.pk)
        return set(people)

    def get_template_set(self, instance, **kwargs):
        return {
            "subject": "coproduce/email/service_change_sign_off_subject.txt",
            "text": "coproduce/email/service_change_sign_off.txt",
            # The site sends plain-text email only; this is used only if
            # WAGTAILADMIN_NOTIFICATION_USE_HTML is ever turned on.
            "html": "coproduce/email/service_change_sign_off.txt",
        }

    def get_context(self, task_state, **kwargs):
        context = super().get_context(task_state, **kwargs)
        page = self._page(task_state)
        context.update(
            {
                "page": page,
                "title": page.get_admin_display_title(),
                "task": task_state.task.specific,
                "panel": panel_under_review(page),
                "requested_by": task_state.workflow_state.requested_by,
                "base_url": site_address.site_url(),
            }
        )
        return context


sign_off_request_notifier = SignOffRequestNotifier()
