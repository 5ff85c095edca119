"""Peer roles on the site: the public list and pages, applying with any verified account,
the optional equality step, and a candidate's own applications (nobody else's)."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peers.factories import JobApplicationFactory, VacancyFactory
from peers.models import EqualityMonitoring, JobApplication
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def count(client, url) -> int:
    client.get(url)  # site-wide caches (header, footer) filled first
    return queries_for(client, url)


def apply_data(**overrides):
    data = {
        "statement": "I spent time on a ward and peer support helped me recover.",
        "has_lived_experience": "yes",
        "adjustments_requested": "Questions in advance, please.",
        # Adjustments are kept only with this agreement (see test_consent_first.py).
        "agree_to_adjustments": "on",
        "consent_to_contact": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def vacancy(organisation):
    return VacancyFactory(organisation=organisation, title="Ward peer support worker")


@pytest.fixture
def candidate(client):
    person = UserFactory(first_name="Sam")
    sign_in(client, person)
    return person


# --- The public list and pages ----------------------------------------------------------------


def test_the_public_list_shows_open_roles_only(client, organisation):
    VacancyFactory(organisation=organisation, title="Crisis café peer")
    VacancyFactory(organisation=organisation, title="Drafted role", draft=True)
    VacancyFactory(organisation=organisation, title="Closed role", closed=True)
    VacancyFactory(
        organisation=organisation,
        title="Past its closing date",
        closing_date=timezone.localdate() - timedelta(days=1),
    )
    page = text(client.get(reverse("peers:vacancy_list")))
    assert "Crisis café peer" in page
    assert "1 role open" in page
    for hidden in ("Drafted role", "Closed role", "Past its closing date"):
        assert hidden not in page


def test_a_role_closing_today_is_still_listed(client, organisation):
    VacancyFactory(organisation=organisation, title="Last day", closing_date=timezone.localdate())
    assert "Last day" in text(client.get(reverse("peers:vacancy_list")))


def test_the_role_page_shows_its_facts_and_how_to_apply(client, vacancy):
    response = client.get(reverse("peers:vacancy_detail", kwargs={"slug": vacancy.slug}))
    page = text(response)
    assert response.status_code == 200
    for fact in ("Band 4", "30 hours a week", "Employed", "reasonable adjustments", "Essential"):
        assert fact in page
    assert "Apply for this role" in page
    assert "sign in, or create an account" in page


def test_a_closed_roles_page_says_it_has_closed_and_offers_no_apply_button(client, organisation):
    closed = VacancyFactory(organisation=organisation, closed=True)
    page = text(client.get(reverse("peers:vacancy_detail", kwargs={"slug": closed.slug})))
    assert "This role has closed" in page
    assert "Apply for this role" not in page


def test_a_draft_is_a_404_to_the_public_and_to_other_organisations_hr(
    client, organisation, other_organisation, make_person
):
    draft = VacancyFactory(organisation=organisation, draft=True)
    url = reverse("peers:vacancy_detail", kwargs={"slug": draft.slug})
    assert client.get(url).status_code == 404
    sign_in(client, make_person("hr", organisation=other_organisation))
    assert client.get(url).status_code == 404


def test_hr_of_the_organisation_can_preview_a_draft(client, organisation, make_person):
    draft = VacancyFactory(organisation=organisation, draft=True)
    sign_in(client, make_person("hr"))
    page = text(client.get(reverse("peers:vacancy_detail", kwargs={"slug": draft.slug})))
    assert "This role is a draft" in page


def test_the_list_costs_the_same_queries_for_3_and_30_roles(client, organisation):
    url = reverse("peers:vacancy_list")
    VacancyFactory.create_batch(3, organisation=organisation)
    few = count(client, url)
    VacancyFactory.create_batch(27, organisation=organisation)
    assert count(client, url) == few


# --- Applying -----------------------------------------------------------------------------


def test_applying_needs_an_account_and_comes_back_to_the_form(client, vacancy):
    url = reverse("peers:vacancy_apply", kwargs={"slug": vacancy.slug})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" + url in response["Location"]


def test_a_person_applies_is_emailed_and_offered_the_equality_step(client, vacancy, candidate):
    url = reverse("peers:vacancy_apply", kwargs={"slug": vacancy.slug})
    response = client.post(url, apply_data())
    application = JobApplication.objects.get(candidate=candidate)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "peers:job_application_equality", kwargs={"pk": application.pk}
    )
    assert application.stage == JobApplication.Stage.APPLIED
    assert application.has_lived_experience is True
    assert application.adjustments_requested == "Questions in advance, please."
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [candidate.email]
    assert "We have your application for Ward peer support worker" in mail.outbox[0].subject
    page = text(client.get(response["Location"]))
    assert "Equality monitoring (optional)" in page
    assert "Skip these questions" in page


def test_missing_answers_get_clear_messages_and_keep_what_was_typed(client, vacancy, candidate):
    url = reverse("peers:vacancy_apply", kwargs={"slug": vacancy.slug})
    response = client.post(
        url,
        apply_data(statement="", has_lived_experience="", consent_to_contact=""),
    )
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Tell us why you would like this role." in page
    assert "Choose yes or no." in page
    assert "tick the box to agree that we may contact you" in page
    assert "Questions in advance, please." in response.content.decode()
    assert not JobApplication.objects.exists()
    assert not mail.outbox


def test_html_in_the_statement_is_stored_exactly_as_typed(client, vacancy, candidate):
    client.post(
        reverse("peers:vacancy_apply", kwargs={"slug": vacancy.slug}),
        apply_data(statement="<script>alert(1)</script>I would love this role"),
    )
    statement = "<script>alert(1)</script>I would love this role"
    assert JobApplication.objects.get().statement == statement


def test_applying_twice_keeps_one_application(client, vacancy, candidate):
    url = reverse("peers:vacancy_apply", kwargs={"slug": vacancy.slug})
    client.post(url, apply_data())
    response = client.post(url, apply_data(statement="Again"))
    assert JobApplication.objects.count() == 1
    assert JobApplication.objects.get().statement != "Again"
    assert response["Location"] == reverse(
        "peers:job_application", kwargs={"pk": JobApplication.objects.get().pk}
    )
    assert len(mail.outbox) == 1


def test_a_closed_role_takes_no_applications(client, organisation, candidate):
    closed = VacancyFactory(organisation=organisation, closed=True)
    response = client.post(
        reverse("peers:vacancy_apply", kwargs={"slug": closed.slug}), apply_data()
    )
    assert response.status_code == 302
    assert not JobApplication.objects.exists()


def test_a_draft_cannot_be_applied_for(client, organisation, candidate):
    draft = VacancyFactory(organisation=organisation, draft=True)
    response = client.post(
        reverse("peers:vacancy_apply", kwargs={"slug": draft.slug}), apply_data()
    )
    assert response.status_code == 404
    assert not JobApplication.objects.exists()


# --- Equality monitoring ------------------------------------------------------------------------


def test_equality_answers_are_saved_apart_and_every_question_is_optional(
    client, vacancy, candidate
):
    application = JobApplicationFactory(vacancy=vacancy, candidate=candidate)
    url = reverse("peers:job_application_equality", kwargs={"pk": application.pk})
    response = client.post(url, {"age_band": "25_34", "ethnicity": "prefer_not", "agree": "on"})
    assert response.status_code == 302
    answers = EqualityMonitoring.objects.get(application=application)
    assert (answers.age_band, answers.ethnicity, answers.gender) == ("25_34", "prefer_not", "")


def test_an_unknown_equality_answer_is_refused(client, vacancy, candidate):
    application = JobApplicationFactory(vacancy=vacancy, candidate=candidate)
    url = reverse("peers:job_application_equality", kwargs={"pk": application.pk})
    response = client.post(url, {"age_band": "ancient"})
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert not EqualityMonitoring.objects.exists()


def test_nobody_answers_the_equality_questions_of_another_persons_application(
    client, vacancy, candidate
):
    theirs = JobApplicationFactory(vacancy=vacancy)
    url = reverse("peers:job_application_equality", kwargs={"pk": theirs.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"age_band": "25_34"}).status_code == 404
    assert not EqualityMonitoring.objects.exists()


# --- The candidate's own applications -----------------------------------------------------------


def test_a_candidate_sees_their_own_applications_and_nobody_elses(client, vacancy, candidate):
    JobApplicationFactory(vacancy=vacancy, candidate=candidate)
    other_vacancy = VacancyFactory(organisation=vacancy.organisation, title="Someone else's")
    JobApplicationFactory(vacancy=other_vacancy)
    page = text(client.get(reverse("peers:job_application_list")))
    assert "Ward peer support worker" in page
    assert "Someone else's" not in page


def test_guessing_another_persons_application_is_a_404(client, vacancy, candidate):
    theirs = JobApplicationFactory(vacancy=vacancy)
    for name in ("peers:job_application", "peers:job_application_withdraw"):
        assert client.get(reverse(name, kwargs={"pk": theirs.pk})).status_code == 404
    response = client.post(reverse("peers:job_application_withdraw", kwargs={"pk": theirs.pk}))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.stage == JobApplication.Stage.APPLIED


def test_hr_cannot_see_a_candidates_application_on_the_candidate_pages(
    client, vacancy, make_person
):
    application = JobApplicationFactory(vacancy=vacancy)
    sign_in(client, make_person("hr"))
    url = reverse("peers:job_application", kwargs={"pk": application.pk})
    assert client.get(url).status_code == 404


def test_the_application_page_shows_the_stage_but_no_internal_notes(client, vacancy, candidate):
    application = JobApplicationFactory(
        vacancy=vacancy,
        candidate=candidate,
        stage=JobApplication.Stage.UNSUCCESSFUL,
        closed_reason="Weak answers on safeguarding",
        closed_on=timezone.localdate(),
    )
    page = text(client.get(reverse("peers:job_application", kwargs={"pk": application.pk})))
    assert "Unsuccessful" in page
    assert "Weak answers on safeguarding" not in page


def test_a_candidate_withdraws_after_saying_yes(client, vacancy, candidate):
    application = JobApplicationFactory(vacancy=vacancy, candidate=candidate)
    url = reverse("peers:job_application_withdraw", kwargs={"pk": application.pk})
    assert "Are you sure" in text(client.get(url))
    client.post(url, {"reason": "I found another job"})
    application.refresh_from_db()
    assert application.stage == JobApplication.Stage.WITHDRAWN
    assert application.closed_reason == "I found another job"
    assert mail.outbox[-1].subject.startswith("You have withdrawn your application")
    page = text(client.get(reverse("peers:job_application", kwargs={"pk": application.pk})))
    assert "Apply again" in page


def test_a_withdrawn_application_can_be_made_again_while_the_role_is_open(
    client, vacancy, candidate
):
    application = JobApplicationFactory(
        vacancy=vacancy, candidate=candidate, stage=JobApplication.Stage.WITHDRAWN
    )
    client.post(
        reverse("peers:vacancy_apply", kwargs={"slug": vacancy.slug}),
        apply_data(statement="Trying again"),
    )
    application.refresh_from_db()
    assert application.stage == JobApplication.Stage.APPLIED
    assert application.statement == "Trying again"
    assert JobApplication.objects.count() == 1


def test_a_started_application_cannot_be_withdrawn(client, vacancy, candidate):
    application = JobApplicationFactory(
        vacancy=vacancy, candidate=candidate, stage=JobApplication.Stage.STARTED
    )
    client.post(reverse("peers:job_application_withdraw", kwargs={"pk": application.pk}))
    application.refresh_from_db()
    assert application.stage == JobApplication.Stage.STARTED


def test_the_candidates_list_costs_the_same_queries_for_3_and_30_applications(
    client, organisation, candidate
):
    url = reverse("peers:job_application_list")
    for _ in range(3):
        JobApplicationFactory(
            vacancy=VacancyFactory(organisation=organisation), candidate=candidate
        )
    few = count(client, url)
    for _ in range(27):
        JobApplicationFactory(
            vacancy=VacancyFactory(organisation=organisation), candidate=candidate
        )
    assert count(client, url) == few


# --- Addresses kept for other pages -----------------------------------------------------------


def test_a_vacancy_saved_with_a_reserved_title_gets_an_address_people_can_reach(client):
    vacancy = VacancyFactory(title="Applications", slug="")
    assert vacancy.slug == "applications-role"
    response = client.get(vacancy.get_absolute_url())
    assert response.status_code == 200
    assert "Applications" in text(response)


def test_vacancies_saved_with_the_same_title_get_numbered_addresses():
    first = VacancyFactory(title="Ward peer support worker", slug="")
    second = VacancyFactory(title="Ward peer support worker", slug="")
    assert (first.slug, second.slug) == ("ward-peer-support-worker", "ward-peer-support-worker-2")


def test_a_vacancy_cannot_be_given_a_reserved_address_by_hand():
    from django.core.exceptions import ValidationError

    vacancy = VacancyFactory.build(slug="applications")
    with pytest.raises(ValidationError) as refused:
        vacancy.clean()
    assert "The address /peer-roles/applications/ belongs to another page" in str(refused.value)
