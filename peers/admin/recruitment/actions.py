"""What HR does to an application, one view per action: each binds its own form from the
application's page, calls one service in ``peers.services.recruitment`` and says what it
did. The application's URL stays one (``application``): its forms name their action in
the post, and that picks the view."""

from django.contrib import messages
from django.shortcuts import redirect

from ...forms.recruitment import (
    AdjustmentsForm,
    CheckForm,
    FeedbackForm,
    InterviewForm,
    OfferForm,
    ReasonForm,
    StartForm,
)
from ...services import Refused
from ...services import recruitment as services
from .applications import ApplicationPage, ApplicationView, check_auto_id


class ApplicationAction(ApplicationPage):
    """One action on an application (a post from its page). A form that does not pass its
    checks, or that the service refuses, is shown again on the page with what HR typed."""

    http_method_names = ["post"]
    action = ""  # the form's prefix and the "action" it posts
    form_class = None

    def act(self, form) -> str:
        """Call the action's service; returns what to tell HR."""
        raise NotImplementedError

    @property
    def candidate(self) -> str:
        return self.application.candidate_name

    @property
    def emailed(self) -> str:
        return f" We have emailed {self.candidate}."

    def get_form(self):
        return self.form_class(self.request.POST, prefix=self.action)

    def post(self, request, *args, **kwargs):
        form = self.get_form() if self.form_class else None
        if form is not None and not form.is_valid():
            return self.again(form)
        try:
            message = self.act(form)
        except Refused as refusal:
            if form is None:
                messages.error(request, refusal.message)
                return redirect(self.here)
            form.add_error(None, refusal.message)
            return self.again(form)
        messages.success(request, message)
        return redirect(self.here)

    def again(self, form):
        messages.error(self.request, "There is a problem. Check the form below.")
        context = self.get_context_data(**{f"{self.action}_form": form}, failed_action=self.action)
        return self.render_to_response(context, status=200)


class ShortlistView(ApplicationAction):
    """Shortlist the candidate and email them."""

    action = "shortlist"

    def act(self, form) -> str:
        services.application_shortlist(application=self.application, user=self.request.user)
        return f"{self.candidate} is shortlisted." + self.emailed


class InterviewView(ApplicationAction):
    """Arrange or change the interview; a panel with no lived experience is recorded."""

    action = "interview"
    form_class = InterviewForm

    def act(self, form) -> str:
        data = form.cleaned_data
        application = services.interview_arrange(
            application=self.application,
            user=self.request.user,
            interview_at=data["interview_at"],
            panel=form.panel(),
            go_ahead_without_lived_experience=data["go_ahead_without_lived_experience"],
        )
        warning = (
            ""
            if application.interview_panel_has_lived_experience
            else " No one on the panel has lived experience: this is recorded."
        )
        return f"Interview arranged for {self.candidate}." + warning + self.emailed


class OfferView(ApplicationAction):
    """Record the offer and its dates, or change them."""

    action = "offer"
    form_class = OfferForm

    def act(self, form) -> str:
        services.application_offer(
            application=self.application,
            user=self.request.user,
            offered_on=form.cleaned_data["offered_on"],
            proposed_start_date=form.cleaned_data["proposed_start_date"],
        )
        return f"Offer recorded for {self.candidate}."


class ChecksBeginView(ApplicationAction):
    """The offer is accepted: pre-employment checks begin."""

    action = "checks"

    def act(self, form) -> str:
        services.checks_begin(application=self.application, user=self.request.user)
        return f"Pre-employment checks started for {self.candidate}." + self.emailed


class CheckView(ApplicationAction):
    """Save one pre-employment check; its kind names the form's ids (``check_auto_id``)."""

    action = "check"
    form_class = CheckForm

    def get_form(self):
        auto_id = check_auto_id(self.request.POST.get("check-kind"))
        return CheckForm(self.request.POST, prefix=self.action, auto_id=auto_id)

    def act(self, form) -> str:
        check = services.check_record(
            application=self.application, user=self.request.user, **form.cleaned_data
        )
        return f"{check.get_kind_display()} saved."


class StartView(ApplicationAction):
    """The candidate starts: the service makes their peer worker record."""

    action = "start"
    form_class = StartForm

    def act(self, form) -> str:
        services.application_start(
            application=self.application,
            user=self.request.user,
            start_date=form.cleaned_data["start_date"],
        )
        return f"{self.candidate} has started. Their peer worker record is made." + self.emailed


class RejectView(ApplicationAction):
    """Mark the application unsuccessful, with the reason, and email the candidate."""

    action = "reject"
    form_class = ReasonForm

    def act(self, form) -> str:
        services.application_reject(
            application=self.application,
            user=self.request.user,
            reason=form.cleaned_data["reason"],
        )
        return f"{self.candidate}'s application is marked unsuccessful." + self.emailed


class WithdrawView(ApplicationAction):
    """The candidate withdrew: HR records it for them."""

    action = "withdraw"
    form_class = ReasonForm

    def act(self, form) -> str:
        services.application_withdraw(
            application=self.application,
            user=self.request.user,
            reason=form.cleaned_data["reason"],
        )
        return f"{self.candidate}'s application is withdrawn." + self.emailed


class AdjustmentsView(ApplicationAction):
    """Record the reasonable adjustments agreed with the candidate."""

    action = "adjustments"
    form_class = AdjustmentsForm

    def act(self, form) -> str:
        services.adjustments_agree(
            application=self.application,
            user=self.request.user,
            agreed=form.cleaned_data["adjustments_agreed"],
        )
        return "Adjustments agreed saved."


class FeedbackView(ApplicationAction):
    """Record that feedback was offered to an unsuccessful candidate."""

    action = "feedback"
    form_class = FeedbackForm

    def act(self, form) -> str:
        services.feedback_record(
            application=self.application,
            user=self.request.user,
            offered_on=form.cleaned_data["feedback_offered_on"],
            note=form.cleaned_data["feedback_note"],
        )
        return "Feedback offered is recorded."


ACTION_VIEWS = {
    view_class.action: view_class.as_view()
    for view_class in (
        ShortlistView,
        InterviewView,
        OfferView,
        ChecksBeginView,
        CheckView,
        StartView,
        RejectView,
        WithdrawView,
        AdjustmentsView,
        FeedbackView,
    )
}
_PAGE = ApplicationView.as_view()


def application_router(request, *args, **kwargs):
    """The application's URL: its page, or the view of the action a post names (the page
    sends back a post that names none it knows)."""
    view = _PAGE
    if request.method == "POST":
        view = ACTION_VIEWS.get(request.POST.get("action", ""), _PAGE)
    return view(request, *args, **kwargs)
