"""One application's page in HR's admin: the application in full, with a small form for
each action its stage allows. The page answers a GET; each form's action is its own view
(``actions``), and shows this page again when HR has something to put right."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.audit import audit_view
from cms.permissions import can

from ...forms.recruitment import (
    AdjustmentsForm,
    CheckForm,
    FeedbackForm,
    InterviewForm,
    OfferForm,
    ReasonForm,
    StartForm,
)
from ...models import JobApplication, PreEmploymentCheck
from ...selectors import recruitment as selectors
from ...services import recruitment as services

Stage = JobApplication.Stage


def check_auto_id(kind) -> str:
    """The three check forms share one page and one prefix: ids named by the kind of check
    keep each label with its own field (else "Date requested" would name only the first)."""
    if kind not in PreEmploymentCheck.Kind.values:
        return "id_%s"
    return f"id_{kind}_%s"


class ApplicationPage(WagtailAdminTemplateMixin, TemplateView):
    """One of HR's applications, and the page that shows it with every action's form. A
    form passed in by name (``interview_form=...``) is shown as sent, with its errors."""

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

    def get_context_data(self, **kwargs):
        application = self.application
        check_rows = self._check_rows(kwargs.pop("check_form", None))
        members = list(application.panel_members.all())
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
            history_url=reverse("vacancies:pipeline", args=[self.vacancy.pk]),
            **self._action_forms(kwargs, members),
        )
        return context

    def _check_rows(self, sent_form):
        """Each pre-employment check with its form: the one just sent (with its errors)
        for the check it was about, the others filled in from what is recorded."""
        checks = {check.kind: check for check in self.application.checks.all()}
        rows = []
        for kind in PreEmploymentCheck.Kind:
            check = checks.get(kind)
            if sent_form is not None and sent_form.data.get("check-kind") == kind:
                form = sent_form
            else:
                form = CheckForm(
                    prefix="check",
                    auto_id=check_auto_id(kind),
                    initial={
                        "kind": kind,
                        "requested_on": check.requested_on if check else None,
                        "completed_on": check.completed_on if check else None,
                        "outcome": check.outcome if check else PreEmploymentCheck.Outcome.PENDING,
                        "expires_on": check.expires_on if check else None,
                    },
                )
            rows.append((kind, check, form))
        return rows

    def _action_forms(self, sent: dict, members: list) -> dict:
        """The form of each action: the one just sent, with its errors, or a new one
        filled in from the application as it stands."""
        application = self.application
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
        return {
            "interview_form": sent.get("interview_form")
            or InterviewForm(prefix="interview", initial=interview_initial),
            "offer_form": sent.get("offer_form")
            or OfferForm(
                prefix="offer",
                initial={
                    "offered_on": application.offered_on or timezone.localdate(),
                    "proposed_start_date": application.proposed_start_date,
                },
            ),
            "start_form": sent.get("start_form")
            or StartForm(prefix="start", initial={"start_date": application.proposed_start_date}),
            "reject_form": sent.get("reject_form") or ReasonForm(prefix="reject"),
            "withdraw_form": sent.get("withdraw_form") or ReasonForm(prefix="withdraw"),
            "adjustments_form": sent.get("adjustments_form")
            or AdjustmentsForm(
                prefix="adjustments",
                initial={"adjustments_agreed": application.adjustments_agreed},
            ),
            "feedback_form": sent.get("feedback_form")
            or FeedbackForm(
                prefix="feedback",
                initial={
                    "feedback_offered_on": application.feedback_offered_on,
                    "feedback_note": application.feedback_note,
                },
            ),
        }


class ApplicationView(ApplicationPage):
    """The application's page. Opening it is logged: it shows the candidate's statement,
    lived experience and adjustments. A post naming no action HR can take is sent back."""

    def get(self, request, *args, **kwargs):
        audit_view(
            user=request.user,
            instance=self.application,
            reason="HR opened a job application (statement, lived experience, adjustments)",
        )
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        messages.error(request, "Choose what to do with this application.")
        return redirect(self.here)
