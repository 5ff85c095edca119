"""The site shell's own My space panels: the person's account, and staff tools."""

from allauth.mfa.models import Authenticator

from . import permissions
from .models import Organisation
from .myspace import MySpacePanel


class AccountPanel(MySpacePanel):
    """Everyone's account: email, sign-in safety and where to change them."""

    name = "account"
    heading = "Your account"
    order = 900
    template_name = "cms/myspace/account_panel.html"

    def counts(self, request):
        return {
            "totp": Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP)
        }

    def get_context_data(self, request):
        user = request.user
        return {
            "email": user.email,
            "mfa_enabled": self.counted(request, "totp") > 0,
            "mfa_required": permissions.requires_mfa(user),
        }


class StaffToolsPanel(MySpacePanel):
    """Staff who work in the Wagtail admin get a way in, and their organisation's name."""

    name = "staff_tools"
    heading = "Staff tools"
    order = 800
    template_name = "cms/myspace/staff_tools_panel.html"

    def is_shown(self, request):
        return permissions.can(request.user, "cms.use_admin_site")

    def values(self, request):
        # The name is read with the page's other numbers, not by loading the organisation.
        return {
            "organisation": Organisation.objects.filter(
                pk=request.user.organisation_id
            ).values_list("name", flat=True)
        }

    def get_context_data(self, request):
        user = request.user
        return {
            "organisation": self.valued(request, "organisation") if user.organisation_id else None,
            "partnership_wide": permissions.sees_whole_partnership(user),
            "can_edit_pages": permissions.can(user, "cms.edit_pages"),
        }


class GettingStartedPanel(MySpacePanel):
    """What a new member can do next, so the page is never empty."""

    name = "getting_started"
    heading = "Getting started"
    order = 10
    template_name = "cms/myspace/getting_started_panel.html"

    def is_shown(self, request):
        return not permissions.is_staff_member(request.user)
