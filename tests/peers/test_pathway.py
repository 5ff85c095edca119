"""The progression pathway: what a worker sees is left for the next level, adding evidence
and training, supervisors signing competences off and recording reviews, HR reading, and
every refusal (another supervisor's worker, one's own, another organisation, no evidence)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms.roles import Role
from peers.factories import (
    CompetenceEvidenceFactory,
    CompetenceFactory,
    CompetenceSignOffFactory,
    ProgressionReviewFactory,
    TrainingRecordFactory,
    competence,
    training,
)
from peers.models import (
    Competence,
    CompetenceEvidence,
    CompetenceSignOff,
    PeerWorker,
    ProgressionReview,
    Training,
    TrainingRecord,
)
from peers.selectors.progression import pathway_of, progressions
from peers.services import Refused
from peers.services import progression as services
from tests.conftest import sign_in
from tests.factories import (
    OrganisationFactory,
    PeerWorkerFactory,
    SessionLogFactory,
    SupervisorFactory,
    UserFactory,
    level,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

PATHWAY = "/peer-work/pathway/"


@pytest.fixture
def world(organisation):
    supervisor = SupervisorFactory(
        organisation=organisation, mfa=True, first_name="Priya", last_name="Shah"
    )
    worker = PeerWorkerFactory(
        organisation=organisation,
        supervisors=[supervisor],
        level=level("trainee"),
        start_date=timezone.localdate() - timedelta(days=300),
        user__first_name="Sam",
        user__last_name="Okafor",
    )
    return SimpleNamespace(organisation=organisation, supervisor=supervisor, worker=worker)


def _url(worker, *parts) -> str:
    return f"{PATHWAY}{worker.pk}/" + "".join(f"{part}/" for part in parts)


def _sign_off_url(worker, competence_obj) -> str:
    return _url(worker, "competences", competence_obj.pk, "sign-off")


# --- The seeded pathway ------------------------------------------------------------------------


def test_every_level_above_trainee_asks_for_competences_and_training():
    for slug in [
        "peer-support-worker",
        "senior-peer-support-worker",
        "peer-lead",
        "lived-experience-practitioner",
    ]:
        assert 4 <= Competence.objects.filter(levels__slug=slug).count() <= 6, slug
        assert Training.objects.filter(levels__slug=slug).count() >= 2, slug
    domains = set(Competence.objects.values_list("domain", flat=True))
    assert {"values", "knowledge", "relational", "self_care", "organisational"} <= domains
    assert Competence.objects.get(
        title="Works to the values and principles of peer support"
    ).get_domain_display() == ("Understanding the values and principles of peer support")


def test_the_seed_migration_reverses_and_runs_again_without_duplicates():
    import importlib

    from django.apps import apps

    seed = importlib.import_module("peers.migrations.0003_seed_competences_and_training")
    used = competence()
    CompetenceEvidenceFactory(competence=used)
    seed.unseed(apps, None)
    assert list(Competence.objects.values_list("title", flat=True)) == [used.title]
    assert not Training.objects.exists()
    seed.seed(apps, None)
    seed.seed(apps, None)
    assert Competence.objects.count() == len(seed.COMPETENCES)
    assert Training.objects.count() == len(seed.TRAINING)


# --- The worker's own pathway ------------------------------------------------------------------


def test_worker_sees_what_is_left_for_the_next_level(client, world):
    first, second = competence(index=0), competence(index=1)
    CompetenceEvidenceFactory(worker=world.worker, competence=first)
    CompetenceSignOffFactory(worker=world.worker, competence=first)
    CompetenceEvidenceFactory(
        worker=world.worker, competence=second, description="Shared my story at a group."
    )
    TrainingRecordFactory(worker=world.worker, training=training(index=0))
    TrainingRecordFactory(worker=world.worker, training=training(index=1), expired=True)
    SessionLogFactory(worker=world.worker, duration_minutes=90)
    SessionLogFactory(worker=world.worker, duration_minutes=30)
    needed = Competence.objects.filter(levels__slug="peer-support-worker").count()
    courses = Training.objects.filter(levels__slug="peer-support-worker").count()

    sign_in(client, world.worker.user)
    response = client.get(PATHWAY)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Trainee peer support worker" in page
    assert "What is left for Peer support worker" in page
    assert f"1 of {needed} signed off" in page
    assert f"1 of {courses} courses done" in page
    assert "Expired" in page
    assert "2 hours logged (no minimum at this level)" in page  # trainees need no minimum
    assert "Shared my story at a group." in page
    assert "Signed off on" in page and "Priya Shah" in page
    assert "Download your portfolio (PDF)" in page


def test_practice_hours_and_months_count_against_the_current_levels_minimums(world):
    PeerWorker.objects.filter(pk=world.worker.pk).update(level=level("peer-support-worker"))
    world.worker.refresh_from_db()
    ProgressionReviewFactory(
        worker=world.worker, date=timezone.localdate() - timedelta(days=95)
    )  # moved up three months ago
    SessionLogFactory(worker=world.worker, duration_minutes=600)
    pathway = pathway_of(world.worker)
    assert pathway.next_level == level("senior-peer-support-worker")
    assert pathway.practice_hours == 10
    assert pathway.hours_left == 140  # peer support workers need 150
    assert pathway.months_at_level == 3
    assert pathway.months_left == 3
    assert not pathway.ready


def test_someone_without_a_worker_record_is_told_why(client, make_person):
    sign_in(client, make_person("peer_worker"))
    response = client.get(PATHWAY)
    assert response.status_code == 403
    assert "You need a peer worker record" in response.content.decode()


def test_a_supervisor_without_a_record_is_sent_to_the_workers_list(client, world):
    sign_in(client, world.supervisor)
    response = client.get(PATHWAY)
    assert response.status_code == 302 and response["Location"] == f"{PATHWAY}workers/"


def test_worker_adds_evidence(client, world):
    sign_in(client, world.worker.user)
    target = competence(index=2)
    response = client.post(
        f"{PATHWAY}evidence/add/",
        {
            "competence": target.pk,
            "description": "Talked a person I support through the confidentiality agreement.",
            "date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    evidence = CompetenceEvidence.objects.get(worker=world.worker)
    assert evidence.competence == target
    page = client.get(PATHWAY).content.decode()
    assert "Evidence added for" in page
    assert ModelLogEntry.objects.filter(action="peers.pathway.evidence_add").exists()


def test_the_evidence_form_preselects_the_competence_from_the_pathway_link(client, world):
    sign_in(client, world.worker.user)
    target = competence(index=1)
    page = client.get(f"{PATHWAY}evidence/add/?competence={target.pk}").content.decode()
    assert f'<option value="{target.pk}" selected>' in page
    assert "Needed for Peer support worker" in page


@pytest.mark.parametrize(
    ("description", "date", "message"),
    [
        ("", "2026-01-01", "Describe what you did that shows this competence"),
        (
            "I sat with Jane Smith on the ward.",
            "2026-01-01",
            "Take out a name: evidence must not identify anyone you support",
        ),
        ("Called them on 07700 900123 to follow up.", "2026-01-01", "Take out a phone number"),
        ("Ran a group.", "next tuesday", "Enter the date as year-month-day"),
        ("Ran a group.", "2999-01-01", "must be today or in the past"),
    ],
)
def test_bad_evidence_is_refused_with_a_clear_message_and_kept(
    client, world, description, date, message
):
    sign_in(client, world.worker.user)
    response = client.post(
        f"{PATHWAY}evidence/add/",
        {"competence": competence().pk, "description": description, "date": date},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    if description:
        assert description.split()[0] in page  # what they typed is still there
    assert not CompetenceEvidence.objects.exists()


def test_worker_records_training_and_expiry_is_worked_out(client, world):
    sign_in(client, world.worker.user)
    course = Training.objects.get(title="Safeguarding adults and children level 2")
    response = client.post(
        f"{PATHWAY}training/add/",
        {"training": course.pk, "completed_on": "2025-03-31", "expires_on": "", "hours": ""},
    )
    assert response.status_code == 302
    record = TrainingRecord.objects.get(worker=world.worker)
    assert str(record.expires_on) == "2028-03-31"  # valid for 36 months
    assert record.hours == course.hours
    assert record.provider == course.provider


def test_training_that_expires_before_it_was_done_is_refused(client, world):
    sign_in(client, world.worker.user)
    response = client.post(
        f"{PATHWAY}training/add/",
        {
            "training": training().pk,
            "completed_on": "2025-03-31",
            "expires_on": "2025-01-01",
            "provider": "Recovery college",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The expiry date must be after the date the course was completed" in page
    assert 'value="Recovery college"' in page
    assert not TrainingRecord.objects.exists()


def test_supervisors_and_hr_cannot_add_evidence_for_a_worker(client, world):
    sign_in(client, world.supervisor)
    assert client.get(f"{PATHWAY}evidence/add/").status_code == 403
    with pytest.raises(Refused):
        services.evidence_add(
            worker=world.worker,
            user=world.supervisor,
            competence=competence(),
            description="Ran a group",
            date=timezone.localdate(),
        )


# --- Supervisors ------------------------------------------------------------------------------


def test_supervisor_signs_off_a_competence_with_evidence(client, world):
    target = competence()
    CompetenceEvidenceFactory(
        worker=world.worker, competence=target, description="Led the Tuesday group."
    )
    sign_in(client, world.supervisor)
    page = client.get(_url(world.worker)).content.decode()
    assert "Sam Okafor's pathway" in page and "Led the Tuesday group." in page
    form = client.get(_sign_off_url(world.worker, target)).content.decode()
    assert "Led the Tuesday group." in form

    response = client.post(_sign_off_url(world.worker, target), {"note": "Saw it myself."})

    assert response.status_code == 302
    sign_off = CompetenceSignOff.objects.get(worker=world.worker, competence=target)
    assert sign_off.signed_off_by == world.supervisor
    assert sign_off.note == "Saw it myself."
    assert ModelLogEntry.objects.filter(action="peers.pathway.sign_off").exists()
    # Looking at a supervisee's pathway is written to the audit log.
    assert ModelLogEntry.objects.filter(action="lep.view", user=world.supervisor).exists()


def test_signing_off_without_evidence_is_refused_with_a_clear_message(client, world):
    target = competence()
    sign_in(client, world.supervisor)
    page = client.get(_sign_off_url(world.worker, target)).content.decode()
    assert "has not added evidence for this competence yet" in page
    assert "Sign off this competence" not in page

    response = client.post(_sign_off_url(world.worker, target), {"note": "Good work"})

    assert response.status_code == 200
    assert "has not added evidence for this competence yet" in response.content.decode()
    assert not CompetenceSignOff.objects.exists()


def test_a_competence_is_signed_off_once(world):
    target = competence()
    CompetenceEvidenceFactory(worker=world.worker, competence=target)
    services.competence_sign_off(worker=world.worker, competence=target, user=world.supervisor)
    with pytest.raises(Refused, match="already been signed off"):
        services.competence_sign_off(worker=world.worker, competence=target, user=world.supervisor)
    assert CompetenceSignOff.objects.count() == 1


def test_a_supervisor_cannot_open_or_sign_off_someone_elses_supervisee(client, world):
    other = PeerWorkerFactory(organisation=world.organisation)
    target = competence()
    CompetenceEvidenceFactory(worker=other, competence=target)
    sign_in(client, world.supervisor)
    assert client.get(_url(other)).status_code == 404
    assert client.get(_sign_off_url(other, target)).status_code == 404
    assert client.post(_sign_off_url(other, target), {}).status_code == 404
    assert client.post(_url(other, "review"), {}).status_code == 404
    with pytest.raises(Refused):
        services.competence_sign_off(worker=other, competence=target, user=world.supervisor)
    assert not CompetenceSignOff.objects.exists()


def test_a_worker_cannot_sign_off_their_own_competence(client, world):
    target = competence()
    # Even a worker who also holds the supervisor role and is named on their own record.
    user = UserFactory(roles=[Role.PEER_WORKER, Role.SUPERVISOR], mfa=True)
    worker = PeerWorkerFactory(user=user, organisation=world.organisation, supervisors=[user])
    CompetenceEvidenceFactory(worker=worker, competence=target)
    sign_in(client, user)
    assert client.get(_sign_off_url(worker, target)).status_code == 403
    assert client.post(_sign_off_url(worker, target), {}).status_code == 403
    assert client.post(_url(worker, "review"), {}).status_code == 403
    with pytest.raises(Refused, match="cannot sign off competences for yourself"):
        services.competence_sign_off(worker=worker, competence=target, user=user)
    assert not CompetenceSignOff.objects.exists()


def test_supervisor_records_a_progress_review_and_the_worker_moves_up(client, world):
    for item in Competence.objects.filter(levels__slug="peer-support-worker"):
        CompetenceSignOffFactory(worker=world.worker, competence=item)
    sign_in(client, world.supervisor)
    assert "Record the review" in client.get(_url(world.worker, "review")).content.decode()
    response = client.post(
        _url(world.worker, "review"),
        {
            "date": timezone.localdate().isoformat(),
            "readiness_summary": "Ready: strong group work and all competences signed off.",
            "decision": "progress",
            "decision_note": "",
        },
    )
    assert response.status_code == 302
    world.worker.refresh_from_db()
    assert world.worker.level == level("peer-support-worker")
    review = ProgressionReview.objects.get()
    assert review.from_level == level("trainee") and review.to_level == level("peer-support-worker")
    page = client.get(_url(world.worker)).content.decode()
    assert "is now a Peer support worker" in page
    assert "What is left for Senior peer support worker" in page
    today = timezone.localdate()
    assert progressions(start=today, end=today) == 1
    assert progressions(organisation_ids=[world.organisation.pk], start=today, end=today) == 1
    assert progressions(organisation_ids=[], start=today, end=today) == 0


def test_progress_is_refused_while_competences_are_not_signed_off(client, world):
    sign_in(client, world.supervisor)
    data = {
        "date": timezone.localdate().isoformat(),
        "readiness_summary": "Keen, but still building confidence.",
        "decision": "progress",
    }
    response = client.post(_url(world.worker, "review"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign off every competence for Peer support worker before deciding to progress" in page
    assert "Keen, but still building confidence." in page
    assert not ProgressionReview.objects.exists()
    world.worker.refresh_from_db()
    assert world.worker.level == level("trainee")


def test_a_not_yet_decision_needs_a_next_step(client, world):
    sign_in(client, world.supervisor)
    data = {
        "date": timezone.localdate().isoformat(),
        "readiness_summary": "Needs more group work.",
        "decision": "not_yet",
    }
    response = client.post(_url(world.worker, "review"), data)
    assert "Say what needs to happen before the next review" in response.content.decode()
    assert not ProgressionReview.objects.exists()
    data["decision_note"] = "Co-facilitate two groups; review again in March."
    assert client.post(_url(world.worker, "review"), data).status_code == 302
    assert ProgressionReview.objects.get().decision == "not_yet"
    world.worker.refresh_from_db()
    assert world.worker.level == level("trainee")


def test_nobody_reviews_past_the_top_level(client, world):
    PeerWorker.objects.filter(pk=world.worker.pk).update(
        level=level("lived-experience-practitioner")
    )
    sign_in(client, world.supervisor)
    assert "at the top level of the pathway" in client.get(_url(world.worker)).content.decode()
    response = client.get(_url(world.worker, "review"))
    assert response.status_code == 302


# --- HR ----------------------------------------------------------------------------------------


def test_hr_reads_their_organisations_pathways_without_evidence_text(client, world):
    CompetenceEvidenceFactory(
        worker=world.worker, competence=competence(), description="Private reflection."
    )
    hr = UserFactory(organisation=world.organisation, roles=[Role.HR], mfa=True)
    sign_in(client, hr)
    listing = client.get(f"{PATHWAY}workers/").content.decode()
    assert "Sam Okafor" in listing
    page = client.get(_url(world.worker)).content.decode()
    assert "Sam Okafor's pathway" in page
    assert "1 piece of evidence added" in page
    assert "Private reflection." not in page
    assert "Sign off" not in page and "Record a progression review" not in page
    assert client.get(_sign_off_url(world.worker, competence())).status_code == 403
    assert client.post(_url(world.worker, "review"), {}).status_code == 403
    assert client.get(f"{PATHWAY}portfolio.pdf").status_code == 403


def test_hr_from_another_organisation_cannot_see_the_pathway(client, world):
    hr = UserFactory(organisation=OrganisationFactory(), roles=[Role.HR], mfa=True)
    sign_in(client, hr)
    assert client.get(_url(world.worker)).status_code == 404
    assert "Sam Okafor" not in client.get(f"{PATHWAY}workers/").content.decode()


@pytest.mark.parametrize("role", ["member", "engagement_lead", "finance", "editor"])
def test_other_roles_cannot_see_a_pathway(client, world, make_person, role):
    sign_in(client, make_person(role))
    assert client.get(_url(world.worker)).status_code == 404
    assert client.get(f"{PATHWAY}workers/").status_code == 403


# --- Queries ---------------------------------------------------------------------------------


def _grow(worker, n: int):
    """``n`` competences needed for the next level, each with evidence and a sign-off, and
    ``n`` training records and sessions."""
    for _ in range(n):
        item = CompetenceFactory(levels=[level("peer-support-worker")])
        CompetenceEvidenceFactory(worker=worker, competence=item)
        CompetenceSignOffFactory(worker=worker, competence=item)
        TrainingRecordFactory(worker=worker)
        SessionLogFactory(worker=worker)


def test_the_pathway_costs_the_same_queries_with_3_or_30_competences(client, world):
    sign_in(client, world.worker.user)
    _grow(world.worker, 3)
    queries_for(client, PATHWAY)  # the first request fills the site's caches
    few = queries_for(client, PATHWAY)
    _grow(world.worker, 27)
    assert queries_for(client, PATHWAY) == few


def test_a_supervisees_pathway_costs_the_same_queries_with_3_or_30_competences(client, world):
    sign_in(client, world.supervisor)
    _grow(world.worker, 3)
    queries_for(client, _url(world.worker))
    few = queries_for(client, _url(world.worker))
    _grow(world.worker, 27)
    assert queries_for(client, _url(world.worker)) == few


def test_the_workers_list_costs_the_same_queries_with_3_or_30_workers(client, world):
    sign_in(client, world.supervisor)
    for _ in range(2):
        PeerWorkerFactory(organisation=world.organisation, supervisors=[world.supervisor])
    queries_for(client, f"{PATHWAY}workers/")
    few = queries_for(client, f"{PATHWAY}workers/")
    for _ in range(22):
        worker = PeerWorkerFactory(organisation=world.organisation, supervisors=[world.supervisor])
        services.induction_create(worker=worker, user=world.supervisor)
    assert queries_for(client, f"{PATHWAY}workers/") == few


# --- What should stand out ---------------------------------------------------------------------


def test_expired_training_is_marked_to_renew_as_the_portfolio_marks_it(client, world):
    from peers.reports import portfolio_pdf
    from peers.selectors.progression import portfolio_of
    from tests.peers.test_portfolio import pdf_text

    today = timezone.localdate()
    expired = TrainingRecordFactory(worker=world.worker, training=training(index=1), expired=True)
    renewed = training(index=0)
    TrainingRecordFactory(worker=world.worker, training=renewed, expired=True)
    TrainingRecordFactory(worker=world.worker, training=renewed, expires_on=today + timedelta(1))
    when = f"{expired.expires_on:%-d %B %Y}"

    assert pathway_of(world.worker).training_to_renew == [expired]
    assert f"{when} (ran out)" in pdf_text(portfolio_pdf(portfolio_of(world.worker)))

    sign_in(client, world.worker.user)
    soup = BeautifulSoup(client.get(PATHWAY).content, "html.parser")
    callout = " ".join(soup.select_one(".nhsuk-warning-callout").get_text(" ").split())
    assert "Training to renew" in callout
    assert f"{expired.training.title} : Expired on {when} – renew it" in callout
    assert renewed.title not in callout  # done again since
    recorded = " ".join(
        soup.find("h2", string="All training recorded").find_next("ul").text.split()
    )
    assert f"Expired on {when} – renew it" in recorded
    assert recorded.count("Expired on") == 1  # the older run-out record is not to renew
    assert "(done again since)" in recorded
    my_space = " ".join(BeautifulSoup(client.get("/my-space/").content, "html.parser").text.split())
    assert f"{expired.training.title}: Expired on {when} – renew it" in my_space

    sign_in(client, world.supervisor)
    page = " ".join(
        BeautifulSoup(client.get(_url(world.worker)).content, "html.parser").text.split()
    )
    assert f"Expired on {when} – needs renewing" in page


def test_training_that_runs_out_today_still_counts():
    record = TrainingRecordFactory(expires_on=timezone.localdate())
    assert pathway_of(record.worker).training_to_renew == []


def test_time_and_hours_past_the_minimum_read_as_done_not_as_more_than_all(client, world):
    PeerWorker.objects.filter(pk=world.worker.pk).update(level=level("peer-support-worker"))
    world.worker.refresh_from_db()  # 6 months and 150 hours needed; 9 months in post
    for _ in range(15):
        SessionLogFactory(worker=world.worker, duration_minutes=839)  # 209.8 hours in all
    sign_in(client, world.worker.user)
    page = " ".join(BeautifulSoup(client.get(PATHWAY).content, "html.parser").text.split())
    assert "209.8 hours logged (150 needed) Done" in page
    assert "9 months (6 needed) Done" in page
    assert "of 150 hours" not in page and "of 6 months" not in page
    my_space = " ".join(BeautifulSoup(client.get("/my-space/").content, "html.parser").text.split())
    assert "209.8 practice hours (150 needed) Done" in my_space


def test_time_and_hours_short_of_the_minimum_say_what_is_left(client, world):
    PeerWorker.objects.filter(pk=world.worker.pk).update(level=level("peer-support-worker"))
    world.worker.refresh_from_db()
    ProgressionReviewFactory(worker=world.worker, date=timezone.localdate() - timedelta(days=40))
    SessionLogFactory(worker=world.worker, duration_minutes=60)
    sign_in(client, world.worker.user)
    page = " ".join(BeautifulSoup(client.get(PATHWAY).content, "html.parser").text.split())
    assert "1 of 150 hours logged: 149 to go" in page
    assert "1 of 6 months: 5 to go" in page


def test_a_trainee_with_no_minimum_is_not_shown_hours_out_of_nothing(client, world):
    SessionLogFactory(worker=world.worker, duration_minutes=60)
    sign_in(client, world.worker.user)
    my_space = " ".join(BeautifulSoup(client.get("/my-space/").content, "html.parser").text.split())
    assert "1 practice hour (no minimum at this level)" in my_space
    assert "of 0" not in my_space
