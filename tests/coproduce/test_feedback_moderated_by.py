"""Who moderates which organisation's feedback is one rule: the moderation list and the
trends' monthly totals both follow it, so a person's trends count exactly the feedback
their moderation list holds, whatever their role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cms.permissions import withhold_staff_roles
from coproduce.models import FeedbackMonth
from coproduce.selectors.feedback import feedback_moderated_by, totals_moderated_by
from tests.conftest import ROLE_NAMES
from tests.factories import FeedbackFactory, OfferPageFactory

pytestmark = pytest.mark.django_db

# Whose feedback each kind of person moderates: ours, the other organisation's, or none.
PEOPLE = {
    **{name: set() for name in ROLE_NAMES},
    "engagement_lead": {"ours"},
    "admin": {"ours", "theirs"},
    "partnership-wide lead": {"ours", "theirs"},
    "lead without an organisation": set(),
    "lead without MFA set up": set(),
    "lead whose account is closed": set(),
}


def person(name, make_person, other_organisation):
    if name == "anonymous":
        return AnonymousUser()
    if name == "partnership-wide lead":
        return make_person("engagement_lead", partnership_wide=True)
    if name == "lead without an organisation":
        return make_person("engagement_lead", organisation=None)
    if name == "lead without MFA set up":
        # As each request finds them: their staff role waits for an authenticator app.
        lead = make_person("engagement_lead", mfa=False)
        withhold_staff_roles(lead)
        return lead
    if name == "lead whose account is closed":
        return make_person("engagement_lead", is_active=False)
    if name == "member":
        # Their own feedback on our offer is theirs to read, not to moderate.
        member = make_person("member")
        FeedbackFactory(offer=OfferPageFactory(provider=other_organisation), author=member)
        return member
    return make_person(name)


@pytest.mark.parametrize("name", PEOPLE)
def test_the_trends_totals_cover_the_organisations_whose_feedback_the_person_moderates(
    name, make_person, organisation, other_organisation
):
    for provider in (organisation, other_organisation):
        FeedbackFactory.create_batch(2, offer=OfferPageFactory(provider=provider))
    assert set(FeedbackMonth.objects.values_list("organisation_id", flat=True)) == {
        organisation.pk,
        other_organisation.pk,
    }
    ids = {"ours": organisation.pk, "theirs": other_organisation.pk}
    user = person(name, make_person, other_organisation)

    moderated = set(feedback_moderated_by(user).values_list("organisation_id", flat=True))
    counted = set(totals_moderated_by(user).values_list("organisation_id", flat=True))

    assert moderated == counted == {ids[whose] for whose in PEOPLE[name]}
