"""What every page's layout needs: the person's account links and roles."""

from . import permissions


def site_shell(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "signed_in": signed_in,
        "can_use_admin_site": signed_in and permissions.can(user, "cms.use_admin_site"),
    }
