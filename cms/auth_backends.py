"""How a signed-in person, their roles and their permissions are read on each request, in
the fewest queries that give the same answers (issue 19: every page at most 15 queries).

Every page of the Wagtail admin needs the person, their Wagtail profile (language and time
zone), their groups (our roles), their own and their groups' Django permissions, and whether
their groups hold any page, collection or site permission (the admin's menus and search ask
Wagtail's permission policies). Django and Wagtail read those in seven queries; here:

- the person is read with their Wagtail profile (``PermissionsBackend.get_user``);
- their own and their groups' permissions are read in one query
  (``PermissionsBackend.get_all_permissions``);
- their groups' names are read with whether those groups hold any page, collection or site
  permission at all; of each kind they hold none of, as most roles do, Wagtail is told so
  for the request and does not ask again (``read_groups``, behind ``User.role_names``).

The same rows decide what anyone may do: only the number of queries changes.
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q
from wagtail.models import GroupCollectionPermission, GroupPagePermission, GroupSitePermission
from wagtail.permission_policies.collections import CollectionPermissionLookupMixin
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permission_policies.sites import SitePermissionPolicy

# Wagtail's permission policies keep the rows they read about a person's groups on the
# person, for the request, under these names (``permission_cache_name``); each row model's
# rows of those groups are what the policy would read.
WAGTAIL_GROUP_PERMISSIONS = {
    PagePermissionPolicy.permission_cache_name: GroupPagePermission,
    CollectionPermissionLookupMixin.permission_cache_name: GroupCollectionPermission,
    SitePermissionPolicy.permission_cache_name: GroupSitePermission,
}
# What Django's backends keep on the person for the request.
DJANGO_PERMISSION_CACHES = ("_perm_cache", "_user_perm_cache", "_group_perm_cache")


class PermissionsBackend(ModelBackend):
    """Django's ``ModelBackend`` (the same sign-in, the same permissions, superusers have
    every one and inactive people none) with the person and their permissions each read in
    one query."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("wagtail_userprofile").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                permissions = Permission.objects.all()
            else:
                own = Permission.objects.filter(user=user_obj).values("pk")
                through_groups = Permission.objects.filter(group__user=user_obj).values("pk")
                permissions = Permission.objects.filter(Q(pk__in=own) | Q(pk__in=through_groups))
            rows = permissions.values_list("content_type__app_label", "codename").order_by()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache


def read_groups(user) -> frozenset[str]:
    """The names of ``user``'s groups, in one query that also says whether those groups
    hold any of Wagtail's page, collection or site permissions; of each kind they hold none
    of, Wagtail's policies are given the empty answer they would have read."""
    holds = {
        f"holds_{number}": Exists(model.objects.filter(group=OuterRef("pk")))
        for number, model in enumerate(WAGTAIL_GROUP_PERMISSIONS.values())
    }
    rows = list(
        Group.objects.filter(user=user).annotate(**holds).values_list("name", *holds).order_by()
    )
    # Wagtail answers inactive people and superusers without reading these rows.
    if user.is_active and not user.is_superuser:
        for column, (cache_name, model) in enumerate(WAGTAIL_GROUP_PERMISSIONS.items(), 1):
            if not any(row[column] for row in rows) and not hasattr(user, cache_name):
                setattr(user, cache_name, model.objects.none())
    return frozenset(row[0] for row in rows)


def forget_groups(user) -> None:
    """Forget what this request read about ``user``'s groups and permissions, after
    changing them, so the next question reads them again."""
    for name in ("role_names", *WAGTAIL_GROUP_PERMISSIONS, *DJANGO_PERMISSION_CACHES):
        user.__dict__.pop(name, None)


# The backend this module's replaced, as sessions signed in before it still name it.
FORMER_BACKEND = "django.contrib.auth.backends.ModelBackend"
BACKEND = "cms.auth_backends.PermissionsBackend"


class FormerBackendSessionMiddleware:
    """Keep people signed in across the change of backend: Django signs out a session
    whose backend is no longer in ``AUTHENTICATION_BACKENDS``, so a session that names
    Django's ``ModelBackend`` is given this one, which reads the same person. Between the
    session and authentication middleware; it reads only the session they read anyway."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(BACKEND_SESSION_KEY) == FORMER_BACKEND
            and FORMER_BACKEND not in settings.AUTHENTICATION_BACKENDS
            and BACKEND in settings.AUTHENTICATION_BACKENDS
        ):
            session[BACKEND_SESSION_KEY] = BACKEND
        return self.get_response(request)
