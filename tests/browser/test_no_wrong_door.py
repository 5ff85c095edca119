"""No wrong door, on a phone: someone with no account, on a phone in the evening, starts at
the home page and finds a crisis café that is open tonight, and reads where it is and when
it closes, in a few taps. Every page on the way passes the accessibility checks.

Two ways a person would go: the search box in the header, and the home page's "Find
support" card with the directory's "Open now" filter.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from cms.models import Location, Need, OfferPage
from tests.factories import AreaFactory, OfferPageFactory, OrganisationFactory, offers_index

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
# A Friday evening in winter, when the café is open and the advice service is not.
FRIDAY_EVENING = datetime(2026, 12, 4, 20, 30, tzinfo=ZoneInfo("Europe/London"))
EVENINGS_INTO_THE_NIGHT = [(weekday, "18:00", "02:00") for weekday in range(7)]
WEEKDAY_DAYTIMES = [(weekday, "09:00", "17:00") for weekday in range(5)]
# Taps and typing: few enough that someone in distress is not lost on the way.
MOST_STEPS_BY_SEARCH = 2
MOST_STEPS_BY_DIRECTORY = 5


@pytest.fixture
def evening():
    with time_machine.travel(FRIDAY_EVENING, tick=True):
        yield


@pytest.fixture
def cafe(evening):
    crisis = Need.objects.get(slug="crisis")
    southmoor = AreaFactory(name="Southmoor")
    offers_index()
    cafe = OfferPageFactory(
        title="Harbour Crisis Café",
        provider=OrganisationFactory(name="Open Door Crisis Café"),
        kind=OfferPage.Kind.CRISIS_CAFE,
        summary="A calm, warm place to go in the evening when things feel too much. "
        "No appointment, no referral.",
        needs=[crisis],
        areas=[southmoor],
        opening_times=EVENINGS_INTO_THE_NIGHT,
        self_referral=True,
        self_referral_drop_in=True,
        address="14 Harbour Street\nSouthmoor",
        postcode="SM1 2AB",
        locations=[
            Location(
                name="Harbour Street", address="14 Harbour Street\nSouthmoor", postcode="SM1 2AB"
            )
        ],
    )
    OfferPageFactory(
        title="Southmoor Money Advice",
        provider=OrganisationFactory(name="Citizens Advice Southmoor"),
        summary="Free advice on debts, benefits and bills.",
        areas=[southmoor],
        opening_times=WEEKDAY_DAYTIMES,
    )
    return cafe


@pytest.fixture
def phone(browser):
    """A phone's browser: 390 × 844, touch, no account."""
    context = browser.new_context(
        viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2, locale="en-GB"
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


class Steps:
    """Counts what the person does: each tap and each thing typed."""

    def __init__(self):
        self.count = 0

    def tap(self, locator):
        locator.scroll_into_view_if_needed()
        locator.tap()
        self.count += 1

    def type_and_go(self, locator, text: str):
        locator.tap()
        locator.fill(text)
        locator.press("Enter")
        self.count += 1


def reads_where_and_when(page):
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1, name="Harbour Crisis Café")).to_be_visible()
    expect(main.get_by_text("14 Harbour Street").first).to_be_visible()
    expect(main.get_by_text("SM1 2AB").first).to_be_visible()
    expect(main.get_by_text("Open now until 2am").first).to_be_visible()


def test_by_the_search_box_in_the_header(live_server, phone, cafe, check_page):
    steps = Steps()
    phone.goto(live_server.url + "/")
    check_page(phone, "home on a phone")

    search = phone.get_by_role("searchbox", name="Search this website")
    steps.type_and_go(search, "crisis cafe")
    expect(phone.get_by_role("heading", name="If you need help now")).to_be_visible()
    check_page(phone, "search results")

    steps.tap(phone.get_by_role("link", name="Harbour Crisis Café"))
    reads_where_and_when(phone)
    check_page(phone, "the café")
    assert steps.count <= MOST_STEPS_BY_SEARCH


def test_by_find_support_and_open_now(live_server, phone, cafe, check_page):
    steps = Steps()
    phone.goto(live_server.url + "/")
    steps.tap(phone.get_by_role("main").get_by_role("link", name="Find support"))
    expect(phone.get_by_role("heading", level=1, name="Find support")).to_be_visible()
    check_page(phone, "directory on a phone")

    open_now = phone.get_by_role("checkbox", name="Open now")
    if not open_now.is_visible():
        steps.tap(phone.get_by_text("Filter results"))
    steps.tap(open_now)
    steps.tap(phone.get_by_role("button", name="Show offers"))
    expect(phone.get_by_role("link", name="Harbour Crisis Café")).to_be_visible()
    expect(phone.get_by_role("link", name="Southmoor Money Advice")).to_have_count(0)
    check_page(phone, "open now")

    steps.tap(phone.get_by_role("link", name="Harbour Crisis Café"))
    reads_where_and_when(phone)
    assert steps.count <= MOST_STEPS_BY_DIRECTORY
