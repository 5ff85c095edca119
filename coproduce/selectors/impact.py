"""Reads behind the panel impact report: what a panel (or all of an organisation's panels)
did in a period, counted in a fixed handful of queries however many panels, meetings and
claims there are, so a report of five years costs the same queries as one of a month.

Every count is defined here once, and the report says in words how each was counted:

- meetings held: meetings that started in the period, before now, and were not cancelled;
- people involved: different people recorded as attending those meetings;
- hours and money paid: paid claims for those meetings (hours of people who chose not to be
  paid for their time are given, not paid); money includes expenses;
- changes made: live service changes the panels co-produced that were under way in the
  period (their timeline had started by its end and had not finished before its start),
  with their status at the end of the period;
- feedback handled: feedback linked to those changes, and how much of it has a public
  response.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cms import jobs
from cms.models import Organisation, ReportJob
from cms.permissions import can, visible_to

from ..choices import CoproductionLevel, PaymentChoice
from ..models import (
    Attendance,
    Expense,
    Feedback,
    InvolvementClaim,
    Meeting,
    Panel,
    ServiceChangePage,
)

ZERO = Decimal("0.00")
CHANGE_STATUSES = [status for status, _ in ServiceChangePage.Status.choices]


# --- Who may report on what ------------------------------------------------------------------


def organisations_reported_on_by(user) -> list[Organisation]:
    """Organisations whose panels ``user`` may report on, by name: the rule
    ``coproduce.request_impact_report`` asked of each (a lead's own organisation; every one
    for admins and partnership-wide leads). Organisations are few, and the rule queries
    nothing, so this is one query."""
    if not can(user, "coproduce.request_impact_report"):
        return []
    return [
        organisation
        for organisation in Organisation.objects.order_by("name")
        if can(user, "coproduce.request_impact_report", organisation)
    ]


def panels_reported_on_by(user, organisations: list[Organisation]) -> list[Panel]:
    """The panels of ``organisations`` that ``user`` may see, by organisation then title."""
    return list(
        visible_to(user, Panel)
        .filter(organisation__in=[o.pk for o in organisations])
        .select_related("organisation")
        .order_by("organisation__name", "title")
    )


def impact_reports_of(user, *, kind: str, limit: int = 5) -> list[ReportJob]:
    """The person's own latest reports of ``kind`` that they may still open."""
    if not user.is_authenticated:
        return []
    latest = ReportJob.objects.filter(requested_by=user, kind=kind).order_by("-created_at")
    return [job for job in latest[:limit] if jobs.may_download(user, job)]


# --- What the report counts ------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """From the start of ``start`` to the end of ``end``, in Europe/London."""

    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_before(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


@dataclass
class Payments:
    """Paid claims for the meetings held, and how many of their claims are not paid yet."""

    claims_paid: int = 0
    hours_paid: Decimal = ZERO
    money_paid: Decimal = ZERO
    expenses_paid: Decimal = ZERO
    claims_not_yet_paid: int = 0

    @property
    def paid_for_time(self) -> Decimal:
        return self.money_paid - self.expenses_paid


@dataclass
class PanelFigures:
    """One panel's row in the report."""

    panel: Panel
    meetings_held: int = 0
    meetings_cancelled: int = 0
    meetings_to_come: int = 0
    people_involved: int = 0
    hours_given: Decimal = ZERO
    payments: Payments = field(default_factory=Payments)
    changes: int = 0


@dataclass(frozen=True)
class MeetingHeld:
    """One meeting held, for the report's list of meetings."""

    panel_title: str
    title: str
    starts_at: datetime
    attended: int


@dataclass(frozen=True)
class ChangeMade:
    """One service change under way in the period, with the feedback linked to it."""

    title: str
    panel_title: str
    status: str  # at the end of the period
    status_label: str
    coproduction_level: str
    offers: list[str]
    feedback: int
    feedback_responded: int


@dataclass
class PanelImpact:
    """Everything the impact report shows, for one panel or all of an organisation's."""

    organisation: Organisation
    panel: Panel | None  # None: all the organisation's panels
    period: Period
    made_at: datetime
    panels: list[PanelFigures]
    people_involved: int
    meetings: list[MeetingHeld]
    changes: list[ChangeMade]

    @property
    def about(self) -> str:
        return self.panel.title if self.panel else f"All panels of {self.organisation.name}"

    def _total(self, name):
        return sum((getattr(row, name) for row in self.panels), 0)

    @property
    def meetings_held(self) -> int:
        return self._total("meetings_held")

    @property
    def meetings_cancelled(self) -> int:
        return self._total("meetings_cancelled")

    @property
    def meetings_to_come(self) -> int:
        return self._total("meetings_to_come")

    @property
    def hours_given(self) -> Decimal:
        return sum((row.hours_given for row in self.panels), ZERO)

    @property
    def payments(self) -> Payments:
        total = Payments()
        for row in self.panels:
            total.claims_paid += row.payments.claims_paid
            total.hours_paid += row.payments.hours_paid
            total.money_paid += row.payments.money_paid
            total.expenses_paid += row.payments.expenses_paid
            total.claims_not_yet_paid += row.payments.claims_not_yet_paid
        return total

    @property
    def changes_by_status(self) -> dict[str, int]:
        counts = Counter(change.status for change in self.changes)
        return {status: counts.get(status, 0) for status in CHANGE_STATUSES}

    @property
    def feedback_linked(self) -> int:
        return sum(change.feedback for change in self.changes)

    @property
    def feedback_responded(self) -> int:
        return sum(change.feedback_responded for change in self.changes)


def impact_panels(*, panel_id: int | None = None, organisation_id: int | None = None):
    """(organisation, panel or None, panels in the report) for one panel or all of an
    organisation's panels. Raises ``Panel.DoesNotExist`` / ``Organisation.DoesNotExist``."""
    if panel_id is not None:
        panel = Panel.objects.select_related("organisation").get(pk=panel_id)
        return panel.organisation, panel, [panel]
    organisation = Organisation.objects.get(pk=organisation_id)
    panels = list(
        Panel.objects.filter(organisation=organisation)
        .select_related("organisation")
        .order_by("title")
    )
    return organisation, None, panels


def _held(now: datetime) -> Q:
    return Q(status=Meeting.Status.SCHEDULED, starts_at__lt=now)


def _in_period(period: Period, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}starts_at__gte": period.starts_at,
            f"{prefix}starts_at__lt": period.ends_before,
        }
    )


def count_meetings(figures: dict[int, PanelFigures], period: Period, *, now: datetime) -> None:
    """Meetings held, cancelled and still to come in the period, per panel (one query)."""
    rows = (
        Meeting.objects.filter(_in_period(period), panel_id__in=list(figures))
        .values("panel_id")
        .annotate(
            held=Count("pk", filter=_held(now)),
            cancelled=Count("pk", filter=Q(status=Meeting.Status.CANCELLED)),
            to_come=Count("pk", filter=Q(status=Meeting.Status.SCHEDULED, starts_at__gte=now)),
        )
    )
    for row in rows:
        panel = figures[row["panel_id"]]
        panel.meetings_held = row["held"]
        panel.meetings_cancelled = row["cancelled"]
        panel.meetings_to_come = row["to_come"]


def _attended(panel_ids, period: Period, now: datetime):
    held = Meeting.objects.filter(_held(now), _in_period(period), panel_id__in=panel_ids)
    return Attendance.objects.filter(status=Attendance.Status.ATTENDED, meeting__in=held)


def count_people(figures: dict[int, PanelFigures], period: Period, *, now: datetime) -> int:
    """Different people who attended, per panel and in all (a person on two panels is one
    person in the total); and the hours they gave (two queries)."""
    attended = _attended(list(figures), period, now)
    rows = attended.values("meeting__panel_id").annotate(
        people=Count("member_id", distinct=True),
        hours=Coalesce(Sum("hours"), Value(ZERO), output_field=DecimalField()),
    )
    for row in rows:
        panel = figures[row["meeting__panel_id"]]
        panel.people_involved = row["people"]
        panel.hours_given = Decimal(row["hours"]).quantize(Decimal("0.01"))
    return attended.aggregate(people=Count("member_id", distinct=True))["people"]


def count_payments(figures: dict[int, PanelFigures], period: Period, *, now: datetime) -> None:
    """Paid claims for the meetings held, per panel, with their expenses; and how many of
    those meetings' claims are not paid yet (two queries)."""
    held = Meeting.objects.filter(_held(now), _in_period(period), panel_id__in=list(figures))
    claims = InvolvementClaim.objects.filter(attendance__meeting__in=held)
    paid = Q(status=InvolvementClaim.Status.PAID)
    money = DecimalField(max_digits=12, decimal_places=2)
    rows = claims.values("panel_id").annotate(
        claims_paid=Count("pk", filter=paid),
        hours_paid=Coalesce(
            Sum("hours", filter=paid & ~Q(payment_choice=PaymentChoice.NOT_PAID)),
            Value(ZERO),
            output_field=money,
        ),
        money_paid=Coalesce(Sum("amount_approved", filter=paid), Value(ZERO), output_field=money),
        not_yet_paid=Count("pk", filter=~paid),
    )
    for row in rows:
        payments = figures[row["panel_id"]].payments
        payments.claims_paid = row["claims_paid"]
        payments.hours_paid = Decimal(row["hours_paid"]).quantize(Decimal("0.01"))
        payments.money_paid = Decimal(row["money_paid"]).quantize(Decimal("0.01"))
        payments.claims_not_yet_paid = row["not_yet_paid"]
    expenses = (
        Expense.objects.filter(claim__in=claims.filter(paid))
        .values("claim__panel_id")
        .annotate(total=Sum("amount"))
    )
    for row in expenses:
        payments = figures[row["claim__panel_id"]].payments
        payments.expenses_paid = Decimal(row["total"]).quantize(Decimal("0.01"))


def meetings_held(panel_ids, period: Period, *, now: datetime) -> list[MeetingHeld]:
    """Each meeting held, oldest first, with how many people attended (one query)."""
    meetings = (
        Meeting.objects.filter(_held(now), _in_period(period), panel_id__in=list(panel_ids))
        .annotate(
            attended=Count("attendances", filter=Q(attendances__status=Attendance.Status.ATTENDED))
        )
        .select_related("panel")
        .order_by("starts_at", "pk")
    )
    return [
        MeetingHeld(
            panel_title=meeting.panel.title,
            title=meeting.title,
            starts_at=meeting.starts_at,
            attended=meeting.attended,
        )
        for meeting in meetings
    ]


def status_at_end(updates, page_status: str, period: Period) -> str | None:
    """The change's status at the end of the period from its dated timeline; None when it
    had not started by then, or had finished before the period began."""
    dated = sorted(updates, key=lambda u: (u.date, u.sort_order or 0))
    if not dated:
        return page_status
    by_end = [u for u in dated if u.date <= period.end]
    before_start = [u for u in by_end if u.date < period.start]
    finished_before = (
        bool(before_start)
        and before_start[-1].status == ServiceChangePage.Status.DONE
        and len(before_start) == len(by_end)
    )
    if not by_end or finished_before:
        return None
    return by_end[-1].status


def changes_made(figures: dict[int, PanelFigures], period: Period) -> list[ChangeMade]:
    """Live service changes the panels co-produced that were under way in the period, with
    the feedback linked to them (three queries, with the timelines and offers prefetched)."""
    pages = list(
        ServiceChangePage.objects.live()
        .filter(panel_id__in=list(figures))
        .select_related("panel")
        .prefetch_related("updates", "offers")
        .order_by("title")
    )
    counts = {
        row["service_change_id"]: row
        for row in Feedback.objects.filter(service_change_id__in=[p.pk for p in pages])
        .values("service_change_id")
        .annotate(total=Count("pk"), responded=Count("pk", filter=~Q(public_response="")))
    }
    labels = dict(ServiceChangePage.Status.choices)
    changes = []
    for page in pages:
        updates = list(page.updates.all())
        status = status_at_end(updates, page.status, period)
        if status is None:
            continue
        figures[page.panel_id].changes += 1
        level = page.coproduction_level or page.panel.coproduction_level
        feedback = counts.get(page.pk, {})
        changes.append(
            ChangeMade(
                title=page.title,
                panel_title=page.panel.title,
                status=status,
                status_label=labels.get(status, status),
                coproduction_level=CoproductionLevel(level).label,
                offers=sorted(offer.title for offer in page.offers.all()),
                feedback=feedback.get("total", 0),
                feedback_responded=feedback.get("responded", 0),
            )
        )
    return changes


def panel_impact(
    *,
    panel_id: int | None = None,
    organisation_id: int | None = None,
    start: date,
    end: date,
    now: datetime | None = None,
    progress=None,
) -> PanelImpact:
    """Everything the impact report shows. ``progress(percent, message)`` is told as each
    part is counted, so a long report shows how far it has got."""
    now = now or timezone.now()
    step = progress or (lambda percent, message: None)
    period = Period(start=start, end=end)
    step(5, "Finding the panels")
    organisation, panel, panels = impact_panels(panel_id=panel_id, organisation_id=organisation_id)
    figures = {p.pk: PanelFigures(panel=p) for p in panels}
    step(15, "Counting meetings")
    count_meetings(figures, period, now=now)
    meetings = meetings_held(figures, period, now=now)
    step(35, "Counting the people involved")
    people = count_people(figures, period, now=now)
    step(50, "Adding up payments")
    count_payments(figures, period, now=now)
    step(65, "Counting service changes and feedback")
    changes = changes_made(figures, period)
    return PanelImpact(
        organisation=organisation,
        panel=panel,
        period=period,
        made_at=now,
        panels=list(figures.values()),
        people_involved=people,
        meetings=meetings,
        changes=changes,
    )
