"""Front-end views for meetings: a member's meetings, one meeting's page, its papers, its
calendar file, and the member's private calendar feed.

Every meeting is looked up through ``visible_to``, so another panel's meeting (or a guessed
id) is a 404, exactly like one that does not exist. Calendar apps cannot sign in, so the
feed is reached by a secret address instead, which the member can reset.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from cms.permissions import can, require
from cms.storage import stored_file_response

from ..calendar import meeting_when, meetings_calendar
from ..forms.meetings import CalendarResetForm
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
    now = timezone.now()
    attendance = (
        selectors.member_attendance(meeting, request.user) if meeting.starts_at <= now else None
    )
    attendance_hours = ""
    if attendance is not None and attendance.status == attendance.Status.ATTENDED:
        attendance_hours = f"{attendance.hours.normalize():f}" if attendance.hours else ""
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
            "is_member": is_panel_member(request.user, meeting.panel),
            "can_manage": can(request.user, "coproduce.manage_meeting", meeting),
            "admin_url": reverse("meetings:inspect", args=[meeting.pk]),
        },
    )


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
    path(
        "panels/meetings/<int:pk>/papers/<int:paper_id>/",
        meeting_paper,
        name="meeting_paper",
    ),
    path("panels/calendar/<slug:token>.ics", calendar_feed, name="calendar_feed"),
]
