"""Feedback on an offer in real Chromium (issue 5): somebody without an account gives
feedback (with a mistake on the way, and nothing they typed lost), the provider's
engagement lead signs in with their authenticator code and moderates it in the Wagtail
admin (themes, the words to publish, a public response, the service change that answered
it), and the response and the change then show on the offer's page and the change's page.

Then an XSS corpus given as feedback, in every text a person or a lead can type, is shown
on every page that shows feedback, and never runs: no dialog opens, the console stays
clean, and no element of the payloads appears in the page.

Site pages get the journey checks (styles, no console errors, axe: no serious or critical
problems, a screenshot); Wagtail admin pages get axe, the console check and a screenshot.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cms.roles import Role
from coproduce.models import Feedback
from tests.browser.conftest import assert_no_console_errors
from tests.browser.test_panels_journey import (
    LEAD_SECRET,
    check_admin,
    heading,
    sign_in,
    submit_refused,
)
from tests.factories import (
    MemberFactory,
    OfferPageFactory,
    OrganisationFactory,
    PanelFactory,
    ServiceChangePageFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OFFER = "Open Door Crisis Café"
CHANGE = "Clearer signs to the café"
WENT_WELL = "The peer supporter sat with me until I felt safe."
BETTER = "I walked past the door twice because I could not find it."
RESPONSE = "Thank you. We have put up lit signs from the bus station to our door."


@pytest.fixture
def setting(settings):
    """An offer, the change its provider made, and the provider's lead."""
    # The code is worked out a moment before the server checks it; one period either side
    # keeps a 30-second boundary falling in between from failing the test.
    settings.MFA_TOTP_TOLERANCE = 1
    organisation = OrganisationFactory(name="Open Door Crisis Café CIC")
    offer = OfferPageFactory(title=OFFER, slug="open-door-crisis-cafe", provider=organisation)
    lead = UserFactory(
        first_name="Chris",
        roles=[Role.ENGAGEMENT_LEAD],
        organisation=organisation,
        mfa=LEAD_SECRET,
    )
    panel = PanelFactory(organisation=organisation, title="Crisis café redesign")
    change = ServiceChangePageFactory(
        title=CHANGE, slug="clearer-signs", offers=[offer], panel=panel, status="done"
    )
    mail.outbox.clear()
    return offer, lead, change


@pytest.fixture
def check_admin_page(screenshot):
    return lambda page, name: check_admin(page, screenshot, name)


def offer_section(page):
    return page.locator("section", has=page.get_by_role("heading", name="What people said"))


def test_public_feedback_is_moderated_answered_on_the_offer_page_and_linked_to_a_change(
    live_server,
    new_page,
    check_page,
    check_admin_page,
    setting,  # noqa: F811
):
    offer, lead, change = setting

    # --- Somebody without an account gives feedback ---------------------------------------
    page = new_page()
    page.goto(live_server.url + offer.url)
    expect(heading(page, OFFER)).to_be_visible()
    expect(offer_section(page)).to_contain_text("No comments have been published")
    check_page(page, "offer")
    page.get_by_role("button", name=f"Give feedback on {OFFER}").click()
    expect(heading(page, "Give feedback")).to_be_visible()
    check_page(page, "give-feedback")

    page.get_by_label("What went well?").fill(WENT_WELL)
    page.get_by_label("What could be better?").fill(BETTER)
    page.get_by_label("Getting there and opening hours").check()
    submit_refused(page, page.get_by_role("button", name="Send feedback").click)
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Choose how your experience was overall.")
    expect(summary).to_contain_text("Choose whether you felt listened to.")
    expect(page.get_by_label("What went well?")).to_have_value(WENT_WELL)
    expect(page.get_by_label("What could be better?")).to_have_value(BETTER)
    expect(page.get_by_label("Getting there and opening hours")).to_be_checked()
    check_page(page, "give-feedback-error")

    page.get_by_role("radio", name="Good", exact=True).check()
    page.get_by_role("group", name="Did you feel listened to?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label(re.compile("^You may publish some of these words")).check()
    page.get_by_role("button", name="Send feedback").click()
    expect(heading(page, "Thank you for your feedback")).to_be_visible()
    check_page(page, "thanks")
    feedback = Feedback.objects.get()
    assert (feedback.source, feedback.author, feedback.status) == ("public", None, "new")

    # --- The provider's lead moderates it in the Wagtail admin ----------------------------
    admin = new_page()
    sign_in(admin, live_server.url, lead.email, totp_secret=LEAD_SECRET)
    admin.goto(live_server.url + "/admin/feedback/")
    expect(admin.get_by_role("main")).to_contain_text(OFFER)
    check_admin_page(admin, "admin-feedback-list")
    admin.get_by_role("main").get_by_role("link", name=re.compile(f"^{OFFER}")).first.click()
    main = admin.get_by_role("main")
    expect(main).to_contain_text(WENT_WELL)
    check_admin_page(admin, "admin-moderate")

    admin.get_by_role("button", name="Mark as triaged").click()
    expect(admin.get_by_text("Feedback triaged.")).to_be_visible()
    admin.get_by_role("textbox", name="Words to publish").fill(WENT_WELL)
    admin.get_by_role("button", name="Save words to publish").click()
    expect(admin.get_by_text("Words published on the offer page.")).to_be_visible()
    admin.get_by_role("textbox", name="Public response").fill(RESPONSE)
    admin.get_by_role("button", name="Publish response").click()
    expect(admin.get_by_text("Response published.")).to_be_visible()
    admin.get_by_role("combobox", name="Service change").select_option(label=CHANGE)
    admin.get_by_role("button", name="Save link").click()
    expect(admin.get_by_text(f"Feedback linked to “{CHANGE}”.")).to_be_visible()
    check_admin_page(admin, "admin-moderated")
    feedback.refresh_from_db()
    assert (feedback.status, feedback.service_change_id) == ("responded", change.pk)
    assert feedback.is_published

    # --- Everyone sees the words, the reply and the change ---------------------------------
    page.goto(live_server.url + offer.url)
    section = offer_section(page)
    expect(section).to_contain_text(WENT_WELL)
    expect(section).to_contain_text(f"Reply from {offer.provider.name}")
    expect(section).to_contain_text(RESPONSE)
    expect(section).not_to_contain_text(BETTER)  # only the words the lead published
    check_page(page, "offer-answered")
    section.get_by_role("link", name=CHANGE).click()
    expect(heading(page, CHANGE)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("We linked 1 piece of feedback")
    expect(page.get_by_role("main")).to_contain_text(WENT_WELL)
    check_page(page, "change")
    page.get_by_role("link", name="See all the changes made because people spoke").click()
    expect(page.get_by_role("main")).to_contain_text(CHANGE)
    check_page(page, "you-said-we-did")


# --- Cross-site scripting ----------------------------------------------------------------------

# Each payload would show a dialog (or set a flag) if it ever ran; each carries a marker so
# the test can see the words are shown, as words.
XSS = [
    '<script>alert("xss-01")</script>',
    '"><img src=x onerror=alert("xss-02")>',
    "<svg/onload=alert('xss-03')>",
    "javascript:alert('xss-04')",
    '</textarea><script>alert("xss-05")</script>',
    "<iframe src=\"javascript:alert('xss-06')\"></iframe>",
    "&lt;script&gt;alert('xss-07')&lt;/script&gt;",
    "<a href=\"javascript:alert('xss-08')\">xss-08 link</a>",
    "'-alert('xss-09')-'",
    '";alert("xss-10");//',
    "<details open ontoggle=alert('xss-11')>xss-11</details>",
    "<<script>script>alert('xss-12')<</script>/script>",
    "<body onload=window.__xss=13>xss-13",
    "%3Cscript%3Ealert('xss-14')%3C/script%3E",
]
CORPUS = "\n".join(XSS)


def assert_payloads_are_inert(page, dialogs: list, where: str) -> None:
    """Nothing ran, nothing of the payloads became markup."""
    page.wait_for_load_state("load")
    assert dialogs == [], f"A dialog opened on {where}: {dialogs}"
    assert_no_console_errors(page)
    assert page.evaluate("window.__xss") is None, where
    for selector in ["img[src=x]", "svg[onload]", "iframe", "details[ontoggle]", "[onerror]"]:
        assert page.locator(selector).count() == 0, f"{selector} on {where}"
    scripts = page.locator("script").evaluate_all(
        "nodes => nodes.map(n => n.textContent).filter(t => t.includes('xss-'))"
    )
    assert scripts == [], f"a script with a payload on {where}"
    assert not page.locator("a[href^='javascript:']").count(), where


def test_an_xss_corpus_given_as_feedback_never_runs_where_it_is_shown(
    live_server, new_page, setting
):
    offer, lead, change = setting
    member = MemberFactory(first_name="Robin")
    dialogs = []

    def open_page():
        opened = new_page()
        opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        return opened

    # A member gives it, first with a mistake: the payloads come back in the form, as typed.
    page = open_page()
    sign_in(page, live_server.url, member.email)
    page.goto(live_server.url + f"/feedback/offers/{offer.pk}/")
    page.get_by_label("What went well?").fill(CORPUS)
    page.get_by_label("What could be better?").fill(CORPUS)
    submit_refused(page, page.get_by_role("button", name="Send feedback").click)
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page.get_by_label("What went well?")).to_have_value(CORPUS)
    assert_payloads_are_inert(page, dialogs, "the form shown again")
    page.get_by_role("radio", name="Very poor", exact=True).check()
    page.get_by_role("group", name="Did you feel listened to?").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_label(re.compile("^You may publish some of these words")).check()
    page.get_by_role("button", name="Send feedback").click()
    expect(heading(page, "Thank you for your feedback")).to_be_visible()
    feedback = Feedback.objects.get()
    assert "xss-01" in feedback.went_well

    # The lead publishes the corpus as the quote and answers with it.
    admin = open_page()
    sign_in(admin, live_server.url, lead.email, totp_secret=LEAD_SECRET)
    admin.goto(live_server.url + f"/admin/feedback/edit/{feedback.pk}/")
    assert_payloads_are_inert(admin, dialogs, "the moderation page")
    admin.get_by_role("textbox", name="Words to publish").fill(CORPUS)
    admin.get_by_role("button", name="Save words to publish").click()
    expect(admin.get_by_text("Words published on the offer page.")).to_be_visible()
    admin.get_by_role("textbox", name="Public response").fill(CORPUS)
    admin.get_by_role("button", name="Publish response").click()
    expect(admin.get_by_text("Response published.")).to_be_visible()
    admin.get_by_role("combobox", name="Service change").select_option(label=CHANGE)
    admin.get_by_role("button", name="Save link").click()
    expect(admin.get_by_text(f"Feedback linked to “{CHANGE}”.")).to_be_visible()
    feedback.refresh_from_db()
    assert feedback.is_published and "xss-13" in feedback.public_response
    # What was typed is stored exactly as written; the pages must show it as text. Put the
    # whole corpus in every field the lead, the member and the public see.
    Feedback.objects.filter(pk=feedback.pk).update(
        went_well=CORPUS, could_be_better=CORPUS, public_quote=CORPUS, public_response=CORPUS
    )

    # Everywhere it is shown, to the lead, the member and the public.
    for url in [
        f"/admin/feedback/edit/{feedback.pk}/",
        "/admin/feedback/",
        f"/admin/feedback/inspect/{feedback.pk}/",
        f"/admin/feedback/history/{feedback.pk}/",
        "/admin/feedback-trends/",
    ]:
        admin.goto(live_server.url + url)
        assert_payloads_are_inert(admin, dialogs, url)

    for url in ["/my-space/", "/feedback/yours/"]:
        page.goto(live_server.url + url)
        expect(page.get_by_role("main")).to_contain_text("xss-01")
        assert_payloads_are_inert(page, dialogs, url)

    public = open_page()
    for url in [
        offer.url,
        f"/feedback/offers/{offer.pk}/what-people-said/",
        change.url,
        change.get_parent().url,
    ]:
        public.goto(live_server.url + url)
        assert_payloads_are_inert(public, dialogs, url)
    # Shown as words: every payload is on the offer page exactly as written.
    public.goto(live_server.url + offer.url)
    shown = offer_section(public).inner_text()
    for payload in XSS:
        assert payload in shown, f"{payload!r} is not shown as written on the offer page"
