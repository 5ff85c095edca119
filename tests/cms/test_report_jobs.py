"""Background reports: made once by the worker, progress shown, downloadable only by the
person who asked (and only while they still may), purged after a week."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cms import jobs
from cms.models import ReportJob
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

calls = []


def _generate(params, progress):
    calls.append(params)
    progress(50, "Counting meetings")
    seen = ReportJob.objects.get(params=params)
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
    with pytest.raises(jobs.ReportRefused):
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
