"""The demo's years of peer work are shaped like real teams: each team has a few supervisors
with 6 to 12 current supervisees, Rachel (the Northdale supervisor people sign in as) keeps
a caseload she can read at a glance, every record is made by the worker's own supervisor,
on the day the demo loads the history's workers are supervised on time, so the overdue
supervision reminders go to a few people, not dozens, and those still in post have logged
their recent sessions."""

from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.db.models import Count, Q
from django.utils import timezone

from cms.demo import load_cms_demo
from cms.models import Organisation, User
from cms.roles import Role
from peers.demo import DEMO_PASSWORD, MIND, NORTHDALE_TRUST, SUPERVISORS, load_peers_demo
from peers.demo_history import HISTORIES, LIGHT_CASELOADS, load_peer_history
from peers.models import PeerWorker, ProgressionReview, SessionLog, Supervision
from peers.selectors.supervision import supervision_compliance, worker_ids_due_reminder

TODAY = date(2026, 11, 17)
LAST_QUARTER_END = date(2026, 9, 30)  # the last quarter the charter has read on TODAY
SINCE = date(2024, 4, 1)  # when the charters were adopted, as the charter demo has it
RACHEL = SUPERVISORS[NORTHDALE_TRUST][0]

pytestmark = pytest.mark.django_db


def _history_workers():
    return PeerWorker.objects.filter(job_application__vacancy__slug__startswith="history-")


def _supervisor_of() -> dict[int, int]:
    return dict(
        PeerWorker.supervisors.through.objects.filter(
            peerworker__in=_history_workers()
        ).values_list("peerworker_id", "user_id")
    )


def _each_team_has_a_few_supervisors_with_6_to_12_current_supervisees():
    assert _history_workers().count() > 150
    supervisors = (
        User.objects.filter(pk__in=set(_supervisor_of().values()))
        .exclude(email__in=LIGHT_CASELOADS)
        .annotate(current=Count("supervisees", filter=~Q(supervisees__status="left")))
        .select_related("organisation")
    )
    caseloads = {s.email: s.current for s in supervisors}
    assert all(6 <= current <= 12 for current in caseloads.values()), caseloads
    per_organisation = Counter(s.organisation.name for s in supervisors)
    assert per_organisation[NORTHDALE_TRUST] >= 6 and per_organisation[MIND] >= 5
    assert len({s.get_full_name() for s in supervisors}) == len(caseloads)
    for supervisor in supervisors:
        assert supervisor.groups.filter(name=Role.SUPERVISOR.value).exists()
        assert supervisor.emailaddress_set.filter(verified=True, primary=True).exists()
        assert supervisor.check_password(DEMO_PASSWORD)


def _rachel_keeps_her_own_supervisees_and_takes_only_the_newest_ward_starters(rachel_before):
    assert len(rachel_before) == 5
    hers = set(PeerWorker.objects.filter(supervisors__email=RACHEL).select_related("team"))
    assert rachel_before <= hers
    from_history = hers - rachel_before
    assert len(from_history) == LIGHT_CASELOADS[RACHEL] == 3
    assert all(w.status == PeerWorker.Status.ACTIVE for w in from_history)
    assert {w.team.name for w in from_history} == {"Inpatient peer support"}
    newest_ward_starters = (
        _history_workers()
        .filter(team__name="Inpatient peer support", status=PeerWorker.Status.ACTIVE)
        .order_by("-start_date")[:3]
    )
    assert from_history == set(newest_ward_starters)


def _each_worker_is_in_the_team_for_their_job_with_one_supervisor_from_it():
    supervisor_of = _supervisor_of()
    workers = list(_history_workers().select_related("team", "organisation"))
    assert len(supervisor_of) == len(workers)  # one supervisor each
    emails = dict(User.objects.filter(pk__in=supervisor_of.values()).values_list("pk", "email"))
    for history in HISTORIES:
        for team in history.teams:
            in_team = [w for w in workers if w.team.name == team.name]
            assert in_team
            assert {w.organisation.name for w in in_team} == {history.organisation}
            assert {emails[supervisor_of[w.pk]] for w in in_team} == {
                email for email, _, _ in team.supervisors
            }
            jobs = {w.job_title.removeprefix("Senior ").capitalize() for w in in_team}
            assert jobs <= {title.capitalize() for title in team.titles}


def _supervision_and_progression_are_recorded_by_the_workers_own_supervisor():
    supervisor_of = _supervisor_of()
    supervisions = Supervision.objects.filter(worker__in=_history_workers())
    assert supervisions.count() > 2000
    for worker_id, supervisor_id, created_by_id in supervisions.values_list(
        "worker_id", "supervisor_id", "created_by_id"
    ):
        assert supervisor_id == created_by_id == supervisor_of[worker_id]
    reviews = ProgressionReview.objects.filter(worker__in=_history_workers())
    assert reviews.count() > 20
    for worker_id, reviewer_id in reviews.values_list("worker_id", "reviewer_id"):
        assert reviewer_id == supervisor_of[worker_id]


def _on_the_day_it_loads_nobody_in_the_history_is_overdue_though_past_quarters_were():
    overdue = set(worker_ids_due_reminder(as_of=TODAY))
    assert not overdue & set(_history_workers().values_list("pk", flat=True))
    assert 1 <= len(overdue) <= 8  # the peer work demo's own few

    mind, northdale = (Organisation.objects.get(name=name).pk for name in (MIND, NORTHDALE_TRUST))
    then = {
        pk: supervision_compliance(organisation_ids=[pk], as_of=LAST_QUARTER_END)["percent"]
        for pk in (mind, northdale)
    }
    assert then[mind] < 85 < then[northdale]  # what the charter's last reading shows
    for worker in _history_workers().exclude(status=PeerWorker.Status.LEFT):
        last = max(worker.supervisions.values_list("date", flat=True), default=None)
        assert last is None or TODAY - last <= timedelta(days=worker.supervision_every_days)
        assert last is None or last <= TODAY


def _workers_in_post_have_logged_their_recent_sessions():
    in_post = _history_workers().exclude(status=PeerWorker.Status.LEFT)
    recent = SessionLog.objects.filter(worker__in=in_post, date__gte=TODAY - timedelta(weeks=8))
    settled = in_post.filter(start_date__lte=TODAY - timedelta(weeks=1))
    assert set(settled.values_list("pk", flat=True)) <= set(recent.values_list("worker", flat=True))
    assert not recent.filter(date__gt=TODAY).exists()
    history_sessions = SessionLog.objects.filter(worker__in=_history_workers())
    assert history_sessions.count() == recent.count() > 2000


def _loading_the_history_again_adds_nobody():
    counts = [Model.objects.count() for Model in (User, Supervision, SessionLog)]
    assert load_peer_history(since=SINCE, today=TODAY, password="x") == {
        "rounds": 0,
        "workers": 0,
    }
    assert [Model.objects.count() for Model in (User, Supervision, SessionLog)] == counts


def test_the_history_has_teams_with_a_few_supervisors_each_and_nobody_overdue_today():
    """One load (the demo takes a few seconds), every claim about its supervision."""
    with time_machine.travel(timezone.make_aware(datetime.combine(TODAY, time(12))), tick=False):
        load_cms_demo()
        load_peers_demo()
        rachel_before = set(PeerWorker.objects.filter(supervisors__email=RACHEL))
        load_peer_history(since=SINCE, today=TODAY, password=make_password(DEMO_PASSWORD))
        _each_team_has_a_few_supervisors_with_6_to_12_current_supervisees()
        _rachel_keeps_her_own_supervisees_and_takes_only_the_newest_ward_starters(rachel_before)
        _each_worker_is_in_the_team_for_their_job_with_one_supervisor_from_it()
        _supervision_and_progression_are_recorded_by_the_workers_own_supervisor()
        _on_the_day_it_loads_nobody_in_the_history_is_overdue_though_past_quarters_were()
        _workers_in_post_have_logged_their_recent_sessions()
        _loading_the_history_again_adds_nobody()
