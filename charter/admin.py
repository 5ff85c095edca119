"""HR's side of the charter in the Wagtail admin: charters, commitments, measures, targets,
readings, actions, evidence and reviews (each a ``ScopedModelViewSet``, so HR see only
their organisation's), the dashboard of each charter, and the pages that start a charter
from the template, enter a reading, upload evidence and ask for the board report."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton, MenuItem
from wagtail.permission_policies import ModelPermissionPolicy

from cms.admin_dates import DateColumn
from cms.dates import date_in_words
from cms.permissions import can, visible_to
from cms.storage import stored_file_response
from cms.viewsets import ScopedModelViewSet

from . import services
from .dashboard import charter_dashboard
from .forms import (
    CharterActionForm,
    CharterForm,
    CharterFromTemplateForm,
    CommitmentForm,
    EvidenceUploadForm,
    MeasureForm,
    ReadingForm,
    ReviewForm,
    TargetForm,
)
from .models import Charter, CharterAction, Commitment, Evidence, Measure, Reading, Review, Target
from .rules import charters_kept_by
from .selectors import charters_to_keep

# --- Permissions ------------------------------------------------------------------------------


class EnteredThroughServicesPolicy(ModelPermissionPolicy):
    """Readings and evidence are added through their own pages (which check the period, the
    type and size of files): never through Wagtail's generic "add" form."""

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        return super().user_has_permission(user, action)


def _kept_charter(request, pk) -> Charter:
    """A charter the person keeps; another organisation's is a 404, like a missing one."""
    return get_object_or_404(charters_kept_by(request.user).select_related("organisation"), pk=pk)


def _charter_breadcrumbs(view, charter: Charter | None = None) -> list[dict]:
    """Wagtail 8 shows a page's title only to screen readers, so the breadcrumbs are what
    sighted people read: they end with the page's own title."""
    items = view.breadcrumbs_items + [{"url": reverse("charters:index"), "label": "Charters"}]
    if charter is not None:
        items.append(
            {"url": reverse("charter_dashboard", args=[charter.pk]), "label": charter.title}
        )
    return items + [{"url": "", "label": view.page_title}]


class _KeeperOnly:
    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "charter.keep_charters"):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)


# --- Charters ---------------------------------------------------------------------------------


STATUS_WORDS = {True: "Published", False: "Draft"}


class CharterIndexView(ScopedModelViewSet.index_view_class):
    """Only the charters the person keeps (the public may read every published one)."""

    # Spreadsheets say "Published" or "Draft", as the list does, not True or False. Only a
    # real True or False has a word (anything else is a KeyError, not a guess).
    custom_field_preprocess = {
        "published": {
            "csv": lambda published: STATUS_WORDS[published],
            "xlsx": lambda published: STATUS_WORDS[published],
        }
    }

    def get_base_queryset(self):
        kept = charters_kept_by(self.request.user).values("pk")
        return super().get_base_queryset().filter(pk__in=kept).select_related("organisation")

    def get_list_more_buttons(self, instance):
        return [
            MenuItem(
                "Dashboard",
                url=reverse("charter_dashboard", args=[instance.pk]),
                icon_name="view",
                priority=1,
            ),
            *super().get_list_more_buttons(instance),
        ]

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if can(self.request.user, "charter.keep_charters"):
            buttons.append(
                HeaderButton(
                    "Start from the template",
                    url=reverse("charter_from_template"),
                    icon_name="doc-full",
                )
            )
        return buttons


class _KeptCharterObject:
    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not charters_kept_by(self.request.user).filter(pk=obj.pk).exists():
            raise Http404
        return obj


def _kept(view_class):
    return type(f"Kept{view_class.__name__}", (_KeptCharterObject, view_class), {})


def _published_or_draft(charter: Charter) -> str:
    return "Published" if charter.published else "Draft"


class CharterViewSet(ScopedModelViewSet):
    model = Charter
    name = "charters"
    icon = "doc-full"
    menu_label = "Charters"
    index_view_class = CharterIndexView
    edit_view_class = _kept(ScopedModelViewSet.edit_view_class)
    delete_view_class = _kept(ScopedModelViewSet.delete_view_class)
    inspect_view_class = _kept(ScopedModelViewSet.inspect_view_class)
    history_view_class = _kept(ScopedModelViewSet.history_view_class)
    usage_view_class = _kept(ScopedModelViewSet.usage_view_class)
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "title",
        "organisation",
        "version",
        DateColumn("adopted_on"),
        Column("published", label="Status", accessor=_published_or_draft, sort_key="published"),
    ]
    list_filter = ["published", "organisation"]
    list_export = ["title", "organisation.name", "version", "adopted_on", "published"]
    export_headings = {"organisation.name": "Organisation", "published": "Status"}
    export_filename = "charters"
    search_fields = ["title"]

    def get_form_class(self, for_update=False):
        return CharterForm


# --- What sits under a charter ----------------------------------------------------------------


class CommitmentViewSet(ScopedModelViewSet):
    model = Commitment
    name = "charter_commitments"
    url_prefix = "charter-commitments"
    icon = "list-ul"
    menu_label = "Commitments"
    list_display = ["__str__", "charter"]
    list_filter = ["charter"]
    search_fields = ["title"]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return CommitmentForm


class MeasureIndexView(ScopedModelViewSet.index_view_class):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if not instance.is_computed:
            buttons.append(
                MenuItem(
                    "Enter a reading",
                    url=reverse("charter_reading_enter", args=[instance.pk]),
                    icon_name="plus",
                    priority=1,
                )
            )
        return buttons


class MeasureViewSet(ScopedModelViewSet):
    model = Measure
    name = "charter_measures"
    url_prefix = "charter-measures"
    icon = "table"
    menu_label = "Measures"
    index_view_class = MeasureIndexView
    list_display = ["name", "commitment", "unit", "frequency", "source"]
    list_filter = ["source", "unit", "frequency"]
    search_fields = ["name"]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return MeasureForm


class TargetViewSet(ScopedModelViewSet):
    model = Target
    name = "charter_targets"
    url_prefix = "charter-targets"
    icon = "date"
    menu_label = "Targets"
    list_display = ["measure", DateColumn("due_on", label="Target date"), "value", "note"]
    list_filter = ["measure__commitment__charter"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return TargetForm


class ReadingViewSet(ScopedModelViewSet):
    model = Reading
    name = "charter_readings"
    url_prefix = "charter-readings"
    icon = "history"
    menu_label = "Readings"
    list_display = [
        "measure",
        DateColumn("period_start", label="From"),
        DateColumn("period_end", label="To"),
        "value",
        Column("computed_at", label="Computed at"),
    ]
    list_filter = ["measure__commitment__charter"]
    list_export = [
        "measure.name",
        "period_start",
        "period_end",
        "value",
        "numerator",
        "denominator",
        "note",
    ]
    export_headings = {"measure.name": "Measure"}
    export_filename = "charter-readings"
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["note"]


class CharterActionViewSet(ScopedModelViewSet):
    model = CharterAction
    name = "charter_actions"
    url_prefix = "charter-actions"
    icon = "tasks"
    menu_label = "Actions"
    list_display = ["title", "owner", DateColumn("due_on", label="Due"), "status", "charter"]
    list_filter = ["status", "charter"]
    list_export = ["title", "owner", "due_on", "status", "charter.title"]
    export_filename = "charter-actions"
    search_fields = ["title", "owner"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return CharterActionForm


class EvidenceViewSet(ScopedModelViewSet):
    model = Evidence
    name = "charter_evidence"
    url_prefix = "charter-evidence"
    icon = "doc-full-inverse"
    menu_label = "Evidence"
    list_display = ["title", "charter", "commitment", DateColumn("created_at", label="Added")]
    list_filter = ["charter"]
    search_fields = ["title"]
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["title"]


class ReviewViewSet(ScopedModelViewSet):
    model = Review
    name = "charter_reviews"
    url_prefix = "charter-reviews"
    icon = "date"
    menu_label = "Reviews"
    list_display = [
        "charter",
        DateColumn("due_on", label="Due"),
        DateColumn("held_on", label="Held"),
    ]
    list_filter = ["charter"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return ReviewForm


class CharterViewSetGroup(ModelViewSetGroup):
    menu_label = "Charter"
    menu_icon = "doc-full"
    menu_order = 270
    items = (
        CharterViewSet,
        CommitmentViewSet,
        MeasureViewSet,
        TargetViewSet,
        ReadingViewSet,
        CharterActionViewSet,
        EvidenceViewSet,
        ReviewViewSet,
    )


def register_charter_viewsets():
    return CharterViewSetGroup()


# --- The dashboard and HR's own pages ---------------------------------------------------------


class CharterDashboardView(_KeeperOnly, WagtailAdminTemplateMixin, TemplateView):
    """Each commitment's status, each measure's trend against its targets (chart and table)
    and the actions that are overdue."""

    template_name = "charter/admin/dashboard.html"
    header_icon = "doc-full"
    page_title = "Charter dashboard"

    def dispatch(self, request, pk):
        self.charter = None
        if can(request.user, "charter.keep_charters"):
            self.dashboard = charter_dashboard(
                charters_kept_by(request.user), pk, today=timezone.localdate()
            )
            self.charter = self.dashboard.charter
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return f"{self.charter.organisation.name}, version {self.charter.version}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("charters:index"), "label": "Charters"},
            {"url": "", "label": self.charter.title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["dashboard"] = self.dashboard
        return context


class CharterFromTemplateView(_KeeperOnly, WagtailAdminTemplateMixin, FormView):
    template_name = "charter/admin/form.html"
    form_class = CharterFromTemplateForm
    page_title = "Start a charter from the template"
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return _charter_breadcrumbs(self)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            intro="The template has the six commitments of the Lived Experience Charter, each "
            "with measures to start from. You can change all of it afterwards.",
            submit="Start the charter",
            **kwargs,
        )

    def form_valid(self, form):
        try:
            charter = services.charter_create_from_template(
                user=self.request.user,
                organisation=form.cleaned_data["organisation"],
                adopted_on=form.cleaned_data["adopted_on"],
                version=form.cleaned_data["version"],
                lead=form.cleaned_data["lead"],
            )
        except services.Refused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            return self.form_invalid(form)
        messages.success(self.request, "The charter has been started from the template.")
        return redirect("charter_dashboard", charter.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ReadingEnterView(_KeeperOnly, WagtailAdminTemplateMixin, FormView):
    template_name = "charter/admin/form.html"
    form_class = ReadingForm
    page_title = "Enter a reading"
    header_icon = "plus"

    def dispatch(self, request, pk):
        if can(request.user, "charter.keep_charters"):
            self.measure = get_object_or_404(
                visible_to(request.user, Measure).select_related(
                    "commitment__charter__organisation"
                ),
                pk=pk,
            )
            if self.measure.is_computed:
                messages.info(
                    request,
                    "This measure is computed from the platform's own data each period, so it "
                    "is not entered by hand.",
                )
                return redirect("charter_dashboard", self.measure.commitment.charter_id)
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.measure.name

    def get_breadcrumbs_items(self):
        return _charter_breadcrumbs(self, self.measure.commitment.charter)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "measure": self.measure}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            intro=f"{self.measure.name} ({self.measure.get_unit_display().lower()}, "
            f"{self.measure.get_frequency_display().lower()}), under “"
            f"{self.measure.commitment.title}”.",
            submit="Save the reading",
            multipart=True,
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.reading_enter(
                user=self.request.user,
                measure=self.measure,
                period_start=data["period_start"],
                period_end=data["period_end"],
                value=data["value"],
                numerator=data.get("numerator"),
                denominator=data.get("denominator"),
                note=data["note"],
                evidence=data.get("evidence"),
                upload=data.get("upload"),
            )
        except services.Refused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            return self.form_invalid(form)
        messages.success(self.request, f"The reading of “{self.measure.name}” has been saved.")
        return redirect("charter_dashboard", self.measure.commitment.charter_id)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EvidenceUploadView(_KeeperOnly, WagtailAdminTemplateMixin, FormView):
    template_name = "charter/admin/form.html"
    form_class = EvidenceUploadForm
    page_title = "Add evidence"
    header_icon = "doc-full-inverse"

    def dispatch(self, request, pk):
        if can(request.user, "charter.keep_charters"):
            self.charter = _kept_charter(request, pk)
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.charter.title

    def get_breadcrumbs_items(self):
        return _charter_breadcrumbs(self, self.charter)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "charter": self.charter}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            intro="Evidence is kept privately: only HR of this organisation and administrators "
            "can open it. It is listed, by title only, in the board report.",
            submit="Upload the evidence",
            multipart=True,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.evidence_upload(
                user=self.request.user,
                charter=self.charter,
                upload=form.cleaned_data["upload"],
                title=form.cleaned_data["title"],
                commitment=form.cleaned_data.get("commitment"),
            )
        except services.Refused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            return self.form_invalid(form)
        messages.success(self.request, "The evidence has been uploaded.")
        return redirect("charter_dashboard", self.charter.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


def evidence_download(request, pk):
    """Stream an evidence document to HR of its charter's organisation (or an admin)."""
    if not can(request.user, "charter.keep_charters"):
        return permission_denied(request)
    evidence = get_object_or_404(
        visible_to(request.user, Evidence).select_related("document"), pk=pk
    )
    document = evidence.document
    return stored_file_response(request, document.file, filename=document.filename, what="evidence")


@require_POST
def board_report_request(request, pk):
    if not can(request.user, "charter.keep_charters"):
        return permission_denied(request)
    charter = _kept_charter(request, pk)
    job = services.board_report_request(user=request.user, charter=charter)
    return redirect("report_status", job.pk)


# --- HR's admin home -------------------------------------------------------------------------


class CharterWorkPanel(Component):
    """On the admin home of the people who keep charters: each charter, the actions waiting
    on it and its next review, with the way to each. Without it HR met an empty page."""

    name = "charter_work"
    order = 30

    def __init__(self, charters: list[Charter], today):
        self.charters = charters
        self.today = today

    def render_html(self, parent_context=None):
        rows = [
            {
                "charter": charter,
                "dashboard_url": reverse("charter_dashboard", args=[charter.pk]),
                "actions_url": reverse("charter_actions:index") + f"?charter={charter.pk}",
                "reviews_url": reverse("charter_reviews:index") + f"?charter={charter.pk}",
                "next_review": date_in_words(charter.next_review_due)
                if charter.next_review_due
                else "",
                "review_overdue": bool(
                    charter.next_review_due and charter.next_review_due < self.today
                ),
            }
            for charter in self.charters
        ]
        return render_to_string(
            "charter/admin/home_panel.html",
            {
                "rows": rows,
                "measures_url": reverse("charter_measures:index") + "?source=entered",
                "from_template_url": reverse("charter_from_template"),
            },
        )


def charter_work_panel(request, panels):
    if can(request.user, "charter.keep_charters"):
        today = timezone.localdate()
        panels.append(CharterWorkPanel(charters_to_keep(request.user, today=today), today))


def register_charter_admin_urls():
    return [
        path(
            "charter/<int:pk>/dashboard/", CharterDashboardView.as_view(), name="charter_dashboard"
        ),
        path(
            "charter/new-from-template/",
            CharterFromTemplateView.as_view(),
            name="charter_from_template",
        ),
        path(
            "charter/measures/<int:pk>/reading/",
            ReadingEnterView.as_view(),
            name="charter_reading_enter",
        ),
        path(
            "charter/<int:pk>/evidence/new/",
            EvidenceUploadView.as_view(),
            name="charter_evidence_upload",
        ),
        path(
            "charter/evidence/<int:pk>/download/",
            evidence_download,
            name="charter_evidence_download",
        ),
        path("charter/<int:pk>/board-report/", board_report_request, name="charter_board_report"),
    ]
