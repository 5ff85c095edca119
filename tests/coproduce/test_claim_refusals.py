"""A claim's rules say why as well as whether: the reason a lead or finance reads on the
page is the reason the service refuses with, for every state a claim can be in."""

import pytest

from cms.permissions import why_not
from coproduce.models import InvolvementClaim
from coproduce.services import Refused
from coproduce.services import claims as services
from tests.conftest import sign_in
from tests.coproduce.test_claims import claim_in, page_text

pytestmark = pytest.mark.django_db

STATES = {"draft": {}, "returned": {"returned": True}, "approved": {"approved": True}}
STATES["paid"] = {"paid": True}


@pytest.mark.parametrize("state", STATES)
def test_the_lead_reads_the_reason_the_approval_service_gives(
    client, make_person, organisation, state
):
    lead = make_person("engagement_lead")
    claim = claim_in(organisation, **STATES[state])
    reason = why_not(lead, "coproduce.approve_claim", claim)
    assert reason
    with pytest.raises(Refused) as refused:
        services.claim_approve(claim=claim, user=lead)
    assert refused.value.message == reason
    sign_in(client, lead)
    page = client.get(f"/admin/claims/review/{claim.pk}/", follow=True)
    assert reason in page_text(page)
    assert InvolvementClaim.objects.get(pk=claim.pk).status == claim.status


@pytest.mark.parametrize("state", ["submitted", "returned", "paid"])
def test_finance_reads_the_reason_the_payment_service_gives(
    client, make_person, organisation, state
):
    """Finance sees only approved and paid claims: of the others, the page is not found and
    the service refuses without saying more."""
    finance = make_person("finance")
    claim = claim_in(organisation, **{state: True})
    reason = why_not(finance, "coproduce.pay_claim", claim)
    assert reason
    with pytest.raises(Refused) as refused:
        services.claim_mark_paid(claim=claim, user=finance, payment_reference="BACS-1")
    sign_in(client, finance)
    page = client.get(f"/admin/claims/pay/{claim.pk}/", follow=True)
    if state == "paid":
        assert refused.value.message == reason
        assert reason in page_text(page)
    else:
        assert page.status_code == 404
        assert refused.value.message == (
            "Only finance staff for this organisation can mark its claims paid."
        )
    assert InvolvementClaim.objects.get(pk=claim.pk).status == claim.status


def test_a_member_reads_why_their_sent_claim_cannot_change(client, make_person, organisation):
    member = make_person("member")
    claim = claim_in(organisation, member=member, submitted=True)
    reason = why_not(member, "coproduce.edit_claim", claim)
    assert reason == "You have already sent this claim. It is waiting for approval."
    with pytest.raises(Refused) as refused:
        services.claim_submit(claim=claim, user=member, declaration=True)
    assert refused.value.message == reason
