"""Outcome figures partners collated for their offers, kept in the Wagtail admin by the
editors and engagement leads of each offer's provider (``peers.keep_offer_outcomes``), and
shown on the offer page (``peers.offer_sections``).

The list and every record view show only the figures of offers the person's organisation
runs (``visible_to``; all of them for administrators); the form offers only those offers.
Every save goes through ``peers.services.offer_outcomes``, which records who entered the
figures and when.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.permission_policies.base import BasePermissionPolicy

from cms.admin_dates import DateColumn
from cms.forms import ClearRequiredMessages
from cms.models import OfferPage
from cms.permissions import can, scope_to_organisation
from cms.roles import Role
from cms.sanitise import plain_text
from cms.viewsets import ScopedModelViewSet

from ..models import OfferOutcomeFigures
from ..outcome_measures import RULES
from ..services import Refused
from ..services import offer_outcomes as services

RULE = services.RULE
ACTIONS = ("add", "change", "delete", "view")


class OutcomeFiguresPolicy(BasePermissionPolicy):
    """Every action on offer outcome figures is the rule's to decide: no group permission
    can widen it, and each record is its provider's."""

    def user_has_permission(self, user, action):
        return action in ACTIONS and can(user, RULE)

    def user_has_permission_for_instance(self, user, action, instance):
        return action in ACTIONS and can(user, RULE, instance)

    def users_with_any_permission(self, actions):
        people = get_user_model().objects.filter(is_active=True)
        if not set(actions) & set(ACTIONS):
            return people.none()
        return people.filter(
            Q(is_superuser=True)
            | Q(groups__name__in=[Role.EDITOR.value, Role.ENGAGEMENT_LEAD.value])
        ).distinct()


class _OfferChoice(forms.ModelChoiceField):
    def label_from_instance(self, offer):
        return f"{offer.title} ({offer.provider.name})"


class OfferOutcomeFiguresForm(ClearRequiredMessages, WagtailAdminModelForm):
    """A partner's figures for one measure, offer and period; the rules (period in order
    and over, no more improved than counted, averages in the measure's range) are the
    model's ``clean()``, shown beside their fields."""

    class Meta:
        model = OfferOutcomeFigures
        fields = [
            "offer",
            "measure",
            "period_start",
            "period_end",
            "people",
            "improved",
            "average_first",
            "average_latest",
            "source",
        ]
        widgets = {"measure": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offers = OfferPage.objects.select_related("provider").order_by("title")
        self.fields["offer"] = _OfferChoice(
            queryset=scope_to_organisation(self.for_user, offers, "provider"),
            error_messages={"required": "Choose the offer these figures are for"},
        )
        ranges = "; ".join(f"{rule.name} {rule.range_in_words}" for rule in RULES.values())
        for field in ("average_first", "average_latest"):
            self.fields[field].help_text += f" Scores go {ranges}."

    def clean_source(self):
        return plain_text(self.cleaned_data.get("source"))


class _SavedByTheService:
    """Saves through ``outcome_figures_save``; a refusal is shown on the form, with
    everything typed kept."""

    def save_instance(self):
        return services.outcome_figures_save(by=self.request.user, figures=self.form.instance)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except Refused as refusal:
            form.add_error(None, refusal.message)
            return self.form_invalid(form)


class FiguresCreateView(_SavedByTheService, generic.CreateView):
    page_title = "Add outcome figures"
    success_message = "Outcome figures for %(object)s added."


class FiguresEditView(_SavedByTheService, ScopedModelViewSet.edit_view_class):
    success_message = "Outcome figures for %(object)s saved."


class FiguresIndexView(ScopedModelViewSet.index_view_class):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("offer", "entered_by")


def _measure(figures) -> str:
    return RULES[figures.measure].name if figures.measure in RULES else figures.measure


def _period(figures) -> str:
    return f"{figures.period_start:%-d %b %Y} to {figures.period_end:%-d %b %Y}"


class OfferOutcomeFiguresViewSet(ScopedModelViewSet):
    """Outcome figures of the offers the person's organisation runs."""

    model = OfferOutcomeFigures
    name = "offer_outcome_figures"
    url_prefix = "offer-outcome-figures"
    icon = "table"
    menu_label = "Offer outcome figures"
    menu_order = 320
    add_to_admin_menu = True
    index_view_class = FiguresIndexView
    add_view_class = FiguresCreateView
    edit_view_class = FiguresEditView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "offer",
        Column("measure", label="Measure", accessor=_measure, sort_key="measure"),
        Column("period_end", label="Period", accessor=_period, sort_key="period_end"),
        "people",
        "improved",
        "source",
        DateColumn("entered_at", label="Entered"),
    ]
    list_filter = ["measure"]
    search_fields = ["source"]
    ordering = ["-period_end"]

    def get_form_class(self, for_update=False):
        return OfferOutcomeFiguresForm

    def get_permissions_to_register(self):
        return Permission.objects.none()


def register_offer_outcomes_viewset():
    return OfferOutcomeFiguresViewSet()
