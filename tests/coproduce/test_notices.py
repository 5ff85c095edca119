"""Notices go by the channel each member chose, only when they want them; calls and
letters wait in their leads' list (coproduce/notices.py)."""

import pytest
from django.core import mail
from pypdf import PdfReader

from cms import texts
from cms.models import OutboundText
from coproduce.factories import InvolvementProfileFactory, PanelApplicationFactory, PanelFactory
from coproduce.models import ContactTask, InvolvementProfile
from coproduce.notices import UNREACHABLE, notify
from tests.conftest import sign_in
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

BODY = "Hello Sam,\n\nYour claim CL-1 has been approved.\n\nThank you."


def _member(make_person, *, channel="email", phone="", declined=(), **kwargs):
    person = make_person("member", **kwargs)
    InvolvementProfileFactory(
        user=person,
        display_name="Sam",
        contact_preference=channel,
        phone=phone,
        notices_declined=list(declined),
    )
    return person


def _tell(person, notice="claims", **kwargs):
    kwargs.setdefault("subject", "Your claim CL-1 has been approved")
    kwargs.setdefault("body", BODY)
    return notify(person, notice, **kwargs)


# --- Each channel ---------------------------------------------------------------------------


def test_a_member_who_chose_email_is_emailed_the_whole_notice(make_person):
    person = _member(make_person, channel="email")
    delivery = _tell(person)
    assert delivery == "email" and delivery.channel == "email"
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert "has been approved" in mail.outbox[0].body
    assert texts.outbox == []


def test_a_member_with_no_profile_is_emailed(make_person):
    person = make_person("member")
    assert _tell(person).channel == "email"
    assert len(mail.outbox) == 1


def test_a_member_who_chose_texts_gets_a_short_text_with_the_link_and_no_email(make_person):
    person = _member(make_person, channel="text", phone="07700 900123")
    delivery = _tell(person, link="/claims/1/", text="Claim CL-1 approved")
    assert delivery.channel == "text"
    assert mail.outbox == []
    assert texts.outbox == [
        {
            "to": "+447700900123",
            "body": "Claim CL-1 approved http://testserver/claims/1/",
            "reference": str(delivery.text.key),
        }
    ]
    delivery.text.refresh_from_db()
    assert delivery.text.status == OutboundText.Status.SENT
    # Never the details: the body of the notice is not in the text.
    assert "Thank you" not in texts.outbox[0]["body"]


def test_a_text_without_short_words_says_the_subject(make_person):
    person = _member(make_person, channel="text", phone="+44 7700 900123")
    _tell(person)
    assert texts.outbox[0]["body"] == "Your claim CL-1 has been approved"


@pytest.mark.parametrize("channel, kind", [("phone", "phone"), ("post", "letter")])
def test_a_call_or_letter_becomes_a_task_for_the_panels_leads_and_no_email(
    make_person, organisation, channel, kind
):
    person = _member(make_person, channel=channel, phone="0113 496 0000")
    panel = PanelFactory(organisation=organisation)
    delivery = _tell(person, panel=panel)
    assert delivery.channel == kind
    task = ContactTask.objects.get()
    assert delivery.task == task
    assert (task.member, task.organisation, task.panel, task.kind, task.notice) == (
        person,
        organisation,
        panel,
        kind,
        "claims",
    )
    assert task.subject == "Your claim CL-1 has been approved"
    assert task.body == BODY
    assert mail.outbox == [] and texts.outbox == []


def test_a_task_with_no_panel_goes_to_the_organisation_of_the_members_newest_panel(
    make_person, organisation, other_organisation
):
    person = _member(make_person, channel="phone", phone="0113 496 0000")
    PanelApplicationFactory(applicant=person, panel__organisation=other_organisation, accepted=True)
    PanelApplicationFactory(applicant=person, panel__organisation=organisation, accepted=True)
    _tell(person)
    assert ContactTask.objects.get().organisation == organisation


def test_a_task_can_name_the_organisation(make_person, other_organisation):
    person = _member(make_person, channel="post")
    _tell(person, organisation=other_organisation)
    assert ContactTask.objects.get().organisation == other_organisation


def test_a_member_on_no_panel_who_chose_letters_is_emailed_rather_than_not_told(make_person):
    person = _member(make_person, channel="post")
    delivery = _tell(person)
    assert delivery.channel == "email"
    assert "not on a panel" in delivery.fell_back
    assert len(mail.outbox) == 1
    assert not ContactTask.objects.exists()


# --- Declined notices -----------------------------------------------------------------------


def test_a_declined_notice_is_not_sent_at_all(make_person):
    person = _member(make_person, channel="email", declined=["changes"])
    assert _tell(person, "changes").channel == "declined"
    assert mail.outbox == []


def test_a_notice_that_cannot_be_declined_is_sent_whatever_the_profile_says(make_person):
    person = _member(make_person, channel="email", declined=["claims"])
    assert _tell(person, "claims").channel == "email"
    assert len(mail.outbox) == 1


def test_an_unknown_notice_is_a_mistake_in_the_code(make_person):
    with pytest.raises(ValueError):
        _tell(make_person("member"), "gossip")


# --- No way to reach them by their channel ---------------------------------------------------


def test_text_without_a_mobile_falls_back_to_email_and_the_lead_is_asked_once(
    make_person, organisation
):
    person = _member(make_person, channel="text", phone="0113 496 0000")
    panel = PanelFactory(organisation=organisation)
    first = _tell(person, panel=panel)
    second = _tell(person, panel=panel)
    assert first.channel == second.channel == "email"
    assert "mobile" in first.fell_back
    assert len(mail.outbox) == 2
    assert texts.outbox == []
    task = ContactTask.objects.get()
    assert task.notice == UNREACHABLE and task.organisation == organisation
    assert "ask them for a mobile number" in task.subject


# --- Text messages from a real change -------------------------------------------------------


def test_a_returned_claim_reaches_a_member_who_chose_texts_by_text(make_person, organisation):
    from coproduce.factories import InvolvementClaimFactory
    from coproduce.services.claims import claim_return

    person = _member(make_person, channel="text", phone="07700 900123")
    claim = InvolvementClaimFactory(member=person, submitted=True)
    lead = make_person("engagement_lead", organisation=claim.panel.organisation)
    claim_return(claim=claim, user=lead, reason="Please add the bus fare receipt.")
    assert mail.outbox == []
    assert len(texts.outbox) == 1
    assert f"/claims/{claim.pk}/" in texts.outbox[0]["body"]
    assert "bus fare" not in texts.outbox[0]["body"]


# --- The member's choices -------------------------------------------------------------------

URL = "/involvement/notices/"


def test_a_member_sees_their_choices_and_why_some_notices_are_always_sent(client, make_person):
    person = _member(make_person, channel="email", declined=["changes"])
    sign_in(client, person)
    page = client.get(URL).content.decode()
    assert "How we contact you" in page
    assert "Your claims and payments" in page and "We always tell you about these" in page
    assert 'value="changes"' in page and 'value="claims"' not in page


def test_a_member_chooses_texts_and_turns_notices_off(client, make_person):
    person = _member(make_person, channel="email")
    sign_in(client, person)
    response = client.post(
        URL,
        {"contact_preference": "text", "phone": "07700 900123", "wanted": ["messages"]},
    )
    assert response.status_code == 302
    profile = InvolvementProfile.objects.get(user=person)
    assert profile.contact_preference == "text"
    assert profile.phone == "07700 900123"
    assert sorted(profile.notices_declined) == ["applications", "changes", "sign_off"]
    assert "Your choices are saved" in client.get(URL).content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"contact_preference": "text", "phone": "0113 496 0000"}, "Enter a UK mobile number"),
        ({"contact_preference": "text", "phone": ""}, "Enter a phone number"),
        ({"contact_preference": "phone", "phone": ""}, "Enter a phone number"),
        ({"contact_preference": "pigeon", "phone": ""}, "Select a valid choice"),
        ({"contact_preference": "email", "wanted": ["claims"]}, "Select a valid choice"),
    ],
)
def test_bad_choices_are_explained_and_nothing_is_saved(client, make_person, data, message):
    person = _member(make_person, channel="email", declined=["changes"])
    sign_in(client, person)
    response = client.post(URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "There is a problem" in page
    profile = InvolvementProfile.objects.get(user=person)
    assert (profile.contact_preference, profile.notices_declined) == ("email", ["changes"])


@pytest.mark.parametrize("role", ["peer_worker", "engagement_lead", "finance", "admin"])
def test_people_who_are_not_members_are_told_why(client_as, role):
    response = client_as(role).get(URL)
    assert response.status_code == 403
    assert "choose how we contact you" in response.content.decode()


def test_a_member_changes_only_their_own_choices(client, make_person):
    mine = _member(make_person, channel="email")
    theirs = _member(make_person, channel="email")
    sign_in(client, mine)
    client.post(URL, {"contact_preference": "post", "phone": "", "wanted": []})
    assert InvolvementProfile.objects.get(user=theirs).contact_preference == "email"
    assert InvolvementProfile.objects.get(user=mine).contact_preference == "post"


def test_the_profile_form_refuses_a_landline_for_texts(client, make_person):
    person = _member(make_person, channel="email")
    sign_in(client, person)
    response = client.post(
        "/involvement/profile/",
        {
            "display_name": "Sam",
            "contact_preference": "text",
            "phone": "0113 496 0000",
            "payment_choice": "paid",
        },
    )
    assert response.status_code == 200
    assert "Enter a UK mobile number" in response.content.decode()
    assert InvolvementProfile.objects.get(user=person).contact_preference == "email"


def test_my_space_says_how_we_contact_a_member(client, make_person):
    person = _member(make_person, channel="post", declined=["changes"])
    sign_in(client, person)
    page = client.get("/my-space/").content.decode()
    assert "We contact you by letter" in page
    assert "Changes you follow" in page


# --- The lead's list ------------------------------------------------------------------------


def _task(organisation, *, kind="phone", **kwargs):
    member = kwargs.pop("member", None) or _member_quick(organisation)
    return ContactTask.objects.create(
        member=member,
        organisation=organisation,
        kind=kind,
        notice="claims",
        subject=kwargs.pop("subject", "Your claim CL-1 has been approved"),
        body=BODY,
        **kwargs,
    )


def _member_quick(organisation):
    from coproduce.factories import MemberFactory

    person = MemberFactory()
    InvolvementProfileFactory(user=person, display_name="Sam", phone="0113 496 0000")
    return person


@pytest.fixture
def lead(client, make_person, organisation):
    person = make_person("engagement_lead", organisation=organisation)
    sign_in(client, person)
    return person


def test_a_lead_sees_their_organisations_calls_and_letters_to_do(client, lead, organisation):
    _task(organisation, subject="Call about the claim")
    _task(organisation, subject="Already done", done_at="2026-01-01T10:00Z")
    page = client.get("/contact-tasks/").content.decode()
    assert "Call about the claim" in page and "Already done" not in page
    done = client.get("/contact-tasks/?show=done").content.decode()
    assert "Already done" in done and "Call about the claim" not in done
    assert client.get("/contact-tasks/?show=nonsense").status_code == 200


def test_a_lead_does_not_see_another_organisations_tasks(client, lead, other_organisation):
    task = _task(other_organisation, subject="Somebody else's call")
    assert "Somebody else" not in client.get("/contact-tasks/").content.decode()
    assert client.get(f"/contact-tasks/{task.pk}/").status_code == 404
    response = client.post(f"/contact-tasks/{task.pk}/done/", {"outcome": "Called"})
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


@pytest.mark.parametrize("role", ["member", "peer_worker", "finance", "editor"])
def test_people_who_are_not_leads_have_no_list(client_as, role, organisation):
    task = _task(organisation)
    client = client_as(role)
    assert client.get("/contact-tasks/").status_code == 403
    assert client.get(f"/contact-tasks/{task.pk}/").status_code == 403


def test_a_lead_sees_the_number_to_call_and_marks_the_call_done(client, lead, organisation):
    task = _task(organisation)
    page = client.get(f"/contact-tasks/{task.pk}/").content.decode()
    assert "0113 496 0000" in page and "Your claim CL-1 has been approved." in page
    response = client.post(f"/contact-tasks/{task.pk}/done/", {"outcome": "Called, told them"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.done_by, task.outcome) == (lead, "Called, told them")
    assert task.done_at is not None
    again = client.post(f"/contact-tasks/{task.pk}/done/", {"outcome": "Second click"})
    assert again.status_code == 302
    task.refresh_from_db()
    assert task.outcome == "Called, told them"


@pytest.mark.parametrize("outcome, message", [("", "Say what happened"), ("x" * 501, "500")])
def test_marking_done_needs_what_happened(client, lead, organisation, outcome, message):
    task = _task(organisation)
    response = client.post(f"/contact-tasks/{task.pk}/done/", {"outcome": outcome})
    assert response.status_code == 400
    assert message in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is None


def test_a_letter_task_gives_a_printable_letter_and_says_no_address_is_held(
    client, lead, organisation
):
    task = _task(organisation, kind="letter")
    page = client.get(f"/contact-tasks/{task.pk}/").content.decode()
    assert "We do not hold a postal address" in page
    response = client.get(f"/contact-tasks/{task.pk}/letter/")
    assert response["Content-Type"] == "application/pdf"
    import io

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Northdale Health NHS Trust" in text
    assert "Your claim CL-1 has been approved." in text
    assert "Sam" in text


def test_a_phone_task_has_no_letter(client, lead, organisation):
    task = _task(organisation, kind="phone")
    assert client.get(f"/contact-tasks/{task.pk}/letter/").status_code == 404


def test_my_space_tells_a_lead_how_many_are_waiting(client, lead, organisation):
    _task(organisation)
    _task(organisation)
    assert (
        "2 members are waiting for a call or a letter" in client.get("/my-space/").content.decode()
    )


def test_the_list_costs_the_same_queries_with_3_tasks_or_30(client, lead, organisation):
    for _ in range(3):
        _task(organisation)
    client.get("/contact-tasks/")  # the first page of a session also fills its caches
    few = queries_for(client, "/contact-tasks/")
    for _ in range(27):
        _task(organisation)
    assert queries_for(client, "/contact-tasks/") == few
