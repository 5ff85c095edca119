"""The portfolio: the worker's own PDF record of their work, made without HTTP and
downloaded from their pathway page. It must never carry anything about the people they
supported."""

import io
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from cms.roles import Role
from peers.factories import (
    CompetenceSignOffFactory,
    ProgressionReviewFactory,
    SupervisorFactory,
    TrainingRecordFactory,
    training,
)
from peers.models import Competence, PeerWorker
from peers.reports import portfolio_pdf
from peers.selectors.progression import portfolio_of
from tests.conftest import sign_in
from tests.factories import NeedFactory, PeerWorkerFactory, SessionLogFactory, UserFactory, level

pytestmark = pytest.mark.django_db

PORTFOLIO = "/peer-work/pathway/portfolio.pdf"


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def worker(organisation):
    supervisor = SupervisorFactory(
        organisation=organisation, mfa=True, first_name="Priya", last_name="Shah"
    )
    worker = PeerWorkerFactory(
        organisation=organisation,
        supervisors=[supervisor],
        level=level("peer-support-worker"),
        start_date=date(2025, 1, 6),
        job_title="Peer support worker",
        user__first_name="Zoë",
        user__last_name="Łukasz-Okafor",
    )
    need = NeedFactory(name="Housing")
    SessionLogFactory(
        worker=worker,
        duration_minutes=90,
        setting="crisis_cafe",
        person_reference="JT-cafe-3",
        notes="Worried about rent arrears and eviction.",
        topics=[need],
    )
    SessionLogFactory(
        worker=worker, duration_minutes=30, setting="crisis_cafe", person_reference="KB-77"
    )
    SessionLogFactory(worker=worker, duration_minutes=120, group=True)
    CompetenceSignOffFactory(
        worker=worker,
        competence=Competence.objects.get(title="Builds a mutual and reciprocal peer relationship"),
        note="Private note from supervision.",
    )
    TrainingRecordFactory(
        worker=worker,
        training=training(index=1),
        provider="Employer e-learning",
        completed_on=date(2025, 2, 10),
        expires_on=date(2028, 2, 10),
        hours=3.5,
    )
    ProgressionReviewFactory(
        worker=worker,
        date=date(2025, 7, 14),
        readiness_summary="Confidential readiness summary.",
    )
    return worker


def test_the_portfolio_says_what_the_worker_did_and_nothing_about_people_supported(worker):
    text = pdf_text(portfolio_pdf(portfolio_of(worker)))

    assert "Peer work portfolio" in text
    assert "Zoë Łukasz-Okafor" in text
    assert "Northdale Health NHS Trust" in text
    assert "6 January 2025 to now" in text
    assert "Peer support worker (since 14 July 2025)" in text
    # Hours by setting, summed: the crisis café's two sessions are one row.
    assert "Crisis café 2 2.0" in text
    assert "Group 1 2.0" in text
    assert "Total 3 4.0" in text
    assert "4.0 hours in 3 sessions" in text
    # Competences signed off, with when and by whom; training; progression.
    assert "Builds a mutual and reciprocal peer relationship" in text
    assert "Core relational skills" in text
    assert "Priya Shah" in text
    assert "Safeguarding adults and children level 2" in text
    assert "10 February 2025" in text and "10 February 2028" in text
    assert "14 July 2025 Trainee peer support worker to Peer support worker" in text
    assert "Progress to the next level" in text
    # Nothing about the people supported, and no private notes.
    for secret in [
        "JT-cafe-3",
        "KB-77",
        "rent arrears",
        "Housing",
        "Private note from supervision",
        "Confidential readiness summary",
    ]:
        assert secret not in text, secret


def test_a_worker_with_no_records_gets_a_kind_portfolio(organisation):
    worker = PeerWorkerFactory(organisation=organisation, level=level("trainee"))
    text = pdf_text(portfolio_pdf(portfolio_of(worker)))
    assert "No sessions logged yet." in text
    assert "No competences signed off yet." in text
    assert "No training recorded yet." in text
    assert "No progression reviews yet." in text


def test_making_the_portfolio_costs_the_same_queries_for_3_or_300_sessions(worker):
    def count():
        with CaptureQueriesContext(connection) as queries:
            portfolio_pdf(portfolio_of(worker))
        return len(queries)

    few = count()
    SessionLogFactory.create_batch(297, worker=worker)
    assert count() == few


def test_the_worker_downloads_their_portfolio(client, worker):
    sign_in(client, worker.user)
    assert "Download your portfolio (PDF)" in client.get("/peer-work/pathway/").content.decode()
    response = client.get(PORTFOLIO)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    today = timezone.localdate()
    assert (
        f'filename="portfolio-zoe-ukasz-okafor-{today:%Y-%m-%d}.pdf"'
        in (response["Content-Disposition"])
    )
    assert "Zoë Łukasz-Okafor" in pdf_text(response.content)


def test_a_leaver_still_downloads_their_portfolio(client, worker):
    PeerWorker.objects.filter(pk=worker.pk).update(
        status=PeerWorker.Status.LEFT,
        left_on=timezone.localdate() - timedelta(days=2),
        leaving_reason=PeerWorker.LeavingReason.NEW_JOB,
    )
    sign_in(client, worker.user)
    response = client.get(PORTFOLIO)
    assert response.status_code == 200
    assert "to now" not in pdf_text(response.content)


@pytest.mark.parametrize("who", ["supervisor", "hr", "admin", "member"])
def test_only_the_worker_downloads_their_portfolio(client, worker, who):
    """Supervisors see the pathway page itself; the portfolio is the worker's to take."""
    if who == "supervisor":
        person = worker.supervisors.first()
    else:
        role = {"hr": Role.HR, "admin": Role.ADMIN, "member": Role.MEMBER}[who]
        person = UserFactory(organisation=worker.organisation, roles=[role], mfa=who != "member")
    sign_in(client, person)
    response = client.get(PORTFOLIO)
    assert response.status_code == 403
    assert b"%PDF" not in response.content


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm is not installed")
def test_the_portfolio_renders_as_an_image(worker, tmp_path):
    """Rendered for a person to look at (see the report); here it must at least render."""
    pdf = tmp_path / "portfolio.pdf"
    pdf.write_bytes(portfolio_pdf(portfolio_of(worker)))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    pages = list(Path(tmp_path).glob("page*.png"))
    assert pages and pages[0].stat().st_size > 5000
