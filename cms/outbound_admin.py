"""What the admin's pages of stored outbound messages (Reports → Outbound mail, Outbound
texts) share: the status filter the dashboard's warnings link to, the columns and fields
of a message's delivery, its page, and "Send again". For admins only; nothing is added,
edited or deleted here.

Each kind of message is an ``OutboundViewSet`` saying only what differs: its model and
queue (``cms.outbound.DeliveryQueue``), how its rows are read (never the words of the
message), how a row is named, and what sending again calls and says.
"""

from functools import cached_property

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import truncatechars
from django.urls import path, reverse
from django.views.generic import TemplateView
from django_filters import ChoiceFilter
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from .admin_dates import DateColumn
from .dates import date_in_words
from .outbound import RETRY_DELAYS, DeliveryQueue
from .permissions import can
from .viewsets import RuleGuardedViewSet

RULE = "cms.manage_outbound_mail"
# The filter the dashboard's warnings link to: what the queue's health counts as retrying.
RETRYING = "retrying"
ERROR_SHOWN = 80


def retries_last() -> str:
    """How long a refused message is tried again for, in words ("about 4 days")."""
    return f"about {round(sum(RETRY_DELAYS) / (60 * 24))} days"


class OutboundPolicy(BasePermissionPolicy):
    """Admins may look at stored messages; nobody adds, edits or deletes one in the admin."""

    def user_has_permission(self, user, action):
        return action == "view" and can(user, RULE)

    def users_with_any_permission(self, actions):
        people = get_user_model().objects
        if "view" not in actions:
            return people.none()
        return people.filter(is_active=True, is_superuser=True)


def next_try(row):
    if row.status != row.Status.PENDING:
        return ""
    return row.next_attempt_at or "As soon as the worker is free"


def status_filters(queue: DeliveryQueue) -> type[WagtailFilterSet]:
    """The list's filter: one status, or "waiting after a failed try" (``RETRYING``)."""

    class Meta:
        model = queue.model
        fields = ["status"]

    def filter_status(self, queryset, name, value):
        if value == RETRYING:
            return queryset.filter(queue.retrying())
        return queryset.filter(status=value)

    status = ChoiceFilter(
        label="Status",
        choices=[(RETRYING, "Waiting after a failed try"), *queue.Status.choices],
        empty_label="All",
        method="filter_status",
    )
    return type(
        f"{queue.model.__name__}FilterSet",
        (WagtailFilterSet,),
        {"status": status, "Meta": Meta, "filter_status": filter_status},
    )


def delivery_columns() -> list[Column]:
    """The list's columns after the ones naming the message."""
    return [
        Column("status", label="Status", accessor="get_status_display", sort_key="status"),
        Column("attempts", label="Attempts", sort_key="attempts"),
        DateColumn(
            "next_attempt_at", label="Next try", accessor=next_try, sort_key="next_attempt_at"
        ),
        Column(
            "last_error",
            label="Last error",
            accessor=lambda row: truncatechars(row.last_error, ERROR_SHOWN),
        ),
        DateColumn("created_at", label="Created", sort_key="created_at"),
    ]


# A message's page: (label, value) for each field, in order.
DELIVERY_FIELDS = {
    "status": ("Status", lambda row: row.get_status_display()),
    "attempts": ("Attempts", lambda row: row.attempts),
    "next_attempt_at": ("Next try", next_try),
    "last_error": ("Last error", lambda row: row.last_error),
}
WHEN_FIELDS = {
    "created_at": ("Created", lambda row: row.created_at),
    "sent_at": ("Sent", lambda row: row.sent_at),
}


class OutboundIndexView(generic.IndexView):
    """Every stored message, newest first, with its words left in the database."""

    outbound = None

    def get_base_queryset(self):
        return self.outbound.rows()


class OutboundInspectView(generic.InspectView):
    """One message: what the list shows, with the whole of the last error; never its words."""

    outbound = None

    def get_object(self, queryset=None):
        return get_object_or_404(self.outbound.rows(), pk=self.pk)

    def get_page_subtitle(self):
        return self.outbound.title_of(self.object)

    def get_field_label(self, field_name, field):
        return self.outbound.inspect_fields[field_name][0]

    def get_field_display_value(self, field_name, field):
        value = self.outbound.inspect_fields[field_name][1](self.object)
        if hasattr(value, "tzinfo"):
            return date_in_words(value)
        return "-" if value in ("", None) else value

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_send_again"] = self.outbound.queue.may_send_again(self.object)
        context["retries_last"] = retries_last()
        return context


class SendAgainView(WagtailAdminTemplateMixin, TemplateView):
    """Asks, then has a message that could not be delivered (or is waiting) tried again
    now, with a fresh set of attempts."""

    page_title = "Send again"
    header_icon = "mail"
    outbound = None

    def dispatch(self, request, pk):
        if not can(request.user, RULE):
            return permission_denied(request)
        self.row = get_object_or_404(self.outbound.rows(), pk=pk)
        self.inspect_url = reverse(self.outbound.record_url_name, args=[pk])
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.outbound.title_of(self.row)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {
                "url": reverse(self.outbound.get_url_name("index")),
                "label": self.outbound.menu_label,
            },
            {"url": self.inspect_url, "label": self.get_page_subtitle()},
            {"url": "", "label": self.page_title},
        ]

    def get(self, request, *args, **kwargs):
        if not self.outbound.queue.may_send_again(self.row):
            messages.info(request, self.outbound.nothing_to_send_again(self.row))
            return redirect(self.inspect_url)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            self.outbound.send_again(self.row, user=request.user)
        except ValueError:
            messages.info(request, self.outbound.nothing_to_send_again(self.row))
            return redirect(self.inspect_url)
        messages.success(request, self.outbound.sent_again(self.row))
        if request.POST.get("next") == "index":
            return redirect(self.outbound.get_url_name("index"))
        return redirect(self.inspect_url)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            row=self.row,
            retries_last=retries_last(),
            **self.outbound.send_again_context(self.row),
            **kwargs,
        )


class OutboundViewSet(RuleGuardedViewSet, ModelViewSet):
    """Reports → one kind of outbound message, for admins. A subclass names its model,
    ``queue``, menu entry, templates, columns before ``delivery_columns()`` and
    ``inspect_fields``, and says how rows are read, named and sent again."""

    rule = RULE
    queue: DeliveryQueue
    inspect_fields: dict
    send_again_template_name: str

    icon = "mail"
    menu_hook = "register_reports_menu_item"
    index_view_class = OutboundIndexView
    inspect_view_class = OutboundInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    ordering = "-created_at"
    list_per_page = 50

    @property
    def record_url_name(self):
        # Stored messages are not edited: links from site history open the message's page.
        return self.get_url_name("inspect")

    @property
    def inspect_view_fields(self):
        return list(self.inspect_fields)

    @cached_property
    def filterset_class(self):
        return status_filters(self.queue)

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(outbound=self, **kwargs)

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(page_title=self.menu_label, **kwargs)

    def rows(self):
        """The stored messages, with their words left in the database."""
        raise NotImplementedError

    def title_of(self, row) -> str:
        raise NotImplementedError

    def send_again(self, row, *, user):
        """The audited service that sends ``row`` again; ValueError when it may not be."""
        raise NotImplementedError

    def sent_again(self, row) -> str:
        """What the admin is told once ``row`` is being sent again."""
        raise NotImplementedError

    def nothing_to_send_again(self, row) -> str:
        """Why ``row`` cannot be sent again."""
        raise NotImplementedError

    def send_again_context(self, row) -> dict:
        """What the "Send again" page's template says about ``row``."""
        raise NotImplementedError

    def get_urlpatterns(self):
        send_again = self.construct_view(SendAgainView, template_name=self.send_again_template_name)
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("send-again/<int:pk>/", send_again, name="send_again"),
        ]
