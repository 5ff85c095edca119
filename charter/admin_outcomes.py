"""The partnership's outcomes in the Wagtail admin: programmes, outcome measures, their
before-and-after comparisons and dated targets, each a ``ScopedModelViewSet`` under one
"Outcomes" menu.

Who: the rule ``charter.keep_outcomes`` (HR with partnership-wide access, and
administrators). Outcomes belong to the whole partnership, so HR of a single organisation
are refused, like everyone else; ``OutcomesPolicy`` asks that rule for every action, so no
group permission can widen it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.urls import reverse
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.admin.widgets.button import MenuItem
from wagtail.permission_policies.base import BasePermissionPolicy

from cms.admin_dates import DateColumn
from cms.permissions import can
from cms.roles import Role
from cms.viewsets import ScopedModelViewSet

from .change import change, number
from .forms_outcomes import ComparisonForm, OutcomeMeasureForm, OutcomeTargetForm, ProgrammeForm
from .models import Comparison, OutcomeMeasure, OutcomeTarget, Programme
from .periods import period_label

RULE = "charter.keep_outcomes"
ACTIONS = ("add", "change", "delete", "view")


class OutcomesPolicy(BasePermissionPolicy):
    """Every action on the partnership's outcomes is the one rule's to decide."""

    def user_has_permission(self, user, action):
        return action in ACTIONS and can(user, RULE)

    def users_with_any_permission(self, actions):
        people = get_user_model().objects.filter(is_active=True)
        if not set(actions) & set(ACTIONS):
            return people.none()
        return people.filter(
            Q(is_superuser=True) | Q(partnership_wide=True, groups__name=Role.HR.value)
        ).distinct()


class _OutcomesViewSet(ScopedModelViewSet):
    """Permissions come from the rule, so none are offered to groups."""

    copy_view_enabled = False
    inspect_view_enabled = True

    def get_permissions_to_register(self):
        return Permission.objects.none()


def _status(programme: Programme) -> str:
    return "Published" if programme.published else "Draft"


def _listing_with(*related: str):
    """An index view that fetches what each row names with the row (a bounded number of
    queries however many rows there are)."""

    class ListingView(ScopedModelViewSet.index_view_class):
        def get_base_queryset(self):
            return super().get_base_queryset().select_related(*related)

    return ListingView


class ProgrammeIndexView(ScopedModelViewSet.index_view_class):
    def get_list_more_buttons(self, instance):
        return [
            MenuItem(
                "View the public page",
                url=reverse("outcomes:programme", args=[instance.slug]),
                icon_name="view",
                priority=1,
            ),
            *super().get_list_more_buttons(instance),
        ]


class ProgrammeViewSet(_OutcomesViewSet):
    model = Programme
    name = "outcome_programmes"
    url_prefix = "outcome-programmes"
    icon = "folder-open-inverse"
    menu_label = "Programmes"
    index_view_class = ProgrammeIndexView
    list_display = [
        "name",
        Column("published", label="Status", accessor=_status, sort_key="published"),
        DateColumn("updated_at", label="Changed"),
    ]
    list_filter = ["published"]
    search_fields = ["name"]

    def get_form_class(self, for_update=False):
        return ProgrammeForm


class OutcomeMeasureViewSet(_OutcomesViewSet):
    model = OutcomeMeasure
    name = "outcome_measures"
    url_prefix = "outcome-measures"
    icon = "table"
    menu_label = "Outcome measures"
    index_view_class = _listing_with("programme")
    list_display = ["name", "programme", "kind", "better"]
    list_filter = ["programme", "kind"]
    search_fields = ["name"]

    def get_form_class(self, for_update=False):
        return OutcomeMeasureForm


def _before(comparison: Comparison) -> str:
    return period_label(comparison.before_start, comparison.before_end)


def _after(comparison: Comparison) -> str:
    return period_label(comparison.after_start, comparison.after_end)


def _change(comparison: Comparison) -> str:
    """The change and % change as worked out (``charter.change``), in full: staff see it
    before the small-numbers rule holds anything back."""
    if comparison.before_value is None or comparison.after_value is None:
        return "-"
    worked = change(comparison.before_value, comparison.after_value)
    percent = "" if worked.percent is None else f" ({number(worked.percent, signed=True)}%)"
    return f"{number(worked.change, signed=True)}{percent}"


class ComparisonViewSet(_OutcomesViewSet):
    model = Comparison
    name = "outcome_comparisons"
    url_prefix = "outcome-comparisons"
    icon = "history"
    menu_label = "Before and after"
    index_view_class = _listing_with("measure__programme", "entered_by")
    list_display = [
        "measure",
        Column("before_end", label="Before", accessor=_before, sort_key="before_end"),
        "before_value",
        Column("after_end", label="After", accessor=_after, sort_key="after_end"),
        "after_value",
        Column("change", label="Change", accessor=_change),
        "source",
        "entered_by",
    ]
    list_filter = ["measure__programme", "source"]
    list_export = [
        "measure.programme.name",
        "measure.name",
        "before_start",
        "before_end",
        "before_value",
        "before_numerator",
        "before_denominator",
        "after_start",
        "after_end",
        "after_value",
        "after_numerator",
        "after_denominator",
        "source",
        "note",
        "entered_at",
    ]
    export_headings = {"measure.programme.name": "Programme", "measure.name": "Measure"}
    export_filename = "outcome-comparisons"

    def get_form_class(self, for_update=False):
        return ComparisonForm


class OutcomeTargetViewSet(_OutcomesViewSet):
    model = OutcomeTarget
    name = "outcome_targets"
    url_prefix = "outcome-targets"
    icon = "date"
    menu_label = "Partnership targets"
    index_view_class = _listing_with("measure__programme")
    list_display = ["measure", DateColumn("due_on", label="Target date"), "value", "note"]
    list_filter = ["measure__programme"]

    def get_form_class(self, for_update=False):
        return OutcomeTargetForm


# The models the rule guards: wagtail_hooks registers ``OutcomesPolicy`` for each.
MODELS = (Programme, OutcomeMeasure, Comparison, OutcomeTarget)


class OutcomesViewSetGroup(ModelViewSetGroup):
    menu_label = "Outcomes"
    menu_icon = "crosshairs"
    menu_order = 275
    items = (ProgrammeViewSet, OutcomeMeasureViewSet, ComparisonViewSet, OutcomeTargetViewSet)


def register_outcome_viewsets():
    return OutcomesViewSetGroup()
