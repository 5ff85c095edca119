"""The charter end to end: starting from the template, targets and readings with their bad
input, evidence, snapshots, reminders, HR's dashboard, the public page and its small
numbers, the board report PDF, and who may reach each."""

import io
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from charter import dashboard, services
from charter.models import Charter, Evidence, Measure, Reading, Review
from charter.reports import board_report_pdf
from charter.selectors import charter_progress
from cms.factories import TINY_PDF
from cms.models import ReportJob
from tests.factories import (
    CharterActionFactory,
    CharterFactory,
    CommitmentFactory,
    EvidenceFactory,
    MeasureFactory,
    ReadingFactory,
    TargetFactory,
)
from tests.queries import queries_for

TODAY = date(2026, 4, 20)


@pytest.fixture
def measure(charter):
    measure = MeasureFactory(
        commitment=CommitmentFactory(charter=charter, number=1, title="Clear progression pathways"),
        name="Peer workers promoted",
        baseline=Decimal("40"),
    )
    TargetFactory(measure=measure, due_on=date(2025, 3, 31), value=Decimal("60"))
    TargetFactory(measure=measure, due_on=date(2027, 3, 31), value=Decimal("80"))
    return measure


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


# --- Services ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_charter_started_from_the_template_has_the_six_commitments_and_reviews(hr, organisation):
    charter = services.charter_create_from_template(
        user=hr, organisation=organisation, adopted_on=date(2025, 4, 1), lead=hr
    )
    titles = [c.title for c in charter.commitments.all()]
    assert len(titles) == 6
    assert titles[0] == "Open and inclusive recruitment of people with lived experience"
    assert titles[-1] == "Sharing good practice and co-producing services"
    computed = Measure.objects.filter(
        commitment__charter=charter, source=Measure.Source.COMPUTED
    ).values_list("calculation", flat=True)
    assert "panel_members_paid_within_30_days" in computed
    reviews = list(Review.objects.filter(charter=charter).values_list("due_on", flat=True))
    assert reviews and max(reviews) > timezone.localdate()
    assert all(due.day == 1 and due.month in (1, 4, 7, 10) for due in reviews)


@pytest.mark.django_db
def test_hr_cannot_start_a_charter_for_another_organisation(hr, other_organisation):
    with pytest.raises(services.Refused, match="your own organisation"):
        services.charter_create_from_template(
            user=hr, organisation=other_organisation, adopted_on=date(2025, 4, 1)
        )
    assert not Charter.objects.exists()


@pytest.mark.django_db
def test_a_target_before_the_adoption_date_is_refused(hr, measure):
    with pytest.raises(
        services.Refused, match="on or after the day the charter was adopted, 1 April 2024"
    ):
        services.target_set(user=hr, measure=measure, due_on=date(2024, 3, 1), value=Decimal("5"))


@pytest.mark.django_db
def test_a_reading_for_a_future_period_is_refused(hr, measure):
    with pytest.raises(services.Refused, match="The period has not ended yet") as refusal:
        services.reading_enter(
            user=hr,
            measure=measure,
            period_start=date(2026, 4, 1),
            period_end=date(2026, 6, 30),
            value=Decimal("50"),
            note="HR system",
            today=TODAY,
        )
    assert refusal.value.field == "period_end"
    assert not Reading.objects.exists()


@pytest.mark.django_db
def test_a_second_reading_for_the_same_period_corrects_the_first(hr, measure):
    for value in ("50", "52"):
        services.reading_enter(
            user=hr,
            measure=measure,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
            value=Decimal(value),
            note="HR system",
            today=TODAY,
        )
    assert list(Reading.objects.values_list("value", flat=True)) == [Decimal("52")]


@pytest.mark.django_db
def test_evidence_of_a_forbidden_type_is_refused_and_nothing_is_kept(hr, charter):
    upload = SimpleUploadedFile("payload.exe", b"MZ...", content_type="application/octet-stream")
    with pytest.raises(services.Refused, match="must be a PDF, Word"):
        services.evidence_upload(user=hr, charter=charter, upload=upload, title="Policy")
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_snapshots_take_one_reading_per_period_however_often_they_run(organisation):
    charter = CharterFactory(organisation=organisation, adopted_on=date(2025, 4, 1))
    MeasureFactory(
        commitment=CommitmentFactory(charter=charter),
        source=Measure.Source.COMPUTED,
        calculation="changes_coproduced_at_co_design_or_higher",
    )
    from coproduce.models import ServiceChangePage
    from tests.factories import PanelFactory, ServiceChangePageFactory

    panel = PanelFactory(organisation=organisation, coproduction_level=7)
    page = ServiceChangePageFactory(panel=panel)
    ServiceChangePage.objects.filter(pk=page.pk).update(
        first_published_at=timezone.make_aware(timezone.datetime(2025, 5, 10, 12))
    )
    assert services.readings_snapshot(today=TODAY) == 1  # only April to June 2025 had a change
    assert services.readings_snapshot(today=TODAY) == 0
    reading = Reading.objects.get()
    assert (reading.period_start, reading.value, reading.denominator) == (
        date(2025, 4, 1),
        Decimal("100.0"),
        1,
    )
    assert reading.computed_at is not None


@pytest.mark.django_db
def test_the_charter_lead_is_reminded_of_a_review_once(hr, charter):
    charter.lead = hr
    charter.save()
    Review.objects.create(charter=charter, due_on=TODAY + timedelta(days=10))
    Review.objects.create(charter=charter, due_on=TODAY + timedelta(days=40))  # too early
    now = timezone.make_aware(timezone.datetime(2026, 4, 20, 9))
    assert services.review_reminders_send(now=now) == 1
    assert services.review_reminders_send(now=now) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [hr.email]
    assert "Charter review due on 30 April 2026" in mail.outbox[0].subject


# --- HR's dashboard and pages in the admin ------------------------------------------------------


@pytest.mark.django_db
def test_hr_sees_their_charter_dashboard_with_status_rule_chart_table_and_overdue_actions(
    hr_client, charter, measure
):
    ReadingFactory(
        measure=measure,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        value=Decimal("71"),
    )
    CharterActionFactory(charter=charter, overdue=True, title="Agree the supervision standard")
    response = hr_client.get(f"/admin/charter/{charter.pk}/dashboard/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Clear progression pathways" in page
    assert "On track" in page and "How the status is worked out" in page
    assert "<svg" in page and "readings against targets over time" in page
    assert "January to March 2026" in page and "71%" in page
    assert "Agree the supervision standard" in page


@pytest.mark.django_db
def test_hr_cannot_open_another_organisations_charter(hr_client, other_organisation):
    other = CharterFactory(organisation=other_organisation)
    assert hr_client.get(f"/admin/charter/{other.pk}/dashboard/").status_code == 404
    assert hr_client.get(f"/admin/charters/edit/{other.pk}/").status_code == 404
    other_measure = MeasureFactory(commitment=CommitmentFactory(charter=other))
    assert hr_client.get(f"/admin/charter/measures/{other_measure.pk}/reading/").status_code == 404


@pytest.mark.django_db
def test_the_charter_list_shows_only_hrs_own_organisation(hr_client, charter, other_organisation):
    CharterFactory(organisation=other_organisation, title="Southmoor's own charter", published=True)
    page = hr_client.get("/admin/charters/").content.decode()
    assert charter.organisation.name in page
    assert "Southmoor&#x27;s own charter" not in page and "Southmoor's own charter" not in page


@pytest.mark.django_db
def test_hr_enters_a_reading_with_evidence_and_the_status_changes(hr_client, charter, measure):
    ReadingFactory(
        measure=measure,
        period_start=date(2025, 10, 1),
        period_end=date(2025, 12, 31),
        value=Decimal("40"),
    )
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 4, 20, 12)), tick=False):
        before = charter_progress(charter.pk, today=TODAY).commitments[0].status.colour
        response = hr_client.post(
            f"/admin/charter/measures/{measure.pk}/reading/",
            {
                "period_start": "2026-01-01",
                "period_end": "31/3/2026",
                "value": "72",
                "numerator": "18",
                "denominator": "25",
                "note": "From the HR system's quarterly return.",
                "upload": SimpleUploadedFile(
                    "return.pdf", TINY_PDF, content_type="application/pdf"
                ),
            },
        )
    assert response.status_code == 302
    reading = Reading.objects.get(period_end=date(2026, 3, 31))
    assert (reading.value, reading.numerator, reading.entered_by_id) == (
        Decimal("72"),
        18,
        response.wsgi_request.user.pk,
    )
    assert reading.evidence.document.collection.name == "Charter evidence"
    after = charter_progress(charter.pk, today=TODAY).commitments[0].status.colour
    assert (before, after) == ("red", "green")


@pytest.mark.django_db
def test_a_reading_with_bad_input_keeps_what_was_typed_and_saves_nothing(hr_client, measure):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 4, 20, 12)), tick=False):
        response = hr_client.post(
            f"/admin/charter/measures/{measure.pk}/reading/",
            {
                "period_start": "2026-04-01",
                "period_end": "2026-06-30",
                "value": "55",
                "note": "Typed note kept",
                "upload": SimpleUploadedFile(
                    "evil.exe", b"MZ", content_type="application/octet-stream"
                ),
            },
        )
    page = response.content.decode()
    assert response.status_code == 400
    assert "The period has not ended yet" in page
    assert "must be a PDF, Word" in page
    assert "Typed note kept" in page and 'value="55"' in page
    assert not Reading.objects.exists() and not Evidence.objects.exists()


@pytest.mark.django_db
def test_a_target_before_adoption_is_refused_in_the_admin_form(hr_client, measure):
    response = hr_client.post(
        "/admin/charter-targets/new/",
        {"measure": measure.pk, "due_on": "2023-01-01", "value": "10", "note": "Too early"},
    )
    assert response.status_code == 200
    assert "on or after the day the charter was adopted" in response.content.decode()
    assert measure.targets.count() == 2


@pytest.mark.django_db
def test_evidence_is_opened_only_by_hr_of_its_organisation(
    hr_client, charter, client, other_organisation, make_person
):
    evidence = EvidenceFactory(charter=charter)
    other = EvidenceFactory(charter=CharterFactory(organisation=other_organisation))
    assert hr_client.get(f"/admin/charter/evidence/{evidence.pk}/download/").status_code == 200
    assert hr_client.get(f"/admin/charter/evidence/{other.pk}/download/").status_code == 404
    # Wagtail's own document URL serves the private collection to nobody but superusers.
    assert hr_client.get(evidence.document.url).status_code in (302, 403, 404)


def _charter_with_measures(organisation, count: int) -> Charter:
    charter = CharterFactory(organisation=organisation, published=True)
    for number in range(count):
        commitment = CommitmentFactory(charter=charter, number=number + 1)
        measure = MeasureFactory(commitment=commitment)
        TargetFactory(measure=measure)
        ReadingFactory(measure=measure, denominator=20, numerator=8)
        ReadingFactory(measure=measure, period_start=date(2025, 4, 1), period_end=date(2025, 6, 30))
        CharterActionFactory(charter=charter, commitment=commitment, overdue=True)
        EvidenceFactory(charter=charter, commitment=commitment)
    return charter


@pytest.mark.django_db
def test_the_dashboard_and_public_page_cost_the_same_queries_for_3_and_30_measures(
    hr_client, organisation, other_organisation, client
):
    few = _charter_with_measures(organisation, 3)
    many = _charter_with_measures(organisation, 30)
    Charter.objects.filter(pk=many.pk).update(version="30")
    hr_client.get(f"/admin/charter/{few.pk}/dashboard/")  # the session's first-visit work

    def made(charter) -> int:  # not the kept copy: tests/charter/test_dashboard.py has those
        dashboard.forget()
        return queries_for(hr_client, f"/admin/charter/{charter.pk}/dashboard/")

    assert made(few) == made(many)
    hr_client.logout()
    few_public = _charter_with_measures(other_organisation, 3)
    client.get("/charter/")
    assert queries_for(client, f"/charter/{few_public.organisation.slug}/") == queries_for(
        client,
        f"/charter/{organisation.slug}/",  # the latest published: the 30-measure one
    )


@pytest.mark.django_db
def test_hr_asks_for_the_board_report_and_downloads_it(hr_client, charter, measure):
    ReadingFactory(
        measure=measure,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 3, 31),
        value=Decimal("61"),
    )
    response = hr_client.post(f"/admin/charter/{charter.pk}/board-report/")
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{job.pk}/"
    assert job.status == ReportJob.Status.DONE  # tasks run inline in tests
    download = hr_client.get(f"/reports/{job.pk}/download/")
    assert download.status_code == 200
    text = pdf_text(b"".join(download.streaming_content))
    assert "Board report" in text and "Peer workers promoted" in text


# --- The public page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_public_sees_only_published_charters(client, charter, other_organisation):
    draft = CharterFactory(organisation=other_organisation, published=False)
    index = client.get("/charter/").content.decode()
    assert charter.organisation.name in index and other_organisation.name not in index
    assert client.get(f"/charter/{charter.organisation.slug}/").status_code == 200
    assert client.get(f"/charter/{draft.organisation.slug}/").status_code == 404


@pytest.mark.django_db
def test_the_public_page_never_shows_numbers_under_5(client, charter, measure):
    count_measure = MeasureFactory(
        commitment=measure.commitment, name="Managers trained", unit=Measure.Unit.COUNT
    )
    ReadingFactory(measure=count_measure, value=Decimal("3"))
    ReadingFactory(measure=measure, value=Decimal("66.7"), numerator=2, denominator=3)
    ReadingFactory(
        measure=measure,
        period_start=date(2025, 4, 1),
        period_end=date(2025, 6, 30),
        value=Decimal("75"),
        numerator=9,
        denominator=12,
    )
    page = client.get(f"/charter/{charter.organisation.slug}/").content.decode()
    assert "fewer than 5" in page and "Not shown (from fewer than 5 people)" in page
    assert "66.7" not in page and "2 of 3" not in page and ">3<" not in page
    assert "75%" in page and "9 of 12" in page


# --- The board report PDF ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_board_report_has_a_cover_summary_and_a_section_per_commitment(
    charter, measure, tmp_path
):
    for quarter, value in enumerate(["45", "52", "58", "61", "63", "66"]):
        start = date(2024 + (quarter + 1) // 4, [4, 7, 10, 1][quarter % 4], 1)
        end = {
            4: date(start.year, 6, 30),
            7: date(start.year, 9, 30),
            10: date(start.year, 12, 31),
            1: date(start.year, 3, 31),
        }[start.month]
        ReadingFactory(measure=measure, period_start=start, period_end=end, value=Decimal(value))
    CharterActionFactory(
        charter=charter, commitment=measure.commitment, overdue=True, title="Publish the pathway"
    )
    EvidenceFactory(charter=charter, commitment=measure.commitment, title="Progression policy")
    data = board_report_pdf(charter_progress(charter.pk, today=timezone.localdate()))
    text = pdf_text(data)
    assert charter.organisation.name in text and "Board report" in text
    assert "Summary" in text and "How the status is worked out" in text
    assert "1. Clear progression pathways" in text
    assert "Peer workers promoted" in text and "Target date" in text
    assert "Overdue: In progress" in text and "Publish the pathway" in text
    assert "Progression policy" in text
    assert PdfReader(io.BytesIO(data)).metadata.title.startswith("Board report")
    if shutil.which("pdftoppm"):
        (tmp_path / "board.pdf").write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(tmp_path / "board.pdf"), str(tmp_path / "page")],
            check=True,
        )
        assert len(list(tmp_path.glob("page-*.png"))) >= 3
