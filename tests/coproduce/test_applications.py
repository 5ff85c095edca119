"""Applying to join a panel: signing in and making a profile on the way, confirming access
needs, agreeing to be involved, one application per panel, withdrawing, and "Your panel
applications" on My space."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import ModelLogEntry

from coproduce import audit_actions
from coproduce.consent import current_statement
from coproduce.models import ConsentRecord, PanelApplication
from coproduce.services import Refused
from coproduce.services.applications import application_submit, application_withdraw
from tests.conftest import sign_in
from tests.factories import (
    ConsentRecordFactory,
    InvolvementProfileFactory,
    MemberFactory,
    PanelApplicationFactory,
    PanelFactory,
)

pytestmark = pytest.mark.django_db


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text(response) -> str:
    return soup(response).get_text(" ", strip=True)


@pytest.fixture
def panel():
    return PanelFactory(recruiting=True, title="Crisis café panel")


@pytest.fixture
def member(client):
    person = MemberFactory(email="sam@example.org")
    sign_in(client, person)
    return person


@pytest.fixture
def ready(member):
    """A member with a profile and the involvement consent: nothing stands in their way."""
    InvolvementProfileFactory(
        user=member,
        display_name="Sam",
        access_needs=["bsl", "language"],
        interpreter_language="Polish",
    )
    ConsentRecordFactory(user=member, purpose="involvement")
    ConsentRecordFactory(
        user=member,
        purpose="access_needs",
        version=current_statement("access_needs").version,
    )
    return member


def apply_url(panel) -> str:
    return f"/panels/{panel.slug}/apply/"


GOOD = {"statement": "I used the café last winter.", "access_needs": ["bsl"]}


# --- Getting to the form --------------------------------------------------------------------


def test_signed_out_people_are_asked_to_sign_in_and_come_back(client, panel):
    response = client.get(apply_url(panel))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={apply_url(panel)}"


@pytest.mark.parametrize("role", ["peer_worker", "engagement_lead", "admin"])
def test_people_without_the_member_role_get_a_kind_refusal(client_as, panel, role):
    response = client_as(role).get(apply_url(panel))
    assert response.status_code == 403
    assert "You need a member account to apply to panels" in text(response)
    response = client_as(role).post(apply_url(panel), GOOD)
    assert response.status_code == 403
    assert not PanelApplication.objects.exists()


def test_a_member_without_a_profile_makes_one_and_is_brought_back(client, member, panel):
    response = client.get(apply_url(panel))
    assert response.status_code == 302
    assert response["Location"] == f"/involvement/profile/?next=%2Fpanels%2F{panel.slug}%2Fapply%2F"
    form = client.get(response["Location"])
    assert soup(form).select_one('input[name="next"]')["value"] == apply_url(panel)
    saved = client.post(
        "/involvement/profile/",
        {
            "display_name": "Sam",
            "contact_preference": "email",
            "payment_choice": "paid",
            "access_needs": ["large_print"],
            "agree_to_access_needs": "on",
            "next": apply_url(panel),
        },
    )
    assert saved["Location"] == apply_url(panel)
    assert client.get(apply_url(panel)).status_code == 200


def test_the_form_starts_with_the_access_needs_from_the_profile(client, ready, panel):
    page = soup(client.get(apply_url(panel)))
    ticked = [box["value"] for box in page.select('input[name="access_needs"][checked]')]
    assert ticked == ["bsl", "language"]
    assert page.select_one("#id_interpreter_language")["value"] == "Polish"


def test_the_involvement_consent_is_asked_on_the_form_only_when_not_given(client, member, panel):
    InvolvementProfileFactory(user=member)
    page = soup(client.get(apply_url(panel)))
    box = page.select_one('input[name="agree_to_involvement"]')
    assert box is not None
    assert "keeps my involvement profile" in page.select_one(f'label[for="{box["id"]}"]').text
    ConsentRecordFactory(user=member, purpose="involvement")
    assert "agree_to_involvement" not in client.get(apply_url(panel)).content.decode()


def test_an_older_involvement_consent_is_asked_for_again(client, member, panel):
    InvolvementProfileFactory(user=member)
    ConsentRecordFactory(user=member, purpose="involvement", version="2020-01")
    assert "agree_to_involvement" in client.get(apply_url(panel)).content.decode()


@pytest.mark.parametrize("status", ["draft", "active", "closed"])
def test_panels_not_recruiting_cannot_be_applied_to(client, ready, status):
    panel = PanelFactory(status=status)
    response = client.post(apply_url(panel), GOOD)
    assert not PanelApplication.objects.exists()
    if status == "draft":
        assert response.status_code == 404
    else:
        assert response["Location"] == f"/panels/{panel.slug}/"


def test_a_panel_past_its_closing_date_cannot_be_applied_to(client, ready):
    panel = PanelFactory(
        recruiting=True, applications_close_on=timezone.localdate() - timedelta(days=1)
    )
    response = client.post(apply_url(panel), GOOD)
    assert response.status_code == 302
    assert not PanelApplication.objects.exists()
    assert "not taking applications" in text(client.get(response["Location"]))


# --- Applying ---------------------------------------------------------------------------------


def test_a_member_applies_and_is_told_what_happens_next(client, ready, panel):
    response = client.post(
        apply_url(panel),
        {
            "statement": "I used the café <b>last winter</b>.",
            "access_needs": ["bsl", "other"],
            "access_needs_other": "A seat near the door",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/panels/{panel.slug}/your-application/"
    application = PanelApplication.objects.get(panel=panel, applicant=ready)
    assert application.status == PanelApplication.Status.PENDING
    assert application.statement == "I used the café <b>last winter</b>."  # as typed
    assert application.access_needs == ["bsl", "other"]
    assert application.access_needs_other == "A seat near the door"
    # The profile is unchanged: what they confirmed is for this panel.
    assert ready.involvement_profile.access_needs == ["bsl", "language"]
    assert ModelLogEntry.objects.filter(
        action=audit_actions.APPLICATION_SUBMIT, user=ready
    ).exists()
    [email] = mail.outbox
    assert email.to == ["sam@example.org"]
    assert email.subject == "We have your application to join Crisis café panel"
    assert "Hello Sam" in email.body
    page = text(client.get(response["Location"]))
    assert "Your application has been sent" in page
    assert "Waiting for a decision" in page
    assert "A seat near the door" in page


def test_agreeing_on_the_form_records_the_involvement_consent(client, member, panel):
    InvolvementProfileFactory(user=member)
    client.post(
        apply_url(panel),
        {**GOOD, "agree_to_involvement": "on", "agree_to_access_needs": "on"},
    )
    assert PanelApplication.objects.filter(applicant=member).exists()
    record = ConsentRecord.objects.get(user=member, purpose="involvement")
    assert record.purpose == "involvement"
    assert ModelLogEntry.objects.filter(action=audit_actions.CONSENT_GIVE).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"statement": ""}, "Tell us why you would like to join this panel."),
        ({"statement": "x" * 2001}, "Keep what you write to 2000 characters or fewer."),
        (
            {"access_needs": ["other"], "access_needs_other": ""},
            "Tell us what else you need.",
        ),
        (
            {"access_needs": ["language"], "interpreter_language": ""},
            "Tell us which language you need an interpreter for.",
        ),
    ],
)
def test_bad_answers_are_explained_nothing_is_saved_and_what_was_typed_stays(
    client, ready, panel, data, message
):
    posted = {"statement": "Kept words", "access_needs": ["step_free"], **data}
    response = client.post(apply_url(panel), posted)
    assert response.status_code == 200
    assert message in soup(response).select_one(".nhsuk-error-summary").get_text()
    assert not PanelApplication.objects.exists()
    assert mail.outbox == []
    page = soup(response)
    ticked = [box["value"] for box in page.select('input[name="access_needs"][checked]')]
    assert ticked == posted["access_needs"]
    if data.get("statement") is None:
        assert page.select_one("#id_statement").get_text().strip() == "Kept words"


def test_applying_without_agreeing_is_explained_and_nothing_is_saved(client, member, panel):
    InvolvementProfileFactory(user=member)
    response = client.post(apply_url(panel), {**GOOD, "statement": "Kept words"})
    assert response.status_code == 200
    assert "tick the box to agree" in soup(response).select_one(".nhsuk-error-summary").text
    assert soup(response).select_one("#id_statement").get_text().strip() == "Kept words"
    assert not PanelApplication.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_a_statement_of_only_spaces_counts_as_empty(client, ready, panel):
    response = client.post(apply_url(panel), {**GOOD, "statement": "  \n\t "})
    assert response.status_code == 200
    assert "Tell us why you would like to join this panel." in text(response)
    assert not PanelApplication.objects.exists()


# --- One application per panel --------------------------------------------------------------


def test_applying_again_shows_the_application_already_made(client, ready, panel):
    client.post(apply_url(panel), GOOD)
    response = client.get(apply_url(panel))
    assert response["Location"] == f"/panels/{panel.slug}/your-application/"
    assert "You have already applied to this panel" in text(client.get(response["Location"]))


def test_a_form_sent_twice_makes_one_application_and_one_email(client, ready, panel):
    first = client.post(apply_url(panel), GOOD)
    second = client.post(apply_url(panel), {**GOOD, "statement": "Second go"})
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    application = PanelApplication.objects.get()
    assert application.statement == GOOD["statement"]
    assert len(mail.outbox) == 1


def test_the_service_returns_the_existing_application_rather_than_a_second(ready, panel):
    first, created = application_submit(
        panel=panel, applicant=ready, statement="One", access_needs=[]
    )
    again, created_again = application_submit(
        panel=panel, applicant=ready, statement="Two", access_needs=[]
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert PanelApplication.objects.count() == 1


def test_a_withdrawn_application_can_be_made_again_in_the_same_row(client, ready, panel):
    application = PanelApplicationFactory(
        panel=panel, applicant=ready, status=PanelApplication.Status.WITHDRAWN
    )
    response = client.post(apply_url(panel), {**GOOD, "statement": "I am ready now"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == PanelApplication.Status.PENDING
    assert application.statement == "I am ready now"
    assert PanelApplication.objects.count() == 1


def test_the_service_refuses_a_member_without_a_profile(make_person, panel):
    person = make_person("member")
    with pytest.raises(Refused, match="Make your involvement profile"):
        application_submit(panel=panel, applicant=person, statement="Hi", access_needs=[])


def test_the_service_refuses_without_the_involvement_consent(make_person, panel):
    person = make_person("member")
    InvolvementProfileFactory(user=person)
    with pytest.raises(Refused, match="agree"):
        application_submit(panel=panel, applicant=person, statement="Hi", access_needs=[])
    assert not PanelApplication.objects.exists()


# --- The member's own application, and withdrawing ------------------------------------------


def test_a_decided_application_shows_the_leads_note(client, member, panel):
    PanelApplicationFactory(
        panel=panel, applicant=member, declined=True, decision_note="We had many carers."
    )
    page = text(client.get(f"/panels/{panel.slug}/your-application/"))
    assert "Not offered a place this time" in page
    assert "We had many carers." in page


def test_nobody_can_open_someone_elses_application(client, member, panel):
    PanelApplicationFactory(panel=panel, statement="Private words")
    response = client.get(f"/panels/{panel.slug}/your-application/")
    assert response.status_code == 404
    assert client.post(f"/panels/{panel.slug}/your-application/withdraw/").status_code == 404
    assert PanelApplication.objects.get().status == PanelApplication.Status.PENDING


@pytest.mark.parametrize("status", ["pending", "waitlisted"])
def test_a_member_withdraws_after_being_asked_if_they_are_sure(client, member, panel, status):
    application = PanelApplicationFactory(panel=panel, applicant=member, status=status)
    url = f"/panels/{panel.slug}/your-application/withdraw/"
    question = client.get(url)
    assert "Are you sure you want to withdraw" in text(question)
    response = client.post(url)
    assert response["Location"] == f"/panels/{panel.slug}/your-application/"
    application.refresh_from_db()
    assert application.status == PanelApplication.Status.WITHDRAWN
    assert ModelLogEntry.objects.filter(
        action=audit_actions.APPLICATION_WITHDRAW, user=member
    ).exists()
    assert "You have withdrawn your application" in text(client.get(response["Location"]))


def test_withdrawing_twice_is_harmless(client, member, panel):
    PanelApplicationFactory(panel=panel, applicant=member)
    url = f"/panels/{panel.slug}/your-application/withdraw/"
    client.post(url)
    client.post(url)
    assert ModelLogEntry.objects.filter(action=audit_actions.APPLICATION_WITHDRAW).count() == 1


@pytest.mark.parametrize("trait", ["accepted", "declined"])
def test_a_decided_application_cannot_be_withdrawn(client, member, panel, trait):
    application = PanelApplicationFactory(panel=panel, applicant=member, **{trait: True})
    response = client.post(f"/panels/{panel.slug}/your-application/withdraw/")
    application.refresh_from_db()
    assert application.status == trait
    assert response.status_code == 302
    assert client.get(f"/panels/{panel.slug}/your-application/withdraw/").status_code == 302


def test_the_withdraw_service_refuses_anyone_but_the_applicant(make_person, panel):
    application = PanelApplicationFactory(panel=panel)
    with pytest.raises(Refused):
        application_withdraw(application=application, user=make_person("member"))


# --- My space and the full list ---------------------------------------------------------------


def applications_box(response):
    heading = soup(response).find("h2", string="Your panel applications")
    return heading.find_parent("section") if heading else None


def test_my_space_lists_applications_with_their_status_and_note(client, member):
    PanelApplicationFactory(applicant=member, panel=PanelFactory(title="Alpha panel"))
    PanelApplicationFactory(
        applicant=member,
        panel=PanelFactory(title="Beta panel"),
        accepted=True,
        decision_note="Welcome aboard.",
    )
    box = applications_box(client.get("/my-space/")).get_text(" ", strip=True)
    assert "Alpha panel Waiting for a decision" in box
    assert "Beta panel Accepted" in box
    assert "Note from the panel: Welcome aboard." in box


def test_my_space_with_no_applications_points_to_recruiting_panels(client, member):
    PanelFactory(recruiting=True, title="Open panel")
    box = applications_box(client.get("/my-space/")).get_text(" ", strip=True)
    assert "You have not applied to any panels yet" in box
    assert "Open panel" in box


def test_my_space_with_no_applications_and_no_panels_says_so(client, member):
    box = applications_box(client.get("/my-space/")).get_text(" ", strip=True)
    assert "No panels are looking for members right now" in box


def test_my_space_shows_the_latest_five_and_a_link_to_all(client, member):
    PanelApplicationFactory.create_batch(7, applicant=member)
    box = applications_box(client.get("/my-space/"))
    assert len(box.select("li")) == 5
    assert box.find("a", string="See all your applications")["href"] == (
        "/involvement/applications/"
    )
    page = client.get("/involvement/applications/")
    assert len(soup(page).select("li.nhsuk-card")) == 7


def test_another_persons_applications_are_never_listed(client, member):
    PanelApplicationFactory(panel=PanelFactory(title="Not yours"))
    assert "Not yours" not in client.get("/my-space/").content.decode()
    assert "Not yours" not in client.get("/involvement/applications/").content.decode()


def test_staff_do_not_see_the_applications_box(client_as):
    assert applications_box(client_as("engagement_lead").get("/my-space/")) is None


@pytest.mark.parametrize("url", ["/my-space/", "/involvement/applications/"])
def test_application_lists_cost_the_same_queries_for_3_or_30_applications(client, member, url):
    def count():
        client.get(url)  # site-wide caches (header, footer, page paths) filled first
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    PanelApplicationFactory.create_batch(3, applicant=member, accepted=True, decision_note="Hi")
    few = count()
    PanelApplicationFactory.create_batch(27, applicant=member, declined=True)
    assert count() == few


def test_my_space_with_recruiting_panels_costs_the_same_queries_for_3_or_30(client, member):
    def count():
        client.get("/my-space/")  # site-wide caches (header, footer, page paths) filled first
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/my-space/").status_code == 200
        return len(queries)

    PanelFactory.create_batch(3, recruiting=True)
    few = count()
    PanelFactory.create_batch(27, recruiting=True)
    assert count() == few
