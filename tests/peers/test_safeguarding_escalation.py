"""A concern that may wait: the acknowledge form names the worker who raised it; a concern
raised out of office hours tells the worker what to do if nobody answers; and a concern
nobody picks up in time is escalated to HR once, the worker told, and the page says so."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import schedules, site_address
from cms.roles import Role
from peers import audit_actions, office_hours, tasks
from peers.models import SafeguardingConcern
from peers.services import safeguarding as services
from tests.conftest import sign_in
from tests.factories import (
    OrganisationFactory,
    PeerWorkerFactory,
    SafeguardingConcernFactory,
    SessionLogFactory,
    UserFactory,
)
from tests.peers.test_safeguarding import DESCRIPTION, LOG, log_with_concern, page_text

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")
# 2026-03-06 is a Friday; 2026-03-09 the Monday after.
FRIDAY_4PM = datetime(2026, 3, 6, 16, 0, tzinfo=LONDON)
SATURDAY_8PM = datetime(2026, 3, 7, 20, 0, tzinfo=LONDON)
TUESDAY_11AM = datetime(2026, 3, 10, 11, 0, tzinfo=LONDON)
NOBODY_ANSWERS = "If nobody answers"


# The supervisor is called Sam here: the acknowledge hint once named Sam whoever raised the
# concern, so the worker who raised it must be someone else (tests/peers/conftest.py).
@pytest.fixture
def supervisor(make_supervisor):
    return make_supervisor("Sam", "Patel")


@pytest.fixture
def worker(make_worker, supervisor):
    return make_worker("Ada", "Okafor", supervisors=[supervisor], email="ada@example.org")


@pytest.fixture
def hr(organisation):
    return UserFactory(
        organisation=organisation, roles=[Role.HR], first_name="Hana", email="hana@example.org"
    )


def concern_raised_at(worker, moment, urgency="today", **extra) -> SafeguardingConcern:
    concern = SafeguardingConcernFactory(
        session=SessionLogFactory(worker=worker), urgency=urgency, **extra
    )
    SafeguardingConcern.objects.filter(pk=concern.pk).update(raised_at=moment)
    concern.refresh_from_db()
    return concern


# --- The acknowledge form ----------------------------------------------------------------------


def test_the_acknowledge_hint_names_the_worker_who_raised_the_concern(client, supervisor, worker):
    concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    sign_in(client, supervisor)  # the supervisor is called Sam: the old hint named Sam always
    url = f"/peer-work/safeguarding/{concern.pk}/"
    text = page_text(client.get(url))
    assert "For example, ‘Spoke to Ada, referred to" in text
    assert "Ada can read this." in text
    assert "Sam can read this" not in text
    # Sent back empty, the form says what to do and still names her.
    text = page_text(client.post(url, {"action_taken": "  "}))
    assert "Enter what you have done about the concern" in text
    assert "Ada can read this." in text


def test_a_worker_without_a_first_name_is_named_in_full(client, supervisor, organisation):
    worker = PeerWorkerFactory(
        organisation=organisation, supervisors=[supervisor], user__first_name=""
    )
    concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    sign_in(client, supervisor)
    text = page_text(client.get(f"/peer-work/safeguarding/{concern.pk}/"))
    assert f"{worker} can read this." in text


# --- Office hours ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "out"),
    [
        (datetime(2026, 3, 6, 8, 59, tzinfo=LONDON), True),  # Friday, before 9am
        (datetime(2026, 3, 6, 9, 0, tzinfo=LONDON), False),
        (datetime(2026, 3, 6, 16, 59, tzinfo=LONDON), False),
        (datetime(2026, 3, 6, 17, 0, tzinfo=LONDON), True),
        (datetime(2026, 3, 7, 12, 0, tzinfo=LONDON), True),  # Saturday noon
        (datetime(2026, 3, 8, 12, 0, tzinfo=LONDON), True),  # Sunday noon
        # In summer, UK time is an hour ahead of UTC: 15:59 UTC is 4:59pm in London.
        (datetime(2026, 7, 3, 15, 59, tzinfo=UTC), False),
        (datetime(2026, 7, 3, 16, 0, tzinfo=UTC), True),
    ],
)
def test_office_hours_are_9am_to_5pm_monday_to_friday_uk_time(moment, out):
    assert office_hours.is_out_of_hours(moment) is out


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (TUESDAY_11AM, 4, datetime(2026, 3, 10, 15, 0, tzinfo=LONDON)),
        (FRIDAY_4PM, 4, datetime(2026, 3, 9, 12, 0, tzinfo=LONDON)),  # Monday noon
        (SATURDAY_8PM, 4, datetime(2026, 3, 9, 13, 0, tzinfo=LONDON)),
        (datetime(2026, 3, 6, 7, 0, tzinfo=LONDON), 8, datetime(2026, 3, 6, 17, 0, tzinfo=LONDON)),
        (TUESDAY_11AM, 16, datetime(2026, 3, 12, 11, 0, tzinfo=LONDON)),  # two working days
    ],
)
def test_office_hours_after_a_moment_skip_nights_and_weekends(start, hours, expected):
    assert office_hours.after_office_hours(start, hours) == expected


def test_a_concern_raised_out_of_hours_says_what_to_do_if_nobody_answers(client, worker):
    with time_machine.travel(SATURDAY_8PM, tick=False):
        sign_in(client, worker.user)
        response = client.post(LOG, log_with_concern(), follow=True)
    text = page_text(response)
    assert "Your supervisors have been emailed" in text
    assert NOBODY_ANSWERS in text
    assert "outside office hours (9am to 5pm, Monday to Friday, except bank holidays)" in text
    assert "if someone's life is at risk, call 999" in text
    assert "call NHS 111 and choose option 2" in text
    assert "on-call or duty manager" in text
    assert f'href="{reverse("crisis_help")}"' in response.content.decode()


def test_a_concern_raised_in_office_hours_does_not(client, worker):
    with time_machine.travel(TUESDAY_11AM, tick=False):
        sign_in(client, worker.user)
        response = client.post(LOG, log_with_concern(), follow=True)
    text = page_text(response)
    assert "Your supervisors have been emailed" in text
    assert NOBODY_ANSWERS not in text


def test_only_the_worker_is_shown_what_to_do_if_nobody_answers(client, worker, supervisor):
    concern = concern_raised_at(worker, SATURDAY_8PM)
    sign_in(client, supervisor)
    assert NOBODY_ANSWERS not in page_text(client.get(f"/peer-work/safeguarding/{concern.pk}/"))


# --- Escalation --------------------------------------------------------------------------------


def test_the_escalation_runs_every_quarter_hour():
    declared = {d.name: d for d in schedules.declared()}
    escalation = declared["Escalate safeguarding concerns nobody has picked up"]
    assert escalation.func == "peers.tasks.escalate_concerns"
    assert escalation.minutes == 15


def test_a_concern_nobody_picks_up_is_escalated_to_hr_once(client, worker, supervisor, hr):
    UserFactory(organisation=OrganisationFactory(), roles=[Role.HR])  # another organisation
    concern = concern_raised_at(worker, FRIDAY_4PM)  # needs action today: 4 office hours

    with time_machine.travel(datetime(2026, 3, 9, 11, 59, tzinfo=LONDON), tick=False):
        assert tasks.escalate_concerns() == 0
    assert mail.outbox == []

    with time_machine.travel(datetime(2026, 3, 9, 12, 0, tzinfo=LONDON), tick=False):
        assert tasks.escalate_concerns() == 1
        assert tasks.escalate_concerns() == 0  # running again emails nobody

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_recipient) == ["ada@example.org", "hana@example.org"]
    to_hr = by_recipient["hana@example.org"]
    assert to_hr.subject == "Not picked up: a safeguarding concern raised by Ada Okafor"
    assert "Hello Hana," in to_hr.body
    assert "within 4 office hours" in to_hr.body
    assert "Supervisors emailed about it: Sam Patel" in to_hr.body
    assert site_address.absolute_url("/admin/") in to_hr.body
    to_worker = by_recipient["ada@example.org"]
    assert to_worker.subject == "Your safeguarding concern has not been picked up yet"
    assert "We have told your organisation's HR team" in to_worker.body
    assert "If someone's life is at risk, call 999." in to_worker.body
    assert "call NHS 111 and choose option 2" in to_worker.body
    assert site_address.absolute_url(reverse("crisis_help")) in to_worker.body
    for message in mail.outbox:
        for detail in ("neighbour", "threatened", DESCRIPTION):
            assert detail not in message.body

    concern.refresh_from_db()
    assert timezone.localtime(concern.escalated_at) == datetime(2026, 3, 9, 12, 0, tzinfo=LONDON)
    entry = ModelLogEntry.objects.for_instance(concern).get(action=audit_actions.CONCERN_ESCALATE)
    assert entry.data == {"hr_told": 1}
    for person in (worker.user, supervisor):
        sign_in(client, person)
        text = page_text(client.get(f"/peer-work/safeguarding/{concern.pk}/"))
        assert "Escalated on Monday 9 March 2026 at 12pm" in text


def test_once_escalated_the_worker_is_told_hr_know(client, worker, hr):
    concern = concern_raised_at(worker, SATURDAY_8PM)
    with time_machine.travel(datetime(2026, 3, 9, 13, 0, tzinfo=LONDON), tick=False):
        assert services.concerns_escalate() == 1
    sign_in(client, worker.user)
    text = page_text(client.get(f"/peer-work/safeguarding/{concern.pk}/"))
    assert NOBODY_ANSWERS in text
    assert "Nobody picked it up in time, so we have told your organisation's HR team" in text


def test_immediate_risk_is_escalated_after_an_hour_even_at_night(worker, hr):
    concern = concern_raised_at(worker, SATURDAY_8PM, urgency="immediate")
    with time_machine.travel(SATURDAY_8PM + timedelta(minutes=59), tick=False):
        assert services.concerns_escalate() == 0
    with time_machine.travel(SATURDAY_8PM + timedelta(hours=1), tick=False):
        assert services.concerns_escalate() == 1
    concern.refresh_from_db()
    assert concern.escalated_at is not None


def test_a_concern_needed_in_a_few_days_waits_two_working_days(worker, hr):
    concern_raised_at(worker, TUESDAY_11AM, urgency="soon")
    with time_machine.travel(datetime(2026, 3, 12, 10, 59, tzinfo=LONDON), tick=False):
        assert services.concerns_escalate() == 0
    with time_machine.travel(datetime(2026, 3, 12, 11, 0, tzinfo=LONDON), tick=False):
        assert services.concerns_escalate() == 1


def test_a_concern_picked_up_in_time_is_never_escalated(worker, supervisor, hr):
    concern = concern_raised_at(worker, TUESDAY_11AM)
    services.concern_acknowledge(concern=concern, user=supervisor, action_taken="Phoned Ada.")
    mail.outbox.clear()
    with time_machine.travel(TUESDAY_11AM + timedelta(days=7), tick=False):
        assert services.concerns_escalate() == 0
        assert services.concern_escalate(concern=concern) is False
    assert mail.outbox == []


def test_with_nobody_in_hr_the_worker_is_asked_to_phone_their_manager(worker):
    concern = concern_raised_at(worker, TUESDAY_11AM)
    with time_machine.travel(TUESDAY_11AM + timedelta(days=1), tick=False):
        assert services.concerns_escalate() == 1
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    assert "Please phone your manager" in mail.outbox[0].body
    concern.refresh_from_db()
    assert concern.escalated_at is not None
