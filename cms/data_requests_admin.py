"""Reports → Requests about personal data, in the Wagtail admin: the register a data
protection officer keeps of requests people made by letter, phone, email or in person to
see their data (a subject access request) or to have it erased, each due within one
calendar month (UK GDPR Article 12(3)).

Admins record a request (who, how it came, how they checked it was really the person),
produce the copy of the person's data for an access request (the same copy the person
can make in My space, ``cms.your_data``), carry out an erasure request (closing the
account, ``cms.erasure``), and mark the request done with what was sent or kept. Every
step is in the audit log against the person, so it shows on their "Who has looked at your
records" page.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.generic import TemplateView
from django_filters import ChoiceFilter
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from . import erasure, jobs
from .admin_dates import DateColumn, DateField
from .audit import audit_change
from .dates import date_in_words
from .forms import ClearRequiredMessages, OnceOnlyForm
from .models import DataRequest, ReportJob
from .permissions import can
from .refusals import Refused
from .submissions import submit_once
from .viewsets import OnceOnlyAddViewSet, RuleGuardedViewSet
from .your_data import RULE, copy_request

Kind = DataRequest.Kind
Status = DataRequest.Status
OUTCOME_MAX = 2000


# --- Rules --------------------------------------------------------------------------------


class DataRequestPolicy(BasePermissionPolicy):
    """Those who handle requests about personal data may list, record and work on them;
    nobody deletes one: the register is the proof each was answered."""

    def user_has_permission(self, user, action):
        return action in ("view", "add", "change") and can(user, RULE)

    def users_with_any_permission(self, actions):
        people = get_user_model().objects
        if not set(actions) & {"view", "add", "change"}:
            return people.none()
        return people.filter(is_active=True, is_superuser=True)


def is_overdue(data_request, today=None) -> bool:
    today = today or timezone.localdate()
    return data_request.status == Status.OPEN and data_request.due_on < today


def produce_refusal(data_request) -> str | None:
    """Why a copy of the person's data cannot be produced for this request, or None."""
    if data_request.kind != Kind.ACCESS:
        return "Only a request for a copy of someone's data produces one."
    if data_request.status == Status.DONE:
        return "This request is done, so no new copy is produced for it."
    return None


def erase_refusal(data_request) -> str | None:
    """Why this request cannot close the person's account, or None."""
    if data_request.kind != Kind.ERASURE:
        return "Only a request to erase someone's data closes their account."
    if data_request.status == Status.DONE:
        return "This request is done: the account was dealt with already."
    return None


# --- Services -----------------------------------------------------------------------------


@transaction.atomic
def data_request_produce(*, data_request: DataRequest, by) -> ReportJob:
    """Ask for the copy of the person's data that answers their access request. The copy
    is ``by``'s to download and send; the request remembers it."""
    data_request = DataRequest.objects.select_for_update().get(pk=data_request.pk)
    refusal = produce_refusal(data_request)
    if refusal:
        raise Refused(refusal)
    job = copy_request(person=data_request.person, by=by, data_request=data_request)
    data_request.report = job
    data_request.save(update_fields=["report"])
    audit_change(
        user=by,
        instance=data_request,
        reason="Asked for a copy of their data, to answer their subject access request",
        fields=["report"],
    )
    return job


@transaction.atomic
def data_request_done(*, data_request: DataRequest, by, outcome: str) -> DataRequest:
    """Close the request, saying what was done (what was sent, and how)."""
    data_request = DataRequest.objects.select_for_update().get(pk=data_request.pk)
    if data_request.status == Status.DONE:
        raise Refused(
            f"This request was marked done on {date_in_words(data_request.completed_at)}."
        )
    data_request.status = Status.DONE
    data_request.completed_at = timezone.now()
    data_request.outcome = outcome
    data_request.save(update_fields=["status", "completed_at", "outcome"])
    audit_change(
        user=by,
        instance=data_request,
        reason="Marked their request about their data as done",
        fields=["status", "completed_at", "outcome"],
    )
    return data_request


def data_request_erase(*, data_request: DataRequest, by, reason: str) -> DataRequest:
    """Carry out an erasure request: close the person's account as the registry says
    (``cms.erasure``), which marks the request done with what was erased and what kept."""
    refusal = erase_refusal(data_request)
    if refusal:
        raise Refused(refusal)
    erasure.close_account(data_request.person, by=by, reason=reason, request=data_request)
    data_request.refresh_from_db()
    return data_request


# --- Forms --------------------------------------------------------------------------------


class DataRequestForm(WagtailAdminModelForm):
    """A request received by letter, phone, email or in person. The person is found by
    the email address of their account, so no list of everyone's accounts is shown."""

    person_email = forms.EmailField(
        label="Email address of their account",
        help_text="The email address they sign in with. Check it with them if you are not sure.",
        error_messages={
            "required": "Enter the email address of their account",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )

    received_on = DateField(
        what="the date we received it",
        label="Date we received it",
        help_text="The month we have to answer in starts on this day. For example 31/3/2026.",
    )

    class Meta:
        model = DataRequest
        fields = ["kind", "channel", "received_on", "identity_checked", "note"]
        labels = {
            "kind": "What they asked for",
            "channel": "How they asked",
            "identity_checked": "How you checked it was really them",
            "note": "Anything else to know (optional)",
        }
        help_texts = {
            "identity_checked": (
                "For example “Called them back on the number we hold”. "
                "Never keep a copy of their documents."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [
            choice for choice in self.fields["channel"].choices if choice[0] != "site"
        ]
        self.fields["identity_checked"].required = True
        self.fields["identity_checked"].error_messages["required"] = (
            "Enter how you checked it was really them"
        )
        self.fields["kind"].error_messages["required"] = "Choose what they asked for"
        self.fields["channel"].error_messages["required"] = "Choose how they asked"

    def clean_person_email(self):
        email = self.cleaned_data["person_email"]
        person = get_user_model().objects.filter(email__iexact=email).first()
        if person is None:
            raise forms.ValidationError(
                "There is no account with this email address. Check it with them."
            )
        self.person = person
        return email

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError("The date we received it must be today or in the past")
        return received_on

    def save(self, commit=True):
        self.instance.person = self.person
        self.instance.recorded_by = self.for_user
        return super().save(commit=commit)


class DoneForm(ClearRequiredMessages, forms.Form):
    outcome = forms.CharField(
        label="What was done",
        help_text=(
            "For example “Copy sent by recorded post on 3 June”. The person is not sent this."
        ),
        max_length=OUTCOME_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter what was done",
            "max_length": f"What was done must be {OUTCOME_MAX:,} characters or fewer",
        },
    )


class EraseForm(ClearRequiredMessages, forms.Form):
    confirm = forms.BooleanField(
        label="I have checked it is really them, and they understand this cannot be undone",
        error_messages={"required": "Confirm you have checked, to close their account"},
    )


class ProduceForm(OnceOnlyForm, forms.Form):
    """The "Produce their data" button: sent twice, it asks for one copy."""


# --- Views --------------------------------------------------------------------------------


def _detail_url(data_request) -> str:
    return reverse("data_requests:detail", args=[data_request.pk])


class DataRequestIndexView(generic.IndexView):
    page_title = "Requests about personal data"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("person")


class DataRequestCreateView(generic.CreateView):
    page_title = "Record a request about personal data"
    success_message = "The request has been recorded. It is due on %(due)s."

    def get_success_url(self):
        return _detail_url(self.object)

    def get_success_buttons(self):
        return []

    def get_success_message(self, instance):
        return self.success_message % {"due": date_in_words(instance.due_on)}


def _due_words(data_request) -> str:
    if data_request.status == Status.DONE:
        return date_in_words(data_request.due_on)
    if is_overdue(data_request):
        return format_html(
            '<span class="w-status w-status--label">Overdue</span> {}',
            date_in_words(data_request.due_on),
        )
    return date_in_words(data_request.due_on)


class _RequestStep(WagtailAdminTemplateMixin, TemplateView):
    """One request's page, or a step on it: for those who handle requests only."""

    header_icon = "lock"
    template_name = "cms/data_requests/detail.html"

    def dispatch(self, request, pk):
        if not can(request.user, RULE):
            return permission_denied(request)
        self.data_request = get_object_or_404(
            DataRequest.objects.select_related("person", "recorded_by", "report"), pk=pk
        )
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.data_request.person.email

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("data_requests:index"), "label": "Requests about personal data"},
            {"url": "", "label": self.data_request.person.email},
        ]

    def back(self):
        return redirect(_detail_url(self.data_request))

    def get_context_data(self, **kwargs):
        data_request = self.data_request
        report = data_request.report
        may_download = report is not None and jobs.may_download(self.request.user, report)
        return super().get_context_data(
            data_request=data_request,
            received_on=date_in_words(data_request.received_on),
            due_on=date_in_words(data_request.due_on),
            overdue=is_overdue(data_request),
            completed_at=(
                date_in_words(data_request.completed_at) if data_request.completed_at else ""
            ),
            may_produce=produce_refusal(data_request) is None,
            may_erase=erase_refusal(data_request) is None,
            report=report if may_download else None,
            produce_form=kwargs.pop("produce_form", None) or ProduceForm(),
            done_form=kwargs.pop("done_form", None) or DoneForm(),
            erase_form=kwargs.pop("erase_form", None) or EraseForm(),
            **kwargs,
        )


class DataRequestDetailView(_RequestStep):
    """The request, with what can be done next. Its form, "Produce their data", asks for
    the copy (made in the background; the report page shows its progress)."""

    page_title = "Request about personal data"
    http_method_names = ["get", "post"]

    def post(self, request, pk):
        form = ProduceForm(request.POST)
        form.is_valid()
        try:
            submitted = submit_once(
                form=form,
                user=request.user,
                create=lambda: data_request_produce(
                    data_request=self.data_request, by=request.user
                ),
            )
        except Refused as refusal:
            messages.warning(request, refusal.message)
            return self.back()
        if submitted.record is None:
            return self.back()
        messages.success(
            request,
            "Their copy is being made. Download it here when it is ready, then send it to "
            "them securely. It is also linked from the request's page.",
        )
        return redirect("report_status", submitted.record.pk)


class DoneView(_RequestStep):
    """ "Mark done", with what was done."""

    page_title = "Mark the request done"
    http_method_names = ["post"]

    def post(self, request, pk):
        form = DoneForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Enter what was done, to mark the request done.")
            return self.render_to_response(
                self.get_context_data(done_form=form, done_open=True), status=400
            )
        try:
            data_request_done(
                data_request=self.data_request,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
            )
        except Refused as refusal:
            messages.warning(request, refusal.message)
            return self.back()
        messages.success(request, "The request is marked done.")
        return self.back()


class EraseView(_RequestStep):
    """ "Close their account": asks to confirm, then erases what the registry says."""

    page_title = "Close their account"
    template_name = "cms/data_requests/erase.html"
    http_method_names = ["get", "post"]

    def get(self, request, pk):
        refusal = erase_refusal(self.data_request)
        if refusal:
            messages.warning(request, refusal)
            return self.back()
        return super().get(request, pk)

    def post(self, request, pk):
        form = EraseForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(erase_form=form), status=400)
        received = date_in_words(self.data_request.received_on)
        try:
            data_request_erase(
                data_request=self.data_request,
                by=request.user,
                reason=f"Erasure request received on {received}",
            )
        except Refused as refusal:
            messages.warning(request, refusal.message)
            return self.back()
        messages.success(request, "Their account is closed and the request is marked done.")
        return self.back()


# --- The viewset --------------------------------------------------------------------------


class DataRequestFilterSet(WagtailFilterSet):
    status = ChoiceFilter(label="Status", choices=Status.choices, empty_label="All")
    kind = ChoiceFilter(label="What they asked for", choices=Kind.choices, empty_label="All")

    class Meta:
        model = DataRequest
        fields = ["status", "kind"]


class DataRequestViewSet(RuleGuardedViewSet, OnceOnlyAddViewSet, ModelViewSet):
    """Reports → Requests about personal data, for those who handle them (admins)."""

    rule = RULE
    record_url_name = "data_requests:detail"
    allow_add = True

    model = DataRequest
    name = "data_requests"
    url_prefix = "data-requests"
    icon = "lock"
    menu_label = "Requests about personal data"
    menu_name = "data-requests"
    menu_order = 850
    menu_hook = "register_reports_menu_item"
    index_view_class = DataRequestIndexView
    add_view_class = DataRequestCreateView
    copy_view_enabled = False
    inspect_view_enabled = False
    filterset_class = DataRequestFilterSet
    ordering = ["-received_on", "-pk"]
    list_per_page = 50
    search_fields = ["person__email", "person__first_name", "person__last_name"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("person_email"),
            FieldPanel("kind"),
            FieldPanel("channel"),
            FieldPanel("received_on"),
            FieldPanel("identity_checked"),
            FieldPanel("note"),
        ],
        base_form_class=DataRequestForm,
    )
    list_display = [
        TitleColumn("person", label="Person", accessor="person.email", get_url=_detail_url),
        Column("kind", label="What they asked for", accessor="get_kind_display"),
        Column("channel", label="How", accessor="get_channel_display"),
        DateColumn("received_on", label="Received", sort_key="received_on"),
        Column("due_on", label="Due", accessor=_due_words),
        Column("status", label="Status", accessor="get_status_display", sort_key="status"),
    ]

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            path("<int:pk>/", DataRequestDetailView.as_view(), name="detail"),
            path("<int:pk>/done/", DoneView.as_view(), name="done"),
            path("<int:pk>/close-account/", EraseView.as_view(), name="erase"),
        ]
