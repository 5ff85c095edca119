"""A lead redacts feedback and answers it in real Chromium (issue 13): the moderation page
is one form, so the words the lead cut down are kept whichever button they press, and the
offer's page shows only those words, never the personal details the person wrote."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from cms.roles import Role
from coproduce.factories import FeedbackFactory
from tests.browser.test_panels_journey import LEAD_SECRET, check_admin, heading, sign_in
from tests.factories import OfferPageFactory, OrganisationFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OFFER = "Open Door Crisis Café"
WROTE = "Dr Patel at 14 Hill Road sat with me until I felt safe."
REDACTED = "The doctor sat with me until I felt safe."
RESPONSE = "Thank you. We have told the team what helped."


def test_a_lead_redacts_responds_and_the_offer_page_shows_only_the_redacted_words(
    live_server, new_page, screenshot, settings
):
    settings.MFA_TOTP_TOLERANCE = 1
    organisation = OrganisationFactory(name="Open Door Crisis Café CIC")
    offer = OfferPageFactory(title=OFFER, slug="open-door-crisis-cafe", provider=organisation)
    lead = UserFactory(
        first_name="Chris",
        roles=[Role.ENGAGEMENT_LEAD],
        organisation=organisation,
        mfa=LEAD_SECRET,
    )
    feedback = FeedbackFactory(
        offer=offer, consent_to_publish=True, went_well=WROTE, could_be_better=""
    )
    mail.outbox.clear()

    admin = new_page()
    sign_in(admin, live_server.url, lead.email, totp_secret=LEAD_SECRET)
    admin.goto(live_server.url + f"/admin/feedback/edit/{feedback.pk}/")
    words = admin.get_by_role("textbox", name="Words to publish")
    expect(words).to_have_value(WROTE)
    # The lead cuts the words down, then answers straight away with the other button.
    words.fill(REDACTED)
    admin.get_by_role("textbox", name="Public response").fill(RESPONSE)
    admin.get_by_role("button", name="Publish response").click()
    expect(admin.get_by_text("Response published.")).to_be_visible()
    expect(admin.get_by_text("Words published on the offer page.")).to_be_visible()
    expect(admin.get_by_role("textbox", name="Words to publish")).to_have_value(REDACTED)
    check_admin(admin, screenshot, "admin-redacted-and-answered")

    # Every other action keeps the redaction.
    admin.get_by_role("button", name="Save themes").click()
    expect(admin.get_by_text("Feedback triaged. Its themes are saved.")).to_be_visible()
    admin.get_by_role("button", name="Close feedback").click()
    expect(admin.get_by_text("Feedback closed.")).to_be_visible()
    feedback.refresh_from_db()
    assert (feedback.public_quote, feedback.public_response) == (REDACTED, RESPONSE)

    public = new_page()
    public.goto(live_server.url + offer.url)
    expect(heading(public, OFFER)).to_be_visible()
    main = public.get_by_role("main")
    expect(main).to_contain_text(REDACTED)
    expect(main).to_contain_text(RESPONSE)
    expect(main).not_to_contain_text("Patel")
    expect(main).not_to_contain_text("Hill Road")
    screenshot(public, "offer-shows-only-the-redacted-words")
