"""Engagement leads' side of panels in the Wagtail admin: the panels they run, the
applications to them (each decided through ``application_decide``), and each panel's
make-up against who it is looking for.

Both viewsets inherit ``ScopedModelViewSet`` (every view shows only what ``visible_to``
allows) and narrow it to the panels the person runs, ``panels_led_by``: their own
organisation's, or every one with partnership-wide access, and those they facilitate. The
public may read more (every panel not in draft), but may change none of it. Applications
are made by members on the site and are never added or deleted here; a lead's only change
to one is a decision.
"""

from django import forms
from django.contrib import messages
from django.db.models import CharField, Count, F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView
from django_filters import ChoiceFilter, ModelChoiceFilter
from wagtail.admin.auth import permission_denied
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.admin.widgets.button import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy

from cms.admin_dates import DateColumn
from cms.audit import audit_view
from cms.models import OfferPage, Organisation, User
from cms.permissions import can, sees_whole_partnership, visible_to
from cms.roles import STAFF_ROLES
from cms.sanitise import plain_text
from cms.viewsets import ScopedModelViewSet

from ..choices import Community, LivedExperience
from ..forms.panels import DecisionForm
from ..models import Panel, PanelApplication
from ..rules import panels_led_by
from ..selectors import panels as selectors
from ..services import Refused
from ..services.applications import application_decide

# --- Permissions ----------------------------------------------------------------------------


class ApplicationPermissionPolicy(ModelPermissionPolicy):
    """Applications come from members on the site and are kept as the record of who
    applied: nobody adds or deletes them in the admin, whatever their model permissions."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)


# --- Panels -------------------------------------------------------------------------------


def _staff_people():
    staff_groups = [role.value for role in STAFF_ROLES]
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=staff_groups) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


class PanelForm(WagtailAdminModelForm):
    """A panel as leads set it up: only organisations they may use, only staff as
    facilitators, plain text everywhere, and choices instead of raw lists."""

    sought_lived_experience = forms.MultipleChoiceField(
        label="Lived experience you are looking for",
        help_text="Used only to compare, in anonymous totals, who joins with who you hoped "
        "to reach.",
        choices=LivedExperience.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sought_communities = forms.MultipleChoiceField(
        label="Communities you are looking for",
        choices=Community.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Panel
        fields = [
            "organisation",
            "title",
            "purpose",
            "offers",
            "pathway",
            "status",
            "seats",
            "who_is_sought",
            "sought_lived_experience",
            "sought_communities",
            "coproduction_level",
            "facilitators",
            "hourly_rate",
            "time_commitment",
            "applications_close_on",
        ]
        widgets = {
            "offers": forms.CheckboxSelectMultiple,
            "facilitators": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        organisations = Organisation.objects.order_by("name")
        if user is not None and not sees_whole_partnership(user):
            # A facilitator from another organisation keeps the panel's own organisation.
            organisations = organisations.filter(
                Q(pk=user.organisation_id) | Q(pk=self.instance.organisation_id)
            )
            self.fields["organisation"].help_text = (
                "You can run panels for your own organisation. Ask an administrator if you "
                "need partnership-wide access."
            )
        self.fields["organisation"].queryset = organisations
        self.fields["facilitators"].queryset = _staff_people()
        self.fields[
            "facilitators"
        ].help_text = "Staff who run the panel with you. Leads among them can manage it."
        self.fields["offers"].queryset = OfferPage.objects.live().order_by("title")
        self.fields["offers"].label = "Offers it redesigns"

    def _plain(self, name: str) -> str:
        return plain_text(self.cleaned_data.get(name))

    def clean_title(self):
        title = self._plain("title")
        if not title:
            raise forms.ValidationError("Enter the panel's title.")
        return title

    def clean_purpose(self):
        purpose = self._plain("purpose")
        if not purpose:
            raise forms.ValidationError("Say what the panel is for, in plain English.")
        return purpose

    def clean_who_is_sought(self):
        sought = self._plain("who_is_sought")
        if not sought:
            raise forms.ValidationError("Say who you would like to hear from.")
        return sought

    def clean_pathway(self):
        return self._plain("pathway")

    def clean_time_commitment(self):
        return self._plain("time_commitment")

    def clean(self):
        cleaned = super().clean()
        seats = cleaned.get("seats")
        if self.instance.pk and seats:
            members = selectors.seats_taken(self.instance)
            if seats < members:
                self.add_error(
                    "seats",
                    f"{members} people are already members of this panel. Set at least "
                    f"{members} seats, or change a member's place first.",
                )
        closes = cleaned.get("applications_close_on")
        if (
            cleaned.get("status") == Panel.Status.RECRUITING
            and closes
            and closes < timezone.localdate()
            and ("applications_close_on" in self.changed_data or "status" in self.changed_data)
        ):
            self.add_error(
                "applications_close_on",
                "The closing date has passed. Enter today or a later date, or leave it empty.",
            )
        return cleaned


def _with_counts(queryset):
    return queryset.select_related("organisation").annotate(
        member_count=Count(
            "applications",
            filter=Q(applications__status=PanelApplication.Status.ACCEPTED),
            distinct=True,
        ),
        waiting_count=Count(
            "applications",
            filter=Q(applications__status=PanelApplication.Status.PENDING),
            distinct=True,
        ),
    )


class PanelIndexView(ScopedModelViewSet.index_view_class):
    """The panels the person runs (the public may read more: every panel not in draft),
    with members and applications waiting counted in the one query, and each row's way to
    its applications and make-up."""

    def get_base_queryset(self):
        led = panels_led_by(self.request.user).values("pk")
        return _with_counts(super().get_base_queryset().filter(pk__in=led))

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons += [
            MenuItem(
                "Applications",
                url=f"{reverse('panel_applications:index')}?panel={instance.pk}",
                icon_name="user",
                priority=5,
            ),
            MenuItem(
                "Panel make-up",
                url=reverse("panels:make_up", args=[instance.pk]),
                icon_name="group",
                priority=6,
            ),
            MenuItem(
                "View on the site", url=instance.get_absolute_url(), icon_name="view", priority=7
            ),
        ]
        return buttons


class _LedPanelOnly:
    """A panel's own admin views: one the person does not run is a 404, like one that
    does not exist, even though the public may read it on the site."""

    def get_object(self, *args, **kwargs):
        panel = super().get_object(*args, **kwargs)
        if not panels_led_by(self.request.user).filter(pk=panel.pk).exists():
            raise Http404
        return panel


def _led_only(view_class):
    return type(f"Led{view_class.__name__}", (_LedPanelOnly, view_class), {})


class PanelInspectView(_LedPanelOnly, ScopedModelViewSet.inspect_view_class):
    """A panel's details, with who it is looking for in words rather than codes."""

    def get_sought_lived_experience_display_value(self):
        return ", ".join(self.object.sought_lived_experience_labels) or "-"

    def get_sought_communities_display_value(self):
        return ", ".join(self.object.sought_community_labels) or "-"


class PanelMakeUpView(WagtailAdminTemplateMixin, TemplateView):
    """Who the panel's members are, in suppressed totals, against who it is looking for."""

    template_name = "coproduce/admin/panels/make_up.html"
    header_icon = "group"
    page_title = "Panel make-up"

    def dispatch(self, request, pk):
        self.panel = get_object_or_404(panels_led_by(request.user), pk=pk)
        if not can(request.user, "coproduce.manage_panel", self.panel):
            return permission_denied(request)
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.panel.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("panels:index"), "label": "Panels"},
            {"url": reverse("panels:edit", args=[self.panel.pk]), "label": self.panel.title},
            {"url": "", "label": "Panel make-up"},
        ]

    def get(self, request, *args, **kwargs):
        # Totals drawn from sensitive answers: who looked, and when, is kept.
        audit_view(
            user=request.user,
            instance=self.panel,
            reason="Viewed the panel's make-up (anonymous totals of lived experience and "
            "communities)",
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            panel=self.panel,
            make_up=selectors.panel_make_up(self.panel),
            applications_url=f"{reverse('panel_applications:index')}?panel={self.panel.pk}",
        )
        return context


class PanelViewSet(ScopedModelViewSet):
    """Panels of the lead's organisation, and panels they facilitate."""

    model = Panel
    name = "panels"
    icon = "group"
    menu_label = "Panels"
    menu_order = 100
    index_view_class = PanelIndexView
    edit_view_class = _led_only(ScopedModelViewSet.edit_view_class)
    delete_view_class = _led_only(ScopedModelViewSet.delete_view_class)
    history_view_class = _led_only(ScopedModelViewSet.history_view_class)
    usage_view_class = _led_only(ScopedModelViewSet.usage_view_class)
    inspect_view_class = PanelInspectView
    inspect_view_enabled = True
    # A copy would share the slug and the story of the original; leads start a new panel.
    copy_view_enabled = False
    list_display = [
        "title",
        "organisation",
        "status",
        Column("member_count", label="Members", sort_key="member_count"),
        "seats",
        Column("waiting_count", label="Waiting for a decision", sort_key="waiting_count"),
        DateColumn("applications_close_on", label="Closing date"),
    ]
    list_filter = ["status", "organisation", "coproduction_level"]
    list_export = [
        "title",
        "organisation.name",
        "status",
        "coproduction_level",
        "seats",
        "member_count",
        "waiting_count",
        "hourly_rate",
        "time_commitment",
        "applications_close_on",
        "slug",
    ]
    export_headings = {
        "organisation.name": "Organisation",
        "member_count": "Members",
        "waiting_count": "Waiting for a decision",
        "hourly_rate": "Rate per hour (£)",
        "slug": "Web address name",
    }
    export_filename = "panels"
    search_fields = ["title", "purpose", "who_is_sought", "pathway"]
    inspect_view_fields = [
        "organisation",
        "title",
        "purpose",
        "offers",
        "pathway",
        "status",
        "seats",
        "who_is_sought",
        "sought_lived_experience",
        "sought_communities",
        "coproduction_level",
        "facilitators",
        "hourly_rate",
        "time_commitment",
        "applications_close_on",
        "created_at",
        "updated_at",
    ]

    def get_form_class(self, for_update=False):
        return PanelForm

    @property
    def make_up_view(self):
        return PanelMakeUpView.as_view()

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("make-up/<int:pk>/", self.make_up_view, name="make_up"),
        ]


# --- Applications -------------------------------------------------------------------------


def _panels_for_filter(request):
    return panels_led_by(request.user).order_by("title")


class ApplicationFilterSet(WagtailFilterSet):
    """Filters by status and by panel, offering only panels the person may see."""

    status = ChoiceFilter(choices=PanelApplication.Status.choices, empty_label="Any status")
    panel = ModelChoiceFilter(queryset=_panels_for_filter, empty_label="Any panel")

    class Meta:
        model = PanelApplication
        fields = ["status", "panel"]


def _with_names(queryset):
    return queryset.select_related(
        "panel__organisation", "applicant__involvement_profile", "decided_by"
    ).annotate(
        applicant_name=Coalesce(
            NullIf(F("applicant__involvement_profile__display_name"), Value("")),
            NullIf(F("applicant__first_name"), Value("")),
            F("applicant__email"),
            output_field=CharField(),
        )
    )


def _applications_to_panels_led_by(user, queryset):
    """A lead who is also a member sees their own applications on the site, not here."""
    return _with_names(queryset.filter(panel__in=panels_led_by(user).values("pk")))


class ApplicationIndexView(ScopedModelViewSet.index_view_class):
    """Applications to the person's panels, each titled by the applicant's name to show."""

    def get_base_queryset(self):
        return _applications_to_panels_led_by(self.request.user, super().get_base_queryset())

    @cached_property
    def columns(self):
        view = self

        class ApplicantColumn(ButtonsColumnMixin, TitleColumn):
            """The name links to the decision; the row's other actions sit beside it."""

            def get_buttons(self, instance, parent_context):
                return view.get_list_buttons(instance)

        applicant = ApplicantColumn(
            "applicant_name",
            label="Applicant",
            url_name="panel_applications:edit",
            sort_key="applicant_name",
        )
        return [applicant, *super().columns]


class ApplicationInspectView(ScopedModelViewSet.inspect_view_class):
    """An application's details, with its access needs in words rather than codes."""

    def get(self, request, *args, **kwargs):
        audit_view(
            user=request.user,
            instance=self.object,
            reason="Panel lead opened an application to their panel, with its access needs",
        )
        return super().get(request, *args, **kwargs)

    def get_access_needs_display_value(self):
        return ", ".join(self.object.access_need_labels) or "-"


class ApplicationDecideView(WagtailAdminTemplateMixin, FormView):
    """One application in full, and the lead's decision on it (through the service)."""

    template_name = "coproduce/admin/panels/decide.html"
    form_class = DecisionForm
    header_icon = "user"
    page_title = "Decide application"

    def dispatch(self, request, pk):
        self.application = get_object_or_404(
            _applications_to_panels_led_by(
                request.user, visible_to(request.user, PanelApplication)
            ),
            pk=pk,
        )
        self.panel = self.application.panel
        if not can(request.user, "coproduce.manage_panel", self.panel):
            return permission_denied(request)
        return super().dispatch(request, pk)

    def get(self, request, *args, **kwargs):
        audit_view(
            user=request.user,
            instance=self.application,
            reason="Panel lead opened an application to their panel to decide it",
        )
        profile = getattr(self.application.applicant, "involvement_profile", None)
        if profile is not None:
            audit_view(
                user=request.user,
                instance=profile,
                reason="Panel lead read an applicant's involvement profile to decide",
            )
        return super().get(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"{self.application.applicant_name}, {self.panel.title}"

    @cached_property
    def index_url(self):
        return f"{reverse('panel_applications:index')}?panel={self.panel.pk}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("panels:index"), "label": "Panels"},
            {"url": self.index_url, "label": f"Applications: {self.panel.title}"},
            {"url": "", "label": self.application.applicant_name},
        ]

    def get_initial(self):
        if self.application.status in dict(DecisionForm.base_fields["decision"].choices):
            return {
                "decision": self.application.status,
                "note": self.application.decision_note,
            }
        return {}

    def form_valid(self, form):
        try:
            application = application_decide(
                application=self.application,
                user=self.request.user,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except Refused as refusal:
            form.add_error(None, refusal.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{self.application.applicant_name}: {application.get_status_display().lower()}. "
            "They have been emailed.",
        )
        return redirect(self.index_url)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        profile = getattr(self.application.applicant, "involvement_profile", None)
        context.update(
            application=self.application,
            panel=self.panel,
            profile=profile,
            seats_taken=selectors.seats_taken(self.panel),
            history_url=reverse("panel_applications:history", args=[self.application.pk]),
            make_up_url=reverse("panels:make_up", args=[self.panel.pk]),
        )
        return context


class PanelApplicationViewSet(ScopedModelViewSet):
    """Applications to the lead's panels; opening one is where it is decided."""

    model = PanelApplication
    name = "panel_applications"
    icon = "user"
    menu_label = "Applications"
    menu_order = 110
    url_prefix = "panel-applications"
    index_view_class = ApplicationIndexView
    inspect_view_class = ApplicationInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = ApplicationFilterSet
    # The applicant's name comes first, added by the index view with the row's actions.
    list_display = [
        Column("panel", label="Panel", accessor="panel.title", sort_key="panel__title"),
        Column("status", label="Status", accessor="get_status_display", sort_key="status"),
        DateColumn("created_at", label="Applied"),
        DateColumn("decided_at", label="Decided"),
    ]
    list_export = [
        "applicant_name",
        "panel.title",
        "status",
        "access_need_labels",
        "interpreter_language",
        "access_needs_other",
        "created_at",
        "decided_at",
        "decided_by",
        "decision_note",
    ]
    export_headings = {
        "applicant_name": "Applicant",
        "panel.title": "Panel",
        "access_need_labels": "Access needs",
        "interpreter_language": "Interpreter language",
        "access_needs_other": "Other access needs",
        "created_at": "Applied",
        "decided_at": "Decided",
        "decided_by": "Decided by",
        "decision_note": "Note to the applicant",
    }
    export_filename = "panel-applications"
    ordering = "-created_at"
    search_fields = [
        "panel__title",
        "applicant__email",
        "applicant__first_name",
        "applicant__last_name",
        "applicant__involvement_profile__display_name",
    ]
    inspect_view_fields = [
        "panel",
        "applicant",
        "status",
        "statement",
        "access_needs",
        "interpreter_language",
        "access_needs_other",
        "decision_note",
        "decided_by",
        "decided_at",
        "created_at",
    ]
    form_fields = ["decision_note"]  # unused: editing an application is deciding it

    @property
    def decide_view(self):
        return ApplicationDecideView.as_view()

    def get_urlpatterns(self):
        # The "edit" name is kept, so Wagtail's links to an application (the listing,
        # the inspect view, the history) open the decision.
        return [
            self.decide_view_pattern if pattern.name == "edit" else pattern
            for pattern in super().get_urlpatterns()
        ]

    @property
    def decide_view_pattern(self):
        return path("edit/<int:pk>/", self.decide_view, name="edit")


class PanelsViewSetGroup(ModelViewSetGroup):
    """Panels and their applications together under one menu item."""

    menu_label = "Panels"
    menu_icon = "group"
    menu_order = 250
    items = (PanelViewSet, PanelApplicationViewSet)


def register_panels_viewsets():
    return PanelsViewSetGroup()
