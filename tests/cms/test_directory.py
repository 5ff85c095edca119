"""The offers directory: find support by need, area and how to get in, from any door."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup

from cms import page_cache
from cms.models import Location, Need, OfferPage
from tests.factories import AreaFactory, OfferPageFactory, OrganisationFactory, offers_index
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# A Wednesday afternoon.
WEDNESDAY_3PM = datetime(2026, 11, 25, 15, 0, tzinfo=LONDON)


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def titles(response):
    return [a.get_text(strip=True) for a in soup(response).select(".lep-offer-card h3 a")]


def need(slug):
    return Need.objects.get(slug=slug)


@pytest.fixture
def directory():
    northdale = AreaFactory(name="Northdale")
    southmoor = AreaFactory(name="Southmoor")
    council = OrganisationFactory(name="Northdale Council", local_authority=True)
    charity = OrganisationFactory(name="Open Door")
    OfferPageFactory(
        title="Crisis Cafe",
        provider=charity,
        needs=[need("crisis"), need("peer-support")],
        areas=[southmoor],
        self_referral=True,
        self_referral_drop_in=True,
        opening_times=[(2, "18:00", "23:00")],
    )
    OfferPageFactory(
        title="Debt Advice",
        provider=council,
        needs=[need("money-and-debt")],
        areas=[northdale],
        self_referral=True,
        self_referral_phone="01632 960202",
        online=True,
        opening_times=[(2, "09:00", "17:00")],
    )
    OfferPageFactory(
        title="Community Mental Health Team",
        provider=council,
        needs=[need("low-or-anxious"), need("crisis")],
        areas=[northdale],
        via_gp=True,
        opening_times=[(0, "09:00", "17:00")],
    )
    return offers_index()


def test_the_directory_lists_every_live_offer(client, directory):
    draft = OfferPage(
        title="Draft offer",
        slug="draft-offer",
        provider=OrganisationFactory(),
        summary="x",
        live=False,
    )
    directory.add_child(instance=draft)
    response = client.get(directory.url)
    assert response.status_code == 200
    assert titles(response) == ["Community Mental Health Team", "Crisis Cafe", "Debt Advice"]
    assert "3 offers" in soup(response).find(id="results-heading").get_text()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("need=crisis", ["Community Mental Health Team", "Crisis Cafe"]),
        ("need=crisis&area=northdale", ["Community Mental Health Team"]),
        ("self_referral=on", ["Crisis Cafe", "Debt Advice"]),
        ("delivery=online", ["Debt Advice"]),
        ("provider=local_authority", ["Community Mental Health Team", "Debt Advice"]),
        ("need=money-and-debt&need=peer-support", ["Crisis Cafe", "Debt Advice"]),
        ("q=debt", ["Debt Advice"]),
        ("q=cafe&need=crisis", ["Crisis Cafe"]),
    ],
)
def test_filters_narrow_the_offers(client, directory, query, expected):
    assert titles(client.get(f"{directory.url}?{query}")) == expected


def test_open_now_uses_opening_times_in_london_time(client, directory):
    with time_machine.travel(WEDNESDAY_3PM, tick=False):
        assert titles(client.get(f"{directory.url}?open_now=on")) == ["Debt Advice"]
        page = soup(client.get(directory.url))
    open_tags = [
        card.h3.get_text(strip=True)
        for card in page.select(".lep-offer-card")
        if "Open now" in card.get_text()
    ]
    assert open_tags == ["Debt Advice"]
    with time_machine.travel(datetime(2026, 11, 25, 19, 30, tzinfo=LONDON), tick=False):
        assert titles(client.get(f"{directory.url}?open_now=on")) == ["Crisis Cafe"]


def test_sorting_by_last_reviewed(client, directory):
    OfferPage.objects.filter(title="Crisis Cafe").update(last_reviewed="2020-01-01")
    response = client.get(f"{directory.url}?sort=reviewed")
    assert titles(response)[-1] == "Crisis Cafe"


@pytest.mark.parametrize(
    "bad",
    [
        "need=no-such-need",
        "area=atlantis",
        "provider=spaceship",
        "delivery=telepathy",
        "sort=random",
        "page=abc",
        "page=999",
        "q=" + "x" * 500,
    ],
)
def test_bad_filter_values_give_a_normal_page_with_the_filter_ignored(client, directory, bad):
    response = client.get(f"{directory.url}?{bad}")
    assert response.status_code == 200
    assert len(titles(response)) == 3
    if not bad.startswith("page="):
        assert "were not recognised, so we left them out" in response.content.decode()


def test_a_search_is_shareable_and_kept_across_pages(client, directory):
    for n in range(25):
        OfferPageFactory(title=f"Crisis line {n:02d}", needs=[need("crisis")])
    response = client.get(f"{directory.url}?need=crisis")
    assert len(titles(response)) == 20
    next_link = soup(response).find("a", class_="nhsuk-pagination__link--next")["href"]
    assert "need=crisis" in next_link and "page=2" in next_link
    assert len(titles(client.get(directory.url + next_link))) == 7


def test_the_filter_form_shows_what_was_chosen(client, directory):
    page = soup(client.get(f"{directory.url}?need=crisis&area=northdale&self_referral=on"))
    assert page.find("input", {"name": "need", "value": "crisis"}).has_attr("checked")
    assert page.find("option", {"value": "northdale"}).has_attr("selected")
    assert page.find("input", {"name": "self_referral"}).has_attr("checked")


def test_no_matches_gives_a_kind_next_step(client, directory):
    text = soup(client.get(f"{directory.url}?need=housing")).get_text(" ", strip=True)
    assert "No offers match all of these filters" in text
    assert "get help now" in text


def test_help_me_choose_asks_three_questions_that_lead_to_the_directory(client, directory):
    page = soup(client.get(f"{directory.url}help-me-choose/"))
    form = page.find("main").find("form")
    assert form["action"] == directory.url and form["method"] == "get"
    legends = [h.get_text(strip=True) for h in page.select("main h2, main label.nhsuk-label--m")]
    assert any("What would you like help with?" in text for text in legends)
    assert any("Where do you live?" in text for text in legends)
    assert any("contact them yourself" in text for text in legends)
    assert {i["value"] for i in form.find_all("input", {"name": "need"})} >= {"crisis", "housing"}


def _add_offers(count, area, start=0):
    for n in range(start, start + count):
        OfferPageFactory(
            title=f"Offer {n:03d}",
            needs=[need("crisis"), need("housing")],
            areas=[area],
            opening_times=[(0, "09:00", "12:00"), (0, "13:00", "17:00")],
        )


def test_directory_queries_are_the_same_with_3_or_60_offers(client):
    area = AreaFactory(name="Northdale")
    _add_offers(3, area)
    index = offers_index()
    urls = [index.url, f"{index.url}?need=crisis&open_now=on&q=offer&sort=name"]
    client.get(index.url)
    few = [queries_for(client, url) for url in urls]
    _add_offers(57, area, start=3)
    client.get(index.url)  # publishing drops the cached header; warm it again
    assert [queries_for(client, url) for url in urls] == few
    # Includes the cards' places and closures (two prefetches).
    assert max(few) <= 15


def _offer_page(client, title="Crisis Cafe"):
    offer = OfferPage.objects.get(title=title)
    return offer, client.get(offer.url)


def test_an_offer_page_tells_people_how_to_get_in(client, directory):
    offer, response = _offer_page(client)
    text = soup(response).get_text(" ", strip=True)
    assert soup(response).h1.get_text(strip=True) == "Crisis Cafe"
    assert "Run by Open Door" in text
    assert "You can refer yourself" in text
    assert "Drop in during opening times" in text
    assert "Wednesday" in text and "6pm to 11pm" in text
    assert "Need help now?" in text


def test_an_offer_page_suggests_alternatives_for_the_same_needs_and_area(client, directory):
    OfferPageFactory(
        title="Southmoor Peer Group",
        needs=[need("peer-support")],
        areas=[AreaFactory(name="Southmoor")],
    )
    OfferPageFactory(
        title="Far Away Peer Group",
        needs=[need("peer-support")],
        areas=[AreaFactory(name="Elsewhere")],
    )
    _, response = _offer_page(client)
    aside = soup(response).find("aside", attrs={"aria-labelledby": "alternatives-heading"})
    suggested = [a.get_text(strip=True) for a in aside.select(".lep-offer-card h3 a")]
    assert "Southmoor Peer Group" in suggested
    assert "Far Away Peer Group" not in suggested
    assert "Crisis Cafe" not in suggested


def test_an_offer_page_carries_schema_org_data(client, directory):
    import json

    _, response = _offer_page(client, "Debt Advice")
    data = json.loads(soup(response).find("script", type="application/ld+json").string)
    assert data["@type"] == "Service"
    assert data["provider"]["name"] == "Northdale Council"
    assert data["areaServed"] == ["Northdale"]
    assert data["hoursAvailable"][0]["dayOfWeek"] == "https://schema.org/Wednesday"


def test_structured_data_cannot_break_out_of_its_script_block(client):
    offer = OfferPageFactory(title="Evil", summary="</script><script>alert(1)</script>")
    body = client.get(offer.url).content.decode()
    assert "</script><script>alert(1)" not in body


def test_offers_not_checked_for_a_year_warn_people(client, directory):
    OfferPage.objects.filter(title="Debt Advice").update(last_reviewed="2020-01-01")
    _, response = _offer_page(client, "Debt Advice")
    assert "Check before you go" in response.content.decode()
    _, fresh = _offer_page(client, "Crisis Cafe")
    assert "Check before you go" not in fresh.content.decode()


def test_the_easy_read_view_uses_short_words(client, directory):
    offer, _ = _offer_page(client)
    Location.objects.create(
        offer=offer, name="Open Door", address="8 Moor Lane\nSouthmoor", postcode="SU1 3DQ"
    )
    response = client.get(f"{offer.url}easy-read/")
    assert response.status_code == 200
    text = soup(response).get_text(" ", strip=True)
    assert "We help people who feel sad or worried." in text
    assert "You can go to: Open Door , 8 Moor Lane, Southmoor, SU1 3DQ." in text
    assert "You can just turn up" in text


def test_offer_page_queries_are_the_same_with_3_or_30_alternatives(client):
    area = AreaFactory(name="Northdale")
    _add_offers(3, area)
    offer = OfferPageFactory(title="The offer", needs=[need("crisis")], areas=[area])
    client.get(offer.url)
    few = queries_for(client, offer.url)
    _add_offers(27, area, start=3)
    client.get(offer.url)  # publishing drops the cached header; warm it again
    assert queries_for(client, offer.url) == few
    # Includes the sections apps add (feedback and its ratings, changes made because people
    # spoke): each is held to a constant count by its own tests; and the offer's places and
    # closures, and its alternatives' (four).
    assert few <= 15


def _offer_form_data(provider, **overrides):
    data = {
        "title": "New offer",
        "slug": "new-offer",
        "provider": str(provider.pk),
        "summary": "Support for people who are struggling.",
        "cost": "Free",
        "last_reviewed": "2026-11-01",
        "open_to_all": "on",
        "in_person": "on",
        "opening_times-TOTAL_FORMS": "0",
        "opening_times-INITIAL_FORMS": "0",
        "opening_times-MIN_NUM_FORMS": "0",
        "opening_times-MAX_NUM_FORMS": "1000",
        **{
            f"{inline}-{field}": value
            for inline in ("locations", "closures")
            for field, value in (
                ("TOTAL_FORMS", "0"),
                ("INITIAL_FORMS", "0"),
                ("MIN_NUM_FORMS", "0"),
                ("MAX_NUM_FORMS", "1000"),
            )
        },
        "kind": "other",
    }
    data.update(overrides)
    return data


def _times(*spans):
    data = {"opening_times-TOTAL_FORMS": str(len(spans))}
    for i, (day, opens, closes, *dates) in enumerate(spans):
        valid_from, valid_to = [*dates, "", ""][:2]
        data.update(
            {
                f"opening_times-{i}-weekday": str(day),
                f"opening_times-{i}-opens": opens,
                f"opening_times-{i}-closes": closes,
                f"opening_times-{i}-valid_from": valid_from,
                f"opening_times-{i}-valid_to": valid_to,
                f"opening_times-{i}-ORDER": str(i + 1),
            }
        )
    return data


def _add_url():
    return f"/admin/pages/add/cms/offerpage/{offers_index().pk}/"


def test_an_editor_adds_an_offer_with_opening_times(client_as, organisation):
    client = client_as("editor")
    response = client.post(
        _add_url(),
        _offer_form_data(organisation, **_times((0, "09:00", "12:00"), (0, "13:00", "17:00"))),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    offer = OfferPage.objects.get(slug="new-offer")
    assert [str(t) for t in offer.opening_times.all()] == [
        "Monday 09:00–12:00",
        "Monday 13:00–17:00",
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"self_referral": "on"}, "Say how people refer themselves"),
        (
            _times((2, "09:00", "13:00"), (2, "12:00", "17:00")),
            "These opening times overlap Wednesday 09:00–13:00.",
        ),
        (
            _times((4, "18:00", "02:00"), (5, "01:00", "05:00")),
            "These opening times overlap Friday 18:00–02:00.",
        ),
        (
            _times((0, "09:00", "17:00", "2026-12-01", "2026-11-01")),
            "The last date must be on or after the first date.",
        ),
        ({"website": "ftp://files.example.org/"}, "Enter a web address starting with https://"),
        ({"self_referral_url": "ftp://x.example/"}, "Enter a web address starting with https://"),
    ],
)
def test_editors_are_told_what_is_wrong_and_nothing_is_saved(
    client_as, organisation, extra, message
):
    client = client_as("editor")
    response = client.post(_add_url(), _offer_form_data(organisation, **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OfferPage.objects.filter(slug="new-offer").exists()
    assert "Support for people who are struggling." in response.content.decode()


@pytest.mark.parametrize("role", ["member", "engagement_lead", "hr", "finance"])
def test_only_editors_and_admins_can_add_offers(client_as, organisation, role):
    response = client_as(role).post(_add_url(), _offer_form_data(organisation))
    assert response.status_code in (302, 403)
    assert not OfferPage.objects.filter(slug="new-offer").exists()


def test_the_overdue_report_lists_offers_not_checked_for_a_year_and_exports_csv(
    client_as, directory
):
    OfferPage.objects.filter(title="Debt Advice").update(last_reviewed="2020-01-01")
    client = client_as("editor")
    response = client.get("/admin/reports/offers-overdue/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Debt Advice" in text and "Crisis Cafe" not in text
    export = client.get("/admin/reports/offers-overdue/?export=csv")
    body = b"".join(export.streaming_content).decode()
    assert body.splitlines()[0] == "Offer,Provider,Last reviewed,Web address"
    assert "Debt Advice,Northdale Council,2020-01-01" in body


@pytest.mark.parametrize("role", ["engagement_lead", "hr", "finance"])
def test_the_overdue_report_is_for_editors(client_as, role):
    response = client_as(role).get("/admin/reports/offers-overdue/")
    assert response.status_code in (302, 403)
    assert b"Offers overdue for review" not in response.content


@pytest.mark.parametrize("closes", ["00:00", "23:59"])
def test_round_the_clock_offers_say_open_24_hours(client, closes):
    offer = OfferPageFactory(title="Night line", opening_times=[(0, "00:00", closes)])
    text = soup(client.get(offer.url)).get_text(" ", strip=True)
    assert "Monday Open 24 hours" in text


# --- "Open now": one rule for the cards, the offer page and the directory's filter ------------


def _open_now_everywhere(client, offer, moment) -> tuple[bool, bool, bool]:
    """Whether the offer page, its card and the "open now" filter all say it is open."""
    with time_machine.travel(moment, tick=False):
        page = soup(client.get(offer.url)).get_text(" ", strip=True)
        cards = soup(client.get(offers_index().url))
        card = next(c for c in cards.select(".lep-offer-card") if offer.title in c.get_text(" "))
        filtered = titles(client.get(f"{offers_index().url}?open_now=on"))
    return ("Open now" in page, "Open now" in card.get_text(" "), offer.title in filtered)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (datetime(2026, 11, 27, 17, 59, 59, tzinfo=LONDON), False),  # Friday, before
        (datetime(2026, 11, 27, 18, 0, tzinfo=LONDON), True),
        (datetime(2026, 11, 27, 23, 59, 30, tzinfo=LONDON), True),
        (datetime(2026, 11, 28, 0, 0, tzinfo=LONDON), True),  # Saturday, just after midnight
        (datetime(2026, 11, 28, 1, 0, tzinfo=LONDON), True),
        (datetime(2026, 11, 28, 2, 0, tzinfo=LONDON), False),
        (datetime(2026, 11, 29, 1, 0, tzinfo=LONDON), False),  # Sunday: no Saturday night
        (datetime(2026, 11, 24, 1, 0, tzinfo=LONDON), False),  # Tuesday
    ],
)
def test_an_overnight_opening_is_open_after_midnight(client, moment, is_open):
    offer = OfferPageFactory(title="Night Cafe", opening_times=[(4, "18:00", "02:00")])
    assert _open_now_everywhere(client, offer, moment) == (is_open, is_open, is_open)


@pytest.mark.parametrize("closes", ["00:00", "23:59"])
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 29, 23, 59, 30, tzinfo=LONDON),  # Sunday night
        datetime(2026, 11, 30, 0, 0, tzinfo=LONDON),  # Monday midnight
        datetime(2026, 11, 25, 12, 0, tzinfo=LONDON),
    ],
)
def test_a_24_hour_offer_is_open_with_no_gap_at_midnight(client, closes, moment):
    offer = OfferPageFactory(
        title="Helpline", opening_times=[(day, "00:00", closes) for day in range(7)]
    )
    assert _open_now_everywhere(client, offer, moment) == (True, True, True)


def test_opening_times_count_only_between_their_dates(client):
    offer = OfferPageFactory(title="Winter Shelter", opening_times=[(2, "09:00", "17:00")])
    offer.opening_times.update(valid_from="2026-12-01", valid_to="2027-02-28")
    november = datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)
    december = datetime(2026, 12, 2, 12, 0, tzinfo=LONDON)
    march = datetime(2027, 3, 3, 12, 0, tzinfo=LONDON)
    assert _open_now_everywhere(client, offer, november) == (False, False, False)
    assert _open_now_everywhere(client, offer, december) == (True, True, True)
    assert _open_now_everywhere(client, offer, march) == (False, False, False)
    text = soup(client.get(offer.url)).get_text(" ", strip=True)
    assert "from 1 December 2026 to 28 February 2027" in text


def test_an_overnight_opening_ends_on_the_morning_after_its_last_date(client):
    offer = OfferPageFactory(title="Night Cafe", opening_times=[(4, "18:00", "02:00")])
    offer.opening_times.update(valid_to="2026-11-27")  # its last Friday
    page_cache.public_content_changed()  # update() sends no signal
    saturday_1am = datetime(2026, 11, 28, 1, 0, tzinfo=LONDON)
    assert _open_now_everywhere(client, offer, saturday_1am) == (True, True, True)
    offer.opening_times.update(valid_to="2026-11-26")
    page_cache.public_content_changed()
    assert _open_now_everywhere(client, offer, saturday_1am) == (False, False, False)


def test_an_editor_adds_an_overnight_opening(client_as, client, organisation):
    editor = client_as("editor")
    response = editor.post(
        _add_url(),
        _offer_form_data(
            organisation, **{"action-publish": "action-publish"}, **_times((4, "18:00", "02:00"))
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    offer = OfferPage.objects.get(slug="new-offer")
    assert [str(t) for t in offer.opening_times.all()] == ["Friday 18:00–02:00"]
    text = soup(editor.get(offer.url)).get_text(" ", strip=True)
    assert "Friday 6pm to 2am the next day" in text


def test_editors_keep_the_needs_taxonomy_in_the_admin(client_as):
    client = client_as("editor")
    assert client.get("/admin/snippets/cms/need/").status_code == 200
    response = client.post(
        "/admin/snippets/cms/need/add/",
        {"name": "Gambling", "slug": "", "description": "Help with gambling.", "sort_order": "20"},
    )
    assert response.status_code == 302
    assert Need.objects.get(name="Gambling").slug == "gambling"


@pytest.mark.parametrize("role", ["engagement_lead", "hr", "finance"])
def test_other_staff_cannot_change_the_needs_taxonomy(client_as, role):
    client = client_as(role)
    response = client.post("/admin/snippets/cms/need/add/", {"name": "Sneaky", "sort_order": "1"})
    assert response.status_code in (302, 403)
    assert not Need.objects.filter(name="Sneaky").exists()


def test_other_apps_add_sections_to_an_offer_page_through_a_hook(client, directory):
    from django.utils.html import format_html
    from wagtail import hooks

    offer = OfferPage.objects.live().first()

    def add_section(request, page, sections):
        sections.append(format_html("<section id='from-an-app'>About {}</section>", page.title))

    with hooks.register_temporarily("construct_offer_page_sections", add_section):
        html = client.get(offer.url).content.decode()
    section = BeautifulSoup(html, "html.parser").find(id="from-an-app")
    assert section is not None and section.text == f"About {offer.title}"
