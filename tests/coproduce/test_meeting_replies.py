"""Coming or not: members answer a meeting invitation (coming, not coming, maybe) from the
links in their invitation without signing in, from the meeting's page or from My space, and
may change their mind until the meeting starts. Opening a link never changes anything."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core import mail
from django.test import Client
from wagtail.models import ModelLogEntry

from cms.dates import UK
from coproduce.factories import MeetingReplyFactory
from coproduce.models import MeetingReply
from coproduce.services import Refused
from coproduce.services.meetings import (
    meeting_remind,
    meeting_reply,
    meeting_reply_token,
    meeting_reply_token_read,
)
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
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def panel(organisation):
    return PanelFactory(organisation=organisation, title="Crisis café design panel")


def add_member(panel, name, email=None, **profile):
    person = MemberFactory(first_name=name, email=email or f"{name.lower()}@example.org")
    InvolvementProfileFactory(user=person, display_name=name, **profile)
    PanelApplicationFactory(panel=panel, applicant=person, accepted=True)
    return person


@pytest.fixture
def sam(panel):
    return add_member(panel, "Sam")


@pytest.fixture
def meeting(panel):
    return MeetingFactory(
        panel=panel,
        title="Leaflet review",
        starts_at=datetime(2026, 12, 1, 10, tzinfo=UK),
        ends_at=datetime(2026, 12, 1, 12, tzinfo=UK),
    )


def link(meeting, person, answer=""):
    token = meeting_reply_token(meeting_id=meeting.pk, member_id=person.pk)
    return f"/panels/meetings/reply/{token}/" + (f"{answer}/" if answer else "")


def text_of(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def checked_answer(response) -> str | None:
    soup = BeautifulSoup(response.content, "html.parser")
    chosen = soup.select_one("input[name=answer][checked]")
    return chosen["value"] if chosen else None


# --- Reply links, without signing in -----------------------------------------------------------


def test_opening_a_reply_link_shows_the_answer_chosen_and_changes_nothing(client, meeting, sam):
    response = client.get(link(meeting, sam, "not_coming"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Leaflet review" in page and "Tuesday 1 December 2026, 10am to 12pm" in page
    assert "This reply is for Sam" in page
    assert checked_answer(response) == "not_coming"
    assert client.head(link(meeting, sam, "coming")).status_code == 200
    assert not MeetingReply.objects.exists()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_the_link_page_shows_only_the_meetings_basics(client, panel, sam):
    meeting = MeetingFactory(
        panel=panel,
        online=True,
        joining_link="https://meet.example.org/secret-room",
        agenda="Private agenda item",
    )
    page = client.get(link(meeting, sam)).content.decode()
    assert "secret-room" not in page
    assert "Private agenda item" not in page
    assert "Online" in page


def test_confirming_saves_the_reply_once(client, meeting, sam):
    url = link(meeting, sam, "coming")
    response = client.post(url, {"answer": "coming", "note": ""})
    assert response.status_code == 302
    assert response["Location"] == link(meeting, sam)
    client.post(url, {"answer": "coming", "note": ""})
    reply = MeetingReply.objects.get()
    assert (reply.member, reply.answer, reply.via) == (sam, "coming", "email")
    assert reply.recorded_by is None
    page = text_of(client.get(response["Location"]))
    assert "Thank you. You said you are coming." in page
    assert "You said: Coming" in page
    assert ModelLogEntry.objects.filter(object_id=str(reply.pk)).count() == 1


def test_an_apology_is_kept_exactly_as_typed(client, meeting, sam):
    note = "Sorry <b>Lee</b>, I'm in hospital that week."
    client.post(link(meeting, sam), {"answer": "not_coming", "note": note})
    reply = MeetingReply.objects.get()
    assert (reply.answer, reply.note) == ("not_coming", note)
    page = client.get(link(meeting, sam)).content.decode()
    assert "Sorry &lt;b&gt;Lee&lt;/b&gt;" in page


def test_the_member_can_change_their_mind_until_the_meeting_starts(
    client, meeting, sam, frozen_time
):
    client.post(link(meeting, sam), {"answer": "coming"})
    client.post(link(meeting, sam), {"answer": "maybe", "note": "Depends on the buses"})
    assert MeetingReply.objects.get().answer == "maybe"
    frozen_time.move_to(meeting.starts_at + timedelta(minutes=5))
    response = client.post(link(meeting, sam), {"answer": "not_coming"})
    assert response.status_code == 400
    assert "already started, so replies have closed" in text_of(response)
    assert MeetingReply.objects.get().answer == "maybe"


def test_a_cancelled_meeting_says_so_and_takes_no_reply(client, panel, sam):
    meeting = MeetingFactory(panel=panel, cancelled=True)
    response = client.get(link(meeting, sam, "coming"))
    assert "This meeting has been cancelled" in text_of(response)
    assert checked_answer(response) is None
    assert client.post(link(meeting, sam), {"answer": "coming"}).status_code == 400
    assert not MeetingReply.objects.exists()


def test_a_past_meeting_says_it_has_finished(client, panel, sam):
    meeting = MeetingFactory(panel=panel, past=True)
    assert "has finished" in text_of(client.get(link(meeting, sam)))
    assert client.post(link(meeting, sam), {"answer": "coming"}).status_code == 400
    assert not MeetingReply.objects.exists()


def test_no_answer_or_a_long_note_is_refused_and_what_was_typed_is_kept(client, meeting, sam):
    response = client.post(link(meeting, sam), {"note": "Running late"})
    assert response.status_code == 400
    assert "Choose whether you are coming" in text_of(response)
    assert "Running late" in response.content.decode()
    long = client.post(link(meeting, sam), {"answer": "maybe", "note": "x" * 501})
    assert long.status_code == 400
    assert "The note must be 500 characters or fewer" in text_of(long)
    assert client.post(link(meeting, sam), {"answer": "yes"}).status_code == 400
    assert not MeetingReply.objects.exists()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.replace(token.split(":")[0], "999.1", 1),
        lambda token: token.split(":")[0],
        lambda token: "not-a-token",
    ],
    ids=["signature", "value", "unsigned", "garbage"],
)
def test_an_altered_or_made_up_link_finds_nothing(client, meeting, sam, mangle):
    token = mangle(meeting_reply_token(meeting_id=meeting.pk, member_id=sam.pk))
    assert client.get(f"/panels/meetings/reply/{token}/").status_code == 404
    assert client.post(f"/panels/meetings/reply/{token}/", {"answer": "coming"}).status_code == 404
    assert not MeetingReply.objects.exists()


def test_one_members_link_cannot_answer_for_another_or_another_meeting(client, panel, meeting, sam):
    alex = add_member(panel, "Alex")
    other_meeting = MeetingFactory(panel=panel)
    sams_token = meeting_reply_token(meeting_id=meeting.pk, member_id=sam.pk)
    value, signature = sams_token.split(":")
    for forged in (
        f"{meeting.pk}.{alex.pk}:{signature}",
        f"{other_meeting.pk}.{sam.pk}:{signature}",
    ):
        assert meeting_reply_token_read(forged) is None
        assert (
            client.post(f"/panels/meetings/reply/{forged}/", {"answer": "coming"}).status_code
            == 404
        )
    assert not MeetingReply.objects.exists()


def test_a_link_stops_working_when_the_member_leaves_the_panel(client, meeting, sam):
    sam.panel_applications.update(status="withdrawn")
    assert client.get(link(meeting, sam)).status_code == 404


def test_an_unknown_answer_in_the_link_finds_nothing(client, meeting, sam):
    assert client.get(link(meeting, sam, "perhaps")).status_code == 404


def test_the_link_gives_the_meeting_for_a_calendar_until_it_ends(client, meeting, sam, frozen_time):
    token = meeting_reply_token(meeting_id=meeting.pk, member_id=sam.pk)
    response = client.get(f"/panels/meetings/reply/{token}/calendar.ics")
    assert response.status_code == 200
    assert "SUMMARY:Leaflet review" in response.content.decode()
    frozen_time.move_to(meeting.ends_at + timedelta(minutes=1))
    assert client.get(f"/panels/meetings/reply/{token}/calendar.ics").status_code == 404


# --- Notices carry each member's own links ------------------------------------------------------


def links_in(body: str) -> list[str]:
    return [urlsplit(url).path for url in re.findall(r"https?://\S+", body)]


def test_each_invitation_carries_that_members_own_reply_links(panel, sam, make_person):
    alex = add_member(panel, "Alex")
    from coproduce.services.meetings import MeetingDetails, meeting_schedule

    lead = make_person("engagement_lead")
    meeting = meeting_schedule(
        user=lead,
        details=MeetingDetails(
            panel=panel,
            title="Leaflet review",
            starts_at=datetime(2026, 12, 8, 10, tzinfo=UK),
            ends_at=datetime(2026, 12, 8, 12, tzinfo=UK),
            mode="in_person",
            location="The Light House",
        ),
    )
    by_person = {email.to[0]: email for email in mail.outbox}
    assert set(by_person) == {"sam@example.org", "alex@example.org"}
    sams = by_person["sam@example.org"].body
    assert "Are you coming?" in sams
    assert link(meeting, sam, "coming") in links_in(sams)
    assert link(meeting, sam, "not_coming") in links_in(sams)
    assert link(meeting, alex, "coming") not in links_in(sams)
    # Following the link from the email opens the page without signing in.
    assert Client().get(link(meeting, sam, "maybe")).status_code == 200


def test_text_messages_are_short_and_carry_the_reply_link(panel, meeting, sam, monkeypatch):
    sent = []

    def fake_notify(member, notice, *, subject, body, text="", **kwargs):
        sent.append((member, notice, text))
        return "text"

    monkeypatch.setattr("coproduce.services.meetings.notify", fake_notify)
    MeetingReplyFactory(meeting=meeting, member=sam, answer="coming")
    assert meeting_remind(meeting_id=meeting.pk, now=meeting.starts_at - timedelta(days=1)) == 1
    ((member, notice, text),) = sent
    assert (member, notice) == (sam, "meetings")
    assert text.startswith("Reminder: Leaflet review")
    assert "You said: coming" in text
    assert link(meeting, sam) in text
    assert len(text) < 300
    assert "Light House" not in text  # no address or agenda in a text message


def test_reminders_skip_members_who_said_they_are_not_coming(panel, meeting, sam):
    alex = add_member(panel, "Alex")
    MeetingReplyFactory(meeting=meeting, member=alex, not_coming=True)
    MeetingReplyFactory(meeting=meeting, member=sam, maybe=True)
    assert meeting_remind(meeting_id=meeting.pk, now=meeting.starts_at - timedelta(days=1)) == 1
    (email,) = mail.outbox
    assert email.to == ["sam@example.org"]
    assert "You said: maybe" in email.body


def test_a_cancellation_goes_to_everyone_without_reply_links(panel, meeting, sam, make_person):
    from coproduce.services.meetings import meeting_cancel

    alex = add_member(panel, "Alex")
    MeetingReplyFactory(meeting=meeting, member=alex, not_coming=True)
    meeting_cancel(user=make_person("engagement_lead"), meeting=meeting, reason="Venue closed")
    assert sorted(email.to[0] for email in mail.outbox) == [
        "alex@example.org",
        "sam@example.org",
    ]
    assert all("Are you coming?" not in email.body for email in mail.outbox)


# --- From the meeting's page and My space --------------------------------------------------------


def test_a_member_replies_on_the_meetings_page(client, meeting, sam):
    sign_in(client, sam)
    page = client.get(f"/panels/meetings/{meeting.pk}/")
    assert "Are you coming?" in text_of(page)
    assert "You have not told us yet whether you are coming" in text_of(page)
    response = client.post(
        f"/panels/meetings/{meeting.pk}/reply/",
        {"answer": "not_coming", "note": "Sorry, I have a hospital appointment."},
    )
    assert response.status_code == 302
    reply = MeetingReply.objects.get()
    assert (reply.answer, reply.via) == ("not_coming", "my_space")
    page = text_of(client.get(response["Location"]))
    assert "You said: Not coming" in page
    assert "Your note: Sorry, I have a hospital appointment." in page


def test_a_reply_with_no_answer_re_shows_the_page_with_the_problem(client, meeting, sam):
    sign_in(client, sam)
    response = client.post(f"/panels/meetings/{meeting.pk}/reply/", {"note": "Keep me"})
    assert response.status_code == 400
    page = text_of(response)
    assert "There is a problem" in page and "Choose whether you are coming" in page
    assert "Keep me" in response.content.decode()
    assert not MeetingReply.objects.exists()


def test_after_the_meeting_starts_the_page_shows_the_answer_without_a_form(
    client, meeting, sam, frozen_time
):
    MeetingReplyFactory(meeting=meeting, member=sam)
    frozen_time.move_to(meeting.starts_at + timedelta(minutes=1))
    sign_in(client, sam)
    response = client.get(f"/panels/meetings/{meeting.pk}/")
    page = text_of(response)
    assert "You said: Coming" in page and "replies have closed" in page
    assert 'name="answer"' not in response.content.decode()
    client.post(f"/panels/meetings/{meeting.pk}/reply/", {"answer": "not_coming"})
    assert MeetingReply.objects.get().answer == "coming"


def test_people_who_are_not_members_of_the_panel_cannot_reply(client, make_person, meeting, sam):
    outsider = add_member(PanelFactory(), "Kai")
    sign_in(client, outsider)
    assert (
        client.post(f"/panels/meetings/{meeting.pk}/reply/", {"answer": "coming"}).status_code
        == 404
    )
    sign_in(client, make_person("engagement_lead"))  # runs the panel, is not on it
    assert (
        client.post(f"/panels/meetings/{meeting.pk}/reply/", {"answer": "coming"}).status_code
        == 403
    )
    assert (
        client.post(f"/panels/meetings/{meeting.pk}/reply/quick/", {"answer": "coming"}).status_code
        == 403
    )
    client.logout()
    response = client.post(f"/panels/meetings/{meeting.pk}/reply/", {"answer": "coming"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not MeetingReply.objects.exists()
    with pytest.raises(Refused):
        meeting_reply(member=outsider, meeting=meeting, answer="coming")


def test_my_space_shows_the_reply_and_answers_in_one_click(client, meeting, sam):
    sign_in(client, sam)
    page = text_of(client.get("/my-space/"))
    assert "Leaflet review" in page and "You have not replied yet" in page
    response = client.post(f"/panels/meetings/{meeting.pk}/reply/quick/", {"answer": "coming"})
    assert response["Location"] == "/my-space/"
    page = text_of(client.get("/my-space/"))
    assert "You said: Coming" in page
    assert "Thank you. You said you are coming." in page
    assert MeetingReply.objects.get().via == "my_space"


def test_a_one_click_change_clears_a_note_written_for_the_old_answer(client, meeting, sam):
    MeetingReplyFactory(meeting=meeting, member=sam, not_coming=True)
    sign_in(client, sam)
    client.post(f"/panels/meetings/{meeting.pk}/reply/quick/", {"answer": "not_coming"})
    assert MeetingReply.objects.get().note == "Sorry, I have a hospital appointment."
    client.post(f"/panels/meetings/{meeting.pk}/reply/quick/", {"answer": "coming"})
    assert (MeetingReply.objects.get().answer, MeetingReply.objects.get().note) == ("coming", "")
    response = client.post(f"/panels/meetings/{meeting.pk}/reply/quick/", {"answer": "?"})
    assert response.status_code == 302
    assert MeetingReply.objects.get().answer == "coming"


def test_my_space_meetings_issue_the_same_queries_for_3_or_30_replies(client, panel, sam):
    sign_in(client, sam)

    def count():
        return queries_for(client, "/my-space/")

    def add(n):
        meeting = MeetingFactory(panel=panel, starts_at=datetime(2027, 1, 1 + n, 10, tzinfo=UK))
        MeetingReplyFactory(meeting=meeting, member=sam, answer=["coming", "maybe"][n % 2])
        for i in range(n % 3):
            MeetingReplyFactory(meeting=meeting, member=add_member(panel, f"M{n}x{i}"))

    for n in range(3):
        add(n)
    count()
    few = count()
    for n in range(3, 30):
        add(n)
    assert count() == few


def test_the_calendar_feed_leaves_out_meetings_the_member_is_not_coming_to(client, panel, sam):
    going = MeetingFactory(panel=panel, title="Going")
    not_going = MeetingFactory(
        panel=panel, title="Not going", starts_at=datetime(2026, 12, 9, 10, tzinfo=UK)
    )
    MeetingReplyFactory(meeting=not_going, member=sam, not_coming=True)
    feed = client.get(f"/panels/calendar/{sam.involvement_profile.calendar_token}.ics")
    body = feed.content.decode()
    assert f"SUMMARY:{going.title}" in body and "Not going" not in body
