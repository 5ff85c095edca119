"""Every write and change of state in the charter, one function per use case.

Services are keyword-only, run inside a transaction, check the rule themselves (views ask
first to show a kind page, but a service never trusts its caller), log what they did in
Wagtail's audit log and raise ``Refused`` with a message fit to show the person.
"""

import logging
import os
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.log_actions import log
from wagtail.models import Collection

from cms import jobs, page_cache, site_address
from cms.dates import day_in_words
from cms.models import Organisation, ReportJob
from cms.months import add_months
from cms.permissions import can, require
from cms.refusals import Refused
from cms.sanitise import plain_text
from cms.storage import FileNotStored, kept_with_their_records, store_upload

from . import audit_actions, dashboard
from .calculations import CalculationUnavailable, get_calculation
from .models import Charter, Commitment, Evidence, Measure, Reading, Review, Target
from .periods import complete_periods
from .template import DEFAULT_COMMITMENTS, DEFAULT_TITLE

logger = logging.getLogger(__name__)

EVIDENCE_COLLECTION = "Charter evidence"
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = ("pdf", "docx", "doc", "odt", "xlsx", "csv", "txt", "pptx")
REVIEW_EVERY_MONTHS = 3
REVIEWS_AHEAD = 8
REMIND_DAYS_BEFORE = 14
BOARD_REPORT = "charter.board_report"


# --- Charters ------------------------------------------------------------------------------


@transaction.atomic
def charter_create_from_template(
    *,
    user,
    organisation: Organisation,
    adopted_on: date,
    version: str = "1",
    title: str = DEFAULT_TITLE,
    lead=None,
) -> Charter:
    """Copy the default charter for ``organisation``: its six commitments, a measure or two
    under each (computed where the platform has the data), and quarterly reviews."""
    charter = Charter(organisation=organisation, adopted_on=adopted_on, version=version)
    if not can(user, "charter.keep_charter", charter):
        raise Refused(
            "You can only start a charter for your own organisation. Ask an administrator if "
            "you need to start one for another."
        )
    if Charter.objects.filter(organisation=organisation, version=version).exists():
        raise Refused(
            f"{organisation.name} already has version {version} of a charter. Choose another "
            "version number, for example the next one.",
            field="version",
        )
    title = plain_text(title)
    if len(title) > 200:
        raise Refused("Keep the title to 200 characters or fewer.", field="title")
    charter.title = title or DEFAULT_TITLE
    charter.lead = lead
    charter.save()
    for number, template in enumerate(DEFAULT_COMMITMENTS, start=1):
        commitment = Commitment.objects.create(
            charter=charter,
            number=number,
            title=template.title,
            description=template.description,
        )
        Measure.objects.bulk_create(
            Measure(
                commitment=commitment,
                name=measure.name,
                unit=measure.unit,
                better=measure.better,
                frequency=measure.frequency,
                source=Measure.Source.COMPUTED if measure.calculation else Measure.Source.ENTERED,
                calculation=measure.calculation,
                sort_order=order,
            )
            for order, measure in enumerate(template.measures)
        )
    reviews_schedule(charter=charter)
    log(charter, audit_actions.CHARTER_CREATE_FROM_TEMPLATE, user=user)
    return charter


def reviews_schedule(*, charter: Charter, today: date | None = None) -> int:
    """Make sure the charter has its next quarterly reviews in the diary, counted from the
    adoption date; returns how many were added. Safe to run again."""
    today = today or timezone.localdate()
    wanted, months = [], REVIEW_EVERY_MONTHS
    while len(wanted) < REVIEWS_AHEAD:
        due = add_months(charter.adopted_on, months)
        if due >= today - timedelta(days=REVIEW_EVERY_MONTHS * 31):
            wanted.append(due)
        months += REVIEW_EVERY_MONTHS
    existing = set(
        Review.objects.filter(charter=charter, due_on__in=wanted).values_list("due_on", flat=True)
    )
    new = [Review(charter=charter, due_on=due) for due in wanted if due not in existing]
    Review.objects.bulk_create(new)
    if new:
        # A bulk insert sends no signal: the next review is on the dashboard.
        page_cache.public_content_changed()
        dashboard.forget()
    return len(new)


# --- Targets ---------------------------------------------------------------------------------


def target_problem(*, measure: Measure, due_on: date | None) -> str | None:
    """What is wrong with a target's date, or None. The one statement of the rule: the admin
    form shows it beside the date, and ``target_set`` refuses with it."""
    adopted_on = measure.commitment.charter.adopted_on
    if due_on is not None and due_on < adopted_on:
        return (
            f"The target date must be on or after the day the charter was adopted, "
            f"{day_in_words(adopted_on)}"
        )
    if due_on is not None and measure.baseline_on and due_on <= measure.baseline_on:
        return (
            "The target date must be after the measure's baseline date, "
            f"{day_in_words(measure.baseline_on)}"
        )
    return None


@transaction.atomic
def target_set(*, user, measure: Measure, due_on: date, value: Decimal, note: str = "") -> Target:
    """Set (or change) the value a measure should reach by ``due_on``."""
    require(user, "charter.keep_charter", measure.commitment.charter)
    if problem := target_problem(measure=measure, due_on=due_on):
        raise Refused(problem, field="due_on")
    note = plain_text(note)
    if len(note) > 255:
        raise Refused("Keep the note to 255 characters or fewer.", field="note")
    target, created = Target.objects.update_or_create(
        measure=measure, due_on=due_on, defaults={"value": value, "note": note}
    )
    log(target, "wagtail.create" if created else "wagtail.edit", user=user)
    return target


# --- Readings --------------------------------------------------------------------------------


def reading_problem(
    *, period_start: date | None, period_end: date | None, today: date
) -> tuple[str, str] | None:
    """What is wrong with a reading's period, as (field, message), or None."""
    if period_start and period_end and period_end < period_start:
        return "period_end", "The end of the period must be the same as or after its start"
    if period_start and period_start > today:
        return "period_start", "The period has not started yet. Enter a period that has ended"
    if period_end and period_end > today:
        return (
            "period_end",
            "The period has not ended yet. Enter a reading once the period is over, "
            f"on or after {day_in_words(period_end)}",
        )
    return None


def _share_problem(numerator, denominator) -> tuple[str, str] | None:
    if numerator is not None and denominator is not None and numerator > denominator:
        return "numerator", "The number counted cannot be more than the number it is out of"
    if (numerator is None) != (denominator is None):
        field = "denominator" if denominator is None else "numerator"
        return field, "Enter both numbers of the share, or neither"
    return None


@kept_with_their_records
def reading_enter(
    *,
    user,
    measure: Measure,
    period_start: date,
    period_end: date,
    value: Decimal,
    note: str = "",
    numerator: int | None = None,
    denominator: int | None = None,
    evidence: Evidence | None = None,
    upload=None,
    today: date | None = None,
) -> Reading:
    """HR's reading of an entered measure for a period that has ended, with a note and, if
    they have it, evidence (an upload here, or evidence already kept). A second reading for
    the same period corrects the first."""
    charter = measure.commitment.charter
    require(user, "charter.keep_charter", charter)
    if measure.is_computed:
        raise Refused(
            "This measure is computed from the platform's own data each period, so it cannot "
            "be entered by hand."
        )
    problem = reading_problem(
        period_start=period_start, period_end=period_end, today=today or timezone.localdate()
    ) or _share_problem(numerator, denominator)
    if problem:
        raise Refused(problem[1], field=problem[0])
    note = plain_text(note)
    if not note:
        raise Refused("Say where this number comes from, in a short note", field="note")
    if evidence is not None and evidence.charter_id != charter.pk:
        raise Refused("Choose evidence kept for this charter", field="evidence")
    if upload is not None:
        evidence = evidence_upload(
            user=user,
            charter=charter,
            upload=upload,
            title=f"{measure.name}: {period_end:%B %Y}",
            commitment=measure.commitment,
        )
    reading, created = Reading.objects.update_or_create(
        measure=measure,
        period_start=period_start,
        period_end=period_end,
        defaults={
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "note": note,
            "evidence": evidence,
            "entered_by": user,
            "computed_at": None,
        },
    )
    log(reading, audit_actions.READING_ENTER, user=user, data={"created": created})
    return reading


def readings_snapshot(*, today: date | None = None) -> int:
    """Take the readings of every computed measure for each period that has ended since its
    charter was adopted (the latest 24), where none was taken yet. Run by a schedule; safe to
    run twice (one reading per measure and period). Returns how many were taken."""
    today = today or timezone.localdate()
    measures = Measure.objects.filter(source=Measure.Source.COMPUTED).select_related(
        "commitment__charter"
    )
    taken = 0
    for measure in measures:
        charter = measure.commitment.charter
        periods = complete_periods(charter.adopted_on, today, measure.frequency)
        have = set(measure.readings.values_list("period_start", "period_end"))
        for start, end in periods:
            if (start, end) in have:
                continue
            try:
                result = get_calculation(measure.calculation)(
                    organisation_ids=[charter.organisation_id], start=start, end=end
                )
            except CalculationUnavailable as error:
                logger.warning("Charter measure %s not computed: %s", measure.pk, error)
                break
            if result.value is None:
                continue  # nothing to count in this period: no reading rather than a zero
            try:
                with transaction.atomic():
                    Reading.objects.create(
                        measure=measure,
                        period_start=start,
                        period_end=end,
                        value=result.value,
                        numerator=result.numerator,
                        denominator=result.denominator,
                        computed_at=timezone.now(),
                        note="Computed from the platform's own data.",
                    )
            except IntegrityError:
                continue  # another worker took it first
            taken += 1
    return taken


# --- Evidence --------------------------------------------------------------------------------


def evidence_problem(upload) -> str | None:
    """What is wrong with an evidence upload, or None."""
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in EVIDENCE_EXTENSIONS:
        return (
            "The evidence must be a PDF, Word, OpenDocument, Excel, PowerPoint, CSV or text "
            "file. Save it as a PDF and try again"
        )
    if upload.size > EVIDENCE_MAX_BYTES:
        return f"The evidence must be smaller than {EVIDENCE_MAX_BYTES // (1024 * 1024)} MB"
    return None


@kept_with_their_records
def evidence_upload(
    *, user, charter: Charter, upload, title: str = "", commitment: Commitment | None = None
) -> Evidence:
    """Keep a document in the private "Charter evidence" collection as evidence."""
    require(user, "charter.keep_charter", charter)
    if commitment is not None and commitment.charter_id != charter.pk:
        raise Refused("Choose a commitment of this charter", field="commitment")
    if problem := evidence_problem(upload):
        raise Refused(problem, field="upload")
    collection = Collection.objects.filter(name=EVIDENCE_COLLECTION, depth=2).first()
    if collection is None:
        raise Refused(
            f"The “{EVIDENCE_COLLECTION}” collection is missing, so evidence cannot be kept "
            "private. Ask an administrator to restore it."
        )
    title = " ".join(plain_text(title).split())[:200]
    stem = os.path.splitext(os.path.basename(upload.name))[0]
    document = get_document_model()(
        title=title or stem[:200] or "Charter evidence",
        file=upload,
        collection=collection,
        uploaded_by_user=user,
    )
    try:
        document.clean()
    except ValidationError as error:
        raise Refused(
            evidence_problem(upload) or "Upload a PDF or office document", field="upload"
        ) from error
    document._set_document_file_metadata()
    try:
        store_upload(document.file, document.file.name, upload)
    except FileNotStored as failure:
        raise Refused(failure.message, field="upload") from failure
    document.save()
    evidence = Evidence.objects.create(
        charter=charter,
        commitment=commitment,
        title=document.title,
        document=document,
        uploaded_by=user,
    )
    log(evidence, audit_actions.EVIDENCE_UPLOAD, user=user)
    return evidence


# --- Reviews ---------------------------------------------------------------------------------


def review_reminders_send(*, now=None) -> int:
    """Remind each charter lead, once, of a review due in the next two weeks that has not been
    held. Run by a schedule; a reminder claimed by one run is never sent by another."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Review.objects.filter(
        held_on__isnull=True,
        reminded_at__isnull=True,
        due_on__gte=today,
        due_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
        charter__lead__isnull=False,
        charter__lead__is_active=True,
    ).select_related("charter__lead", "charter__organisation")
    sent = 0
    for review in due:
        claimed = Review.objects.filter(pk=review.pk, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if not claimed:
            continue
        charter, lead = review.charter, review.charter.lead
        dashboard = site_address.absolute_url(reverse("charter_dashboard", args=[charter.pk]))
        send_mail(
            subject=f"Charter review due on {day_in_words(review.due_on)}",
            message=(
                f"Hello {lead.first_name or 'there'},\n\n"
                f"The quarterly review of {charter.organisation.name}'s {charter.title} is "
                f"due on {day_in_words(review.due_on)}.\n\n"
                "Before it, please enter any readings HR keeps by hand, check the actions "
                "that are overdue, and ask for a board report if the board needs one.\n\n"
                f"The charter dashboard: {dashboard}\n\n"
                "When the review has been held, record the date and what it found on the "
                "review in the admin site.\n"
            ),
            from_email=None,
            recipient_list=[lead.email],
        )
        log(review, audit_actions.REVIEW_REMIND, user=None)
        sent += 1
    return sent


# --- The board report ------------------------------------------------------------------------


def board_report_may_request(user, params: dict) -> bool:
    """Checked when asked for and whenever downloaded: HR who leave the organisation can no
    longer open its reports."""
    try:
        charter = Charter.objects.filter(pk=int(params.get("charter"))).first()
    except (TypeError, ValueError):
        return False
    return charter is not None and can(user, "charter.request_board_report", charter)


@transaction.atomic
def board_report_request(*, user, charter: Charter) -> ReportJob:
    """Ask for the charter's board report; the worker makes it. Returns the report job."""
    if not can(user, "charter.request_board_report", charter):
        raise Refused("You can ask for board reports only on your own organisation's charter.")
    job = jobs.report_request(
        kind=BOARD_REPORT,
        title=f"Board report: {charter.title}, {charter.organisation.name}"[:200],
        params={"charter": charter.pk},
        user=user,
    )
    log(charter, audit_actions.BOARD_REPORT_REQUEST, user=user, data={"report": str(job.pk)})
    return job


def board_report_generate(params: dict, progress) -> tuple[str, bytes]:
    """Made by the worker: gather the charter's progress, then draw each commitment."""
    from .reports import board_report_pdf
    from .selectors import charter_progress

    progress(5, "Gathering the readings")
    progress_data = charter_progress(int(params["charter"]), today=timezone.localdate())
    progress(30, "Drawing the charts")
    content = board_report_pdf(progress_data, on_progress=progress)
    charter = progress_data.charter
    name = slugify(charter.organisation.name)[:80] or "charter"
    return f"charter-board-report-{name}-{timezone.localdate():%Y-%m-%d}.pdf", content


def register_board_report() -> None:
    """Called from CharterConfig.ready, so the worker knows the kind before any task."""
    jobs.register_report(
        BOARD_REPORT, generate=board_report_generate, may_request=board_report_may_request
    )
