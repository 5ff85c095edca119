"""What to do if nobody answers names the organisation's on-call (duty) number, as a phone
link, beside the crisis routes that are always there; the supervisors' alert and the
escalation emails name it too. Bank holidays are outside office hours: a concern raised on
one is told what to do if nobody answers, and the wait before escalation skips them."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core import mail
from django.urls import reverse

from cms.roles import Role
from peers import office_hours
from peers.models import SafeguardingConcern
from peers.services import safeguarding as services
from tests.conftest import sign_in
from tests.factories import SafeguardingConcernFactory, SessionLogFactory, UserFactory
from tests.peers.test_safeguarding import LOG, log_with_concern
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
ON_CALL = "0113 496 0000"
WHEN = "Evenings, weekends and bank holidays: ask for the duty manager"
NO_NUMBER = "if your organisation has an on-call or duty manager, you can phone them too"
# 2026-03-07 is a Saturday; 2026-03-10 a Tuesday.
SATURDAY_8PM = datetime(2026, 3, 7, 20, 0, tzinfo=LONDON)
TUESDAY_11AM = datetime(2026, 3, 10, 11, 0, tzinfo=LONDON)


@pytest.fixture
def on_call(organisation):
    organisation.on_call_phone = ON_CALL
    organisation.on_call_when = WHEN
    organisation.save()
    return organisation


@pytest.fixture
def hr(organisation):
    return UserFactory(organisation=organisation, roles=[Role.HR], first_name="Hana")


def concern_raised_at(worker, moment, urgency="today") -> SafeguardingConcern:
    concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker), urgency=urgency)
    SafeguardingConcern.objects.filter(pk=concern.pk).update(raised_at=moment)
    concern.refresh_from_db()
    return concern


def raise_concern_at(client, worker, moment):
    """The worker logs a session with a concern at ``moment``; the page they land on."""
    with time_machine.travel(moment, tick=False):
        sign_in(client, worker.user)
        response = client.post(LOG, log_with_concern(), follow=True)
    assert response.status_code == 200
    return response


def callout(response) -> BeautifulSoup:
    """The "If nobody answers" callout, or None."""
    soup = BeautifulSoup(response.content, "html.parser")
    for box in soup.select(".nhsuk-warning-callout"):
        if "If nobody answers" in box.get_text():
            return box
    return None


# --- The concern's page ------------------------------------------------------------------------


def test_out_of_hours_the_worker_is_given_the_on_call_number_to_ring(client, worker, on_call):
    box = callout(raise_concern_at(client, worker, SATURDAY_8PM))
    assert box is not None
    text = " ".join(box.get_text(" ").split())
    assert (
        f"to speak to someone on call at Northdale Health NHS Trust, call {ON_CALL} ({WHEN})"
        in text
    )
    links = {a["href"]: " ".join(a.get_text().split()) for a in box.find_all("a")}
    assert links["tel:01134960000"] == f"call {ON_CALL}"
    # The crisis routes stay, whatever the organisation's number.
    assert links["tel:999"] == "call 999"
    assert links["tel:111"] == "call NHS 111"
    assert "choose option 2" in text
    assert reverse("crisis_help") in links
    assert NO_NUMBER not in text


def test_without_an_on_call_number_the_worker_is_told_to_ring_their_duty_manager(client, worker):
    box = callout(raise_concern_at(client, worker, SATURDAY_8PM))
    text = " ".join(box.get_text(" ").split())
    assert NO_NUMBER in text
    assert "on call at" not in text
    hrefs = [a["href"] for a in box.find_all("a")]
    assert [href for href in hrefs if href.startswith("tel:")] == ["tel:999", "tel:111"]


def test_an_on_call_number_without_when_to_use_it_is_named_alone(client, worker, organisation):
    organisation.on_call_phone = "+44 (0)113 496 0000"
    organisation.save()
    box = callout(raise_concern_at(client, worker, SATURDAY_8PM))
    text = " ".join(box.get_text(" ").split())
    assert text.count("on call at Northdale Health NHS Trust, call +44 (0)113 496 0000") == 1
    assert "call +44 (0)113 496 0000 (" not in text
    assert box.find("a", href="tel:+441134960000") is not None


def test_in_office_hours_there_is_no_callout_even_with_an_on_call_number(client, worker, on_call):
    assert callout(raise_concern_at(client, worker, TUESDAY_11AM)) is None


def test_the_on_call_text_is_escaped(client, worker, organisation):
    organisation.on_call_phone = ON_CALL
    organisation.on_call_when = "<b>Nights</b> & weekends"
    organisation.save()
    response = raise_concern_at(client, worker, SATURDAY_8PM)
    assert "&lt;b&gt;Nights&lt;/b&gt; &amp; weekends" in response.content.decode()


def test_the_concern_page_asks_the_same_number_of_queries_with_an_on_call_number(
    client, worker, organisation
):
    concern = concern_raised_at(worker, SATURDAY_8PM)
    sign_in(client, worker.user)
    url = f"/peer-work/safeguarding/{concern.pk}/"
    queries_for(client, url)  # the first look fills the site's caches
    without = queries_for(client, url)
    organisation.on_call_phone = ON_CALL
    organisation.save()
    assert queries_for(client, url) == without


# --- The emails --------------------------------------------------------------------------------


def test_the_supervisors_alert_names_the_on_call_number(client, worker, supervisor, on_call):
    raise_concern_at(client, worker, SATURDAY_8PM)
    [alert] = mail.outbox
    assert alert.to == [supervisor.email]
    assert (
        "If you cannot deal with it yourself, ring Northdale Health NHS Trust's on-call "
        f"number: {ON_CALL} ({WHEN})." in alert.body
    )


def test_without_an_on_call_number_the_alert_says_nothing_of_one(client, worker):
    raise_concern_at(client, worker, SATURDAY_8PM)
    [alert] = mail.outbox
    assert "on-call" not in alert.body
    assert "\n\n\n" not in alert.body


def test_hr_told_of_a_concern_with_no_supervisor_get_the_on_call_number(
    client, make_worker, hr, on_call
):
    worker = make_worker("Jo", "Brown", supervisors=[])
    raise_concern_at(client, worker, SATURDAY_8PM)
    [message] = mail.outbox
    assert message.to == [hr.email]
    assert f"on-call number: {ON_CALL} ({WHEN})." in message.body


def test_the_escalation_emails_name_the_on_call_number(worker, hr, on_call):
    concern_raised_at(worker, TUESDAY_11AM)
    with time_machine.travel(datetime(2026, 3, 10, 15, 0, tzinfo=LONDON), tick=False):
        assert services.concerns_escalate() == 1
    by_recipient = {message.to[0]: message for message in mail.outbox}
    to_hr = by_recipient[hr.email]
    assert (
        "If you cannot reach a supervisor, ring Northdale Health NHS Trust's on-call "
        f"number: {ON_CALL} ({WHEN})." in to_hr.body
    )
    to_worker = by_recipient[worker.user.email]
    assert (
        "- To speak to someone on call at Northdale Health NHS Trust, "
        f"call {ON_CALL} ({WHEN})." in to_worker.body
    )
    assert "If someone's life is at risk, call 999." in to_worker.body
    assert "call NHS 111 and choose option 2" in to_worker.body
    assert "If your organisation has an on-call or duty manager" not in to_worker.body


def test_without_an_on_call_number_the_escalation_emails_say_what_they_said(worker, hr):
    concern_raised_at(worker, TUESDAY_11AM)
    with time_machine.travel(datetime(2026, 3, 10, 15, 0, tzinfo=LONDON), tick=False):
        assert services.concerns_escalate() == 1
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert "on-call" not in by_recipient[hr.email].body
    assert "\n\n\n" not in by_recipient[hr.email].body
    assert (
        "- If your organisation has an on-call or duty manager, you can phone them too."
        in by_recipient[worker.user.email].body
    )


# --- Bank holidays -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "out"),
    [
        (datetime(2026, 12, 25, 10, 0, tzinfo=LONDON), True),  # Christmas Day, a Friday
        (datetime(2026, 12, 28, 10, 0, tzinfo=LONDON), True),  # Boxing Day's substitute
        (datetime(2026, 12, 29, 10, 0, tzinfo=LONDON), False),  # the Tuesday after
        (datetime(2026, 4, 3, 10, 0, tzinfo=LONDON), True),  # Good Friday
        (datetime(2026, 4, 6, 10, 0, tzinfo=LONDON), True),  # Easter Monday
        (datetime(2026, 4, 7, 10, 0, tzinfo=LONDON), False),  # the Tuesday after
        (datetime(2027, 1, 1, 10, 0, tzinfo=LONDON), True),  # New Year's Day
        (datetime(2027, 1, 4, 10, 0, tzinfo=LONDON), False),
    ],
)
def test_bank_holidays_are_outside_office_hours(moment, out):
    assert office_hours.is_out_of_hours(moment) is out


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # Christmas Eve, 4pm: Christmas Day, the weekend and the substitute Monday are skipped.
        (datetime(2026, 12, 24, 16, 0, tzinfo=LONDON), 4, datetime(2026, 12, 29, 12, 0)),
        # Maundy Thursday, 4pm: Good Friday, the weekend and Easter Monday are skipped.
        (datetime(2026, 4, 2, 16, 0, tzinfo=LONDON), 4, datetime(2026, 4, 7, 12, 0)),
        # Two working days from Christmas Eve morning: the 24th, then the 29th.
        (datetime(2026, 12, 24, 9, 0, tzinfo=LONDON), 16, datetime(2026, 12, 29, 17, 0)),
    ],
)
def test_office_hours_after_a_moment_skip_bank_holidays(start, hours, expected):
    assert office_hours.after_office_hours(start, hours) == expected.replace(tzinfo=LONDON)


def test_a_concern_raised_on_a_bank_holiday_says_what_to_do_if_nobody_answers(client, worker):
    box = callout(raise_concern_at(client, worker, datetime(2026, 12, 28, 10, 0, tzinfo=LONDON)))
    assert box is not None
    assert "except bank holidays" in box.get_text()


def test_a_concern_raised_the_day_after_a_bank_holiday_does_not(client, worker):
    assert (
        callout(raise_concern_at(client, worker, datetime(2026, 4, 7, 10, 0, tzinfo=LONDON)))
        is None
    )


def test_escalation_waits_until_the_office_reopens_after_christmas(worker, hr):
    concern = concern_raised_at(worker, datetime(2026, 12, 24, 16, 0, tzinfo=LONDON))
    for moment in (
        datetime(2026, 12, 25, 12, 0, tzinfo=LONDON),  # would be due here were it a working day
        datetime(2026, 12, 28, 12, 0, tzinfo=LONDON),
        datetime(2026, 12, 29, 11, 59, tzinfo=LONDON),
    ):
        with time_machine.travel(moment, tick=False):
            assert services.concerns_escalate() == 0, moment
    with time_machine.travel(datetime(2026, 12, 29, 12, 0, tzinfo=LONDON), tick=False):
        assert services.concerns_escalate() == 1
    concern.refresh_from_db()
    assert concern.escalated_at is not None


def test_immediate_risk_is_escalated_after_an_hour_even_on_a_bank_holiday(worker, hr):
    raised = datetime(2026, 12, 25, 10, 0, tzinfo=LONDON)
    concern_raised_at(worker, raised, urgency="immediate")
    with time_machine.travel(datetime(2026, 12, 25, 10, 59, tzinfo=LONDON), tick=False):
        assert services.concerns_escalate() == 0
    with time_machine.travel(datetime(2026, 12, 25, 11, 0, tzinfo=LONDON), tick=False):
        assert services.concerns_escalate() == 1
