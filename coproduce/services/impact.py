"""Asking for a panel impact report, and the report kind the background worker makes.

A lead asks for the report on one panel, or on all their organisation's panels, for a
period; the request is checked here (who may ask, and whether the period makes sense),
logged, and handed to ``cms.jobs``, whose worker calls ``impact_report_generate`` with a
progress callback while the person watches the report's status page.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.log_actions import log

from cms import jobs
from cms.dates import day_in_words
from cms.models import Organisation, ReportJob
from cms.permissions import can

from .. import audit_actions
from ..models import Panel
from ..selectors.impact import panel_impact
from . import Refused

IMPACT_REPORT = "coproduce.panel_impact"
MAX_PERIOD_DAYS = 5 * 366
EARLIEST_START = date(2000, 1, 1)


def period_problem(*, start: date, end: date, today: date) -> tuple[str, str] | None:
    """What is wrong with a report's period, as (field, message to show), or None.

    The one statement of the rule: the admin form shows the message beside the field, and
    ``impact_report_request`` refuses with it.
    """
    if start > today:
        return "start", "The start date must be today or in the past"
    if start < EARLIEST_START:
        return "start", f"The start date must be on or after {day_in_words(EARLIEST_START)}"
    if end < start:
        return "end", "The end date must be the same as or after the start date"
    if (end - start).days > MAX_PERIOD_DAYS:
        return (
            "end",
            "The period can be up to 5 years long. Make a report for each part of a longer period",
        )
    return None


def _subject(params: dict) -> Panel | Organisation | None:
    """The panel or organisation a report's parameters name, or None if it has gone."""
    try:
        if params.get("panel") is not None:
            return Panel.objects.filter(pk=int(params["panel"])).first()
        if params.get("organisation") is not None:
            return Organisation.objects.filter(pk=int(params["organisation"])).first()
    except (TypeError, ValueError):
        return None
    return None


def impact_report_may_request(user, params: dict) -> bool:
    """Checked when the report is asked for and again whenever it is downloaded, so a lead
    who has moved organisation can no longer open reports on their old one's panels."""
    subject = _subject(params)
    return subject is not None and can(user, "coproduce.request_impact_report", subject)


def _title(subject: Panel | Organisation, start: date, end: date) -> str:
    about = subject.title if isinstance(subject, Panel) else f"all panels of {subject.name}"
    return f"Panel impact report: {about}, {day_in_words(start)} to {day_in_words(end)}"[:200]


@transaction.atomic
def impact_report_request(
    *,
    user,
    start: date,
    end: date,
    panel: Panel | None = None,
    organisation: Organisation | None = None,
    today: date | None = None,
) -> ReportJob:
    """Ask for the impact report of one panel, or of all an organisation's panels, for the
    days from ``start`` to ``end``; the worker makes it. Returns the report job."""
    if (panel is None) == (organisation is None):
        raise ValueError("Give a panel or an organisation, not both.")
    subject = panel or organisation
    if not can(user, "coproduce.request_impact_report", subject):
        raise Refused(
            "You can ask for impact reports only on your own organisation's panels. Ask an "
            "administrator if you need a report on another organisation's."
        )
    problem = period_problem(start=start, end=end, today=today or timezone.localdate())
    if problem:
        raise Refused(problem[1])
    params = {"start": start.isoformat(), "end": end.isoformat()}
    if panel is not None:
        params["panel"] = panel.pk
    else:
        params["organisation"] = organisation.pk
    job = jobs.report_request(
        kind=IMPACT_REPORT, title=_title(subject, start, end), params=params, user=user
    )
    log(
        subject,
        audit_actions.IMPACT_REPORT_REQUEST,
        user=user,
        data={"start": params["start"], "end": params["end"], "report": str(job.pk)},
    )
    return job


def impact_report_filename(subject_name: str, start: date, end: date) -> str:
    name = slugify(subject_name)[:80] or "panels"
    return f"panel-impact-{name}-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.pdf"


def impact_report_generate(params: dict, progress) -> tuple[str, bytes]:
    """Made by the worker: count (telling ``progress`` as each part is done), then draw."""
    start = date.fromisoformat(params["start"])
    end = date.fromisoformat(params["end"])
    impact = panel_impact(
        panel_id=params.get("panel"),
        organisation_id=params.get("organisation"),
        start=start,
        end=end,
        progress=progress,
    )
    progress(80, "Writing the PDF")
    # Imported here: the PDF library is loaded by the worker that makes a report, not by
    # every process at start.
    from ..reports import impact_report_pdf

    content = impact_report_pdf(impact)
    name = impact.panel.title if impact.panel else impact.organisation.name
    return impact_report_filename(name, start, end), content


def register_impact_report() -> None:
    """Called from CoproduceConfig.ready, so the worker knows the kind before any task."""
    jobs.register_report(
        IMPACT_REPORT, generate=impact_report_generate, may_request=impact_report_may_request
    )


def default_period(today: date) -> tuple[date, date]:
    """The year up to today: what a lead most often reports on."""
    return today - timedelta(days=364), today
