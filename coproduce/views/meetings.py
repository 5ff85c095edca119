"""Front-end views for meetings: a member's meetings, one meeting's page, its papers, its
calendar file, the member's private calendar feed, and replies (coming, not coming, maybe).

Every meeting is looked up through ``visible_to``, so another panel's meeting (or a guessed
id) is a 404, exactly like one that does not exist. Calendar apps cannot sign in, so the
feed is reached by a secret address instead, which the member can reset.

A member replies from the meeting's page or My space when signed in, or from the links in
their invitation without signing in: a link is signed for one member and one meeting, and
its page shows only that meeting's basics and the reply form. Opening a link never changes
anything; the member confirms with a button.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.permissions import can, require
from cms.storage import stored_file_response

from ..calendar import meeting_when, meetings_calendar
from ..forms.meetings import CalendarResetForm, MeetingReplyForm, QuickReplyForm
from ..models import MeetingReply
from ..rules import is_panel_member
from ..selectors import meetings as selectors
from ..services import Refused
from ..services import meetings as services

PAGE_SIZE = 10
FEED_NAME = "Panel meetings"
FEED_REFRESH_HOURS = 1


def _calendar_response(body: bytes, *, filename: str, attachment: bool) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # Meetings carry joining links: never kept by shared caches.
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_GET
def meeting_list(request):
    require(request.user, "coproduce.view_meetings")
    now = timezone.now()
    showing_past = request.GET.get("when") == "past"
    if showing_past:
        meetings = selectors.meetings_past(request.user, now=now)
    else:
        meetings = selectors.meetings_upcoming(request.user, now=now)
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    for meeting in page:
        meeting.when_text = meeting_when(meeting)
    profile = selectors.calendar_profile_of(request.user)
    feed_url = webcal_url = ""
    if profile is not None:
        feed_url = request.build_absolute_uri(
            reverse("coproduce:calendar_feed", kwargs={"token": profile.calendar_token})
        )
        webcal_url = "webcal://" + feed_url.split("://", 1)[1]
    return render(
        request,
        "coproduce/meetings/meeting_list.html",
        {
            "page_obj": page,
            "showing_past": showing_past,
            "query_string": "when=past" if showing_past else "",
            "profile": profile,
            "feed_url": feed_url,
            "webcal_url": webcal_url,
            "reset_form": CalendarResetForm(
                initial={"token": profile.calendar_token} if profile else None
            ),
        },
    )


@login_required
@require_GET
def meeting_detail(request, pk: int):
    meeting = get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)
    require(request.user, "coproduce.view_meeting", meeting)
    return _meeting_page(request, meeting)


def _meeting_page(request, meeting, *, reply_form=None, status=200):
    now = timezone.now()
    attendance = (
        selectors.member_attendance(meeting, request.user) if meeting.starts_at <= now else None
    )
    attendance_hours = ""
    if attendance is not None and attendance.status == attendance.Status.ATTENDED:
        attendance_hours = f"{attendance.hours.normalize():f}" if attendance.hours else ""
    is_member = is_panel_member(request.user, meeting.panel)
    reply = selectors.member_reply(meeting, request.user) if is_member else None
    reply_closed = services.meeting_reply_refusal(meeting, now=now)
    if is_member and reply_form is None and not reply_closed:
        reply_form = MeetingReplyForm(
            initial={"answer": reply.answer, "note": reply.note} if reply else None
        )
    return render(
        request,
        "coproduce/meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "when": meeting_when(meeting),
            "is_over": meeting.ends_at <= now,
            "papers": selectors.meeting_papers(meeting),
            "arrangements": selectors.member_access_arrangements(meeting, request.user),
            "attendance": attendance,
            "attendance_hours": attendance_hours,
            "is_member": is_member,
            "reply": reply,
            "reply_form": reply_form,
            "reply_closed": reply_closed,
            "not_coming": reply is not None and reply.answer == MeetingReply.Answer.NOT_COMING,
            "can_manage": can(request.user, "coproduce.manage_meeting", meeting),
            "admin_url": reverse("meetings:inspect", args=[meeting.pk]),
        },
        status=status,
    )


REPLY_THANKS = {
    MeetingReply.Answer.COMING: "Thank you. You said you are coming.",
    MeetingReply.Answer.NOT_COMING: "Thank you. You said you are not coming: the people "
    "running the panel will see your apologies.",
    MeetingReply.Answer.MAYBE: "Thank you. You said you may come. You can change your "
    "answer until the meeting starts.",
}


@login_required
@require_POST
def meeting_reply(request, pk: int):
    """A member's answer and note, from the meeting's page."""
    meeting = get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)
    require(request.user, "coproduce.reply_to_meeting", meeting)
    form = MeetingReplyForm(request.POST)
    if form.is_valid():
        try:
            reply = services.meeting_reply(
                member=request.user,
                meeting=meeting,
                answer=form.cleaned_data["answer"],
                note=form.cleaned_data["note"],
                via=MeetingReply.Via.MY_SPACE,
            )
        except Refused as error:
            if error.field is None:
                messages.error(request, error.message)
                return redirect(reverse("coproduce:meeting_detail", args=[meeting.pk]))
            form.add_refusal(error)
        else:
            messages.success(request, REPLY_THANKS[reply.answer])
            return redirect(reverse("coproduce:meeting_detail", args=[meeting.pk]) + "#reply")
    return _meeting_page(request, meeting, reply_form=form, status=400)


@login_required
@require_POST
def meeting_reply_quick(request, pk: int):
    """One of the three answer buttons on My space. A note the member wrote stays with the
    answer it was written for: changing the answer clears it."""
    meeting = get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)
    require(request.user, "coproduce.reply_to_meeting", meeting)
    form = QuickReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your reply was not sent. Choose coming, not coming or maybe.")
        return redirect("my_space")
    answer = form.cleaned_data["answer"]
    current = selectors.member_reply(meeting, request.user)
    note = current.note if current is not None and current.answer == answer else ""
    try:
        reply = services.meeting_reply(
            member=request.user,
            meeting=meeting,
            answer=answer,
            note=note,
            via=MeetingReply.Via.MY_SPACE,
        )
    except Refused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"{REPLY_THANKS[reply.answer]} To add a note for the people running the panel, "
            f"open “{meeting.title}”.",
        )
    return redirect("my_space")


# --- Reply links from invitations, without signing in --------------------------------------------


def _reply_link_target(token: str):
    link = services.meeting_reply_token_read(token)
    if link is None:
        raise Http404
    target = selectors.reply_link_target(meeting_id=link.meeting_id, member_id=link.member_id)
    if target is None:
        raise Http404
    return target


def _private(response):
    # The page carries a personal link: never kept by a shared cache or a search engine.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_reply_link(request, token: str, answer: str = ""):
    """The page a reply link opens: the meeting's basics and the reply form, with the
    answer from the link chosen. Only the button (a POST) saves anything."""
    if answer and answer not in MeetingReply.Answer.values:
        raise Http404
    meeting, member, name = _reply_link_target(token)
    reply = MeetingReply.objects.filter(meeting=meeting, member=member).first()
    closed = services.meeting_reply_refusal(meeting, now=timezone.now())
    status = 200
    form = None
    if request.method == "POST" and not closed:
        form = MeetingReplyForm(request.POST)
        if form.is_valid():
            try:
                reply = services.meeting_reply(
                    member=member,
                    meeting=meeting,
                    answer=form.cleaned_data["answer"],
                    note=form.cleaned_data["note"],
                    via=MeetingReply.Via.EMAIL,
                )
            except Refused as error:
                if error.field is None:
                    closed = error.message
                else:
                    form.add_refusal(error)
            else:
                messages.success(request, REPLY_THANKS[reply.answer])
                return redirect(reverse("coproduce:meeting_reply_link", args=[token]))
        status = 400
    elif request.method == "POST":
        status = 400
    if form is None and not closed:
        initial = {"answer": answer or (reply.answer if reply else None)}
        if reply is not None:
            initial["note"] = reply.note
        form = MeetingReplyForm(initial=initial)
    response = render(
        request,
        "coproduce/meetings/reply_link.html",
        {
            "meeting": meeting,
            "when": meeting_when(meeting),
            "name": name,
            "reply": reply,
            "form": None if closed else form,
            "closed": closed,
            "action": reverse("coproduce:meeting_reply_link", args=[token]),
            "calendar_url": reverse("coproduce:meeting_reply_link_calendar", args=[token]),
            "signed_in_as_them": request.user.is_authenticated and request.user.pk == member.pk,
        },
        status=status,
    )
    return _private(response)


@require_GET
def meeting_reply_link_calendar(request, token: str):
    """The meeting as an .ics file, from the link in a member's notice (no sign-in), until
    the meeting ends."""
    meeting, _member, _name = _reply_link_target(token)
    if meeting.ends_at <= timezone.now():
        raise Http404
    filename = f"{slugify(meeting.title) or 'meeting'}.ics"
    response = _calendar_response(meetings_calendar([meeting]), filename=filename, attachment=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_GET
def meeting_calendar(request, pk: int):
    """The meeting as an .ics file, to open in (or import into) any calendar app."""
    meeting = get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)
    require(request.user, "coproduce.view_meeting", meeting)
    filename = f"{slugify(meeting.title) or 'meeting'}.ics"
    return _calendar_response(meetings_calendar([meeting]), filename=filename, attachment=True)


@login_required
@require_GET
def meeting_paper(request, pk: int, paper_id: int):
    """Stream a paper to a member of the panel; the document's public URL stays closed."""
    paper = selectors.meeting_paper_for(request.user, meeting_id=pk, paper_id=paper_id)
    if paper is None:
        raise Http404
    require(request.user, "coproduce.view_meeting", paper.meeting)
    document = paper.document
    return stored_file_response(request, document.file, filename=document.filename, what="paper")


@require_GET
def calendar_feed(request, token: str):
    """A member's meetings for their calendar app, at their secret address (no sign-in)."""
    profile = selectors.profile_for_calendar_token(token)
    if profile is None:
        raise Http404
    meetings = selectors.meetings_for_feed(profile.user, now=timezone.now())
    body = meetings_calendar(meetings, name=FEED_NAME, refresh_hours=FEED_REFRESH_HOURS)
    response = _calendar_response(body, filename="panel-meetings.ics", attachment=False)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_POST
def calendar_address_reset(request):
    require(request.user, "coproduce.view_meetings")
    form = CalendarResetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your calendar address was not reset. Please try again.")
    else:
        try:
            services.calendar_address_reset(
                user=request.user, current_token=form.cleaned_data["token"]
            )
        except Refused as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                "Your calendar address has been reset. The old address no longer works: "
                "add the new one to your calendar app.",
            )
    return redirect(reverse("coproduce:meeting_list") + "#calendar-address")


urlpatterns = [
    path("panels/meetings/", meeting_list, name="meeting_list"),
    path(
        "panels/meetings/calendar-address/",
        calendar_address_reset,
        name="calendar_address_reset",
    ),
    path("panels/meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("panels/meetings/<int:pk>/calendar.ics", meeting_calendar, name="meeting_calendar"),
    path("panels/meetings/<int:pk>/reply/", meeting_reply, name="meeting_reply"),
    path("panels/meetings/<int:pk>/reply/quick/", meeting_reply_quick, name="meeting_reply_quick"),
    path("panels/meetings/reply/<str:token>/", meeting_reply_link, name="meeting_reply_link"),
    path(
        "panels/meetings/reply/<str:token>/calendar.ics",
        meeting_reply_link_calendar,
        name="meeting_reply_link_calendar",
    ),
    path(
        "panels/meetings/reply/<str:token>/<slug:answer>/",
        meeting_reply_link,
        name="meeting_reply_link_answer",
    ),
    path(
        "panels/meetings/<int:pk>/papers/<int:paper_id>/",
        meeting_paper,
        name="meeting_paper",
    ),
    path("panels/calendar/<slug:token>.ics", calendar_feed, name="calendar_feed"),
]
