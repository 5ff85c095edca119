"""Peer-role recruitment: publishing and closing vacancies, applying, and HR moving each
application through the pipeline (applied → shortlisted → interview → offer →
pre-employment checks → started, or unsuccessful / withdrawn).

Each move is one function that checks the rule, locks the application, stamps the stage's
date, writes the audit log and emails the candidate a plain message (never HR's reasons or
notes). Moving to the same stage again changes nothing and sends nothing. Starting creates
the peer worker record and gives the person the peer worker role.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from cms import site_address
from cms.audit import audit_erase
from cms.auth_backends import forget_groups
from cms.dates import day_in_words
from cms.permissions import require
from cms.roles import Role
from cms.sanitise import plain_text

from .. import audit_actions
from ..models import (
    EqualityMonitoring,
    InterviewPanelMember,
    JobApplication,
    PeerWorker,
    PreEmploymentCheck,
    Vacancy,
)
from . import Refused

Stage = JobApplication.Stage


@dataclass(frozen=True)
class ConsentStatement:
    """Words a candidate agrees to, with a version: bump it when the words change, so an
    agreement to earlier words no longer counts and the candidate is asked again."""

    version: str
    text: str


# Reasonable adjustments can say something about a person's health: kept only if agreed.
ADJUSTMENTS_CONSENT = ConsentStatement(
    version="2026-12",
    text=(
        "I agree that the organisation keeps what I have written about adjustments, to "
        "arrange my interview. Only the people recruiting for this role see it."
    ),
)
# Equality monitoring is voluntary and kept only if agreed, for anonymous totals.
EQUALITY_CONSENT = ConsentStatement(
    version="2026-12",
    text=(
        "I agree that my answers are used only to count, in anonymous totals, who applies "
        "for peer roles, so the organisation can check its recruitment is fair. The people "
        "deciding on my application never see them, totals of fewer than 5 people are never "
        "shown, and if I withdraw, my answers are deleted."
    ),
)
STATEMENT_MAX_LENGTH = 3000
ADJUSTMENTS_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 1000
CLOSED_STAGES = (Stage.STARTED, Stage.UNSUCCESSFUL, Stage.WITHDRAWN)
# Where each stage may go next; unsuccessful and withdrawn are possible from any open stage.
NEXT_STAGE = {
    Stage.APPLIED: Stage.SHORTLISTED,
    Stage.SHORTLISTED: Stage.INTERVIEW,
    Stage.INTERVIEW: Stage.OFFER,
    Stage.OFFER: Stage.CHECKS,
    Stage.CHECKS: Stage.STARTED,
}
PIPELINE = [Stage.APPLIED, *NEXT_STAGE.values()]
REQUIRED_CHECKS = list(PreEmploymentCheck.Kind)


def _hr_refuses(user, vacancy: Vacancy) -> None:
    require(user, "peers.manage_recruitment", vacancy)


def _locked(application: JobApplication) -> JobApplication:
    return (
        JobApplication.objects.select_for_update()
        .select_related("vacancy__organisation", "vacancy__level", "candidate")
        .get(pk=application.pk)
    )


def _clean_text(value: str, *, limit: int, what: str) -> str:
    value = plain_text(value)
    if len(value) > limit:
        raise Refused(f"Keep {what} to {limit} characters or fewer.")
    return value


# --- Vacancies ------------------------------------------------------------------------------


@transaction.atomic
def vacancy_publish(*, vacancy: Vacancy, user) -> Vacancy:
    """Put a vacancy on the public listing; its closing date must not have passed."""
    vacancy = Vacancy.objects.select_for_update().get(pk=vacancy.pk)
    require(user, "peers.manage_recruitment", vacancy)
    if vacancy.status == Vacancy.Status.OPEN:
        return vacancy
    if vacancy.closing_date < timezone.localdate():
        raise Refused(
            f"The closing date ({day_in_words(vacancy.closing_date, weekday=True)}) has passed. "
            "Change it to today or a later date, then publish."
        )
    vacancy.status = Vacancy.Status.OPEN
    vacancy.published_at = timezone.now()
    vacancy.closed_at = None
    vacancy.save(update_fields=["status", "published_at", "closed_at", "updated_at"])
    log(vacancy, audit_actions.VACANCY_PUBLISH, user=user)
    return vacancy


@transaction.atomic
def vacancy_close(*, vacancy: Vacancy, user) -> Vacancy:
    """Take a vacancy off the listing; its applications carry on through the pipeline."""
    vacancy = Vacancy.objects.select_for_update().get(pk=vacancy.pk)
    require(user, "peers.manage_recruitment", vacancy)
    if vacancy.status == Vacancy.Status.CLOSED:
        return vacancy
    vacancy.status = Vacancy.Status.CLOSED
    vacancy.closed_at = timezone.now()
    vacancy.save(update_fields=["status", "closed_at", "updated_at"])
    log(vacancy, audit_actions.VACANCY_CLOSE, user=user)
    return vacancy


# --- The candidate's side -------------------------------------------------------------------


@transaction.atomic
def application_submit(
    *,
    vacancy: Vacancy,
    candidate,
    statement: str,
    has_lived_experience: bool,
    adjustments_requested: str = "",
    agree_to_adjustments: bool = False,
    consent_to_contact: bool,
) -> tuple[JobApplication, bool]:
    """Apply for ``vacancy``; returns the application and whether it was made now.

    Applying again (or the form arriving twice) returns the application already made. A
    withdrawn application can be made again while the vacancy is open.

    The adjustments asked for are kept only with the candidate's agreement to
    ``ADJUSTMENTS_CONSENT`` (its version and the time are kept with them); without it the
    application is made without them.

    Whether the candidate has lived experience is asked of everyone, because it is an
    essential criterion of peer roles: it is kept under employment law (UK GDPR Article
    9(2)(b)), not consent, since a candidate who refused could not be considered.
    """
    if not candidate.is_authenticated:
        raise Refused("Sign in to apply.")
    if not vacancy.is_open:
        raise Refused("This role has closed, so it is not taking applications.")
    existing = (
        JobApplication.objects.select_for_update()
        .filter(vacancy=vacancy, candidate=candidate)
        .first()
    )
    if existing is not None and existing.stage != Stage.WITHDRAWN:
        return existing, False
    statement = _clean_text(statement, limit=STATEMENT_MAX_LENGTH, what="what you write")
    if not statement:
        raise Refused("Tell us why you would like this role.")
    adjustments = _clean_text(
        adjustments_requested, limit=ADJUSTMENTS_MAX_LENGTH, what="the adjustments you need"
    )
    adjustments_consent = {"adjustments_consent_version": "", "adjustments_consent_given_at": None}
    if not agree_to_adjustments:
        adjustments = ""
    elif adjustments:
        adjustments_consent = {
            "adjustments_consent_version": ADJUSTMENTS_CONSENT.version,
            "adjustments_consent_given_at": timezone.now(),
        }
    if not consent_to_contact:
        raise Refused("To apply, agree that we may contact you about your application.")
    values = {
        "statement": statement,
        "has_lived_experience": bool(has_lived_experience),
        "adjustments_requested": adjustments,
        **adjustments_consent,
        "adjustments_agreed": "",
        "consent_to_contact": True,
        "stage": Stage.APPLIED,
        "applied_at": timezone.now(),
        "shortlisted_on": None,
        "interview_at": None,
        "interview_panel_has_lived_experience": None,
        "offered_on": None,
        "proposed_start_date": None,
        "checks_started_on": None,
        "closed_on": None,
        "closed_reason": "",
    }
    if existing is not None:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        existing.panel_members.all().delete()
        existing.checks.all().delete()
        application = existing
    else:
        try:
            with transaction.atomic():
                application = JobApplication.objects.create(
                    vacancy=vacancy, candidate=candidate, **values
                )
        except IntegrityError:
            # The same form arrived twice at once: the first one made the application.
            return JobApplication.objects.get(vacancy=vacancy, candidate=candidate), False
    log(application, audit_actions.JOB_APPLICATION_SUBMIT, user=candidate)
    _email(application, "received")
    return application, True


EQUALITY_FIELDS = {
    "age_band": EqualityMonitoring.AgeBand,
    "gender": EqualityMonitoring.Gender,
    "ethnicity": EqualityMonitoring.Ethnicity,
    "disability": EqualityMonitoring.Disability,
    "sexual_orientation": EqualityMonitoring.SexualOrientation,
}


def equality_consent_is_current(record: EqualityMonitoring | None) -> bool:
    """The answers were given with an agreement to today's wording."""
    return record is not None and record.consent_version == EQUALITY_CONSENT.version


@transaction.atomic
def equality_record(
    *, application: JobApplication, user, agree: bool = False, **answers: str
) -> EqualityMonitoring | None:
    """Keep the candidate's optional equality monitoring answers (any may be left empty),
    only with their agreement to ``EQUALITY_CONSENT``: given now (``agree``), or given
    before to today's wording. The version and the time of the agreement are kept with
    the answers.

    Answers kept before and sent back unchanged stay as they are; leaving every question
    empty deletes the answers. Returns the answers kept, or None when none are.
    """
    if application.candidate_id != user.pk:
        raise Refused("You can only answer these questions for your own application.")
    values = {}
    for name, choices in EQUALITY_FIELDS.items():
        value = answers.get(name) or ""
        if value and value not in choices.values:
            raise Refused("Choose one of the answers given, or leave the question empty.")
        values[name] = value
    existing = EqualityMonitoring.objects.select_for_update().filter(application=application)
    existing = existing.first()
    if not any(values.values()):
        _equality_delete(existing, user=user, reason="The candidate cleared their equality answers")
        return None
    if agree and not equality_consent_is_current(existing):
        values["consent_version"] = EQUALITY_CONSENT.version
        values["consent_given_at"] = timezone.now()
    elif not equality_consent_is_current(existing):
        if existing is not None and all(getattr(existing, k) == v for k, v in values.items()):
            return existing
        raise Refused(
            "To keep your answers, tick the box to agree to how we use them, or skip these "
            "questions."
        )
    record, _ = EqualityMonitoring.objects.update_or_create(
        application=application, defaults=values
    )
    return record


@transaction.atomic
def equality_withdraw(*, application: JobApplication, user) -> bool:
    """The candidate withdraws their agreement: their answers are deleted. Returns whether
    there were answers to delete; withdrawing twice changes nothing."""
    if application.candidate_id != user.pk:
        raise Refused("You can only withdraw your own answers.")
    existing = EqualityMonitoring.objects.select_for_update().filter(application=application)
    return _equality_delete(
        existing.first(),
        user=user,
        reason="The candidate withdrew their agreement, so their equality answers were deleted",
    )


def _equality_delete(record: EqualityMonitoring | None, *, user, reason: str) -> bool:
    if record is None:
        return False
    audit_erase(user=user, instance=record.application, reason=reason)
    record.delete()
    return True


def withdrawable(application: JobApplication) -> bool:
    return application.stage not in CLOSED_STAGES


@transaction.atomic
def application_withdraw(*, application: JobApplication, user, reason: str = "") -> JobApplication:
    """The candidate withdraws (or HR records that they did), with an optional reason.
    Withdrawing twice changes nothing."""
    application = _locked(application)
    is_candidate = application.candidate_id == user.pk
    if not is_candidate:
        _hr_refuses(user, application.vacancy)
    if application.stage == Stage.WITHDRAWN:
        return application
    if application.stage == Stage.STARTED:
        raise Refused("This person has started in the role, so the application is finished.")
    if application.stage == Stage.UNSUCCESSFUL:
        raise Refused("This application has been decided, so there is nothing to withdraw.")
    return _close(
        application,
        Stage.WITHDRAWN,
        user=user,
        reason=_clean_text(reason, limit=REASON_MAX_LENGTH, what="the reason"),
        action=audit_actions.JOB_APPLICATION_WITHDRAW,
    )


# --- HR's side: moving through the pipeline --------------------------------------------------


def _expect(application: JobApplication, *allowed: str, to: str) -> None:
    if application.stage in allowed:
        return
    if application.stage in CLOSED_STAGES:
        raise Refused(
            f"This application is {application.get_stage_display().lower()}, so it cannot move on."
        )
    raise Refused(
        f"This application is at “{application.get_stage_display()}”. Move it on one stage at "
        f"a time: it cannot go straight to “{Stage(to).label}”."
    )


def _moved(application: JobApplication, stage: str, *, user, fields: list[str], **data):
    previous = application.stage
    application.stage = stage
    application.save(update_fields=["stage", "updated_at", *fields])
    log(
        application,
        audit_actions.JOB_APPLICATION_STAGE,
        user=user,
        data={"from": previous, "to": stage, **data},
    )
    if previous != stage:
        _email(application, stage)
    return application


@transaction.atomic
def application_shortlist(*, application: JobApplication, user) -> JobApplication:
    application = _locked(application)
    _hr_refuses(user, application.vacancy)
    if application.stage == Stage.SHORTLISTED:
        return application
    _expect(application, Stage.APPLIED, to=Stage.SHORTLISTED)
    application.shortlisted_on = timezone.localdate()
    return _moved(application, Stage.SHORTLISTED, user=user, fields=["shortlisted_on"])


@dataclass(frozen=True)
class PanelMember:
    name: str
    role: str = ""
    has_lived_experience: bool = False


def panel_without_lived_experience(panel: list[PanelMember]) -> bool:
    return not any(member.has_lived_experience for member in panel)


@transaction.atomic
def interview_arrange(
    *,
    application: JobApplication,
    user,
    interview_at: datetime,
    panel: list[PanelMember],
    go_ahead_without_lived_experience: bool = False,
) -> JobApplication:
    """Arrange (or rearrange) the interview and its panel.

    The charter asks for someone with lived experience on every interview panel. A panel
    without one is refused unless HR chooses to go ahead anyway; either way whether the
    panel had lived experience is recorded on the application and in the audit log.
    """
    application = _locked(application)
    _hr_refuses(user, application.vacancy)
    _expect(application, Stage.SHORTLISTED, Stage.INTERVIEW, to=Stage.INTERVIEW)
    members = [
        PanelMember(
            name=_clean_text(member.name, limit=120, what="each panel member's name"),
            role=_clean_text(member.role, limit=120, what="each panel member's role"),
            has_lived_experience=bool(member.has_lived_experience),
        )
        for member in panel
        if plain_text(member.name)
    ]
    if not members:
        raise Refused("Add at least one person on the interview panel.")
    if interview_at is None:
        raise Refused("Enter the date and time of the interview.")
    without = panel_without_lived_experience(members)
    if without and not go_ahead_without_lived_experience:
        raise Refused(
            "No one on this interview panel has lived experience. The charter asks for "
            "someone with lived experience on every panel: add them, or tick the box to go "
            "ahead without (this will be recorded)."
        )
    application.panel_members.all().delete()
    InterviewPanelMember.objects.bulk_create(
        InterviewPanelMember(application=application, **member.__dict__) for member in members
    )
    application.interview_at = interview_at
    application.interview_panel_has_lived_experience = not without
    return _moved(
        application,
        Stage.INTERVIEW,
        user=user,
        fields=["interview_at", "interview_panel_has_lived_experience"],
        panel_has_lived_experience=not without,
    )


@transaction.atomic
def application_offer(
    *, application: JobApplication, user, offered_on: date, proposed_start_date: date | None
) -> JobApplication:
    """Offer the role (or correct the offer's dates while it stands)."""
    application = _locked(application)
    _hr_refuses(user, application.vacancy)
    _expect(application, Stage.INTERVIEW, Stage.OFFER, Stage.CHECKS, to=Stage.OFFER)
    if offered_on is None:
        raise Refused("Enter the date the offer was made.")
    if proposed_start_date is not None and proposed_start_date < offered_on:
        raise Refused(
            f"The proposed start date must be on or after the offer date "
            f"({day_in_words(offered_on, weekday=True)})."
        )
    application.offered_on = offered_on
    application.proposed_start_date = proposed_start_date
    stage = Stage.CHECKS if application.stage == Stage.CHECKS else Stage.OFFER
    return _moved(application, stage, user=user, fields=["offered_on", "proposed_start_date"])


@transaction.atomic
def checks_begin(*, application: JobApplication, user) -> JobApplication:
    """The offer is accepted: start the pre-employment checks."""
    application = _locked(application)
    _hr_refuses(user, application.vacancy)
    if application.stage == Stage.CHECKS:
        return application
    _expect(application, Stage.OFFER, to=Stage.CHECKS)
    application.checks_started_on = timezone.localdate()
    for kind in REQUIRED_CHECKS:
        PreEmploymentCheck.objects.get_or_create(application=application, kind=kind)
    return _moved(application, Stage.CHECKS, user=user, fields=["checks_started_on"])


@transaction.atomic
def check_record(
    *,
    application: JobApplication,
    user,
    kind: str,
    requested_on: date | None,
    completed_on: date | None,
    outcome: str,
    expires_on: date | None,
) -> PreEmploymentCheck:
    """Record where one pre-employment check has got to."""
    application = _locked(application)
    _hr_refuses(user, application.vacancy)
    if kind not in PreEmploymentCheck.Kind.values:
        raise Refused("Choose which check this is.")
    if application.stage not in (Stage.OFFER, Stage.CHECKS):
        raise Refused("Checks are recorded once the role has been offered.")
    label = PreEmploymentCheck.Kind(kind).label
    if outcome not in PreEmploymentCheck.Outcome.values:
        raise Refused("Choose the outcome of the check.")
    if completed_on and requested_on and completed_on < requested_on:
        raise Refused(f"The {label} check cannot be completed before it was requested.")
    if outcome != PreEmploymentCheck.Outcome.PENDING and completed_on is None:
        raise Refused(f"Enter the date the {label} check was completed.")
    if outcome == PreEmploymentCheck.Outcome.PENDING and completed_on is not None:
        raise Refused(f"Choose the outcome of the {label} check, now that it is completed.")
    start = application.started_on or application.proposed_start_date
    if expires_on and start and expires_on < start:
        raise Refused(
            f"This {label} check expires on {day_in_words(expires_on, weekday=True)}, "
            f"before they start on {day_in_words(start, weekday=True)}. "
            "Ask for a new check, or change the start date."
        )
    if expires_on and completed_on and expires_on < completed_on:
        raise Refused(f"The {label} check cannot expire before it was completed.")
    check, _ = PreEmploymentCheck.objects.update_or_create(
        application=application,
        kind=kind,
        defaults={
            "requested_on": requested_on,
            "completed_on": completed_on,
            "outcome": outcome,
            "expires_on": expires_on,
        },
    )
    log(
        application,
        audit_actions.JOB_APPLICATION_CHECK,
        user=user,
        data={"check": kind, "outcome": outcome},
    )
    return check


def checks_outstanding(application: JobApplication, start_date: date | None) -> list[str]:
    """What stops the person starting on ``start_date``, in plain words."""
    checks = {check.kind: check for check in application.checks.all()}
    problems = []
    for kind in REQUIRED_CHECKS:
        check = checks.get(kind)
        if check is None or not check.is_complete:
            problems.append(f"{kind.label} is not complete and satisfactory")
        elif check.expires_on and start_date and check.expires_on < start_date:
            expires_on = day_in_words(check.expires_on, weekday=True)
            problems.append(f"{kind.label} expires on {expires_on}")
    return problems


@transaction.atomic
def application_start(*, application: JobApplication, user, start_date: date) -> JobApplication:
    """The person starts: make their peer worker record from the vacancy, give them the
    peer worker role and set up their induction."""
    application = _locked(application)
    vacancy = application.vacancy
    _hr_refuses(user, vacancy)
    if application.stage == Stage.STARTED:
        return application
    _expect(application, Stage.CHECKS, to=Stage.STARTED)
    if start_date is None:
        raise Refused("Enter the date they start.")
    if application.offered_on and start_date < application.offered_on:
        raise Refused(
            f"The start date must be on or after the offer date "
            f"({day_in_words(application.offered_on, weekday=True)})."
        )
    problems = checks_outstanding(application, start_date)
    if problems:
        raise Refused(
            "They cannot start until every pre-employment check is complete: "
            + "; ".join(problems)
            + "."
        )
    candidate = application.candidate
    existing = PeerWorker.objects.filter(user=candidate).first()
    if existing is not None:
        raise Refused(
            f"{application.candidate_name} already has a peer worker record at "
            f"{existing.organisation}. Update that record in Peer workers instead."
        )
    worker = PeerWorker.objects.create(
        user=candidate,
        organisation=vacancy.organisation,
        level=vacancy.level,
        job_title=vacancy.title[:120],
        employment_type=vacancy.employment_type,
        start_date=start_date,
        contracted_hours=vacancy.hours_per_week,
    )
    candidate.groups.add(Group.objects.get(name=Role.PEER_WORKER.value))
    forget_groups(candidate)
    _induction(worker, user)
    application.started_on = start_date
    application.worker = worker
    return _moved(application, Stage.STARTED, user=user, fields=["started_on", "worker"])


def _induction(worker: PeerWorker, user) -> None:
    try:
        from .progression import induction_create
    except ImportError:  # the progression pathway is not installed yet
        return
    induction_create(worker=worker, user=user)


@transaction.atomic
def application_reject(*, application: JobApplication, user, reason: str) -> JobApplication:
    """Unsuccessful, with the reason (kept for HR; the candidate's email does not say it)."""
    application = _locked(application)
    _hr_refuses(user, application.vacancy)
    if application.stage == Stage.UNSUCCESSFUL:
        return application
    if application.stage in CLOSED_STAGES:
        _expect(application, to=Stage.UNSUCCESSFUL)
    reason = _clean_text(reason, limit=REASON_MAX_LENGTH, what="the reason")
    if not reason:
        raise Refused("Enter the reason the application was unsuccessful.")
    return _close(
        application,
        Stage.UNSUCCESSFUL,
        user=user,
        reason=reason,
        action=audit_actions.JOB_APPLICATION_STAGE,
    )


def _close(application, stage, *, user, reason: str, action: str) -> JobApplication:
    previous = application.stage
    application.stage = stage
    application.closed_on = timezone.localdate()
    application.closed_reason = reason
    application.save(update_fields=["stage", "closed_on", "closed_reason", "updated_at"])
    log(application, action, user=user, data={"from": previous, "to": stage})
    _email(application, stage)
    return application


@transaction.atomic
def adjustments_agree(*, application: JobApplication, user, agreed: str) -> JobApplication:
    """Record the reasonable adjustments HR has agreed with the candidate."""
    application = _locked(application)
    _hr_refuses(user, application.vacancy)
    application.adjustments_agreed = _clean_text(
        agreed, limit=ADJUSTMENTS_MAX_LENGTH, what="the adjustments agreed"
    )
    application.save(update_fields=["adjustments_agreed", "updated_at"])
    log(application, audit_actions.JOB_APPLICATION_ADJUSTMENTS, user=user)
    return application


@transaction.atomic
def feedback_record(
    *, application: JobApplication, user, offered_on: date, note: str = ""
) -> JobApplication:
    """Record that feedback was offered to an unsuccessful candidate, and when."""
    application = _locked(application)
    _hr_refuses(user, application.vacancy)
    if application.stage != Stage.UNSUCCESSFUL:
        raise Refused("Feedback is recorded for unsuccessful applications.")
    if offered_on is None:
        raise Refused("Enter the date feedback was offered.")
    if offered_on > timezone.localdate():
        raise Refused("The date feedback was offered cannot be in the future.")
    application.feedback_offered_on = offered_on
    application.feedback_note = _clean_text(note, limit=REASON_MAX_LENGTH, what="the note")
    application.save(update_fields=["feedback_offered_on", "feedback_note", "updated_at"])
    log(application, audit_actions.JOB_APPLICATION_FEEDBACK, user=user)
    return application


# --- Emails -------------------------------------------------------------------------------

SUBJECTS = {
    "received": "We have your application for {title}",
    Stage.SHORTLISTED: "You have been shortlisted for {title}",
    Stage.INTERVIEW: "Your interview for {title}",
    Stage.OFFER: "An offer for {title}",
    Stage.CHECKS: "Pre-employment checks for {title}",
    Stage.STARTED: "Welcome to your new role: {title}",
    Stage.UNSUCCESSFUL: "Your application for {title}",
    Stage.WITHDRAWN: "You have withdrawn your application for {title}",
}


def _email(application: JobApplication, kind: str) -> None:
    """Tell the candidate what has changed, in plain English; HR's notes are never sent."""
    vacancy = application.vacancy
    base_url = site_address.site_url()
    context = {
        "name": application.candidate.first_name or "there",
        "vacancy": vacancy,
        "organisation": vacancy.organisation.name,
        "application": application,
        "application_url": base_url
        + reverse("peers:job_application", kwargs={"pk": application.pk}),
        "vacancies_url": base_url + reverse("peers:vacancy_list"),
    }
    send_mail(
        subject=SUBJECTS[kind].format(title=vacancy.title),
        message=render_to_string(f"peers/email/recruitment_{kind}.txt", context),
        from_email=None,
        recipient_list=[application.candidate.email],
    )
