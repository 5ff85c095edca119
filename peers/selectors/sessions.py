"""Reads of session logs and safeguarding concerns: a worker's own list, a supervisor's
supervisees' list, one session or concern, the form's choices, "repeat last session" and the
My space panels. Everything starts from ``visible_to``, so no list, count or page can show a
record its reader may not see; every list fetches its relations in a fixed number of queries.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from cms.models import Need, OfferPage
from cms.permissions import visible_to
from cms.roles import Role

from ..models import PeerWorker, SafeguardingConcern, SessionLog

RECENT_ON_MY_SPACE = 5
OPEN_CONCERNS_ON_MY_SPACE = 10


def _with_relations(queryset: QuerySet) -> QuerySet:
    """What a list row shows: the offer, the worker's name, whether a concern was raised,
    and the topics, in a fixed number of queries."""
    return queryset.select_related(
        "offer", "worker__user", "safeguarding_concern"
    ).prefetch_related(Prefetch("topics", queryset=Need.objects.order_by("sort_order", "name")))


def sessions_visible_to(user) -> QuerySet:
    return visible_to(user, SessionLog)


def sessions_of_worker(user, worker: PeerWorker) -> QuerySet:
    """``worker``'s sessions as ``user`` may see them, newest first, ready for a list."""
    return _with_relations(sessions_visible_to(user).filter(worker=worker)).order_by(
        "-date", "-created_at"
    )


def sessions_of_supervisees(user) -> QuerySet:
    """The sessions of everyone ``user`` supervises (nothing of their own), newest first."""
    return _with_relations(
        sessions_visible_to(user).filter(worker__in=supervisees_of(user).values("pk"))
    ).order_by("-date", "-created_at")


def sessions_filtered(sessions: QuerySet, *, month: date | None = None, setting: str = ""):
    if month is not None:
        sessions = sessions.filter(date__year=month.year, date__month=month.month)
    if setting:
        sessions = sessions.filter(setting=setting)
    return sessions


def months_with_sessions(sessions: QuerySet) -> list[date]:
    """The months (first days) that have sessions, newest first: the month filter's choices."""
    return list(sessions.order_by().dates("date", "month", order="DESC"))


def session_for(user, pk: int) -> SessionLog | None:
    """One session with everything its page shows, if ``user`` may see it."""
    return (
        sessions_visible_to(user)
        .select_related("offer", "worker__user", "safeguarding_concern")
        .prefetch_related(
            Prefetch("topics", queryset=Need.objects.order_by("sort_order", "name")),
            Prefetch("signposted_to", queryset=OfferPage.objects.order_by("title")),
        )
        .filter(pk=pk)
        .first()
    )


def supervisees_of(user) -> QuerySet:
    """The current workers ``user`` supervises (visible to them as a supervisor)."""
    if not user.is_authenticated:
        return PeerWorker.objects.none()
    return (
        visible_to(user, PeerWorker)
        .filter(supervisors=user)
        .exclude(status=PeerWorker.Status.LEFT)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "pk")
    )


# --- The log form ----------------------------------------------------------------------------


def offers_to_choose() -> QuerySet:
    """Live offers in the directory, for "part of" and "signposted to"."""
    return OfferPage.objects.live().select_related("provider").order_by("title")


def topics_to_choose() -> QuerySet:
    return Need.objects.order_by("-wider_determinant", "sort_order", "name")


def last_session_of(worker: PeerWorker) -> SessionLog | None:
    return (
        SessionLog.objects.filter(worker=worker)
        .prefetch_related("topics", "signposted_to")
        .order_by("-date", "-created_at")
        .first()
    )


def session_repeat_initial(worker: PeerWorker) -> dict | None:
    """What "repeat last session" fills in: everything from the worker's latest log except
    the date, the person's reference, the score and the notes, which are about that day and
    that person only."""
    last = last_session_of(worker)
    if last is None:
        return None
    live = set(offers_to_choose().values_list("pk", flat=True))
    return {
        "duration_minutes": last.duration_minutes,
        "setting": last.setting,
        "offer": last.offer_id if last.offer_id in live else None,
        "group_size": last.group_size,
        "topics": [need.pk for need in last.topics.all()],
        "signposted_to": [offer.pk for offer in last.signposted_to.all() if offer.pk in live],
        "outcome_measure": last.outcome_measure,
    }


# --- Safeguarding ----------------------------------------------------------------------------


def concerns_visible_to(user) -> QuerySet:
    return visible_to(user, SafeguardingConcern)


def concern_for(user, pk: int) -> SafeguardingConcern | None:
    return (
        concerns_visible_to(user)
        .select_related(
            "worker__user", "worker__organisation", "session", "raised_by", "acknowledged_by"
        )
        .filter(pk=pk)
        .first()
    )


def concerns_list(user) -> QuerySet:
    """Every concern ``user`` may see: open ones first (most urgent, then oldest), then the
    acknowledged ones, newest first."""
    return (
        concerns_visible_to(user)
        .select_related("worker__user", "session", "acknowledged_by")
        .annotate(
            # SQLite sorts NULL first and PostgreSQL last, so "open" is spelt out.
            acknowledged=Case(When(acknowledged_at__isnull=True, then=Value(0)), default=Value(1)),
            urgency_rank=Case(
                When(acknowledged_at__isnull=False, then=Value(0)),
                *(
                    When(urgency=urgency, then=Value(rank))
                    for rank, urgency in enumerate(SafeguardingConcern.Urgency.values)
                ),
                default=Value(len(SafeguardingConcern.Urgency.values)),
            ),
            open_raised_at=Case(When(acknowledged_at__isnull=True, then=F("raised_at"))),
        )
        .order_by("acknowledged", "urgency_rank", "open_raised_at", "-raised_at", "-pk")
    )


def open_concerns_to_acknowledge(user) -> QuerySet:
    """Open concerns raised by the people ``user`` supervises, oldest first."""
    return (
        concerns_visible_to(user)
        .filter(acknowledged_at__isnull=True, worker__in=supervisees_of(user).values("pk"))
        .select_related("worker__user", "session")
        .order_by("raised_at")
    )


def concerns_to_escalate(*, raised_before) -> QuerySet:
    """Open concerns raised by ``raised_before`` that HR have not yet been told of,
    for the scheduled escalation (which decides, per concern, whether its wait is over)."""
    return (
        SafeguardingConcern.objects.filter(
            acknowledged_at__isnull=True,
            escalated_at__isnull=True,
            raised_at__lte=raised_before,
        )
        .select_related("worker__user", "worker__organisation")
        .order_by("raised_at", "pk")
    )


def supervisors_to_alert(worker: PeerWorker) -> list:
    """The people named as ``worker``'s supervisors who still hold the role and can sign in."""
    return list(
        worker.supervisors.filter(is_active=True, groups__name=Role.SUPERVISOR.value)
        .distinct()
        .order_by("pk")
    )


def hr_to_alert(worker: PeerWorker) -> list:
    """HR in ``worker``'s organisation, told when a concern has no supervisor to go to."""
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=Role.HR.value,
            organisation_id=worker.organisation_id,
        )
        .distinct()
        .order_by("pk")
    )


# --- My space --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerSessions:
    recent: list[SessionLog]
    count_this_week: int
    minutes_this_week: int
    open_concerns: int


def worker_recent_sessions(user, worker: PeerWorker) -> list[SessionLog]:
    """A worker's latest sessions, for their My space panel."""
    return list(
        sessions_visible_to(user)
        .filter(worker=worker)
        .select_related("offer", "safeguarding_concern")
        .order_by("-date", "-created_at")[:RECENT_ON_MY_SPACE]
    )


def worker_sessions_this_week(user, worker: PeerWorker) -> QuerySet[SessionLog]:
    """A worker's sessions since Monday."""
    today = timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    return sessions_visible_to(user).filter(worker=worker, date__gte=week_start)


def minutes_of(sessions: QuerySet[SessionLog]):
    """One worker's ``sessions``' minutes summed, as a queryset of one row and column (no
    row when there are no sessions), so My space can read it with its other numbers."""
    return (
        sessions.order_by()
        .values("worker")
        .annotate(minutes=Sum("duration_minutes"))
        .values_list("minutes", flat=True)
    )


def worker_open_concerns(user, worker: PeerWorker) -> QuerySet[SafeguardingConcern]:
    """Concerns ``worker`` raised that no supervisor has acknowledged yet."""
    return concerns_visible_to(user).filter(worker=worker, acknowledged_at__isnull=True)


@dataclass(frozen=True)
class SupervisorConcerns:
    open: list[SafeguardingConcern]
    open_count: int


def supervisor_open_concerns(user, *, open_count: int | None = None) -> SupervisorConcerns:
    """The first open concerns of ``user``'s supervisees, and how many there are (pass
    ``open_count`` when it was counted with other numbers)."""
    concerns = open_concerns_to_acknowledge(user)
    return SupervisorConcerns(
        open=list(concerns[:OPEN_CONCERNS_ON_MY_SPACE]),
        open_count=concerns.count() if open_count is None else open_count,
    )


def supervisees_with_recent_sessions(user) -> list[PeerWorker]:
    """Each supervisee with the number of sessions they logged in the last 7 days."""
    since = timezone.localdate() - timedelta(days=6)
    return list(
        supervisees_of(user).annotate(
            sessions_this_week=Count("sessions", filter=Q(sessions__date__gte=since))
        )
    )
