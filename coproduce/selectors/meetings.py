"""Reads about meetings: who is on a meeting's panel and what they need to take part, the
meetings a person sees, the ones due a reminder, and the attendance sheet.

Every list starts from ``visible_to`` and loads its relations up front, so pages issue the
same number of queries for 3 meetings or 30. Members' access needs are read from both their
involvement profile (what they need now) and their accepted application (what they
confirmed when they applied): a need in either counts.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from wagtail.documents import get_document_model

from cms.permissions import is_admin, visible_to

from ..choices import AccessNeed
from ..models import (
    AccessArrangement,
    Attendance,
    InvolvementClaim,
    InvolvementProfile,
    Meeting,
    MeetingPaper,
    PanelApplication,
)
from ..rules import is_lead

REMINDER_WINDOW = timedelta(days=2)
# The calendar feed carries recent past meetings too, so a calendar app keeps them.
FEED_HISTORY = timedelta(days=180)
NEED_ORDER = {value: index for index, value in enumerate(AccessNeed.values)}


# --- Meetings a person sees ------------------------------------------------------------------


def meetings_visible_to(user) -> QuerySet[Meeting]:
    return visible_to(user, Meeting).select_related("panel")


def meetings_upcoming(user, *, now: datetime) -> QuerySet[Meeting]:
    """Meetings not yet over, soonest first (cancelled ones included, marked as such)."""
    return meetings_visible_to(user).filter(ends_at__gt=now).order_by("starts_at", "pk")


def meetings_past(user, *, now: datetime) -> QuerySet[Meeting]:
    return meetings_visible_to(user).filter(ends_at__lte=now).order_by("-starts_at", "-pk")


def meetings_next(user, *, now: datetime, limit: int = 3) -> list[Meeting]:
    """The next few meetings going ahead, for My space."""
    return list(
        meetings_visible_to(user)
        .filter(ends_at__gt=now, status=Meeting.Status.SCHEDULED)
        .order_by("starts_at", "pk")[:limit]
    )


def meetings_for_feed(user, *, now: datetime) -> QuerySet[Meeting]:
    """What a person's calendar feed carries: their panels' meetings, recent and to come."""
    return meetings_visible_to(user).filter(ends_at__gte=now - FEED_HISTORY).order_by("starts_at")


def profile_for_calendar_token(token: str) -> InvolvementProfile | None:
    """The profile whose secret calendar address this is, if its owner may still sign in."""
    if not token:
        return None
    profile = InvolvementProfile.objects.select_related("user").filter(calendar_token=token).first()
    if profile is None or not profile.user.is_active:
        return None
    return profile


def calendar_profile_of(user) -> InvolvementProfile | None:
    return InvolvementProfile.objects.filter(user=user).first()


def meeting_papers(meeting: Meeting) -> list[MeetingPaper]:
    return list(meeting.papers.select_related("document").order_by("sort_order", "title", "pk"))


def paper_documents_for(user, *, collection_name: str):
    """Documents in the papers collection a lead may attach: their own and their
    organisation's uploads, and those already on meetings they can see (not every other
    organisation's papers, whose titles may say more than they should)."""
    documents = get_document_model().objects.filter(collection__name=collection_name)
    if is_admin(user):
        return documents.order_by("-created_at", "-pk")
    mine = Q(uploaded_by_user=user) | Q(pk__in=visible_to(user, MeetingPaper).values("document_id"))
    if user.organisation_id:
        mine |= Q(uploaded_by_user__organisation_id=user.organisation_id)
    return documents.filter(mine).order_by("-created_at", "-pk")


def meeting_paper_for(user, *, meeting_id: int, paper_id: int) -> MeetingPaper | None:
    """A paper of a meeting ``user`` may see, or None (unknown, or not theirs to see)."""
    return (
        visible_to(user, MeetingPaper)
        .select_related("document", "meeting__panel")
        .filter(pk=paper_id, meeting_id=meeting_id)
        .first()
    )


# --- Panel members and their access needs -----------------------------------------------------


@dataclass
class PanelMember:
    """An accepted member of a panel, with the needs they asked for (profile and
    application together)."""

    user_id: int
    name: str
    email: str
    needs: list[str]
    other_needs: list[str] = field(default_factory=list)
    interpreter_languages: list[str] = field(default_factory=list)


def _display_name(user, profile) -> str:
    if profile is not None and profile.display_name:
        return profile.display_name
    return user.get_full_name() or user.email


def _member_from_application(application: PanelApplication) -> PanelMember:
    user = application.applicant
    profile = getattr(user, "involvement_profile", None)
    needs = set(application.access_needs or [])
    others = [application.access_needs_other]
    languages = [application.interpreter_language]
    if profile is not None:
        needs.update(profile.access_needs or [])
        others.append(profile.access_needs_other)
        languages.append(profile.interpreter_language)
    return PanelMember(
        user_id=user.pk,
        name=_display_name(user, profile),
        email=user.email,
        needs=sorted((n for n in needs if n in NEED_ORDER), key=NEED_ORDER.__getitem__),
        other_needs=_distinct(others),
        interpreter_languages=_distinct(languages),
    )


def _distinct(values) -> list[str]:
    seen, out = set(), []
    for value in values:
        value = (value or "").strip()
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return out


def _accepted_applications(panel_ids) -> QuerySet[PanelApplication]:
    return PanelApplication.objects.filter(
        panel_id__in=panel_ids, status=PanelApplication.Status.ACCEPTED, applicant__is_active=True
    ).select_related("applicant__involvement_profile")


def panel_members(panel_id: int) -> list[PanelMember]:
    """The panel's accepted members, by name; one query."""
    members = [_member_from_application(a) for a in _accepted_applications([panel_id])]
    return sorted(members, key=lambda m: m.name.casefold())


@dataclass
class NeedSummary:
    """One access need across a meeting's panel: who needs it and whether it is booked."""

    need: str
    label: str
    people: list[str]
    notes: list[str]
    arrangement: AccessArrangement | None

    @property
    def count(self) -> int:
        return len(self.people)

    @property
    def status(self) -> str:
        return self.arrangement.status if self.arrangement else AccessArrangement.Status.NEEDED

    @property
    def status_label(self) -> str:
        return AccessArrangement.Status(self.status).label

    @property
    def is_settled(self) -> bool:
        """Booked, or known to be impossible: nothing left for the lead to do."""
        return self.status != AccessArrangement.Status.NEEDED


def _summaries(members: list[PanelMember], arrangements: dict) -> list[NeedSummary]:
    people: dict[str, list[str]] = {}
    notes: dict[str, list[str]] = {}
    for member in members:
        for need in member.needs:
            people.setdefault(need, []).append(member.name)
            if need == AccessNeed.LANGUAGE:
                notes.setdefault(need, []).extend(member.interpreter_languages)
            if need == AccessNeed.OTHER:
                notes.setdefault(need, []).extend(member.other_needs)
    needs = sorted(set(people) | set(arrangements), key=NEED_ORDER.__getitem__)
    return [
        NeedSummary(
            need=need,
            label=AccessNeed(need).label,
            people=sorted(people.get(need, []), key=str.casefold),
            notes=_distinct(notes.get(need, [])),
            arrangement=arrangements.get(need),
        )
        for need in needs
    ]


def meeting_access_needs(meeting: Meeting) -> list[NeedSummary]:
    """Every need the panel's members have, counted, with its arrangement for this meeting
    (needs nobody has any more stay listed while an arrangement for them exists)."""
    members = panel_members(meeting.panel_id)
    arrangements = {a.need: a for a in meeting.access_arrangements.all()}
    return _summaries(members, arrangements)


@dataclass
class MyArrangement:
    need: str
    label: str
    status: str
    status_label: str
    detail: str


def member_access_arrangements(meeting: Meeting, user) -> list[MyArrangement]:
    """The person's own needs for this meeting and whether each has been booked."""
    application = _accepted_applications([meeting.panel_id]).filter(applicant_id=user.pk).first()
    if application is None:
        return []
    member = _member_from_application(application)
    arrangements = {a.need: a for a in meeting.access_arrangements.filter(need__in=member.needs)}
    out = []
    for need in member.needs:
        arrangement = arrangements.get(need)
        status = arrangement.status if arrangement else AccessArrangement.Status.NEEDED
        out.append(
            MyArrangement(
                need=need,
                label=AccessNeed(need).label,
                status=status,
                status_label=AccessArrangement.Status(status).label,
                detail=arrangement.detail if arrangement else "",
            )
        )
    return out


@dataclass
class MeetingNeedingAccess:
    meeting: Meeting
    unsettled: list[NeedSummary]


def meetings_with_unbooked_needs(
    user, *, now: datetime, horizon: timedelta = timedelta(days=60), limit: int = 5
) -> list[MeetingNeedingAccess]:
    """For leads: upcoming meetings of their panels where a member's need is not yet booked.

    Three queries however many meetings and members: meetings, members, arrangements.
    """
    if not is_lead(user):
        return []
    meetings = list(
        meetings_visible_to(user)
        .filter(status=Meeting.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=now + horizon)
        .order_by("starts_at", "pk")[:50]
    )
    if not meetings:
        return []
    members_by_panel: dict[int, list[PanelMember]] = {}
    for application in _accepted_applications({m.panel_id for m in meetings}):
        members_by_panel.setdefault(application.panel_id, []).append(
            _member_from_application(application)
        )
    arrangements: dict[int, dict] = {}
    for arrangement in AccessArrangement.objects.filter(meeting__in=meetings):
        arrangements.setdefault(arrangement.meeting_id, {})[arrangement.need] = arrangement
    out = []
    for meeting in meetings:
        summaries = _summaries(
            members_by_panel.get(meeting.panel_id, []), arrangements.get(meeting.pk, {})
        )
        unsettled = [s for s in summaries if s.count and not s.is_settled]
        if unsettled:
            out.append(MeetingNeedingAccess(meeting=meeting, unsettled=unsettled))
            if len(out) == limit:
                break
    return out


# --- Reminders -------------------------------------------------------------------------------


def meeting_ids_due_reminder(*, now: datetime) -> list[int]:
    """Meetings going ahead that start within the reminder window and have had no reminder."""
    return list(
        Meeting.objects.filter(
            status=Meeting.Status.SCHEDULED,
            reminder_sent_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_WINDOW,
        )
        .order_by("starts_at")
        .values_list("pk", flat=True)
    )


# --- Attendance ------------------------------------------------------------------------------


@dataclass
class AttendanceRow:
    """One line of a meeting's attendance sheet: a member, what was recorded, their claim."""

    user_id: int
    name: str
    attendance: Attendance | None
    claim_status: str = ""
    claim_status_label: str = ""
    is_member: bool = True


def attendance_sheet(meeting: Meeting) -> list[AttendanceRow]:
    """Every accepted member, plus anyone recorded before who has since left the panel."""
    recorded = {
        a.member_id: a
        for a in meeting.attendances.select_related("member__involvement_profile", "claim")
    }
    rows = []
    for member in panel_members(meeting.panel_id):
        rows.append(
            _attendance_row(member.user_id, member.name, recorded.pop(member.user_id, None))
        )
    for attendance in recorded.values():
        user = attendance.member
        name = _display_name(user, getattr(user, "involvement_profile", None))
        rows.append(_attendance_row(user.pk, name, attendance, is_member=False))
    return rows


def _attendance_row(user_id, name, attendance, *, is_member=True) -> AttendanceRow:
    claim = getattr(attendance, "claim", None) if attendance else None
    return AttendanceRow(
        user_id=user_id,
        name=name,
        attendance=attendance,
        claim_status=claim.status if claim else "",
        claim_status_label=InvolvementClaim.Status(claim.status).label if claim else "",
        is_member=is_member,
    )


def member_attendance(meeting: Meeting, user) -> Attendance | None:
    return Attendance.objects.filter(meeting=meeting, member=user).first()
