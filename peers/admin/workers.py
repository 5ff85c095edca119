"""HR's peer worker records and teams in the Wagtail admin.

Both viewsets inherit ``ScopedModelViewSet`` and narrow it further to the organisations HR
keeps (``peers.edit_worker``): a worker HR may see only as their own record or as a
supervisee is not here. Every save goes through ``peers.services.workers``; a refusal is
shown beside its field with everything HR typed. Records are never deleted here (a worker
who goes is marked as left), and no session, note or wellbeing record appears.
"""

from django import forms
from django.http import Http404
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy

from cms import audit
from cms.admin_dates import DateColumn
from cms.exports import export_audit_subject
from cms.permissions import can, scope_to_organisation
from cms.sanitise import plain_text
from cms.viewsets import ScopedModelViewSet

from ..forms.workers import WorkerForm
from ..models import EmploymentType, Level, PeerWorker, Team
from ..services import Refused
from ..services import workers as services
from .activity import PeerActivityViewSet

# --- Permissions -----------------------------------------------------------------------------


class KeptRecordsPolicy(ModelPermissionPolicy):
    """Worker records and teams are kept as the history of who worked where: nobody deletes
    them in the admin, whatever their model permissions (a worker who goes is marked left)."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return super().user_has_permission(user, action)


class _KeptByHr:
    """A worker record HR does not keep (another organisation's, or a supervisee's seen as
    a supervisor) is a 404 here, like one that does not exist."""

    def get_object(self, *args, **kwargs):
        worker = super().get_object(*args, **kwargs)
        if not can(self.request.user, "peers.edit_worker", worker):
            raise Http404
        return worker


class _RefusalShownOnForm:
    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except Refused as error:
            form.add_refusal(error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


# --- Workers ---------------------------------------------------------------------------------


def _organisations(request):
    return services.organisations_for(request.user if request else None)


def _teams(request):
    return Team.objects.filter(organisation__in=_organisations(request)).order_by("name")


class WorkerFilterSet(WagtailFilterSet):
    status = ChoiceFilter(choices=PeerWorker.Status.choices, empty_label="Any status")
    employment_type = ChoiceFilter(
        label="Employment", choices=EmploymentType.choices, empty_label="Any employment"
    )
    level = ModelChoiceFilter(
        label="Role level", queryset=Level.objects.all(), empty_label="Any level"
    )
    team = ModelChoiceFilter(queryset=_teams, empty_label="Any team")
    organisation = ModelChoiceFilter(queryset=_organisations, empty_label="Any organisation")

    class Meta:
        model = PeerWorker
        fields = ["status", "employment_type", "level", "team", "organisation"]


class WorkerIndexView(ScopedModelViewSet.index_view_class):
    """The workers of HR's organisations, with the names, teams and levels in one query."""

    def get_base_queryset(self):
        queryset = scope_to_organisation(self.request.user, super().get_base_queryset())
        return queryset.select_related("user", "organisation", "team", "level")

    def as_spreadsheet(self, queryset, spreadsheet_format):
        audit.audit_export(
            user=self.request.user,
            instance=export_audit_subject(self.request.user),
            reason="Peer worker records exported (employment details, no practice records)",
            count=queryset.count(),
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)


class WorkerCreateView(_RefusalShownOnForm, generic.CreateView):
    page_title = "Add a peer worker"
    submit_button_label = "Add peer worker"
    success_message = "%(object)s added as a peer worker."

    def save_instance(self):
        data = self.form.cleaned_data
        return services.worker_create(
            by=self.request.user,
            email=data["email"],
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            details=self.form.details(),
        )


class WorkerEditView(_RefusalShownOnForm, _KeptByHr, ScopedModelViewSet.edit_view_class):
    success_message = "%(object)s's record saved."

    def save_instance(self):
        data, worker, by = self.form.cleaned_data, self.object, self.request.user
        status = data["status"]
        if status != PeerWorker.Status.LEFT:
            return services.worker_update(
                by=by, worker=worker, details=self.form.details(), status=status
            )
        worker = services.worker_update(
            by=by, worker=worker, details=self.form.details(), status=worker.status
        )
        leaving = (
            data.get("left_on"),
            data.get("leaving_reason", ""),
            data.get("leaving_note", ""),
        )
        if worker.status == PeerWorker.Status.LEFT and leaving == (
            worker.left_on,
            worker.leaving_reason,
            worker.leaving_note,
        ):
            return worker  # a leaver's record saved with the same leaving details
        return services.worker_leave(
            by=by,
            worker=worker,
            left_on=data.get("left_on"),
            reason=data.get("leaving_reason", ""),
            note=data.get("leaving_note", ""),
        )

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit.audit_view(
            user=request.user, instance=self.object, reason="HR opened a peer worker record"
        )
        return response


class WorkerInspectView(_KeptByHr, ScopedModelViewSet.inspect_view_class):
    def get(self, request, *args, **kwargs):
        audit.audit_view(
            user=request.user, instance=self.object, reason="HR looked at a peer worker record"
        )
        return super().get(request, *args, **kwargs)

    def get_user_display_value(self):
        return f"{self.object.user} ({self.object.user.email})"

    def get_supervisors_display_value(self):
        return ", ".join(str(person) for person in self.object.supervisors.all()) or "None"


class PeerWorkerViewSet(ScopedModelViewSet):
    """Peer workers of HR's organisations: employment, level, team and supervisors."""

    model = PeerWorker
    name = "peer_workers"
    url_prefix = "peer-workers"
    icon = "user"
    menu_label = "Peer workers"
    menu_order = 100
    index_view_class = WorkerIndexView
    add_view_class = WorkerCreateView
    edit_view_class = WorkerEditView
    inspect_view_class = WorkerInspectView
    history_view_class = type(
        "KeptWorkerHistoryView", (_KeptByHr, ScopedModelViewSet.history_view_class), {}
    )
    usage_view_class = type(
        "KeptWorkerUsageView", (_KeptByHr, ScopedModelViewSet.usage_view_class), {}
    )
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = WorkerFilterSet
    list_display = [
        "user",
        "organisation",
        Column("team", label="Team", sort_key="team__name"),
        Column("level", label="Role level", sort_key="level__order"),
        Column(
            "employment_type",
            label="Employment",
            accessor="get_employment_type_display",
            sort_key="employment_type",
        ),
        Column("status", label="Status", accessor="get_status_display", sort_key="status"),
        DateColumn("start_date", label="Started"),
    ]
    list_export = [
        "user",
        "user.email",
        "organisation.name",
        "team.name",
        "level.name",
        "job_title",
        "employment_type",
        "start_date",
        "contracted_hours",
        "supervision_every_days",
        "status",
        "left_on",
        "leaving_reason",
    ]
    export_headings = {
        "user": "Name",
        "user.email": "Email",
        "organisation.name": "Organisation",
        "team.name": "Team",
        "level.name": "Role level",
        "contracted_hours": "Contracted hours a week",
        "supervision_every_days": "Supervision every (days)",
        "left_on": "Left on",
        "leaving_reason": "Leaving reason",
    }
    export_filename = "peer-workers"
    search_fields = ["user__first_name", "user__last_name", "user__email", "job_title"]
    ordering = ["user__first_name", "user__last_name"]
    inspect_view_fields = [
        "user",
        "organisation",
        "team",
        "level",
        "job_title",
        "employment_type",
        "start_date",
        "contracted_hours",
        "supervisors",
        "supervision_every_days",
        "status",
        "left_on",
        "leaving_reason",
        "leaving_note",
        "created_at",
    ]

    def get_form_class(self, for_update=False):
        return WorkerForm


# --- Teams -----------------------------------------------------------------------------------


class TeamForm(WagtailAdminModelForm):
    """A team of one of HR's organisations."""

    class Meta:
        model = Team
        fields = ["organisation", "name"]
        error_messages = {
            "organisation": {
                "required": "Choose the organisation the team belongs to",
                "invalid_choice": "Choose your own organisation",
            },
            "name": {"required": "Enter the team's name"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = services.organisations_for(self.for_user)
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].empty_label = None

    def clean_name(self):
        name = plain_text(self.cleaned_data.get("name"))
        if not name:
            raise forms.ValidationError("Enter the team's name")
        return name


class TeamIndexView(ScopedModelViewSet.index_view_class):
    def get_base_queryset(self):
        return scope_to_organisation(self.request.user, super().get_base_queryset()).select_related(
            "organisation"
        )


class _TeamOfHr:
    def get_object(self, *args, **kwargs):
        team = super().get_object(*args, **kwargs)
        if (
            not services.organisations_for(self.request.user)
            .filter(pk=team.organisation_id)
            .exists()
        ):
            raise Http404
        return team


class TeamViewSet(ScopedModelViewSet):
    """The teams peer workers belong to, for supervision compliance and activity per team."""

    model = Team
    name = "peer_teams"
    url_prefix = "peer-teams"
    icon = "group"
    menu_label = "Peer teams"
    menu_order = 110
    index_view_class = TeamIndexView
    edit_view_class = type("HrTeamEditView", (_TeamOfHr, ScopedModelViewSet.edit_view_class), {})
    copy_view_enabled = False
    list_display = ["name", "organisation"]
    list_filter = []
    search_fields = ["name"]
    form_fields = ["organisation", "name"]

    def get_form_class(self, for_update=False):
        return TeamForm


class PeerWorkViewSetGroup(ModelViewSetGroup):
    """Peer workers, their teams and the activity numbers under one menu item."""

    menu_label = "Peer work"
    menu_icon = "user"
    menu_order = 260
    items = (PeerWorkerViewSet, TeamViewSet, PeerActivityViewSet)


def register_peer_work_viewsets():
    return PeerWorkViewSetGroup()
