"""A member's involvement profile: making and changing it, the private questions asked only
with consent, downloading their own data, and the "Your involvement" box on My space."""

import json

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import audit
from coproduce.choices import PaymentChoice
from coproduce.models import InvolvementProfile
from coproduce.services import Refused
from coproduce.services.profiles import profile_save, profile_set_equality_answers
from tests.conftest import sign_in
from tests.factories import (
    ConsentRecordFactory,
    InvolvementProfileFactory,
    MemberFactory,
    PanelApplicationFactory,
)

pytestmark = pytest.mark.django_db

GOOD = {
    "display_name": "Sam",
    "pronouns": "they/them",
    "contact_preference": "email",
    "phone": "",
    "access_needs": ["bsl", "quiet_space"],
    "access_needs_other": "",
    "interpreter_language": "",
    "payment_choice": "voucher",
    # Access needs are kept only with this agreement (see test_consent_first.py).
    "agree_to_access_needs": "on",
}


def text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


@pytest.fixture
def member(client):
    person = MemberFactory(first_name="Samira")
    sign_in(client, person)
    return person


# --- Seeing and making the profile -----------------------------------------------------------


def test_a_member_without_a_profile_is_invited_to_make_one(client, member):
    response = client.get("/involvement/")
    assert response.status_code == 200
    assert "You have not made your involvement profile yet" in text(response)
    assert 'href="/involvement/profile/"' in response.content.decode()


def test_my_space_greets_a_member_by_the_name_in_their_profile(client, member):
    assert "Hello Samira." in text(client.get("/my-space/"))
    InvolvementProfileFactory(user=member, display_name="Sami")
    assert "Hello Sami." in text(client.get("/my-space/"))


def test_the_profile_form_starts_with_the_members_first_name(client, member):
    response = client.get("/involvement/profile/")
    assert response.status_code == 200
    field = BeautifulSoup(response.content, "html.parser").select_one("#id_display_name")
    assert field["value"] == "Samira"


def test_the_payment_question_says_people_may_choose_not_to_be_paid_and_still_claim_expenses(
    client, member
):
    # The choice is made on "How you are paid", once the profile exists.
    client.post("/involvement/profile/", GOOD)
    page = text(client.get("/involvement/payment/"))
    assert "You do not have to be paid" in page
    assert "benefits" in page
    assert "you can still claim back expenses" in page
    assert "Not paid for my time (expenses only)" in page


def test_a_member_makes_their_profile_and_sees_it(client, member):
    response = client.post("/involvement/profile/", GOOD)
    assert response.status_code == 302
    assert response["Location"] == "/involvement/"
    profile = InvolvementProfile.objects.get(user=member)
    assert profile.display_name == "Sam"
    assert profile.access_needs == ["bsl", "quiet_space"]
    # Chosen on "How you are paid" (tests/coproduce/test_payees.py): the default until then.
    assert profile.payment_choice == PaymentChoice.PAID
    page = text(client.get("/involvement/"))
    assert "Your involvement profile is saved." in page
    assert "A British Sign Language (BSL) interpreter" in page
    assert "Paid by bank transfer" in page


def test_saving_the_profile_twice_keeps_one_profile_with_the_latest_details(client, member):
    client.post("/involvement/profile/", GOOD)
    client.post("/involvement/profile/", {**GOOD, "display_name": "Sammy"})
    assert InvolvementProfile.objects.filter(user=member).count() == 1
    assert InvolvementProfile.objects.get(user=member).display_name == "Sammy"


def test_changing_the_profile_is_logged(client, member):
    client.post("/involvement/profile/", GOOD)
    client.post("/involvement/profile/", GOOD)
    actions = list(
        ModelLogEntry.objects.filter(user=member).order_by("pk").values_list("action", flat=True)
    )
    # The first save also records the agreement to keep the access needs.
    assert actions == ["coproduce.consent.give", "wagtail.create", "wagtail.edit"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"display_name": "  "}, "display_name", "Enter the name you would like us to use."),
        (
            {"contact_preference": "phone", "phone": ""},
            "phone",
            "Enter a phone number, so we can call or text you.",
        ),
        (
            {"contact_preference": "text", "phone": ""},
            "phone",
            "Enter a phone number, so we can call or text you.",
        ),
        (
            {"access_needs": ["other"], "access_needs_other": ""},
            "access_needs_other",
            "Tell us what else you need.",
        ),
        (
            {"access_needs": ["language"], "interpreter_language": ""},
            "interpreter_language",
            "Tell us which language you need an interpreter for.",
        ),
        ({"access_needs": ["teleport"]}, "access_needs", "Select a valid choice."),
    ],
)
def test_bad_profile_answers_are_explained_next_to_the_field_and_nothing_is_saved(
    client, member, change, field, message
):
    response = client.post("/involvement/profile/", {**GOOD, "pronouns": "ze/zir", **change})
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert message in page.select_one(".nhsuk-error-summary").get_text()
    assert page.select_one(f'[id^="id_{field}"]') is not None
    assert message in page.get_text()
    assert not InvolvementProfile.objects.filter(user=member).exists()
    # What they typed is still there.
    assert page.select_one("#id_pronouns")["value"] == "ze/zir"


def test_a_language_interpreter_keeps_its_language_and_other_keeps_its_description(client, member):
    client.post(
        "/involvement/profile/",
        {
            **GOOD,
            "access_needs": ["language", "other"],
            "interpreter_language": "Polish",
            "access_needs_other": "Breaks every hour",
        },
    )
    profile = InvolvementProfile.objects.get(user=member)
    assert profile.interpreter_language == "Polish"
    assert profile.access_needs_other == "Breaks every hour"


def test_details_of_needs_no_longer_ticked_are_not_kept(client, member):
    client.post(
        "/involvement/profile/",
        {**GOOD, "access_needs": ["bsl"], "interpreter_language": "Polish"},
    )
    assert InvolvementProfile.objects.get(user=member).interpreter_language == ""


def test_html_typed_into_the_profile_is_stored_as_typed_and_escaped_on_the_page(client, member):
    typed = "<b>Sam</b><script>alert(1)</script>"
    client.post("/involvement/profile/", {**GOOD, "display_name": typed})
    profile = InvolvementProfile.objects.get(user=member)
    assert profile.display_name == typed
    page = client.get("/involvement/").content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;b&gt;Sam&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_after_saving_the_member_goes_back_where_they_came_from_on_this_site_only(client, member):
    response = client.post("/involvement/profile/", {**GOOD, "next": "/panels/some-panel/apply/"})
    assert response["Location"] == "/panels/some-panel/apply/"
    response = client.post("/involvement/profile/", {**GOOD, "next": "https://evil.example/"})
    assert response["Location"] == "/involvement/"


def test_profile_save_refuses_people_without_the_member_role(make_person):
    lead = make_person("engagement_lead")
    with pytest.raises(Refused):
        profile_save(user=lead, **GOOD)
    assert not InvolvementProfile.objects.exists()


# --- Who may reach these pages ------------------------------------------------------------


@pytest.mark.parametrize("role", ["peer_worker", "engagement_lead", "finance", "admin"])
@pytest.mark.parametrize(
    "url",
    [
        "/involvement/",
        "/involvement/profile/",
        "/involvement/about-you/",
        "/involvement/consent/",
        "/involvement/applications/",
    ],
)
def test_people_without_the_member_role_are_told_kindly_why_they_cannot_use_it(
    client_as, role, url
):
    response = client_as(role).get(url)
    assert response.status_code == 403
    assert "You need a member account" in text(response)


def test_signed_out_people_are_asked_to_sign_in_and_brought_back(client):
    response = client.get("/involvement/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/involvement/profile/")


def test_a_member_sees_only_their_own_profile(client, member):
    InvolvementProfileFactory(display_name="Somebody Else")
    InvolvementProfileFactory(user=member, display_name="Sam")
    page = text(client.get("/involvement/"))
    assert "Sam" in page
    assert "Somebody Else" not in page


# --- The private questions --------------------------------------------------------------


def test_the_private_questions_need_a_profile_first(client, member):
    response = client.get("/involvement/about-you/")
    assert response.status_code == 302
    assert response["Location"] == "/involvement/profile/?next=/involvement/about-you/"


def test_the_private_questions_are_not_asked_until_the_member_agrees(client, member):
    InvolvementProfileFactory(user=member)
    response = client.get("/involvement/about-you/")
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select('input[name="lived_experience"]') == []
    assert "used only to count, in anonymous totals" in page.get_text()
    assert page.select_one('input[name="purpose"]')["value"] == "equality"


def test_answers_posted_without_consent_are_not_saved(client, member):
    profile = InvolvementProfileFactory(user=member)
    client.post("/involvement/about-you/", {"lived_experience": ["trauma"]})
    profile.refresh_from_db()
    assert profile.lived_experience == []


def test_with_consent_the_member_answers_and_the_change_is_audit_logged_without_values(
    client, member
):
    profile = InvolvementProfileFactory(user=member)
    ConsentRecordFactory(user=member, purpose="equality")
    form = client.get("/involvement/about-you/")
    assert 'name="lived_experience"' in form.content.decode()
    response = client.post(
        "/involvement/about-you/",
        {"lived_experience": ["trauma", "carer"], "communities": ["lgbtq"]},
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.lived_experience == ["trauma", "carer"]
    assert profile.communities == ["lgbtq"]
    entry = ModelLogEntry.objects.get(action=audit.CHANGE)
    assert entry.user == member
    assert entry.data["fields"] == ["lived_experience", "communities"]
    assert "trauma" not in json.dumps(entry.data)


def test_saving_the_same_answers_again_logs_nothing_new(client, member):
    InvolvementProfileFactory(user=member, lived_experience=["trauma"])
    ConsentRecordFactory(user=member, purpose="equality")
    client.post("/involvement/about-you/", {"lived_experience": ["trauma"]})
    assert not ModelLogEntry.objects.filter(action=audit.CHANGE).exists()


def test_equality_answers_service_refuses_without_current_consent(make_person):
    person = make_person("member")
    InvolvementProfileFactory(user=person)
    ConsentRecordFactory(user=person, purpose="equality", version="2020-01")
    with pytest.raises(Refused):
        profile_set_equality_answers(user=person, lived_experience=["trauma"], communities=[])


# --- Their own data, to take away ----------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "peer_worker", "admin"])
def test_the_old_involvement_download_sends_people_to_the_copy_of_all_their_data(client_as, role):
    response = client_as(role).get("/involvement/download/")
    assert response.status_code == 302
    assert response["Location"] == "/my-space/your-data/"


# --- My space -----------------------------------------------------------------------------


def involvement_box(response):
    page = BeautifulSoup(response.content, "html.parser")
    heading = page.find("h2", string="Your involvement")
    return heading.find_parent("section").get_text(" ", strip=True) if heading else None


def test_my_space_prompts_a_member_to_make_their_profile(client, member):
    box = involvement_box(client.get("/my-space/"))
    assert "Make your involvement profile" in box
    assert "Keeping my details to involve me: not agreed" in box


def test_my_space_says_the_profile_is_ready_and_which_consents_stand(client, member):
    InvolvementProfileFactory(user=member, access_needs=["bsl", "travel"])
    ConsentRecordFactory(user=member, purpose="involvement")
    ConsentRecordFactory(user=member, purpose="equality", version="2020-01")
    box = involvement_box(client.get("/my-space/"))
    assert "Your involvement profile is ready, with 2 things that help you take part" in box
    assert "Keeping my details to involve me: agreed" in box
    assert "the wording has changed, please check again" in box


def test_staff_do_not_see_the_involvement_box(client_as):
    assert involvement_box(client_as("engagement_lead").get("/my-space/")) is None


def test_the_involvement_page_and_my_space_cost_the_same_queries_for_3_or_30_records(
    client, member
):
    InvolvementProfileFactory(user=member)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def add_history(n):
        for _ in range(n):
            now = timezone.now()
            for purpose in ("involvement", "equality"):
                ConsentRecordFactory(
                    user=member, purpose=purpose, version="2020-01", given_at=now, withdrawn_at=now
                )

    # The site's header and footer, and My space's link to the directory, are kept on
    # first use (until pages change).
    client.get("/involvement/")
    client.get("/my-space/")
    add_history(3)
    PanelApplicationFactory.create_batch(3, applicant=member)
    few = {url: count(url) for url in ["/involvement/", "/my-space/", "/involvement/consent/"]}
    add_history(27)
    PanelApplicationFactory.create_batch(27, applicant=member)
    many = {url: count(url) for url in few}
    assert many == few
