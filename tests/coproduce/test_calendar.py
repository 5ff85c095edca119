"""Meetings as iCalendar (RFC 5545), checked by parsing the output the way a calendar app
does: CRLF lines folded at 75 octets, escaped text, UK times with their time zone, and the
identity (UID, SEQUENCE) that lets calendar apps update or cancel an event. Also the
member's private feed address, and the dates and times written in words."""

from datetime import datetime

import pytest
import time_machine
from django.core import mail

from cms.dates import UK
from coproduce import calendar
from coproduce.models import InvolvementProfile
from coproduce.services.meetings import meeting_cancel
from tests.conftest import sign_in
from tests.factories import (
    InvolvementProfileFactory,
    MeetingFactory,
    MemberFactory,
    PanelApplicationFactory,
    PanelFactory,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UK)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day, hour, minute=0):
    return datetime(*day, hour, minute, tzinfo=UK)


# --- A small RFC 5545 reader, as strict as the tests need --------------------------------------


def physical_lines(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n"), "the last line must end with CRLF"
    lines = body.split(b"\r\n")[:-1]
    assert not any(b"\n" in line or b"\r" in line for line in lines), "bare LF or CR found"
    return lines


def unfold(body: bytes) -> list[str]:
    logical: list[bytes] = []
    for line in physical_lines(body):
        if line[:1] in (b" ", b"\t"):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [line.decode("utf-8") for line in logical]


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append("\n" if following in "nN" else following)
        else:
            out.append(char)
    return "".join(out)


def parse(body: bytes) -> list[dict]:
    """Each component (VCALENDAR, VTIMEZONE, VEVENT...) as {name: [(params, value)]}."""
    components, stack = [], []
    for line in unfold(body):
        name_and_params, value = line.split(":", 1)
        name, *params = name_and_params.split(";")
        if name == "BEGIN":
            stack.append({"_type": value})
        elif name == "END":
            component = stack.pop()
            assert component["_type"] == value, f"END:{value} closes {component['_type']}"
            components.append(component)
        else:
            stack[-1].setdefault(name, []).append((dict(p.split("=", 1) for p in params), value))
    assert not stack, "unclosed components"
    return components


def events(body: bytes) -> list[dict]:
    return [c for c in parse(body) if c["_type"] == "VEVENT"]


def value(event: dict, name: str) -> str:
    ((_, raw),) = event[name]
    return raw


def text(event: dict, name: str) -> str:
    return unescape(value(event, name))


# --- Format ------------------------------------------------------------------------------------


def test_every_line_ends_with_crlf_and_is_at_most_75_octets():
    meeting = MeetingFactory(
        # As long as a title may be (120 characters), with multi-byte letters near the folds.
        title=("Crisis café design panel – planning the new leaflet with everybody " * 2)[:120],
        agenda="Ünïcödé agenda with long lines " * 20,
    )
    body = calendar.meetings_calendar([meeting])
    for line in physical_lines(body):
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold never splits a character
    (event,) = events(body)
    assert text(event, "SUMMARY") == meeting.title


def test_commas_semicolons_backslashes_and_newlines_are_escaped():
    meeting = MeetingFactory(
        title="Plans; ideas, and a back\\slash",
        location="The Light House\n12 Market Street, Northdale",
        agenda="One; two,\nthree \\ four",
    )
    body = calendar.meetings_calendar([meeting])
    raw = b"".join(physical_lines(body)).decode()
    assert "SUMMARY:Plans\\; ideas\\, and a back\\\\slash" in raw
    (event,) = events(body)
    assert text(event, "SUMMARY") == "Plans; ideas, and a back\\slash"
    assert text(event, "LOCATION") == "The Light House, 12 Market Street, Northdale"
    assert "One; two,\nthree \\ four" in text(event, "DESCRIPTION")


def test_times_are_uk_times_with_the_time_zone_described():
    winter = MeetingFactory(starts_at=at((2026, 12, 1), 10), ends_at=at((2026, 12, 1), 12))
    summer = MeetingFactory(starts_at=at((2027, 7, 1), 10), ends_at=at((2027, 7, 1), 12, 30))
    body = calendar.meetings_calendar([winter, summer])
    first, second = events(body)
    assert first["DTSTART"] == [({"TZID": "Europe/London"}, "20261201T100000")]
    assert first["DTEND"] == [({"TZID": "Europe/London"}, "20261201T120000")]
    # 10am in summer is still written 10am: the VTIMEZONE says it is BST.
    assert second["DTSTART"] == [({"TZID": "Europe/London"}, "20270701T100000")]
    assert second["DTEND"] == [({"TZID": "Europe/London"}, "20270701T123000")]
    (zone,) = [c for c in parse(body) if c["_type"] == "VTIMEZONE"]
    assert value(zone, "TZID") == "Europe/London"
    rules = {c["_type"]: c for c in parse(body) if c["_type"] in ("STANDARD", "DAYLIGHT")}
    assert value(rules["DAYLIGHT"], "TZOFFSETTO") == "+0100"
    assert value(rules["STANDARD"], "TZOFFSETTO") == "+0000"


def test_an_event_has_its_identity_status_place_link_and_description():
    meeting = MeetingFactory(
        title="Leaflet review",
        panel=PanelFactory(title="Crisis café design panel"),
        mode="hybrid",
        location="The Light House",
        joining_link="https://meet.example.org/panel",
        agenda="Welcome.",
    )
    body = calendar.meetings_calendar([meeting])
    (calendar_component,) = [c for c in parse(body) if c["_type"] == "VCALENDAR"]
    assert value(calendar_component, "VERSION") == "2.0"
    assert value(calendar_component, "PRODID")
    (event,) = events(body)
    assert value(event, "UID") == f"{meeting.uid}@testserver"
    assert value(event, "SEQUENCE") == "0"
    assert value(event, "DTSTAMP") == "20261123T120000Z"
    assert value(event, "STATUS") == "CONFIRMED"
    assert text(event, "LOCATION") == "The Light House"
    assert value(event, "URL") == f"http://testserver/panels/meetings/{meeting.pk}/"
    description = text(event, "DESCRIPTION")
    assert "Crisis café design panel." in description
    assert "Join online: https://meet.example.org/panel" in description
    assert "Agenda:\nWelcome." in description


def test_an_online_meeting_gives_the_link_as_its_location():
    meeting = MeetingFactory(online=True)
    (event,) = events(calendar.meetings_calendar([meeting]))
    assert text(event, "LOCATION") == "Online: https://meet.example.org/panel"


def test_a_cancelled_meeting_says_cancelled_with_a_higher_sequence(
    client, make_person, organisation
):
    member = MemberFactory()
    panel = PanelFactory(organisation=organisation)
    PanelApplicationFactory(panel=panel, applicant=member, accepted=True)
    meeting = MeetingFactory(panel=panel)
    sign_in(client, member)
    before = events(client.get(f"/panels/meetings/{meeting.pk}/calendar.ics").content)[0]
    meeting_cancel(user=make_person("engagement_lead"), meeting=meeting, reason="It flooded.")
    after = events(client.get(f"/panels/meetings/{meeting.pk}/calendar.ics").content)[0]
    assert value(after, "UID") == value(before, "UID")
    assert value(after, "STATUS") == "CANCELLED"
    assert int(value(after, "SEQUENCE")) > int(value(before, "SEQUENCE"))
    assert "It flooded." in text(after, "DESCRIPTION")
    assert len(mail.outbox) == 1


# --- The feed ----------------------------------------------------------------------------------


@pytest.fixture
def member_with_profile():
    member = MemberFactory()
    InvolvementProfileFactory(user=member)
    return member


def test_the_feed_at_the_secret_address_has_all_the_members_panels_meetings(
    client, member_with_profile
):
    first = PanelApplicationFactory(applicant=member_with_profile, accepted=True).panel
    second = PanelApplicationFactory(applicant=member_with_profile, accepted=True).panel
    MeetingFactory(panel=first, title="First panel")
    MeetingFactory(panel=second, title="Second panel", cancelled=True)
    MeetingFactory(title="Not theirs")
    token = member_with_profile.involvement_profile.calendar_token
    response = client.get(f"/panels/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    found = {text(e, "SUMMARY"): value(e, "STATUS") for e in events(response.content)}
    assert found == {"First panel": "CONFIRMED", "Cancelled: Second panel": "CANCELLED"}
    (calendar_component,) = [c for c in parse(response.content) if c["_type"] == "VCALENDAR"]
    assert value(calendar_component, "X-WR-CALNAME") == "Panel meetings"


def test_an_unknown_feed_address_finds_nothing(client):
    assert client.get("/panels/calendar/not-a-real-token.ics").status_code == 404


def test_the_feed_of_a_deactivated_account_stops_working(client, member_with_profile):
    token = member_with_profile.involvement_profile.calendar_token
    member_with_profile.is_active = False
    member_with_profile.save()
    assert client.get(f"/panels/calendar/{token}.ics").status_code == 404


def test_the_feed_issues_the_same_queries_for_3_or_30_meetings(client, member_with_profile):

    panel = PanelApplicationFactory(applicant=member_with_profile, accepted=True).panel
    url = f"/panels/calendar/{member_with_profile.involvement_profile.calendar_token}.ics"

    def count():
        return queries_for(client, url)

    for day in range(3):
        MeetingFactory(panel=panel, starts_at=at((2027, 1, 1 + day), 10))
    count()  # the first request of a process learns the site; later ones remember it
    few = count()
    for day in range(3, 30):
        MeetingFactory(panel=panel, starts_at=at((2027, 1, 1 + day), 10))
    assert count() == few


def test_the_meetings_page_shows_the_feed_address(client, member_with_profile):
    sign_in(client, member_with_profile)
    page = client.get("/panels/meetings/").content.decode()
    token = member_with_profile.involvement_profile.calendar_token
    assert f"http://testserver/panels/calendar/{token}.ics" in page
    assert f"webcal://testserver/panels/calendar/{token}.ics" in page


def test_resetting_the_address_stops_the_old_one_and_a_double_click_resets_once(
    client, member_with_profile
):
    old = member_with_profile.involvement_profile.calendar_token
    sign_in(client, member_with_profile)
    response = client.post("/panels/meetings/calendar-address/", {"token": old}, follow=True)
    assert "Your calendar address has been reset" in response.content.decode()
    new = InvolvementProfile.objects.get(user=member_with_profile).calendar_token
    assert new != old
    assert client.get(f"/panels/calendar/{old}.ics").status_code == 404
    assert client.get(f"/panels/calendar/{new}.ics").status_code == 200
    client.post("/panels/meetings/calendar-address/", {"token": old})
    assert InvolvementProfile.objects.get(user=member_with_profile).calendar_token == new


def test_nobody_can_reset_someone_elses_address(client, member_with_profile, make_person):
    token = member_with_profile.involvement_profile.calendar_token
    sign_in(client, make_person("member"))
    client.post("/panels/meetings/calendar-address/", {"token": token})
    assert InvolvementProfile.objects.get(user=member_with_profile).calendar_token == token


def test_resetting_is_a_form_not_a_link(client, member_with_profile):
    sign_in(client, member_with_profile)
    assert client.get("/panels/meetings/calendar-address/").status_code == 405


# --- Dates and times in words -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (at((2026, 12, 1), 10), at((2026, 12, 1), 12), "Tuesday 1 December 2026, 10am to 12pm"),
        (at((2027, 7, 1), 14, 30), at((2027, 7, 1), 16), "Thursday 1 July 2027, 2:30pm to 4pm"),
        (
            at((2026, 12, 31), 22),
            at((2027, 1, 1), 1),
            "Thursday 31 December 2026, 10pm to Friday 1 January 2027, 1am",
        ),
    ],
)
def test_meeting_times_are_written_the_nhs_way(start, end, expected):
    assert calendar.when_text(start, end) == expected
