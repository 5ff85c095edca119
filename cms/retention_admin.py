"""The retention task in the Wagtail admin (Reports → Data retention), for admins only.

One page says what the next run will do (and what falls due in the next 30 days), per kind
of record, with the reason it is kept that long, and lists the runs so far; each run has its
own page with its counts and any problem. An admin can ask for a dry run (counts only,
recorded) or, after a confirmation page, have the task run now in the background. Every
count and every change comes from ``cms.retention``.
"""

from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.generic import TemplateView
from django_q.tasks import async_task
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import params, permissions, retention
from .dates import date_in_words

RULE = "cms.run_retention"
HORIZON_DAYS = 30
RUNS_PER_PAGE = 20
TITLE = "Data retention"


def may_run(user) -> bool:
    return permissions.can(user, RULE)


def ran_by_words(run) -> str:
    if run.ran_by is None:
        return "The daily task"
    return run.ran_by.get_full_name() or run.ran_by.email


def run_kind_words(run) -> str:
    return "Dry run (nothing changed)" if run.dry_run else "Applied"


class RetentionAdminView(WagtailAdminTemplateMixin, TemplateView):
    """Refuses everyone but admins, and puts the index page in the breadcrumbs."""

    header_icon = "bin"

    def dispatch(self, request, *args, **kwargs):
        if not may_run(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("data_retention"), "label": TITLE}]
        if self.page_title != TITLE:
            items.append({"url": "", "label": self.page_title})
        return self.breadcrumbs_items + items


class RetentionIndexView(RetentionAdminView):
    """What the next run will do, and the runs so far."""

    page_title = TITLE
    template_name = "cms/retention/index.html"

    def get_context_data(self, **kwargs):
        # Kinds with something to do first; the rest in the registry's order.
        lines = sorted(
            retention.retention_plan(horizon_days=HORIZON_DAYS),
            key=lambda line: not (line.due or line.coming),
        )
        runs = Paginator(retention.retention_runs(), RUNS_PER_PAGE).get_page(
            params.int_param(self.request, "p", 1)
        )
        return super().get_context_data(
            lines=lines,
            due_total=sum(line.next_run for line in lines),
            coming_total=sum(line.coming for line in lines),
            backlog=any(line.due > retention.BATCH for line in lines),
            batch=retention.BATCH,
            horizon_days=HORIZON_DAYS,
            runs=[_run_row(run) for run in runs],
            page=runs,
            **kwargs,
        )


def _run_row(run) -> dict:
    return {
        "run": run,
        "started": date_in_words(run.started_at),
        "kind": run_kind_words(run),
        "by": ran_by_words(run),
        "url": reverse("data_retention_run", args=[run.pk]),
    }


class RetentionRunView(RetentionAdminView):
    """One run: per kind of record, how many it dealt with (or would have) and what is left."""

    template_name = "cms/retention/run.html"

    def dispatch(self, request, *args, **kwargs):
        if may_run(request.user):
            self.run = get_object_or_404(retention.retention_runs(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    @property
    def page_title(self):
        return str(self.run)

    def get_context_data(self, **kwargs):
        finished = self.run.finished_at
        return super().get_context_data(
            run=self.run,
            started=date_in_words(self.run.started_at),
            finished=date_in_words(finished) if finished else "",
            kind=run_kind_words(self.run),
            by=ran_by_words(self.run),
            results=[_result_row(result) for result in self.run.results],
            **kwargs,
        )


def _result_row(result: dict) -> dict:
    return {
        **result,
        "fate_words": retention.FATE_WORDS.get(result.get("fate"), result.get("fate", "")),
        "left": result.get("left", 0),
        "failed": result.get("failed", False),
    }


def retention_dry_run_view(request):
    """Counts what a run would do now, and records it; changes nothing else."""
    if not may_run(request.user):
        return permission_denied(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    run = retention.retention_run(dry_run=True, by=request.user)
    messages.success(
        request,
        f"Dry run finished: the task would deal with {run.total} record"
        f"{'' if run.total == 1 else 's'} now. Nothing has been changed.",
    )
    return redirect("data_retention_run", pk=run.pk)


class RetentionApplyView(RetentionAdminView):
    """Asks first, then has the worker run the task now (as it does every day)."""

    page_title = "Apply data retention now"
    template_name = "cms/retention/apply.html"

    def get_context_data(self, **kwargs):
        lines = [line for line in retention.retention_plan() if line.due]
        return super().get_context_data(
            lines=lines,
            due_total=sum(line.next_run for line in lines),
            batch=retention.BATCH,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if retention.is_running():
            messages.warning(
                request,
                "The retention task is already running. Its run shows below when it has finished.",
            )
            return redirect("data_retention")
        async_task(
            "cms.tasks.apply_data_retention",
            request.user.pk,
            task_name="apply-data-retention",
        )
        messages.success(
            request,
            "The retention task has started. Its run shows below when it has finished: "
            "refresh this page in a minute or two.",
        )
        return redirect("data_retention")


class RetentionMenuItem(MenuItem):
    def is_shown(self, request):
        return may_run(request.user)


def retention_menu_item() -> MenuItem:
    return RetentionMenuItem(TITLE, reverse("data_retention"), icon_name="bin", order=850)


def retention_urls() -> list:
    return [
        path("reports/data-retention/", RetentionIndexView.as_view(), name="data_retention"),
        path(
            "reports/data-retention/runs/<int:pk>/",
            RetentionRunView.as_view(),
            name="data_retention_run",
        ),
        path(
            "reports/data-retention/dry-run/",
            retention_dry_run_view,
            name="data_retention_dry_run",
        ),
        path(
            "reports/data-retention/apply/",
            RetentionApplyView.as_view(),
            name="data_retention_apply",
        ),
    ]
