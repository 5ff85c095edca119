"""Wagtail admin for meetings: leads schedule, change and cancel their panels' meetings,
attach papers, see who is coming (and record a reply a member gave by phone), book access
arrangements for those who may come and record attendance, which starts from the replies.

The viewset shows each lead only the meetings of panels they run (``ScopedModelViewSet``);
every save goes through ``coproduce.services.meetings``, so the admin and the services can
never disagree about what is allowed. The extra pages (cancel, papers, access, attendance)
each check ``coproduce.manage_meeting`` for the meeting in hand, as do the replies page.
"""

import django_filters
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button

from cms.dates import uk_time
from cms.permissions import can
from cms.viewsets import ScopedModelViewSet

from ..calendar import meeting_when, when_text
from ..forms.meetings import (
    AccessArrangementsForm,
    AttendanceForm,
    CancelMeetingForm,
    MeetingForm,
    PaperForm,
    StaffReplyForm,
)
from ..models import Meeting
from ..rules import panels_led_by
from ..selectors import meetings as selectors
from ..services import Refused
from ..services import meetings as services

VIEWSET_NAME = "meetings"


def _url(name: str, meeting) -> str:
    return reverse(f"{VIEWSET_NAME}:{name}", args=[meeting.pk])


def _actions_for(meeting, *, now) -> list[tuple[str, str, str]]:
    """(label, url, icon) of the meeting pages that make sense for it now."""
    actions = [
        ("Replies", _url("replies", meeting), "group"),
        ("Papers", _url("papers", meeting), "doc-full"),
        ("Access arrangements", _url("access", meeting), "user"),
    ]
    if not meeting.is_cancelled and meeting.starts_at <= now:
        actions.append(("Attendance", _url("attendance", meeting), "tick"))
    if not meeting.is_cancelled and meeting.starts_at > now:
        actions.append(("Cancel meeting", _url("cancel", meeting), "cross"))
    return actions


# --- Listing ---------------------------------------------------------------------------------


def _panels_for_filter(request):
    return panels_led_by(request.user if request else None).order_by("title")


class MeetingFilterSet(WagtailFilterSet):
    """Panel (only those the lead runs), status, how, and upcoming or past."""

    panel = django_filters.ModelChoiceFilter(
        label="Panel", queryset=_panels_for_filter, empty_label="Any panel"
    )
    when = django_filters.ChoiceFilter(
        label="When",
        choices=[("upcoming", "Upcoming"), ("past", "Past")],
        method="filter_when",
        empty_label="Any time",
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=Meeting.Status.choices, empty_label="Any status"
    )
    mode = django_filters.ChoiceFilter(
        label="How people take part", choices=Meeting.Mode.choices, empty_label="Any way"
    )

    class Meta:
        model = Meeting
        fields = ["panel", "when", "status", "mode"]

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(ends_at__gt=now)
        if value == "past":
            return queryset.filter(ends_at__lte=now)
        return queryset


def _uk_text(value) -> str:
    return uk_time(value).strftime("%Y-%m-%d %H:%M") if value else ""


class MeetingIndexView(ScopedModelViewSet.index_view_class):
    # Spreadsheets get UK times, not UTC, so they match what members were told.
    custom_field_preprocess = {
        "starts_at": {"csv": _uk_text, "xlsx": _uk_text},
        "ends_at": {"csv": _uk_text, "xlsx": _uk_text},
    }

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("panel")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        now = timezone.now()
        for priority, (label, url, icon) in enumerate(_actions_for(instance, now=now), 40):
            buttons.append(MenuItem(label, url=url, icon_name=icon, priority=priority))
        return buttons


# --- Schedule, change, delete, inspect -------------------------------------------------------


class _RefusalShownOnForm:
    """Run the service inside Wagtail's save; a refusal re-shows the form with the message
    beside its field and everything the lead typed."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except Refused as error:
            form.add_refusal(error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class MeetingCreateView(_RefusalShownOnForm, generic.CreateView):
    page_title = "Schedule a meeting"
    submit_button_label = "Schedule meeting"
    submit_button_active_label = "Scheduling…"
    success_message = "Meeting “%(object)s” scheduled. Its panel's members have been emailed."

    def save_instance(self):
        return services.meeting_schedule(user=self.request.user, details=self.form.details())

    def get_success_url(self):
        return _url("inspect", self.object)


class MeetingEditView(_RefusalShownOnForm, ScopedModelViewSet.edit_view_class):
    success_message = "Meeting “%(object)s” saved."

    def get(self, request, *args, **kwargs):
        meeting = self.get_object()
        if meeting.is_cancelled:
            messages.warning(request, "This meeting was cancelled, so it cannot be changed.")
            return HttpResponseRedirect(_url("inspect", meeting))
        return super().get(request, *args, **kwargs)

    def save_instance(self):
        return services.meeting_update(
            user=self.request.user, meeting=self.object, details=self.form.details()
        )

    def get_success_url(self):
        return _url("inspect", self.object)

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        for priority, (label, url, icon) in enumerate(
            _actions_for(self.object, now=timezone.now()), 40
        ):
            buttons.append(Button(label, url=url, icon_name=icon, priority=priority))
        return buttons


class MeetingDeleteView(ScopedModelViewSet.delete_view_class):
    def get(self, request, *args, **kwargs):
        if refusal := services.meeting_delete_refusal(self.object):
            messages.warning(request, refusal)
            return HttpResponseRedirect(_url("inspect", self.object))
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.meeting_delete(user=self.request.user, meeting=self.object)
        except Refused as error:
            messages.error(self.request, error.message)
            return HttpResponseRedirect(_url("inspect", self.object))
        messages.success(self.request, f"Meeting “{self.object.title}” deleted.")
        return HttpResponseRedirect(reverse(f"{VIEWSET_NAME}:index"))


class MeetingInspectView(ScopedModelViewSet.inspect_view_class):
    """The meeting at a glance: when and where, papers, access needs and what is booked."""

    LABELS = {
        "when": "When (UK time)",
        "replies": "Replies",
        "apologies": "Apologies",
        "papers": "Papers",
        "access": "Access needs",
        "reminder_sent_at": "Reminder emailed",
        "cancellation_reason": "Why it was cancelled",
        "mode": "How people take part",
        "location": "Address",
        "joining_link": "Link to join online",
    }

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.meetings_visible_to(self.request.user), pk=self.pk)

    def get_fields(self):
        meeting = self.object
        fields = ["panel", "title", "when", "status", "mode"]
        if meeting.is_cancelled:
            fields.insert(4, "cancellation_reason")
        if meeting.mode != Meeting.Mode.ONLINE:
            fields.append("location")
        if meeting.mode != Meeting.Mode.IN_PERSON:
            fields.append("joining_link")
        return fields + ["agenda", "replies", "apologies", "papers", "access", "reminder_sent_at"]

    def setup(self, request, *args, **kwargs):
        # The object is needed to choose the fields, so it is loaded first.
        super(generic.InspectView, self).setup(request, *args, **kwargs)
        self.pk = self.kwargs[self.pk_url_kwarg]
        self.object = self.get_object()
        self.fields = self.get_fields()

    def get_field_label(self, field_name, field):
        if field_name in self.LABELS:
            return self.LABELS[field_name]
        return super().get_field_label(field_name, field)

    def get_when_display_value(self):
        return meeting_when(self.object)

    def get_reminder_sent_at_display_value(self):
        sent = self.object.reminder_sent_at
        return when_text(sent) if sent else "Not yet"

    @cached_property
    def reply_summary(self):
        return selectors.reply_summary(self.object)

    def get_replies_display_value(self):
        if not self.reply_summary.members:
            return "The panel has no members yet."
        return self.reply_summary.text

    def get_apologies_display_value(self):
        apologies = self.reply_summary.apologies
        if not apologies:
            return "None"
        return "; ".join(f"{row.name}: “{row.reply.note}”" for row in apologies)

    def get_papers_display_value(self):
        papers = selectors.meeting_papers(self.object)
        return "; ".join(p.title for p in papers) or "None yet"

    def get_access_display_value(self):
        needs = selectors.meeting_access_needs(self.object)
        if not needs:
            return "No member who may come has told us about an access need."
        return "; ".join(
            f"{s.label} — {s.count} {'person' if s.count == 1 else 'people'}: "
            + ("no longer needed" if s.no_longer_needed else s.status_label)
            for s in needs
        )

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.object.is_cancelled:
            buttons = [b for b in buttons if b.label != "Edit"]
        for priority, (label, url, icon) in enumerate(
            _actions_for(self.object, now=timezone.now()), 40
        ):
            buttons.append(Button(label, url=url, icon_name=icon, priority=priority))
        return buttons


# --- The meeting's own pages: cancel, papers, access, attendance -------------------------------


class MeetingPageView(WagtailAdminTemplateMixin, View):
    """A page about one meeting that only the people running its panel may use."""

    model = Meeting
    header_icon = "date"
    index_url_name = None
    page_title = ""

    def dispatch(self, request, pk, *args, **kwargs):
        self.meeting = get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)
        if not can(request.user, "coproduce.manage_meeting", self.meeting):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.meeting.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{VIEWSET_NAME}:index"), "label": "Meetings"},
            {"url": _url("inspect", self.meeting), "label": self.meeting.title},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            meeting=self.meeting,
            when=meeting_when(self.meeting),
            back_url=_url("inspect", self.meeting),
        )
        return context

    def render(self, status=200, **kwargs):
        return self.render_to_response(self.get_context_data(**kwargs), status=status)

    def back(self):
        return HttpResponseRedirect(_url("inspect", self.meeting))


class MeetingCancelView(MeetingPageView):
    page_title = "Cancel meeting"
    template_name = "coproduce/admin/meetings/cancel.html"

    def _refusal_on_arrival(self):
        if self.meeting.is_cancelled:
            return "This meeting has already been cancelled, and members were told then."
        if self.meeting.starts_at <= timezone.now():
            return "This meeting has already started, so it cannot be cancelled."
        return None

    def get(self, request):
        if refusal := self._refusal_on_arrival():
            messages.warning(request, refusal)
            return self.back()
        return self.render(form=CancelMeetingForm(), **self._context())

    def post(self, request):
        form = CancelMeetingForm(request.POST)
        if form.is_valid():
            try:
                services.meeting_cancel(
                    user=request.user, meeting=self.meeting, reason=form.cleaned_data["reason"]
                )
            except Refused as error:
                if error.field is None:
                    messages.warning(request, error.message)
                    return self.back()
                form.add_refusal(error)
            else:
                messages.success(
                    request,
                    f"Meeting “{self.meeting.title}” cancelled. Its members are being emailed.",
                )
                return self.back()
        messages.validation_error(request, "The meeting was not cancelled.", form)
        return self.render(form=form, status=400, **self._context())

    def _context(self):
        return {"member_count": len(selectors.panel_members(self.meeting.panel_id))}


class PapersView(MeetingPageView):
    page_title = "Papers"
    template_name = "coproduce/admin/meetings/papers.html"

    def get(self, request):
        return self.render(
            form=PaperForm(user=request.user), papers=selectors.meeting_papers(self.meeting)
        )

    def post(self, request):
        form = PaperForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["upload"] is not None:
                    paper = services.meeting_paper_upload(
                        user=request.user,
                        meeting=self.meeting,
                        upload=data["upload"],
                        title=data["title"],
                    )
                else:
                    paper = services.meeting_paper_add(
                        user=request.user,
                        meeting=self.meeting,
                        document=data["document"],
                        title=data["title"],
                    )
            except Refused as error:
                form.add_refusal(error)
            else:
                messages.success(request, f"“{paper.title}” added to the meeting's papers.")
                return HttpResponseRedirect(_url("papers", self.meeting))
        messages.validation_error(request, "The paper was not added.", form)
        return self.render(form=form, papers=selectors.meeting_papers(self.meeting), status=400)


class PaperRemoveView(MeetingPageView):
    page_title = "Remove paper"
    http_method_names = ["post"]

    def post(self, request, paper_id):
        paper = self.meeting.papers.filter(pk=paper_id).first()
        if paper is None:
            messages.warning(request, "That paper had already been removed.")
        else:
            paper.meeting = self.meeting
            services.meeting_paper_remove(user=request.user, paper=paper)
            messages.success(request, f"“{paper.title}” removed from the meeting's papers.")
        return HttpResponseRedirect(_url("papers", self.meeting))


class RepliesView(MeetingPageView):
    """Who is coming, by answer, with their notes and apologies; the lead records a reply a
    member gave by phone, in person or by letter."""

    page_title = "Replies"
    template_name = "coproduce/admin/meetings/replies.html"

    def _render(self, form=None, status=200):
        summary = selectors.reply_summary(self.meeting)
        closed = services.meeting_reply_refusal(self.meeting, now=timezone.now(), by_staff=True)
        if form is None and not closed:
            form = StaffReplyForm(members=summary.members)
        return self.render(
            summary=summary, form=None if closed else form, closed=closed, status=status
        )

    def get(self, request):
        return self._render()

    def post(self, request):
        summary_members = selectors.panel_members(self.meeting.panel_id)
        form = StaffReplyForm(request.POST, members=summary_members)
        if form.is_valid():
            data = form.cleaned_data
            try:
                reply = services.meeting_reply_record(
                    user=request.user,
                    meeting=self.meeting,
                    member_id=data["member"],
                    answer=data["answer"],
                    note=data["note"],
                )
            except Refused as error:
                if error.field is None:
                    messages.warning(request, error.message)
                    return HttpResponseRedirect(_url("replies", self.meeting))
                form.add_refusal(error)
            else:
                name = next(m.name for m in summary_members if m.user_id == reply.member_id)
                messages.success(
                    request, f"Reply saved: {name}, {reply.get_answer_display().lower()}."
                )
                return HttpResponseRedirect(_url("replies", self.meeting))
        messages.validation_error(request, "The reply was not saved.", form)
        return self._render(form=form, status=400)


class AccessArrangementsView(MeetingPageView):
    page_title = "Access arrangements"
    template_name = "coproduce/admin/meetings/access.html"

    def _form(self, data=None):
        return AccessArrangementsForm(data, needs=selectors.meeting_access_needs(self.meeting))

    def get(self, request):
        return self.render(form=self._form())

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                services.access_arrangements_record(
                    user=request.user, meeting=self.meeting, entries=form.entries()
                )
            except Refused as error:
                form.add_refusal(error)
            else:
                messages.success(request, "Access arrangements saved.")
                return HttpResponseRedirect(_url("access", self.meeting))
        messages.validation_error(request, "The access arrangements were not saved.", form)
        return self.render(form=form, status=400)


class AttendanceView(MeetingPageView):
    page_title = "Attendance"
    template_name = "coproduce/admin/meetings/attendance.html"

    def _form(self, data=None):
        return AttendanceForm(
            data,
            rows=selectors.attendance_sheet(self.meeting),
            default_hours=self.meeting.hours,
        )

    def _not_yet(self):
        if self.meeting.is_cancelled:
            return "This meeting was cancelled, so there is no attendance to record."
        if self.meeting.starts_at > timezone.now():
            return "You can record attendance once the meeting has started."
        return None

    def get(self, request):
        return self.render(form=None if self._not_yet() else self._form(), not_yet=self._not_yet())

    def post(self, request):
        if not_yet := self._not_yet():
            messages.warning(request, not_yet)
            return self.back()
        form = self._form(request.POST)
        if form.is_valid():
            try:
                saved = services.attendance_record(
                    user=request.user, meeting=self.meeting, entries=form.entries()
                )
            except Refused as error:
                form.add_refusal(error)
            else:
                attended = sum(1 for a in saved if a.status == a.Status.ATTENDED)
                messages.success(
                    request,
                    f"Attendance saved. {attended} member{'s' if attended != 1 else ''} "
                    "attended: each has a draft claim to check.",
                )
                return HttpResponseRedirect(_url("attendance", self.meeting))
        messages.validation_error(request, "The attendance was not saved.", form)
        return self.render(form=form, status=400)


# --- The viewset -------------------------------------------------------------------------------


class MeetingViewSet(ScopedModelViewSet):
    """Panel meetings, for the leads who run the panels."""

    model = Meeting
    icon = "date"
    menu_label = "Meetings"
    menu_order = 420
    add_to_admin_menu = True
    index_view_class = MeetingIndexView
    add_view_class = MeetingCreateView
    edit_view_class = MeetingEditView
    delete_view_class = MeetingDeleteView
    inspect_view_class = MeetingInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = MeetingFilterSet
    ordering = ["-starts_at"]
    list_display = [
        "title",
        "panel",
        Column("when", label="When (UK time)", accessor=meeting_when, sort_key="starts_at"),
        "mode",
        "status",
    ]
    search_fields = ["title", "agenda", "location"]
    list_export = [
        "panel",
        "title",
        "starts_at",
        "ends_at",
        "get_mode_display",
        "location",
        "joining_link",
        "get_status_display",
        "cancellation_reason",
    ]
    export_headings = {
        "panel": "Panel",
        "title": "Title",
        "starts_at": "Starts (UK time)",
        "ends_at": "Ends (UK time)",
        "get_mode_display": "How people take part",
        "location": "Address",
        "joining_link": "Link to join online",
        "get_status_display": "Status",
        "cancellation_reason": "Why it was cancelled",
    }
    export_filename = "meetings"

    def get_form_class(self, for_update=False):
        return MeetingForm

    def _page_view(self, view_class):
        return self.construct_view(view_class)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("cancel/<int:pk>/", self._page_view(MeetingCancelView), name="cancel"),
            path("papers/<int:pk>/", self._page_view(PapersView), name="papers"),
            path(
                "papers/<int:pk>/remove/<int:paper_id>/",
                self._page_view(PaperRemoveView),
                name="paper_remove",
            ),
            path("replies/<int:pk>/", self._page_view(RepliesView), name="replies"),
            path("access/<int:pk>/", self._page_view(AccessArrangementsView), name="access"),
            path("attendance/<int:pk>/", self._page_view(AttendanceView), name="attendance"),
        ]


def register_meeting_viewset():
    return MeetingViewSet(VIEWSET_NAME)
