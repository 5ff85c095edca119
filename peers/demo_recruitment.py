"""Peer-role recruitment in the demo partnership: open, closed and draft vacancies at the
Northdale trust (where hr@example.org works) and Mind in Northdale, with candidates at every
stage of the pipeline, a full interview panel with lived experience (and one without, as the
report warns), pre-employment checks, two people who started (with their peer worker
records), unsuccessful candidates offered feedback, and equality monitoring answers.

Idempotent: it does nothing once its first vacancy exists. Rows are written directly (no
emails), as the services would have left them.
"""

from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from cms.models import Organisation, User
from cms.roles import Role

from .models import (
    EqualityMonitoring,
    InterviewPanelMember,
    JobApplication,
    Level,
    PeerWorker,
    PreEmploymentCheck,
    Vacancy,
)
from .services.recruitment import ADJUSTMENTS_CONSENT, EQUALITY_CONSENT

DEMO_PASSWORD = "lived-experience-demo"  # noqa: S105 - published with the demo
NORTHDALE_TRUST = "Northdale Health and Care NHS Foundation Trust"
MIND = "Mind in Northdale"
FIRST_SLUG = "ward-peer-support-worker-northdale"
Stage = JobApplication.Stage

CANDIDATES = [
    # (first, last, stage on the open ward vacancy)
    ("Aisha", "Begum", Stage.APPLIED),
    ("Ben", "Carter", Stage.APPLIED),
    ("Chloe", "Davies", Stage.SHORTLISTED),
    ("Daniel", "Eze", Stage.INTERVIEW),
    ("Ella", "Fraser", Stage.OFFER),
    ("Faisal", "Ghani", Stage.CHECKS),
    ("Grace", "Holt", Stage.UNSUCCESSFUL),
    ("Hugo", "Ives", Stage.WITHDRAWN),
]
# Candidates for the closed crisis vacancy: two started, one unsuccessful with feedback.
EARLIER = [
    ("Isla", "Jones", Stage.STARTED),
    ("Jamal", "Khan", Stage.STARTED),
    ("Kate", "Lowe", Stage.UNSUCCESSFUL),
    ("Liam", "Moss", Stage.UNSUCCESSFUL),
    ("Maya", "Nair", Stage.WITHDRAWN),
]
EQUALITY = [
    ("25_34", "woman", "asian", "no", "straight"),
    ("35_44", "man", "white", "yes", "prefer_not"),
    ("16_24", "non_binary", "mixed", "yes", "bisexual"),
    ("45_54", "woman", "black", "no", "straight"),
    ("25_34", "woman", "white", "prefer_not", "gay_lesbian"),
    ("55_64", "man", "black", "no", "straight"),
    ("prefer_not", "prefer_not", "prefer_not", "prefer_not", "prefer_not"),
]


def _organisation(name: str, kind: str) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        name=name, defaults={"kind": kind, "area": "Northdale"}
    )
    return organisation


def _person(first: str, last: str) -> User:
    email = f"{first.lower()}.{last.lower()}@example.org"
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first, "last_name": last, "password": make_password(DEMO_PASSWORD)},
    )
    if created:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _at(day, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _progress(application: JobApplication, stage: str, *, closing, today, panel_lived=True):
    """Fill in the dates of every stage up to ``stage``, as the services would have."""
    reached = [Stage.APPLIED, Stage.SHORTLISTED, Stage.INTERVIEW, Stage.OFFER, Stage.CHECKS]
    last = {
        Stage.UNSUCCESSFUL: Stage.INTERVIEW,
        Stage.WITHDRAWN: Stage.SHORTLISTED,
        Stage.STARTED: Stage.CHECKS,
    }.get(stage, stage)
    upto = reached.index(last) if last in reached else 0
    if upto >= 1:
        application.shortlisted_on = closing + timedelta(days=3)
    if upto >= 2:
        application.interview_at = _at(closing + timedelta(days=10), hour=10)
        application.interview_panel_has_lived_experience = panel_lived
    if upto >= 3:
        application.offered_on = closing + timedelta(days=14)
        application.proposed_start_date = closing + timedelta(days=50)
    if upto >= 4:
        application.checks_started_on = closing + timedelta(days=16)
    if stage == Stage.STARTED:
        application.started_on = closing + timedelta(days=50)
    if stage in (Stage.UNSUCCESSFUL, Stage.WITHDRAWN):
        application.closed_on = min(closing + timedelta(days=12), today)
        application.closed_reason = (
            "Other candidates matched the role more closely"
            if stage == Stage.UNSUCCESSFUL
            else "Accepted another job"
        )
        if stage == Stage.UNSUCCESSFUL:
            application.feedback_offered_on = application.closed_on
            application.feedback_note = "Offered a call with the peer lead."
    application.stage = stage
    application.save()
    if application.interview_at:
        InterviewPanelMember.objects.bulk_create(
            [
                InterviewPanelMember(
                    application=application,
                    name="Jo Clarke" if panel_lived else "Dr Sam Reid",
                    role="Peer support worker" if panel_lived else "Consultant psychiatrist",
                    has_lived_experience=panel_lived,
                ),
                InterviewPanelMember(
                    application=application, name="Morgan Hughes", role="HR business partner"
                ),
            ]
        )
    if application.checks_started_on:
        done = stage == Stage.STARTED
        PreEmploymentCheck.objects.bulk_create(
            [
                PreEmploymentCheck(
                    application=application,
                    kind=kind,
                    requested_on=application.checks_started_on,
                    completed_on=application.checks_started_on + timedelta(days=14)
                    if done or kind == PreEmploymentCheck.Kind.REFERENCES
                    else None,
                    outcome=PreEmploymentCheck.Outcome.SATISFACTORY
                    if done or kind == PreEmploymentCheck.Kind.REFERENCES
                    else PreEmploymentCheck.Outcome.PENDING,
                    expires_on=application.checks_started_on + timedelta(days=3 * 365)
                    if kind == PreEmploymentCheck.Kind.DBS and done
                    else None,
                )
                for kind in PreEmploymentCheck.Kind
            ]
        )


@transaction.atomic
def load_recruitment_demo() -> dict:
    """Load the recruitment demo once; returns what it made (nothing the second time)."""
    if Vacancy.objects.filter(slug=FIRST_SLUG).exists():
        return {"vacancies": 0, "applications": 0}
    today = timezone.localdate()
    trust = _organisation(NORTHDALE_TRUST, Organisation.Kind.NHS_TRUST)
    mind = _organisation(MIND, Organisation.Kind.VCSE)
    psw = Level.objects.get(slug="peer-support-worker")
    trainee = Level.objects.get(slug="trainee")
    senior = Level.objects.get(slug="senior-peer-support-worker")

    ward = Vacancy.objects.create(
        organisation=trust,
        title="Ward peer support worker",
        slug=FIRST_SLUG,
        level=psw,
        pay="Band 4, £26,530 to £29,114 a year",
        hours_per_week=30,
        employment_type="employed",
        closing_date=today + timedelta(days=21),
        description="Work alongside the ward team at Northdale Hospital, offering peer "
        "support to people during their stay and as they get ready to go home. You will "
        "draw on your own lived experience of mental ill health and recovery.",
        status=Vacancy.Status.OPEN,
        published_at=timezone.now() - timedelta(days=14),
    )
    # The open vacancy's pipeline runs on a closing date a few weeks ago, so it has moved on.
    pipeline_closing = today - timedelta(days=20)
    Vacancy.objects.create(
        organisation=mind,
        title="Trainee peer mentor (community groups)",
        slug="trainee-peer-mentor-mind",
        level=trainee,
        pay="£12.60 an hour",
        hours_per_week=16,
        employment_type="trainee",
        closing_date=today + timedelta(days=35),
        description="Help run our peer groups while you train, with paid time for learning "
        "and a named buddy.",
        status=Vacancy.Status.OPEN,
        published_at=timezone.now() - timedelta(days=3),
    )
    Vacancy.objects.create(
        organisation=trust,
        title="Senior peer support worker (crisis team)",
        slug="senior-peer-crisis-team-draft",
        level=senior,
        pay="Band 5",
        hours_per_week=37.5,
        employment_type="employed",
        closing_date=today + timedelta(days=60),
        description="Lead peer support in the crisis team and support newer peers.",
    )
    crisis = Vacancy.objects.create(
        organisation=trust,
        title="Crisis café peer support worker",
        slug="crisis-cafe-peer-support-worker-northdale",
        level=psw,
        pay="Band 4",
        hours_per_week=22.5,
        employment_type="employed",
        closing_date=today - timedelta(days=120),
        description="Evening peer support at the crisis café.",
        status=Vacancy.Status.CLOSED,
        published_at=timezone.now() - timedelta(days=150),
        closed_at=timezone.now() - timedelta(days=119),
    )

    applications = []
    peer_group = Group.objects.get(name=Role.PEER_WORKER.value)
    for n, (first, last, stage) in enumerate(CANDIDATES):
        application = JobApplication.objects.create(
            vacancy=ward,
            candidate=_person(first, last),
            statement="I have lived with depression and anxiety and was supported by a peer "
            "worker on the ward. I want to offer others the same hope.",
            has_lived_experience=n != 1,
            adjustments_requested="Questions in advance, please." if n % 3 == 0 else "",
            # Adjustments are kept only with the candidate's agreement, given as they applied.
            adjustments_consent_version=ADJUSTMENTS_CONSENT.version if n % 3 == 0 else "",
            adjustments_consent_given_at=(
                _at(pipeline_closing - timedelta(days=10 - n)) if n % 3 == 0 else None
            ),
            adjustments_agreed="Questions sent two days before." if n == 3 else "",
            consent_to_contact=True,
            applied_at=_at(pipeline_closing - timedelta(days=10 - n)),
        )
        _progress(application, stage, closing=pipeline_closing, today=today, panel_lived=n != 6)
        applications.append(application)
    for n, (first, last, stage) in enumerate(EARLIER):
        application = JobApplication.objects.create(
            vacancy=crisis,
            candidate=_person(first, last),
            statement="My own recovery started at a crisis café; I would like to give back.",
            has_lived_experience=True,
            consent_to_contact=True,
            applied_at=_at(crisis.closing_date - timedelta(days=15 - n)),
        )
        _progress(application, stage, closing=crisis.closing_date, today=today)
        if stage == Stage.STARTED:
            worker = PeerWorker.objects.create(
                user=application.candidate,
                organisation=trust,
                level=psw,
                job_title=crisis.title,
                employment_type=crisis.employment_type,
                start_date=application.started_on,
                contracted_hours=crisis.hours_per_week,
            )
            application.candidate.groups.add(peer_group)
            application.worker = worker
            application.save(update_fields=["worker"])
        applications.append(application)
    EqualityMonitoring.objects.bulk_create(
        EqualityMonitoring(
            application=application,
            age_band=age,
            gender=gender,
            ethnicity=ethnicity,
            disability=disability,
            sexual_orientation=orientation,
            consent_version=EQUALITY_CONSENT.version,
            consent_given_at=application.applied_at,
        )
        for application, (age, gender, ethnicity, disability, orientation) in zip(
            applications, EQUALITY, strict=False
        )
    )
    return {"vacancies": 4, "applications": len(applications)}
