"""Sending the same form twice keeps one record: a double click, a retry on a slow network
or two posts arriving together.

Every form that creates something is a ``cms.forms.OnceOnlyForm`` (a token in a hidden
field) and its view saves through ``cms.submissions.submit_once`` (the token row and the
record in one transaction, the token unique). ``CASES`` holds one case per such form; the
meta-tests fail when a form is added that is neither registered here nor named as one that
creates nothing, so a new create form cannot miss the check.
"""

import importlib
import pkgutil
import sqlite3
import threading
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.db.utils import load_backend
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from cms.forms import ONCE_ONLY_FIELD, ONCE_ONLY_FORMS
from cms.models import Area, DataRequest, FormSubmission, Organisation, ReportJob
from cms.roles import Role
from cms.submissions import KEEP_TOKENS_FOR, submissions_purge
from cms.viewsets import OnceOnlyAddViewSet
from coproduce.factories import (
    ConsentRecordFactory,
    InvolvementClaimFactory,
    InvolvementProfileFactory,
    MemberFactory,
    PanelFactory,
)
from coproduce.models import (
    Conversation,
    ConversationMessage,
    Expense,
    Feedback,
    InvolvementProfile,
    PanelApplication,
)
from peers import wellbeing_scale as scale
from peers.factories import (
    CompetenceEvidenceFactory,
    SupervisionFactory,
    VacancyFactory,
    competence,
    training,
)
from peers.models import (
    CompetenceEvidence,
    CompetenceSignOff,
    JobApplication,
    ProgressionReview,
    SafeguardingConcern,
    SessionLog,
    Supervision,
    SupervisionAction,
    Team,
    TrainingRecord,
    WellbeingCheckIn,
)
from tests.conftest import sign_in
from tests.factories import (
    OfferPageFactory,
    OrganisationFactory,
    PeerWorkerFactory,
    SessionLogFactory,
    SupervisorFactory,
    UserFactory,
    level,
)

APPS = ("cms", "coproduce", "peers", "charter")
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Case:
    """Who fills in which form, what they type on top of what it shows, and what to count."""

    who: object  # a user, or None for someone without an account
    url: str
    typed: dict
    count: Callable[[], int]
    upload: str = ""  # the name of a file field to send a small PDF in


def _worker():
    organisation = OrganisationFactory()
    supervisor = SupervisorFactory(organisation=organisation, mfa=True)
    worker = PeerWorkerFactory(
        organisation=organisation,
        supervisors=[supervisor],
        level=level("trainee"),
        start_date=timezone.localdate() - timedelta(days=300),
    )
    return worker, supervisor


def _yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def session_case():
    worker, _ = _worker()
    return Case(
        who=worker.user,
        url=reverse("peers:session_log"),
        typed={
            "setting": "community",
            "person_reference": "JT-cafe-3",
            "notes": "Talked about volunteering.",
        },
        count=SessionLog.objects.count,
    )


def concern_case():
    worker, _ = _worker()
    session = SessionLogFactory(worker=worker)
    return Case(
        who=worker.user,
        url=reverse("peers:concern_raise", kwargs={"pk": session.pk}),
        typed={
            "urgency": "today",
            "description": "They said a neighbour had threatened them.",
            "immediate_action": "Gave them the crisis line number.",
        },
        count=SafeguardingConcern.objects.count,
    )


def supervision_case():
    worker, supervisor = _worker()
    return Case(
        who=supervisor,
        url=reverse("peers:supervision_record", kwargs={"worker_id": worker.pk}),
        typed={"date": _yesterday(), "kind": "reflective", "notes": "Boundaries and rest."},
        count=Supervision.objects.count,
    )


def supervision_action_case():
    worker, supervisor = _worker()
    supervision = SupervisionFactory(worker=worker, supervisor=supervisor)
    return Case(
        who=supervisor,
        url=reverse("peers:supervision_action_add", kwargs={"pk": supervision.pk}),
        typed={"description": "Book the safeguarding course."},
        count=SupervisionAction.objects.count,
    )


def check_in_case():
    worker, _ = _worker()

    return Case(
        who=worker.user,
        url=reverse("peers:wellbeing_check_in"),
        typed={name: "3" for name in scale.ITEM_FIELDS},
        count=WellbeingCheckIn.objects.count,
    )


def evidence_case():
    worker, _ = _worker()
    return Case(
        who=worker.user,
        url=reverse("peers:pathway_evidence_add"),
        typed={
            "competence": str(competence(index=2).pk),
            "description": "Talked someone through the confidentiality agreement.",
            "date": _yesterday(),
        },
        count=CompetenceEvidence.objects.count,
    )


def training_case():
    worker, _ = _worker()
    return Case(
        who=worker.user,
        url=reverse("peers:pathway_training_add"),
        typed={"training": str(training().pk), "completed_on": _yesterday()},
        count=TrainingRecord.objects.count,
    )


def sign_off_case():
    worker, supervisor = _worker()
    target = competence()
    CompetenceEvidenceFactory(worker=worker, competence=target, description="Led a group.")
    return Case(
        who=supervisor,
        url=reverse(
            "peers:pathway_sign_off", kwargs={"worker_id": worker.pk, "competence_id": target.pk}
        ),
        typed={"note": "Saw it myself."},
        count=CompetenceSignOff.objects.count,
    )


def review_case():
    worker, supervisor = _worker()
    return Case(
        who=supervisor,
        url=reverse("peers:pathway_review", kwargs={"worker_id": worker.pk}),
        typed={
            "date": timezone.localdate().isoformat(),
            "readiness_summary": "Keen, still building confidence.",
            "decision": "not_yet",
            "decision_note": "Practise leading a group.",
        },
        count=ProgressionReview.objects.count,
    )


def vacancy_application_case():
    vacancy = VacancyFactory()
    return Case(
        who=MemberFactory(),
        url=reverse("peers:vacancy_apply", kwargs={"slug": vacancy.slug}),
        typed={
            "statement": "I have used crisis services and want to help.",
            "has_lived_experience": "yes",
            "consent_to_contact": "on",
        },
        count=JobApplication.objects.count,
    )


def feedback_case():
    offer = OfferPageFactory(title="Crisis café")
    return Case(
        who=None,
        url=reverse("coproduce:feedback_give", kwargs={"offer_id": offer.pk}),
        typed={
            "went_well": "The staff listened.",
            "could_be_better": "The entrance was hard to find.",
            "rating": "4",
            "felt_listened_to": "yes",
        },
        count=Feedback.objects.count,
    )


def panel_application_case():
    member = MemberFactory()
    InvolvementProfileFactory(user=member)
    ConsentRecordFactory(user=member, purpose="involvement")
    panel = PanelFactory(recruiting=True)
    return Case(
        who=member,
        url=reverse("coproduce:panel_apply", kwargs={"slug": panel.slug}),
        typed={"statement": "I used the café last winter."},
        count=PanelApplication.objects.count,
    )


def expense_case():
    claim = InvolvementClaimFactory()
    return Case(
        who=claim.member,
        url=reverse("coproduce:claim_expense_add", kwargs={"pk": claim.pk}),
        typed={"kind": "travel", "description": "Bus there and back", "amount": "4.80"},
        count=Expense.objects.count,
        upload="receipt",
    )


def _conversation_world():
    """A member of a panel, its facilitator (who answers), and a conversation between them."""
    from coproduce.factories import ConversationFactory, MeetingFactory, PanelApplicationFactory

    organisation = OrganisationFactory()
    lead = UserFactory(organisation=organisation, roles=[Role.ENGAGEMENT_LEAD], mfa=True)
    panel = PanelFactory(organisation=organisation, facilitators=[lead])
    member = MemberFactory()
    PanelApplicationFactory(panel=panel, applicant=member, accepted=True)
    meeting = MeetingFactory(panel=panel)
    return lead, member, ConversationFactory(member=member, meeting=meeting)


def message_case():
    claim = InvolvementClaimFactory()
    return Case(
        who=claim.member,
        url=reverse("coproduce:claim_message_lead", kwargs={"pk": claim.pk}),
        typed={"body": "Can I claim for a taxi next time?"},
        count=Conversation.objects.count,
    )


def message_reply_case():
    _, member, conversation = _conversation_world()
    return Case(
        who=member,
        url=reverse("coproduce:message_thread", kwargs={"pk": conversation.pk}),
        typed={"body": "Thank you, that helps."},
        count=ConversationMessage.objects.count,
    )


def staff_answer_case():
    lead, _, conversation = _conversation_world()
    return Case(
        who=lead,
        url=reverse("staff_message_thread", kwargs={"pk": conversation.pk}),
        typed={"body": "Yes, there will be a hearing loop."},
        count=ConversationMessage.objects.count,
    )


def profile_case():
    return Case(
        who=MemberFactory(),
        url=reverse("coproduce:involvement_edit"),
        typed={"display_name": "Sam", "contact_preference": "email", "payment_choice": "paid"},
        count=InvolvementProfile.objects.count,
    )


def your_data_case():
    return Case(
        who=MemberFactory(), url=reverse("your_data"), typed={}, count=ReportJob.objects.count
    )


def produce_case():
    admin = UserFactory(roles=[Role.ADMIN], mfa=True)
    request = DataRequest.objects.create(
        person=MemberFactory(),
        kind=DataRequest.Kind.ACCESS,
        channel=DataRequest.Channel.LETTER,
        received_on=timezone.localdate(),
        identity_checked="Called back on the number we hold",
    )
    return Case(
        who=admin,
        url=reverse("data_requests:detail", args=[request.pk]),
        typed={},
        count=ReportJob.objects.count,
    )


# One case per form that creates a record, by ``OnceOnlyForm.once_only_key``.
CASES: dict[str, Callable[[], Case]] = {
    "peers.SessionForm": session_case,
    "peers.ConcernForm": concern_case,
    "peers.SupervisionForm": supervision_case,
    "peers.ActionForm": supervision_action_case,
    "peers.CheckInForm": check_in_case,
    "peers.EvidenceForm": evidence_case,
    "peers.TrainingRecordForm": training_case,
    "peers.SignOffForm": sign_off_case,
    "peers.ProgressionReviewForm": review_case,
    "peers.ApplyForm": vacancy_application_case,
    "coproduce.FeedbackForm": feedback_case,
    "coproduce.ApplicationForm": panel_application_case,
    "coproduce.ExpenseForm": expense_case,
    "coproduce.ProfileForm": profile_case,
    "coproduce.MessageForm": message_case,
    "coproduce.MessageReplyForm": message_reply_case,
    "coproduce.MessageAnswerForm": staff_answer_case,
    "cms.YourDataForm": your_data_case,
    "cms.ProduceForm": produce_case,
}

# Forms that create nothing on the front-end site, and why. A new form must go in CASES
# (and be a OnceOnlyForm) or here.
NOT_CREATING = {
    # Filters and searches: GET only.
    "cms.directory.DirectoryFilterForm": "filters the offers directory",
    "coproduce.forms.changes.ChangeFilterForm": "filters service changes",
    "coproduce.forms.feedback.TrendsFilterForm": "filters the feedback trends",
    "peers.forms.sessions.SessionFilterForm": "filters session lists",
    "peers.forms.workers.ActivityFilterForm": "filters worker activity",
    "coproduce.forms.feedback.ModerationSection": "a section of the moderation page",
    # Changes to one existing record: a repeat sets the same values again.
    "coproduce.forms.messages.CloseConversationForm": "closes a conversation; a repeat is refused",
    "coproduce.forms.claims.SubmitClaimForm": "sends a draft claim; sent claims refuse it",
    "coproduce.forms.notices.NoticePreferencesForm": "sets the member's choices in place",
    "coproduce.forms.notices.ContactTaskDoneForm": "marks a call or letter done; a repeat "
    "changes nothing",
    "coproduce.forms.claims.ReturnClaimForm": "returns a claim (admin)",
    "coproduce.forms.claims.ApproveClaimForm": "approves a sent claim line by line (admin)",
    "coproduce.admin.payment_policy.PaymentPolicyForm": "sets the one policy of an organisation",
    "coproduce.admin.payment_runs.MarkPaidForm": "marks one run paid; a repeat is refused (admin)",
    "coproduce.forms.feedback.TriageForm": "changes a feedback's status (admin)",
    "coproduce.forms.feedback.HideForm": "hides a feedback (admin)",
    "coproduce.forms.feedback.QuoteForm": "edits the words to publish (admin)",
    "coproduce.forms.feedback.ResponseForm": "sets the one public response (admin)",
    "coproduce.forms.feedback.LinkChangeForm": "links a service change (admin)",
    "coproduce.forms.meetings.CancelMeetingForm": "cancels a meeting (admin)",
    "coproduce.forms.meetings.AccessArrangementsForm": "updates arrangements (admin)",
    "coproduce.forms.meetings.AttendanceForm": "records attendance, one row per member (admin)",
    "coproduce.forms.meetings.CalendarResetForm": "replaces the calendar address",
    "coproduce.forms.meetings.MeetingReplyForm": "one reply per member and meeting, in place",
    "coproduce.forms.meetings.QuickReplyForm": "one reply per member and meeting, in place",
    "coproduce.forms.meetings.StaffReplyForm": "one reply per member and meeting (admin)",
    "coproduce.forms.sign_off.SignOffAnswerForm": "one answer per member and version of a "
    "change: a repeat sets the same answer again",
    "coproduce.forms.panels.DecisionForm": "decides an application (admin)",
    "coproduce.forms.profiles.AccessNeedsForm": "a base of ProfileForm and ApplicationForm",
    "coproduce.forms.profiles.EqualityForm": "updates answers on the one profile",
    "coproduce.forms.profiles.ConsentChoiceForm": "one agreement in force, kept by the service",
    "coproduce.forms.payees.PaymentChoiceForm": "sets the choice on the one profile",
    "coproduce.forms.payees.BankDetailsForm": "replaces the one set of bank details; the "
    "same details again change nothing and tell nobody",
    "coproduce.forms.payees.RevealForm": "shows the details (admin); saves only the audit entry",
    "peers.forms.recruitment.EqualityForm": "one set of answers per application",
    "peers.forms.recruitment.WithdrawForm": "withdraws an application",
    "peers.forms.recruitment.InterviewForm": "moves an application on (admin)",
    "peers.forms.recruitment.OfferForm": "moves an application on (admin)",
    "peers.forms.recruitment.CheckForm": "updates a pre-employment check (admin)",
    "peers.forms.recruitment.StartForm": "moves an application on (admin)",
    "peers.forms.recruitment.ReasonForm": "moves an application on (admin)",
    "peers.forms.recruitment.AdjustmentsForm": "updates adjustments agreed (admin)",
    "peers.forms.recruitment.FeedbackForm": "updates interview feedback (admin)",
    "peers.forms.sessions.AcknowledgeForm": "acknowledges a concern",
    "cms.forms.AuthenticatorResetForm": "resets one authenticator; a repeat finds none (admin)",
    "cms.data_requests_admin.DoneForm": "marks one request done; a repeat is refused (admin)",
    "cms.data_requests_admin.EraseForm": "closes one account; a repeat finds it closed (admin)",
    "cms.erasure_views.CloseAccountForm": "closes the signed-in account; a repeat finds it closed",
    # Wagtail admin create and edit forms: their create views are Wagtail's own, not yet
    # guarded (see the report on issue 13).
    "cms.forms.UserCreationForm": "Wagtail admin: users",
    "cms.forms.UserEditForm": "Wagtail admin: users",
    "cms.data_requests_admin.DataRequestForm": "Wagtail admin: guarded by OnceOnlyAddViewSet",
    "cms.models.offers.OfferPageForm": "Wagtail admin: pages (one page per slug)",
    "cms.oruk.admin.OrukImportForm": "Wagtail admin: imports update offers by their id",
    "coproduce.admin.impact.ImpactReportForm": "Wagtail admin: queues a report",
    "coproduce.admin.panels.PanelForm": "Wagtail admin: panels",
    "coproduce.forms.meetings.MeetingForm": "Wagtail admin: meetings",
    "coproduce.forms.meetings.PaperForm": "Wagtail admin: meeting papers",
    "coproduce.models.changes.AskForChangesForm": "Wagtail admin: page workflow",
    "coproduce.models.changes.ServiceChangePageForm": "Wagtail admin: pages",
    "peers.admin.recruitment.reports.PeriodForm": "Wagtail admin: report period (GET)",
    "peers.admin.recruitment.vacancies.VacancyForm": "Wagtail admin: vacancies",
    "peers.admin.workers.TeamForm": "Wagtail admin: teams",
    "peers.forms.workers.WorkerForm": "Wagtail admin: peer worker records",
    "peers.admin.offer_outcomes.OfferOutcomeFiguresForm": "Wagtail admin: offer outcome figures",
    "charter.forms.CharterActionForm": "Wagtail admin: charter actions",
    "charter.forms.CharterForm": "Wagtail admin: charters",
    "charter.forms.CharterFromTemplateForm": "Wagtail admin: charters",
    "charter.forms.CommitmentForm": "Wagtail admin: commitments",
    "charter.forms.EvidenceUploadForm": "Wagtail admin: charter evidence",
    "charter.forms.MeasureForm": "Wagtail admin: measures",
    "charter.forms.ReadingForm": "Wagtail admin: readings",
    "charter.forms.ReviewForm": "Wagtail admin: reviews",
    "charter.forms.TargetForm": "Wagtail admin: targets",
    "charter.forms_outcomes.ProgrammeForm": "Wagtail admin: outcome programmes",
    "charter.forms_outcomes.OutcomeMeasureForm": "Wagtail admin: outcome measures",
    "charter.forms_outcomes.ComparisonForm": "Wagtail admin: before and after figures",
    "charter.forms_outcomes.OutcomeTargetForm": "Wagtail admin: partnership targets",
}


def _import_every_module():
    skip = (".settings", ".migrations", ".wsgi", ".management", ".bench")
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if not any(part in module.name for part in skip):
                importlib.import_module(module.name)


def _project_forms() -> dict[str, type]:
    _import_every_module()
    found, waiting = {}, [forms.BaseForm]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            waiting.append(subclass)
            if subclass.__module__.split(".")[0] in APPS:
                found[f"{subclass.__module__}.{subclass.__qualname__}"] = subclass
    return found


def test_every_form_of_the_project_either_creates_once_or_says_why_not():
    unknown = {
        name
        for name, form in _project_forms().items()
        if not getattr(form, "once_only_key", "") and name not in NOT_CREATING
    }
    assert not unknown, (
        "These forms are neither OnceOnlyForm (with a case in CASES) nor listed in "
        f"NOT_CREATING with the reason they create nothing: {sorted(unknown)}"
    )


def test_every_once_only_form_has_a_case_and_every_case_a_form():
    _project_forms()
    assert set(ONCE_ONLY_FORMS) == set(CASES)


def test_not_creating_names_only_forms_that_exist():
    assert set(NOT_CREATING) <= set(_project_forms())


# --- Posting ------------------------------------------------------------------------------------


def _signed_in(who) -> Client:
    client = Client()
    if who is not None:
        sign_in(client, who)
    return client


def _form_as_shown(client, case: Case) -> dict:
    """What the browser would send: the form as the page shows it, plus what is typed."""
    response = client.get(case.url)
    assert response.status_code == 200, response.status_code
    page = BeautifulSoup(response.content, "html.parser")
    token_input = page.find("input", {"name": ONCE_ONLY_FIELD})
    assert token_input is not None, f"{case.url} does not send a token with its form"
    form = token_input.find_parent("form")
    data: dict[str, list[str]] = {}
    for element in form.find_all(["input", "select", "textarea"]):
        name = element.get("name")
        if not name or element.get("type") in ("submit", "file"):
            continue
        if element.name == "textarea":
            data.setdefault(name, []).append(element.get_text().removeprefix("\n"))
        elif element.name == "select":
            options = element.find_all("option")
            chosen = [o for o in options if o.has_attr("selected")] or options[:1]
            if element.has_attr("multiple"):
                chosen = [o for o in options if o.has_attr("selected")]
            data.setdefault(name, []).extend(o.get("value", o.get_text()) for o in chosen)
        elif element.get("type") in ("checkbox", "radio"):
            if element.has_attr("checked"):
                data.setdefault(name, []).append(element.get("value", "on"))
        else:
            data.setdefault(name, []).append(element.get("value", ""))
    for name, value in case.typed.items():
        data[name] = value if isinstance(value, list) else [value]
    assert uuid.UUID(data[ONCE_ONLY_FIELD][0])
    return data


def _errors(response) -> list[str]:
    """The errors a page shows (none on a redirect)."""
    page = BeautifulSoup(response.content, "html.parser")
    found = page.select(".nhsuk-error-message, .nhsuk-error-summary")
    return [" ".join(e.get_text(" ").split()) for e in found]


def _fine(response) -> bool:
    """Sent on, or shown a page without an error: what a person should see after a
    repeat (some views, finding the record already made, show it rather than redirect)."""
    return response.status_code == 302 or (response.status_code == 200 and not _errors(response))


def _post(client, case: Case, data: dict):
    payload = dict(data)
    if case.upload:
        payload[case.upload] = SimpleUploadedFile(
            "ticket.pdf", TINY_PDF, content_type="application/pdf"
        )
    return client.post(case.url, payload)


@contextmanager
def _database_shared_by_threads(tmp_path):
    """Where the two posts' threads meet. PostgreSQL: the test database itself. SQLite:
    the test database is in memory, where a second writer fails at once ("table is
    locked") instead of waiting, so it is copied to a file opened with the project's own
    settings (WAL, IMMEDIATE transactions, a busy timeout): there the second writer waits
    for the first, as it does on a real site. Yields how to point a thread at it."""
    default = connections["default"]
    if default.vendor != "sqlite":
        yield lambda: None
        return
    path = tmp_path / "shared.sqlite3"
    default.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        default.connection.backup(copy)
        # As a site's database file already is: switching needs the file to itself.
        copy.execute("PRAGMA journal_mode=WAL")
    finally:
        copy.close()
    settings_dict = {**default.settings_dict, "NAME": str(path)}
    settings_dict["OPTIONS"] = {**settings.DATABASES["default"].get("OPTIONS", {})}
    backend = load_backend(settings_dict["ENGINE"])

    def use_the_file():
        connections["default"] = backend.DatabaseWrapper(settings_dict, "default")
        connections["default"].ensure_connection()

    try:
        yield use_the_file
    finally:
        connections["default"] = default


def _send_together(case: Case, data: dict, clients: list, use_shared: Callable) -> list:
    """Two identical posts, each from its own thread (so its own database connection),
    released at the same moment by a barrier."""
    barrier = threading.Barrier(len(clients), timeout=30)
    responses: list = [None] * len(clients)
    failures: list = []

    def send(index, client):
        try:
            use_shared()
            barrier.wait()
            responses[index] = _post(client, case, data)
        except BaseException as error:  # reported below, with the case
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a post never finished"
    assert not failures, failures
    return responses


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("key", sorted(CASES))
def test_two_identical_posts_at_once_save_one_record(key, tmp_path):
    case = CASES[key]()
    before = case.count()
    data = _form_as_shown(_signed_in(case.who), case)
    clients = [_signed_in(case.who) for _ in range(2)]

    with _database_shared_by_threads(tmp_path) as use_shared:
        responses = _send_together(case, data, clients, use_shared)
        use_shared()
        try:
            made = case.count() - before
            tokens = FormSubmission.objects.filter(form_key=key).count()
        finally:
            connections["default"].close()

    assert all(_fine(r) for r in responses), [(r.status_code, _errors(r)) for r in responses]
    assert any(r.status_code == 302 for r in responses)
    assert made == 1
    assert tokens == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(CASES))
def test_the_same_form_sent_twice_in_a_row_saves_one_record(key):
    case = CASES[key]()
    before = case.count()
    client = _signed_in(case.who)
    data = _form_as_shown(client, case)

    first = _post(client, case, data)
    again = _post(client, case, data)

    assert first.status_code == 302, _errors(first)
    assert _fine(again), _errors(again)
    assert case.count() == before + 1


# --- The edges -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_shown_again_after_a_mistake_keeps_its_token_and_still_saves():
    case = session_case()
    client = _signed_in(case.who)
    data = _form_as_shown(client, case)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    refused = _post(client, case, {**data, "date": [tomorrow]})
    shown = BeautifulSoup(refused.content, "html.parser")
    assert shown.find("input", {"name": ONCE_ONLY_FIELD})["value"] == data[ONCE_ONLY_FIELD][0]
    assert _post(client, case, data).status_code == 302
    assert _post(client, case, data).status_code == 302
    assert SessionLog.objects.count() == 1


@pytest.mark.django_db
def test_each_showing_of_a_form_has_its_own_token():
    case = session_case()
    client = _signed_in(case.who)
    first, second = _form_as_shown(client, case), _form_as_shown(client, case)
    assert first[ONCE_ONLY_FIELD] != second[ONCE_ONLY_FIELD]
    _post(client, case, first)
    _post(client, case, second)
    assert SessionLog.objects.count() == 2


@pytest.mark.django_db
def test_the_same_page_changed_and_sent_again_is_kept_not_lost():
    case = session_case()
    client = _signed_in(case.who)
    data = _form_as_shown(client, case)
    _post(client, case, data)
    _post(client, case, {**data, "notes": ["A second person at the same café."]})
    assert sorted(SessionLog.objects.values_list("notes", flat=True)) == [
        "A second person at the same café.",
        "Talked about volunteering.",
    ]


@pytest.mark.django_db
def test_the_repeat_goes_where_the_first_post_went():
    case = supervision_case()
    client = _signed_in(case.who)
    data = _form_as_shown(client, case)
    first, again = _post(client, case, data), _post(client, case, data)
    assert (
        first["Location"]
        == again["Location"]
        == (reverse("peers:supervision_detail", kwargs={"pk": Supervision.objects.get().pk}))
    )


@pytest.mark.django_db
@pytest.mark.parametrize("token", [None, "", "not-a-token", "\x00", "9" * 5000, "{}"])
def test_a_missing_or_garbled_token_saves_as_usual(token):
    case = feedback_case()
    client = _signed_in(case.who)
    data = _form_as_shown(client, case)
    if token is None:
        del data[ONCE_ONLY_FIELD]
    else:
        data[ONCE_ONLY_FIELD] = [token]
    assert _post(client, case, data).status_code == 302
    assert Feedback.objects.count() == 1
    assert not FormSubmission.objects.exists()


@pytest.mark.django_db
def test_a_token_that_is_not_yours_neither_shows_you_the_record_nor_loses_your_post():
    case = session_case()
    data = _form_as_shown(_signed_in(case.who), case)
    _post(_signed_in(case.who), case, data)
    stranger, _ = _worker()
    response = _post(_signed_in(stranger.user), case, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("peers:session_list")
    assert SessionLog.objects.filter(worker=stranger).count() == 1


@pytest.mark.django_db
def test_tokens_older_than_a_week_are_purged():
    now = timezone.now()
    old = FormSubmission.objects.create(token=uuid.uuid4(), form_key="peers.SessionForm")
    recent = FormSubmission.objects.create(token=uuid.uuid4(), form_key="peers.SessionForm")
    FormSubmission.objects.filter(pk=old.pk).update(
        created_at=now - KEEP_TOKENS_FOR - timedelta(minutes=1)
    )
    assert submissions_purge(now=now) == 1
    assert list(FormSubmission.objects.all()) == [recent]


# --- The Wagtail admin's create views -------------------------------------------------------

# Admin viewsets whose create view is not guarded yet, and why.
ADMIN_NOT_GUARDED: dict[str, str] = {}


def _admin_model_viewsets():
    viewsets.populate()
    waiting, found = list(viewsets.viewsets), {}
    while waiting:
        item = waiting.pop()
        if isinstance(item, ViewSetGroup):
            waiting.extend(item.registerables)
        elif isinstance(item, ModelViewSet) and type(item).__module__.split(".")[0] in APPS:
            found[f"{type(item).__module__}.{type(item).__name__}"] = item
    return found


def _has_a_create_view(viewset) -> bool:
    return any(getattr(url, "name", None) == "add" for url in viewset.get_urlpatterns())


def test_every_admin_create_view_of_the_project_creates_once_or_says_why_not():
    unguarded = {
        name
        for name, viewset in _admin_model_viewsets().items()
        if _has_a_create_view(viewset) and type(viewset).add_view is not OnceOnlyAddViewSet.add_view
    }
    assert unguarded == set(ADMIN_NOT_GUARDED)


def _staff(role: Role):
    return UserFactory(organisation=OrganisationFactory(), roles=[role], mfa=True)


def team_admin_case():
    hr = _staff(Role.HR)
    return Case(
        who=hr,
        url="/admin/peer-teams/new/",
        typed={"organisation": str(hr.organisation_id), "name": "Ward team"},
        count=Team.objects.count,
    )


def organisation_admin_case():
    return Case(
        who=_staff(Role.ADMIN),
        url="/admin/organisations/new/",
        typed={"name": "Eastfield Mind", "kind": "vcse", "area": "Eastfield", "website": ""},
        count=Organisation.objects.count,
    )


def area_admin_case():
    return Case(
        who=_staff(Role.EDITOR),
        url="/admin/snippets/cms/area/add/",
        typed={"name": "Eastfield"},
        count=Area.objects.count,
    )


ADMIN_CASES = {
    "peer teams": team_admin_case,
    "organisations": organisation_admin_case,
    "areas (a snippet)": area_admin_case,
}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("name", sorted(ADMIN_CASES))
def test_two_identical_posts_at_once_to_an_admin_create_view_save_one_record(name, tmp_path):
    case = ADMIN_CASES[name]()
    before = case.count()
    data = _form_as_shown(_signed_in(case.who), case)
    clients = [_signed_in(case.who) for _ in range(2)]

    with _database_shared_by_threads(tmp_path) as use_shared:
        responses = _send_together(case, data, clients, use_shared)
        use_shared()
        try:
            made = case.count() - before
        finally:
            connections["default"].close()

    assert [r.status_code for r in responses] == [302, 302]
    assert len({r["Location"] for r in responses}) == 1
    assert made == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ADMIN_CASES))
def test_an_admin_form_sent_again_goes_where_the_first_went_not_to_a_name_taken_error(name):
    case = ADMIN_CASES[name]()
    before = case.count()
    client = _signed_in(case.who)
    data = _form_as_shown(client, case)

    first, again = _post(client, case, data), _post(client, case, data)

    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert case.count() == before + 1
