"""The offers directory in real Chromium: find support with the keyboard alone, answer "help
me choose", read an offer and its easy read version, and use it all on a 320 px screen.

Every page gets ``check_page`` (see conftest): stylesheets applied, no console errors, no
template syntax showing, no serious or critical axe problems, and a screenshot.
"""

import re

import pytest
from playwright.sync_api import expect

from cms.models import Need
from tests.factories import AreaFactory, OfferPageFactory, OrganisationFactory, offers_index

# The needs and the home page come from data migrations, which a transactional test's flush
# would remove: serialized_rollback puts them back before each test.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SMALL_SCREEN = {"width": 320, "height": 640}
# Enough presses to cross the header and the filters, few enough to fail fast.
MOST_TABS = 60
EVERY_EVENING = [(weekday, "18:00", "23:00") for weekday in range(7)]
WEEKDAYS = [(weekday, "09:00", "17:00") for weekday in range(5)]


@pytest.fixture
def directory():
    """A small directory: two crisis offers in Northdale, one in Southmoor, and others."""
    northdale = AreaFactory(name="Northdale")
    southmoor = AreaFactory(name="Southmoor")
    crisis = Need.objects.get(slug="crisis")
    low = Need.objects.get(slug="low-or-anxious")
    money = Need.objects.get(slug="money-and-debt")
    therapies = Need.objects.get(slug="talking-therapies")
    cafe = OfferPageFactory(
        title="Northdale Crisis Café",
        provider=OrganisationFactory(name="Northdale Mind"),
        summary="A calm place to go in the evening when things feel too much.",
        easy_read_summary="A safe place to go at night. You can talk to someone kind.",
        needs=[crisis, low],
        areas=[northdale],
        opening_times=EVERY_EVENING,
        self_referral=True,
        self_referral_phone="01632 960 123",
        self_referral_drop_in=True,
    )
    OfferPageFactory(
        title="Northdale Crisis Line",
        provider=OrganisationFactory(name="Northdale NHS Foundation Trust", nhs_trust=True),
        summary="A phone line staffed by mental health nurses, day and night.",
        needs=[crisis],
        areas=[northdale],
        opening_times=[(weekday, "00:00", "23:59") for weekday in range(7)],
        in_person=False,
        by_phone=True,
        via_gp=True,
    )
    OfferPageFactory(
        title="Southmoor Safe Haven",
        provider=OrganisationFactory(name="Southmoor Community Trust"),
        summary="An evening drop-in for adults in distress.",
        needs=[crisis],
        areas=[southmoor],
        opening_times=EVERY_EVENING,
        self_referral=True,
        self_referral_phone="01632 960 456",
    )
    OfferPageFactory(
        title="Money Matters Northdale",
        provider=OrganisationFactory(name="Northdale Council", local_authority=True),
        summary="Free, confidential advice on debts, benefits and bills.",
        needs=[money],
        areas=[northdale],
        opening_times=WEEKDAYS,
        self_referral=True,
        self_referral_url="https://money-matters.example.org/refer",
    )
    OfferPageFactory(
        title="Talking Therapies Kirklees",
        provider=OrganisationFactory(name="Kirklees NHS Foundation Trust", nhs_trust=True),
        summary="Talking therapies for anxiety and depression, online or in person.",
        needs=[low, therapies],
        opening_times=WEEKDAYS,
        online=True,
        via_gp=True,
    )
    return {"index": offers_index(), "cafe": cafe}


def tab_to(page, target) -> None:
    """Press Tab, as a keyboard user would, until ``target`` has the focus."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{MOST_TABS} presses of Tab did not reach {target} on {page.url}")


def results_heading(page):
    return page.locator("#results-heading")


def directory_search(page):
    """The directory's own search box, not the site search in the header."""
    return page.get_by_role("main").get_by_role("searchbox", name="Search offers", exact=True)


def card_titles(page) -> list[str]:
    return page.locator(".lep-offer-list .nhsuk-card__link").all_inner_texts()


def assert_fits(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, (
        f"{page.url} scrolls sideways at {width} px: it is {scroll_width} px wide"
    )


def test_keyboard_user_filters_the_directory_and_opens_an_offer(
    live_server, page, check_page, directory
):
    page.goto(f"{live_server.url}{directory['index'].url}")
    expect(page.get_by_role("heading", level=1, name="Find support")).to_be_visible()
    expect(results_heading(page)).to_have_text("5 offers")
    check_page(page, "directory")

    tab_to(page, directory_search(page))
    crisis = page.get_by_role("checkbox", name="Crisis support")
    tab_to(page, crisis)
    page.keyboard.press("Space")
    expect(crisis).to_be_checked()
    area = page.get_by_role("combobox", name="Area")
    tab_to(page, area)
    page.keyboard.press("ArrowDown")
    expect(area).to_have_value("northdale")
    tab_to(page, page.get_by_role("button", name="Show offers"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"[?&]need=crisis(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]area=northdale(&|$)"))
    expect(results_heading(page)).to_have_text("2 offers match")
    assert card_titles(page) == ["Northdale Crisis Café", "Northdale Crisis Line"]
    # The filters chosen stay chosen, so the person can change one without starting again.
    expect(page.get_by_role("checkbox", name="Crisis support")).to_be_checked()
    expect(page.get_by_role("combobox", name="Area")).to_have_value("northdale")
    check_page(page, "directory-filtered")

    # Enter in the search box searches within the chosen filters.
    tab_to(page, directory_search(page))
    page.keyboard.type("calm")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=calm(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]need=crisis(&|$)"))
    expect(results_heading(page)).to_have_text("1 offer matches")
    assert card_titles(page) == ["Northdale Crisis Café"]

    tab_to(page, page.get_by_role("link", name="Northdale Crisis Café"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{re.escape(directory['cafe'].url)}$"))
    expect(page.get_by_role("heading", level=1, name="Northdale Crisis Café")).to_be_visible()
    main = page.get_by_role("main")
    expect(main.get_by_text("Run by Northdale Mind")).to_be_visible()
    expect(main.get_by_role("heading", name="You can refer yourself")).to_be_visible()
    expect(main.get_by_role("link", name="01632 960 123")).to_have_attribute(
        "href", "tel:01632960123"
    )
    expect(main.get_by_role("heading", name="Opening times")).to_be_visible()
    expect(main.locator(".nhsuk-summary-list__row", has_text="Monday")).to_contain_text(
        re.compile(r"6(:00)?pm to 11(:00)?pm")
    )
    alternatives = page.get_by_role("complementary", name="If this isn't right for you")
    expect(alternatives.get_by_role("link", name="Northdale Crisis Line")).to_be_visible()
    # A crisis offer in another area is not suggested to someone in Northdale.
    expect(alternatives.get_by_role("link", name="Southmoor Safe Haven")).to_have_count(0)
    check_page(page, "offer")

    tab_to(page, page.get_by_role("link", name="Read this in easy read"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/easy-read/$"))
    expect(page.get_by_text("A safe place to go at night.")).to_be_visible()
    expect(page.get_by_role("heading", name="When it is open")).to_be_visible()
    check_page(page, "offer-easy-read")


def test_help_me_choose_leads_to_a_filtered_directory(live_server, page, check_page, directory):
    page.goto(f"{live_server.url}{directory['index'].url}")
    page.get_by_role("link", name="Not sure what you need? Answer three short questions").click()
    expect(page).to_have_url(re.compile(r"/help-me-choose/$"))
    expect(page.get_by_role("heading", level=1, name="Find the right support")).to_be_visible()
    check_page(page, "help-me-choose")

    page.get_by_role("checkbox", name="Crisis support").check()
    page.get_by_role("combobox", name="Where do you live?").select_option(label="Northdale")
    page.get_by_role("radio", name="Yes, show only offers I can contact myself").check()
    page.get_by_role("button", name="Show offers that could help").click()

    expect(page).to_have_url(re.compile(rf"{re.escape(directory['index'].url)}\?"))
    expect(page).to_have_url(re.compile(r"[?&]need=crisis(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]area=northdale(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]self_referral=on(&|$)"))
    expect(results_heading(page)).to_have_text("1 offer matches")
    assert card_titles(page) == ["Northdale Crisis Café"]
    expect(page.get_by_role("checkbox", name="Crisis support")).to_be_checked()
    expect(page.get_by_role("checkbox", name="I can refer myself")).to_be_checked()
    check_page(page, "help-me-choose-results")


def test_directory_and_offer_fit_a_small_screen(live_server, new_page, check_page, directory):
    page = new_page(viewport=SMALL_SCREEN)
    page.goto(f"{live_server.url}{directory['index'].url}?need=crisis")
    expect(results_heading(page)).to_have_text("3 offers match")
    check_page(page, "directory-320")
    assert_fits(page, SMALL_SCREEN["width"])

    page.get_by_role("link", name="Northdale Crisis Café").click()
    expect(page.get_by_role("heading", level=1, name="Northdale Crisis Café")).to_be_visible()
    check_page(page, "offer-320")
    assert_fits(page, SMALL_SCREEN["width"])

    page.get_by_role("link", name="Read this in easy read").click()
    check_page(page, "offer-easy-read-320")
    assert_fits(page, SMALL_SCREEN["width"])

    page.goto(f"{live_server.url}{directory['index'].url}help-me-choose/")
    check_page(page, "help-me-choose-320")
    assert_fits(page, SMALL_SCREEN["width"])
