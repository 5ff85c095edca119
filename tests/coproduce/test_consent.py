"""Consent: each purpose's exact words and version, given and withdrawn by the member, kept
on record, asked again when the wording changes, and the equality answers deleted with the
equality consent."""

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import audit
from coproduce import audit_actions
from coproduce.consent import STATEMENTS, ConsentPurpose
from coproduce.models import ConsentRecord
from coproduce.selectors.panels import has_current_consent
from coproduce.services import Refused, profiles
from coproduce.services.profiles import consent_give, consent_withdraw
from tests.conftest import sign_in
from tests.factories import ConsentRecordFactory, InvolvementProfileFactory, MemberFactory

pytestmark = pytest.mark.django_db

INVOLVEMENT = STATEMENTS[ConsentPurpose.INVOLVEMENT]
EQUALITY = STATEMENTS[ConsentPurpose.EQUALITY]


def page_text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


@pytest.fixture
def member(client):
    person = MemberFactory()
    sign_in(client, person)
    return person


def post(client, purpose, action, **extra):
    return client.post("/involvement/consent/", {"purpose": purpose, "action": action, **extra})


def test_the_consent_page_shows_each_purpose_word_for_word_with_its_version(client, member):
    response = client.get("/involvement/consent/")
    assert response.status_code == 200
    text = page_text(response)
    for statement in STATEMENTS.values():
        assert statement.purpose.label in text
        assert statement.text in text
        assert f"Wording version {statement.version}" in text
    assert text.count("Not agreed") == len(STATEMENTS)


def test_giving_consent_records_the_purpose_version_exact_words_and_time(client, member):
    before = timezone.now()
    response = post(client, "involvement", "give")
    assert response.status_code == 302
    record = ConsentRecord.objects.get(user=member)
    assert record.purpose == "involvement"
    assert record.version == INVOLVEMENT.version
    assert record.statement == INVOLVEMENT.text
    assert record.given_at >= before
    assert record.withdrawn_at is None
    entry = ModelLogEntry.objects.get(action=audit_actions.CONSENT_GIVE)
    assert entry.user == member
    assert entry.data == {"purpose": "involvement", "version": INVOLVEMENT.version}
    text = page_text(client.get("/involvement/consent/"))
    assert "You have agreed to us keeping your details to involve you" in text
    assert "Agreed on" in text


def test_giving_consent_twice_keeps_one_agreement(client, member):
    post(client, "involvement", "give")
    post(client, "involvement", "give")
    assert ConsentRecord.objects.filter(user=member).count() == 1
    assert ModelLogEntry.objects.filter(action=audit_actions.CONSENT_GIVE).count() == 1


def test_withdrawing_keeps_the_record_and_says_when(client, member):
    post(client, "involvement", "give")
    post(client, "involvement", "withdraw")
    record = ConsentRecord.objects.get(user=member)
    assert record.withdrawn_at is not None
    assert not has_current_consent(member, "involvement")
    assert ModelLogEntry.objects.filter(action=audit_actions.CONSENT_WITHDRAW, user=member).exists()
    text = page_text(client.get("/involvement/consent/"))
    assert "You will not be able to apply to panels unless you agree again" in text
    assert "withdrawn on" in text


def test_withdrawing_twice_changes_nothing_more(client, member):
    post(client, "involvement", "give")
    post(client, "involvement", "withdraw")
    withdrawn_at = ConsentRecord.objects.get(user=member).withdrawn_at
    post(client, "involvement", "withdraw")
    assert ConsentRecord.objects.get(user=member).withdrawn_at == withdrawn_at
    assert ModelLogEntry.objects.filter(action=audit_actions.CONSENT_WITHDRAW).count() == 1


def test_agreeing_again_after_withdrawing_adds_a_new_record(client, member):
    post(client, "involvement", "give")
    post(client, "involvement", "withdraw")
    post(client, "involvement", "give")
    assert ConsentRecord.objects.filter(user=member).count() == 2
    assert has_current_consent(member, "involvement")


def test_withdrawing_the_equality_consent_deletes_the_answers_it_covered(client, member):
    profile = InvolvementProfileFactory(
        user=member, lived_experience=["trauma"], communities=["rural"], pronouns="she/her"
    )
    ConsentRecordFactory(user=member, purpose="equality")
    response = post(client, "equality", "withdraw")
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.lived_experience == []
    assert profile.communities == []
    assert profile.pronouns == "she/her"
    change = ModelLogEntry.objects.get(action=audit.CHANGE)
    assert change.data["fields"] == ["lived_experience", "communities"]
    assert "Your answers about lived experience and communities have been deleted" in page_text(
        client.get("/involvement/consent/")
    )


def test_the_page_warns_that_withdrawing_equality_consent_deletes_the_answers(client, member):
    ConsentRecordFactory(user=member, purpose="equality")
    text = page_text(client.get("/involvement/consent/"))
    assert "If you withdraw, we delete your answers" in text


def test_an_agreement_to_older_wording_does_not_count_and_the_member_is_asked_again(client, member):
    ConsentRecordFactory(user=member, purpose="involvement", version="2020-01", statement="Old")
    assert not has_current_consent(member, "involvement")
    text = page_text(client.get("/involvement/consent/"))
    assert "Please check again" in text
    assert "The wording has changed since you agreed." in text


def test_agreeing_to_new_wording_closes_the_old_agreement_and_keeps_it(client, member):
    old = ConsentRecordFactory(
        user=member, purpose="equality", version="2020-01", statement="Old words"
    )
    InvolvementProfileFactory(user=member, lived_experience=["trauma"])
    post(client, "equality", "give")
    old.refresh_from_db()
    assert old.withdrawn_at is not None
    assert old.statement == "Old words"
    current = ConsentRecord.objects.get(user=member, withdrawn_at__isnull=True)
    assert current.version == EQUALITY.version
    assert current.statement == EQUALITY.text
    # Renewing is not withdrawing: the answers stay.
    assert member.involvement_profile.lived_experience == ["trauma"]


def test_a_made_up_purpose_or_action_changes_nothing(client, member):
    response = post(client, "marketing", "give")
    assert response.status_code == 302
    response = post(client, "involvement", "sell")
    assert not ConsentRecord.objects.exists()
    assert "Something went wrong with that button" in page_text(client.get(response["Location"]))


def test_after_agreeing_the_member_goes_back_to_the_page_on_this_site_that_asked(client, member):
    response = post(client, "equality", "give", next="/involvement/about-you/")
    assert response["Location"] == "/involvement/about-you/"
    response = post(client, "involvement", "give", next="https://evil.example/")
    assert response["Location"] == "/involvement/consent/"


def test_a_member_never_sees_another_persons_consent_records(client, member):
    other = ConsentRecordFactory(purpose="involvement", statement="Another person's words")
    assert other.user != member
    assert "Another person's words" not in page_text(client.get("/involvement/consent/"))


def test_consent_services_refuse_people_without_the_member_role(make_person):
    lead = make_person("engagement_lead")
    with pytest.raises(Refused):
        consent_give(user=lead, purpose="involvement")
    with pytest.raises(Refused):
        consent_withdraw(user=lead, purpose="involvement")
    assert not ConsentRecord.objects.exists()


def test_two_agreements_arriving_at_once_leave_one(make_person, monkeypatch):
    person = make_person("member")
    first = consent_give(user=person, purpose="involvement")
    real = profiles._current_record
    calls = []

    def stale_then_real(user, purpose):
        # The second request read "no agreement yet" before the first one was saved.
        calls.append(purpose)
        return None if len(calls) == 1 else real(user, purpose)

    monkeypatch.setattr(profiles, "_current_record", stale_then_real)
    second = consent_give(user=person, purpose="involvement")
    assert second == first
    assert ConsentRecord.objects.filter(user=person).count() == 1
