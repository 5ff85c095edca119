"""HR's side of peer-role recruitment in the Wagtail admin: vacancies (add, edit, publish,
close), each vacancy's pipeline board (columns by stage, with counts and candidate cards),
each application's page with the actions that move it on, and the recruitment and
retention reports for HR's organisation.

Everything is scoped: a vacancy or application of another organisation is a 404, as if it
did not exist. Every change goes through ``peers.services.recruitment``; a refusal is shown
on the form with everything HR typed kept.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.auth import permission_denied
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.widgets.button import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from cms.admin_dates import DateColumn
from cms.audit import audit_view
from cms.models import Organisation
from cms.permissions import can, sees_whole_partnership
from cms.sanitise import plain_text
from cms.viewsets import ScopedModelViewSet

from ..forms.recruitment import (
    AdjustmentsForm,
    CheckForm,
    FeedbackForm,
    InterviewForm,
    OfferForm,
    ReasonForm,
    StartForm,
)
from ..models import JobApplication, PreEmploymentCheck, Vacancy
from ..selectors import recruitment as selectors
from ..selectors import retention as retention_selectors
from ..services import Refused
from ..services import recruitment as services

Stage = JobApplication.Stage


class VacancyPermissionPolicy(ModelPermissionPolicy):
    """Vacancies are kept as the record of recruitment: closed, never deleted."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return super().user_has_permission(user, action)


register_permission_policy(Vacancy, VacancyPermissionPolicy(Vacancy))


def organisation_ids_for(user):
    """The organisations HR reports on: None (every one) for admins and partnership-wide."""
    if sees_whole_partnership(user):
        return None
    return [user.organisation_id] if user.organisation_id else []


# --- Vacancies --------------------------------------------------------------------------------


def _organisations_for(user):
    """The organisations HR may recruit for: their own, or every one for admins and
    partnership-wide HR."""
    organisations = Organisation.objects.order_by("name")
    if user is None:
        return organisations.none()
    if organisation_ids_for(user) is None:
        return organisations
    return organisations.filter(pk__in=organisation_ids_for(user))


class VacancyForm(WagtailAdminModelForm):
    """A vacancy as HR writes it: only their own organisations, plain text everywhere."""

    class Meta:
        model = Vacancy
        fields = [
            "organisation",
            "title",
            "level",
            "pay",
            "hours_per_week",
            "employment_type",
            "closing_date",
            "lived_experience_essential",
            "description",
            "reasonable_adjustments",
        ]
        widgets = {"closing_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        error_messages = {
            "organisation": {"required": "Choose the organisation that is recruiting."},
            "title": {"required": "Enter the role's title."},
            "level": {"required": "Choose the role's level on the pathway."},
            "pay": {"required": "Enter the band or pay, for example Band 4."},
            "closing_date": {
                "required": "Enter the closing date.",
                "invalid": "Enter the closing date as a real date, like 31 3 2026.",
            },
            "description": {"required": "Say what the role involves, in plain English."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = _organisations_for(self.for_user)
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].empty_label = None

    def _plain(self, name: str) -> str:
        return plain_text(self.cleaned_data.get(name))

    def clean_title(self):
        title = self._plain("title")
        if not title:
            raise forms.ValidationError("Enter the role's title.")
        return title

    def clean_pay(self):
        pay = self._plain("pay")
        if not pay:
            raise forms.ValidationError("Enter the band or pay, for example Band 4.")
        return pay

    def clean_description(self):
        description = self._plain("description")
        if not description:
            raise forms.ValidationError("Say what the role involves, in plain English.")
        return description

    def clean_reasonable_adjustments(self):
        statement = self._plain("reasonable_adjustments")
        if not statement:
            raise forms.ValidationError(
                "Say how you will make reasonable adjustments for candidates."
            )
        return statement

    def clean(self):
        cleaned = super().clean()
        closing = cleaned.get("closing_date")
        if (
            closing
            and closing < timezone.localdate()
            and "closing_date" in self.changed_data
            and self.instance.status != Vacancy.Status.CLOSED
        ):
            self.add_error("closing_date", "The closing date has passed. Enter today or later.")
        return cleaned


class VacancyIndexView(ScopedModelViewSet.index_view_class):
    """HR's own organisation's vacancies (not every open one the public sees), with their
    applications counted in the one query, and each row's way to its pipeline."""

    def get_base_queryset(self):
        managed = selectors.vacancies_managed_by(self.request.user).values("pk")
        return (
            super()
            .get_base_queryset()
            .filter(pk__in=managed)
            .select_related("organisation", "level")
            .annotate(application_count=Count("applications"))
        )

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            MenuItem(
                "Pipeline",
                url=reverse("vacancies:pipeline", args=[instance.pk]),
                icon_name="list-ul",
                priority=5,
            )
        )
        if instance.status != Vacancy.Status.OPEN:
            buttons.append(
                MenuItem(
                    "Publish",
                    url=reverse("vacancies:publish", args=[instance.pk]),
                    icon_name="upload",
                    priority=6,
                )
            )
        if instance.status != Vacancy.Status.CLOSED:
            buttons.append(
                MenuItem(
                    "Close",
                    url=reverse("vacancies:close", args=[instance.pk]),
                    icon_name="cross",
                    priority=7,
                )
            )
        return buttons


class _ManagedVacancyOnly:
    """A vacancy of another organisation is a 404 here, though the public may read it."""

    def get_object(self, *args, **kwargs):
        vacancy = super().get_object(*args, **kwargs)
        if not selectors.vacancies_managed_by(self.request.user).filter(pk=vacancy.pk).exists():
            raise Http404
        return vacancy


def _managed(view_class):
    return type(f"Managed{view_class.__name__}", (_ManagedVacancyOnly, view_class), {})


class _VacancyPage(WagtailAdminTemplateMixin, TemplateView):
    """A page about one of HR's vacancies."""

    header_icon = "user"

    def dispatch(self, request, pk, **kwargs):
        if not can(request.user, "peers.manage_recruitment"):
            return permission_denied(request)
        vacancy = selectors.vacancies_managed_by(request.user).filter(pk=pk).first()
        if vacancy is None:
            raise Http404
        if not can(request.user, "peers.manage_recruitment", vacancy):
            return permission_denied(request)
        self.vacancy = vacancy
        return super().dispatch(request, pk, **kwargs)

    def get_page_subtitle(self):
        return self.vacancy.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("vacancies:index"), "label": "Vacancies"},
            {
                "url": reverse("vacancies:pipeline", args=[self.vacancy.pk]),
                "label": self.vacancy.title,
            },
            {"url": "", "label": self.page_title},
        ]


class VacancyStatusView(_VacancyPage):
    """Publish or close, after saying what that means."""

    template_name = "peers/admin/recruitment/vacancy_status.html"
    action = ""

    @property
    def page_title(self):
        return "Publish vacancy" if self.action == "publish" else "Close vacancy"

    def post(self, request, *args, **kwargs):
        service = services.vacancy_publish if self.action == "publish" else services.vacancy_close
        try:
            service(vacancy=self.vacancy, user=request.user)
        except Refused as refusal:
            messages.error(request, refusal.message)
            return redirect("vacancies:edit", self.vacancy.pk)
        messages.success(
            request,
            f"{self.vacancy.title} is "
            + ("on the public list of peer roles." if self.action == "publish" else "closed."),
        )
        return redirect("vacancies:pipeline", self.vacancy.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(vacancy=self.vacancy, action=self.action, **kwargs)


class PipelineView(_VacancyPage):
    """The vacancy's applications in columns by stage, with counts and candidate cards."""

    template_name = "peers/admin/recruitment/pipeline.html"
    page_title = "Pipeline"

    def get_context_data(self, **kwargs):
        columns = selectors.pipeline_board(self.request.user, self.vacancy)
        return super().get_context_data(
            vacancy=self.vacancy,
            columns=columns,
            total=sum(column.count for column in columns),
            public_url=self.vacancy.get_absolute_url(),
            **kwargs,
        )


# --- One application ------------------------------------------------------------------------

ACTIONS = {
    "shortlist": None,
    "interview": InterviewForm,
    "offer": OfferForm,
    "checks": None,
    "check": CheckForm,
    "start": StartForm,
    "reject": ReasonForm,
    "withdraw": ReasonForm,
    "adjustments": AdjustmentsForm,
    "feedback": FeedbackForm,
}


def _check_auto_id(kind) -> str:
    """The three check forms share one page and one prefix: ids named by the kind of check
    keep each label with its own field (else "Date requested" would name only the first)."""
    if kind not in PreEmploymentCheck.Kind.values:
        return "id_%s"
    return f"id_{kind}_%s"


class ApplicationView(WagtailAdminTemplateMixin, TemplateView):
    """One application in full, with the actions its stage allows. Each action is its own
    small form; the one sent is bound, and a refusal is shown on it with what HR typed."""

    template_name = "peers/admin/recruitment/application.html"
    header_icon = "user"
    page_title = "Application"

    def dispatch(self, request, pk, **kwargs):
        if not can(request.user, "peers.manage_recruitment"):
            return permission_denied(request)
        self.application = selectors.application_for_hr(request.user, pk)
        self.vacancy = self.application.vacancy
        if not can(request.user, "peers.manage_recruitment", self.vacancy):
            return permission_denied(request)
        return super().dispatch(request, pk, **kwargs)

    def get_page_subtitle(self):
        return f"{self.application.candidate_name}, {self.vacancy.title}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("vacancies:index"), "label": "Vacancies"},
            {
                "url": reverse("vacancies:pipeline", args=[self.vacancy.pk]),
                "label": self.vacancy.title,
            },
            {"url": "", "label": self.application.candidate_name},
        ]

    @cached_property
    def here(self):
        return reverse("vacancies:application", args=[self.application.pk])

    def get(self, request, *args, **kwargs):
        audit_view(
            user=request.user,
            instance=self.application,
            reason="HR opened a job application (statement, lived experience, adjustments)",
        )
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            messages.error(request, "Choose what to do with this application.")
            return redirect(self.here)
        form_class = ACTIONS[action]
        extra = (
            {"auto_id": _check_auto_id(request.POST.get("check-kind"))} if action == "check" else {}
        )
        form = form_class(request.POST, prefix=action, **extra) if form_class else None
        if form is not None and not form.is_valid():
            return self._again(action, form)
        try:
            message = self._do(action, form)
        except Refused as refusal:
            if form is None:
                messages.error(request, refusal.message)
                return redirect(self.here)
            form.add_error(None, refusal.message)
            return self._again(action, form)
        messages.success(request, message)
        return redirect(self.here)

    def _again(self, action, form):
        messages.error(self.request, "There is a problem. Check the form below.")
        context = self.get_context_data(**{f"{action}_form": form}, failed_action=action)
        return self.render_to_response(context, status=200)

    def _do(self, action: str, form) -> str:
        application, user = self.application, self.request.user
        data = form.cleaned_data if form is not None else {}
        name = application.candidate_name
        emailed = f" We have emailed {name}."
        if action == "shortlist":
            services.application_shortlist(application=application, user=user)
            return f"{name} is shortlisted." + emailed
        if action == "interview":
            application = services.interview_arrange(
                application=application,
                user=user,
                interview_at=data["interview_at"],
                panel=form.panel(),
                go_ahead_without_lived_experience=data["go_ahead_without_lived_experience"],
            )
            warning = (
                ""
                if application.interview_panel_has_lived_experience
                else " No one on the panel has lived experience: this is recorded."
            )
            return f"Interview arranged for {name}." + warning + emailed
        if action == "offer":
            services.application_offer(
                application=application,
                user=user,
                offered_on=data["offered_on"],
                proposed_start_date=data["proposed_start_date"],
            )
            return f"Offer recorded for {name}."
        if action == "checks":
            services.checks_begin(application=application, user=user)
            return f"Pre-employment checks started for {name}." + emailed
        if action == "check":
            check = services.check_record(application=application, user=user, **data)
            return f"{check.get_kind_display()} saved."
        if action == "start":
            services.application_start(
                application=application, user=user, start_date=data["start_date"]
            )
            return f"{name} has started. Their peer worker record is made." + emailed
        if action == "reject":
            services.application_reject(application=application, user=user, reason=data["reason"])
            return f"{name}'s application is marked unsuccessful." + emailed
        if action == "withdraw":
            services.application_withdraw(application=application, user=user, reason=data["reason"])
            return f"{name}'s application is withdrawn." + emailed
        if action == "adjustments":
            services.adjustments_agree(
                application=application, user=user, agreed=data["adjustments_agreed"]
            )
            return "Adjustments agreed saved."
        services.feedback_record(
            application=application,
            user=user,
            offered_on=data["feedback_offered_on"],
            note=data["feedback_note"],
        )
        return "Feedback offered is recorded."

    def get_context_data(self, **kwargs):
        application = self.application
        checks = {check.kind: check for check in application.checks.all()}
        check_forms = kwargs.pop("check_form", None)
        check_rows = []
        for kind in PreEmploymentCheck.Kind:
            check = checks.get(kind)
            if check_forms is not None and check_forms.data.get("check-kind") == kind:
                form = check_forms
            else:
                form = CheckForm(
                    prefix="check",
                    auto_id=_check_auto_id(kind),
                    initial={
                        "kind": kind,
                        "requested_on": check.requested_on if check else None,
                        "completed_on": check.completed_on if check else None,
                        "outcome": check.outcome if check else PreEmploymentCheck.Outcome.PENDING,
                        "expires_on": check.expires_on if check else None,
                    },
                )
            check_rows.append((kind, check, form))
        members = list(application.panel_members.all())
        interview_initial = {}
        if application.interview_at:
            interview_initial["interview_at"] = timezone.localtime(application.interview_at)
        for n, member in enumerate(members[: InterviewForm.PANEL_ROWS]):
            interview_initial.update(
                {
                    f"member_{n}_name": member.name,
                    f"member_{n}_role": member.role,
                    f"member_{n}_lived": member.has_lived_experience,
                }
            )
        stage = application.stage
        context = super().get_context_data(**kwargs)
        context.update(
            application=application,
            vacancy=self.vacancy,
            stage=stage,
            is_closed=application.is_closed,
            panel_members=members,
            check_rows=check_rows,
            checks_outstanding=services.checks_outstanding(
                application, application.proposed_start_date
            )
            if stage == Stage.CHECKS
            else [],
            interview_form=kwargs.get("interview_form")
            or InterviewForm(prefix="interview", initial=interview_initial),
            offer_form=kwargs.get("offer_form")
            or OfferForm(
                prefix="offer",
                initial={
                    "offered_on": application.offered_on or timezone.localdate(),
                    "proposed_start_date": application.proposed_start_date,
                },
            ),
            start_form=kwargs.get("start_form")
            or StartForm(prefix="start", initial={"start_date": application.proposed_start_date}),
            reject_form=kwargs.get("reject_form") or ReasonForm(prefix="reject"),
            withdraw_form=kwargs.get("withdraw_form") or ReasonForm(prefix="withdraw"),
            adjustments_form=kwargs.get("adjustments_form")
            or AdjustmentsForm(
                prefix="adjustments",
                initial={"adjustments_agreed": application.adjustments_agreed},
            ),
            feedback_form=kwargs.get("feedback_form")
            or FeedbackForm(
                prefix="feedback",
                initial={
                    "feedback_offered_on": application.feedback_offered_on,
                    "feedback_note": application.feedback_note,
                },
            ),
            history_url=reverse("vacancies:pipeline", args=[self.vacancy.pk]),
        )
        return context


class VacancyViewSet(ScopedModelViewSet):
    """HR's vacancies: add and edit them, publish and close them, and open the pipeline."""

    model = Vacancy
    name = "vacancies"
    url_prefix = "vacancies"
    icon = "doc-full"
    menu_label = "Vacancies"
    menu_order = 100
    index_view_class = VacancyIndexView
    edit_view_class = _managed(ScopedModelViewSet.edit_view_class)
    inspect_view_class = _managed(ScopedModelViewSet.inspect_view_class)
    history_view_class = _managed(ScopedModelViewSet.history_view_class)
    usage_view_class = _managed(ScopedModelViewSet.usage_view_class)
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
            path("publish/<int:pk>/", VacancyStatusView.as_view(action="publish"), name="publish"),
            path("close/<int:pk>/", VacancyStatusView.as_view(action="close"), name="close"),
            path("applications/<int:pk>/", ApplicationView.as_view(), name="application"),
        ]


# --- Reports --------------------------------------------------------------------------------


class PeriodForm(forms.Form):
    start = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the start of the period as a real date."},
    )
    end = forms.DateField(
        label="To (this day is included)",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the end of the period as a real date."},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", "The end of the period must be on or after its start.")
        return cleaned


def default_period():
    today = timezone.localdate()
    return today - timedelta(days=365), today


class _ReportView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "peers.manage_recruitment"):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def period(self):
        start, end = default_period()
        form = PeriodForm(self.request.GET or None, initial={"start": start, "end": end})
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        return form, start, end


class RecruitmentReportView(_ReportView):
    template_name = "peers/admin/recruitment/report.html"
    page_title = "Recruitment report"

    def get_context_data(self, **kwargs):
        form, start, end = self.period()
        report = selectors.recruitment_report(
            organisation_ids=organisation_ids_for(self.request.user), start=start, end=end
        )
        return super().get_context_data(form=form, report=report, **kwargs)


class RetentionReportView(_ReportView):
    template_name = "peers/admin/recruitment/retention.html"
    page_title = "Retention report"

    def get_context_data(self, **kwargs):
        form, start, end = self.period()
        report = retention_selectors.retention_report(
            organisation_ids=organisation_ids_for(self.request.user), start=start, end=end
        )
        return super().get_context_data(form=form, report=report, start=start, end=end, **kwargs)


class _HrReportViewSet(ViewSet):
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
    name = "recruitment_report"
    url_prefix = "recruitment-report"
    menu_label = "Recruitment report"
    menu_order = 110
    view_class = RecruitmentReportView


class RetentionReportViewSet(_HrReportViewSet):
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


@hooks.register("register_admin_viewset")
def register_recruitment_viewsets():
    return RecruitmentViewSetGroup()
