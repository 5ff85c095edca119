"""Who may see and do what in peer work, registered in the shell's one permission registry.

Session logs, safeguarding, supervision and wellbeing are case records: a worker sees their
own, a supervisor only their current supervisees', and nobody else — not HR, not admins, who
see aggregate numbers only. Wellbeing check-ins are the worker's alone unless they share one.
HR keeps the employment record (PeerWorker) for their own organisation.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from cms.permissions import (
    has_role,
    in_organisation_scope,
    is_admin,
    register,
    register_visibility,
    scope_to_organisation,
)
from cms.refusals import ALLOWED, refuse
from cms.roles import Role

# --- Who is who ----------------------------------------------------------------------------


def worker_of(user):
    """The current PeerWorker record of ``user``, or None (cached on the user object)."""
    if not user.is_authenticated or not has_role(user, Role.PEER_WORKER):
        return None
    if not hasattr(user, "_peer_worker_cache"):
        from .models import PeerWorker

        user._peer_worker_cache = (
            PeerWorker.objects.select_related("organisation", "level", "team")
            .filter(user=user)
            .exclude(status=PeerWorker.Status.LEFT)
            .first()
        )
    return user._peer_worker_cache


def is_own(user, worker) -> bool:
    return worker is not None and user.is_authenticated and worker.user_id == user.pk


def supervises(user, worker) -> bool:
    """A supervisor named on ``worker``'s record (and still holding the supervisor role)."""
    if worker is None or not has_role(user, Role.SUPERVISOR):
        return False
    return worker.supervisors.filter(pk=user.pk).exists()


def is_hr(user) -> bool:
    return has_role(user, Role.HR, Role.ADMIN)


def hr_for(user, organisation_id) -> bool:
    return is_hr(user) and in_organisation_scope(user, organisation_id)


# --- Worker records ------------------------------------------------------------------------


@register("peers.manage_workers")
def _manage_workers(user, obj=None) -> bool:
    """HR keeps peer worker records (employment, level, supervisors) in the Wagtail admin."""
    return is_hr(user)


@register("peers.view_worker")
def _view_worker(user, worker=None) -> bool:
    if worker is None:
        return False
    return is_own(user, worker) or supervises(user, worker) or hr_for(user, worker.organisation_id)


@register("peers.edit_worker")
def _edit_worker(user, worker=None):
    if worker is None or not hr_for(user, worker.organisation_id):
        return refuse("You can keep peer worker records for your own organisation only.")
    return ALLOWED


# --- Practice records ----------------------------------------------------------------------


@register("peers.log_sessions")
def _log_sessions(user, obj=None):
    """Peer workers with a current record log their own sessions."""
    worker = worker_of(user)
    if worker is None or worker.status != worker.Status.ACTIVE:
        return refuse(
            "Only peer workers with a current record can log sessions. If you are a peer "
            "worker, ask your manager to check your record."
        )
    return ALLOWED


@register("peers.view_practice")
def _view_practice(user, worker=None) -> bool:
    """A worker's sessions, supervision and summaries: the worker and their supervisors."""
    return worker is not None and (is_own(user, worker) or supervises(user, worker))


@register("peers.view_session")
def _view_session(user, session=None) -> bool:
    return session is not None and _view_practice(user, session.worker)


@register("peers.edit_session")
def _edit_session(user, session=None):
    """Only the worker corrects their own log."""
    if session is None or not is_own(user, session.worker):
        return refuse("You can only change your own sessions.")
    return ALLOWED


# A slip (a session logged twice, or for the wrong day) is put right by deleting it soon
# after; older logs stay, as the record of the work. A session that raised a safeguarding
# concern is never deleted: the concern hangs off it.
SESSION_DELETE_WINDOW_DAYS = 7


@register("peers.delete_session")
def _delete_session(user, session=None):
    if session is None or not is_own(user, session.worker):
        return refuse("You can only delete your own sessions.")
    if _has_concern(session):
        return refuse(
            "This session raised a safeguarding concern, so it cannot be deleted. "
            "You can still correct it."
        )
    if session.created_at < timezone.now() - timedelta(days=SESSION_DELETE_WINDOW_DAYS):
        return refuse(
            f"Sessions can only be deleted in the {SESSION_DELETE_WINDOW_DAYS} days after you "
            "log them. You can still correct it."
        )
    return ALLOWED


def _has_concern(session) -> bool:
    from .models import SafeguardingConcern

    try:
        return session.safeguarding_concern is not None
    except SafeguardingConcern.DoesNotExist:
        return False


@register("peers.raise_concern")
def _raise_concern(user, session=None):
    """The worker raises a concern from their own session, one concern per session."""
    if session is None or not is_own(user, session.worker):
        return refuse("You can only raise a concern from your own sessions.")
    if _has_concern(session):
        return refuse("A safeguarding concern has already been raised for this session.")
    return ALLOWED


@register("peers.view_concern")
def _view_concern(user, concern=None) -> bool:
    return concern is not None and _view_practice(user, concern.worker)


@register("peers.acknowledge_concern")
def _acknowledge_concern(user, concern=None):
    """One of the worker's supervisors picks an open concern up, once."""
    if concern is not None and not concern.is_open:
        who = concern.acknowledged_by or "another supervisor"
        return refuse(f"This concern has already been acknowledged by {who}.")
    if concern is None or not supervises(user, concern.worker):
        return refuse("Only the worker's supervisors can acknowledge this concern.")
    return ALLOWED


@register("peers.supervise")
def _supervise(user, worker=None):
    """Record supervision for a worker, or (with no worker) hold a supervisor's pages."""
    if worker is None:
        return has_role(user, Role.SUPERVISOR)
    if not supervises(user, worker):
        return refuse("You can only record supervision for people you supervise.")
    return ALLOWED


@register("peers.view_wellbeing")
def _view_wellbeing(user, check_in=None) -> bool:
    if check_in is None:
        return False
    return is_own(user, check_in.worker) or (
        check_in.shared_with_supervisor and supervises(user, check_in.worker)
    )


@register("peers.check_in")
def _check_in(user, obj=None):
    if worker_of(user) is None:
        return refuse("Only peer workers can complete a wellbeing check-in.")
    return ALLOWED


@register("peers.share_wellbeing")
def _share_wellbeing(user, check_in=None):
    """Only the worker shares, stops sharing or deletes their own check-in."""
    if check_in is None or not is_own(user, check_in.worker):
        return refuse(
            "Only the person who completed a check-in can choose who sees it or delete it."
        )
    return ALLOWED


@register("peers.update_supervision_action")
def _update_supervision_action(user, action=None):
    """Agreed actions are marked done (or not) by the worker or their supervisors."""
    if action is None or not _view_practice(user, action.supervision.worker):
        return refuse("You can only update actions from your own supervision.")
    return ALLOWED


@register("peers.view_supervision_compliance")
def _view_supervision_compliance(user, obj=None) -> bool:
    """Counts of workers supervised in time: supervisors (their supervisees) and HR (their
    organisation). Counts only, never notes."""
    return has_role(user, Role.SUPERVISOR) or is_hr(user)


@register("peers.view_aggregates")
def _view_aggregates(user, organisation=None) -> bool:
    """Numbers without names or notes: HR for their organisation, admins for all."""
    if not is_hr(user):
        return False
    return organisation is None or in_organisation_scope(user, organisation.pk)


# --- Outcome figures of offers ---------------------------------------------------------------


@register("peers.keep_offer_outcomes")
def _keep_offer_outcomes(user, obj=None):
    """Outcome figures a partner collated for an offer: kept by the editors and engagement
    leads of the organisation that runs it (and admins). ``obj``: the offer or its figures;
    none: may they keep any offer's figures at all."""
    if not has_role(user, Role.EDITOR, Role.ENGAGEMENT_LEAD, Role.ADMIN):
        return refuse("Only editors and engagement leads can enter outcome figures for offers.")
    offer = getattr(obj, "offer", obj)
    if offer is not None and not in_organisation_scope(user, offer.provider_id):
        return refuse(
            "Only editors and engagement leads of the organisation that runs this offer can "
            "enter its outcome figures."
        )
    return ALLOWED


def register_offer_outcomes_visibility() -> None:
    """Called from PeersConfig.ready, once models can be imported."""
    from .models import OfferOutcomeFigures

    @register_visibility(OfferOutcomeFigures)
    def _outcome_figures(user, queryset):
        if is_admin(user):
            return queryset
        if has_role(user, Role.EDITOR, Role.ENGAGEMENT_LEAD):
            return scope_to_organisation(user, queryset, "offer__provider")
        return queryset.none()


# --- Visibility ----------------------------------------------------------------------------


def register_peers_visibility() -> None:
    """Called from PeersConfig.ready, once models can be imported."""
    from .models import (
        PeerWorker,
        SafeguardingConcern,
        SessionLog,
        Supervision,
        SupervisionAction,
        Team,
        WellbeingCheckIn,
    )

    @register_visibility(PeerWorker)
    def _workers(user, queryset):
        if not user.is_authenticated:
            return queryset.none()
        condition = Q(user=user)
        if has_role(user, Role.SUPERVISOR):
            condition |= Q(pk__in=PeerWorker.objects.filter(supervisors=user).values("pk"))
        if is_hr(user):
            in_scope = scope_to_organisation(user, PeerWorker.objects.all())
            condition |= Q(pk__in=in_scope.values("pk"))
        return queryset.filter(condition)

    @register_visibility(Team)
    def _teams(user, queryset):
        if is_admin(user):
            return queryset
        if is_hr(user) or has_role(user, Role.SUPERVISOR):
            return scope_to_organisation(user, queryset)
        return queryset.none()

    @register_visibility(SessionLog)
    def _sessions(user, queryset):
        return _practice(user, queryset, "worker__")

    @register_visibility(SafeguardingConcern)
    def _concerns(user, queryset):
        return _practice(user, queryset, "worker__")

    @register_visibility(Supervision)
    def _supervisions(user, queryset):
        return _practice(user, queryset, "worker__")

    @register_visibility(SupervisionAction)
    def _supervision_actions(user, queryset):
        return _practice(user, queryset, "supervision__worker__")

    @register_visibility(WellbeingCheckIn)
    def _wellbeing(user, queryset):
        if not user.is_authenticated:
            return queryset.none()
        condition = Q(worker__user=user)
        if has_role(user, Role.SUPERVISOR):
            condition |= Q(
                shared_with_supervisor=True,
                worker__in=PeerWorker.objects.filter(supervisors=user).values("pk"),
            )
        return queryset.filter(condition)

    def _practice(user, queryset, prefix: str):
        """Own records, plus current supervisees' for supervisors; nothing for anyone else.
        A subquery rather than a join, so rows are never repeated for several supervisors."""
        if not user.is_authenticated:
            return queryset.none()
        condition = Q(**{f"{prefix}user": user})
        if has_role(user, Role.SUPERVISOR):
            condition |= Q(
                **{
                    f"{prefix.removesuffix('__')}__in": PeerWorker.objects.filter(
                        supervisors=user
                    ).values("pk")
                }
            )
        return queryset.filter(condition)


# --- Recruitment -----------------------------------------------------------------------------
# Candidates see their own applications only; HR runs recruitment for their organisation.
# Equality monitoring answers are visible to nobody one by one: only counted, suppressed.


@register("peers.manage_recruitment")
def _manage_recruitment(user, vacancy=None):
    """HR (with no vacancy: may run recruitment at all; with one: that vacancy's)."""
    if vacancy is None:
        return is_hr(user)
    if not hr_for(user, vacancy.organisation_id):
        return refuse("Only HR for this vacancy's organisation can change it or its applications.")
    return ALLOWED


@register("peers.view_job_application")
def _view_job_application(user, application=None) -> bool:
    if application is None or not user.is_authenticated:
        return False
    return application.candidate_id == user.pk or hr_for(user, application.vacancy.organisation_id)


def register_recruitment_visibility() -> None:
    """Called from PeersConfig.ready, once models can be imported."""
    from .models import (
        EqualityMonitoring,
        InterviewPanelMember,
        JobApplication,
        PreEmploymentCheck,
        Vacancy,
    )

    @register_visibility(Vacancy)
    def _vacancies(user, queryset):
        """Open vacancies are public; HR also sees their organisation's drafts and closed."""
        condition = Q(status=Vacancy.Status.OPEN)
        if is_hr(user):
            condition |= Q(pk__in=scope_to_organisation(user, Vacancy.objects.all()).values("pk"))
        return queryset.filter(condition)

    def _applications_condition(user, prefix: str = ""):
        condition = Q(**{f"{prefix}candidate": user})
        if is_hr(user):
            in_scope = scope_to_organisation(
                user, JobApplication.objects.all(), field="vacancy__organisation"
            )
            condition |= Q(**{f"{prefix.removesuffix('__') or 'pk'}__in": in_scope.values("pk")})
        return condition

    @register_visibility(JobApplication)
    def _job_applications(user, queryset):
        if not user.is_authenticated:
            return queryset.none()
        return queryset.filter(_applications_condition(user))

    @register_visibility(InterviewPanelMember)
    def _panel_members(user, queryset):
        if not is_hr(user):
            return queryset.none()
        return queryset.filter(_applications_condition(user, "application__"))

    @register_visibility(PreEmploymentCheck)
    def _checks(user, queryset):
        if not user.is_authenticated:
            return queryset.none()
        return queryset.filter(_applications_condition(user, "application__"))

    @register_visibility(EqualityMonitoring)
    def _equality(user, queryset):
        return queryset.none()


# --- Progression pathway and induction -------------------------------------------------------
# A worker's pathway and induction: the worker, their supervisors, and HR of their
# organisation (read only). Evidence is in the worker's own words about their practice, so
# only the worker and their supervisors read it; HR sees how much there is. Supervisors sign
# off, review and tick induction items for their supervisees, never for themselves.


@register("peers.view_pathway")
def _view_pathway(user, worker=None) -> bool:
    return worker is not None and (
        is_own(user, worker) or supervises(user, worker) or hr_for(user, worker.organisation_id)
    )


@register("peers.view_evidence")
def _view_evidence(user, worker=None) -> bool:
    return worker is not None and (is_own(user, worker) or supervises(user, worker))


@register("peers.add_evidence")
def _add_evidence(user, worker=None):
    """Workers add their own evidence and training, while they work here."""
    if worker is None or not is_own(user, worker) or not worker.is_current:
        return refuse("Only the worker adds evidence and training to their own pathway.")
    return ALLOWED


@register("peers.sign_off_competence")
def _sign_off_competence(user, worker=None) -> bool:
    return (
        worker is not None
        and worker.is_current
        and not is_own(user, worker)
        and supervises(user, worker)
    )


@register("peers.review_progression")
def _review_progression(user, worker=None) -> bool:
    return _sign_off_competence(user, worker)


@register("peers.tick_induction")
def _tick_induction(user, worker=None) -> bool:
    return _sign_off_competence(user, worker)


@register("peers.list_pathways")
def _list_pathways(user, obj=None) -> bool:
    """The list of workers whose pathways a supervisor or HR may open."""
    return has_role(user, Role.SUPERVISOR) or is_hr(user)


@register("peers.download_portfolio")
def _download_portfolio(user, worker=None) -> bool:
    """The portfolio is the worker's own to take with them, even after they leave."""
    return worker is not None and is_own(user, worker)


def register_pathway_visibility() -> None:
    """Called from PeersConfig.ready, once models can be imported."""
    from .models import (
        Competence,
        CompetenceEvidence,
        CompetenceSignOff,
        InductionItem,
        PeerWorker,
        ProgressionReview,
        Training,
        TrainingRecord,
    )

    @register_visibility(Competence)
    def _competences(user, queryset):
        return queryset  # the pathway's catalogue holds nothing personal

    @register_visibility(Training)
    def _training(user, queryset):
        return queryset

    def _worker_condition(user, *, hr: bool) -> Q:
        condition = Q(worker__user=user)
        if has_role(user, Role.SUPERVISOR):
            condition |= Q(worker__in=PeerWorker.objects.filter(supervisors=user).values("pk"))
        if hr and is_hr(user):
            in_scope = scope_to_organisation(user, PeerWorker.objects.all())
            condition |= Q(worker__in=in_scope.values("pk"))
        return condition

    def _pathway(user, queryset, *, hr: bool = True):
        if not user.is_authenticated:
            return queryset.none()
        return queryset.filter(_worker_condition(user, hr=hr))

    register_visibility(CompetenceEvidence)(lambda user, qs: _pathway(user, qs, hr=False))
    for model in (CompetenceSignOff, TrainingRecord, ProgressionReview, InductionItem):
        register_visibility(model)(_pathway)
