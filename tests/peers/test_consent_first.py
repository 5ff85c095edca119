"""Consent first in peer-role recruitment: the adjustments a candidate asks for, and their
equality monitoring answers, are kept only with their agreement to the words shown, whose
version and time are kept with them; equality answers can be withdrawn, which deletes them.
Whether they have lived experience is an essential criterion, asked of everyone with its
purpose shown."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms import audit
from peers.factories import JobApplicationFactory, VacancyFactory
from peers.models import EqualityMonitoring, JobApplication
from peers.services import Refused
from peers.services.recruitment import (
    ADJUSTMENTS_CONSENT,
    EQUALITY_CONSENT,
    application_submit,
    equality_record,
)
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADJUSTMENTS = "A quiet room and the questions in advance, please."


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text(response) -> str:
    return soup(response).get_text(" ", strip=True)


def label_of(page, name: str) -> str:
    box = page.select_one(f'input[type=checkbox][name="{name}"]')
    return page.select_one(f'label[for="{box["id"]}"]').get_text(" ", strip=True)


@pytest.fixture
def vacancy(organisation):
    return VacancyFactory(organisation=organisation, title="Ward peer support worker")


@pytest.fixture
def candidate(client):
    person = UserFactory(first_name="Sam")
    sign_in(client, person)
    return person


def apply(client, vacancy, **data):
    return client.post(
        reverse("peers:vacancy_apply", kwargs={"slug": vacancy.slug}),
        {
            "statement": "Peer support helped me recover.",
            "has_lived_experience": "yes",
            "consent_to_contact": "on",
            **data,
        },
    )


# --- Adjustments -------------------------------------------------------------------------------


def test_the_form_shows_the_adjustments_statement_as_an_i_agree_box(client, vacancy, candidate):
    page = soup(client.get(reverse("peers:vacancy_apply", kwargs={"slug": vacancy.slug})))
    assert label_of(page, "agree_to_adjustments") == ADJUSTMENTS_CONSENT.text
    assert "we only keep it if you agree" in page.get_text(" ", strip=True)


def test_adjustments_without_agreeing_are_asked_about_and_nothing_is_saved(
    client, vacancy, candidate
):
    response = apply(client, vacancy, adjustments_requested=ADJUSTMENTS)
    assert response.status_code == 200
    assert "tick the box to agree to us keeping what you wrote" in text(response)
    assert ADJUSTMENTS in response.content.decode()  # nothing typed is lost
    assert not JobApplication.objects.exists()


def test_agreeing_keeps_the_adjustments_with_the_version_and_time_agreed(
    client, vacancy, candidate
):
    before = timezone.now()
    response = apply(client, vacancy, adjustments_requested=ADJUSTMENTS, agree_to_adjustments="on")
    assert response.status_code == 302
    application = JobApplication.objects.get(candidate=candidate)
    assert application.adjustments_requested == ADJUSTMENTS
    assert application.adjustments_consent_version == ADJUSTMENTS_CONSENT.version
    assert before <= application.adjustments_consent_given_at <= timezone.now()
    page = text(client.get(reverse("peers:job_application", kwargs={"pk": application.pk})))
    assert "You agreed to us keeping this, to arrange your interview" in page


def test_applying_without_adjustments_records_no_agreement(client, vacancy, candidate):
    response = apply(client, vacancy, agree_to_adjustments="on")
    assert response.status_code == 302
    application = JobApplication.objects.get(candidate=candidate)
    assert application.adjustments_requested == ""
    assert application.adjustments_consent_version == ""
    assert application.adjustments_consent_given_at is None


def test_the_service_keeps_no_adjustments_without_the_agreement(vacancy, candidate):
    application, made = application_submit(
        vacancy=vacancy,
        candidate=candidate,
        statement="Hello",
        has_lived_experience=True,
        adjustments_requested=ADJUSTMENTS,
        consent_to_contact=True,
    )
    assert made
    application.refresh_from_db()
    assert application.adjustments_requested == ""
    assert application.adjustments_consent_given_at is None


def test_the_lived_experience_question_says_why_it_is_asked_and_who_sees_it(
    client, vacancy, candidate
):
    page = text(client.get(reverse("peers:vacancy_apply", kwargs={"slug": vacancy.slug})))
    assert "Peer roles are for people with their own lived experience, so we ask" in page
    assert "Only the people recruiting for this role see your answer" in page


# --- Equality monitoring -----------------------------------------------------------------------


@pytest.fixture
def application(vacancy, candidate):
    return JobApplicationFactory(vacancy=vacancy, candidate=candidate)


def equality_url(application) -> str:
    return reverse("peers:job_application_equality", kwargs={"pk": application.pk})


def test_the_questions_come_with_the_statement_and_prefer_not_to_say(client, application):
    response = client.get(equality_url(application))
    assert label_of(soup(response), "agree") == EQUALITY_CONSENT.text
    for question in ("age_band", "gender", "ethnicity", "disability", "sexual_orientation"):
        assert soup(response).select_one(f'input[name="{question}"][value="prefer_not"]')


def test_answers_without_agreeing_are_not_kept(client, application):
    response = client.post(equality_url(application), {"age_band": "25_34", "gender": "woman"})
    assert response.status_code == 200
    assert "To keep your answers, tick the box to agree" in text(response)
    assert not EqualityMonitoring.objects.exists()


def test_agreeing_keeps_the_answers_with_the_version_and_time_agreed(client, application):
    before = timezone.now()
    response = client.post(
        equality_url(application), {"age_band": "25_34", "gender": "prefer_not", "agree": "on"}
    )
    assert response.status_code == 302
    answers = EqualityMonitoring.objects.get(application=application)
    assert (answers.age_band, answers.gender) == ("25_34", "prefer_not")
    assert answers.consent_version == EQUALITY_CONSENT.version
    assert before <= answers.consent_given_at <= timezone.now()


def test_with_a_current_agreement_there_is_no_box_and_changes_are_kept(client, application):
    EqualityMonitoring.objects.create(
        application=application,
        age_band="25_34",
        consent_version=EQUALITY_CONSENT.version,
        consent_given_at=timezone.now(),
    )
    page = client.get(equality_url(application))
    assert soup(page).select_one('[name="agree"]') is None
    assert "You agreed to this on" in text(page)
    client.post(equality_url(application), {"age_band": "35_44"})
    assert EqualityMonitoring.objects.get().age_band == "35_44"


@pytest.mark.parametrize("version", ["", "2020-01"])
def test_answers_kept_before_todays_wording_stay_as_they_are_and_are_asked_about(
    client, application, version
):
    EqualityMonitoring.objects.create(
        application=application, age_band="25_34", consent_version=version
    )
    page = client.get(equality_url(application))
    assert soup(page).select_one('[name="agree"]') is not None
    assert "We have your earlier answers" in text(page)
    # Sent back unchanged: kept as they are. Changed without agreeing: not kept.
    assert client.post(equality_url(application), {"age_band": "25_34"}).status_code == 302
    assert client.post(equality_url(application), {"age_band": "45_54"}).status_code == 200
    assert EqualityMonitoring.objects.get().age_band == "25_34"


def test_withdrawing_deletes_the_answers_and_is_audit_logged(client, application, candidate):
    EqualityMonitoring.objects.create(
        application=application,
        age_band="25_34",
        consent_version=EQUALITY_CONSENT.version,
        consent_given_at=timezone.now(),
    )
    page = text(client.get(equality_url(application)))
    assert "Withdraw and delete my answers" in page
    response = client.post(equality_url(application), {"withdraw": "yes"})
    assert response.status_code == 302
    assert not EqualityMonitoring.objects.exists()
    assert "Your answers have been deleted" in text(client.get(response["Location"]))
    entry = ModelLogEntry.objects.get(action=audit.ERASE, user=candidate)
    assert "withdrew their agreement" in entry.data["reason"]
    # Withdrawing again changes nothing.
    client.post(equality_url(application), {"withdraw": "yes"})
    assert ModelLogEntry.objects.filter(action=audit.ERASE).count() == 1


def test_nobody_withdraws_someone_elses_answers(client, vacancy, candidate):
    theirs = JobApplicationFactory(vacancy=vacancy)
    EqualityMonitoring.objects.create(application=theirs, age_band="25_34")
    assert client.post(equality_url(theirs), {"withdraw": "yes"}).status_code == 404
    assert EqualityMonitoring.objects.exists()


def test_leaving_every_question_empty_keeps_nothing(client, application):
    EqualityMonitoring.objects.create(application=application, age_band="25_34")
    response = client.post(equality_url(application), {})
    assert response.status_code == 302
    assert not EqualityMonitoring.objects.exists()


def test_the_service_refuses_new_answers_without_the_agreement(application, candidate):
    with pytest.raises(Refused):
        equality_record(application=application, user=candidate, age_band="25_34")
    assert not EqualityMonitoring.objects.exists()


def test_the_equality_page_costs_the_same_queries_with_or_without_answers(client, application):
    from tests.queries import queries_for

    url = equality_url(application)
    client.get(url)
    without = queries_for(client, url)
    EqualityMonitoring.objects.create(
        application=application,
        age_band="25_34",
        consent_version=EQUALITY_CONSENT.version,
        consent_given_at=timezone.now(),
    )
    assert queries_for(client, url) <= without + 1
