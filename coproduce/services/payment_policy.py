"""Each organisation's payment policy: the mileage rate members are paid and how long an
approved claim may wait for payment before finance is warned. Finance (or an administrator)
sets it; every change is written to the audit log with the values before and after.

An organisation that has never set its policy pays the defaults of ``PaymentPolicy``
(45p a mile, HMRC's approved rate for cars; a warning after 14 days unpaid).
"""

from decimal import Decimal

from django.db import transaction
from wagtail.log_actions import log

from cms.permissions import require

from .. import audit_actions
from ..models import PaymentPolicy
from . import Refused

DEFAULT_MILEAGE_RATE = PaymentPolicy._meta.get_field("mileage_rate").default
DEFAULT_UNPAID_WARNING_DAYS = PaymentPolicy._meta.get_field("unpaid_warning_days").default
RATE_MAX = Decimal("5.00")
DAYS_MAX = 365


def payment_policy_for(organisation_id: int | None) -> PaymentPolicy:
    """The organisation's policy, or (unsaved) the defaults when it has none."""
    policy = PaymentPolicy.objects.filter(organisation_id=organisation_id).first()
    if policy is None:
        policy = PaymentPolicy(organisation_id=organisation_id)
    return policy


def mileage_rate_for(organisation_id: int | None) -> Decimal:
    """What the organisation pays a mile now (a claim's mileage keeps the rate of its day)."""
    rate = (
        PaymentPolicy.objects.filter(organisation_id=organisation_id)
        .values_list("mileage_rate", flat=True)
        .first()
    )
    return DEFAULT_MILEAGE_RATE if rate is None else rate


@transaction.atomic
def payment_policy_update(
    *, organisation, user, mileage_rate: Decimal, unpaid_warning_days: int
) -> PaymentPolicy:
    """Set ``organisation``'s policy. Nothing is saved or logged when nothing changed, so a
    page sent back as it was shown leaves no trace. Mileage already claimed keeps its rate."""
    require(user, "coproduce.set_payment_policy", organisation)
    if mileage_rate is None or mileage_rate < 0 or mileage_rate > RATE_MAX:
        raise Refused("The mileage rate must be between £0.00 and £5.00 a mile.")
    if mileage_rate != mileage_rate.quantize(Decimal("0.01")):
        raise Refused("Enter the mileage rate in pounds and pence, like 0.45.")
    if unpaid_warning_days is None or not 1 <= unpaid_warning_days <= DAYS_MAX:
        raise Refused(f"The number of days must be between 1 and {DAYS_MAX}.")
    policy, _ = PaymentPolicy.objects.select_for_update().get_or_create(organisation=organisation)
    before = {
        "mileage_rate": str(policy.mileage_rate),
        "unpaid_warning_days": policy.unpaid_warning_days,
    }
    after = {"mileage_rate": str(mileage_rate), "unpaid_warning_days": unpaid_warning_days}
    if before == after:
        return policy
    policy.mileage_rate = mileage_rate
    policy.unpaid_warning_days = unpaid_warning_days
    policy.updated_by = user
    policy.save()
    log(
        policy,
        audit_actions.PAYMENT_POLICY_CHANGE,
        user=user,
        data={
            "organisation": organisation.name,
            "before": before,
            "after": after,
        },
    )
    return policy
