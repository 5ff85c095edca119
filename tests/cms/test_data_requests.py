"""Reports → Requests about personal data: admins record requests received by letter or
phone, produce the person's copy for an access request, close the account for an erasure
request, and mark each done; everyone else is refused."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import audit
from cms.models import DataRequest, ReportJob
from cms.your_data import REPORT_KIND
from tests.conftest import sign_in
from tests.factories import MemberFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

INDEX = "/admin/data-requests/"
ADD = "/admin/data-requests/new/"


@pytest.fixture
def admin(make_person):
    return make_person("admin")


@pytest.fixture
def admin_client(client, admin):
    sign_in(client, admin)
    return client


def record(person, *, kind=DataRequest.Kind.ACCESS, days_ago=3, **kwargs) -> DataRequest:
    return DataRequest.objects.create(
        person=person,
        kind=kind,
        channel=DataRequest.Channel.LETTER,
        received_on=timezone.localdate() - timedelta(days=days_ago),
        identity_checked="Called back on the number we hold",
        **kwargs,
    )


def text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def form_as_shown(client, url, button=None) -> dict:
    page = BeautifulSoup(client.get(url).content, "html.parser")
    if button:
        form = page.find("button", string=button).find_parent("form")
    else:
        form = page.find("form", attrs={"action": url}) or page.find_all("form")[-1]
    data = {}
    for field in form.find_all(["input", "textarea", "select"]):
        if field.get("name") and field.get("type") not in ("checkbox", "submit"):
            data[field["name"]] = field.get("value", "")
    return data


# --- The list ------------------------------------------------------------------------------


def test_the_list_shows_each_request_with_its_due_date_and_overdue_ones_marked(admin_client):
    ada = MemberFactory(email="ada@example.org")
    zeb = MemberFactory(email="zeb@example.org")
    record(ada, days_ago=3)
    record(zeb, days_ago=40)
    page = text(admin_client.get(INDEX))
    assert "ada@example.org" in page
    assert "zeb@example.org" in page
    assert page.count("Overdue") == 1
    assert "A copy of their data (subject access)" in page


def test_a_done_request_is_never_overdue(admin_client):
    record(MemberFactory(), days_ago=90, status=DataRequest.Status.DONE)
    assert "Overdue" not in text(admin_client.get(INDEX))


def test_the_list_is_searched_by_email(admin_client):
    record(MemberFactory(email="ada@example.org"))
    record(MemberFactory(email="zeb@example.org"))
    page = text(admin_client.get(INDEX + "?q=ada"))
    assert "ada@example.org" in page
    assert "zeb@example.org" not in page


def test_the_list_costs_the_same_queries_with_3_or_30_requests(admin_client):
    for _ in range(3):
        record(MemberFactory())
    queries_for(admin_client, INDEX)
    few = queries_for(admin_client, INDEX)
    for _ in range(27):
        record(MemberFactory())
    many = queries_for(admin_client, INDEX)
    assert many == few


@pytest.mark.parametrize("role", ["engagement_lead", "hr", "finance", "editor"])
def test_staff_without_the_rule_are_refused_every_page(client_as, role):
    client = client_as(role)
    data_request = record(MemberFactory())
    for url in (
        INDEX,
        ADD,
        f"{INDEX}{data_request.pk}/",
        f"{INDEX}{data_request.pk}/close-account/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/admin/", url
    for url in (f"{INDEX}{data_request.pk}/", f"{INDEX}{data_request.pk}/done/"):
        client.post(url, {"outcome": "Sent"})
    data_request.refresh_from_db()
    assert data_request.status == DataRequest.Status.OPEN
    assert data_request.report is None
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize("role", ["member", "peer_worker", "supervisor"])
def test_people_outside_the_admin_are_told_it_is_for_staff(client_as, role):
    assert client_as(role).get(INDEX).status_code == 403


def test_the_menu_item_shows_only_to_admins(client_as, make_person):
    assert "Requests about personal data" in client_as("admin").get("/admin/").content.decode()
    client = client_as("editor")
    assert "Requests about personal data" not in client.get("/admin/").content.decode()


# --- Recording a request -----------------------------------------------------------------------


def _new_request(**overrides) -> dict:
    return {
        "person_email": "Ada@Example.org",
        "kind": "access",
        "channel": "letter",
        "received_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "identity_checked": "Called back on the number we hold",
        "note": "Wants everything since 2025",
        **overrides,
    }


def test_an_admin_records_a_request_for_a_person_found_by_email(admin_client, admin):
    ada = MemberFactory(email="ada@example.org")
    data = {**form_as_shown(admin_client, ADD), **_new_request()}
    response = admin_client.post(ADD, data)
    data_request = DataRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{INDEX}{data_request.pk}/"
    assert data_request.person == ada
    assert data_request.recorded_by == admin
    assert data_request.channel == "letter"
    page = text(admin_client.get(response["Location"]))
    assert "It is due on" in page
    assert "Produce their data" in page


def test_the_same_form_sent_twice_records_one_request(admin_client):
    MemberFactory(email="ada@example.org")
    data = {**form_as_shown(admin_client, ADD), **_new_request()}
    first = admin_client.post(ADD, data)
    again = admin_client.post(ADD, data)
    assert first["Location"] == again["Location"]
    assert DataRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"person_email": "nobody@example.org"}, "There is no account with this email address"),
        ({"person_email": "not an email"}, "Enter an email address in the correct format"),
        ({"person_email": ""}, "Enter the email address of their account"),
        ({"received_on": "2999-01-01"}, "must be today or in the past"),
        ({"received_on": "yesterday"}, "Enter the date we received it as a real date"),
        ({"identity_checked": ""}, "Enter how you checked it was really them"),
        ({"channel": "site"}, "Select a valid choice"),
        ({"kind": "everything"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_recorded(admin_client, overrides, message):
    MemberFactory(email="ada@example.org")
    response = admin_client.post(ADD, {**_new_request(), **overrides})
    assert response.status_code == 200
    assert message in text(response)
    assert not DataRequest.objects.exists()
    # What was typed is kept.
    assert "Wants everything since 2025" in response.content.decode()


def test_a_request_page_for_no_such_request_is_not_found(admin_client):
    assert admin_client.get(f"{INDEX}999999/").status_code == 404
    assert admin_client.get(f"{INDEX}abc/").status_code == 404


# --- Producing the copy --------------------------------------------------------------------------


def test_producing_their_data_makes_the_copy_for_the_admin_and_audits_it_as_about_them(
    admin_client, admin
):
    ada = MemberFactory(email="ada@example.org")
    data_request = record(ada)
    url = f"{INDEX}{data_request.pk}/"
    data = form_as_shown(admin_client, url, button="Produce their data")
    response = admin_client.post(url, data)
    job = ReportJob.objects.get(kind=REPORT_KIND)
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{job.pk}/"
    data_request.refresh_from_db()
    assert data_request.report == job
    assert job.requested_by == admin
    assert job.params["person"] == ada.pk
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    assert admin_client.get(f"/reports/{job.pk}/download/").status_code == 200
    exported = ModelLogEntry.objects.get(action=audit.EXPORT)
    assert exported.user == admin
    assert exported.data["about"] == ada.pk
    assert "subject access request" in exported.data["reason"]
    changed = ModelLogEntry.objects.get(action=audit.CHANGE)
    assert changed.data["about"] == ada.pk
    # The person cannot download the admin's copy: the admin sends it to them.
    sign_in(admin_client, ada)
    assert admin_client.get(f"/reports/{job.pk}/download/").status_code == 404


def test_the_produce_button_sent_twice_makes_one_copy(admin_client):
    data_request = record(MemberFactory())
    url = f"{INDEX}{data_request.pk}/"
    data = form_as_shown(admin_client, url, button="Produce their data")
    first = admin_client.post(url, data)
    again = admin_client.post(url, data)
    assert first["Location"] == again["Location"]
    assert ReportJob.objects.count() == 1


def test_an_erasure_request_produces_no_copy(admin_client):
    data_request = record(MemberFactory(), kind=DataRequest.Kind.ERASURE)
    response = admin_client.post(f"{INDEX}{data_request.pk}/")
    assert response.status_code == 302
    assert not ReportJob.objects.exists()
    assert "Only a request for a copy" in text(admin_client.get(response["Location"]))


# --- Marking done ---------------------------------------------------------------------------------


def test_marking_done_records_what_was_done_and_when(admin_client, admin):
    ada = MemberFactory()
    data_request = record(ada, days_ago=40)
    response = admin_client.post(
        f"{INDEX}{data_request.pk}/done/", {"outcome": "Copy sent by recorded post"}
    )
    assert response.status_code == 302
    data_request.refresh_from_db()
    assert data_request.status == DataRequest.Status.DONE
    assert data_request.outcome == "Copy sent by recorded post"
    assert data_request.completed_at is not None
    page = text(admin_client.get(f"{INDEX}{data_request.pk}/"))
    assert "Copy sent by recorded post" in page
    assert "Overdue" not in page
    assert ModelLogEntry.objects.filter(action=audit.CHANGE, data__about=ada.pk).exists()


def test_marking_done_needs_what_was_done(admin_client):
    data_request = record(MemberFactory())
    response = admin_client.post(f"{INDEX}{data_request.pk}/done/", {"outcome": ""})
    assert response.status_code == 400
    assert "Enter what was done" in text(response)
    data_request.refresh_from_db()
    assert data_request.status == DataRequest.Status.OPEN


def test_a_done_request_is_not_done_twice(admin_client):
    data_request = record(MemberFactory())
    admin_client.post(f"{INDEX}{data_request.pk}/done/", {"outcome": "Sent"})
    response = admin_client.post(f"{INDEX}{data_request.pk}/done/", {"outcome": "Again"})
    data_request.refresh_from_db()
    assert data_request.outcome == "Sent"
    assert "was marked done on" in text(admin_client.get(response["Location"]))


# --- Erasure requests ----------------------------------------------------------------------------


def test_an_erasure_request_links_to_closing_the_account(admin_client):
    data_request = record(MemberFactory(), kind=DataRequest.Kind.ERASURE)
    page = BeautifulSoup(admin_client.get(f"{INDEX}{data_request.pk}/").content, "html.parser")
    link = page.find("a", string="Close their account")
    assert link["href"] == f"{INDEX}{data_request.pk}/close-account/"
    confirm = text(admin_client.get(link["href"]))
    assert "This cannot be undone" in confirm


def test_closing_the_account_needs_the_admin_to_confirm(admin_client):
    ada = MemberFactory()
    data_request = record(ada, kind=DataRequest.Kind.ERASURE)
    response = admin_client.post(f"{INDEX}{data_request.pk}/close-account/", {})
    assert response.status_code == 400
    assert "Confirm you have checked" in text(response)
    ada.refresh_from_db()
    assert ada.is_active


def test_an_erasure_request_closes_the_account_and_is_marked_done(admin_client):
    ada = MemberFactory(email="ada@example.org")
    data_request = record(ada, kind=DataRequest.Kind.ERASURE)
    response = admin_client.post(f"{INDEX}{data_request.pk}/close-account/", {"confirm": "on"})
    assert response.status_code == 302
    data_request.refresh_from_db()
    ada.refresh_from_db()
    assert data_request.status == DataRequest.Status.DONE
    assert data_request.completed_at is not None
    assert data_request.outcome
    assert not ada.is_active
    assert ada.email != "ada@example.org"


def test_an_access_request_does_not_close_an_account(admin_client):
    ada = MemberFactory()
    data_request = record(ada)
    response = admin_client.post(f"{INDEX}{data_request.pk}/close-account/", {"confirm": "on"})
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.is_active
    data_request.refresh_from_db()
    assert data_request.status == DataRequest.Status.OPEN


@pytest.mark.parametrize("role", ["hr", "finance", "engagement_lead", "editor"])
def test_links_from_elsewhere_in_the_admin_open_the_request_for_admins_only(
    admin, make_person, role
):
    """Site history and other admin pages find a request's page through Wagtail's URL
    finder: it leads admins to the request, and nobody else anywhere."""
    from django.urls import reverse
    from wagtail.admin.admin_url_finder import AdminURLFinder

    request = record(MemberFactory())
    # Resolving the URLs registers the admin's viewsets, and with them their URL finders.
    page = reverse("data_requests:detail", args=[request.pk])
    assert AdminURLFinder(admin).get_edit_url(request) == page
    assert AdminURLFinder(make_person(role)).get_edit_url(request) is None
