"""The one place that answers "may this person do X to this record".

Rules are registered by name (``"cms.view_audit_log"``, later ``"coproduce.approve_claim"``)
as small predicate functions, so each app adds its own rules here through the registry while
views, templates and admin policies only ever ask ``can(user, "app.action", obj)``. Each app
also registers a ``visible_to`` function per model, used by every list, export and count.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet

from .refusals import Decision, Refused, decision
from .roles import ADMIN_SITE_ROLES, STAFF_ROLES, Role

# A rule answers with a Decision (allowed, or refused with the reason), or a plain bool.
Rule = Callable[[Any, Any], "Decision | bool"]
_rules: dict[str, Rule] = {}
_visibility: dict[type[Model], Callable[[Any, QuerySet], QuerySet]] = {}


# --- Who holds which role --------------------------------------------------------------


# Set on the signed-in user by AccountSafetyMiddleware while a staff member has not yet set
# up their authenticator app (they can then only reach public and account pages).
STAFF_ROLES_WITHHELD = "staff_roles_withheld"


def held_roles(user) -> frozenset[Role]:
    """Every role ``user`` has been given, whether or not they may use it yet."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    roles = {Role(name) for name in user.role_names if name in Role._value2member_map_}
    if user.is_superuser:
        roles.add(Role.ADMIN)
    return frozenset(roles)


def withhold_staff_roles(user) -> None:
    """For this request, ``user`` holds no staff role: they have not set up the
    authenticator app their staff role needs. Public pages they may still read then show
    them only what a visitor sees, whichever rule or list the page asks."""
    setattr(user, STAFF_ROLES_WITHHELD, True)


def roles_of(user) -> frozenset[Role]:
    """The roles ``user`` may use now; anonymous people hold none. Staff roles count only
    once the person has set up their authenticator app: every ``can()`` and
    ``visible_to()`` asks this, so none can give staff powers without it."""
    roles = held_roles(user)
    if roles & STAFF_ROLES and getattr(user, STAFF_ROLES_WITHHELD, False):
        return roles - STAFF_ROLES
    return roles


def has_role(user, *roles: Role) -> bool:
    """True when ``user`` holds any of ``roles``."""
    return bool(roles_of(user).intersection(roles))


def is_admin(user) -> bool:
    return Role.ADMIN in roles_of(user)


def sees_whole_partnership(user) -> bool:
    """Does ``user`` see the records of every organisation in the partnership, not only
    their own? Admins do, and so does anyone marked partnership-wide."""
    return is_admin(user) or getattr(user, "partnership_wide", False)


def is_staff_member(user) -> bool:
    """True for anyone holding a staff role (they must use MFA)."""
    return bool(roles_of(user) & STAFF_ROLES)


def requires_mfa(user) -> bool:
    """True for anyone given a staff role, whether or not they have set MFA up yet."""
    return bool(held_roles(user) & STAFF_ROLES)


def in_organisation_scope(user, organisation_id: int | None) -> bool:
    """May this staff member see records of ``organisation_id``?"""
    if sees_whole_partnership(user):
        return True
    return organisation_id is not None and organisation_id == getattr(user, "organisation_id", None)


def scope_to_organisation(user, queryset: QuerySet, field: str = "organisation") -> QuerySet:
    """Narrow ``queryset`` to the organisations ``user`` may see."""
    if sees_whole_partnership(user):
        return queryset
    if not getattr(user, "organisation_id", None):
        return queryset.none()
    return queryset.filter(**{f"{field}_id": user.organisation_id})


def case_access_refusal(*, by, person) -> str | None:
    """Why ``by`` may not give ``person`` sight of someone's case records (their sessions,
    safeguarding concerns and supervision notes, through the supervisor role or being named
    a worker's supervisor), or None when they may. Nobody grants that sight to themselves:
    it is always someone else's decision, so no one person can open case records alone."""
    if by is not None and person is not None and by.pk is not None and by.pk == person.pk:
        return (
            "You cannot give yourself access to peer workers' case records: someone else "
            "must make this change."
        )
    return None


# --- The registry ----------------------------------------------------------------------


def register(name: str) -> Callable[[Rule], Rule]:
    """Register ``fn(user, obj) -> bool`` as the rule called ``name``."""

    def decorator(fn: Rule) -> Rule:
        if name in _rules and _rules[name] is not fn:
            raise ValueError(f"The permission rule {name!r} is already registered.")
        _rules[name] = fn
        return fn

    return decorator


def register_visibility(model: type[Model]):
    """Register ``fn(user, queryset) -> queryset`` as the records of ``model`` a user sees."""

    def decorator(fn):
        _visibility[model] = fn
        return fn

    return decorator


def decide(user, name: str, obj: Any = None) -> Decision:
    """The rule ``name``'s answer for ``user`` (and ``obj``): allowed, or refused with the
    reason to show them. A rule name nobody registered is a mistake in the code, so it
    raises ``KeyError`` rather than answering yes or no; a test checks that every rule the
    code names is registered (tests/test_rules_named_exist.py)."""
    if user is None:
        user = AnonymousUser()
    rule = _rules.get(name)
    if rule is None:
        raise KeyError(f"No permission rule called {name!r} is registered.")
    return decision(rule(user, obj))


def can(user, name: str, obj: Any = None) -> bool:
    """May ``user`` do ``name`` (to ``obj``)? See ``decide``."""
    return decide(user, name, obj).allowed


def why_not(user, name: str, obj: Any = None) -> str | None:
    """Why ``user`` may not do ``name`` (to ``obj``), in words for them; None when they may."""
    return decide(user, name, obj).reason


def require(user, name: str, obj: Any = None) -> None:
    """Raise ``Refused`` with the rule's reason unless ``user`` may do ``name`` (to
    ``obj``). ``Refused`` is a ``PermissionDenied``: a view that does not catch it answers
    403, and a service's caller shows the reason."""
    reason = why_not(user, name, obj)
    if reason is not None:
        raise Refused(reason)


def visible_to(user, model_or_queryset) -> QuerySet:
    """The records of a model that ``user`` may see; nothing when no rule is registered."""
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, QuerySet)
        else model_or_queryset._default_manager.all()
    )
    rule = _visibility.get(queryset.model)
    if rule is None:
        return queryset.none()
    return rule(user, queryset)


def registered_rules() -> list[str]:
    return sorted(_rules)


# --- The shell's own rules ---------------------------------------------------------------


@register("cms.view_my_space")
def _view_my_space(user, obj=None) -> bool:
    return user.is_authenticated and user.is_active


@register("cms.use_admin_site")
def _use_admin_site(user, obj=None) -> bool:
    return is_admin(user) or has_role(user, *ADMIN_SITE_ROLES)


@register("cms.edit_pages")
def _edit_pages(user, obj=None) -> bool:
    return has_role(user, Role.EDITOR, Role.ADMIN)


@register("cms.import_offers")
def _import_offers(user, obj=None) -> bool:
    """Importing an Open Referral UK file publishes offers, so it is for those who publish."""
    return has_role(user, Role.EDITOR, Role.ADMIN)


@register("cms.view_audit_log")
def _view_audit_log(user, obj=None) -> bool:
    return is_admin(user)


@register("cms.view_worker_status")
def _view_worker_status(user, obj=None) -> bool:
    return is_admin(user)


@register("cms.manage_outbound_mail")
def _manage_outbound_mail(user, obj=None) -> bool:
    """Outbound mail names everyone the site writes to: admins only, and never its bodies."""
    return is_admin(user)


@register("cms.run_retention")
def _run_retention(user, obj=None) -> bool:
    """The retention task deletes records past their time limit: admins only."""
    return is_admin(user)


@register("cms.handle_data_requests")
def _handle_data_requests(user, obj=None) -> bool:
    """Requests about personal data (a copy of it, or erasing it) received by letter or
    phone: admins record them, produce the copy and carry them out."""
    return is_admin(user)


@register("cms.manage_organisations")
def _manage_organisations(user, obj=None) -> bool:
    return is_admin(user)


@register("cms.view_organisation_records")
def _view_organisation_records(user, obj=None) -> bool:
    """Staff may see records belonging to an organisation in their scope."""
    if not is_staff_member(user):
        return False
    organisation_id = getattr(obj, "organisation_id", getattr(obj, "pk", None))
    return in_organisation_scope(user, organisation_id)


def register_shell_visibility() -> None:
    """Called from CmsConfig.ready, once models can be imported."""
    from .models import Organisation

    @register_visibility(Organisation)
    def _organisations_visible_to(user, queryset):
        # Organisations are public facts (names, kinds, areas): everyone may see them.
        return queryset
