"""Outbound mail in the Wagtail admin (Reports → Outbound mail): every email the site has
stored, with its subject, recipients, status, attempts, next try and last error, and "Send
again" for one that has not got through. For admins only.

Never the body. Bodies hold one-time sign-in and password-reset links, which an admin must
not be able to use. Every query here leaves the stored message in the database and reads
out only its subject and recipients (``outbound_mail_rows``), so no column, page or
template can show a body by mistake, and a page of fifty emails does not load fifty
attachments. Nothing is added, edited or deleted here: sending again goes through
``cms.mail.email_send_again``, which writes the audit log.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import truncatechars
from django.urls import path, reverse
from django.views.generic import TemplateView
from django_filters import ChoiceFilter
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import ListingButton
from wagtail.permission_policies.base import BasePermissionPolicy

from .admin_dates import DateColumn
from .dates import date_in_words
from .mail import RETRY_DELAYS, email_send_again, may_send_again, retrying
from .models import OutboundEmail
from .permissions import can
from .viewsets import RuleGuardedViewSet

Status = OutboundEmail.Status
RULE = "cms.manage_outbound_mail"
# The filter the dashboard's warning links to: what ``mail_health`` counts as retrying.
RETRYING = "retrying"
ERROR_SHOWN = 80


def retries_last() -> str:
    """How long a refused email is tried again for, in words ("about 4 days")."""
    return f"about {round(sum(RETRY_DELAYS) / (60 * 24))} days"


class OutboundMailPolicy(BasePermissionPolicy):
    """Admins may look at stored emails; nobody adds, edits or deletes one in the admin."""

    def user_has_permission(self, user, action):
        return action == "view" and can(user, RULE)

    def users_with_any_permission(self, actions):
        people = get_user_model().objects
        if "view" not in actions:
            return people.none()
        return people.filter(is_active=True, is_superuser=True)


def outbound_mail_rows() -> QuerySet:
    """Stored emails with their subject and recipients read out of the message; the message
    itself (body, links, attachments) stays in the database."""
    return OutboundEmail.objects.defer("message").annotate(
        subject_text=KeyTextTransform("subject", "message"),
        to_addresses=KeyTransform("to", "message"),
        cc_addresses=KeyTransform("cc", "message"),
        bcc_addresses=KeyTransform("bcc", "message"),
    )


def subject_of(row) -> str:
    return row.subject_text or "(no subject)"


def recipients_of(row) -> list[str]:
    return [*(row.to_addresses or []), *(row.cc_addresses or []), *(row.bcc_addresses or [])]


def _recipients_text(row) -> str:
    return ", ".join(recipients_of(row))


def _next_try(row):
    if row.status != Status.PENDING:
        return ""
    return row.next_attempt_at or "As soon as the worker is free"


def _short_error(row) -> str:
    return truncatechars(row.last_error, ERROR_SHOWN)


def _about(row) -> str:
    if not row.about_type_id:
        return ""
    kind = ContentType.objects.get_for_id(row.about_type_id)
    return f"{kind.name.capitalize()} {row.about_id}"


def _inspect_url(row) -> str:
    return reverse("outbound_mail:inspect", args=[row.pk])


class OutboundMailFilterSet(WagtailFilterSet):
    status = ChoiceFilter(
        label="Status",
        choices=[(RETRYING, "Waiting after a failed try"), *Status.choices],
        empty_label="All",
        method="filter_status",
    )

    class Meta:
        model = OutboundEmail
        fields = ["status"]

    def filter_status(self, queryset, name, value):
        if value == RETRYING:
            return queryset.filter(retrying())
        return queryset.filter(status=value)


class SubjectColumn(ButtonsColumnMixin, TitleColumn):
    """The subject, linking to the email's page, with "Send again" beside it when it may be.

    The button stands on its own: Wagtail's "more" menu names each row by ``str(row)``,
    which would read the stored message once per row."""

    def get_buttons(self, instance, parent_context):
        if not may_send_again(instance):
            return []
        return [
            ListingButton(
                "Send again",
                url=reverse("outbound_mail:send_again", args=[instance.pk]),
                icon_name="mail",
                attrs={"aria-label": f"Send again: {subject_of(instance)}"},
            )
        ]


class OutboundMailIndexView(generic.IndexView):
    """Every stored email, newest first, with the message left in the database."""

    page_title = "Outbound mail"

    def get_base_queryset(self):
        return outbound_mail_rows()


INSPECT_FIELDS = {
    "subject": ("Subject", subject_of),
    "recipients": ("Recipients", _recipients_text),
    "status": ("Status", lambda row: row.get_status_display()),
    "attempts": ("Attempts", lambda row: row.attempts),
    "next_attempt_at": ("Next try", _next_try),
    "last_error": ("Last error", lambda row: row.last_error),
    "about": ("About", _about),
    "created_at": ("Created", lambda row: row.created_at),
    "sent_at": ("Sent", lambda row: row.sent_at),
}


class OutboundMailInspectView(generic.InspectView):
    """One email: what the list shows, with the whole of the last error; never the body."""

    template_name = "cms/admin/outbound_mail/inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(outbound_mail_rows(), pk=self.pk)

    def get_page_subtitle(self):
        return subject_of(self.object)

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


class SendAgainView(WagtailAdminTemplateMixin, TemplateView):
    """Asks, then has an email that could not be delivered (or is waiting) tried again now,
    with a fresh set of attempts."""

    page_title = "Send again"
    header_icon = "mail"
    template_name = "cms/admin/outbound_mail/send_again.html"

    def dispatch(self, request, pk):
        if not can(request.user, RULE):
            return permission_denied(request)
        self.row = get_object_or_404(outbound_mail_rows(), pk=pk)
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return subject_of(self.row)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("outbound_mail:index"), "label": "Outbound mail"},
            {"url": _inspect_url(self.row), "label": subject_of(self.row)},
            {"url": "", "label": self.page_title},
        ]

    def get(self, request, *args, **kwargs):
        if not may_send_again(self.row):
            messages.info(request, _nothing_to_send_again(self.row))
            return redirect(_inspect_url(self.row))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            email_send_again(outbound=self.row, user=request.user)
        except ValueError:
            messages.info(request, _nothing_to_send_again(self.row))
            return redirect(_inspect_url(self.row))
        messages.success(
            request,
            f"“{subject_of(self.row)}” is being sent again to {_recipients_text(self.row)}. "
            "Its status below shows whether it got through.",
        )
        if request.POST.get("next") == "index":
            return redirect("outbound_mail:index")
        return redirect(_inspect_url(self.row))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            row=self.row,
            subject=subject_of(self.row),
            recipients=recipients_of(self.row),
            retries_last=retries_last(),
            **kwargs,
        )


def _nothing_to_send_again(row) -> str:
    if row.status == Status.SENT:
        return f"“{subject_of(row)}” was delivered, so there is nothing to send again."
    return f"“{subject_of(row)}” is being sent now. Check its status again in a minute."


class OutboundMailViewSet(RuleGuardedViewSet, ModelViewSet):
    """Reports → Outbound mail, for admins."""

    rule = RULE
    # Stored emails are not edited: links from site history open the email's page.
    record_url_name = "outbound_mail:inspect"

    model = OutboundEmail
    name = "outbound_mail"
    url_prefix = "outbound-mail"
    icon = "mail"
    menu_label = "Outbound mail"
    menu_name = "outbound-mail"
    menu_order = 800
    menu_hook = "register_reports_menu_item"
    index_view_class = OutboundMailIndexView
    inspect_view_class = OutboundMailInspectView
    inspect_view_enabled = True
    inspect_view_fields = list(INSPECT_FIELDS)
    copy_view_enabled = False
    filterset_class = OutboundMailFilterSet
    ordering = "-created_at"
    list_per_page = 50
    # Addresses and subjects only: the body is never searched, nor read.
    search_fields = ["message__to", "message__cc", "message__bcc", "message__subject"]
    search_backend_name = None
    list_display = [
        SubjectColumn("subject", label="Subject", accessor=subject_of, get_url=_inspect_url),
        Column("recipients", label="Recipients", accessor=_recipients_text),
        Column("status", label="Status", accessor="get_status_display", sort_key="status"),
        Column("attempts", label="Attempts", sort_key="attempts"),
        DateColumn(
            "next_attempt_at", label="Next try", accessor=_next_try, sort_key="next_attempt_at"
        ),
        Column("last_error", label="Last error", accessor=_short_error),
        DateColumn("created_at", label="Created", sort_key="created_at"),
    ]

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("send-again/<int:pk>/", SendAgainView.as_view(), name="send_again"),
        ]
