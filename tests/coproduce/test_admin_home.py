"""Leads' and finance's Wagtail admin home (issue 21): what waits on them, counted, the
oldest first, each linking to where it is dealt with; never another organisation's
records; one calm line when nothing waits; the same queries with 3 records or 30."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from coproduce.models import InvolvementClaim, PaymentRun
from tests.conftest import sign_in
from tests.factories import (
    FeedbackFactory,
    InvolvementClaimFactory,
    MeetingFactory,
    MemberFactory,
    OfferPageFactory,
    PanelApplicationFactory,
    PanelFactory,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

HOME = "/admin/"


def home_text(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    text = " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())
    return text.replace(" :", ":")


def home_links(client) -> set[str]:
    soup = BeautifulSoup(client.get(HOME).content, "html.parser")
    return {link["href"] for link in soup.select("main a[href]")}


@pytest.fixture
def lead_client(client, make_person):
    return sign_in(client, make_person("engagement_lead"))


@pytest.fixture
def finance_client(client, make_person):
    return sign_in(client, make_person("finance"))


def lead_work(organisation, *, name: str, panel_title: str):
    """An application, a meeting, new feedback and a submitted claim in ``organisation``."""
    panel = PanelFactory(organisation=organisation, title=panel_title, recruiting=True)
    application = PanelApplicationFactory(
        panel=panel, applicant=MemberFactory(first_name=f"{name} applicant")
    )
    meeting = MeetingFactory(panel=panel, title=f"{name} meeting")
    feedback = FeedbackFactory(
        offer=OfferPageFactory(provider=organisation, title=f"{name} café"),
        rating=2,
    )
    claim = InvolvementClaimFactory(
        submitted=True,
        attendance__meeting__panel=panel,
        attendance__member=MemberFactory(first_name=f"{name} claimant", last_name="Jones"),
    )
    return application, meeting, feedback, claim


# --- Engagement leads ----------------------------------------------------------------------------


def test_a_lead_sees_what_waits_on_them_with_counts_and_links(lead_client, organisation):
    application, meeting, feedback, claim = lead_work(
        organisation, name="Northdale", panel_title="Crisis café panel"
    )
    text = home_text(lead_client)
    assert "Your panels" in text
    assert "1 application is waiting for a decision" in text
    assert "Northdale applicant: Crisis café panel, applied on" in text
    assert "1 meeting is coming up" in text and "Northdale meeting:" in text
    assert "1 piece of new feedback is waiting for a reply" in text
    assert "Northdale café: Poor, received on" in text
    assert "1 claim is waiting for your approval" in text
    assert f"{claim.reference}: Northdale claimant Jones: £30.00, Crisis café panel" in text
    links = home_links(lead_client)
    assert f"/admin/panel-applications/edit/{application.pk}/" in links
    assert f"/admin/claims/review/{claim.pk}/" in links
    assert f"/admin/feedback/edit/{feedback.pk}/" in links
    assert "/admin/panel-applications/?status=pending" in links
    assert "/admin/claims/?status=submitted" in links
    assert "/admin/feedback/?status=new" in links


def test_a_lead_never_sees_another_organisations_work(
    lead_client, organisation, other_organisation
):
    lead_work(other_organisation, name="Southmoor", panel_title="Housing panel")
    text = home_text(lead_client)
    assert "Southmoor" not in text and "Housing panel" not in text
    assert "Nothing needs you today." in text


def test_a_leads_own_claim_and_application_are_not_theirs_to_decide(
    client, make_person, organisation
):
    lead = make_person("engagement_lead")
    panel = PanelFactory(organisation=organisation, recruiting=True)
    InvolvementClaimFactory(
        submitted=True, attendance__meeting__panel=panel, attendance__member=lead
    )
    text = home_text(sign_in(client, lead))
    assert "waiting for your approval" not in text


def test_decided_applications_past_meetings_and_answered_feedback_do_not_wait(
    lead_client, organisation
):
    panel = PanelFactory(organisation=organisation)
    PanelApplicationFactory(panel=panel, accepted=True)
    MeetingFactory(panel=panel, past=True)
    MeetingFactory(panel=panel, cancelled=True)
    FeedbackFactory(offer=OfferPageFactory(provider=organisation), published=True)
    InvolvementClaimFactory(approved=True, attendance__meeting__panel=panel)
    assert "Nothing needs you today." in home_text(lead_client)


def test_a_lead_sees_the_oldest_three_and_how_many_in_all(lead_client, organisation):
    panel = PanelFactory(organisation=organisation, recruiting=True)
    for number in range(5):
        PanelApplicationFactory(panel=panel, applicant=MemberFactory(first_name=f"Person {number}"))
    text = home_text(lead_client)
    assert "5 applications are waiting for a decision" in text
    assert "Person 0" in text and "Person 2" in text and "Person 3" not in text


# --- Finance -------------------------------------------------------------------------------------


def test_finance_see_approved_claims_to_pay_with_the_total(finance_client, organisation):
    panel = PanelFactory(organisation=organisation, title="Crisis café panel")
    first = InvolvementClaimFactory(approved=True, attendance__meeting__panel=panel)
    InvolvementClaimFactory(
        approved=True, attendance__meeting__panel=panel, attendance__hours=Decimal("3.00")
    )
    InvolvementClaimFactory(submitted=True, attendance__meeting__panel=panel)
    InvolvementClaimFactory(paid=True, attendance__meeting__panel=panel)
    # One already in an open payment run is on its way, not waiting.
    in_run = InvolvementClaimFactory(approved=True, attendance__meeting__panel=panel)
    run = PaymentRun.objects.create(organisation=organisation)
    InvolvementClaim.objects.filter(pk=in_run.pk).update(payment_run=run)
    text = home_text(finance_client)
    assert "Payments" in text
    assert "2 approved claims are waiting for a payment run, £75.00 in all" in text
    assert in_run.reference not in text
    assert f"{first.reference}:" in text
    links = home_links(finance_client)
    assert "/admin/payment-runs/build/" in links
    assert f"/admin/claims/inspect/{first.pk}/" in links
    assert "Your panels" not in text


def test_finance_never_see_another_organisations_claims(
    finance_client, organisation, other_organisation
):
    panel = PanelFactory(organisation=other_organisation, title="Housing panel")
    InvolvementClaimFactory(approved=True, attendance__meeting__panel=panel)
    text = home_text(finance_client)
    assert "Housing panel" not in text
    assert "Nothing needs you today." in text


def test_finance_are_not_offered_a_search_of_pages(finance_client):
    response = finance_client.get(HOME)
    assert "admin-home-without-page-search.css" in response.content.decode()


# --- Who sees which panel ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr", "editor"])
def test_people_who_neither_run_panels_nor_pay_see_neither_panel(
    client, make_person, role, organisation
):
    lead_work(organisation, name="Northdale", panel_title="Crisis café panel")
    text = home_text(sign_in(client, make_person(role)))
    assert "Your panels" not in text and "Payments" not in text
    assert "Northdale" not in text


@pytest.mark.parametrize("role", ["member", "peer_worker", "supervisor"])
def test_people_who_do_not_use_the_admin_never_reach_its_home(client, make_person, role):
    response = sign_in(client, make_person(role)).get(HOME)
    assert response.status_code == 403


# --- Queries -------------------------------------------------------------------------------------


def test_a_leads_admin_home_costs_the_same_queries_with_3_records_or_30(lead_client, organisation):
    for number in range(3):
        lead_work(organisation, name=f"First {number}", panel_title=f"Panel {number}")
    queries_for(lead_client, HOME)  # the first page of a session reads more, once
    with_3 = queries_for(lead_client, HOME)
    for number in range(27):
        lead_work(organisation, name=f"More {number}", panel_title=f"More panel {number}")
    assert queries_for(lead_client, HOME) == with_3


def test_finances_admin_home_costs_the_same_queries_with_3_claims_or_30(
    finance_client, organisation
):
    panel = PanelFactory(organisation=organisation)
    for _ in range(3):
        InvolvementClaimFactory(approved=True, attendance__meeting__panel=panel)
    queries_for(finance_client, HOME)  # the first page of a session reads more, once
    with_3 = queries_for(finance_client, HOME)
    for _ in range(27):
        InvolvementClaimFactory(approved=True, attendance__meeting__panel=panel)
    assert queries_for(finance_client, HOME) == with_3
