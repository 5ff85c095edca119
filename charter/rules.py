"""Who may do what with charters, registered in the shell's one permission registry.

HR and charter leads keep their own organisation's charters (all organisations' with
partnership-wide access); admins keep every one. Anyone, signed in or not, may read the
progress of a published charter. Everything under a charter (commitments, measures,
targets, readings, actions, evidence, reviews) follows the charter.
"""

from django.db.models import Q

from cms.permissions import (
    has_role,
    in_organisation_scope,
    register,
    register_visibility,
    sees_whole_partnership,
)
from cms.refusals import ALLOWED, refuse
from cms.roles import Role


def keeps_charters(user) -> bool:
    return has_role(user, Role.HR, Role.ADMIN)


def keeps_charter(user, charter) -> bool:
    """HR of the charter's organisation (or partnership-wide), or an admin."""
    return (
        charter is not None
        and keeps_charters(user)
        and in_organisation_scope(user, charter.organisation_id)
    )


def charters_kept_by(user):
    """The charters ``user`` keeps, as a queryset: the same rule as ``keeps_charter``."""
    from .models import Charter

    if not keeps_charters(user):
        return Charter.objects.none()
    if sees_whole_partnership(user):
        return Charter.objects.all()
    if not user.organisation_id:
        return Charter.objects.none()
    return Charter.objects.filter(organisation_id=user.organisation_id)


@register("charter.keep_charters")
def _keep_charters(user, obj=None) -> bool:
    """May work with charters in the Wagtail admin at all."""
    return keeps_charters(user)


@register("charter.keep_charter")
def _keep_charter(user, charter=None):
    """HR and charter leads of the charter's organisation keep it: its targets, readings,
    evidence, actions and reviews."""
    if keeps_charter(user, charter):
        return ALLOWED
    organisation = charter.organisation.name if charter is not None else "its organisation"
    return refuse(
        f"Only HR and charter leads of {organisation} can change this charter. Ask an "
        "administrator if you need access."
    )


@register("charter.view_progress")
def _view_progress(user, charter=None) -> bool:
    """The public progress page: published charters for everyone; HR may preview their own."""
    return charter is not None and (charter.published or keeps_charter(user, charter))


@register("charter.request_board_report")
def _request_board_report(user, charter=None) -> bool:
    return keeps_charter(user, charter)


def register_charter_visibility() -> None:
    """Called from CharterConfig.ready, once models can be imported."""
    from .models import (
        Charter,
        CharterAction,
        Commitment,
        Evidence,
        Measure,
        Reading,
        Review,
        Target,
    )

    def kept(path: str):
        def visible(user, queryset):
            if not user.is_authenticated or not keeps_charters(user):
                return queryset.none()
            if sees_whole_partnership(user):
                return queryset
            return queryset.filter(**{f"{path}__in": charters_kept_by(user).values("pk")})

        return visible

    @register_visibility(Charter)
    def _charters(user, queryset):
        # Published charters are public; HR also see their organisation's drafts.
        if keeps_charters(user) and sees_whole_partnership(user):
            return queryset
        kept_ids = charters_kept_by(user).values("pk")
        return queryset.filter(Q(published=True) | Q(pk__in=kept_ids))

    register_visibility(Commitment)(kept("charter"))
    register_visibility(Measure)(kept("commitment__charter"))
    register_visibility(Target)(kept("measure__commitment__charter"))
    register_visibility(Reading)(kept("measure__commitment__charter"))
    register_visibility(CharterAction)(kept("charter"))
    register_visibility(Evidence)(kept("charter"))
    register_visibility(Review)(kept("charter"))
    register_outcome_visibility()


# --- Partnership outcomes ----------------------------------------------------------------------
# Programmes belong to the whole partnership, so they are kept by HR who see the whole
# partnership (``partnership_wide``) and by administrators; HR of one organisation are not
# allowed to change the partnership's figures. Published programmes are public.

OUTCOMES_REFUSAL = (
    "Only HR staff with partnership-wide access, and administrators, keep the partnership's "
    "outcomes. Ask an administrator if you need access."
)


def keeps_outcomes(user) -> bool:
    return keeps_charters(user) and sees_whole_partnership(user)


@register("charter.keep_outcomes")
def _keep_outcomes(user, obj=None):
    """Keep the partnership's programmes, outcome measures, comparisons and targets."""
    return ALLOWED if keeps_outcomes(user) else refuse(OUTCOMES_REFUSAL)


@register("charter.view_programme")
def _view_programme(user, programme=None) -> bool:
    """A programme's public page: published ones for everyone; keepers may preview drafts."""
    return programme is not None and (programme.published or keeps_outcomes(user))


def register_outcome_visibility() -> None:
    """Published programmes (and what is under them) are public; keepers see every one."""
    from .models import Comparison, OutcomeMeasure, OutcomeTarget, Programme

    def published(path: str):
        def visible(user, queryset):
            if user.is_authenticated and keeps_outcomes(user):
                return queryset
            return queryset.filter(**{path: True})

        return visible

    register_visibility(Programme)(published("published"))
    register_visibility(OutcomeMeasure)(published("programme__published"))
    register_visibility(Comparison)(published("measure__programme__published"))
    register_visibility(OutcomeTarget)(published("measure__programme__published"))
