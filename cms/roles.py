"""The roles people hold on the platform, and which of them are staff roles.

Each role except admin is a Django group created by a data migration; admin is Django's
superuser flag, which Wagtail already treats as every permission.
"""

from enum import StrEnum


class Role(StrEnum):
    MEMBER = "Members"
    PEER_WORKER = "Peer workers"
    SUPERVISOR = "Supervisors"
    ENGAGEMENT_LEAD = "Engagement leads"
    HR = "HR and charter leads"
    FINANCE = "Finance"
    EDITOR = "Editors"  # Wagtail's own editors group, reused
    ADMIN = "Admin"  # the superuser flag, not a group

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.MEMBER: "Member (expert by experience)",
    Role.PEER_WORKER: "Peer worker",
    Role.SUPERVISOR: "Supervisor",
    Role.ENGAGEMENT_LEAD: "Engagement lead",
    Role.HR: "HR or charter lead",
    Role.FINANCE: "Finance",
    Role.EDITOR: "Editor",
    Role.ADMIN: "Administrator",
}

GROUP_ROLES = [role for role in Role if role is not Role.ADMIN]

# Staff roles must use MFA and are scoped to an organisation.
STAFF_ROLES = frozenset(
    {Role.SUPERVISOR, Role.ENGAGEMENT_LEAD, Role.HR, Role.FINANCE, Role.EDITOR, Role.ADMIN}
)

# Staff roles that work in the Wagtail admin (supervisors work only in front-end views).
ADMIN_SITE_ROLES = frozenset({Role.ENGAGEMENT_LEAD, Role.HR, Role.FINANCE, Role.EDITOR})
