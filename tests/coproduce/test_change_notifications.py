"""Members whose feedback is linked to a service change hear about it by email, through the
task queue: when it is first published and each time its status moves on, once per
person and status, whatever happens twice."""

import pytest
import time_machine
from django.core import mail
from wagtail.models import ModelLogEntry, PageLogEntry, PageViewRestriction

from coproduce import audit_actions
from coproduce.models import ServiceChangeNotice, ServiceChangePage
from coproduce.services.changes import service_change_notify_members
from coproduce.tasks import notify_service_change
from tests.factories import (
    FeedbackFactory,
    InvolvementProfileFactory,
    MemberFactory,
    OfferPageFactory,
    ServiceChangePageFactory,
    service_changes_index,
)

pytestmark = pytest.mark.django_db

PLANNED = ServiceChangePage.Status.PLANNED
IN_PROGRESS = ServiceChangePage.Status.IN_PROGRESS
DONE = ServiceChangePage.Status.DONE


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel("2026-12-01 10:00 +00:00", tick=False):
        yield


def to(person) -> list:
    return [message for message in mail.outbox if message.to == [person.email]]


def draft_with_feedback(*authors, status=PLANNED, offer=None) -> ServiceChangePage:
    """A change saved as a draft, with feedback from ``authors`` linked to it."""
    index = service_changes_index()
    page = ServiceChangePage(
        title="Evening opening at the café",
        slug="evening-opening",
        what_people_said="<p>People said the café closed too early.</p>",
        what_changed="<p>The café now opens until 11pm on weekdays.</p>",
        status=status,
        live=False,
    )
    index.add_child(instance=page)
    page.save_revision()
    for author in authors:
        FeedbackFactory(author=author, service_change=page, **({"offer": offer} if offer else {}))
    return page


def publish(page: ServiceChangePage, *, status: str | None = None) -> ServiceChangePage:
    page = ServiceChangePage.objects.get(pk=page.pk)
    if status:
        page.status = status
    page.save_revision().publish()
    return page


def test_members_with_linked_feedback_are_told_when_the_change_is_first_published():
    offer = OfferPageFactory(title="Crisis Cafe")
    member = MemberFactory(first_name="Sam")
    InvolvementProfileFactory(user=member, display_name="Sammy")
    page = draft_with_feedback(member, offer=offer)
    assert mail.outbox == []  # a draft tells nobody
    publish(page)
    [message] = to(member)
    assert message.subject == "A change is planned because of feedback you gave"
    assert message.body.startswith("Hello Sammy,")
    assert "Thank you for the feedback you gave about Crisis Cafe." in message.body
    assert "Evening opening at the café" in message.body
    assert "The café now opens until 11pm on weekdays." in message.body
    assert "http://testserver/you-said-we-did/evening-opening/" in message.body
    assert "<p>" not in message.body


def test_publishing_again_sends_nothing_more():
    member = MemberFactory()
    page = draft_with_feedback(member)
    publish(page)
    publish(page)
    page = publish(page)
    assert len(to(member)) == 1
    assert ServiceChangeNotice.objects.filter(page=page, user=member).count() == 1


def test_each_status_is_told_once_as_the_change_moves_on():
    member = MemberFactory()
    page = draft_with_feedback(member)
    publish(page)
    publish(page, status=IN_PROGRESS)
    publish(page, status=IN_PROGRESS)
    publish(page, status=DONE)
    assert [message.subject for message in to(member)] == [
        "A change is planned because of feedback you gave",
        "Work has started on a change you asked for",
        "A change you asked for has been made",
    ]
    # Put back to "in progress" (a correction), then done again: they were told already.
    publish(page, status=IN_PROGRESS)
    publish(page, status=DONE)
    assert len(to(member)) == 3


def test_a_change_first_published_as_done_sends_one_email():
    member = MemberFactory()
    publish(draft_with_feedback(member, status=DONE))
    [message] = to(member)
    assert message.subject == "A change you asked for has been made"


def test_a_person_with_several_linked_feedback_gets_one_email():
    member = MemberFactory()
    page = draft_with_feedback(member, member, member)
    publish(page)
    assert len(to(member)) == 1


def test_everyone_linked_is_told_and_nobody_else():
    first, second, unlinked = MemberFactory(), MemberFactory(), MemberFactory()
    page = draft_with_feedback(first, second)
    FeedbackFactory(author=unlinked)
    publish(page)
    assert len(to(first)) == len(to(second)) == 1
    assert to(unlinked) == []


def test_public_feedback_and_feedback_written_down_by_a_peer_worker_tell_nobody():
    page = draft_with_feedback()
    FeedbackFactory(public=True, service_change=page)
    peer_recorded = FeedbackFactory(on_behalf=True, service_change=page)
    publish(page)
    assert mail.outbox == []
    assert to(peer_recorded.recorded_by) == []


def test_people_whose_account_is_closed_are_not_emailed():
    member = MemberFactory()
    member.is_active = False
    member.save()
    publish(draft_with_feedback(member))
    assert mail.outbox == []


def test_a_private_change_tells_nobody():
    member = MemberFactory()
    page = draft_with_feedback(member)
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    publish(page)
    assert mail.outbox == []


def test_the_task_run_twice_sends_once_and_is_logged():
    member = MemberFactory()
    page = draft_with_feedback(member)
    publish(page)  # queues (and, in tests, runs) the task
    assert notify_service_change(page.pk) == 0
    assert service_change_notify_members(page_id=page.pk) == 0
    assert len(to(member)) == 1
    entry = PageLogEntry.objects.get(page=page, action=audit_actions.SERVICE_CHANGE_NOTIFY)
    assert entry.data == {"status": "planned", "people": 1}
    assert not ModelLogEntry.objects.filter(action=audit_actions.SERVICE_CHANGE_NOTIFY).exists()


def test_feedback_linked_after_publishing_is_told_when_the_status_next_moves():
    early, late = MemberFactory(), MemberFactory()
    page = draft_with_feedback(early)
    page = publish(page)
    FeedbackFactory(author=late, service_change=page)
    publish(page, status=DONE)
    assert [message.subject for message in to(late)] == ["A change you asked for has been made"]
    assert len(to(early)) == 2


def test_an_unpublished_or_missing_change_tells_nobody():
    member = MemberFactory()
    page = draft_with_feedback(member)
    assert service_change_notify_members(page_id=page.pk) == 0
    assert service_change_notify_members(page_id=999_999) == 0
    assert mail.outbox == []


def test_the_factory_made_change_with_no_feedback_sends_nothing():
    ServiceChangePageFactory()
    assert mail.outbox == []


def test_publishing_queues_the_work_rather_than_sending_in_the_request(monkeypatch):
    queued = []
    monkeypatch.setattr(
        "coproduce.services.changes.async_task", lambda *args, **kwargs: queued.append(args)
    )
    member = MemberFactory()
    page = publish(draft_with_feedback(member))
    assert queued == [("coproduce.tasks.notify_service_change", page.pk)]
    assert mail.outbox == []


def test_feedback_linked_to_a_published_change_tells_its_author_at_once_and_only_once(
    make_person,
):
    from coproduce.services.feedback import feedback_link_change

    author = MemberFactory(email="linked.later@example.org")
    InvolvementProfileFactory(user=author)
    change = ServiceChangePageFactory(title="Signs to the entrance", status=DONE)
    feedback = FeedbackFactory(author=author, offer=OfferPageFactory(provider=change_provider()))
    lead = make_person("engagement_lead", organisation=feedback.organisation)
    feedback_link_change(feedback=feedback, user=lead, service_change=change)
    feedback_link_change(feedback=feedback, user=lead, service_change=change)
    assert len(to(author)) == 1
    assert "Signs to the entrance" in to(author)[0].body


def test_public_feedback_linked_to_a_published_change_emails_nobody(make_person):
    from coproduce.services.feedback import feedback_link_change

    change = ServiceChangePageFactory(title="Longer evening hours", status=DONE)
    feedback = FeedbackFactory(public=True, offer=OfferPageFactory(provider=change_provider()))
    lead = make_person("engagement_lead", organisation=feedback.organisation)
    feedback_link_change(feedback=feedback, user=lead, service_change=change)
    assert mail.outbox == []


def change_provider():
    from tests.factories import OrganisationFactory

    return OrganisationFactory(name="Northdale Health NHS Trust")
