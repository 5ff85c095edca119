"""Engagement leads in the Wagtail admin: their panels (scoped to their organisation),
deciding applications within the seats, the member emailed, and the panel's make-up in
totals that never show a number from 1 to 4."""

import csv
import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import audit
from coproduce import audit_actions
from coproduce.models import Panel, PanelApplication
from coproduce.selectors.panels import panel_make_up
from coproduce.services import Refused
from coproduce.services.applications import application_decide
from tests.conftest import sign_in
from tests.factories import (
    ConsentRecordFactory,
    InvolvementProfileFactory,
    MemberFactory,
    OrganisationFactory,
    PanelApplicationFactory,
    PanelFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text(response) -> str:
    return soup(response).get_text(" ", strip=True)


@pytest.fixture
def lead(client, make_person):
    person = make_person("engagement_lead", first_name="Lee")
    sign_in(client, person)
    return person


@pytest.fixture
def ours(organisation):
    return PanelFactory(organisation=organisation, title="Our panel", recruiting=True, seats=2)


@pytest.fixture
def theirs(other_organisation):
    return PanelFactory(organisation=other_organisation, title="Their panel", recruiting=True)


def panel_form(organisation, **overrides):
    data = {
        "organisation": organisation.pk,
        "title": "Discharge from hospital panel",
        "purpose": "Redesign leaving hospital.",
        "pathway": "",
        "status": "draft",
        "seats": "6",
        "who_is_sought": "People who have stayed on a ward.",
        "sought_lived_experience": ["crisis_care"],
        "sought_communities": ["black"],
        "coproduction_level": "7",
        "hourly_rate": "18.50",
        "time_commitment": "Six meetings",
        "applications_close_on": "",
    }
    data.update(overrides)
    return data


# --- Panels: only the lead's own -----------------------------------------------------------


def test_a_lead_sees_their_organisations_panels_and_those_they_facilitate(
    client, lead, ours, theirs, other_organisation
):
    PanelFactory(organisation=other_organisation, title="Co-run panel", facilitators=[lead])
    response = client.get("/admin/panels/")
    assert response.status_code == 200
    page = text(response)
    assert "Our panel" in page
    assert "Co-run panel" in page
    assert "Their panel" not in page


@pytest.mark.parametrize(
    "url",
    [
        "/admin/panels/edit/{pk}/",
        "/admin/panels/inspect/{pk}/",
        "/admin/panels/history/{pk}/",
        "/admin/panels/make-up/{pk}/",
    ],
)
def test_a_lead_cannot_open_another_organisations_panel(client, lead, theirs, url):
    assert client.get(url.format(pk=theirs.pk)).status_code == 404


@pytest.mark.parametrize("role", ["hr", "finance", "editor"])
def test_other_staff_are_sent_back_to_the_admin_home(client_as, ours, role):
    response = client_as(role).get("/admin/panels/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_lead_sets_up_a_panel_for_their_organisation(client, lead, organisation):
    response = client.post("/admin/panels/new/", panel_form(organisation))
    assert response.status_code == 302, text(response)[:2000]
    panel = Panel.objects.get(title="Discharge from hospital panel")
    assert panel.organisation == organisation
    assert panel.slug == "discharge-from-hospital-panel"
    assert panel.sought_lived_experience == ["crisis_care"]
    assert panel.sought_communities == ["black"]
    assert ModelLogEntry.objects.filter(action="wagtail.create", user=lead).exists()


def test_a_panel_called_meetings_does_not_take_the_meetings_address(client, lead, organisation):
    client.post("/admin/panels/new/", panel_form(organisation, title="Meetings"))
    assert Panel.objects.get().slug == "meetings-panel"


def test_the_form_offers_a_lead_only_their_own_organisation(
    client, lead, organisation, other_organisation
):
    page = soup(client.get("/admin/panels/new/"))
    offered = [o["value"] for o in page.select('select[name="organisation"] option') if o["value"]]
    assert offered == [str(organisation.pk)]
    response = client.post("/admin/panels/new/", panel_form(other_organisation))
    assert response.status_code == 200
    assert not Panel.objects.exists()
    assert "Discharge from hospital panel" in response.content.decode()


def test_a_partnership_wide_lead_may_choose_any_organisation(
    client, make_person, organisation, other_organisation
):
    sign_in(client, make_person("engagement_lead", partnership_wide=True))
    page = soup(client.get("/admin/panels/new/"))
    offered = {o["value"] for o in page.select('select[name="organisation"] option') if o["value"]}
    assert {str(organisation.pk), str(other_organisation.pk)} <= offered


def test_only_staff_are_offered_as_facilitators(client, lead, make_person):
    colleague = make_person("engagement_lead", first_name="Colleague")
    member = MemberFactory(first_name="Member")
    page = soup(client.get("/admin/panels/new/"))
    offered = {box["value"] for box in page.select('input[name="facilitators"]')}
    assert str(colleague.pk) in offered
    assert str(lead.pk) in offered
    assert str(member.pk) not in offered


def test_text_typed_into_a_panel_is_stored_exactly_as_typed(client, lead, organisation):
    purpose = "<script>alert(1)</script>Redesign leaving hospital."
    client.post("/admin/panels/new/", panel_form(organisation, purpose=purpose))
    assert Panel.objects.get().purpose == purpose


def test_seats_cannot_be_fewer_than_the_members_already_accepted(client, lead, ours):
    PanelApplicationFactory.create_batch(2, panel=ours, accepted=True)
    response = client.post(
        f"/admin/panels/edit/{ours.pk}/",
        panel_form(ours.organisation, title="Our panel", status="recruiting", seats="1"),
    )
    assert response.status_code == 200
    assert "2 people are already members of this panel" in text(response)
    ours.refresh_from_db()
    assert ours.seats == 2


def test_a_recruiting_panel_cannot_be_given_a_closing_date_in_the_past(client, lead, organisation):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        "/admin/panels/new/",
        panel_form(organisation, status="recruiting", applications_close_on=yesterday),
    )
    assert response.status_code == 200
    assert "The closing date has passed" in text(response)
    assert not Panel.objects.exists()


def test_panels_export_lists_only_the_leads_panels_with_member_counts(client, lead, ours, theirs):
    PanelApplicationFactory(panel=ours, accepted=True)
    response = client.get("/admin/panels/?export=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["Title"] for row in rows] == ["Our panel"]
    assert rows[0]["Members"] == "1"
    assert rows[0]["Organisation"] == "Northdale Health NHS Trust"


def test_panels_are_filtered_by_status(client, lead, ours, organisation):
    PanelFactory(organisation=organisation, title="Finished panel", closed=True)
    page = text(client.get("/admin/panels/?status=closed"))
    assert "Finished panel" in page
    assert "Our panel" not in page


def test_the_inspect_view_shows_who_is_sought_in_words(client, lead, organisation):
    panel = PanelFactory(organisation=organisation, sought_lived_experience=["psychosis"])
    page = text(client.get(f"/admin/panels/inspect/{panel.pk}/"))
    assert "Psychosis or bipolar" in page


def test_the_panels_listing_costs_the_same_queries_for_3_or_30_panels(client, lead, organisation):
    def count():
        client.get("/admin/panels/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/panels/").status_code == 200
        return len(queries)

    for panel in PanelFactory.create_batch(3, organisation=organisation):
        PanelApplicationFactory(panel=panel, accepted=True)
    few = count()
    for panel in PanelFactory.create_batch(27, organisation=organisation):
        PanelApplicationFactory(panel=panel, accepted=True)
    assert count() == few


# --- Applications --------------------------------------------------------------------------


def test_a_lead_sees_applications_to_their_panels_only(client, lead, ours, theirs):
    mine = PanelApplicationFactory(panel=ours)
    InvolvementProfileFactory(user=mine.applicant, display_name="Applicant Ours")
    other = PanelApplicationFactory(panel=theirs)
    InvolvementProfileFactory(user=other.applicant, display_name="Applicant Theirs")
    page = text(client.get("/admin/panel-applications/"))
    assert "Applicant Ours" in page
    assert "Applicant Theirs" not in page


def test_the_panel_filter_offers_only_panels_the_lead_may_see(client, lead, ours, theirs):
    page = soup(client.get("/admin/panel-applications/"))
    offered = [o.get_text(strip=True) for o in page.select('select[name="panel"] option')]
    assert "Our panel" in offered
    assert "Their panel" not in offered


def test_applications_are_filtered_by_panel(client, lead, ours, organisation):
    second = PanelFactory(organisation=organisation, recruiting=True, title="Second panel")
    InvolvementProfileFactory(
        user=PanelApplicationFactory(panel=ours).applicant, display_name="On ours"
    )
    InvolvementProfileFactory(
        user=PanelApplicationFactory(panel=second).applicant, display_name="On second"
    )
    page = text(client.get(f"/admin/panel-applications/?panel={second.pk}"))
    assert "On second" in page
    assert "On ours" not in page


def test_applications_export_names_and_needs_but_defuses_formulas(client, lead, ours):
    application = PanelApplicationFactory(panel=ours, access_needs=["bsl"])
    InvolvementProfileFactory(user=application.applicant, display_name="=HYPERLINK(1)")
    response = client.get("/admin/panel-applications/?export=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["Applicant"] == "'=HYPERLINK(1)"
    assert "British Sign Language" in rows[0]["Access needs"]


def test_nobody_adds_or_deletes_applications_in_the_admin(client_as, ours):
    client = client_as("admin")
    application = PanelApplicationFactory(panel=ours)
    assert client.get("/admin/panel-applications/new/")["Location"] == "/admin/"
    client.post(f"/admin/panel-applications/delete/{application.pk}/")
    assert PanelApplication.objects.filter(pk=application.pk).exists()


def test_the_applications_listing_costs_the_same_queries_for_3_or_30(client, lead, ours):
    def count():
        client.get("/admin/panel-applications/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/panel-applications/").status_code == 200
        return len(queries)

    for application in PanelApplicationFactory.create_batch(3, panel=ours):
        InvolvementProfileFactory(user=application.applicant)
    few = count()
    for application in PanelApplicationFactory.create_batch(27, panel=ours, declined=True):
        InvolvementProfileFactory(user=application.applicant)
    assert count() == few


# --- Deciding ---------------------------------------------------------------------------------


@pytest.fixture
def application(ours):
    applicant = MemberFactory(email="sam@example.org")
    InvolvementProfileFactory(user=applicant, display_name="Sam")
    return PanelApplicationFactory(panel=ours, applicant=applicant, access_needs=["bsl"])


def decide(client, application, decision, note=""):
    return client.post(
        f"/admin/panel-applications/edit/{application.pk}/",
        {"decision": decision, "note": note},
    )


def test_the_decision_page_shows_the_application_in_full(client, lead, application):
    response = client.get(f"/admin/panel-applications/edit/{application.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "Sam" in page
    assert application.statement in page
    assert "A British Sign Language (BSL) interpreter" in page
    assert "0 of 2 seats taken" in page


def test_a_lead_accepts_and_the_member_is_emailed_in_plain_english(client, lead, application):
    response = decide(client, application, "accepted", "See you on Tuesday.")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == PanelApplication.Status.ACCEPTED
    assert application.decided_by == lead
    assert application.decided_at is not None
    assert application.decision_note == "See you on Tuesday."
    entry = ModelLogEntry.objects.get(action=audit_actions.APPLICATION_DECIDE)
    assert entry.user == lead
    assert entry.data == {"status": "accepted", "reason": "See you on Tuesday."}
    [email] = mail.outbox
    assert email.to == ["sam@example.org"]
    assert email.subject == "You have a place on Our panel"
    assert "Good news: you have a place on Our panel" in email.body
    assert "See you on Tuesday." in email.body
    assert "Sam: accepted. They have been emailed." in text(client.get(response["Location"]))


def test_waitlisting_and_declining_are_emailed_too(client, lead, application):
    decide(client, application, "waitlisted")
    decide(client, application, "declined", "We had many applications.")
    assert [m.subject for m in mail.outbox] == [
        "You are on the waiting list for Our panel",
        "Your application to join Our panel",
    ]
    assert "We had many applications." in mail.outbox[1].body
    assert "not a judgement of you" in mail.outbox[1].body


def test_declining_needs_a_note_and_changes_nothing_without_one(client, lead, application):
    response = decide(client, application, "declined", "   ")
    assert response.status_code == 200
    assert "Write a note saying why" in text(response)
    application.refresh_from_db()
    assert application.status == PanelApplication.Status.PENDING
    assert mail.outbox == []


def test_accepting_beyond_the_seats_is_refused_and_nothing_changes(client, lead, ours, application):
    PanelApplicationFactory.create_batch(2, panel=ours, accepted=True)
    response = decide(client, application, "accepted", "Welcome")
    assert response.status_code == 200
    assert "All 2 seats on this panel are taken, so Sam cannot be accepted" in text(response)
    application.refresh_from_db()
    assert application.status == PanelApplication.Status.PENDING
    assert application.decision_note == ""
    assert mail.outbox == []
    assert not ModelLogEntry.objects.filter(action=audit_actions.APPLICATION_DECIDE).exists()


def test_a_panel_of_one_seat_says_its_only_seat_is_taken(client, lead, ours, application):
    ours.seats = 1
    ours.save()
    PanelApplicationFactory(panel=ours, accepted=True)
    response = decide(client, application, "accepted", "Welcome")
    assert "The only seat on this panel is taken, so Sam cannot be accepted" in text(response)
    assert "All 1 seats" not in text(response)


def test_the_last_seat_goes_to_one_applicant_only(lead, ours):
    first, second, third = PanelApplicationFactory.create_batch(3, panel=ours)
    application_decide(application=first, user=lead, decision="accepted")
    application_decide(application=second, user=lead, decision="accepted")
    with pytest.raises(Refused, match="seats on this panel are taken"):
        application_decide(application=third, user=lead, decision="accepted")
    assert ours.applications.filter(status="accepted").count() == 2


def test_changing_an_accepted_members_note_does_not_count_them_twice(lead, ours):
    first, second = PanelApplicationFactory.create_batch(2, panel=ours)
    application_decide(application=first, user=lead, decision="accepted")
    application_decide(application=second, user=lead, decision="accepted")
    application_decide(application=second, user=lead, decision="accepted", note="Welcome")
    second.refresh_from_db()
    assert second.decision_note == "Welcome"


def test_sending_the_same_decision_twice_sends_one_email(client, lead, application):
    decide(client, application, "accepted", "Hello")
    decide(client, application, "accepted", "Hello")
    assert len(mail.outbox) == 1
    assert ModelLogEntry.objects.filter(action=audit_actions.APPLICATION_DECIDE).count() == 1


def test_a_withdrawn_application_cannot_be_decided(client, lead, application):
    application.status = PanelApplication.Status.WITHDRAWN
    application.save()
    response = decide(client, application, "accepted")
    assert response.status_code == 200
    assert "withdrew this application" in text(response)
    application.refresh_from_db()
    assert application.status == PanelApplication.Status.WITHDRAWN


def test_a_lead_cannot_decide_their_own_application(lead, ours):
    own = PanelApplicationFactory(panel=ours, applicant=lead)
    with pytest.raises(Refused, match="your own application"):
        application_decide(application=own, user=lead, decision="accepted")


def test_a_lead_of_another_organisation_cannot_see_or_decide(client, lead, theirs):
    application = PanelApplicationFactory(panel=theirs)
    assert client.get(f"/admin/panel-applications/edit/{application.pk}/").status_code == 404
    assert decide(client, application, "accepted").status_code == 404
    assert client.get(f"/admin/panel-applications/inspect/{application.pk}/").status_code == 404
    application.refresh_from_db()
    assert application.status == PanelApplication.Status.PENDING


def test_the_decide_service_refuses_a_lead_of_another_organisation(make_person, theirs):
    application = PanelApplicationFactory(panel=theirs)
    with pytest.raises(Refused):
        application_decide(
            application=application, user=make_person("engagement_lead"), decision="accepted"
        )


def test_a_closed_panel_accepts_nobody(lead, organisation):
    panel = PanelFactory(organisation=organisation, closed=True)
    application = PanelApplicationFactory(panel=panel)
    with pytest.raises(Refused, match="closed"):
        application_decide(application=application, user=lead, decision="accepted")


def test_html_in_a_note_is_stored_exactly_as_typed(client, lead, application):
    decide(client, application, "waitlisted", "<a href='x'>Soon</a>")
    application.refresh_from_db()
    assert application.decision_note == "<a href='x'>Soon</a>"


# --- Make-up ---------------------------------------------------------------------------------


def member_on(panel, *, lived=(), communities=(), consent="2026-11", needs=(), language=""):
    person = UserFactory()
    InvolvementProfileFactory(
        user=person, lived_experience=list(lived), communities=list(communities)
    )
    if consent:
        ConsentRecordFactory(user=person, purpose="equality", version=consent)
    PanelApplicationFactory(
        panel=panel,
        applicant=person,
        accepted=True,
        access_needs=list(needs),
        interpreter_language=language,
    )
    return person


@pytest.fixture
def big_panel(organisation):
    return PanelFactory(
        organisation=organisation,
        seats=20,
        sought_lived_experience=["psychosis", "carer"],
        sought_communities=["black"],
    )


def rows_by_label(rows):
    return {row.label: row for row in rows}


def test_make_up_counts_from_1_to_4_are_shown_as_fewer_than_5(big_panel):
    for _ in range(6):
        member_on(big_panel, lived=["carer"])
    for _ in range(3):
        member_on(big_panel, lived=["trauma"], communities=["black"])
    make_up = panel_make_up(big_panel)
    lived = rows_by_label(make_up.lived_experience)
    assert make_up.members == 9
    assert make_up.sharing_shown == "9"
    assert lived["Caring for someone"].shown == "6"
    assert lived["Trauma"].shown == "fewer than 5"
    assert lived["Psychosis or bipolar"].shown == "None"
    assert lived["Psychosis or bipolar"].missing
    assert rows_by_label(make_up.communities)["Black, African or Caribbean"].shown == (
        "fewer than 5"
    )
    # What the panel is looking for comes first.
    assert [row.sought for row in make_up.lived_experience[:2]] == [True, True]


def test_make_up_counts_only_members_whose_equality_consent_stands(big_panel):
    for _ in range(5):
        member_on(big_panel, lived=["carer"])
    member_on(big_panel, lived=["carer"], consent=None)
    member_on(big_panel, lived=["carer"], consent="2020-01")
    make_up = panel_make_up(big_panel)
    assert make_up.members == 7
    assert rows_by_label(make_up.lived_experience)["Caring for someone"].shown == "5"


def test_with_fewer_than_5_sharing_no_totals_by_group_are_shown(big_panel):
    for _ in range(4):
        member_on(big_panel, lived=["carer"])
    make_up = panel_make_up(big_panel)
    assert make_up.sharing_shown == "fewer than 5"
    assert not make_up.enough_shared
    assert make_up.lived_experience == []
    assert make_up.communities == []


def test_the_make_up_page_shows_suppressed_totals_and_every_access_need(client, lead, big_panel):
    for _ in range(5):
        member_on(big_panel, lived=["carer"], needs=["bsl"])
    member_on(big_panel, lived=["trauma"], needs=["language"], language="Urdu")
    response = client.get(f"/admin/panels/make-up/{big_panel.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "Trauma fewer than 5" in page
    assert "Caring for someone 5" in page
    assert "Psychosis or bipolar None Sought: nobody yet" in page
    assert "A British Sign Language (BSL) interpreter 5" in page
    assert "Urdu" in page
    assert "Trauma 1" not in page
    assert ModelLogEntry.objects.filter(action=audit.VIEW, user=lead).exists()


def test_the_make_up_page_costs_the_same_queries_for_3_or_30_members(client, lead, big_panel):
    big_panel.seats = 40
    big_panel.save()

    def count():
        url = f"/admin/panels/make-up/{big_panel.pk}/"
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for _ in range(3):
        member_on(big_panel, lived=["carer"], needs=["bsl"])
    few = count()
    for _ in range(27):
        member_on(big_panel, lived=["carer"], needs=["bsl"])
    assert count() == few


def test_a_lead_of_another_organisation_cannot_see_the_make_up(client, lead, other_organisation):
    panel = PanelFactory(organisation=other_organisation)
    assert client.get(f"/admin/panels/make-up/{panel.pk}/").status_code == 404


def test_a_facilitator_from_another_organisation_keeps_the_panels_organisation(
    client, lead, other_organisation
):
    panel = PanelFactory(organisation=other_organisation, facilitators=[lead], title="Shared")
    page = soup(client.get(f"/admin/panels/edit/{panel.pk}/"))
    offered = [o["value"] for o in page.select('select[name="organisation"] option') if o["value"]]
    assert str(other_organisation.pk) in offered


def test_organisations_outside_the_leads_scope_are_never_offered_for_a_new_panel(client, lead):
    stranger = OrganisationFactory(name="Stranger Trust")
    assert "Stranger Trust" not in client.get("/admin/panels/new/").content.decode()
    assert stranger.pk
