"""A claim's rules say why as well as whether: the reason a lead or finance reads on the
page is the reason the service refuses with, for every state a claim can be in."""

import pytest

from cms.permissions import why_not
from coproduce.models import InvolvementClaim, PaymentRun
from coproduce.services import Refused
from coproduce.services import claims as services
from coproduce.services import payment_runs as run_services
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
def test_finance_reads_the_reason_a_payment_run_gives(client, make_person, organisation, state):
    """Finance sees only approved and paid claims: a paid one is refused a place in a run
    with the payment rule's own reason, which the old "mark paid" address shows too; of the
    others, the page is not found and the run refuses without naming them."""
    finance = make_person("finance")
    claim = claim_in(organisation, **{state: True})
    reason = why_not(finance, "coproduce.pay_claim", claim)
    assert reason
    with pytest.raises(Refused) as refused:
        run_services.payment_run_build(
            user=finance, organisation=organisation, claim_ids=[claim.pk]
        )
    sign_in(client, finance)
    page = client.get(f"/admin/claims/pay/{claim.pk}/", follow=True)
    if state == "paid":
        assert f"{claim.reference}: {reason}" in refused.value.message
        assert reason in page_text(page)
    else:
        assert page.status_code == 404
        assert claim.reference not in refused.value.message
    assert InvolvementClaim.objects.get(pk=claim.pk).status == claim.status
    assert not PaymentRun.objects.exists()
