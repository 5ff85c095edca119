"""Consent first for access needs: they are kept on a member's profile and applications only
with the member's agreement to the words shown with them, recorded word for word at the
same moment; withdrawing it deletes them everywhere; new wording means asking again."""

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import audit
from coproduce.consent import STATEMENTS, ConsentPurpose
from coproduce.factories import AccessArrangementFactory, MeetingFactory
from coproduce.models import AccessArrangement, ConsentRecord, InvolvementProfile, PanelApplication
from coproduce.selectors.meetings import meeting_access_needs
from coproduce.services import Refused
from coproduce.services.applications import application_submit
from coproduce.services.profiles import consent_withdraw, profile_save
from tests.conftest import sign_in
from tests.factories import (
    ConsentRecordFactory,
    InvolvementProfileFactory,
    MemberFactory,
    PanelApplicationFactory,
    PanelFactory,
)

pytestmark = pytest.mark.django_db

ACCESS = STATEMENTS[ConsentPurpose.ACCESS_NEEDS]
EMPTY = ([], "", "")

PROFILE = {
    "display_name": "Sam",
    "pronouns": "",
    "contact_preference": "email",
    "phone": "",
    "access_needs": ["bsl", "language"],
    "access_needs_other": "",
    "interpreter_language": "Polish",
    "payment_choice": "paid",
}


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text(response) -> str:
    return soup(response).get_text(" ", strip=True)


def access_fields(record) -> tuple:
    record.refresh_from_db()
    return (record.access_needs, record.access_needs_other, record.interpreter_language)


def agreed(person, *, version=ACCESS.version):
    return ConsentRecordFactory(
        user=person, purpose=ConsentPurpose.ACCESS_NEEDS, version=version, statement="Words"
    )


@pytest.fixture
def member(client):
    person = MemberFactory(first_name="Sam")
    sign_in(client, person)
    return person


# --- The profile form ------------------------------------------------------------------------


def test_the_profile_form_shows_the_access_needs_with_the_statement_as_an_i_agree_box(
    client, member
):
    page = soup(client.get("/involvement/profile/"))
    box = page.select_one('input[type=checkbox][name="agree_to_access_needs"]')
    assert box is not None and not box.has_attr("checked")
    label = page.select_one(f'label[for="{box["id"]}"]').get_text(" ", strip=True)
    assert label == ACCESS.text
    assert "we only keep it if you agree" in page.get_text(" ", strip=True)


def test_access_needs_sent_without_agreeing_are_not_kept_and_the_member_is_told_kindly(
    client, member
):
    response = client.post("/involvement/profile/", PROFILE)
    assert response.status_code == 200
    page = text(response)
    assert "Your other details are saved, but not what would help you take part" in page
    assert "we only keep that if you agree" in page
    profile = InvolvementProfile.objects.get(user=member)
    assert profile.display_name == "Sam"
    assert access_fields(profile) == EMPTY
    assert not ConsentRecord.objects.filter(user=member).exists()
    # What they chose is still on the page, so they can agree without typing it again.
    assert soup(response).select_one('input[name="access_needs"][value="bsl"]').has_attr("checked")
    assert soup(response).select_one("#id_interpreter_language")["value"] == "Polish"


def test_agreeing_keeps_the_access_needs_and_records_the_exact_words_at_the_same_moment(
    client, member
):
    before = timezone.now()
    response = client.post("/involvement/profile/", {**PROFILE, "agree_to_access_needs": "on"})
    assert response.status_code == 302
    profile = InvolvementProfile.objects.get(user=member)
    assert access_fields(profile) == (["bsl", "language"], "", "Polish")
    record = ConsentRecord.objects.get(user=member)
    assert record.purpose == ConsentPurpose.ACCESS_NEEDS
    assert (record.version, record.statement) == (ACCESS.version, ACCESS.text)
    assert before <= record.given_at <= profile.updated_at
    assert record.withdrawn_at is None


def test_a_profile_without_access_needs_is_saved_without_asking_anything(client, member):
    response = client.post("/involvement/profile/", {**PROFILE, "access_needs": []})
    assert response.status_code == 302
    assert InvolvementProfile.objects.filter(user=member).exists()
    assert not ConsentRecord.objects.exists()


def test_with_a_current_agreement_there_is_no_box_and_changes_are_kept(client, member):
    agreed(member)
    page = client.get("/involvement/profile/")
    assert soup(page).select_one('[name="agree_to_access_needs"]') is None
    assert "You agreed to this on" in text(page)
    assert ACCESS.text in text(page)
    response = client.post("/involvement/profile/", {**PROFILE, "access_needs": ["quiet_space"]})
    assert response.status_code == 302
    assert access_fields(member.involvement_profile) == (["quiet_space"], "", "")
    assert ConsentRecord.objects.filter(user=member).count() == 1


def test_the_service_keeps_no_access_needs_without_the_agreement(member):
    profile = profile_save(user=member, **PROFILE)
    assert access_fields(profile) == EMPTY
    assert not ConsentRecord.objects.exists()


def test_bad_access_needs_with_agreement_save_nothing_not_even_the_agreement(member):
    with pytest.raises(Refused):
        profile_save(
            user=member, **{**PROFILE, "access_needs": ["other"]}, agree_to_access_needs=True
        )
    assert not InvolvementProfile.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_staff_cannot_agree_through_the_profile_form(client_as):
    client = client_as("engagement_lead")
    response = client.post("/involvement/profile/", {**PROFILE, "agree_to_access_needs": "on"})
    assert response.status_code == 403
    assert not ConsentRecord.objects.exists()
    assert not InvolvementProfile.objects.exists()


# --- New wording, or needs kept before we asked: asked again -----------------------------------


def test_after_the_wording_changes_the_needs_stay_and_the_member_is_asked_again(client, member):
    InvolvementProfileFactory(user=member, access_needs=["bsl"])
    agreed(member, version="2020-01")
    page = text(client.get("/involvement/"))
    assert "The wording of what you agreed to about your access needs has changed" in page
    assert "A British Sign Language (BSL) interpreter" in page  # still kept, and shown
    form = client.get("/involvement/profile/")
    assert soup(form).select_one('input[name="agree_to_access_needs"]') is not None
    assert "the wording has changed since" in text(form)
    assert access_fields(member.involvement_profile) == (["bsl"], "", "")


def test_needs_kept_before_we_asked_stay_until_changed_and_the_member_is_asked(client, member):
    InvolvementProfileFactory(user=member, access_needs=["bsl"])
    assert "We now ask everyone before we keep their access needs" in text(
        client.get("/involvement/")
    )
    # Saving the form as shown keeps them as they were, without a word of complaint...
    unchanged = client.post("/involvement/profile/", {**PROFILE, "access_needs": ["bsl"]})
    assert unchanged.status_code == 302
    assert access_fields(member.involvement_profile) == (["bsl"], "", "")
    # ...but a change is not kept without agreeing.
    changed = client.post("/involvement/profile/", {**PROFILE, "access_needs": ["large_print"]})
    assert changed.status_code == 200
    assert access_fields(member.involvement_profile) == (["bsl"], "", "")


def test_agreeing_to_the_new_wording_closes_the_old_agreement(client, member):
    InvolvementProfileFactory(user=member, access_needs=["bsl"])
    old = agreed(member, version="2020-01")
    client.post("/involvement/profile/", {**PROFILE, "agree_to_access_needs": "on"})
    old.refresh_from_db()
    assert old.withdrawn_at is not None
    current = ConsentRecord.objects.get(user=member, withdrawn_at__isnull=True)
    assert (current.version, current.statement) == (ACCESS.version, ACCESS.text)
    assert "has changed" not in text(client.get("/involvement/"))


def test_a_member_with_a_current_agreement_is_not_asked(client, member):
    InvolvementProfileFactory(user=member, access_needs=["bsl"])
    agreed(member)
    page = text(client.get("/involvement/"))
    assert "has changed" not in page
    assert "We now ask everyone" not in page


# --- Withdrawing -------------------------------------------------------------------------------


@pytest.fixture
def everywhere(member):
    """The member's access needs on their profile and on applications in every state, a
    meeting's booked arrangement, and someone else's needs that must not be touched."""
    agreed(member)
    InvolvementProfileFactory(
        user=member, access_needs=["bsl", "other"], access_needs_other="A seat by the door"
    )
    needs = {"access_needs": ["language"], "interpreter_language": "Polish"}
    mine = [
        PanelApplicationFactory(applicant=member, **needs),
        PanelApplicationFactory(applicant=member, accepted=True, **needs),
        PanelApplicationFactory(applicant=member, declined=True, **needs),
        PanelApplicationFactory(applicant=member, status="withdrawn", **needs),
    ]
    other = PanelApplicationFactory(**needs)
    meeting = MeetingFactory(panel=mine[1].panel)
    arrangement = AccessArrangementFactory(
        meeting=meeting, need="language", status="booked", detail="Polish interpreter booked."
    )
    return {"mine": mine, "other": other, "meeting": meeting, "arrangement": arrangement}


def test_withdrawing_deletes_the_access_needs_from_the_profile_and_every_application(
    client, member, everywhere
):
    response = client.post(
        "/involvement/consent/", {"purpose": "access_needs", "action": "withdraw"}
    )
    assert response.status_code == 302
    assert "Your access needs have been deleted" in text(client.get(response["Location"]))
    assert access_fields(member.involvement_profile) == EMPTY
    for application in everywhere["mine"]:
        assert access_fields(application) == EMPTY
    assert access_fields(everywhere["other"]) == (["language"], "", "Polish")
    record = ConsentRecord.objects.get(user=member)
    assert record.withdrawn_at is not None
    assert record.statement == "Words"  # the record of the agreement stays


def test_after_withdrawing_the_panel_lead_no_longer_sees_the_members_needs(member, everywhere):
    meeting = everywhere["meeting"]
    name = member.involvement_profile.display_name
    assert any(name in need.people for need in meeting_access_needs(meeting))
    consent_withdraw(user=member, purpose="access_needs")
    assert not any(name in need.people for need in meeting_access_needs(meeting))
    # What was booked for the meeting stays: it records the lead's booking, not the member.
    arrangement = AccessArrangement.objects.get(pk=everywhere["arrangement"].pk)
    assert (arrangement.status, arrangement.detail) == ("booked", "Polish interpreter booked.")


def test_withdrawing_is_audit_logged_as_a_change_naming_fields_not_values(member, everywhere):
    consent_withdraw(user=member, purpose="access_needs")
    entries = ModelLogEntry.objects.filter(action=audit.CHANGE, user=member)
    assert entries.count() == 1 + len(everywhere["mine"])
    for entry in entries:
        assert "Access needs consent withdrawn" in entry.data["reason"]
        assert entry.data["about"] == member.pk
        assert "Polish" not in str(entry.data)


def test_withdrawing_twice_changes_nothing_more(member, everywhere):
    consent_withdraw(user=member, purpose="access_needs")
    logged = ModelLogEntry.objects.count()
    assert consent_withdraw(user=member, purpose="access_needs") is None
    assert ModelLogEntry.objects.count() == logged


def test_the_consent_page_warns_what_withdrawing_deletes(client, member):
    agreed(member)
    page = text(client.get("/involvement/consent/"))
    assert ACCESS.text in page
    assert "we delete your access needs straight away" in page


# --- The panel application form ----------------------------------------------------------------


@pytest.fixture
def panel():
    return PanelFactory(recruiting=True, title="Crisis café panel")


@pytest.fixture
def applicant(member):
    InvolvementProfileFactory(user=member)
    ConsentRecordFactory(user=member, purpose="involvement")
    return member


def apply(client, panel, **data):
    return client.post(f"/panels/{panel.slug}/apply/", {"statement": "I used the café.", **data})


def test_the_application_form_asks_for_the_agreement_with_the_statement(client, applicant, panel):
    page = soup(client.get(f"/panels/{panel.slug}/apply/"))
    box = page.select_one('input[name="agree_to_access_needs"]')
    assert page.select_one(f'label[for="{box["id"]}"]').get_text(" ", strip=True) == ACCESS.text


def test_applying_with_needs_but_without_agreeing_asks_first_and_saves_nothing(
    client, applicant, panel
):
    response = apply(client, panel, access_needs=["bsl", "other"], access_needs_other="A ramp")
    assert response.status_code == 200
    assert "tick the box to agree to us keeping it" in text(response)
    assert not PanelApplication.objects.exists()
    assert not ConsentRecord.objects.filter(purpose="access_needs").exists()
    assert "A ramp" in response.content.decode()


def test_applying_without_needs_needs_no_agreement_and_keeps_none(client, applicant, panel):
    response = apply(client, panel)
    assert response.status_code == 302
    assert access_fields(PanelApplication.objects.get()) == EMPTY
    assert not ConsentRecord.objects.filter(purpose="access_needs").exists()


def test_agreeing_on_the_application_keeps_the_needs_and_records_the_exact_words(
    client, applicant, panel
):
    response = apply(
        client,
        panel,
        access_needs=["language"],
        interpreter_language="Urdu",
        agree_to_access_needs="on",
    )
    assert response.status_code == 302
    assert access_fields(PanelApplication.objects.get()) == (["language"], "", "Urdu")
    record = ConsentRecord.objects.get(purpose="access_needs")
    assert (record.user, record.version, record.statement) == (
        applicant,
        ACCESS.version,
        ACCESS.text,
    )


def test_with_a_current_agreement_the_application_keeps_the_needs_without_asking(
    client, applicant, panel
):
    agreed(applicant)
    assert (
        soup(client.get(f"/panels/{panel.slug}/apply/")).select_one(
            '[name="agree_to_access_needs"]'
        )
        is None
    )
    apply(client, panel, access_needs=["step_free"])
    assert access_fields(PanelApplication.objects.get()) == (["step_free"], "", "")


def test_an_agreement_to_older_wording_is_asked_again_on_the_application(client, applicant, panel):
    agreed(applicant, version="2020-01")
    response = apply(client, panel, access_needs=["step_free"])
    assert response.status_code == 200
    assert not PanelApplication.objects.exists()


def test_the_application_service_keeps_no_needs_without_the_agreement(applicant, panel):
    application, made = application_submit(
        panel=panel,
        applicant=applicant,
        statement="Hello",
        access_needs=["bsl"],
        interpreter_language="Polish",
    )
    assert made
    assert access_fields(application) == EMPTY
