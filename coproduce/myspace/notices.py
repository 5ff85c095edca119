"""My space panels of notices: a member's way to choose how we contact them, and a lead's
count of members waiting for a call or a letter. Fixed queries whatever the numbers."""

from django.urls import reverse

from cms.myspace import MySpacePanel
from cms.permissions import can, has_role
from cms.roles import Role

from ..choices import ContactPreference
from ..notices import NOTICES, contact_tasks_visible_to
from .person import person_of


class NoticePreferencesPanel(MySpacePanel):
    """How the member hears from us, and how many notices they turned off."""

    name = "notice_preferences"
    heading = "How we contact you"
    order = 45
    template_name = "coproduce/myspace/notice_preferences.html"

    def is_shown(self, request) -> bool:
        return has_role(request.user, Role.MEMBER) and can(request.user, "coproduce.keep_profile")

    def get_context_data(self, request) -> dict:
        profile = person_of(request.user).profile
        declined = [k for k in (profile.notices_declined or []) if k in NOTICES] if profile else []
        return {
            "profile": profile,
            "channel": (
                ContactPreference(profile.contact_preference).label.lower() if profile else ""
            ),
            "declined": [NOTICES[k].label for k in declined],
            "url": reverse("coproduce:notice_preferences"),
        }


class ContactTasksPanel(MySpacePanel):
    """For leads: how many members wait for a call or a letter."""

    name = "contact_tasks"
    heading = "Calls and letters to members"
    order = 62
    template_name = "coproduce/myspace/contact_tasks.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "coproduce.view_contact_tasks")

    def counts(self, request) -> dict:
        return {"waiting": contact_tasks_visible_to(request.user).filter(done_at__isnull=True)}

    def get_context_data(self, request) -> dict:
        return {
            "count": self.counted(request, "waiting"),
            "url": reverse("coproduce:contact_task_list"),
        }


def add_notice_panels(request, panels):
    panels.extend([NoticePreferencesPanel(), ContactTasksPanel()])
