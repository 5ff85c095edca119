"""Every read of someone else's case record is written to the audit log, with a reason that
says the relationship ("Supervisor read their supervisee's session log"), and is about the
person the record belongs to, so it shows on their "Who has looked at your records" page.
A person reading their own records is not listed there.

Lists (a supervisor's list of supervisees' sessions, the feedback queue) show summaries and
are not logged entry by entry; opening any single record is.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from cms import audit
from peers.factories import JobApplicationFactory, VacancyFactory, competence
from tests.conftest import sign_in
from tests.factories import (
    ExpenseFactory,
    FeedbackFactory,
    InvolvementClaimFactory,
    InvolvementProfileFactory,
    PanelApplicationFactory,
    PanelFactory,
    PeerWorkerFactory,
    SafeguardingConcernFactory,
    SessionLogFactory,
    SupervisionFactory,
    WellbeingCheckInFactory,
)

pytestmark = pytest.mark.django_db

WHO_LOOKED = "/my-space/who-looked/"
NOBODY = "Nobody else has looked at or changed your records."


@dataclass
class Case:
    """One page showing one person's record: its address, who opens it, whose it is."""

    url: str
    viewer: object
    person: object


@pytest.fixture
def world(make_person, organisation):
    """Staff of one organisation, and a peer worker they supervise."""
    supervisor = make_person("supervisor")
    worker = PeerWorkerFactory(organisation=organisation, supervisors=[supervisor])
    return {
        "organisation": organisation,
        "supervisor": supervisor,
        "worker": worker,
        "hr": make_person("hr"),
        "lead": make_person("engagement_lead"),
        "finance": make_person("finance"),
    }


def _session(w):
    session = SessionLogFactory(worker=w["worker"])
    return Case(
        reverse("peers:session_detail", args=[session.pk]), w["supervisor"], w["worker"].user
    )


def _concern(w):
    concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=w["worker"]))
    return Case(
        reverse("peers:concern_detail", args=[concern.pk]), w["supervisor"], w["worker"].user
    )


def _supervision(w):
    record = SupervisionFactory(worker=w["worker"], supervisor=w["supervisor"])
    url = reverse("peers:supervision_detail", args=[record.pk])
    return Case(url, w["supervisor"], w["worker"].user)


def _supervision_records(w):
    url = reverse("peers:supervision_worker", args=[w["worker"].pk])
    return Case(url, w["supervisor"], w["worker"].user)


def _wellbeing(w):
    check_in = WellbeingCheckInFactory(worker=w["worker"], shared_with_supervisor=True)
    url = reverse("peers:wellbeing_result", args=[check_in.pk])
    return Case(url, w["supervisor"], w["worker"].user)


def _pathway_by_supervisor(w):
    url = reverse("peers:pathway_worker", args=[w["worker"].pk])
    return Case(url, w["supervisor"], w["worker"].user)


def _pathway_by_hr(w):
    return Case(reverse("peers:pathway_worker", args=[w["worker"].pk]), w["hr"], w["worker"].user)


def _sign_off(w):
    url = reverse("peers:pathway_sign_off", args=[w["worker"].pk, competence().pk])
    return Case(url, w["supervisor"], w["worker"].user)


def _induction(w):
    url = reverse("peers:induction_worker", args=[w["worker"].pk])
    return Case(url, w["supervisor"], w["worker"].user)


def _induction_by_hr(w):
    return Case(reverse("peers:induction_worker", args=[w["worker"].pk]), w["hr"], w["worker"].user)


def _summary(w):
    url = reverse("peers:worker_summary", args=[w["worker"].pk])
    return Case(url, w["supervisor"], w["worker"].user)


def _worker_in_admin(w):
    url = reverse("peer_workers:inspect", args=[w["worker"].pk])
    return Case(url, w["hr"], w["worker"].user)


def _worker_edit_in_admin(w):
    return Case(reverse("peer_workers:edit", args=[w["worker"].pk]), w["hr"], w["worker"].user)


def _job_application(w):
    application = JobApplicationFactory(vacancy=VacancyFactory(organisation=w["organisation"]))
    url = reverse("vacancies:application", args=[application.pk])
    return Case(url, w["hr"], application.candidate)


def _claim(w, **traits):
    return InvolvementClaimFactory(
        attendance__meeting__panel=PanelFactory(organisation=w["organisation"]), **traits
    )


def _claim_page(w):
    claim = _claim(w, submitted=True)
    return Case(reverse("coproduce:claim_detail", args=[claim.pk]), w["lead"], claim.member)


def _receipt(w):
    expense = ExpenseFactory(claim=_claim(w, submitted=True))
    claim = expense.claim
    url = reverse("coproduce:claim_receipt", args=[claim.pk, expense.pk])
    return Case(url, w["lead"], claim.member)


def _claim_in_admin(w):
    claim = _claim(w, approved=True)
    return Case(reverse("claims:inspect", args=[claim.pk]), w["finance"], claim.member)


def _claim_review(w):
    claim = _claim(w, submitted=True)
    return Case(reverse("claims:review", args=[claim.pk]), w["lead"], claim.member)


def _feedback(w):
    feedback = FeedbackFactory(offer__provider=w["organisation"])
    return Case(reverse("feedback:inspect", args=[feedback.pk]), w["lead"], feedback.author)


def _feedback_moderation(w):
    feedback = FeedbackFactory(offer__provider=w["organisation"])
    return Case(reverse("feedback:edit", args=[feedback.pk]), w["lead"], feedback.author)


def _panel_application(w):
    application = PanelApplicationFactory(panel__organisation=w["organisation"])
    url = reverse("panel_applications:inspect", args=[application.pk])
    return Case(url, w["lead"], application.applicant)


def _panel_application_decision(w):
    application = PanelApplicationFactory(panel__organisation=w["organisation"])
    InvolvementProfileFactory(user=application.applicant, access_needs=["bsl"])
    url = reverse("panel_applications:edit", args=[application.pk])
    return Case(url, w["lead"], application.applicant)


CASES: dict[str, Callable] = {
    "session log, by their supervisor": _session,
    "safeguarding concern, by their supervisor": _concern,
    "supervision record, by their supervisor": _supervision,
    "a worker's supervision records, by their supervisor": _supervision_records,
    "shared wellbeing check-in, by their supervisor": _wellbeing,
    "progression pathway, by their supervisor": _pathway_by_supervisor,
    "progression pathway, by HR": _pathway_by_hr,
    "evidence to sign off, by their supervisor": _sign_off,
    "induction checklist, by their supervisor": _induction,
    "induction checklist, by HR": _induction_by_hr,
    "hours and activity summary, by their supervisor": _summary,
    "peer worker record in the admin, by HR": _worker_in_admin,
    "peer worker record's edit form, by HR": _worker_edit_in_admin,
    "job application, by HR": _job_application,
    "payment claim, by the panel's lead": _claim_page,
    "receipt on a claim, by the panel's lead": _receipt,
    "payment claim in the admin, by finance": _claim_in_admin,
    "claim to approve, by the panel's lead": _claim_review,
    "feedback, by the lead who moderates it": _feedback,
    "feedback's moderation page, by the lead": _feedback_moderation,
    "panel application, by the panel's lead": _panel_application,
    "panel application and profile, when deciding": _panel_application_decision,
}


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize("case_name", list(CASES))
def test_opening_someone_elses_record_is_logged_about_them_with_a_reason(client, world, case_name):
    case = CASES[case_name](world)
    sign_in(client, case.viewer)

    response = client.get(case.url)

    assert response.status_code == 200, (case.url, response.status_code)
    looks = ModelLogEntry.objects.filter(
        action=audit.VIEW, user=case.viewer, data__about=case.person.pk
    )
    assert looks.exists(), f"{case_name}: no audit entry about the person"
    reasons = [entry.data["reason"] for entry in looks]
    assert all(reason.strip() for reason in reasons)

    client.logout()
    page = _text(sign_in(client, case.person).get(WHO_LOOKED))
    for reason in reasons:
        assert reason.replace("'", "&#x27;") in page
    assert NOBODY not in page


def test_the_reason_names_the_relationship(client, world):
    case = _session(world)
    sign_in(client, case.viewer).get(case.url)
    entry = ModelLogEntry.objects.get(action=audit.VIEW, user=case.viewer)
    assert entry.data["reason"] == "Supervisor read their supervisee's session log and its notes"


def test_hr_and_supervisors_are_told_apart_in_the_reason(client, world):
    url = reverse("peers:pathway_worker", args=[world["worker"].pk])
    sign_in(client, world["supervisor"]).get(url)
    sign_in(client, world["hr"]).get(url)
    reasons = dict(
        ModelLogEntry.objects.filter(action=audit.VIEW).values_list("user_id", "data__reason")
    )
    assert reasons[world["supervisor"].pk].startswith("Supervisor opened their supervisee's")
    assert reasons[world["hr"].pk].startswith("HR opened a peer worker's")


def _own(w):
    """Pages where the worker (or member) reads their own records."""
    worker = w["worker"]
    session = SessionLogFactory(worker=worker)
    concern = SafeguardingConcernFactory(session=SessionLogFactory(worker=worker))
    supervision = SupervisionFactory(worker=worker, supervisor=w["supervisor"])
    check_in = WellbeingCheckInFactory(worker=worker)
    return worker.user, [
        reverse("peers:session_detail", args=[session.pk]),
        reverse("peers:concern_detail", args=[concern.pk]),
        reverse("peers:supervision_detail", args=[supervision.pk]),
        reverse("peers:wellbeing_result", args=[check_in.pk]),
        reverse("peers:pathway"),
        reverse("peers:induction"),
        reverse("peers:summary"),
    ]


def test_reading_your_own_records_does_not_appear_on_your_who_looked_page(client, world):
    person, urls = _own(world)
    sign_in(client, person)
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert NOBODY in _text(client.get(WHO_LOOKED))


def test_a_member_reading_their_own_claim_is_not_logged_at_all(client, world):
    claim = _claim(world, submitted=True)
    expense = ExpenseFactory(claim=claim)
    sign_in(client, claim.member)
    assert client.get(reverse("coproduce:claim_detail", args=[claim.pk])).status_code == 200
    receipt = reverse("coproduce:claim_receipt", args=[claim.pk, expense.pk])
    assert client.get(receipt).status_code == 200
    assert not ModelLogEntry.objects.filter(action=audit.VIEW).exists()


def test_a_refused_look_is_not_logged_as_a_look(client, world, make_person):
    """Someone with no business there is refused, and nothing says they saw it."""
    stranger = make_person("supervisor")
    session = SessionLogFactory(worker=world["worker"])
    sign_in(client, stranger)
    response = client.get(reverse("peers:session_detail", args=[session.pk]))
    assert response.status_code in (403, 404)
    assert not ModelLogEntry.objects.filter(action=audit.VIEW, user=stranger).exists()
