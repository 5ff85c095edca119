"""My space → Your data: a person's copy of everything held about them, from every app,
built from the registry of personal data in the background.

Two people with records in every app: each copy holds its person's own records, with the
registry's words on why and how long, and never a word of the other's.
"""

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import audit, data_registry, jobs
from cms.dates import date_in_words as date_words
from cms.models import ReportJob
from cms.your_data import (
    REPORT_KIND,
    build_zip,
    copy_request,
    fields_of,
    gather,
    may_request,
)
from coproduce.factories import AttendanceFactory
from coproduce.models import PanelApplication
from peers.factories import JobApplicationFactory
from tests.conftest import sign_in
from tests.factories import (
    ConsentRecordFactory,
    ExpenseFactory,
    FeedbackFactory,
    InvolvementClaimFactory,
    InvolvementProfileFactory,
    MemberFactory,
    PanelApplicationFactory,
    PanelFactory,
    PeerWorkerFactory,
    SessionLogFactory,
    SupervisionFactory,
    UserFactory,
    WellbeingCheckInFactory,
)

pytestmark = pytest.mark.django_db

URL = "/my-space/your-data/"


def records_everywhere(person, word: str) -> None:
    """Records of ``person`` in every app, each carrying ``word`` where it can."""
    InvolvementProfileFactory(user=person, display_name=f"{word} Name", phone="01632 960000")
    ConsentRecordFactory(user=person, purpose="involvement")
    PanelApplicationFactory(
        applicant=person, panel=PanelFactory(title=f"{word} panel"), statement=f"{word} statement"
    )
    attendance = AttendanceFactory(member=person)
    claim = InvolvementClaimFactory(attendance=attendance, approved=True)
    ExpenseFactory(claim=claim, description=f"{word} bus fare")
    FeedbackFactory(author=person, went_well=f"{word} went well")
    worker = PeerWorkerFactory(user=person)
    SessionLogFactory(worker=worker, notes=f"{word} session notes")
    SupervisionFactory(worker=worker, notes=f"{word} supervision notes")
    WellbeingCheckInFactory(worker=worker)
    JobApplicationFactory(candidate=person)


@pytest.fixture
def two_people(db):
    ada = MemberFactory(email="ada@example.org", first_name="Ada", last_name="Lovelace")
    zeb = MemberFactory(email="zebedee@example.org", first_name="Zebedee", last_name="Quill")
    records_everywhere(ada, "Adaword")
    records_everywhere(zeb, "Zebword")
    return ada, zeb


def opened(content: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def form_as_shown(client) -> dict:
    page = BeautifulSoup(client.get(URL).content, "html.parser")
    form = page.find("button", string="Get a copy of my data").find_parent("form")
    return {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}


def entries_with_rows(person):
    return [e for e in data_registry.entries() if e.owned_by(person).exists()]


# --- The copy itself ------------------------------------------------------------------------


def test_the_copy_holds_a_readable_page_a_machine_readable_file_and_their_receipts(two_people):
    ada, _ = two_people
    content, count = build_zip(ada)
    files = opened(content)
    assert {"your-data.html", "your-data.json"} <= set(files)
    receipts = [name for name in files if name.startswith("files/coproduce.expense/")]
    assert len(receipts) == 1
    assert files[receipts[0]].startswith(b"%PDF")
    assert count == sum(e.owned_by(ada).count() for e in entries_with_rows(ada))


def test_the_readable_page_shows_their_own_values_under_each_kind_with_why_and_how_long(
    two_people,
):
    ada, _ = two_people
    page = BeautifulSoup(opened(build_zip(ada)[0])["your-data.html"], "html.parser")
    text = page.get_text(" ", strip=True)
    for word in ("ada@example.org", "Adaword Name", "Adaword statement", "Adaword bus fare"):
        assert word in text
    headings = [h.get_text(strip=True) for h in page.find_all("h2")]
    assert "How to read this copy" in headings
    assert "Contents" in headings
    assert "Your rights" in headings
    assert "Questions and complaints" in headings
    for data_class in {e.data_class for e in entries_with_rows(ada)}:
        assert data_class.label in headings
    for entry in entries_with_rows(ada):
        assert entry.label in text
        assert entry.purpose in text
    assert "Information Commissioner" in text


def test_the_readable_page_stands_alone_with_no_outside_resources(two_people):
    ada, _ = two_people
    page = BeautifulSoup(opened(build_zip(ada)[0])["your-data.html"], "html.parser")
    assert page.find_all("script") == []
    assert page.find_all("link") == []
    assert page.find_all("img") == []
    assert page.find("style") is not None


def test_dates_read_as_words_on_the_page_and_as_iso_dates_in_the_file(two_people):
    ada, _ = two_people
    files = opened(build_zip(ada)[0])
    joined = date_words(ada.date_joined)
    assert joined in files["your-data.html"].decode()
    data = json.loads(files["your-data.json"])
    account = _kind(data, "cms.user", "account")
    assert account["records"][0]["date_joined"] == timezone.localtime(ada.date_joined).isoformat()


def test_dates_in_words_read_like_a_letter():
    assert date_words(date(2026, 12, 1)) == "1 December 2026"


def _kind(data, model, data_class):
    for group in data["data_classes"]:
        if group["data_class"] == data_class:
            for kind in group["kinds"]:
                if kind["model"] == model:
                    return kind
    raise AssertionError(f"{model} ({data_class}) is not in the file")


def test_the_file_has_every_data_class_with_records_with_stable_keys(two_people):
    ada, _ = two_people
    data = json.loads(opened(build_zip(ada)[0])["your-data.json"])
    assert {group["data_class"] for group in data["data_classes"]} == {
        e.data_class.value for e in entries_with_rows(ada)
    }
    for entry in entries_with_rows(ada):
        kind = _kind(data, entry.model._meta.label_lower, entry.data_class.value)
        assert kind["lawful_basis"] == entry.basis.label
        assert kind["kept_for"] == entry.retention.words
        assert len(kind["records"]) == entry.owned_by(ada).count()
        assert set(kind["records"][0]) == {f.name for f in fields_of(entry)}


def test_choices_read_as_their_words_and_links_as_their_names(two_people):
    ada, _ = two_people
    data = json.loads(opened(build_zip(ada)[0])["your-data.json"])
    application = _kind(data, "coproduce.panelapplication", "involvement")["records"][0]
    assert application["panel"] == "Adaword panel"
    assert application["status"] == PanelApplication.Status.PENDING.label


def test_codes_kept_in_lists_read_as_their_words(db):
    """Access needs are stored as codes (``large_print``); the copy says what they mean."""
    ada = MemberFactory()
    InvolvementProfileFactory(user=ada, access_needs=["large_print", "step_free"])
    page = opened(build_zip(ada)[0])["your-data.html"].decode()
    assert "Large print papers, Step-free access" in page
    assert "large_print" not in page


def test_another_persons_data_is_never_in_the_copy(two_people):
    ada, zeb = two_people
    files = opened(build_zip(ada)[0])
    everything = b"".join(files.values()).decode("utf-8", "replace")
    assert "Zebword" not in everything
    assert "zebedee@example.org" not in everything
    assert "Zebedee" not in everything


def test_secrets_are_never_in_the_copy(two_people):
    ada, _ = two_people
    ada.set_password("a-secret-password")
    ada.save()
    everything = b"".join(opened(build_zip(ada)[0]).values()).decode("utf-8", "replace")
    assert ada.password not in everything
    profile = ada.involvement_profile
    assert str(profile.calendar_token) not in everything


def test_a_person_with_no_records_but_their_account_gets_a_short_copy(db):
    person = UserFactory(email="new@example.org")
    files = opened(build_zip(person)[0])
    assert "new@example.org" in files["your-data.html"].decode()


def test_gathering_costs_one_query_per_kind_of_record_however_many_records(
    db, django_assert_max_num_queries
):
    few = MemberFactory()
    many = MemberFactory()
    for person, count in ((few, 3), (many, 30)):
        for _ in range(count):
            PanelApplicationFactory(applicant=person)
            AttendanceFactory(member=person)
            ExpenseFactory(
                claim=InvolvementClaimFactory(attendance=AttendanceFactory(member=person))
            )
    budget = len(data_registry.entries())
    with django_assert_max_num_queries(budget):
        gather(few)
    with django_assert_max_num_queries(budget):
        gather(many)


# --- Asking for it ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "peer_worker", "engagement_lead", "admin"])
def test_anyone_signed_in_sees_what_they_get_and_the_button(client_as, role):
    response = client_as(role).get(URL)
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("h1").get_text(strip=True) == "Your data"
    assert page.find("button", string="Get a copy of my data")


def test_signed_out_people_are_asked_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/accounts/login/?next={URL}")


def test_a_person_gets_their_copy_with_progress_and_the_download(client, two_people):
    ada, _ = two_people
    sign_in(client, ada)
    data = form_as_shown(client)
    response = client.post(URL, data)
    job = ReportJob.objects.get(kind=REPORT_KIND)
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{job.pk}/"
    assert job.requested_by == ada
    assert job.params["person"] == ada.pk
    status = client.get(f"/reports/{job.pk}/")
    assert "Your report is ready" in status.content.decode()
    download = client.get(f"/reports/{job.pk}/download/")
    assert download.status_code == 200
    files = opened(b"".join(download.streaming_content))
    assert "Adaword statement" in files["your-data.html"].decode()
    # The page then lists the copy.
    page = BeautifulSoup(client.get(URL).content, "html.parser").get_text(" ", strip=True)
    assert "Download your copy from" in page


def test_the_same_button_sent_twice_makes_one_copy(client, two_people):
    ada, _ = two_people
    sign_in(client, ada)
    data = form_as_shown(client)
    first = client.post(URL, data)
    again = client.post(URL, data)
    assert first["Location"] == again["Location"]
    assert ReportJob.objects.filter(kind=REPORT_KIND).count() == 1


def test_making_a_copy_is_audited_against_the_person(client, two_people):
    ada, _ = two_people
    sign_in(client, ada)
    client.post(URL)
    entry = ModelLogEntry.objects.get(action=audit.EXPORT)
    assert entry.user == ada
    assert entry.data["about"] == ada.pk
    assert entry.data["count"] > 0


def test_the_page_lists_only_their_own_copies(client, two_people):
    ada, zeb = two_people
    copy_request(person=zeb, by=zeb)
    sign_in(client, ada)
    page = BeautifulSoup(client.get(URL).content, "html.parser").get_text(" ", strip=True)
    assert "You have not asked for a copy" in page


def test_a_list_of_copies_costs_the_same_queries_with_3_or_30(client, db):
    from tests.queries import queries_for

    counts = []
    for how_many in (3, 30):
        person = MemberFactory()
        for _ in range(how_many):
            ReportJob.objects.create(
                kind=REPORT_KIND,
                title="A copy",
                params={"person": person.pk, "by": person.pk},
                requested_by=person,
            )
        sign_in(client, person)
        queries_for(client, URL)  # the first page of a session costs more, whatever the list
        counts.append(queries_for(client, URL))
    assert counts[0] == counts[1]


# --- Who may ask for whose ---------------------------------------------------------------------


def test_a_person_may_ask_for_their_own_copy_only(db):
    ada = MemberFactory()
    zeb = MemberFactory()
    assert may_request(ada, {"person": ada.pk, "by": ada.pk})
    assert not may_request(ada, {"person": zeb.pk, "by": ada.pk})
    with pytest.raises(jobs.Refused):
        copy_request(person=zeb, by=ada)
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize(
    "role", ["peer_worker", "supervisor", "engagement_lead", "hr", "finance", "editor"]
)
def test_staff_without_the_rule_may_not_ask_for_someone_elses_copy(make_person, role):
    staff = make_person(role)
    ada = MemberFactory()
    assert not may_request(staff, {"person": ada.pk, "by": staff.pk})


def test_an_admin_may_ask_for_anyones_copy_which_is_audited_as_theirs(make_person):
    admin = make_person("admin")
    ada = MemberFactory()
    job = copy_request(person=ada, by=admin)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    entry = ModelLogEntry.objects.get(action=audit.EXPORT)
    assert entry.user == admin
    assert entry.data["about"] == ada.pk


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"person": "abc"},
        {"person": "1"},
        {"person": True},
        {"person": None},
        {"person": [1]},
        "not a dict",
    ],
)
def test_bad_params_are_refused(db, params):
    ada = MemberFactory()
    if isinstance(params, dict):
        params = {**params, "by": ada.pk}
    assert not may_request(ada, params)
    with pytest.raises(jobs.Refused):
        jobs.report_request(kind=REPORT_KIND, title="x", params=params, user=ada)


def test_a_copy_cannot_be_made_to_look_asked_for_by_someone_else(db):
    ada = MemberFactory()
    zeb = MemberFactory()
    assert not may_request(ada, {"person": ada.pk, "by": zeb.pk})


def test_nobody_else_sees_or_downloads_a_persons_copy(client, make_person):
    ada = MemberFactory()
    job = copy_request(person=ada, by=ada)
    for role in ("member", "admin"):
        sign_in(client, make_person(role))
        assert client.get(f"/reports/{job.pk}/").status_code == 404
        assert client.get(f"/reports/{job.pk}/download/").status_code == 404


def test_a_copy_older_than_a_week_is_not_listed_once_purged(client, db):
    ada = MemberFactory()
    job = copy_request(person=ada, by=ada)
    jobs.reports_purge(now=timezone.now() + timedelta(days=8))
    assert not ReportJob.objects.filter(pk=job.pk).exists()


def test_the_old_involvement_download_link_now_points_here(client, db):
    member = MemberFactory()
    sign_in(client, member)
    assert client.get("/involvement/download/")["Location"] == URL
