"""The background worker: declared schedules, the heartbeat, and its status for admins."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from cms import schedules, worker
from cms.models import Heartbeat

pytestmark = pytest.mark.django_db


def test_sync_schedules_creates_every_declared_schedule_once(capsys):
    call_command("sync_schedules")
    names = set(Schedule.objects.values_list("name", flat=True))
    assert names == {d.name for d in schedules.declared()}
    assert "Worker heartbeat" in names
    call_command("sync_schedules")
    assert Schedule.objects.count() == len(names)
    assert "0 created, 0 updated, 0 removed" in capsys.readouterr().out


def test_sync_schedules_updates_changed_and_removes_undeclared_schedules():
    call_command("sync_schedules")
    Schedule.objects.filter(name="Worker heartbeat").update(minutes=99)
    Schedule.objects.create(name="Left over", func="cms.tasks.heartbeat", minutes=5)
    counts = schedules.schedules_sync()
    assert counts["updated"] == 1 and counts["removed"] == 1
    assert Schedule.objects.get(name="Worker heartbeat").minutes == 1
    assert not Schedule.objects.filter(name="Left over").exists()


def test_a_schedule_runs_every_so_many_minutes_and_never_by_cron():
    with pytest.raises(TypeError):
        schedules.register(name="Bad", func="x.y")
    with pytest.raises(ValueError):
        schedules.register(name="Bad", func="x.y", minutes=0)
    with pytest.raises(TypeError):
        schedules.register(name="Bad", func="x.y", cron="* * * * *")


def test_every_declared_schedule_syncs_and_can_be_read_by_the_worker():
    """A cron schedule would sync but then fail in the worker without croniter."""
    schedules.schedules_sync()
    for schedule in Schedule.objects.all():
        assert schedule.schedule_type == Schedule.MINUTES and schedule.minutes >= 1


def test_the_heartbeat_task_records_each_run():
    from cms import tasks

    assert tasks.heartbeat() == 1
    assert tasks.heartbeat() == 2
    assert Heartbeat.objects.get(name="worker").runs == 2


def test_worker_status_is_healthy_only_after_a_recent_heartbeat():
    assert worker.worker_status()["healthy"] is False
    worker.heartbeat_record(name="worker")
    assert worker.worker_status()["healthy"] is True
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        status = worker.worker_status()
    assert status["healthy"] is False and status["last_seen"] is not None


def test_admins_see_the_worker_status_on_the_admin_dashboard(client_as):
    worker.heartbeat_record(name="worker")
    response = client_as("admin").get("/admin/")
    assert "Background worker" in response.content.decode()
    assert "The task worker is running" in response.content.decode()


def test_admins_are_warned_when_the_worker_never_ran(client_as):
    response = client_as("admin").get("/admin/")
    assert "The task worker has not run yet" in response.content.decode()


@pytest.mark.parametrize("role", ["engagement_lead", "hr", "finance", "editor"])
def test_other_staff_do_not_see_the_worker_status(client_as, role):
    response = client_as(role).get("/admin/")
    assert response.status_code == 200
    assert "Background worker" not in response.content.decode()


def test_every_scheduled_task_runs_on_an_empty_site():
    """A schedule naming a function that is missing or breaks would fail every night."""
    from django.contrib.sessions.models import Session
    from django.utils.module_loading import import_string

    Session.objects.create(
        session_key="expired", session_data="", expire_date=timezone.now() - timedelta(days=1)
    )
    for item in schedules.declared():
        import_string(item.func)()
    assert not Session.objects.filter(session_key="expired").exists()
