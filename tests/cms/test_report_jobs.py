"""Background reports: made once by the worker, progress shown, downloadable only by the
person who asked (and only while they still may), purged after a week."""

from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.utils import timezone

from cms import jobs
from cms.models import ReportJob
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

calls = []


def _generate(params, progress):
    calls.append(params)
    progress(50, "Counting meetings")
    seen = ReportJob.objects.get(params=params, status="running")
    assert (seen.status, seen.progress, seen.message) == ("running", 50, "Counting meetings")
    return "impact.txt", f"Report for {params['panel']}".encode()


def _fail(params, progress):
    raise RuntimeError("the chart library fell over")


@pytest.fixture(autouse=True)
def kinds():
    calls.clear()
    allowed = {"yes": True}
    jobs.register_report(
        "test.report", generate=_generate, may_request=lambda user, params: allowed["yes"]
    )
    jobs.register_report("test.failing", generate=_fail, may_request=lambda user, params: True)
    yield allowed
    jobs._kinds.pop("test.report", None)
    jobs._kinds.pop("test.failing", None)


@pytest.fixture
def member(make_person):
    return make_person("member")


def _request(user, kind="test.report"):
    return jobs.report_request(kind=kind, title="Panel impact", params={"panel": 7}, user=user)


def test_a_requested_report_is_made_in_the_background_and_downloaded(client, member):
    job = _request(member)
    job.refresh_from_db()
    assert (job.status, job.progress, job.filename) == ("done", 100, "impact.txt")
    sign_in(client, member)
    page = client.get(f"/reports/{job.pk}/")
    assert "Your report is ready." in page.content.decode()
    download = client.get(f"/reports/{job.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"Report for 7"
    assert 'filename="impact.txt"' in download["Content-Disposition"]
    assert (
        client.get(f"/reports/{job.pk}/status.json").json()["download_url"].endswith("/download/")
    )


def test_a_report_is_made_once_however_often_the_task_is_offered(member):
    job = _request(member)
    jobs.report_run(job_id=job.pk)
    jobs.report_run(job_id=job.pk)
    assert calls == [{"panel": 7}]


def test_the_status_page_shows_progress_while_the_report_is_being_made(client, member):
    job = ReportJob.objects.create(
        kind="test.report", title="Panel impact", params={}, requested_by=member, progress=40
    )
    sign_in(client, member)
    html = client.get(f"/reports/{job.pk}/").content.decode()
    assert "It is 40% done." in html and "Check again" in html
    assert client.get(f"/reports/{job.pk}/status.json").json() == {
        "status": "queued",
        "status_label": "Waiting to start",
        "progress": 40,
        "message": "",
        "download_url": None,
    }
    assert client.get(f"/reports/{job.pk}/download/").status_code == 404


def test_a_failed_report_says_so_kindly(client, member):
    job = _request(member, kind="test.failing")
    job.refresh_from_db()
    assert job.status == "failed"
    sign_in(client, member)
    assert (
        "Something went wrong making this report"
        in client.get(f"/reports/{job.pk}/").content.decode()
    )


def test_nobody_else_can_see_or_download_a_report(client, member, make_person):
    job = _request(member)
    for other in [make_person("member"), make_person("admin")]:
        sign_in(client, other)
        for suffix in ["", "status.json", "download/"]:
            assert client.get(f"/reports/{job.pk}/{suffix}").status_code == 404


def test_a_report_cannot_be_downloaded_once_the_rule_no_longer_allows_it(client, member, kinds):
    job = _request(member)
    kinds["yes"] = False
    sign_in(client, member)
    assert client.get(f"/reports/{job.pk}/download/").status_code == 404


def test_a_report_the_rule_refuses_is_never_made(member, kinds):
    kinds["yes"] = False
    with pytest.raises(jobs.Refused):
        _request(member)
    assert not ReportJob.objects.exists()


def test_reports_older_than_a_week_are_purged_with_their_files(member):
    with time_machine.travel(timezone.now() - timedelta(days=8)):
        old = _request(member)
    recent = _request(member)
    old.refresh_from_db()
    storage, name = old.file.storage, old.file.name
    assert storage.exists(name)
    assert jobs.reports_purge() == 1
    assert list(ReportJob.objects.all()) == [recent]
    assert not storage.exists(name)


# --- Jobs that finish or fail visibly -------------------------------------------------------


def _held_by_a_dead_worker(job, *, attempts=1, lease_left=timedelta(0)):
    """The job as a worker killed mid-report leaves it: running, with its lease."""
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.RUNNING,
        attempts=attempts,
        progress=15,
        lease_expires_at=timezone.now() + lease_left,
    )


def _queued(member, panel=7):
    return ReportJob.objects.create(
        kind="test.report", title="Panel impact", params={"panel": panel}, requested_by=member
    )


def test_a_job_whose_worker_died_is_taken_over_when_the_task_is_handed_out_again(member):
    job = _queued(member)
    _held_by_a_dead_worker(job, lease_left=jobs.lease_length())
    # While the lease holds, the task handed out again leaves the job to its worker.
    assert jobs.report_run(job_id=job.pk).status == "running"
    assert calls == []
    # The broker hands the task out again after Q_RETRY, which is after the lease ends.
    with time_machine.travel(timezone.now() + jobs.lease_length() + timedelta(seconds=1)):
        job = jobs.report_run(job_id=job.pk)
    assert (job.status, job.attempts, job.progress) == ("done", 2, 100)
    assert calls == [{"panel": 7}]


def test_the_brokers_retry_comes_after_the_lease_ends(settings):
    assert timedelta(seconds=settings.Q_RETRY) > jobs.lease_length()
    assert settings.Q_CLUSTER["timeout"] == settings.Q_TIMEOUT
    assert settings.Q_CLUSTER["retry"] == settings.Q_RETRY


def test_a_job_that_keeps_dying_fails_visibly_after_its_attempts(client, member):
    job = _queued(member)
    _held_by_a_dead_worker(job, attempts=jobs.MAX_ATTEMPTS)
    job = jobs.report_run(job_id=job.pk)
    assert job.status == "failed" and job.finished_at is not None
    assert calls == []
    sign_in(client, member)
    html = client.get(f"/reports/{job.pk}/").content.decode()
    assert f"it was tried {jobs.MAX_ATTEMPTS} times" in html
    assert "Try again" in html and "Download the report" not in html


def test_a_job_that_runs_out_of_time_gives_up_its_lease_and_the_task_fails(member, kinds):
    from django_q.exceptions import TimeoutException

    def too_slow(params, progress):
        progress(30, "Counting")
        raise TimeoutException("Task exceeded maximum timeout value")

    jobs.register_report("test.slow", generate=too_slow, may_request=lambda user, params: True)
    try:
        job = ReportJob.objects.create(
            kind="test.slow", title="Slow", params={}, requested_by=member
        )
        # The task fails, so django-q2 does not acknowledge it and hands it out again.
        with pytest.raises(TimeoutException):
            jobs.report_run(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == "running" and job.lease_expires_at <= timezone.now()
        for _ in range(jobs.MAX_ATTEMPTS - 1):
            with pytest.raises(TimeoutException):
                jobs.report_run(job_id=job.pk)
        job = jobs.report_run(job_id=job.pk)
        assert (job.status, job.attempts) == ("failed", jobs.MAX_ATTEMPTS)
    finally:
        jobs._kinds.pop("test.slow", None)


def test_a_worker_that_lost_its_lease_stops_and_writes_nothing(member, kinds):
    def overtaken(params, progress):
        # Meanwhile, its lease ran out and another worker took the job over.
        ReportJob.objects.filter(params=params).update(attempts=2)
        progress(60, "Still counting")
        return "late.txt", b"late"

    jobs.register_report("test.overtaken", generate=overtaken, may_request=lambda u, p: True)
    try:
        job = ReportJob.objects.create(
            kind="test.overtaken", title="Late", params={"x": 1}, requested_by=member
        )
        job = jobs.report_run(job_id=job.pk)
        assert (job.status, job.progress, job.filename) == ("running", 0, "")
    finally:
        jobs._kinds.pop("test.overtaken", None)


def test_the_rescue_queues_jobs_the_broker_gave_up_on_and_nothing_else(member, settings):
    waiting = _queued(member)
    dead = _queued(member)
    _held_by_a_dead_worker(dead)
    live = _queued(member, panel=8)
    _held_by_a_dead_worker(live, lease_left=jobs.lease_length())
    assert jobs.reports_rescue() == 0
    later = timezone.now() + timedelta(seconds=settings.Q_RETRY + 60)
    with time_machine.travel(later, tick=False):
        assert jobs.reports_rescue() == 2
    for job in (waiting, dead):
        job.refresh_from_db()
        assert job.status == "done"
    live.refresh_from_db()
    assert live.status == "running"


def test_try_again_makes_a_new_report_for_its_owner_only(client, member, make_person):
    job = _request(member, kind="test.failing")
    sign_in(client, make_person("member"))
    assert client.post(f"/reports/{job.pk}/again/").status_code == 404
    sign_in(client, member)
    assert client.get(f"/reports/{job.pk}/again/").status_code == 405
    jobs.register_report("test.failing", generate=_generate, may_request=lambda u, p: True)
    response = client.post(f"/reports/{job.pk}/again/")
    again = ReportJob.objects.exclude(pk=job.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{again.pk}/"
    assert (again.status, again.requested_by, again.params) == ("done", member, {"panel": 7})


def test_only_a_failed_report_can_be_tried_again(client, member):
    job = _request(member)
    sign_in(client, member)
    page = client.post(f"/reports/{job.pk}/again/", follow=True)
    assert "Only a report that could not be made can be tried again." in page.content.decode()
    assert ReportJob.objects.count() == 1


def test_no_download_is_offered_before_the_file_is_stored(client, member):
    job = _queued(member)
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.DONE, progress=100)
    sign_in(client, member)
    html = client.get(f"/reports/{job.pk}/").content.decode()
    assert "Download the report" not in html and f"/reports/{job.pk}/download/" not in html
    assert client.get(f"/reports/{job.pk}/status.json").json()["download_url"] is None
    assert client.get(f"/reports/{job.pk}/download/").status_code == 404


def _status_page(client, job):
    """What the status page says, whether it offers the download, and whether its script
    keeps polling (a finished report's page is final)."""
    page = BeautifulSoup(client.get(f"/reports/{job.pk}/").content, "html.parser")
    box = page.select_one("[data-report-status]")
    said = box.select_one("[role=status]").get_text(" ", strip=True)
    offered = bool(box.select(f'a[href="/reports/{job.pk}/download/"]'))
    return said, offered, not box.has_attr("data-report-finished")


@pytest.mark.parametrize(
    "state, said, offered, polls",
    [
        ({}, "Your report is waiting to start.", False, True),
        (
            {"status": "running", "progress": 30},
            "Your report is being made. It is 30% done.",
            False,
            True,
        ),
        (
            {"status": "failed", "message": ""},
            "Something went wrong making this report. Please try again.",
            False,
            False,
        ),
        (
            {"status": "done", "progress": 100},
            "The file of this report is not here any more.",
            False,
            False,
        ),
    ],
)
def test_the_status_page_says_where_the_report_is_and_offers_no_download_before_the_file(
    client, member, state, said, offered, polls
):
    job = _queued(member)
    ReportJob.objects.filter(pk=job.pk).update(**state)
    sign_in(client, member)
    shown = _status_page(client, job)
    assert shown[0].startswith(said)
    assert shown[1:] == (offered, polls)
    assert client.get(f"/reports/{job.pk}/download/").status_code == 404


def test_the_status_page_offers_the_download_once_the_file_is_stored(client, member):
    job = _request(member)
    sign_in(client, member)
    assert _status_page(client, job) == ("Your report is ready.", True, False)
    assert client.get(f"/reports/{job.pk}/download/").status_code == 200


def test_each_report_file_has_a_folder_of_its_own(member):
    first, second = _request(member), _request(member)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.file.name == f"reports/{first.pk}/impact.txt"
    assert second.file.name == f"reports/{second.pk}/impact.txt"


def test_a_waiting_report_says_when_the_worker_is_not_running(client, member):
    with time_machine.travel(timezone.now() - timedelta(minutes=10)):
        job = _queued(member)
    sign_in(client, member)
    html = client.get(f"/reports/{job.pk}/").content.decode()
    assert "background service that is not running" in html


def test_a_long_report_name_is_stored_shortened_and_downloaded_under_its_own_name(
    client, member, kinds
):
    long_name = "Impact of the Northdale Health and Care NHS Foundation Trust panels 2026.pdf"

    def long(params, progress):
        return long_name, b"%PDF-1.4 long"

    jobs.register_report("test.long", generate=long, may_request=lambda u, p: True)
    try:
        job = jobs.report_request(kind="test.long", title="Long", params={}, user=member)
        job.refresh_from_db()
        # The column holds 100 characters (PostgreSQL refuses more), with room for a
        # storage's "_abc1234" when a name is taken.
        assert len(job.file.name) <= 92 and job.file.name.endswith(".pdf")
        assert job.filename == long_name
        sign_in(client, member)
        download = client.get(f"/reports/{job.pk}/download/")
        assert long_name in download["Content-Disposition"]
    finally:
        jobs._kinds.pop("test.long", None)


def test_a_file_whose_job_cannot_be_recorded_is_not_left_behind(member, monkeypatch):
    from django.db import OperationalError

    job = _queued(member)
    saved = []
    original = ReportJob.file.field.storage.save

    def save(name, content, **kwargs):
        saved.append(original(name, content, **kwargs))
        monkeypatch.setattr(jobs, "_mine", broken)
        return saved[-1]

    def broken(job):
        class Rows:
            def update(self, **fields):
                raise OperationalError("the database went away")

        return Rows()

    monkeypatch.setattr(ReportJob.file.field.storage, "save", save)
    with pytest.raises(OperationalError):
        jobs.report_run(job_id=job.pk)
    assert saved and not ReportJob.file.field.storage.exists(saved[0])
