"""Reads about meetings: who is on a meeting's panel and what they need to take part, the
meetings a person sees, the ones due a reminder, members' replies, and the attendance sheet.

Every list starts from ``visible_to`` and loads its relations up front, so pages issue the
same number of queries for 3 meetings or 30. Members' access needs are read from both their
involvement profile (what they need now) and their accepted application (what they
confirmed when they applied): a need in either counts. The needs of a member who has said
they are not coming drop out of a meeting's count; those coming, who may come, or who have not
replied yet are counted.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, FilteredRelation, Q, QuerySet
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
    MeetingReply,
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


_REPLY_FIELDS = [f.attname for f in MeetingReply._meta.concrete_fields]


def meetings_next(user, *, now: datetime, limit: int = 3) -> list[Meeting]:
    """The next few meetings going ahead, for My space, each with ``my_reply`` (the person's
    answer, or None): one query however many meetings (a member replies once a meeting)."""
    meetings = list(
        meetings_visible_to(user)
        .filter(ends_at__gt=now, status=Meeting.Status.SCHEDULED)
        .annotate(my=FilteredRelation("replies", condition=Q(replies__member=user)))
        .annotate(**{f"my_reply_{name}": F(f"my__{name}") for name in _REPLY_FIELDS})
        .order_by("starts_at", "pk")[:limit]
    )
    for meeting in meetings:
        values = {name: getattr(meeting, f"my_reply_{name}") for name in _REPLY_FIELDS}
        meeting.my_reply = (
            MeetingReply.from_db(
                meeting._state.db, _REPLY_FIELDS, [values[name] for name in _REPLY_FIELDS]
            )
            if values["id"] is not None
            else None
        )
    return meetings


def meetings_for_feed(user, *, now: datetime) -> QuerySet[Meeting]:
    """What a person's calendar feed carries: their panels' meetings, recent and to come,
    except those they said they are not coming to (their calendar app then drops them, as
    it does an invitation they declined; they come back if the person changes their mind)."""
    declined = MeetingReply.objects.filter(
        member=user, answer=MeetingReply.Answer.NOT_COMING
    ).values("meeting_id")
    return (
        meetings_visible_to(user)
        .filter(ends_at__gte=now - FEED_HISTORY)
        .exclude(pk__in=declined)
        .order_by("starts_at")
    )


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


def panel_member_accounts(panel_id: int) -> list[tuple]:
    """(account, name) of each accepted member, by name, for telling them things; one
    query, the involvement profile (their chosen channel) loaded with each account."""
    accounts = [
        (a.applicant, _display_name(a.applicant, getattr(a.applicant, "involvement_profile", None)))
        for a in _accepted_applications([panel_id])
    ]
    return sorted(accounts, key=lambda pair: pair[1].casefold())


def reply_link_target(*, meeting_id: int, member_id: int):
    """(meeting, member, name) a reply link is for, or None when the meeting is gone or the
    member has left the panel or closed their account (their old links then do nothing)."""
    application = (
        _accepted_applications(Meeting.objects.filter(pk=meeting_id).values("panel_id"))
        .filter(applicant_id=member_id)
        .first()
    )
    if application is None:
        return None
    meeting = Meeting.objects.select_related("panel").filter(pk=meeting_id).first()
    if meeting is None:
        return None
    member = application.applicant
    return meeting, member, _display_name(member, getattr(member, "involvement_profile", None))


@dataclass
class NeedSummary:
    """One access need across a meeting's panel: who needs it and whether it is booked.

    ``people`` are those it is arranged for: members coming, who may come or who have not
    replied. ``not_coming`` are members with the need who said they are not coming, so it
    is not counted for them.
    """

    need: str
    label: str
    people: list[str]
    notes: list[str]
    arrangement: AccessArrangement | None
    not_coming: list[str] = field(default_factory=list)
    replies: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.people)

    @property
    def replies_text(self) -> str:
        """'1 coming, 1 maybe, 2 not replied yet': how sure the count is."""
        parts = [
            f"{self.replies[key]} {label}" for key, label in REPLY_WORDS if self.replies.get(key)
        ]
        return ", ".join(parts)

    @property
    def no_longer_needed(self) -> bool:
        """Booked (or being booked) for people who have all said they are not coming."""
        return self.count == 0 and bool(self.not_coming) and self.arrangement is not None

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


NOT_REPLIED = "not_replied"
REPLY_WORDS = (
    (MeetingReply.Answer.COMING, "coming"),
    (MeetingReply.Answer.MAYBE, "maybe"),
    (NOT_REPLIED, "not replied yet"),
)


def _summaries(
    members: list[PanelMember], arrangements: dict, answers: dict | None = None
) -> list[NeedSummary]:
    """``answers`` maps a member's id to their reply's answer; a member who is not coming
    is left out of the count."""
    answers = answers or {}
    people: dict[str, list[str]] = {}
    notes: dict[str, list[str]] = {}
    not_coming: dict[str, list[str]] = {}
    replies: dict[str, dict[str, int]] = {}
    for member in members:
        answer = answers.get(member.user_id, NOT_REPLIED)
        if answer == MeetingReply.Answer.NOT_COMING:
            for need in member.needs:
                not_coming.setdefault(need, []).append(member.name)
            continue
        for need in member.needs:
            people.setdefault(need, []).append(member.name)
            counts = replies.setdefault(need, {})
            counts[answer] = counts.get(answer, 0) + 1
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
            not_coming=sorted(not_coming.get(need, []), key=str.casefold),
            replies=replies.get(need, {}),
        )
        for need in needs
    ]


def meeting_access_needs(meeting: Meeting) -> list[NeedSummary]:
    """Every need of the panel's members who may come, counted, with its arrangement for
    this meeting (a need nobody coming has stays listed while an arrangement for it exists,
    so a booking made before someone sent apologies is not lost from sight)."""
    members = panel_members(meeting.panel_id)
    arrangements = {a.need: a for a in meeting.access_arrangements.all()}
    return _summaries(members, arrangements, reply_answers(meeting))


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
    """A coming meeting with needs still to book, or bookings nobody coming needs now."""

    meeting: Meeting
    unsettled: list[NeedSummary]
    unneeded: list[NeedSummary] = field(default_factory=list)


def meetings_with_unbooked_needs(
    user, *, now: datetime, horizon: timedelta = timedelta(days=60), limit: int = 5
) -> list[MeetingNeedingAccess]:
    """For leads: upcoming meetings of their panels where the need of a member who may come
    is not yet booked, or where something booked is needed by nobody coming now.

    Four queries however many meetings and members: meetings, members, arrangements,
    replies.
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
    answers: dict[int, dict] = {}
    for meeting_id, member_id, answer in MeetingReply.objects.filter(
        meeting__in=meetings
    ).values_list("meeting_id", "member_id", "answer"):
        answers.setdefault(meeting_id, {})[member_id] = answer
    out = []
    for meeting in meetings:
        summaries = _summaries(
            members_by_panel.get(meeting.panel_id, []),
            arrangements.get(meeting.pk, {}),
            answers.get(meeting.pk),
        )
        unsettled = [s for s in summaries if s.count and not s.is_settled]
        unneeded = [
            s
            for s in summaries
            if s.no_longer_needed and s.status == AccessArrangement.Status.BOOKED
        ]
        if unsettled or unneeded:
            out.append(
                MeetingNeedingAccess(meeting=meeting, unsettled=unsettled, unneeded=unneeded)
            )
            if len(out) == limit:
                break
    return out


# --- Replies: who is coming ------------------------------------------------------------------


def reply_answers(meeting: Meeting) -> dict[int, str]:
    """Each member's answer to the meeting, by member id; one query."""
    return dict(meeting.replies.values_list("member_id", "answer"))


def member_reply(meeting: Meeting, user) -> MeetingReply | None:
    if not user.is_authenticated:
        return None
    return MeetingReply.objects.filter(meeting=meeting, member=user).first()


@dataclass
class ReplyRow:
    """One member and their answer (None when they have not replied)."""

    user_id: int
    name: str
    reply: MeetingReply | None

    @property
    def is_apology(self) -> bool:
        return bool(
            self.reply and self.reply.answer == MeetingReply.Answer.NOT_COMING and self.reply.note
        )


@dataclass
class ReplyGroup:
    key: str
    heading: str
    rows: list[ReplyRow]

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass
class ReplySummary:
    """A meeting's replies, grouped: coming, maybe, not coming, not replied."""

    groups: list[ReplyGroup]
    members: list[PanelMember]

    def count(self, key: str) -> int:
        return next(g.count for g in self.groups if g.key == key)

    @property
    def text(self) -> str:
        """'3 coming, 1 maybe, 2 not coming, 4 not replied yet'."""
        return ", ".join(f"{g.count} {REPLY_GROUP_WORDS[g.key]}" for g in self.groups)

    @property
    def apologies(self) -> list[ReplyRow]:
        return [row for g in self.groups for row in g.rows if row.is_apology]


REPLY_GROUP_WORDS = {
    MeetingReply.Answer.COMING: "coming",
    MeetingReply.Answer.MAYBE: "maybe",
    MeetingReply.Answer.NOT_COMING: "not coming",
    NOT_REPLIED: "not replied yet",
}
REPLY_GROUP_HEADINGS = {
    MeetingReply.Answer.COMING: "Coming",
    MeetingReply.Answer.MAYBE: "Maybe",
    MeetingReply.Answer.NOT_COMING: "Not coming",
    NOT_REPLIED: "Not replied yet",
}


def reply_summary(meeting: Meeting) -> ReplySummary:
    """Every accepted member of the meeting's panel under their answer, by name: two queries
    however many members (members, replies)."""
    members = panel_members(meeting.panel_id)
    replies = {r.member_id: r for r in meeting.replies.select_related("recorded_by")}
    rows: dict[str, list[ReplyRow]] = {key: [] for key in REPLY_GROUP_WORDS}
    for member in members:
        reply = replies.get(member.user_id)
        rows[reply.answer if reply else NOT_REPLIED].append(
            ReplyRow(user_id=member.user_id, name=member.name, reply=reply)
        )
    return ReplySummary(
        groups=[ReplyGroup(key, REPLY_GROUP_HEADINGS[key], rows[key]) for key in rows],
        members=members,
    )


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
    reply: MeetingReply | None = None

    @property
    def status_from_reply(self) -> str:
        """Where the lead's form starts for someone not recorded yet: attended if they said
        they were coming, apologies if they said they were not; nothing for "maybe"."""
        if self.reply is None:
            return ""
        return {
            MeetingReply.Answer.COMING: Attendance.Status.ATTENDED,
            MeetingReply.Answer.NOT_COMING: Attendance.Status.APOLOGIES,
        }.get(self.reply.answer, "")


def attendance_sheet(meeting: Meeting) -> list[AttendanceRow]:
    """Every accepted member, plus anyone recorded before who has since left the panel,
    each with their reply to the invitation."""
    recorded = {
        a.member_id: a
        for a in meeting.attendances.select_related("member__involvement_profile", "claim")
    }
    replies = {r.member_id: r for r in meeting.replies.all()}
    rows = []
    for member in panel_members(meeting.panel_id):
        rows.append(
            _attendance_row(
                member.user_id,
                member.name,
                recorded.pop(member.user_id, None),
                reply=replies.get(member.user_id),
            )
        )
    for attendance in recorded.values():
        user = attendance.member
        name = _display_name(user, getattr(user, "involvement_profile", None))
        rows.append(
            _attendance_row(user.pk, name, attendance, is_member=False, reply=replies.get(user.pk))
        )
    return rows


def _attendance_row(user_id, name, attendance, *, is_member=True, reply=None) -> AttendanceRow:
    claim = getattr(attendance, "claim", None) if attendance else None
    return AttendanceRow(
        user_id=user_id,
        name=name,
        attendance=attendance,
        claim_status=claim.status if claim else "",
        claim_status_label=InvolvementClaim.Status(claim.status).label if claim else "",
        is_member=is_member,
        reply=reply,
    )


def member_attendance(meeting: Meeting, user) -> Attendance | None:
    return Attendance.objects.filter(meeting=meeting, member=user).first()
