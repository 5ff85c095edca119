"""HR's vacancies: the form they write one with, their list, and the pages about one of
them (its pipeline board, publishing it and closing it). A vacancy of another organisation
is a 404 here, though the public may read it."""

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy

from cms.models import Organisation
from cms.permissions import can, sees_whole_partnership
from cms.sanitise import plain_text
from cms.viewsets import ScopedModelViewSet

from ...models import Vacancy
from ...selectors import recruitment as selectors
from ...services import Refused
from ...services import recruitment as services


class VacancyPermissionPolicy(ModelPermissionPolicy):
    """Vacancies are kept as the record of recruitment: closed, never deleted."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return super().user_has_permission(user, action)


def organisation_ids_for(user):
    """The organisations HR reports on: None (every one) for admins and partnership-wide."""
    if sees_whole_partnership(user):
        return None
    return [user.organisation_id] if user.organisation_id else []


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


def managed(view_class):
    """``view_class`` (one of Wagtail's generic views) for HR's own vacancies only."""
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


class _VacancyStatusView(_VacancyPage):
    """Says what a change of status means (GET), then makes it (POST)."""

    template_name = "peers/admin/recruitment/vacancy_status.html"
    action = ""  # the template's word for the change

    def change(self) -> str:
        """Call the service; returns what to tell HR."""
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            message = self.change()
        except Refused as refusal:
            messages.error(request, refusal.message)
            return redirect("vacancies:edit", self.vacancy.pk)
        messages.success(request, message)
        return redirect("vacancies:pipeline", self.vacancy.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(vacancy=self.vacancy, action=self.action, **kwargs)


class VacancyPublishView(_VacancyStatusView):
    """Put the vacancy on the public list of peer roles."""

    action = "publish"
    page_title = "Publish vacancy"

    def change(self) -> str:
        services.vacancy_publish(vacancy=self.vacancy, user=self.request.user)
        return f"{self.vacancy.title} is on the public list of peer roles."


class VacancyCloseView(_VacancyStatusView):
    """Close the vacancy: it stays as the record of recruitment."""

    action = "close"
    page_title = "Close vacancy"

    def change(self) -> str:
        services.vacancy_close(vacancy=self.vacancy, user=self.request.user)
        return f"{self.vacancy.title} is closed."
