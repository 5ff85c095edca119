"""The directory's search understands people: other forms of a word, the words people use
for a need, small spelling mistakes; it never leaves a person at a dead end, shows where to
get urgent help when a search is about a crisis, and costs the same queries at any size."""

from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cms import offer_search, selectors
from cms.models import Need, OfferPage, OfferSearchEntry
from cms.offer_search import closest_needs, corrected_spelling, rank_offers, touches_crisis
from tests.factories import (
    AreaFactory,
    OfferPageFactory,
    OrganisationFactory,
    UserFactory,
    offers_index,
)
from tests.queries import queries_for

pytestmark = pytest.mark.django_db


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def titles(response):
    return [a.get_text(strip=True) for a in soup(response).select(".lep-offer-card h3 a")]


def text(response):
    return soup(response).get_text(" ", strip=True)


def need(slug):
    return Need.objects.get(slug=slug)


def offer(title, needs=(), **fields):
    fields.setdefault("easy_read_summary", "")
    fields.setdefault("summary", "Run by people who have been there.")
    return OfferPageFactory(title=title, needs=[need(slug) for slug in needs], **fields)


@pytest.fixture
def directory():
    northdale = AreaFactory(name="Northdale")
    southmoor = AreaFactory(name="Southmoor")
    council = OrganisationFactory(name="Northdale Council", local_authority=True)
    offer(
        "Debt Advice Clinic",
        ["money-and-debt"],
        summary="Free advice on what you owe and what you are owed.",
        provider=council,
        areas=[northdale],
    )
    offer(
        "Befriending Service",
        ["loneliness"],
        summary="A volunteer visits you each week for a chat.",
        areas=[northdale],
    )
    offer(
        "Calm Minds Clinic",
        ["low-or-anxious"],
        summary="Talk through worry, panic and stress with someone kind.",
        areas=[southmoor],
    )
    offer(
        "Tenancy Support",
        ["housing"],
        summary="Help to keep your home and deal with your landlord.",
        areas=[southmoor],
    )
    offer(
        "Night Café",
        ["crisis"],
        kind=OfferPage.Kind.CRISIS_CAFE,
        summary="A calm place to go in the evening when things feel too much.",
        areas=[southmoor],
    )
    return offers_index()


def search(client, directory, query):
    return client.get(f"{directory.url}?{query}")


# --- Words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=worried", "Calm Minds Clinic"),  # worry
        ("q=visiting", "Befriending Service"),  # visits
        ("q=landlords", "Tenancy Support"),  # landlord
        ("q=owing", "Debt Advice Clinic"),  # owe
    ],
)
def test_a_word_finds_other_forms_of_it(client, directory, query, expected):
    assert titles(search(client, directory, query))[:1] == [expected]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("money worries", "Debt Advice Clinic"),
        ("worried about money", "Debt Advice Clinic"),
        ("skint", "Debt Advice Clinic"),
        ("bills", "Debt Advice Clinic"),
        ("lonely", "Befriending Service"),
        ("isolated", "Befriending Service"),
        ("on my own", "Befriending Service"),
        ("depressed", "Calm Minds Clinic"),
        ("homeless", "Tenancy Support"),
    ],
)
def test_the_words_people_use_for_a_need_find_its_offers_first(client, directory, words, expected):
    found = titles(search(client, directory, f"q={words}"))
    assert found[:1] == [expected]


def test_an_editor_adding_a_synonym_makes_the_needs_offers_findable_by_it(client, directory):
    assert titles(search(client, directory, "q=brassic")) == []
    money = need("money-and-debt")
    money.synonyms += ",\nbrassic"
    money.save()
    assert titles(search(client, directory, "q=brassic")) == ["Debt Advice Clinic"]


def test_a_word_in_the_title_ranks_above_the_same_word_in_the_summary(client, directory):
    offer("Walk and Talk", summary="A gardening club meets after the walk.")
    offer("Gardening Group", summary="Grow vegetables with others.")
    assert titles(search(client, directory, "q=gardening")) == ["Gardening Group", "Walk and Talk"]


def test_a_need_word_ranks_above_the_same_word_in_the_small_print(client, directory):
    offer("Coffee Morning", who_for="Anyone who feels lonely or not.")
    found = titles(search(client, directory, "q=lonely"))
    assert found == ["Befriending Service", "Coffee Morning"]


def test_the_search_keeps_to_the_chosen_filters(client, directory):
    found = titles(search(client, directory, "q=clinic&area=southmoor"))
    assert found == ["Calm Minds Clinic"]


def test_unpublished_offers_are_not_found(client, directory):
    page = OfferPage.objects.get(title="Tenancy Support")
    page.unpublish()
    assert titles(search(client, directory, "q=tenancy")) == []
    assert not OfferSearchEntry.objects.filter(offer=page).exists()


def test_renaming_a_provider_makes_its_offers_findable_by_the_new_name(client, directory):
    council = OfferPage.objects.get(title="Debt Advice Clinic").provider
    council.name = "Westshire Council"
    council.save()
    assert titles(search(client, directory, "q=westshire")) == ["Debt Advice Clinic"]


def test_removing_a_need_takes_its_words_out_of_the_search(client, directory):
    need("loneliness").delete()
    assert titles(search(client, directory, "q=isolated")) == []


def test_when_no_offer_has_every_word_offers_with_some_of_them_are_shown(client, directory):
    response = search(client, directory, "q=skint gardening")
    assert titles(response) == ["Debt Advice Clinic"]
    assert "No offer has all of your words, so these have some of them." in text(response)


def test_more_matches_than_the_list_shows_say_so(client, directory, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_RESULTS_LIMIT", 2)
    response = search(client, directory, "q=clinic team support cafe chat")
    assert len(titles(response)) == 2
    assert "More than 2 offers match" in text(response)


# --- Spelling -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant", "expected"),
    [
        ("lonley", "lonely", "Befriending Service"),
        ("depresion", "depression", "Calm Minds Clinic"),
        ("anxity", "anxiety", "Calm Minds Clinic"),
        ("housng", "housing", "Tenancy Support"),
        ("skint bils", "skint bills", "Debt Advice Clinic"),
    ],
)
def test_small_spelling_mistakes_are_put_right_and_the_page_says_so(
    client, directory, typed, meant, expected
):
    response = search(client, directory, f"q={typed}")
    assert titles(response)[:1] == [expected]
    line = soup(response).select_one(".lep-spelling")
    assert " ".join(line.get_text().split()).startswith(f"Showing results for {meant}.")
    as_typed = client.get(directory.url + line.a["href"])
    assert soup(as_typed).select_one(".lep-spelling") is None
    if " " in typed:  # one of the words, spelt as typed, still finds something
        assert "so these have some of them" in text(as_typed)
    else:
        assert titles(as_typed) == []
        assert f"We could not find any offers for “{typed}”" in text(as_typed)


def test_words_spelt_right_are_searched_as_typed(client, directory):
    response = search(client, directory, "q=lonely")
    assert soup(response).select_one(".lep-spelling") is None


def test_the_as_typed_link_keeps_the_other_filters(client, directory):
    response = search(client, directory, "q=tenancey&area=southmoor")
    href = soup(response).select_one(".lep-spelling a")["href"]
    assert "area=southmoor" in href and "exact=on" in href and "q=tenancey" in href


def test_spelling_is_put_right_against_the_directorys_own_words(directory):
    assert corrected_spelling("lonley") == "lonely"
    assert corrected_spelling("befriendng") == "befriending"
    assert corrected_spelling("lonely") == ""
    assert corrected_spelling("qwxzvbnm") == ""


# --- Nothing found --------------------------------------------------------------------------


def test_nothing_found_suggests_the_closest_needs_and_next_steps(client, directory):
    response = search(client, directory, "q=debts&area=southmoor")
    page = soup(response)
    assert titles(response) == []
    suggested = page.select(".lep-suggested-needs a")
    assert [a.get_text(strip=True) for a in suggested] == ["Money and debt"]
    assert suggested[0]["href"] == f"{directory.url}?need=money-and-debt"
    links = {a.get_text(" ", strip=True): a["href"] for a in page.select(".lep-none-found a")}
    assert links["Search for “debts” without the filters"] == f"{directory.url}?q=debts"
    assert links["Clear all filters and see every offer"] == directory.url
    assert links["Answer three short questions"].endswith("help-me-choose/")
    assert links["NHS 111"] == "tel:111"


def test_nothing_found_for_a_misspelt_need_still_suggests_it(client, directory):
    response = search(client, directory, "q=lonley&area=southmoor&exact=on")
    names = [a.get_text(strip=True) for a in soup(response).select(".lep-suggested-needs a")]
    assert names == ["Loneliness"]


def test_nothing_found_for_unknown_words_still_offers_a_way_on(client, directory):
    response = search(client, directory, "q=qwxzvbnm")
    page_text = text(response)
    assert "We could not find any offers for “qwxzvbnm”" in page_text
    assert "Answer three short questions" in page_text
    assert "call NHS 111 and choose option 2" in page_text


def test_a_phrase_people_use_for_a_need_finds_it_even_when_its_words_are_common(directory):
    needs = list(Need.objects.all())
    groups = offer_search.query_groups("lonely on my own", needs)
    assert groups == [[("on", "my", "own"), ("loneliness",)], [("lonely",)]]
    ranking = rank_offers("on my own", within=selectors.offers_live(), limit=5, needs=needs)
    assert ranking.ids == [OfferPage.objects.get(title="Befriending Service").pk]


def test_closest_needs_allow_for_other_forms_and_spelling(directory):
    needs = list(Need.objects.all())
    assert [n.slug for n in closest_needs("debts", needs)] == ["money-and-debt"]
    assert [n.slug for n in closest_needs("lonley", needs)] == ["loneliness"]
    assert closest_needs("the", needs) == []


# --- Urgent help ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "q=crisis",
        "q=suicidal",
        "q=suicide",
        "q=self-harm",
        "q=self harm",
        "q=I want to die",
        "q=urgent help",
        "q=emergency",
        "q=sucidal",
        "need=crisis",
        "need=housing&need=crisis",
        "kind=crisis_cafe",
    ],
)
def test_a_search_about_a_crisis_shows_urgent_help_above_everything(client, directory, query):
    response = search(client, directory, query)
    html = response.content.decode()
    box = html.find("data-lep-urgent-help")
    assert box != -1
    assert box < html.find('id="filters-heading"') and box < html.find('id="results-heading"')
    assert 'href="tel:111"' in html[box:] and 'href="tel:999"' in html[box:]


@pytest.mark.parametrize(
    "query", ["", "q=debt", "q=lonely", "q=die cast models", "need=housing", "kind=helpline"]
)
def test_an_ordinary_search_does_not_show_the_urgent_help_box(client, directory, query):
    assert "data-lep-urgent-help" not in search(client, directory, query).content.decode()


def test_touches_crisis_reads_words_needs_and_kind():
    assert touches_crisis("Thinking about SUICIDE")
    assert touches_crisis(["want", "to", "die"])
    assert touches_crisis("", needs=[Need(slug="crisis")])
    assert touches_crisis("", needs=["crisis"])
    assert touches_crisis("", kind=OfferPage.Kind.CRISIS_CAFE)
    assert not touches_crisis("money worries", needs=["money-and-debt"], kind="helpline")
    assert not touches_crisis("")


# --- Small screens --------------------------------------------------------------------------


def test_the_filters_fold_away_and_the_search_box_stays_out(client, directory):
    page = soup(search(client, directory, "need=housing&area=southmoor&q=home"))
    details = page.select_one("details[data-lep-filters]")
    assert details is not None and not details.has_attr("open")
    assert details.summary.get_text(strip=True) == "Filter results (2 chosen)"
    assert details.find("input", {"name": "need", "value": "housing"}).has_attr("checked")
    assert details.find("input", {"name": "q"}) is None
    assert page.select_one("form.lep-filters input[name=q]")["value"] == "home"
    script = details.find_next_sibling("script")
    assert script["src"].endswith("cms/js/directory-filters.js") and not script.string


# --- Cost -----------------------------------------------------------------------------------


def _more_offers(count, start):
    for n in range(start, start + count):
        offer(f"Support Group {n:03d}", ["loneliness", "money-and-debt"], summary="Lonely? Come.")


def test_a_search_costs_the_same_queries_with_3_or_30_offers(client):
    client.force_login(UserFactory())
    _more_offers(3, 0)
    index = offers_index()
    urls = [
        f"{index.url}?q=lonely",
        f"{index.url}?q=lonley",  # put right
        f"{index.url}?q=qwxzvbnm",  # nothing found
        f"{index.url}?q=skint gardening",  # some of the words
        f"{index.url}?q=group&need=loneliness&sort=name&page=2",
        f"{index.url}?q=group&page=2",  # best match, read a page at a time
        f"{index.url}?q=group&sort=reviewed",
        f"{index.url}?need=loneliness&need=money-and-debt&page=2",  # no words
        "/search/?q=group",
    ]
    for url in urls:
        client.get(url)
    few = [queries_for(client, url) for url in urls]
    _more_offers(27, 3)
    for url in urls:
        client.get(url)
    assert [queries_for(client, url) for url in urls] == few


def test_the_ranking_returns_ids_only_in_one_query(directory, django_assert_num_queries):
    within = selectors.offers_live()
    needs = list(Need.objects.all())
    with django_assert_num_queries(1):
        ranking = rank_offers("lonely", within=within, limit=10, needs=needs)
    assert ranking.ids == [OfferPage.objects.get(title="Befriending Service").pk]


# --- Anything typed -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        "'",
        '" OR 1=1 --',
        "debt & money | !housing",
        "debt:*",
        "!debt",
        "NEAR(debt advice)",
        "title:debt",
        "debt*",
        "(((",
        "AND OR NOT",
        "%_%",
        "<script>alert(1)</script>",
        "ｄｅｂｔ",
        "café ☕ 🙂",
        "مساعدة",
        "x²",
        "snake_case_words",
        "debt " * 60,
    ],
)
def test_any_text_gives_a_normal_page(client, directory, typed):
    response = client.get(directory.url, {"q": typed})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    if "debt" in typed.lower() and "NEAR" not in typed and "OR 1=1" not in typed:
        assert "Debt Advice Clinic" in titles(response)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(typed=st.text(max_size=300))
def test_any_text_never_errors(directory, typed):
    ranking = rank_offers(typed, within=selectors.offers_live(), limit=20)
    assert len(ranking.ids) <= 20
    touches_crisis(typed)
    closest_needs(typed, Need.objects.all())


# --- Upkeep ---------------------------------------------------------------------------------


def test_each_live_offer_has_an_entry_with_its_words_by_weight(directory):
    entry = OfferSearchEntry.objects.get(offer__title="Night Café")
    assert entry.title == "Night Café"
    assert "Crisis café or safe haven" in entry.needs and "safe haven" in entry.needs
    assert "calm place" in entry.summary
    assert "Southmoor" in entry.rest
    if connection.vendor == "postgresql":
        assert entry.vector is not None and "'night':1A" in entry.vector


def test_reindexing_everything_writes_one_entry_per_live_offer(directory):
    OfferSearchEntry.objects.all().delete()
    assert offer_search.reindex_offers() == OfferPage.objects.live().count()
    assert OfferSearchEntry.objects.count() == OfferPage.objects.live().count()


def test_the_update_command_rewrites_lost_entries(client, directory):
    OfferSearchEntry.objects.all().delete()
    out = StringIO()
    call_command("update_offer_search", stdout=out)
    assert "Search entries written for 5 live offers." in out.getvalue()
    assert titles(search(client, directory, "q=skint")) == ["Debt Advice Clinic"]


def test_the_seeded_needs_come_with_the_words_people_use():
    assert "lonely" in offer_search.synonyms_of(need("loneliness").synonyms)
    assert "on my own" in offer_search.synonyms_of(need("loneliness").synonyms)
    assert "skint" in offer_search.synonyms_of(need("money-and-debt").synonyms)
    assert "money worries" in offer_search.synonyms_of(need("money-and-debt").synonyms)
