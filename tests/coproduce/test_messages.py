"""Members write to the panel's lead or finance from a claim or a meeting; staff read and
answer in the admin; each side sees only what is theirs, and is told when there is
something new, without the words of the message leaving the site."""

import io
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from cms import audit
from cms.erasure import close_account
from cms.roles import Role
from cms.your_data import as_json, gather
from coproduce.factories import (
    AttendanceFactory,
    ConversationFactory,
    ConversationMessageFactory,
    InvolvementClaimFactory,
    InvolvementProfileFactory,
    MeetingFactory,
    MemberFactory,
    PanelApplicationFactory,
    PanelFactory,
)
from coproduce.models import Conversation, ConversationMessage
from coproduce.reports import remittance_pdf
from coproduce.services import messages as services
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET_WORDS = "my universal credit was stopped"


@pytest.fixture
def world(organisation, other_organisation):
    """A panel of our organisation run by Priya (its facilitator), another lead of the
    organisation who does not run it, finance here and at the other organisation, and
    Sam, a member of the panel with a paid claim for its last meeting."""
    priya = UserFactory(
        first_name="Priya",
        last_name="Shah",
        roles=[Role.ENGAGEMENT_LEAD],
        organisation=organisation,
        mfa=True,
    )
    other_lead = UserFactory(
        first_name="Tom", roles=[Role.ENGAGEMENT_LEAD], organisation=organisation, mfa=True
    )
    finance = UserFactory(
        first_name="Fran", roles=[Role.FINANCE], organisation=organisation, mfa=True
    )
    their_finance = UserFactory(roles=[Role.FINANCE], organisation=other_organisation, mfa=True)
    panel = PanelFactory(organisation=organisation, title="Crisis café panel", facilitators=[priya])
    sam = MemberFactory(first_name="Sam", last_name="Okafor")
    InvolvementProfileFactory(user=sam, display_name="Sam")
    PanelApplicationFactory(panel=panel, applicant=sam, accepted=True)
    meeting = MeetingFactory(panel=panel, past=True, title="Planning the leaflet")
    claim = InvolvementClaimFactory(
        attendance=AttendanceFactory(meeting=meeting, member=sam), paid=True
    )
    return {
        "priya": priya,
        "other_lead": other_lead,
        "finance": finance,
        "their_finance": their_finance,
        "panel": panel,
        "sam": sam,
        "meeting": meeting,
        "claim": claim,
    }


def _send(client, url, *, subject="About my claim", body="When will I be paid?"):
    return client.post(url, {"subject": subject, "body": body})


def _to(person) -> list:
    return [m for m in mail.outbox if person.email in m.to]


# --- Who to contact -----------------------------------------------------------------------------


def test_a_claim_shows_its_member_who_to_contact_with_a_way_to_write_to_each(client, world):
    sign_in(client, world["sam"])
    page = client.get(reverse("coproduce:claim_detail", args=[world["claim"].pk])).content
    page = page.decode()
    assert "Who to contact" in page
    assert "Priya Shah" in page and "Lead of Crisis café panel" in page
    assert "Finance, Northdale Health NHS Trust" in page
    assert reverse("coproduce:claim_message_lead", args=[world["claim"].pk]) in page
    assert reverse("coproduce:claim_message_finance", args=[world["claim"].pk]) in page


def test_a_meeting_shows_its_panel_members_the_lead_to_write_to(client, world):
    sign_in(client, world["sam"])
    page = client.get(reverse("coproduce:meeting_detail", args=[world["meeting"].pk]))
    text = page.content.decode()
    assert "Who to contact" in text and "Priya Shah" in text
    assert reverse("coproduce:meeting_message", args=[world["meeting"].pk]) in text
    assert "Finance," not in text


def test_a_panel_with_no_facilitator_names_the_organisations_engagement_team(client, world):
    world["panel"].facilitators.clear()
    sign_in(client, world["sam"])
    page = client.get(reverse("coproduce:meeting_detail", args=[world["meeting"].pk]))
    assert "The engagement team, Northdale Health NHS Trust" in page.content.decode()


def test_the_remittance_says_who_to_contact_and_where(world):
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(remittance_pdf(world["claim"]))).pages
    )
    text = " ".join(text.split())
    assert "Who to contact" in text
    assert "Priya Shah" in text
    assert "Finance, Northdale Health NHS Trust" in text
    assert f"/claims/{world['claim'].pk}/" in text


# --- A member writes ------------------------------------------------------------------------------


def test_a_member_writes_to_the_panels_lead_about_their_claim(client, world):
    sign_in(client, world["sam"])
    url = reverse("coproduce:claim_message_lead", args=[world["claim"].pk])
    form = client.get(url)
    assert form.status_code == 200
    assert f"My claim {world['claim'].reference} for Planning the leaflet" in form.content.decode()

    response = _send(client, url, body=f"Hello,\n{SECRET_WORDS}. <b>Help</b>")

    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("coproduce:message_thread", args=[conversation.pk])
    assert conversation.to == Conversation.To.LEAD
    assert conversation.claim == world["claim"] and conversation.panel == world["panel"]
    assert conversation.waiting_for_staff
    message = conversation.messages.get()
    assert message.body == f"Hello,\n{SECRET_WORDS}. <b>Help</b>"  # stored as typed
    # Priya, who runs the panel, is emailed the way to it, never the words.
    [email] = _to(world["priya"])
    assert reverse("staff_message_thread", args=[conversation.pk]) in email.body
    assert SECRET_WORDS not in email.body and SECRET_WORDS not in email.subject
    assert not _to(world["other_lead"]) and not _to(world["finance"])
    thread = client.get(response["Location"]).content.decode()
    assert "Your message has been sent" in thread
    assert "&lt;b&gt;Help&lt;/b&gt;" in thread


def test_a_message_to_finance_reaches_finance_of_the_panels_organisation_only(client, world):
    sign_in(client, world["sam"])
    _send(client, reverse("coproduce:claim_message_finance", args=[world["claim"].pk]))
    conversation = Conversation.objects.get()
    assert conversation.to == Conversation.To.FINANCE
    assert len(_to(world["finance"])) == 1
    assert not _to(world["their_finance"]) and not _to(world["priya"])


def test_a_member_writes_to_the_lead_about_a_meeting_of_their_panel(client, world):
    sign_in(client, world["sam"])
    url = reverse("coproduce:meeting_message", args=[world["meeting"].pk])
    assert "The meeting: Planning the leaflet" in client.get(url).content.decode()
    _send(client, url, subject="Hearing loop", body="Will there be a hearing loop?")
    conversation = Conversation.objects.get()
    assert conversation.meeting == world["meeting"] and conversation.claim is None
    assert len(_to(world["priya"])) == 1


def test_a_message_with_nothing_in_it_says_what_to_do_and_saves_nothing(client, world):
    sign_in(client, world["sam"])
    url = reverse("coproduce:claim_message_lead", args=[world["claim"].pk])
    response = _send(client, url, subject="Kept subject", body="   \n  ")
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and "Enter your message" in page
    assert "Kept subject" in page
    assert not Conversation.objects.exists() and not mail.outbox


def test_a_message_too_long_is_refused_with_what_was_typed_kept(client, world):
    sign_in(client, world["sam"])
    url = reverse("coproduce:claim_message_lead", args=[world["claim"].pk])
    typed = "Word " * (services.BODY_MAX // 5) + "more"
    response = _send(client, url, body=typed)
    page = response.content.decode()
    assert f"Keep your message to {services.BODY_MAX} characters or fewer" in page
    assert typed[:200] in page
    assert not Conversation.objects.exists()


def test_a_subject_left_empty_says_what_to_enter(client, world):
    sign_in(client, world["sam"])
    url = reverse("coproduce:claim_message_lead", args=[world["claim"].pk])
    response = _send(client, url, subject="", body="Hello")
    assert "Enter what your message is about" in response.content.decode()
    assert not Conversation.objects.exists()


def test_nobody_writes_about_someone_elses_claim(client, world, make_person):
    url = reverse("coproduce:claim_message_lead", args=[world["claim"].pk])
    sign_in(client, MemberFactory())
    assert client.get(url).status_code == 404
    sign_in(client, world["priya"])  # she sees the claim as its lead, but it is not hers
    assert client.get(url).status_code == 403
    assert _send(client, url).status_code == 403
    assert not Conversation.objects.exists()


def test_only_members_of_the_panel_write_about_its_meetings(client, world):
    url = reverse("coproduce:meeting_message", args=[world["meeting"].pk])
    sign_in(client, MemberFactory())
    assert client.get(url).status_code == 404
    sign_in(client, world["priya"])
    assert client.get(url).status_code == 403


def test_signed_out_people_are_asked_to_sign_in(client, world):
    url = reverse("coproduce:claim_message_lead", args=[world["claim"].pk])
    assert client.get(url)["Location"].startswith(reverse("account_login"))


# --- The member's conversations -------------------------------------------------------------------


def test_a_member_reads_a_reply_which_is_then_no_longer_new(client, world):
    conversation = ConversationFactory(member=world["sam"], meeting=world["meeting"])
    ConversationMessageFactory(
        conversation=conversation, author=world["priya"], from_staff=True, body="Yes, there is."
    )
    sign_in(client, world["sam"])
    listing = client.get(reverse("coproduce:message_list")).content.decode()
    assert conversation.subject in listing and "1 unread" in listing
    thread = client.get(reverse("coproduce:message_thread", args=[conversation.pk]))
    assert "Yes, there is." in thread.content.decode()
    assert "Priya Shah, panel lead" in thread.content.decode()
    assert not ConversationMessage.objects.filter(from_staff=True, read_at__isnull=True).exists()
    assert "unread" not in client.get(reverse("coproduce:message_list")).content.decode()


def test_a_member_replies_and_it_waits_for_staff_again(client, world):
    conversation = ConversationFactory(
        member=world["sam"], meeting=world["meeting"], waiting_for_staff=False
    )
    sign_in(client, world["sam"])
    url = reverse("coproduce:message_thread", args=[conversation.pk])
    response = client.post(url, {"body": "Thank you. One more thing."})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.waiting_for_staff
    assert conversation.messages.last().body == "Thank you. One more thing."
    [email] = _to(world["priya"])
    assert "replied" in email.subject and "One more thing" not in email.body


def test_a_reply_opens_a_closed_conversation_again(client, world):
    conversation = ConversationFactory(
        member=world["sam"], meeting=world["meeting"], closed_at=timezone.now()
    )
    sign_in(client, world["sam"])
    url = reverse("coproduce:message_thread", args=[conversation.pk])
    assert "If you still need help, reply below" in client.get(url).content.decode()
    client.post(url, {"body": "I still need help."})
    conversation.refresh_from_db()
    assert conversation.closed_at is None and conversation.waiting_for_staff


def test_an_empty_reply_is_refused_and_nothing_is_sent(client, world):
    conversation = ConversationFactory(member=world["sam"], meeting=world["meeting"])
    sign_in(client, world["sam"])
    response = client.post(
        reverse("coproduce:message_thread", args=[conversation.pk]), {"body": ""}
    )
    assert response.status_code == 400 and "Enter your message" in response.content.decode()
    assert conversation.messages.count() == 1 and not mail.outbox


@pytest.mark.parametrize(
    "who", ["member", "engagement_lead", "finance", "admin", "hr", "peer_worker"]
)
def test_nobody_else_opens_a_members_conversation_on_the_site(client, world, make_person, who):
    conversation = ConversationFactory(member=world["sam"], meeting=world["meeting"])
    sign_in(client, make_person(who))
    url = reverse("coproduce:message_thread", args=[conversation.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"body": "Hi"}).status_code == 404
    assert conversation.messages.count() == 1


def test_my_space_shows_the_members_messages_with_replies_not_read(client, world):
    conversation = ConversationFactory(member=world["sam"], meeting=world["meeting"])
    ConversationMessageFactory(conversation=conversation, author=world["priya"], from_staff=True)
    sign_in(client, world["sam"])
    page = client.get(reverse("my_space")).content.decode()
    assert "Your messages" in page
    assert "You have a reply you have not read." in page
    assert conversation.subject in page


def test_my_space_has_no_messages_panel_before_a_member_writes(client, world):
    sign_in(client, world["sam"])
    assert "Your messages" not in client.get(reverse("my_space")).content.decode()


# --- Staff --------------------------------------------------------------------------------------


def _inbox(client, **params):
    return client.get(reverse("staff_messages"), params).content.decode()


def test_the_panels_facilitator_sees_messages_to_its_lead_and_other_leads_do_not(client, world):
    conversation = ConversationFactory(member=world["sam"], meeting=world["meeting"])
    sign_in(client, world["priya"])
    assert conversation.subject in _inbox(client)
    sign_in(client, world["other_lead"])
    assert conversation.subject not in _inbox(client)
    url = reverse("staff_message_thread", args=[conversation.pk])
    assert client.get(url).status_code == 404


def test_with_no_facilitator_the_organisations_leads_answer(client, world):
    world["panel"].facilitators.clear()
    conversation = ConversationFactory(member=world["sam"], meeting=world["meeting"])
    sign_in(client, world["other_lead"])
    assert conversation.subject in _inbox(client)
    assert set(services.staff_to_tell(conversation)) == {world["other_lead"], world["priya"]}


def test_finance_sees_finance_messages_of_their_organisation_only(client, world):
    to_finance = ConversationFactory(
        member=world["sam"],
        meeting=None,
        panel=world["panel"],
        organisation=world["panel"].organisation,
        claim=world["claim"],
        to=Conversation.To.FINANCE,
        subject="When will I be paid?",
    )
    to_lead = ConversationFactory(member=world["sam"], meeting=world["meeting"])
    sign_in(client, world["finance"])
    inbox = _inbox(client)
    assert to_finance.subject in inbox and to_lead.subject not in inbox
    sign_in(client, world["their_finance"])
    assert to_finance.subject not in _inbox(client)
    sign_in(client, world["priya"])
    assert to_finance.subject not in _inbox(client)


def test_admins_see_every_conversation(client, world, make_person):
    conversation = ConversationFactory(member=world["sam"], meeting=world["meeting"])
    sign_in(client, make_person("admin"))
    assert conversation.subject in _inbox(client)


@pytest.mark.parametrize("who", ["hr", "editor"])
def test_other_staff_have_no_inbox(client, world, make_person, who):
    conversation = ConversationFactory(member=world["sam"], meeting=world["meeting"])
    sign_in(client, make_person(who))
    response = client.get(reverse("staff_messages"))
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    thread = client.get(reverse("staff_message_thread", args=[conversation.pk]))
    assert thread.status_code == 302


@pytest.mark.parametrize("who", ["member", "peer_worker", "supervisor"])
def test_people_the_admin_is_not_for_are_refused(client, world, make_person, who):
    sign_in(client, make_person(who))
    assert client.get(reverse("staff_messages")).status_code == 403


def test_waiting_for_an_answer_comes_first(client, world):
    answered = ConversationFactory(
        member=world["sam"],
        meeting=world["meeting"],
        waiting_for_staff=False,
        subject="Bus fares answered",
    )
    waiting = ConversationFactory(
        member=world["sam"],
        meeting=world["meeting"],
        subject="Parking still waiting",
        last_message_at=timezone.now() - timezone.timedelta(days=3),
    )
    closed = ConversationFactory(
        member=world["sam"],
        meeting=world["meeting"],
        subject="Leaflet long closed",
        closed_at=timezone.now(),
    )
    sign_in(client, world["priya"])
    inbox = _inbox(client)
    assert (
        inbox.index(waiting.subject) < inbox.index(answered.subject) < inbox.index(closed.subject)
    )
    only_waiting = _inbox(client, showing="waiting")
    assert waiting.subject in only_waiting and answered.subject not in only_waiting
    assert "1 is waiting for your answer" in inbox
    assert answered.subject in _inbox(client, showing="nonsense")


def test_opening_a_conversation_is_audited_and_marks_the_members_messages_read(client, world):
    conversation = ConversationFactory(member=world["sam"], meeting=world["meeting"])
    sign_in(client, world["priya"])
    page = client.get(reverse("staff_message_thread", args=[conversation.pk])).content.decode()
    assert "Will there be a hearing loop in the room?" in page
    entry = ModelLogEntry.objects.get(action=audit.VIEW)
    assert entry.user_id == world["priya"].pk
    assert entry.data["about"] == world["sam"].pk
    assert not conversation.messages.filter(read_at__isnull=True).exists()


def test_staff_answer_and_the_member_is_told_without_the_words(client, world, monkeypatch):
    told = []
    real_notify = services.notify
    monkeypatch.setattr(
        services, "notify", lambda *a, **kw: told.append((a, kw)) or real_notify(*a, **kw)
    )
    conversation = ConversationFactory(member=world["sam"], meeting=world["meeting"])
    sign_in(client, world["priya"])
    response = client.post(
        reverse("staff_message_thread", args=[conversation.pk]),
        {"body": f"Yes. About {SECRET_WORDS}: call us."},
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert not conversation.waiting_for_staff and conversation.closed_at is None
    answer = conversation.messages.last()
    assert answer.from_staff and answer.author == world["priya"]
    [(args, kwargs)] = told
    assert args == (world["sam"], "messages")
    assert SECRET_WORDS not in kwargs["text"] and SECRET_WORDS not in kwargs["body"]
    assert reverse("coproduce:message_thread", args=[conversation.pk]) in kwargs["text"]
    [email] = _to(world["sam"])
    assert "The lead of Crisis café panel has replied" in email.body


def test_staff_answer_and_close_in_one_go(client, world):
    conversation = ConversationFactory(member=world["sam"], meeting=world["meeting"])
    sign_in(client, world["priya"])
    client.post(
        reverse("staff_message_thread", args=[conversation.pk]),
        {"body": "All sorted.", "close": "on"},
    )
    conversation.refresh_from_db()
    assert conversation.closed_at is not None
    assert "closed the conversation" in _to(world["sam"])[0].body


def test_an_empty_answer_is_refused(client, world):
    conversation = ConversationFactory(member=world["sam"], meeting=world["meeting"])
    sign_in(client, world["priya"])
    response = client.post(reverse("staff_message_thread", args=[conversation.pk]), {"body": ""})
    assert response.status_code == 400 and "Enter your message" in response.content.decode()
    assert conversation.messages.count() == 1 and not mail.outbox


def test_staff_close_a_conversation_and_cannot_close_it_twice(client, world):
    conversation = ConversationFactory(member=world["sam"], meeting=world["meeting"])
    sign_in(client, world["priya"])
    url = reverse("staff_message_close", args=[conversation.pk])
    assert "Close the conversation" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    conversation.refresh_from_db()
    assert conversation.closed_at is not None and not conversation.waiting_for_staff
    again = client.get(url, follow=True).content.decode()
    assert "already closed" in again


def test_staff_cannot_answer_their_own_message(client, world):
    world["priya"].groups.add(*MemberFactory().groups.all())
    conversation = ConversationFactory(member=world["priya"], meeting=world["meeting"])
    world["panel"].facilitators.add(world["other_lead"])
    sign_in(client, world["priya"])
    url = reverse("staff_message_thread", args=[conversation.pk])
    assert client.get(url).status_code == 404  # their own message is not in their inbox
    assert client.post(url, {"body": "Answering myself"}).status_code == 404


def test_the_admin_home_and_my_space_show_how_many_wait(client, world):
    ConversationFactory(member=world["sam"], meeting=world["meeting"], subject="First one")
    ConversationFactory(member=world["sam"], meeting=world["meeting"], subject="Second one")
    sign_in(client, world["priya"])
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "2 messages are waiting for your answer" in home
    assert "Sam: First one" in home
    my_space = client.get(reverse("my_space")).content.decode()
    assert "2 messages from members are waiting for your answer" in my_space


# --- Personal data -------------------------------------------------------------------------------


def test_messages_are_in_the_members_copy_of_their_data(world):
    conversation = ConversationFactory(
        member=world["sam"], meeting=world["meeting"], body=SECRET_WORDS
    )
    ConversationMessageFactory(conversation=conversation, author=world["priya"], from_staff=True)
    copy = json.dumps(as_json(world["sam"], gather(world["sam"]), timezone.now()))
    assert SECRET_WORDS in copy and conversation.subject in copy
    someone = MemberFactory()
    assert SECRET_WORDS not in json.dumps(as_json(someone, gather(someone), timezone.now()))


def test_closing_an_account_deletes_its_messages(world):
    ConversationFactory(member=world["sam"], meeting=world["meeting"])
    close_account(world["sam"], by=world["sam"], reason="Asked to close their account")
    assert not Conversation.objects.exists() and not ConversationMessage.objects.exists()
