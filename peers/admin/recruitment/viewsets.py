"""Recruitment in the Wagtail admin menu: HR's vacancies (with their pipeline, publish,
close and application pages) and the two reports, under one "Recruitment" item.
``peers/wagtail_hooks.py`` registers ``register_recruitment_viewsets``."""

from django.urls import path
from django.utils.functional import cached_property
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from cms.admin_dates import DateColumn
from cms.permissions import can
from cms.viewsets import ScopedModelViewSet

from ...models import Vacancy
from .actions import application_router
from .reports import RecruitmentReportView, RetentionReportView
from .vacancies import (
    PipelineView,
    VacancyCloseView,
    VacancyForm,
    VacancyIndexView,
    VacancyPublishView,
    managed,
)


class VacancyViewSet(ScopedModelViewSet):
    """HR's vacancies: add and edit them, publish and close them, and open the pipeline."""

    model = Vacancy
    name = "vacancies"
    url_prefix = "vacancies"
    icon = "doc-full"
    menu_label = "Vacancies"
    menu_order = 100
    index_view_class = VacancyIndexView
    edit_view_class = managed(ScopedModelViewSet.edit_view_class)
    inspect_view_class = managed(ScopedModelViewSet.inspect_view_class)
    history_view_class = managed(ScopedModelViewSet.history_view_class)
    usage_view_class = managed(ScopedModelViewSet.usage_view_class)
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "title",
        "organisation",
        Column("level", label="Level", sort_key="level__order"),
        Column("status", label="Status", accessor="get_status_display", sort_key="status"),
        DateColumn("closing_date", label="Closing date"),
        Column("application_count", label="Applications", sort_key="application_count"),
    ]
    list_filter = ["status", "organisation", "level"]
    list_export = [
        "title",
        "organisation.name",
        "level.name",
        "status",
        "pay",
        "hours_per_week",
        "employment_type",
        "closing_date",
        "application_count",
    ]
    export_headings = {
        "organisation.name": "Organisation",
        "level.name": "Level",
        "hours_per_week": "Hours a week",
        "application_count": "Applications",
    }
    export_filename = "peer-vacancies"
    search_fields = ["title", "description"]
    ordering = ["-closing_date"]

    def get_form_class(self, for_update=False):
        return VacancyForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("pipeline/<int:pk>/", PipelineView.as_view(), name="pipeline"),
            path("publish/<int:pk>/", VacancyPublishView.as_view(), name="publish"),
            path("close/<int:pk>/", VacancyCloseView.as_view(), name="close"),
            path("applications/<int:pk>/", application_router, name="application"),
        ]


class _HrReportViewSet(ViewSet):
    """One report's page, in the menu only for those who may run recruitment."""

    icon = "table"
    view_class = None

    def get_urlpatterns(self):
        return [path("", self.view_class.as_view(), name="index")]

    @cached_property
    def menu_item_class(self):
        base = super().menu_item_class

        def is_shown(_self, request):
            return can(request.user, "peers.manage_recruitment")

        return type(base.__name__, (base,), {"is_shown": is_shown})


class RecruitmentReportViewSet(_HrReportViewSet):
    """The recruitment report's menu item and URL."""

    name = "recruitment_report"
    url_prefix = "recruitment-report"
    menu_label = "Recruitment report"
    menu_order = 110
    view_class = RecruitmentReportView


class RetentionReportViewSet(_HrReportViewSet):
    """The retention report's menu item and URL."""

    name = "retention_report"
    url_prefix = "retention-report"
    menu_label = "Retention report"
    menu_order = 120
    view_class = RetentionReportView


class RecruitmentViewSetGroup(ViewSetGroup):
    """Vacancies and the recruitment and retention reports under one menu item."""

    menu_label = "Recruitment"
    menu_icon = "doc-full"
    menu_order = 265
    items = (VacancyViewSet, RecruitmentReportViewSet, RetentionReportViewSet)


def register_recruitment_viewsets():
    """For ``register_admin_viewset`` in ``peers/wagtail_hooks.py``."""
    return RecruitmentViewSetGroup()
