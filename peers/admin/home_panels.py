"""What waits on HR in peer work, on their Wagtail admin home.

HR are the peer-work staff who use the admin (supervisors work only in front-end views).
They see, for their own organisation (every one, with partnership-wide access): the
applications waiting to be shortlisted, by vacancy; how many safeguarding concerns no
supervisor has picked up yet; and how many peer workers are overdue for supervision, by
team. Concerns and supervision are case records HR never read, so those two are numbers
only, never a name, a note or a link to a record.
"""

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from cms.admin_home import ROWS_SHOWN, Row, Section, WorkPanel, counted
from cms.dates import day_in_words
from cms.permissions import can, scope_to_organisation

from ..models import JobApplication, SafeguardingConcern
from ..selectors import recruitment as recruitment_selectors
from ..selectors import supervision as supervision_selectors


def shortlisting_section(user) -> Section:
    waiting = recruitment_selectors.applications_managed_by(user).filter(
        stage=JobApplication.Stage.APPLIED
    )
    by_vacancy = list(
        waiting.values("vacancy_id", "vacancy__title")
        .annotate(waiting=Count("pk"), first_applied=Min("applied_at"))
        .order_by("first_applied", "vacancy_id")[:ROWS_SHOWN]
    )
    count = waiting.count() if by_vacancy else 0
    return Section(
        heading="Applications to shortlist",
        count=count,
        count_text=counted(count, "application is", "applications are")
        + " waiting to be shortlisted",
        none_text="No applications are waiting to be shortlisted.",
        list_url=reverse("vacancies:index"),
        list_text="See all vacancies",
        rows=[
            Row(
                title=row["vacancy__title"],
                detail=f"{counted(row['waiting'], 'application', 'applications')}, the first "
                f"sent on {day_in_words(row['first_applied'])}",
                url=reverse("vacancies:pipeline", args=[row["vacancy_id"]]),
            )
            for row in by_vacancy
        ],
    )


def concerns_section(user) -> Section:
    # A count across the organisation's workers, like the other aggregates HR see: the
    # concerns themselves are visible only to the worker and their supervisors.
    open_concerns = scope_to_organisation(
        user,
        SafeguardingConcern.objects.filter(acknowledged_at__isnull=True),
        field="worker__organisation",
    ).aggregate(waiting=Count("pk"), late=Count("pk", filter=Q(escalated_at__isnull=False)))
    count, late = open_concerns["waiting"], open_concerns["late"]
    late_text = (
        f", {late} of them for longer than {'it' if count == 1 else 'they'} should" if late else ""
    )
    return Section(
        heading="Safeguarding concerns",
        count=count,
        count_text=counted(count, "safeguarding concern has", "safeguarding concerns have")
        + f" not been picked up by a supervisor yet{late_text}",
        note="For privacy, no details are shown here. Make sure each worker has a "
        "supervisor who is at work and can pick their concern up.",
        none_text="Every safeguarding concern has been picked up by a supervisor.",
        list_url=reverse("peer_workers:index"),
        list_text="Check who supervises each peer worker",
    )


def supervision_section(user, *, today) -> Section:
    compliance = supervision_selectors.compliance_for(user, as_of=today)
    overdue_teams = sorted(
        (team for team in compliance.teams if team.overdue),
        key=lambda team: -team.overdue,
    )
    count = compliance.total.overdue
    return Section(
        heading="Supervision",
        count=count,
        count_text=counted(count, "peer worker is", "peer workers are")
        + " overdue for supervision",
        none_text="Every peer worker has been supervised in time.",
        list_url=reverse("peers:supervision_compliance"),
        list_text="See supervision by team",
        rows=[
            Row(
                title=team.name,
                detail=f"{team.overdue} of {team.workers} overdue",
            )
            for team in overdue_teams[:ROWS_SHOWN]
        ],
    )


def hr_work_panel(user, *, today) -> WorkPanel:
    sections = [shortlisting_section(user)]
    if can(user, "peers.view_aggregates"):
        sections.append(concerns_section(user))
    if can(user, "peers.view_supervision_compliance"):
        sections.append(supervision_section(user, today=today))
    return WorkPanel(name="peer_work", heading="Peer work", order=31, sections=sections)


def add_home_panels(request, panels):
    """``construct_homepage_panels``: HR's peer work panel, to those who run it."""
    if can(request.user, "peers.manage_recruitment"):
        panels.append(hr_work_panel(request.user, today=timezone.localdate()))
