"""HR runs peer-role recruitment in the Wagtail admin: vacancies for their own organisation,
the pipeline board, and each application moved from applied to started (or unsuccessful),
with the candidate emailed at each change and the peer worker record made at the start."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cms.permissions import has_role
from cms.roles import Role
from peers.factories import JobApplicationFactory, VacancyFactory, level
from peers.models import JobApplication, PeerWorker, PreEmploymentCheck, Vacancy
from peers.services import Refused
from peers.services import recruitment as services
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db
Stage = JobApplication.Stage
TODAY = timezone.localdate()


def text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


@pytest.fixture
def hr(client, make_person):
    person = make_person("hr", first_name="Hana")
    sign_in(client, person)
    return person


@pytest.fixture
def vacancy(organisation):
    return VacancyFactory(
        organisation=organisation,
        title="Crisis café peer support worker",
        level=level("peer-support-worker"),
        hours_per_week=22.5,
        employment_type="employed",
    )


@pytest.fixture
def application(vacancy):
    return JobApplicationFactory(
        vacancy=vacancy,
        candidate=UserFactory(first_name="Priya", last_name="Shah"),
        adjustments_requested="A quiet room",
    )


def page_url(application):
    return reverse("vacancies:application", args=[application.pk])


def act(client, application, action, **fields):
    data = {"action": action}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return client.post(page_url(application), data)


def check(client, application, kind, **fields):
    values = {
        "kind": kind,
        "requested_on": str(TODAY - timedelta(days=20)),
        "completed_on": str(TODAY - timedelta(days=2)),
        "outcome": "satisfactory",
        "expires_on": "",
    }
    values.update(fields)
    return act(client, application, "check", **values)


def interview_fields(lived=True, **extra):
    fields = {
        "interview_at": (TODAY + timedelta(days=7)).isoformat() + "T10:30",
        "member_0_name": "Jo Lee",
        "member_0_role": "Peer lead",
        "member_1_name": "Ade Okafor",
        "member_1_role": "Ward manager",
    }
    if lived:
        fields["member_0_lived"] = "on"
    fields.update(extra)
    return fields


def move_to_checks(client, application):
    act(client, application, "shortlist")
    act(client, application, "interview", **interview_fields())
    act(
        client,
        application,
        "offer",
        offered_on=str(TODAY - timedelta(days=30)),
        proposed_start_date=str(TODAY + timedelta(days=14)),
    )
    act(client, application, "checks")
    application.refresh_from_db()
    assert application.stage == Stage.CHECKS


# --- Vacancies ---------------------------------------------------------------------------------


def vacancy_form(organisation, **overrides):
    data = {
        "organisation": organisation.pk,
        "title": "Ward peer support worker",
        "level": level("trainee").pk,
        "pay": "Band 3",
        "hours_per_week": "30",
        "employment_type": "employed",
        "closing_date": str(TODAY + timedelta(days=21)),
        "lived_experience_essential": "on",
        "description": "Support people on the ward.",
        "reasonable_adjustments": "Tell us what would help.",
    }
    data.update(overrides)
    return data


def test_hr_adds_a_vacancy_as_a_draft_then_publishes_and_closes_it(client, hr, organisation):
    response = client.post(reverse("vacancies:add"), vacancy_form(organisation))
    assert response.status_code == 302, text(response)
    vacancy = Vacancy.objects.get()
    assert (vacancy.status, vacancy.slug) == (Vacancy.Status.DRAFT, "ward-peer-support-worker")
    assert "No peer roles are open right now" in text(client.get(reverse("peers:vacancy_list")))

    assert "Publishing puts" in text(client.get(reverse("vacancies:publish", args=[vacancy.pk])))
    client.post(reverse("vacancies:publish", args=[vacancy.pk]))
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.OPEN
    assert "1 role open" in text(client.get(reverse("peers:vacancy_list")))

    client.post(reverse("vacancies:close", args=[vacancy.pk]))
    vacancy.refresh_from_db()
    assert vacancy.status == Vacancy.Status.CLOSED
    assert "No peer roles are open right now" in text(client.get(reverse("peers:vacancy_list")))


def test_a_vacancy_with_a_past_closing_date_is_refused_and_what_was_typed_kept(
    client, hr, organisation
):
    response = client.post(
        reverse("vacancies:add"),
        vacancy_form(organisation, closing_date=str(TODAY - timedelta(days=1))),
    )
    assert response.status_code == 200
    assert "The closing date has passed" in text(response)
    assert "Support people on the ward." in response.content.decode()
    assert not Vacancy.objects.exists()


def test_hr_cannot_add_a_vacancy_for_another_organisation(client, hr, other_organisation):
    response = client.post(reverse("vacancies:add"), vacancy_form(other_organisation))
    assert response.status_code == 200
    assert not Vacancy.objects.exists()


def test_a_title_taking_a_reserved_address_gets_another(client, hr, organisation):
    client.post(reverse("vacancies:add"), vacancy_form(organisation, title="Applications"))
    assert Vacancy.objects.get().slug == "applications-role"


def test_hr_sees_only_their_own_organisations_vacancies(client, hr, vacancy, other_organisation):
    theirs = VacancyFactory(organisation=other_organisation, title="Southmoor peer role")
    page = text(client.get(reverse("vacancies:index")))
    assert "Crisis café peer support worker" in page
    assert "Southmoor peer role" not in page
    for name in ("edit", "pipeline", "publish", "close", "inspect"):
        assert client.get(reverse(f"vacancies:{name}", args=[theirs.pk])).status_code == 404
    client.post(reverse("vacancies:close", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.status == Vacancy.Status.OPEN


def test_other_staff_cannot_reach_recruitment(client, make_person, vacancy, application):
    sign_in(client, make_person("engagement_lead"))
    for url in (
        reverse("vacancies:index"),
        reverse("vacancies:pipeline", args=[vacancy.pk]),
        page_url(application),
        reverse("recruitment_report:index"),
        reverse("retention_report:index"),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert "Priya" not in response.content.decode()


# --- The pipeline board ------------------------------------------------------------------------


def test_the_board_shows_columns_by_stage_with_counts_and_cards(client, hr, vacancy):
    JobApplicationFactory(vacancy=vacancy, candidate=UserFactory(first_name="Amy", last_name="A"))
    JobApplicationFactory(vacancy=vacancy, candidate=UserFactory(first_name="Ben", last_name="B"))
    JobApplicationFactory(
        vacancy=vacancy,
        candidate=UserFactory(first_name="Cal", last_name="C"),
        stage=Stage.SHORTLISTED,
        shortlisted_on=TODAY,
    )
    response = client.get(reverse("vacancies:pipeline", args=[vacancy.pk]))
    soup = BeautifulSoup(response.content, "html.parser")
    applied = soup.find(id="column-applied").parent
    shortlisted = soup.find(id="column-shortlisted").parent
    assert "(2)" in applied.get_text() and "Amy A" in applied.get_text()
    assert "(1)" in shortlisted.get_text() and "Cal C" in shortlisted.get_text()
    assert "(0)" in soup.find(id="column-started").parent.get_text()


def test_the_board_costs_the_same_queries_for_3_and_30_candidates(client, hr, vacancy):
    url = reverse("vacancies:pipeline", args=[vacancy.pk])

    def count():
        client.get(url)
        return queries_for(client, url)

    for stage in (Stage.APPLIED, Stage.CHECKS, Stage.STARTED):
        JobApplicationFactory(vacancy=vacancy, stage=stage)
    few = count()
    for n in range(27):
        JobApplicationFactory(
            vacancy=vacancy, stage=[Stage.APPLIED, Stage.CHECKS, Stage.OFFER][n % 3]
        )
    assert count() == few


def test_hr_of_another_organisation_gets_a_404_for_an_application(
    client, make_person, other_organisation, application
):
    sign_in(client, make_person("hr", organisation=other_organisation))
    assert client.get(page_url(application)).status_code == 404
    act(client, application, "shortlist")
    application.refresh_from_db()
    assert application.stage == Stage.APPLIED


# --- Moving an application ----------------------------------------------------------------------


def test_from_applied_to_started_with_an_email_at_each_stage(client, hr, application):
    act(client, application, "adjustments", adjustments_agreed="A quiet room and questions early")
    move_to_checks(client, application)
    for kind in PreEmploymentCheck.Kind.values:
        check(client, application, kind)
    start = TODAY + timedelta(days=14)
    response = act(client, application, "start", start_date=str(start))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.stage == Stage.STARTED

    worker = PeerWorker.objects.get(user=application.candidate)
    assert worker.organisation == application.vacancy.organisation
    assert worker.level.slug == "peer-support-worker"
    assert worker.employment_type == "employed"
    assert worker.start_date == start
    assert float(worker.contracted_hours) == 22.5
    assert application.worker == worker
    application.candidate.__dict__.pop("role_names", None)
    assert has_role(application.candidate, Role.PEER_WORKER)

    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        "You have been shortlisted for Crisis café peer support worker",
        "Your interview for Crisis café peer support worker",
        "An offer for Crisis café peer support worker",
        "Pre-employment checks for Crisis café peer support worker",
        "Welcome to your new role: Crisis café peer support worker",
    ]
    interview_email = mail.outbox[1].body
    assert "A quiet room and questions early" in interview_email
    assert all(m.to == [application.candidate.email] for m in mail.outbox)


def test_the_application_page_is_audit_logged_when_hr_opens_it(client, hr, application):
    from wagtail.models import ModelLogEntry

    client.get(page_url(application))
    assert ModelLogEntry.objects.filter(action="lep.view", user=hr).exists()


def test_a_panel_without_lived_experience_is_warned_and_needs_a_go_ahead(client, hr, application):
    act(client, application, "shortlist")
    response = act(client, application, "interview", **interview_fields(lived=False))
    assert response.status_code == 200
    assert "No one on this interview panel has lived experience" in text(response)
    assert "Ade Okafor" in response.content.decode()
    application.refresh_from_db()
    assert application.stage == Stage.SHORTLISTED

    act(
        client,
        application,
        "interview",
        **interview_fields(lived=False, go_ahead_without_lived_experience="on"),
    )
    application.refresh_from_db()
    assert application.stage == Stage.INTERVIEW
    assert application.interview_panel_has_lived_experience is False
    assert "Panel has no one with lived experience" in text(
        client.get(reverse("vacancies:pipeline", args=[application.vacancy_id]))
    )


def test_a_panel_with_lived_experience_is_recorded(client, hr, application):
    act(client, application, "shortlist")
    act(client, application, "interview", **interview_fields())
    application.refresh_from_db()
    assert application.interview_panel_has_lived_experience is True
    assert application.panel_members.count() == 2


def test_a_start_date_before_the_offer_is_refused_and_nothing_lost(client, hr, application):
    act(client, application, "shortlist")
    act(client, application, "interview", **interview_fields())
    response = act(
        client,
        application,
        "offer",
        offered_on=str(TODAY),
        proposed_start_date=str(TODAY - timedelta(days=3)),
    )
    assert response.status_code == 200
    assert "must be on or after the date of the offer" in text(response)
    assert str(TODAY - timedelta(days=3)) in response.content.decode()
    application.refresh_from_db()
    assert (application.stage, application.offered_on) == (Stage.INTERVIEW, None)


def test_a_check_expiring_before_the_start_is_refused(client, hr, application):
    move_to_checks(client, application)
    expires = TODAY + timedelta(days=5)
    response = check(client, application, "dbs", expires_on=str(expires))
    assert response.status_code == 200
    assert "expires on" in text(response) and "before they start" in text(response)
    assert str(expires) in response.content.decode()
    dbs = application.checks.get(kind="dbs")
    assert (dbs.outcome, dbs.expires_on) == ("pending", None)


def test_starting_with_checks_incomplete_is_refused_and_no_worker_made(client, hr, application):
    move_to_checks(client, application)
    check(client, application, "references")
    response = act(client, application, "start", start_date=str(TODAY + timedelta(days=14)))
    assert response.status_code == 200
    page = text(response)
    assert "every pre-employment check is complete" in page
    assert "DBS check" in page and "Occupational health" in page
    application.refresh_from_db()
    assert application.stage == Stage.CHECKS
    assert not PeerWorker.objects.filter(user=application.candidate).exists()


def test_a_stage_cannot_be_skipped(hr, application):
    with pytest.raises(Refused, match="one stage at a time"):
        services.application_offer(
            application=application, user=hr, offered_on=TODAY, proposed_start_date=None
        )
    application.refresh_from_db()
    assert application.stage == Stage.APPLIED


def test_unsuccessful_with_a_reason_the_candidate_is_not_told_then_feedback_recorded(
    client, hr, application
):
    response = act(client, application, "reject", reason="")
    assert "Enter the reason." in text(response)
    act(client, application, "reject", reason="Not enough experience of groups")
    application.refresh_from_db()
    assert application.stage == Stage.UNSUCCESSFUL
    assert mail.outbox[-1].subject == "Your application for Crisis café peer support worker"
    assert "Not enough experience of groups" not in mail.outbox[-1].body

    act(client, application, "feedback", feedback_offered_on=str(TODAY), feedback_note="By phone")
    application.refresh_from_db()
    assert application.feedback_offered_on == TODAY


def test_hr_records_a_withdrawal_for_the_candidate(client, hr, application):
    act(client, application, "withdraw", reason="Took another job")
    application.refresh_from_db()
    assert application.stage == Stage.WITHDRAWN
    assert application.closed_reason == "Took another job"


def test_moving_to_the_same_stage_twice_sends_one_email(hr, application):
    services.application_shortlist(application=application, user=hr)
    services.application_shortlist(application=application, user=hr)
    assert len(mail.outbox) == 1


def test_a_person_already_working_as_a_peer_cannot_be_started_twice(client, hr, application):
    from tests.factories import PeerWorkerFactory

    PeerWorkerFactory(user=application.candidate, organisation=application.vacancy.organisation)
    move_to_checks(client, application)
    for kind in PreEmploymentCheck.Kind.values:
        check(client, application, kind)
    response = act(client, application, "start", start_date=str(TODAY + timedelta(days=14)))
    assert "already has a peer worker record" in text(response)
    application.refresh_from_db()
    assert application.stage == Stage.CHECKS


# --- One view per action: the router's edges ---------------------------------------------------


def test_a_post_naming_no_action_hr_can_take_changes_nothing(client, hr, application):
    for data in ({}, {"action": "promote"}, {"action": ""}):
        response = client.post(page_url(application), data, follow=True)
        assert response.status_code == 200
        assert "Choose what to do with this application." in text(response)
    application.refresh_from_db()
    assert application.stage == Stage.APPLIED
    assert not mail.outbox


def test_someone_who_is_not_hr_cannot_take_an_action_by_naming_it(client, make_person, application):
    sign_in(client, make_person("supervisor"))
    for action in ("shortlist", "reject", "withdraw"):
        response = act(client, application, action)
        assert response.status_code in (302, 403, 404), action
    application.refresh_from_db()
    assert application.stage == Stage.APPLIED
    assert not mail.outbox
