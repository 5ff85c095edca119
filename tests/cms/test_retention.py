"""The retention task: records past their time limit are deleted, anonymised or closed, as
the registry of personal data says; a dry run only counts; a kind of record that fails
leaves the others done and shows in the admin's report (Reports → Data retention), which
only admins may open."""

import logging
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import timezone
from wagtail.admin.models import EditingSession
from wagtail.models import ModelLogEntry

from cms import data_registry, retention, schedules, tasks
from cms.data_registry import Basis, DataClass, Fate, PersonalData, Retention
from cms.models import DataRequest, FormSubmission, OutboundEmail, ReportJob, RetentionRun
from tests.conftest import ROLE_NAMES, sign_in
from tests.factories import UserFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

INDEX = "/admin/reports/data-retention/"
DRY_RUN = "/admin/reports/data-retention/dry-run/"
APPLY = "/admin/reports/data-retention/apply/"
User = get_user_model()


def run_url(run) -> str:
    return f"/admin/reports/data-retention/runs/{run.pk}/"


def page_text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


# --- Records of several kinds, old and new --------------------------------------------------


def report(person, *, days_old: int) -> ReportJob:
    job = ReportJob.objects.create(kind="test", title="A report", requested_by=person)
    ReportJob.objects.filter(pk=job.pk).update(created_at=ago(days=days_old))
    return job


def submission(person, *, days_old: int) -> FormSubmission:
    sent = FormSubmission.objects.create(
        token=f"00000000-0000-0000-0000-{FormSubmission.objects.count():012d}",
        user=person,
        form_key="test",
    )
    FormSubmission.objects.filter(pk=sent.pk).update(created_at=ago(days=days_old))
    return sent


def email(*, days_old: int) -> OutboundEmail:
    stored = OutboundEmail.objects.create(message={"subject": "Hello", "to": ["a@example.org"]})
    OutboundEmail.objects.filter(pk=stored.pk).update(created_at=ago(days=days_old))
    return stored


def editing_session(person, *, hours_old: int) -> EditingSession:
    session = EditingSession.objects.create(
        user=person,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(person.pk),
        last_seen_at=ago(hours=hours_old),
    )
    return session


def data_request(person, *, years_old: int, **fields) -> DataRequest:
    return DataRequest.objects.create(
        person=person,
        kind=DataRequest.Kind.ACCESS,
        channel=DataRequest.Channel.LETTER,
        received_on=ago(days=365 * years_old + 40).date(),
        status=DataRequest.Status.DONE,
        completed_at=ago(days=365 * years_old + 10),
        **fields,
    )


def log_entry(person, *, years_old: int) -> ModelLogEntry:
    return ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(person.pk),
        label="A record",
        action="lep.view",
        data={"about": person.pk, "reason": "A test"},
        timestamp=ago(days=365 * years_old + 10),
    )


@pytest.fixture
def records():
    """For several kinds of record, one past its time and one not."""
    person = UserFactory()
    return {
        "old": [
            report(person, days_old=8),
            submission(person, days_old=8),
            email(days_old=91),
            editing_session(person, hours_old=30),
            data_request(person, years_old=3),
            log_entry(person, years_old=6),
        ],
        "new": [
            report(person, days_old=6),
            submission(person, days_old=1),
            email(days_old=10),
            editing_session(person, hours_old=2),
            data_request(person, years_old=2),
            log_entry(person, years_old=5),
        ],
    }


def still_there(row) -> bool:
    return type(row)._default_manager.filter(pk=row.pk).exists()


def result_for(run, key) -> dict:
    return next(result for result in run.results if result["key"] == key)


# Entries registered only for one test: swapped in for the whole registry.


def only_entries(monkeypatch, *entries):
    monkeypatch.setattr(data_registry, "_entries", list(entries))


def anonymised_requests() -> PersonalData:
    """Requests about data, kept 3 years, then kept with what identifies the person blanked."""
    return PersonalData(
        model=DataRequest,
        owner="person",
        data_class=DataClass.AUDIT,
        label="Requests kept without their details",
        purpose="A test",
        basis=Basis.LEGAL_OBLIGATION,
        erase_fields=("identity_checked", "note", "outcome"),
        retention=Retention(
            counted_from="completed_at", years=3, reason="A test", then=Fate.ANONYMISE
        ),
        on_close=Fate.KEEP,
    )


def reports_entry(**retention) -> PersonalData:
    return PersonalData(
        model=ReportJob,
        owner="requested_by",
        data_class=DataClass.ACCOUNT,
        label="Reports for the test",
        purpose="A test",
        basis=Basis.PUBLIC_TASK,
        retention=Retention(counted_from="created_at", days=7, reason="A week", **retention),
        on_close=Fate.DELETE,
    )


def dormant_accounts(expire) -> PersonalData:
    return PersonalData(
        model=User,
        owner="",
        data_class=DataClass.CONTACT,
        label="Dormant accounts for the test",
        purpose="A test",
        basis=Basis.CONTRACT,
        fields=("first_name", "last_name"),
        retention=Retention(
            counted_from="last_login", years=3, reason="Dormant", only=Q(is_active=True)
        ),
        expire=expire,
        on_close=Fate.ANONYMISE,
    )


def deactivate(rows) -> int:
    return rows.update(is_active=False)


# --- The plan --------------------------------------------------------------------------------


def test_the_plan_counts_what_is_past_its_time_now_and_what_passes_it_within_the_horizon(
    records,
):
    person = UserFactory()
    report(person, days_old=1)  # passes its week within 30 days
    lines = {line.key: line for line in retention.retention_plan(horizon_days=30)}

    reports = lines["cms.reportjob:account"]
    assert (reports.due, reports.coming) == (1, 2)
    assert reports.fate == Fate.DELETE and reports.fate_words == "Deleted"
    assert reports.kept_for == "7 days"
    assert "kept a week" in reports.reason
    assert lines["cms.formsubmission:account"].due == 1
    assert lines["cms.outboundemail:contact"].due == 1
    assert lines["wagtailadmin.editingsession:account"].due == 1
    assert lines["cms.datarequest:audit"].due == 1
    assert lines["wagtailcore.modellogentry:audit"].due == 1
    # Without a horizon only what is due now is counted.
    assert {line.coming for line in retention.retention_plan()} == {0}


def test_the_plan_lists_only_records_on_a_time_limit():
    keys = {line.key for line in retention.retention_plan()}
    assert "cms.reportjob:account" in keys
    assert "account.emailaddress:contact" not in keys  # kept while the account is open


def test_dormant_accounts_are_planned_to_close_and_the_only_filter_is_honoured(monkeypatch):
    only_entries(monkeypatch, dormant_accounts(deactivate))
    UserFactory(last_login=ago(days=4 * 365))
    UserFactory(last_login=ago(days=4 * 365), is_active=False)  # already closed: not due
    UserFactory(last_login=ago(days=30))

    (line,) = retention.retention_plan()
    assert (line.due, line.fate) == (1, retention.CLOSED)
    assert line.fate_words.startswith("Account closed")


# --- Runs ------------------------------------------------------------------------------------


def test_a_dry_run_counts_and_changes_nothing(records):
    run = retention.retention_run(dry_run=True)

    assert run.dry_run and run.finished_at and not run.error
    assert run.total == 6
    assert result_for(run, "cms.reportjob:account")["count"] == 1
    assert all(still_there(row) for row in records["old"] + records["new"])


def test_a_run_deletes_only_records_past_their_time_and_a_second_finds_nothing(records):
    run = retention.retention_run()

    assert not run.dry_run and not run.error
    assert run.total == 6
    assert result_for(run, "cms.outboundemail:contact") == {
        "key": "cms.outboundemail:contact",
        "label": "Emails we sent you",
        "data_class": "contact",
        "fate": "delete",
        "count": 1,
        "left": 0,
    }
    assert not any(still_there(row) for row in records["old"])
    assert all(still_there(row) for row in records["new"])

    again = retention.retention_run()
    assert again.total == 0 and not again.error


def test_anonymising_blanks_the_details_and_keeps_the_record(monkeypatch):
    only_entries(monkeypatch, anonymised_requests())
    person = UserFactory()
    old = data_request(person, years_old=3, identity_checked="Passport seen", note="Phoned")
    new = data_request(person, years_old=1, identity_checked="Passport seen", note="Wrote")

    run = retention.retention_run()

    assert run.total == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.identity_checked, old.note, old.outcome) == ("", "", "")
    assert old.kind == DataRequest.Kind.ACCESS and old.person == person
    assert (new.identity_checked, new.note) == ("Passport seen", "Wrote")
    assert retention.retention_run().total == 0


def test_expiring_hands_due_rows_to_the_entrys_hook_and_honours_only(monkeypatch):
    only_entries(monkeypatch, dormant_accounts(deactivate))
    dormant = UserFactory(last_login=ago(days=4 * 365))
    closed = UserFactory(last_login=ago(days=4 * 365), is_active=False, first_name="Kim")
    recent = UserFactory(last_login=ago(days=30))

    run = retention.retention_run()

    assert run.total == 1
    assert result_for(run, dormant_accounts(deactivate).key)["fate"] == retention.CLOSED
    dormant.refresh_from_db()
    recent.refresh_from_db()
    closed.refresh_from_db()
    assert not dormant.is_active and recent.is_active and closed.first_name == "Kim"
    assert retention.retention_run().total == 0


def test_the_shells_dormant_accounts_are_closed_once():
    dormant = UserFactory(last_login=ago(days=4 * 365))
    retention.retention_run()
    assert not result_for(retention.retention_run(dry_run=True), "cms.user:contact")["count"]
    dormant.refresh_from_db()
    assert not dormant.is_active


def test_a_kind_that_fails_does_not_stop_the_others_and_is_named_in_the_run(monkeypatch, caplog):
    def breaks(rows):
        raise RuntimeError("The hook broke")

    only_entries(monkeypatch, dormant_accounts(breaks), reports_entry())
    person = UserFactory(last_login=ago(days=4 * 365))
    old_report = report(person, days_old=8)

    with caplog.at_level(logging.ERROR, logger="cms.retention"):
        run = retention.retention_run()

    assert run.finished_at
    assert "Dormant accounts for the test" in run.error
    assert "RuntimeError: The hook broke" in run.error
    assert result_for(run, "cms.user:contact")["failed"] is True
    assert result_for(run, "cms.reportjob:account")["count"] == 1
    assert not still_there(old_report)
    person.refresh_from_db()
    assert person.is_active
    assert any("cms.user:contact" in record.getMessage() for record in caplog.records)


def test_a_part_done_kind_is_rolled_back_on_its_own(monkeypatch):
    def half_then_break(rows):
        rows.update(first_name="")
        raise RuntimeError("Stopped part-way")

    only_entries(monkeypatch, dormant_accounts(half_then_break))
    person = UserFactory(last_login=ago(days=4 * 365), first_name="Ash")

    retention.retention_run()

    person.refresh_from_db()
    assert person.first_name == "Ash"


def test_a_run_deals_with_at_most_a_batch_of_each_kind_and_the_rest_next_time(monkeypatch):
    only_entries(monkeypatch, reports_entry())
    person = UserFactory()
    for _ in range(3):
        report(person, days_old=8)

    dry = retention.retention_run(dry_run=True, batch=2)
    assert (dry.total, result_for(dry, "cms.reportjob:account")["left"]) == (2, 1)
    first = retention.retention_run(batch=2)
    assert (first.total, result_for(first, "cms.reportjob:account")["left"]) == (2, 1)
    assert ReportJob.objects.count() == 1
    assert retention.retention_run(batch=2).total == 1
    assert not ReportJob.objects.exists()


def test_a_badly_declared_kind_is_reported_not_raised(monkeypatch):
    broken = reports_entry(then=Fate.ANONYMISE)  # nothing with a plain blank to anonymise
    with pytest.raises(ImproperlyConfigured):
        broken.due_for_retention(timezone.now())
    only_entries(monkeypatch, broken)

    run = retention.retention_run(dry_run=True)

    assert "ImproperlyConfigured" in run.error and run.finished_at


def test_only_one_real_run_at_a_time():
    RetentionRun.objects.create(started_at=timezone.now())
    with pytest.raises(retention.RetentionBusy):
        retention.retention_run()
    assert retention.retention_run(dry_run=True).finished_at
    # A run that started over an hour ago and never finished has died: it does not block.
    RetentionRun.objects.update(started_at=ago(hours=2))
    assert retention.retention_run().finished_at


# --- Every registered kind -------------------------------------------------------------------


@pytest.fixture
def a_few_of_everything():
    """The access matrix's world: a record of nearly every kind, in every app."""
    from tests.access_world import build_world

    world = build_world()
    report(world.lead, days_old=8)
    submission(world.lead, days_old=8)
    editing_session(world.lead, hours_old=30)
    data_request(world.member, years_old=4)
    log_entry(world.member, years_old=7)
    return world


def test_the_plan_and_a_dry_run_work_for_every_registered_kind(a_few_of_everything):
    keys = {entry.key for entry in retention.on_the_clock()}
    later = timezone.now() + timedelta(days=365 * 20)
    counted = {row.model for row in data_registry.entries() if row.model.objects.exists()}
    assert len(counted) > 10

    plan = retention.retention_plan(now=later, horizon_days=30)
    run = retention.retention_run(now=later, dry_run=True)

    assert {line.key for line in plan} == keys
    assert not run.error
    assert {result["key"] for result in run.results} == keys
    assert run.total == sum(line.next_run for line in plan) > 0


def test_a_real_run_works_for_every_registered_kind_and_a_second_finds_nothing(
    a_few_of_everything,
):
    later = timezone.now() + timedelta(days=365 * 20)

    run = retention.retention_run(now=later)

    assert not run.error
    assert run.total > 0
    # Some records are kept while another is (a session log while its safeguarding
    # concern is): the next run finds those the first one freed, and the one after nothing.
    again = retention.retention_run(now=later)
    assert not again.error and again.total < run.total
    last = retention.retention_run(now=later)
    assert not last.error
    assert last.total == 0, [r for r in last.results if r["count"]]


# --- The daily task ---------------------------------------------------------------------------


def test_retention_is_scheduled_daily():
    declared = {item.name: item for item in schedules.declared()}
    daily = declared["Apply data retention"]
    assert (daily.func, daily.minutes) == ("cms.tasks.apply_data_retention", 24 * 60)


def test_the_task_applies_retention_and_records_the_run(records):
    assert tasks.apply_data_retention() == 6
    run = RetentionRun.objects.get()
    assert not run.dry_run and run.ran_by is None and run.total == 6
    assert not any(still_there(row) for row in records["old"])


def test_the_task_does_nothing_while_another_run_is_going(records):
    RetentionRun.objects.create(started_at=timezone.now())
    assert tasks.apply_data_retention() == 0
    assert RetentionRun.objects.count() == 1
    assert all(still_there(row) for row in records["old"])


# --- The admin --------------------------------------------------------------------------------


@pytest.fixture
def as_admin(client, make_person):
    admin = make_person("admin", first_name="Alex", last_name="Admin")
    sign_in(client, admin)
    client.person = admin
    return client


def test_admins_see_what_the_next_run_will_do_with_the_reasons(as_admin, records):
    response = as_admin.get(INDEX)

    assert response.status_code == 200
    text = page_text(response)
    assert "What the next run will do" in text
    assert "The next run will deal with 6 records." in text
    assert "In the next 30 days, 3 more records will reach their time limit." in text
    assert "Reports you asked for" in text
    assert "Reports hold other people's information too, so they are kept a week." in text
    assert "The task has not run yet." in text
    assert all(still_there(row) for row in records["old"])


def test_admins_see_the_runs_so_far_with_who_started_them(as_admin, records, make_person):
    retention.retention_run(dry_run=True, by=as_admin.person)
    retention.retention_run()

    text = page_text(as_admin.get(INDEX))

    assert "Dry run (nothing changed) Alex Admin 6" in text
    assert "Applied The daily task 6" in text


def test_a_dry_run_from_the_admin_is_recorded_and_changes_nothing(as_admin, records):
    response = as_admin.post(DRY_RUN)

    run = RetentionRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run_url(run)
    assert run.dry_run and run.ran_by == as_admin.person and run.total == 6
    assert all(still_there(row) for row in records["old"])
    text = page_text(as_admin.get(run_url(run)))
    assert "Dry run finished: the task would deal with 6 records now." in text
    assert "Reports you asked for Deleted 1 0" in text


def test_a_dry_run_is_only_asked_for_by_a_form(as_admin):
    assert as_admin.get(DRY_RUN).status_code == 405
    assert not RetentionRun.objects.exists()


def test_applying_asks_first_and_changes_nothing_until_confirmed(as_admin, records):
    response = as_admin.get(APPLY)

    assert response.status_code == 200
    text = page_text(response)
    assert "It will deal with 6 records" in text
    assert "Deleted records cannot be brought back." in text
    assert all(still_there(row) for row in records["old"])
    assert not RetentionRun.objects.exists()


def test_applying_runs_the_task_and_records_who_asked(as_admin, records):
    response = as_admin.post(APPLY, follow=True)

    assert response.redirect_chain[-1][0] == INDEX
    assert "The retention task has started." in page_text(response)
    run = RetentionRun.objects.get()
    assert not run.dry_run and run.ran_by == as_admin.person and run.total == 6
    assert not any(still_there(row) for row in records["old"])
    assert all(still_there(row) for row in records["new"])


def test_applying_while_a_run_is_going_says_so_and_starts_nothing(as_admin, records):
    RetentionRun.objects.create(started_at=timezone.now())

    response = as_admin.post(APPLY, follow=True)

    assert "already running" in page_text(response)
    assert RetentionRun.objects.count() == 1
    assert all(still_there(row) for row in records["old"])


def test_with_nothing_due_the_page_says_the_run_will_change_nothing(as_admin):
    assert "the next run will change nothing" in page_text(as_admin.get(INDEX))
    assert "running the task now would change nothing" in page_text(as_admin.get(APPLY))


def test_a_run_with_a_problem_shows_it(as_admin, monkeypatch):
    def breaks(rows):
        raise RuntimeError("The hook broke")

    only_entries(monkeypatch, dormant_accounts(breaks), reports_entry())
    report(UserFactory(last_login=ago(days=4 * 365)), days_old=8)
    run = retention.retention_run()

    index_text = page_text(as_admin.get(INDEX))
    assert "Some records could not be dealt with" in index_text
    text = page_text(as_admin.get(run_url(run)))
    assert "Some kinds of record could not be dealt with." in text
    assert "RuntimeError: The hook broke" in text
    assert "Dormant accounts for the test Account closed, as if its owner had closed it" in text
    assert "Could not be dealt with" in text
    assert "Reports for the test Deleted 1 0" in text


def test_an_unfinished_run_says_so(as_admin):
    run = RetentionRun.objects.create(started_at=ago(hours=3))
    assert "Not finished" in page_text(as_admin.get(INDEX))
    assert "it stopped part-way" in page_text(as_admin.get(run_url(run)))


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999999", "1.5", "%00"])
def test_any_page_number_shows_a_page(as_admin, page):
    RetentionRun.objects.create(started_at=timezone.now(), finished_at=timezone.now())
    assert as_admin.get(INDEX, {"p": page}).status_code == 200


def test_an_unknown_run_is_not_found(as_admin):
    assert as_admin.get("/admin/reports/data-retention/runs/999999/").status_code == 404


def test_older_runs_are_on_later_pages(as_admin):
    for days in range(25):
        RetentionRun.objects.create(started_at=ago(days=days), finished_at=ago(days=days))
    first = page_text(as_admin.get(INDEX))
    assert "Page 1 of 2." in first and "Older runs" in first
    assert "Newer runs" in page_text(as_admin.get(INDEX, {"p": 2}))


def _runs(count: int, by) -> None:
    RetentionRun.objects.bulk_create(
        RetentionRun(
            started_at=ago(days=n),
            finished_at=ago(days=n),
            dry_run=bool(n % 2),
            ran_by=by if n % 3 else None,
            total=n,
            results=[{"key": "cms.reportjob:account", "label": "Reports", "fate": "delete"}],
        )
        for n in range(count)
    )


def test_the_page_costs_the_same_queries_with_3_or_30_runs(as_admin, records):
    as_admin.get(INDEX)  # the first request of a session costs a few more
    _runs(3, as_admin.person)
    few = queries_for(as_admin, INDEX)
    _runs(27, as_admin.person)
    assert queries_for(as_admin, INDEX) == few


def test_a_runs_page_costs_the_same_queries_with_3_or_30_kinds(as_admin):
    def run_with(kinds: int) -> RetentionRun:
        return RetentionRun.objects.create(
            started_at=timezone.now(),
            ran_by=as_admin.person,
            results=[
                {"key": f"k{n}", "label": f"Kind {n}", "fate": "delete", "count": n}
                for n in range(kinds)
            ],
        )

    as_admin.get(INDEX)  # the first request of a session costs a few more
    assert queries_for(as_admin, run_url(run_with(3))) == queries_for(
        as_admin, run_url(run_with(30))
    )


NOT_ADMINS = [role for role in ROLE_NAMES if role != "admin"]


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_admins_may_open_the_pages_or_run_the_task(client_as, role, records):
    client = client_as(role)
    run = RetentionRun.objects.create(started_at=ago(days=1), finished_at=ago(days=1))

    for url in [INDEX, run_url(run), APPLY]:
        response = client.get(url)
        assert response.status_code in (302, 403), (url, response.status_code)
        if response.status_code == 302:
            assert not response["Location"].startswith(INDEX), url
    for url in [DRY_RUN, APPLY]:
        assert client.post(url).status_code in (302, 403), url
    assert RetentionRun.objects.count() == 1
    assert all(still_there(row) for row in records["old"])


def test_the_reports_menu_offers_data_retention_to_admins_only(client, make_person):
    sign_in(client, make_person("admin"))
    assert INDEX in client.get("/admin/").content.decode()
    client.logout()
    sign_in(client, make_person("editor"))
    assert INDEX not in client.get("/admin/").content.decode()
