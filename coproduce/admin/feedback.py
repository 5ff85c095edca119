"""Feedback in the Wagtail admin: engagement leads read, sort and answer the feedback on
their organisation's offers, see its trends, and editors keep the themes it is sorted by.

The list, inspect and history views show only the feedback the lead moderates
(``feedback_moderated_by``: their organisation's, or all with partnership-wide access).
Nobody adds, edits or deletes feedback here: it comes from people on the site and must
never vanish, so every change is one moderation action (triage, hide, quote, respond,
link, close, reopen), each a service that is logged. Who gave feedback is never shown.
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.views.generic import TemplateView
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.auth import permission_denied
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.widgets.button import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import SnippetViewSet

from cms import audit
from cms.admin_dates import DateColumn
from cms.dates import day_in_words
from cms.exports import export_audit_subject as audit_subject
from cms.months import month_start
from cms.permissions import can
from cms.personal_details import personal_details_in
from cms.viewsets import OnceOnlyAddViewSet, ScopedModelViewSet

from ..forms.feedback import (
    HideForm,
    LinkChangeForm,
    QuoteForm,
    ResponseForm,
    TriageForm,
)
from ..models import Feedback, Theme
from ..selectors import feedback as selectors
from ..services import Refused
from ..services import feedback as services
from .feedback_trends import FeedbackTrendsViewSet

Status = Feedback.Status

# --- Permissions ----------------------------------------------------------------------------


class FeedbackPermissionPolicy(ModelPermissionPolicy):
    """Feedback comes from people on the site and is kept as they gave it: nobody adds or
    deletes it in the admin, whatever their model permissions (administrators included)."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action not in ("add", "delete")]
        if not actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(actions)


# --- Themes, kept by editors ---------------------------------------------------------------------


class ThemeViewSet(OnceOnlyAddViewSet, SnippetViewSet):
    """What feedback is about. Editors add, rename and order themes; leads may look."""

    model = Theme
    icon = "tag"
    menu_label = "Feedback themes"
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["name", "description"]
    search_fields = ["name", "description"]
    # Editors drag themes into the order people see them on the feedback form.
    sort_order_field = "sort_order"


# --- The list ---------------------------------------------------------------------------------


def received_month_choices(today=None) -> list[tuple[str, str]]:
    """The last two years of months, newest first, as filter choices ("2026-11")."""
    today = today or timezone.localdate()
    months = [month_start(today, months_back=n) for n in range(24)]
    return [(f"{month:%Y-%m}", selectors.month_name(month)) for month in months]


def _offers_for_filter(request):
    return selectors.trend_offers(request.user)


class FeedbackFilterSet(WagtailFilterSet):
    """Filters whose choices show only what the person moderates."""

    status = ChoiceFilter(choices=Status.choices, empty_label="Any status")
    received = ChoiceFilter(label="Month received", method="filter_received", empty_label="Any")
    theme = ModelChoiceFilter(
        label="Theme",
        queryset=Theme.objects.all(),
        method="filter_theme",
        empty_label="Any theme",
    )
    offer = ModelChoiceFilter(label="Offer", queryset=_offers_for_filter, empty_label="Any offer")
    rating = ChoiceFilter(choices=Feedback.Rating.choices, empty_label="Any rating")
    felt_listened_to = ChoiceFilter(
        label="Felt listened to", choices=Feedback.Listened.choices, empty_label="Any answer"
    )
    source = ChoiceFilter(choices=Feedback.Source.choices, empty_label="Anyone")
    hidden = ChoiceFilter(
        label="Shown or hidden",
        choices=[("shown", "Not hidden"), ("hidden", "Hidden")],
        method="filter_hidden",
        empty_label="Either",
    )

    class Meta:
        model = Feedback
        fields = [
            "status",
            "received",
            "theme",
            "offer",
            "rating",
            "felt_listened_to",
            "source",
            "hidden",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["received"].extra["choices"] = received_month_choices()

    def filter_received(self, queryset, name, value):
        year, month = (int(part) for part in value.split("-"))
        first = date(year, month, 1)
        last = month_start(first, months_back=-1) - timedelta(days=1)
        return selectors.received_between(queryset, first, last)

    def filter_theme(self, queryset, name, value):
        # A subquery, not a join: feedback with several themes is listed once.
        return queryset.filter(
            pk__in=Feedback.themes.through.objects.filter(theme=value).values("feedback_id")
        )

    def filter_hidden(self, queryset, name, value):
        return queryset.filter(hidden=value == "hidden")


def feedback_title(feedback) -> str:
    """How a page names one feedback: its offer and the day it came, like "1 December 2026"."""
    received = day_in_words(feedback.created_at)
    return f"{feedback.offer_title}, received {received}"


def _said(feedback) -> str:
    text = " / ".join(part for part in (feedback.went_well, feedback.could_be_better) if part)
    return Truncator(text).chars(90)


def _flags(feedback) -> str:
    flags = []
    if feedback.personal_details:
        flags.append("May contain " + ", ".join(feedback.personal_details))
    if feedback.hidden:
        flags.append("Hidden")
    if feedback.is_published:
        flags.append("Published")
    return "; ".join(flags) or "-"


def _themes(feedback) -> str:
    return ", ".join(theme.name for theme in feedback.themes.all()) or "-"


EXPORT_HEADINGS = {
    "received": "Received",
    "offer": "Offer",
    "organisation": "Organisation",
    "source": "From",
    "rating": "Rating",
    "felt_listened_to": "Felt listened to",
    "themes": "Themes",
    "went_well": "What went well",
    "could_be_better": "What could be better",
    "personal_details": "May contain",
    "consent": "Agreed to be quoted",
    "status": "Status",
    "hidden": "Hidden because",
    "public_quote": "Published words",
    "public_response": "Public response",
    "responded_at": "Responded on",
    "service_change": "Service change",
}


def feedback_export_row(feedback: Feedback) -> dict:
    """One feedback as a row of the export: everything but who gave it."""
    return {
        "received": timezone.localtime(feedback.created_at).date().isoformat(),
        "offer": feedback.offer_title,
        "organisation": feedback.organisation.name,
        "source": feedback.get_source_display(),
        "rating": f"{feedback.rating} ({feedback.get_rating_display()})",
        "felt_listened_to": feedback.get_felt_listened_to_display(),
        "themes": _themes(feedback),
        "went_well": feedback.went_well,
        "could_be_better": feedback.could_be_better,
        "personal_details": ", ".join(feedback.personal_details),
        "consent": "Yes" if feedback.consent_to_publish else "No",
        "status": feedback.get_status_display(),
        "hidden": feedback.hidden_reason if feedback.hidden else "",
        "public_quote": feedback.public_quote,
        "public_response": feedback.public_response,
        "responded_at": (
            timezone.localtime(feedback.responded_at).date().isoformat()
            if feedback.responded_at
            else ""
        ),
        "service_change": feedback.service_change.title if feedback.service_change else "",
    }


class FeedbackIndexView(ScopedModelViewSet.index_view_class):
    """The feedback the lead moderates, newest first, with each row's themes fetched up
    front; every export is written to the audit log."""

    def get_base_queryset(self):
        return selectors.feedback_to_moderate(self.request.user).select_related("service_change")

    def to_row_dict(self, item):
        return feedback_export_row(item)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        audit.audit_export(
            user=self.request.user,
            instance=audit_subject(self.request.user),
            reason="Feedback on offers exported",
            count=queryset.count(),
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def stream_csv(self, queryset):
        # A byte order mark, so spreadsheet programs read accented letters as UTF-8.
        yield "\ufeff"
        yield from super().stream_csv(queryset)

    @cached_property
    def columns(self):
        columns = super().columns
        columns[0].label = "Offer"
        return columns

    def get_list_more_buttons(self, instance):
        buttons = [
            button for button in super().get_list_more_buttons(instance) if button.label != "Edit"
        ]
        if self.get_edit_url(instance):
            buttons.insert(
                0,
                MenuItem(
                    "Moderate", url=self.get_edit_url(instance), icon_name="edit", priority=10
                ),
            )
        return buttons


class _ModeratedOnly:
    """One feedback's admin views: feedback the person does not moderate is a 404, like
    feedback that does not exist (even their own, which they read in My space)."""

    def get_object(self, *args, **kwargs):
        feedback = super().get_object(*args, **kwargs)
        if not selectors.feedback_moderated_by(self.request.user).filter(pk=feedback.pk).exists():
            raise Http404
        return feedback


INSPECT_LABELS = {
    "offer_title": "Offer",
    "organisation": "Organisation",
    "created_at": "Received",
    "source": "From",
    "rating": "Overall",
    "felt_listened_to": "Felt listened to",
    "themes": "Themes",
    "went_well": "What went well",
    "could_be_better": "What could be better",
    "consent_to_publish": "Agreed to be quoted",
    "status": "Status",
    "hidden_reason": "Hidden because",
    "public_quote": "Published words",
    "public_response": "Public response",
    "responded_at": "Responded on",
    "service_change": "Service change",
    "closed_at": "Closed on",
}


class FeedbackInspectView(_ModeratedOnly, ScopedModelViewSet.inspect_view_class):
    """One feedback in full, with the personal details it may contain shown first, so
    nothing identifying is published by mistake."""

    template_name = "coproduce/admin/feedback/inspect.html"

    def get(self, request, *args, **kwargs):
        audit.audit_view(
            user=request.user,
            instance=self.object,
            reason="Engagement lead opened feedback they moderate",
        )
        return super().get(request, *args, **kwargs)

    def get_page_subtitle(self):
        return feedback_title(self.object)

    def get_field_label(self, field_name, field):
        return INSPECT_LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        feedback = self.object
        if field_name in ("created_at", "responded_at", "closed_at"):
            value = getattr(feedback, field_name)
            return day_in_words(value) if value else "-"
        if field_name == "consent_to_publish":
            return "Yes" if feedback.consent_to_publish else "No"
        if field_name == "hidden_reason":
            return feedback.hidden_reason if feedback.hidden else "Not hidden"
        if field_name in ("went_well", "could_be_better", "public_quote", "public_response"):
            return getattr(feedback, field_name) or "-"
        if field_name == "service_change":
            return feedback.service_change.title if feedback.service_change else "-"
        return super().get_field_display_value(field_name, field)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            feedback=self.object,
            can_moderate=can(self.request.user, "coproduce.moderate_feedback", self.object),
            history=selectors.feedback_history(self.object),
        )
        return context


class FeedbackHistoryView(_ModeratedOnly, ScopedModelViewSet.history_view_class):
    """Every logged action on one feedback, for the leads who moderate it."""

    any_permission_required = ["view", "change"]


# --- Moderating one feedback -------------------------------------------------------------------


class FeedbackModerateView(WagtailAdminTemplateMixin, TemplateView):
    """Everything a lead does with one feedback, on one page.

    The page is one form, so whichever button the lead presses the browser sends everything
    the page shows, and one save path (``post``) decides what to keep: the pressed action,
    and any other section the lead changed on the page (the words to publish, the response,
    the themes, the link), each through its own service, which writes only its own fields.
    A section the lead did not touch is compared with what the page showed them (not with
    what is saved now), so a button pressed on an old page never puts back words another
    lead redacted, and what the lead typed is never quietly thrown away. If anything is
    wrong nothing is saved and the page comes back with everything as typed.
    """

    template_name = "coproduce/admin/feedback/moderate.html"
    header_icon = "comment"
    page_title = "Moderate feedback"
    ACTIONS = ("triage", "quote", "respond", "link", "hide", "unhide", "close", "reopen")
    # The sections whose fields keep what the page shows; saved whenever the lead changed them.
    SECTIONS = ("triage", "quote", "respond", "link")

    def dispatch(self, request, pk):
        self.feedback = get_object_or_404(
            selectors.feedback_to_moderate(request.user).select_related("service_change", "offer"),
            pk=pk,
        )
        if not can(request.user, "coproduce.moderate_feedback", self.feedback):
            return permission_denied(request)
        self.action_error = ""
        return super().dispatch(request, pk)

    def get(self, request, *args, **kwargs):
        audit.audit_view(
            user=request.user,
            instance=self.feedback,
            reason="Engagement lead opened feedback to moderate it",
        )
        return super().get(request, *args, **kwargs)

    def get_page_subtitle(self):
        return feedback_title(self.feedback)

    @cached_property
    def url(self):
        return reverse("feedback:edit", args=[self.feedback.pk])

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("feedback:index"), "label": "Feedback"},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def _forms(self, bound=()) -> dict:
        """Every form on the page: those named in ``bound`` hold what was sent, the others
        show the feedback as it is."""
        feedback, user = self.feedback, self.request.user
        data = self.request.POST

        def kwargs(name):
            return {"data": data} if name in bound else {}

        return {
            "triage": TriageForm(
                themes=Theme.objects.all(),
                initial={"themes": list(feedback.themes.all())},
                **kwargs("triage"),
            ),
            "quote": QuoteForm(
                initial={"quote": feedback.public_quote or services.quote_suggested(feedback)},
                **kwargs("quote"),
            ),
            "respond": ResponseForm(
                initial={"response": feedback.public_response}, **kwargs("respond")
            ),
            "link": LinkChangeForm(
                changes=selectors.service_changes_for_linking(user),
                initial={"service_change": feedback.service_change_id},
                **kwargs("link"),
            ),
            "hide": HideForm(**kwargs("hide")),
        }

    def get_context_data(self, forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        feedback = self.feedback
        context.update(
            feedback=feedback,
            forms=forms or self._forms(),
            action_error=self.action_error,
            url=self.url,
            quote_flags=personal_details_in(feedback.public_quote),
            history=selectors.feedback_history(feedback, limit=10),
            history_url=reverse("feedback:history", args=[feedback.pk]),
            inspect_url=reverse("feedback:inspect", args=[feedback.pk]),
        )
        return context

    def post(self, request, pk):
        action = request.POST.get("action")
        if action not in self.ACTIONS:
            messages.error(request, "Choose what to do with this feedback.")
            return redirect(self.url)
        sent = self._forms(bound=self.ACTIONS)
        changed = [name for name in self.SECTIONS if name != action and sent[name].has_changed()]
        steps = [*changed, action]
        # Only the pressed action and the sections the lead changed are checked and saved;
        # the rest of the page shows the feedback as it is.
        forms = self._forms(bound=steps)
        if any(name in forms and not forms[name].is_valid() for name in steps):
            return self.render_to_response(self.get_context_data(forms=forms), status=400)
        done, name = [], action
        try:
            with transaction.atomic():
                for name in steps:
                    form = forms.get(name)
                    done.append(self._act(name, form.cleaned_data if form is not None else {}))
        except Refused as refusal:
            form = forms.get(name)
            if form is not None:
                form.add_error(None, refusal.message)
            else:
                self.action_error = refusal.message
            return self.render_to_response(self.get_context_data(forms=forms), status=400)
        for message in done:
            messages.success(request, message)
        if "quote" in steps:
            flags = personal_details_in(forms["quote"].cleaned_data["quote"])
            if flags:
                messages.warning(
                    request,
                    f"The published words may still contain {', '.join(flags)}. Check them, "
                    "and take out anything that could identify someone.",
                )
        return redirect(self.url)

    def _act(self, action: str, values: dict) -> str:
        """Call the action's service; returns what to tell the lead."""
        kwargs = {"feedback": self.feedback, "user": self.request.user}
        if action == "triage":
            services.feedback_triage(**kwargs, themes=values["themes"])
            return "Feedback triaged. Its themes are saved."
        if action == "quote":
            feedback = services.feedback_set_quote(**kwargs, quote=values["quote"])
            if not feedback.public_quote:
                return "No words from this feedback are published."
            if feedback.hidden:
                return "Words saved. They are not shown while the feedback is hidden."
            return "Words published on the offer page."
        if action == "respond":
            feedback = services.feedback_respond(**kwargs, response=values["response"])
            if feedback.author_id:
                return "Response published. The person who gave it has been emailed."
            return "Response published."
        if action == "link":
            feedback = services.feedback_link_change(
                **kwargs, service_change=values["service_change"]
            )
            if feedback.service_change is None:
                return "Feedback not linked to any service change."
            return f"Feedback linked to “{feedback.service_change.title}”."
        if action == "hide":
            services.feedback_hide(**kwargs, reason=values["reason"])
            return "Feedback hidden from the offer page and its ratings."
        if action == "unhide":
            services.feedback_unhide(**kwargs)
            return "Feedback no longer hidden."
        if action == "close":
            services.feedback_close(**kwargs)
            return "Feedback closed."
        services.feedback_reopen(**kwargs)
        return "Feedback reopened."


class FeedbackViewSet(ScopedModelViewSet):
    """Feedback on the offers of the lead's organisation (partnership-wide: all)."""

    model = Feedback
    name = "feedback"
    icon = "comment"
    menu_label = "Feedback"
    # Feedback must not appear in offers' and changes' usage listings.
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = FeedbackIndexView
    inspect_view_class = FeedbackInspectView
    history_view_class = FeedbackHistoryView
    filterset_class = FeedbackFilterSet
    list_per_page = 50
    ordering = "-created_at"
    search_fields = ["went_well", "could_be_better", "offer_title", "public_quote"]
    search_backend_name = None
    list_export = list(EXPORT_HEADINGS)
    export_headings = EXPORT_HEADINGS
    export_filename = "feedback"
    inspect_view_fields = list(INSPECT_LABELS)

    @cached_property
    def list_display(self):
        return [
            # The title column: links to the moderation page, with the row's actions.
            "offer_title",
            DateColumn("created_at", label="Received", sort_key="created_at"),
            Column("said", label="What they said", accessor=_said),
            Column("rating", label="Rating", accessor="get_rating_display", sort_key="rating"),
            Column(
                "felt_listened_to", label="Listened to", accessor="get_felt_listened_to_display"
            ),
            Column("themes", label="Themes", accessor=_themes),
            Column("status", label="Status", accessor="get_status_display", sort_key="status"),
            Column("flags", label="Check", accessor=_flags),
        ]

    @property
    def url_finder_class(self):
        moderate_url_name = self.get_url_name("edit")

        class FeedbackURLFinder(ModelAdminURLFinder):
            """Links to feedback from elsewhere in the admin (site history) open its
            moderation page, for those who moderate it."""

            edit_url_name = moderate_url_name

            def get_edit_url(self, instance):
                if self.user and not can(self.user, "coproduce.moderate_feedback", instance):
                    return None
                return self.construct_edit_url(instance)

        return FeedbackURLFinder

    def get_common_view_kwargs(self, **kwargs):
        # The views that do not exist are not linked from the ones that do.
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "delete_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    def get_urlpatterns(self):
        # No add, delete, copy or usage views; "edit" is the moderation page, so Wagtail's
        # own links to a feedback (the listing, inspect, history) open it.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("edit/<int:pk>/", FeedbackModerateView.as_view(), name="edit"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
        ]


class FeedbackViewSetGroup(ViewSetGroup):
    """The feedback list and its trends under one menu item."""

    menu_label = "Feedback"
    menu_icon = "comment"
    menu_order = 260
    items = (FeedbackViewSet, FeedbackTrendsViewSet)


def register_feedback_viewsets():
    return FeedbackViewSetGroup()
