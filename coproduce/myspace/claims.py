"""My space panels for involvement payments: a member's claims and what they were paid,
the claims waiting for a lead's approval, and the approved claims waiting for finance.

Each panel fetches a fixed number of rows and counts, so My space costs the same queries
with 3 claims or 300.
"""

from django.urls import reverse

from cms.myspace import MySpacePanel
from cms.permissions import can, has_role
from cms.roles import Role

from ..selectors import claims as selectors
from ..selectors import payment_runs as run_selectors


class PaymentsPanel(MySpacePanel):
    """A member's claims that need them, their latest others, and what they were paid in
    this tax year."""

    name = "claim_payments"
    heading = "Your payments"
    order = 40
    template_name = "coproduce/myspace/claims_payments.html"

    def is_shown(self, request) -> bool:
        return has_role(request.user, Role.MEMBER) and can(
            request.user, "coproduce.list_own_claims"
        )

    def get_context_data(self, request) -> dict:
        return {"payments": selectors.member_payments(request.user)}


class ClaimsToApprovePanel(MySpacePanel):
    """For leads: how many claims wait for their approval, and the way to them."""

    name = "claims_to_approve"
    heading = "Claims waiting for approval"
    order = 60
    template_name = "coproduce/myspace/claims_to_approve.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "coproduce.manage_panels")

    def counts(self, request) -> dict:
        return {"waiting": selectors.claims_waiting_for_approval(request.user)}

    def get_context_data(self, request) -> dict:
        return {
            "count": self.counted(request, "waiting"),
            "url": reverse("claims:index") + "?status=submitted",
        }


class ClaimsToPayPanel(MySpacePanel):
    """For finance: how many approved claims wait for a payment run, how many of them have
    waited too long, and the way to pay them."""

    name = "claims_to_pay"
    heading = "Approved claims to pay"
    order = 61
    template_name = "coproduce/myspace/claims_to_pay.html"

    def is_shown(self, request) -> bool:
        return can(request.user, "coproduce.pay_claims")

    def get_context_data(self, request) -> dict:
        waiting, overdue = run_selectors.claims_to_pay_counts(request.user)
        return {
            "count": waiting,
            "overdue": overdue,
            "url": reverse("claims:index") + "?status=approved",
            "pay_url": reverse("payment_runs:build"),
            "runs_url": reverse("payment_runs:index"),
        }


def add_claim_panels(request, panels):
    panels.extend([PaymentsPanel(), ClaimsToApprovePanel(), ClaimsToPayPanel()])
