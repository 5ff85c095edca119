"""Meetings from scheduling to attendance: schedule, change, cancel, papers, access
arrangements, replies (coming or not), reminders, the member's calendar address, and who
came.

Each change is checked here (the admin and front-end views only ask first, to show a kind
page), logged in Wagtail's audit log and guarded so that a double submission, a second
worker or a second browser tab changes nothing twice. Members hear about new meetings,
changes, cancellations and the coming meeting through ``coproduce.notices.notify``, by the
channel they chose; each notice carries that member's own reply links.

Reply links work without signing in (many members find signing in hard): each is signed
for one member and one meeting (``django.core.signing``, so it cannot be altered or made
up), and stops taking replies when the meeting starts. Opening one changes nothing (mail
scanners follow links): the page asks the member to confirm.
"""

import os
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.log_actions import log
from wagtail.models import Collection

from cms.permissions import can, require
from cms.sanitise import plain_text
from cms.storage import FileNotStored, kept_with_their_records, store_upload

from .. import audit_actions
from ..calendar import (
    meeting_day,
    meeting_page_url,
    meeting_when,
    meetings_calendar,
    site_url,
)
from ..choices import AccessNeed
from ..models import (
    AccessArrangement,
    Attendance,
    InvolvementClaim,
    InvolvementProfile,
    Meeting,
    MeetingPaper,
    MeetingReply,
    Panel,
)
from ..models.profiles import new_calendar_token
from ..notices import notify
from ..rules import is_panel_member
from ..selectors import meetings as selectors
from . import Refused
from .claims import claim_create_for_attendance

PAPERS_COLLECTION = "Panel papers"
PAPER_MAX_BYTES = 10 * 1024 * 1024
HOURS_IN_A_DAY = Decimal("24")
# A claim in these states is with the lead or finance, or paid: attendance behind it stays.
LOCKED_CLAIM_STATUSES = (
    InvolvementClaim.Status.SUBMITTED,
    InvolvementClaim.Status.APPROVED,
    InvolvementClaim.Status.PAID,
)
TIME_AND_PLACE = ("starts_at", "ends_at", "mode", "location", "joining_link")


@dataclass(frozen=True)
class MeetingDetails:
    """What a lead types when scheduling or changing a meeting."""

    panel: Panel
    title: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    location: str = ""
    joining_link: str = ""
    agenda: str = ""

    def cleaned(self) -> "MeetingDetails":
        """Plain text only; a detail the chosen mode does not use is dropped, so an online
        meeting never shows an old address."""
        location = plain_text(self.location)
        link = (self.joining_link or "").strip()
        if self.mode == Meeting.Mode.ONLINE:
            location = ""
        if self.mode == Meeting.Mode.IN_PERSON:
            link = ""
        return replace(
            self,
            title=" ".join(plain_text(self.title).split()),
            location=location,
            joining_link=link,
            agenda=plain_text(self.agenda),
        )


def _check_details(details: MeetingDetails, *, user, meeting: Meeting | None, now) -> None:
    if not can(user, "coproduce.manage_panel", details.panel):
        raise Refused("Choose a panel you run.", field="panel")
    if meeting is None and details.panel.status == Panel.Status.CLOSED:
        raise Refused(
            "This panel has closed, so it cannot have new meetings. Choose another panel.",
            field="panel",
        )
    if meeting is not None and details.panel.pk != meeting.panel_id:
        raise Refused(
            "A meeting cannot move to another panel. Cancel it and schedule a new one.",
            field="panel",
        )
    if not details.title:
        raise Refused("Enter a title for the meeting", field="title")
    if details.mode not in Meeting.Mode.values:
        raise Refused("Choose how people will take part", field="mode")
    if details.ends_at <= details.starts_at:
        raise Refused("The end time must be after the start time", field="ends_at")
    if details.ends_at - details.starts_at > timedelta(hours=12):
        raise Refused("A meeting can be at most 12 hours long", field="ends_at")
    moved = meeting is None or details.starts_at != meeting.starts_at
    if moved and details.starts_at <= now:
        raise Refused(
            "The meeting must start in the future. Check the date and start time.",
            field="starts_at",
        )
    if details.mode != Meeting.Mode.ONLINE and not details.location:
        raise Refused("Enter the address of the meeting", field="location")
    if details.mode != Meeting.Mode.IN_PERSON:
        if not details.joining_link:
            raise Refused("Enter the link to join the meeting online", field="joining_link")
        if not details.joining_link.lower().startswith(("https://", "http://")):
            raise Refused(
                "Enter a link that starts with https://, copied from the video call app",
                field="joining_link",
            )
    clashes = Meeting.objects.filter(
        panel=details.panel,
        status=Meeting.Status.SCHEDULED,
        starts_at__lt=details.ends_at,
        ends_at__gt=details.starts_at,
    )
    if meeting is not None:
        clashes = clashes.exclude(pk=meeting.pk)
    clash = clashes.order_by("starts_at").first()
    if clash is not None:
        raise Refused(
            f"This overlaps with “{clash.title}” on {meeting_when(clash)}. "
            "Choose a time that does not overlap, or change that meeting first.",
            field="starts_at",
        )


@transaction.atomic
def meeting_schedule(*, user, details: MeetingDetails) -> Meeting:
    """Schedule a meeting of a panel the user runs, and invite the panel's members."""
    now = timezone.now()
    details = details.cleaned()
    _check_details(details, user=user, meeting=None, now=now)
    meeting = Meeting.objects.create(
        panel=details.panel,
        title=details.title,
        starts_at=details.starts_at,
        ends_at=details.ends_at,
        mode=details.mode,
        location=details.location,
        joining_link=details.joining_link,
        agenda=details.agenda,
        # A meeting arranged less than two days ahead: the invitation is the reminder, so
        # nobody gets two emails about it within minutes.
        reminder_sent_at=now if _within_reminder_window(details.starts_at, now) else None,
    )
    log(meeting, "wagtail.create", user=user)
    _notify_members(
        meeting,
        kind="new",
        subject=f"New panel meeting: {meeting.title}, {meeting_day(meeting)}",
    )
    return meeting


@transaction.atomic
def meeting_update(*, user, meeting: Meeting, details: MeetingDetails) -> Meeting:
    """Change a meeting. A new time or place raises its SEQUENCE, so calendar apps replace
    the old event, and members are told; a meeting moved further away is reminded again."""
    meeting = Meeting.objects.select_for_update().select_related("panel").get(pk=meeting.pk)
    if meeting.is_cancelled:
        raise Refused("This meeting was cancelled, so it cannot be changed.")
    now = timezone.now()
    details = details.cleaned()
    _check_details(details, user=user, meeting=meeting, now=now)
    changed = [
        name
        for name in ("title", *TIME_AND_PLACE, "agenda")
        if getattr(meeting, name) != getattr(details, name)
    ]
    if not changed:
        return meeting
    moved = any(name in TIME_AND_PLACE for name in changed)
    tell_members = moved and details.ends_at > now
    if tell_members and _within_reminder_window(details.starts_at, now):
        # The change notice reminds them; a reminder minutes later would be one email too many.
        meeting.reminder_sent_at = now
    elif details.starts_at != meeting.starts_at:
        # Moved further away: remind them again nearer the new time.
        meeting.reminder_sent_at = None
    for name in changed:
        setattr(meeting, name, getattr(details, name))
    if moved or "title" in changed:
        meeting.sequence += 1
    meeting.save()
    log(meeting, "wagtail.edit", user=user, data={"changed": changed})
    if tell_members:
        _notify_members(meeting, kind="changed", subject=f"Meeting changed: {meeting.title}")
    return meeting


def _within_reminder_window(starts_at, now) -> bool:
    return starts_at - now <= selectors.REMINDER_WINDOW


@transaction.atomic
def meeting_cancel(*, user, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a meeting that has not started; every member is told, once."""
    require(user, "coproduce.manage_meeting", meeting)
    reason = plain_text(reason)
    if not reason:
        raise Refused(
            "Enter the reason the meeting is cancelled. Members see it in their email.",
            field="reason",
        )
    now = timezone.now()
    if meeting.is_cancelled:
        raise Refused("This meeting has already been cancelled, and members were told then.")
    if meeting.starts_at <= now:
        raise Refused("This meeting has already started, so it cannot be cancelled.")
    # Claimed with a conditional update: of two tabs or a double click, only one cancels
    # and only one round of emails goes out.
    claimed = Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.SCHEDULED).update(
        status=Meeting.Status.CANCELLED,
        cancellation_reason=reason,
        cancelled_at=now,
        sequence=F("sequence") + 1,
        updated_at=now,
    )
    if not claimed:
        raise Refused("This meeting has already been cancelled, and members were told then.")
    meeting.refresh_from_db()
    log(meeting, audit_actions.MEETING_CANCEL, user=user, data={"reason": reason})
    _notify_members(
        meeting,
        kind="cancelled",
        subject=f"Meeting cancelled: {meeting.title}, {meeting_day(meeting)}",
    )
    return meeting


def meeting_delete_refusal(meeting: Meeting) -> str | None:
    """Why a meeting may not be deleted, or None: one members may be expecting is cancelled
    instead (so they are told), and one with attendance is kept (it is part of payment
    records)."""
    if meeting.attendances.exists():
        return (
            "Attendance has been recorded for this meeting, so it cannot be deleted: it is "
            "part of members' payment records."
        )
    if (
        not meeting.is_cancelled
        and meeting.starts_at > timezone.now()
        and selectors.panel_members(meeting.panel_id)
    ):
        return "Members are expecting this meeting. Cancel it instead, so that they are told."
    return None


@transaction.atomic
def meeting_delete(*, user, meeting: Meeting) -> None:
    """Delete a meeting made by mistake (see ``meeting_delete_refusal``)."""
    require(user, "coproduce.manage_meeting", meeting)
    if refusal := meeting_delete_refusal(meeting):
        raise Refused(refusal)
    log(meeting, "wagtail.delete", user=user)
    meeting.delete()


# --- Papers ----------------------------------------------------------------------------------


@transaction.atomic
def meeting_paper_add(*, user, meeting: Meeting, document, title: str = "") -> MeetingPaper:
    """Attach a document from the private "Panel papers" collection to a meeting."""
    require(user, "coproduce.manage_meeting", meeting)
    if document.collection.name != PAPERS_COLLECTION:
        raise Refused(
            f"Choose a document from the “{PAPERS_COLLECTION}” collection, so that only the "
            "panel can open it. Upload it there first if it is somewhere else.",
            field="document",
        )
    if MeetingPaper.objects.filter(meeting=meeting, document=document).exists():
        raise Refused("This document is already one of the meeting's papers.")
    last = meeting.papers.aggregate(last=Max("sort_order"))["last"]
    paper = MeetingPaper.objects.create(
        meeting=meeting,
        document=document,
        title=" ".join(plain_text(title).split())[:120] or document.title[:120],
        sort_order=0 if last is None else last + 1,
    )
    log(paper, "wagtail.create", user=user)
    return paper


@kept_with_their_records
def meeting_paper_upload(*, user, meeting: Meeting, upload, title: str = "") -> MeetingPaper:
    """Upload a new document into the private "Panel papers" collection and attach it."""
    require(user, "coproduce.manage_meeting", meeting)
    collection = Collection.objects.filter(name=PAPERS_COLLECTION, depth=2).first()
    if collection is None:
        raise Refused(
            f"The “{PAPERS_COLLECTION}” collection is missing, so papers cannot be kept "
            "private. Ask an administrator to restore it."
        )
    if upload.size > PAPER_MAX_BYTES:
        raise Refused(
            f"The document must be smaller than {PAPER_MAX_BYTES // (1024 * 1024)} MB",
            field="upload",
        )
    title = " ".join(plain_text(title).split())[:120]
    stem = os.path.splitext(os.path.basename(upload.name))[0]
    document = get_document_model()(
        title=title or stem[:255] or "Meeting paper",
        file=upload,
        collection=collection,
        uploaded_by_user=user,
    )
    try:
        document.clean()
    except ValidationError as error:
        raise Refused(
            "Upload a document of one of the allowed types (PDF, Word, text and the like)",
            field="upload",
        ) from error
    document._set_document_file_metadata()
    try:
        store_upload(document.file, document.file.name, upload)
    except FileNotStored as failure:
        raise Refused(failure.message, field="upload") from failure
    document.save()
    log(document, "wagtail.create", user=user)
    return meeting_paper_add(user=user, meeting=meeting, document=document, title=title)


@transaction.atomic
def meeting_paper_remove(*, user, paper: MeetingPaper) -> None:
    """Take a paper off a meeting; the document itself stays in the collection."""
    require(user, "coproduce.manage_meeting", paper.meeting)
    log(paper, "wagtail.delete", user=user)
    paper.delete()


# --- Access arrangements -----------------------------------------------------------------------


@dataclass(frozen=True)
class ArrangementEntry:
    need: str
    status: str
    detail: str = ""


@transaction.atomic
def access_arrangements_record(
    *, user, meeting: Meeting, entries: list[ArrangementEntry]
) -> list[AccessArrangement]:
    """Record, for each access need, whether it is booked; one row per need and meeting,
    updated in place, so saving twice changes nothing the second time."""
    require(user, "coproduce.manage_meeting", meeting)
    if meeting.is_cancelled:
        raise Refused("This meeting was cancelled, so there is nothing to book.")
    existing = {
        a.need: a for a in AccessArrangement.objects.select_for_update().filter(meeting=meeting)
    }
    saved = []
    for entry in entries:
        if entry.need not in AccessNeed.values:
            raise Refused("That access need is not one we know. Reload the page and try again.")
        if entry.status not in AccessArrangement.Status.values:
            raise Refused("Choose whether each need is booked.")
        detail = plain_text(entry.detail)
        label = AccessNeed(entry.need).label
        if entry.status == AccessArrangement.Status.NOT_POSSIBLE and not detail:
            raise Refused(
                f"Say why “{label}” could not be booked, so the members who need it know.",
                field=entry.need,
            )
        current = existing.get(entry.need)
        if current is not None and (current.status, current.detail) == (entry.status, detail):
            saved.append(current)
            continue
        if current is None and entry.status == AccessArrangement.Status.NEEDED and not detail:
            continue
        arrangement, _ = AccessArrangement.objects.update_or_create(
            meeting=meeting,
            need=entry.need,
            defaults={"status": entry.status, "detail": detail, "updated_by": user},
        )
        log(
            arrangement,
            audit_actions.ACCESS_ARRANGEMENT_RECORD,
            user=user,
            data={"need": entry.need, "status": entry.status},
        )
        saved.append(arrangement)
    return saved


# --- Attendance ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceEntry:
    member_id: int
    status: str
    hours: Decimal | None = None


@transaction.atomic
def attendance_record(
    *, user, meeting: Meeting, entries: list[AttendanceEntry]
) -> list[Attendance]:
    """Record who came, after the meeting has started. Each member has one attendance row,
    updated in place; each member who attended gets a draft claim (once). A change that
    would undo a claim already submitted, approved or paid is refused, and nothing is saved.
    """
    require(user, "coproduce.manage_meeting", meeting)
    if meeting.is_cancelled:
        raise Refused("This meeting was cancelled, so there is no attendance to record.")
    if meeting.starts_at > timezone.now():
        raise Refused("You can record attendance once the meeting has started.")
    rows = {row.user_id: row for row in selectors.attendance_sheet(meeting)}
    current = {
        a.member_id: a for a in Attendance.objects.select_for_update().filter(meeting=meeting)
    }
    claims = {
        c.attendance_id: c
        for c in InvolvementClaim.objects.filter(attendance__meeting=meeting).prefetch_related(
            "expenses"
        )
    }
    saved = []
    for entry in entries:
        row = rows.get(entry.member_id)
        if row is None:
            raise Refused("Only members of this panel can have attendance recorded.")
        if entry.status not in Attendance.Status.values:
            raise Refused(f"Choose whether {row.name} came", field=str(entry.member_id))
        hours = _attended_hours(entry, meeting=meeting, name=row.name)
        attendance = current.get(entry.member_id)
        claim = claims.get(attendance.pk) if attendance else None
        if attendance is not None and (attendance.status, attendance.hours) == (
            entry.status,
            hours,
        ):
            if entry.status == Attendance.Status.ATTENDED and claim is None:
                claim_create_for_attendance(attendance=attendance, user=user)
            saved.append(attendance)
            continue
        if claim is not None:
            _adjust_claim(claim, user=user, name=row.name, status=entry.status, hours=hours)
        attendance, _ = Attendance.objects.update_or_create(
            meeting=meeting,
            member_id=entry.member_id,
            defaults={"status": entry.status, "hours": hours, "recorded_by": user},
        )
        log(
            attendance,
            audit_actions.ATTENDANCE_RECORD,
            user=user,
            data={"status": entry.status, "hours": None if hours is None else str(hours)},
        )
        if entry.status == Attendance.Status.ATTENDED:
            claim_create_for_attendance(attendance=attendance, user=user)
        saved.append(attendance)
    return saved


def _attended_hours(entry: AttendanceEntry, *, meeting: Meeting, name: str) -> Decimal | None:
    """The hours to record: none unless they attended; blank means the whole meeting."""
    if entry.status != Attendance.Status.ATTENDED:
        return None
    hours = meeting.hours if entry.hours is None else Decimal(entry.hours)
    if hours < 0:
        raise Refused(f"Hours for {name} cannot be negative", field=str(entry.member_id))
    if hours > HOURS_IN_A_DAY:
        raise Refused(f"Hours for {name} must be 24 or fewer", field=str(entry.member_id))
    return hours.quantize(Decimal("0.01"))


def _adjust_claim(claim: InvolvementClaim, *, user, name: str, status: str, hours) -> None:
    """Keep a claim in step with corrected attendance while it is still with the member;
    refuse once it has gone on to approval or payment."""
    attended = status == Attendance.Status.ATTENDED
    if claim.status in LOCKED_CLAIM_STATUSES:
        if attended and hours == claim.hours:
            return
        change = (
            "their hours cannot be changed"
            if attended
            else f"you cannot change their attendance to “{Attendance.Status(status).label}”"
        )
        next_step = (
            " Return the claim to them first if it is wrong."
            if claim.status == InvolvementClaim.Status.SUBMITTED
            else ""
        )
        raise Refused(
            f"{name}'s claim for this meeting has been {claim.status}, so {change}.{next_step}"
        )
    if attended:
        if hours != claim.hours:
            claim.hours = hours
            claim.save(update_fields=["hours", "updated_at"])
            log(claim, "wagtail.edit", user=user, data={"changed": ["hours"]})
        return
    # The member did not come after all: the draft claim goes, with any receipts on it.
    receipts = [expense.receipt for expense in claim.expenses.all() if expense.receipt]
    log(claim, "wagtail.delete", user=user, data={"reason": "Attendance changed"})
    claim.delete()
    transaction.on_commit(lambda: [receipt.delete(save=False) for receipt in receipts])


# --- Reminders -------------------------------------------------------------------------------


def meeting_reminders_send(*, now: datetime | None = None) -> int:
    """Remind each member of every meeting starting within two days (except those who said
    they are not coming); returns how many were reminded."""
    now = now or timezone.now()
    return sum(
        meeting_remind(meeting_id=meeting_id, now=now)
        for meeting_id in selectors.meeting_ids_due_reminder(now=now)
    )


@transaction.atomic
def meeting_remind(*, meeting_id: int, now: datetime | None = None) -> int:
    """Send one meeting's reminders, once: the meeting is claimed with a conditional update
    of ``reminder_sent_at`` first, so a second worker or a rerun sends nothing."""
    now = now or timezone.now()
    claimed = Meeting.objects.filter(
        pk=meeting_id,
        status=Meeting.Status.SCHEDULED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
    ).update(reminder_sent_at=now)
    if not claimed:
        return 0
    meeting = Meeting.objects.select_related("panel").get(pk=meeting_id)
    # Members who said they are not coming are not reminded: they have told us already.
    sent = _notify_members(
        meeting,
        kind="reminder",
        subject=f"Reminder: {meeting.title} on {meeting_day(meeting)}",
        skip_not_coming=True,
    )
    log(meeting, audit_actions.MEETING_REMIND, user=None, data={"emails": sent})
    return sent


# --- The member's calendar address -------------------------------------------------------------


@transaction.atomic
def calendar_address_reset(*, user, current_token: str) -> InvolvementProfile:
    """Give the person a new secret calendar address; the old one stops working at once.

    Only the address the person was looking at is replaced, so a double click resets once.
    """
    profile = InvolvementProfile.objects.filter(user=user).first()
    if profile is None:
        raise Refused("You need an involvement profile before you can have a calendar address.")
    replaced = InvolvementProfile.objects.filter(
        pk=profile.pk, calendar_token=current_token
    ).update(calendar_token=new_calendar_token(), updated_at=timezone.now())
    profile.refresh_from_db()
    if replaced:
        log(profile, audit_actions.CALENDAR_ADDRESS_RESET, user=user)
    return profile


# --- Telling members ---------------------------------------------------------------------------

# What a text message says for each notice: short (texts are paid for by the fragment), the
# meeting and the link, never the agenda or the address.
SHORT_TEXTS = {
    "new": "New panel meeting: {title}, {day}. Are you coming? Reply here: {reply_url}",
    "changed": "Panel meeting changed: {title} is now {when}. Can you still come? {reply_url}",
    "reminder": "Reminder: {title}, {when}. {replied}{reply_url}",
    "cancelled": "Meeting cancelled: {title}, {day}. You do not need to do anything.",
}


def _notify_members(
    meeting: Meeting, *, kind: str, subject: str, skip_not_coming: bool = False
) -> int:
    """Tell each accepted member, each with their own copy (nobody sees who else is on the
    panel) carrying their own reply links, by the channel they chose. Returns how many
    were told. ``skip_not_coming`` leaves out those who said they are not coming."""
    members = selectors.panel_member_accounts(meeting.panel_id)
    if not members:
        return 0
    replies = {r.member_id: r for r in meeting.replies.all()}
    context = {
        "meeting": meeting,
        "when": meeting_when(meeting),
        "page_url": meeting_page_url(meeting),
        "meetings_url": site_url(reverse("coproduce:meeting_list")),
    }
    # The meeting for their calendar app, with an email (a cancelled one's file cancels it).
    calendar = (("meeting.ics", meetings_calendar([meeting]), "text/calendar"),)
    told = 0
    for member, name in members:
        reply = replies.get(member.pk)
        if skip_not_coming and reply and reply.answer == MeetingReply.Answer.NOT_COMING:
            continue
        links = meeting_reply_links(meeting, member_id=member.pk)
        body = render_to_string(
            f"coproduce/email/meeting_{kind}.txt",
            {**context, **links, "name": name, "reply": reply},
        )
        text = SHORT_TEXTS[kind].format(
            title=meeting.title,
            day=meeting_day(meeting),
            when=context["when"],
            reply_url=links["reply_url"],
            replied=f"You said: {reply.get_answer_display().lower()}. To change it: "
            if reply
            else "Are you coming? Reply here: ",
        )
        delivery = notify(
            member, "meetings", subject=subject, body=body, text=text, attachments=calendar
        )
        if delivery != "none":
            told += 1
    return told


# --- Replies: coming, not coming, maybe ---------------------------------------------------------

REPLY_SALT = "coproduce.meeting-reply"
REPLY_NOTE_MAX = 500


@dataclass(frozen=True)
class ReplyLink:
    """Whose reply link it is: one member, one meeting."""

    meeting_id: int
    member_id: int


def meeting_reply_token(*, meeting_id: int, member_id: int) -> str:
    """The signed key in a member's reply links for one meeting (short, for text messages)."""
    return signing.Signer(salt=REPLY_SALT).sign(f"{meeting_id}.{member_id}")


def meeting_reply_token_read(token: str) -> ReplyLink | None:
    """Whose link this is, or None if it was altered, made up or cut short."""
    try:
        value = signing.Signer(salt=REPLY_SALT).unsign(token or "")
    except signing.BadSignature:
        return None
    meeting_id, _, member_id = value.partition(".")
    if not all(part.isascii() and part.isdigit() for part in (meeting_id, member_id)):
        return None
    return ReplyLink(meeting_id=int(meeting_id), member_id=int(member_id))


def meeting_reply_links(meeting: Meeting, *, member_id: int) -> dict[str, str]:
    """The addresses a notice gives one member: reply (with each answer chosen) and the
    meeting's calendar file."""
    token = meeting_reply_token(meeting_id=meeting.pk, member_id=member_id)
    links = {"reply_url": site_url(reverse("coproduce:meeting_reply_link", args=[token]))}
    for answer in MeetingReply.Answer.values:
        links[f"{answer}_url"] = site_url(
            reverse("coproduce:meeting_reply_link_answer", args=[token, answer])
        )
    links["calendar_url"] = site_url(reverse("coproduce:meeting_reply_link_calendar", args=[token]))
    return links


def meeting_reply_refusal(meeting: Meeting, *, now, by_staff: bool = False) -> str | None:
    """Why a reply cannot be given now, or None. Members may change their mind until the
    meeting starts; staff may note a reply (a phone call on the day) until it ends."""
    if meeting.is_cancelled:
        return "This meeting has been cancelled, so there is nothing to reply to."
    if meeting.ends_at <= now:
        if by_staff:
            return "This meeting has finished. Record who came on its attendance page instead."
        return "This meeting has finished, so it no longer takes replies."
    if meeting.starts_at <= now and not by_staff:
        return "This meeting has already started, so replies have closed."
    return None


@transaction.atomic
def meeting_reply(
    *,
    member,
    meeting: Meeting,
    answer: str,
    note: str = "",
    via: str = MeetingReply.Via.MY_SPACE,
    now: datetime | None = None,
) -> MeetingReply:
    """A member says whether they are coming (from My space, the meeting's page or a reply
    link). The latest answer counts; the same answer and note again changes nothing."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_related("panel").get(pk=meeting.pk)
    if refusal := meeting_reply_refusal(meeting, now=now):
        raise Refused(refusal)
    if not member.is_active or not is_panel_member(member, meeting.panel):
        raise Refused("Only members of this panel can reply to its meetings.")
    return _reply_save(meeting=meeting, member=member, answer=answer, note=note, via=via, by=member)


@transaction.atomic
def meeting_reply_record(
    *,
    user,
    meeting: Meeting,
    member_id: int,
    answer: str,
    note: str = "",
    now: datetime | None = None,
) -> MeetingReply:
    """A lead records the answer a member gave them by phone, in person or by letter."""
    require(user, "coproduce.manage_meeting", meeting)
    now = now or timezone.now()
    meeting = Meeting.objects.select_related("panel").get(pk=meeting.pk)
    if refusal := meeting_reply_refusal(meeting, now=now, by_staff=True):
        raise Refused(refusal)
    member = next(
        (m for m, _ in selectors.panel_member_accounts(meeting.panel_id) if m.pk == member_id),
        None,
    )
    if member is None:
        raise Refused("Choose a member of this panel", field="member")
    return _reply_save(
        meeting=meeting,
        member=member,
        answer=answer,
        note=note,
        via=MeetingReply.Via.STAFF,
        by=user,
        recorded_by=user,
    )


def _reply_save(
    *, meeting, member, answer: str, note: str, via: str, by, recorded_by=None
) -> MeetingReply:
    if answer not in MeetingReply.Answer.values:
        raise Refused("Choose whether you are coming", field="answer")
    note = plain_text(note)
    if len(note) > REPLY_NOTE_MAX:
        raise Refused(f"The note must be {REPLY_NOTE_MAX} characters or fewer", field="note")
    current = (
        MeetingReply.objects.select_for_update().filter(meeting=meeting, member=member).first()
    )
    if current is not None and (current.answer, current.note) == (answer, note):
        return current
    reply, created = MeetingReply.objects.update_or_create(
        meeting=meeting,
        member=member,
        defaults={"answer": answer, "note": note, "via": via, "recorded_by": recorded_by},
    )
    # The note may say why someone is unwell: it stays out of the audit log.
    log(
        reply,
        "wagtail.create" if created else "wagtail.edit",
        user=by,
        data={"answer": answer, "via": via},
    )
    return reply
