"""Outbound text messages in the Wagtail admin (Reports → Outbound texts): every stored
text, with who it was to (their number masked), its status, attempts, next try and last
error, and "Send again" for one that has not got through. For admins only (the same rule as
outbound mail).

Never the words: a text is about someone's claim or meeting, and an admin has no need to
read it to see why it did not get through. Sending again goes through
``cms.texts.text_send_again``, which writes the audit log.
"""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import truncatechars
from django.urls import path, reverse
from django.views.generic import TemplateView
from django_filters import ChoiceFilter
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from .admin_dates import DateColumn
from .dates import date_in_words
from .mail_admin import RETRYING, retries_last
from .models import OutboundText
from .permissions import can
from .texts import may_send_again, retrying, text_send_again
from .viewsets import RuleGuardedViewSet

Status = OutboundText.Status
RULE = "cms.manage_outbound_mail"
ERROR_SHOWN = 80


class OutboundTextPolicy(BasePermissionPolicy):
    """Admins may look at stored texts; nobody adds, edits or deletes one in the admin."""

    def user_has_permission(self, user, action):
        return action == "view" and can(user, RULE)

    def users_with_any_permission(self, actions):
        people = get_user_model().objects
        if "view" not in actions:
            return people.none()
        return people.filter(is_active=True, is_superuser=True)


def masked(number: str) -> str:
    """+447700900123 as "+44 7••• •••123": enough to tell two people apart."""
    if not number:
        return "(cleared)"
    return f"{number[:3]} {number[3]}\u2022\u2022\u2022 \u2022\u2022\u2022{number[-3:]}"


def to_whom(row) -> str:
    person = row.recipient
    name = (person.get_full_name() or person.email) if person else "Account closed"
    return f"{name} ({masked(row.phone_number)})"


def _next_try(row):
    if row.status != Status.PENDING:
        return ""
    return row.next_attempt_at or "As soon as the worker is free"


def _inspect_url(row) -> str:
    return reverse("outbound_texts:inspect", args=[row.pk])


class OutboundTextFilterSet(WagtailFilterSet):
    status = ChoiceFilter(
        label="Status",
        choices=[(RETRYING, "Waiting after a failed try"), *Status.choices],
        empty_label="All",
        method="filter_status",
    )

    class Meta:
        model = OutboundText
        fields = ["status"]

    def filter_status(self, queryset, name, value):
        if value == RETRYING:
            return queryset.filter(retrying())
        return queryset.filter(status=value)


class OutboundTextIndexView(generic.IndexView):
    page_title = "Outbound texts"

    def get_base_queryset(self):
        return OutboundText.objects.defer("body").select_related("recipient")


INSPECT_FIELDS = {
    "to": ("To", to_whom),
    "status": ("Status", lambda row: row.get_status_display()),
    "attempts": ("Attempts", lambda row: row.attempts),
    "next_attempt_at": ("Next try", _next_try),
    "last_error": ("Last error", lambda row: row.last_error),
    "provider_reference": ("Provider's reference", lambda row: row.provider_reference),
    "created_at": ("Created", lambda row: row.created_at),
    "sent_at": ("Sent", lambda row: row.sent_at),
}


class OutboundTextInspectView(generic.InspectView):
    """One text: what the list shows, with the whole last error; never the words."""

    template_name = "cms/texts/inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            OutboundText.objects.defer("body").select_related("recipient"), pk=self.pk
        )

    def get_page_subtitle(self):
        return to_whom(self.object)

    def get_field_label(self, field_name, field):
        return INSPECT_FIELDS[field_name][0]

    def get_field_display_value(self, field_name, field):
        value = INSPECT_FIELDS[field_name][1](self.object)
        if hasattr(value, "tzinfo"):
            return date_in_words(value)
        return "-" if value in ("", None) else value

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_send_again"] = may_send_again(self.object)
        context["retries_last"] = retries_last()
        return context


class SendTextAgainView(WagtailAdminTemplateMixin, TemplateView):
    """Asks, then has a text that could not be delivered tried again now."""

    page_title = "Send again"
    header_icon = "mail"
    template_name = "cms/texts/send_again.html"

    def dispatch(self, request, pk):
        if not can(request.user, RULE):
            return permission_denied(request)
        self.row = get_object_or_404(OutboundText.objects.select_related("recipient"), pk=pk)
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return to_whom(self.row)

    def get(self, request, *args, **kwargs):
        if not may_send_again(self.row):
            messages.info(request, _nothing_to_send_again(self.row))
            return redirect(_inspect_url(self.row))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            text_send_again(outbound=self.row, user=request.user)
        except ValueError:
            messages.info(request, _nothing_to_send_again(self.row))
            return redirect(_inspect_url(self.row))
        messages.success(
            request,
            f"The text to {to_whom(self.row)} is being sent again. Its status below shows "
            "whether it got through.",
        )
        return redirect(_inspect_url(self.row))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            row=self.row, to=to_whom(self.row), retries_last=retries_last(), **kwargs
        )


def _nothing_to_send_again(row) -> str:
    if row.status == Status.SENT:
        return "This text was delivered, so there is nothing to send again."
    if not row.phone_number:
        return (
            "This text's number has been cleared (we keep it only 14 days), so it cannot "
            "be sent again."
        )
    return "This text is being sent now. Check its status again in a minute."


class OutboundTextViewSet(RuleGuardedViewSet, ModelViewSet):
    """Reports → Outbound texts, for admins."""

    rule = RULE
    record_url_name = "outbound_texts:inspect"

    model = OutboundText
    name = "outbound_texts"
    url_prefix = "outbound-texts"
    icon = "mail"
    menu_label = "Outbound texts"
    menu_name = "outbound-texts"
    menu_order = 801
    menu_hook = "register_reports_menu_item"
    index_view_class = OutboundTextIndexView
    inspect_view_class = OutboundTextInspectView
    inspect_view_enabled = True
    inspect_view_fields = list(INSPECT_FIELDS)
    copy_view_enabled = False
    filterset_class = OutboundTextFilterSet
    ordering = "-created_at"
    list_per_page = 50
    list_display = [
        TitleColumn("to", label="To", accessor=to_whom, get_url=_inspect_url),
        Column("status", label="Status", accessor="get_status_display", sort_key="status"),
        Column("attempts", label="Attempts", sort_key="attempts"),
        DateColumn(
            "next_attempt_at", label="Next try", accessor=_next_try, sort_key="next_attempt_at"
        ),
        Column(
            "last_error",
            label="Last error",
            accessor=lambda row: truncatechars(row.last_error, ERROR_SHOWN),
        ),
        DateColumn("created_at", label="Created", sort_key="created_at"),
    ]

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("send-again/<int:pk>/", SendTextAgainView.as_view(), name="send_again"),
        ]
