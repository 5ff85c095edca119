"""Reads about supervision: records and agreed actions, whether each worker is due or
overdue, who needs a reminder, and compliance counts per team.

A worker is overdue when their latest supervision is older than their expected frequency
(``PeerWorker.supervision_every_days``), or, with none yet, when that many days have passed
since they started. Compliance counts active workers only (not those on leave or who have
left) and is computed from one query whatever the number of workers.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Max, Q, QuerySet

from cms.permissions import scope_to_organisation, visible_to

from ..models import PeerWorker, Supervision, SupervisionAction, Team, WellbeingCheckIn
from ..rules import is_hr

# A worker whose supervision falls due within this many days is "due soon".
DUE_SOON_DAYS = 7
# While a worker stays overdue, reminders go out again at most this often.
REMIND_AGAIN_AFTER = timedelta(days=7)


# --- Records -------------------------------------------------------------------------------


def supervisions_visible_to(user) -> QuerySet[Supervision]:
    return visible_to(user, Supervision).select_related("worker__user", "supervisor")


def supervisions_of(user, worker: PeerWorker) -> QuerySet[Supervision]:
    """``worker``'s supervision records, as far as ``user`` may see them, newest first."""
    return supervisions_visible_to(user).filter(worker=worker)


def supervision_for(user, pk: int) -> Supervision | None:
    """One record with its actions, or None when it does not exist or is not ``user``'s to
    see (so a guessed id looks the same as a missing one)."""
    return (
        supervisions_visible_to(user)
        .select_related("worker__organisation", "worker__team")
        .prefetch_related("actions")
        .filter(pk=pk)
        .first()
    )


def action_for(user, pk: int) -> SupervisionAction | None:
    return (
        visible_to(user, SupervisionAction)
        .select_related("supervision__worker__user")
        .filter(pk=pk)
        .first()
    )


def open_actions_of(worker: PeerWorker) -> QuerySet[SupervisionAction]:
    """Actions agreed with ``worker`` and not yet done, soonest due first."""
    return (
        SupervisionAction.objects.filter(supervision__worker=worker, done_on__isnull=True)
        .select_related("supervision")
        .order_by("due_date", "pk")
    )


def shared_check_ins_of(user, worker: PeerWorker, *, limit: int = 5) -> list[WellbeingCheckIn]:
    """The check-ins ``worker`` has chosen to share, as ``user`` (their supervisor) sees."""
    return list(visible_to(user, WellbeingCheckIn).filter(worker=worker)[:limit])


# --- Due and overdue -----------------------------------------------------------------------


@dataclass(frozen=True)
class SupervisionStatus:
    """Where one worker's supervision stands on ``as_of``."""

    worker: PeerWorker
    last_date: date | None
    due_on: date
    as_of: date

    @property
    def is_overdue(self) -> bool:
        return self.as_of > self.due_on

    @property
    def is_due_soon(self) -> bool:
        return not self.is_overdue and (self.due_on - self.as_of).days <= DUE_SOON_DAYS

    @property
    def days_overdue(self) -> int:
        return max((self.as_of - self.due_on).days, 0)

    @property
    def state(self) -> str:
        if self.worker.status == PeerWorker.Status.ON_LEAVE:
            return "on_leave"
        if self.is_overdue:
            return "overdue"
        return "due_soon" if self.is_due_soon else "in_time"


def due_on(*, start_date: date, every_days: int, last_date: date | None) -> date:
    """The last day on which ``worker`` is still in time for their next supervision."""
    return (last_date or start_date) + timedelta(days=every_days)


def _with_last_date(workers: QuerySet[PeerWorker], as_of: date) -> QuerySet[PeerWorker]:
    return workers.annotate(
        last_supervision=Max("supervisions__date", filter=Q(supervisions__date__lte=as_of))
    )


def status_of(worker: PeerWorker, last_date: date | None, as_of: date) -> SupervisionStatus:
    return SupervisionStatus(
        worker=worker,
        last_date=last_date,
        due_on=due_on(
            start_date=worker.start_date,
            every_days=worker.supervision_every_days,
            last_date=last_date,
        ),
        as_of=as_of,
    )


def supervisees_of(user) -> QuerySet[PeerWorker]:
    """The current workers ``user`` supervises (none when they are not a supervisor)."""
    return (
        visible_to(user, PeerWorker)
        .filter(supervisors=user)
        .exclude(status=PeerWorker.Status.LEFT)
        .select_related("user", "team", "organisation")
    )


def supervisee_statuses(user, *, as_of: date) -> list[SupervisionStatus]:
    """Every current supervisee of ``user`` with where their supervision stands, the most
    overdue first, then those due soonest. One query."""
    workers = _with_last_date(supervisees_of(user), as_of)
    statuses = [status_of(worker, worker.last_supervision, as_of) for worker in workers]
    return sorted(statuses, key=lambda s: (s.state == "on_leave", s.due_on, str(s.worker)))


def last_supervision_date(worker: PeerWorker, *, as_of: date) -> QuerySet:
    """The date of ``worker``'s latest supervision on or before ``as_of``, as a queryset of
    one column (first row, if any), so My space can read it with its other numbers."""
    return (
        worker.supervisions.filter(date__lte=as_of).order_by("-date").values_list("date", flat=True)
    )


def status_of_worker(worker: PeerWorker, *, as_of: date) -> SupervisionStatus:
    return status_of(worker, last_supervision_date(worker, as_of=as_of).first(), as_of)


def worker_ids_due_reminder(*, as_of: date) -> list[int]:
    """Active workers who are overdue and were not reminded in the last week."""
    workers = _with_last_date(
        PeerWorker.objects.filter(status=PeerWorker.Status.ACTIVE).filter(
            Q(supervision_reminded_on__isnull=True)
            | Q(supervision_reminded_on__lte=as_of - REMIND_AGAIN_AFTER)
        ),
        as_of,
    ).only("pk", "start_date", "supervision_every_days", "status")
    return [
        worker.pk
        for worker in workers
        if status_of(worker, worker.last_supervision, as_of).is_overdue
    ]


# --- Compliance ----------------------------------------------------------------------------


def _counted_workers(workers: QuerySet[PeerWorker], as_of: date) -> QuerySet[PeerWorker]:
    """Workers counted for compliance on ``as_of``: started by then, not on leave now, and
    not gone by then."""
    return (
        workers.filter(start_date__lte=as_of)
        .exclude(status=PeerWorker.Status.ON_LEAVE)
        .exclude(status=PeerWorker.Status.LEFT, left_on__lte=as_of)
    )


def _in_time_rows(workers: QuerySet[PeerWorker], as_of: date):
    """(team id, supervised in time?) for each counted worker, from one query."""
    rows = _with_last_date(_counted_workers(workers, as_of), as_of).values_list(
        "team_id", "start_date", "supervision_every_days", "last_supervision"
    )
    for team_id, start_date, every_days, last in rows:
        deadline = due_on(start_date=start_date, every_days=every_days, last_date=last)
        yield team_id, as_of <= deadline


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def supervision_compliance(*, organisation_ids=None, as_of: date) -> dict:
    """How many active workers (in ``organisation_ids``, or everywhere) were supervised
    within their expected frequency on ``as_of``: ``{"workers", "supervised_in_time",
    "percent"}``, percent a whole number or None when there are no workers. For the charter's
    measures; it counts, and never names anyone."""
    workers = PeerWorker.objects.all()
    if organisation_ids is not None:
        workers = workers.filter(organisation_id__in=list(organisation_ids))
    total = in_time = 0
    for _team_id, ok in _in_time_rows(workers, as_of):
        total += 1
        in_time += ok
    return {"workers": total, "supervised_in_time": in_time, "percent": _percent(in_time, total)}


@dataclass
class TeamCompliance:
    name: str
    organisation: str
    workers: int = 0
    supervised_in_time: int = 0

    @property
    def percent(self) -> int | None:
        return _percent(self.supervised_in_time, self.workers)

    @property
    def overdue(self) -> int:
        return self.workers - self.supervised_in_time


@dataclass
class Compliance:
    """Counts per team, and in all, for the compliance page."""

    as_of: date
    scope: str  # "supervisees" or "organisation"
    teams: list[TeamCompliance] = field(default_factory=list)
    total: TeamCompliance = field(default_factory=lambda: TeamCompliance("All teams", ""))


NO_TEAM = "No team"


def compliance_for(user, *, as_of: date) -> Compliance:
    """Compliance per team for ``user``: HR (and admins) for the organisations they may see;
    supervisors for their own supervisees. Two queries whatever the number of workers."""
    if is_hr(user):
        workers = scope_to_organisation(user, PeerWorker.objects.all())
        scope = "organisation"
    else:
        workers = PeerWorker.objects.filter(pk__in=supervisees_of(user).values("pk"))
        scope = "supervisees"
    by_team: dict[int | None, TeamCompliance] = {}
    result = Compliance(as_of=as_of, scope=scope)
    for team_id, ok in _in_time_rows(workers, as_of):
        row = by_team.setdefault(team_id, TeamCompliance(NO_TEAM, ""))
        row.workers += 1
        row.supervised_in_time += ok
        result.total.workers += 1
        result.total.supervised_in_time += ok
    teams = Team.objects.filter(pk__in=[pk for pk in by_team if pk]).select_related("organisation")
    for team in teams:
        by_team[team.pk].name = team.name
        by_team[team.pk].organisation = team.organisation.name
    result.teams = sorted(
        by_team.values(), key=lambda r: (r.name == NO_TEAM, r.organisation, r.name)
    )
    return result
