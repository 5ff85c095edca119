"""Outcomes per offer: what changed for the people who used an offer, worked out from the
outcome scores peer workers record in session logs and from figures partners collated,
shown on the offer page with small numbers held back and the method in words."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse

from cms.roles import Role
from peers.models import OfferOutcomeFigures
from peers.models.sessions import OutcomeMeasure, Setting
from peers.selectors import offer_outcomes as selectors
from tests.conftest import sign_in
from tests.factories import OfferPageFactory, PeerWorkerFactory, SessionLogFactory, UserFactory
from tests.queries import queries_for

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)
SWEMWBS = OutcomeMeasure.SWEMWBS
REQOL = OutcomeMeasure.REQOL10
GOAL = OutcomeMeasure.GOAL


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(date(2026, 12, 6), tick=False):
        yield


@pytest.fixture
def offer(organisation):
    return OfferPageFactory(title="Northdale crisis café", provider=organisation)


@pytest.fixture
def peer(organisation):
    return PeerWorkerFactory(organisation=organisation)


def scored(offer, worker, reference, scores, *, measure=SWEMWBS, start=date(2026, 3, 2), **kw):
    """Sessions of ``offer`` for one person, a week apart, scored ``scores`` in order."""
    for week, score in enumerate(scores):
        SessionLogFactory(
            offer=offer,
            worker=worker,
            person_reference=reference,
            date=date.fromordinal(start.toordinal() + 7 * week),
            outcome_measure=measure,
            outcome_score=score,
            **kw,
        )


def outcomes(offer, start=date(2026, 1, 1), end=date(2026, 12, 6)):
    return {o.rule.measure: o for o in selectors.offer_outcomes(offer, start, end)}


# --- The calculation ---------------------------------------------------------------------------


def test_first_and_latest_scores_decide_improved_same_or_worse(offer, peer):
    scored(offer, peer, "A", [20, 10, 23])  # +3: improved (the middle score does not count)
    scored(offer, peer, "B", [20, 22])  # +2: about the same
    scored(offer, peer, "C", [20, 18])  # -2: about the same
    scored(offer, peer, "D", [25, 22])  # -3: worse
    scored(offer, peer, "E", [14, 30, 31])  # +17: improved

    result = outcomes(offer)[SWEMWBS]

    assert (result.people, result.improved, result.same, result.worse) == (5, 2, 2, 1)
    assert result.average_first == Decimal("19.8")  # (20+20+20+25+14)/5
    assert result.average_latest == Decimal("23.2")  # (23+22+18+22+31)/5


def test_each_measure_has_its_own_improvement_rule(offer, peer):
    scored(offer, peer, "R1", [10, 15], measure=REQOL)  # +5 on ReQoL-10: improved
    scored(offer, peer, "R2", [10, 14], measure=REQOL)  # +4: not enough on ReQoL-10
    scored(offer, peer, "G1", [2, 5], measure=GOAL)  # +3 on a goal: improved
    scored(offer, peer, "G2", [2, 4], measure=GOAL)

    result = outcomes(offer)

    assert (result[REQOL].improved, result[REQOL].same) == (1, 1)
    assert (result[GOAL].improved, result[GOAL].same) == (1, 1)
    assert SWEMWBS not in result


def test_a_person_with_one_score_only_is_not_counted(offer, peer):
    scored(offer, peer, "once", [20])
    scored(offer, peer, "twice", [20, 25])

    assert outcomes(offer)[SWEMWBS].people == 1


def test_group_sessions_and_sessions_without_a_reference_are_left_out(offer, peer):
    scored(offer, peer, "", [10, 30])
    scored(offer, peer, "G", [10, 30], setting=Setting.GROUP)
    scored(offer, peer, "H", [10, 30], group_size=6)

    assert outcomes(offer) == {}


def test_the_same_reference_with_two_workers_is_two_people(offer, peer, organisation):
    other_worker = PeerWorkerFactory(organisation=organisation)
    scored(offer, peer, "JT-1", [10, 20])
    scored(offer, other_worker, "JT-1", [10, 11])

    result = outcomes(offer)[SWEMWBS]

    assert (result.people, result.improved, result.same) == (2, 1, 1)


def test_only_sessions_in_the_period_count_both_days_included(offer, peer):
    scored(offer, peer, "in", [10, 20], start=date(2026, 6, 23))  # 23 and 30 June
    scored(offer, peer, "half", [10, 20], start=date(2026, 3, 25))  # 25 March, 1 April

    in_quarter = outcomes(offer, date(2026, 4, 1), date(2026, 6, 30))[SWEMWBS]
    from_march = outcomes(offer, date(2026, 3, 25), date(2026, 6, 30))[SWEMWBS]

    assert in_quarter.people == 1
    assert from_march.people == 2


def test_other_offers_and_other_measures_do_not_mix(offer, peer, organisation):
    elsewhere = OfferPageFactory(title="Peer support group", provider=organisation)
    scored(elsewhere, peer, "A", [10, 30])
    scored(offer, peer, "A", [10], measure=SWEMWBS)
    scored(offer, peer, "A", [30], measure=REQOL, start=date(2026, 3, 9))

    assert outcomes(offer) == {}


# --- Periods -------------------------------------------------------------------------------------


def test_periods_offered_are_the_last_12_months_then_years_then_quarters():
    offered = selectors.periods_offered(TODAY)

    assert [p.label for p in offered] == [
        "The last 12 months",
        "2026 (so far)",
        "2025",
        "2024",
        "October to December 2026 (so far)",
        "July to September 2026",
        "April to June 2026",
        "January to March 2026",
    ]
    assert (offered[0].start, offered[0].end) == (date(2025, 12, 7), TODAY)
    assert (offered[5].start, offered[5].end) == (date(2026, 7, 1), date(2026, 9, 30))


def test_an_unknown_period_is_the_last_12_months():
    assert selectors.period_chosen("1999-q9", TODAY).key == selectors.LAST_12_MONTHS


# --- The offer page ------------------------------------------------------------------------------


def section_text(response) -> str:
    page = BeautifulSoup(response.content, "html.parser")
    section = page.find("section", id="offer-outcomes")
    assert section is not None, "The offer page has no outcomes section"
    return " ".join(section.get_text(" ").split())


def test_the_offer_page_says_what_changed_with_the_method_in_words(client, offer, peer):
    for n in range(12):
        scored(offer, peer, f"P{n}", [18, 22] if n < 8 else [20, 20])

    text = section_text(client.get(f"{offer.url}?outcomes=2026"))

    assert "What changed for people who used this" in text
    assert (
        "12 people filled in SWEMWBS at least twice between 1 January and 6 December 2026. "
        "8 of them improved by 3 points or more." in text
    )
    assert "we compare their first score with their latest" in text
    assert "Group sessions are left out" in text
    assert "Warwick Medical School" in text
    page = BeautifulSoup(client.get(offer.url).content, "html.parser")
    assert page.find("caption", string=lambda s: s and "Scores peer workers recorded" in s)


def test_fewer_than_5_people_are_never_counted_or_broken_down(client, offer, peer):
    for n in range(3):
        scored(offer, peer, f"P{n}", [10, 20])

    text = section_text(client.get(offer.url))

    assert "Fewer than 5 people filled in SWEMWBS at least twice" in text
    assert "We do not say how many of them improved" in text
    assert "3 people" not in text
    # A table of nothing but "not shown" is left out: the sentence says it all.
    assert "Scores peer workers recorded" not in text


def test_a_partners_small_figures_are_held_back_too(client, offer):
    OfferOutcomeFigures.objects.create(
        offer=offer,
        measure=GOAL,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        people=4,
        improved=2,
        average_first=Decimal("3.5"),
        average_latest=Decimal("6.5"),
        source="Northdale PROMs",
    )

    text = section_text(client.get(offer.url))

    assert "Fewer than 5 people filled in a goal-based outcome at least twice" in text
    assert "Not shown (from fewer than 5 people)" in text
    assert "6.5" not in text


def test_a_small_number_who_improved_reads_fewer_than_5(client, offer, peer):
    for n in range(7):
        scored(offer, peer, f"P{n}", [10, 20] if n < 2 else [10, 10])

    text = section_text(client.get(offer.url))

    assert "7 people filled in SWEMWBS" in text
    assert "Fewer than 5 of them improved by 3 points or more." in text


def test_an_offer_with_no_outcome_data_shows_nothing_about_outcomes(client, offer, peer):
    SessionLogFactory(offer=offer, worker=peer)  # a session with no score

    page = BeautifulSoup(client.get(offer.url).content, "html.parser")

    assert page.find("section", id="offer-outcomes") is None


def test_a_period_with_no_figures_says_so_and_offers_others(client, offer, peer):
    scored(offer, peer, "A", [10, 20], start=date(2024, 3, 4))

    text = section_text(client.get(f"{offer.url}?outcomes=2025"))

    assert "There are no outcome figures for Northdale crisis café for this period" in text


@pytest.mark.parametrize("value", ["", "nonsense", "2026-q9", "\x00", "9" * 400])
def test_any_period_in_the_address_answers_with_a_page(client, offer, peer, value):
    scored(offer, peer, "A", [10, 20])

    assert client.get(offer.url, {"outcomes": value}).status_code == 200


def test_a_partners_figures_show_with_their_source_and_period(client, offer):
    OfferOutcomeFigures.objects.create(
        offer=offer,
        measure=REQOL,
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
        people=40,
        improved=23,
        average_first=Decimal("14.2"),
        average_latest=Decimal("21.5"),
        source="Somerset NHS Foundation Trust PROMs collation",
    )

    text = section_text(client.get(offer.url))

    assert (
        "40 people filled in ReQoL-10 at least twice between 1 April 2025 and 31 March 2026. "
        "23 of them improved by 5 points or more." in text
    )
    assert "Source: Somerset NHS Foundation Trust PROMs collation." in text
    assert "21.5" in text
    assert "From scores peer workers recorded" not in text


def _people_scored(offer, organisation, how_many):
    worker = PeerWorkerFactory(organisation=organisation)
    for n in range(how_many):
        scored(offer, worker, f"Q{n}", [12, 16, 20], measure=[SWEMWBS, REQOL, GOAL][n % 3])


def test_the_offer_page_costs_the_same_queries_for_3_or_30_people(client_as, offer, organisation):
    # Signed in, so the page is made afresh each time rather than served from a copy.
    client = client_as("member")
    _people_scored(offer, organisation, 3)
    OfferOutcomeFigures.objects.create(
        offer=offer,
        measure=GOAL,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        people=9,
        improved=6,
        source="Northdale PROMs",
    )
    queries_for(client, offer.url)
    few = queries_for(client, offer.url)
    _people_scored(offer, organisation, 27)
    assert queries_for(client, offer.url) == few


# --- Partners' figures in the admin ------------------------------------------------------------


def form_data(offer, **changes):
    data = {
        "offer": str(offer.pk),
        "measure": SWEMWBS,
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "people": "20",
        "improved": "11",
        "average_first": "",
        "average_latest": "",
        "source": "Northdale PROMs collation",
    }
    data.update(changes)
    return data


ADD_URL = "/admin/offer-outcome-figures/new/"


@pytest.mark.parametrize("role", ["editor", "engagement_lead"])
def test_the_providers_editors_and_leads_enter_figures_and_are_recorded(
    client, make_person, offer, role
):
    person = make_person(role)
    sign_in(client, person)

    response = client.post(ADD_URL, form_data(offer))

    assert response.status_code == 302
    figures = OfferOutcomeFigures.objects.get()
    assert (figures.offer, figures.people, figures.improved) == (offer, 20, 11)
    assert figures.entered_by == person
    assert figures.entered_at is not None


def test_changed_figures_record_who_changed_them(client, make_person, offer):
    figures = OfferOutcomeFigures.objects.create(
        offer=offer,
        measure=SWEMWBS,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        people=20,
        improved=10,
        source="Northdale PROMs collation",
    )
    lead = make_person("engagement_lead")
    sign_in(client, lead)

    response = client.post(
        reverse("offer_outcome_figures:edit", args=[figures.pk]), form_data(offer, improved="12")
    )

    assert response.status_code == 302
    figures.refresh_from_db()
    assert (figures.improved, figures.entered_by) == (12, lead)


@pytest.mark.parametrize("role", ["hr", "finance", "supervisor", "peer_worker", "member"])
def test_other_roles_cannot_enter_figures(client_as, offer, role):
    client = client_as(role)

    response = client.post(ADD_URL, form_data(offer))

    assert response.status_code in (302, 403)
    assert not OfferOutcomeFigures.objects.exists()
    assert client.get("/admin/offer-outcome-figures/").status_code in (302, 403)


def test_staff_of_another_organisation_cannot_enter_or_see_an_offers_figures(
    client, offer, other_organisation
):
    outsider = UserFactory(organisation=other_organisation, roles=[Role.EDITOR], mfa=True)
    theirs = OfferOutcomeFigures.objects.create(
        offer=offer,
        measure=SWEMWBS,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        people=20,
        improved=11,
        source="Northdale PROMs",
    )
    sign_in(client, outsider)

    response = client.post(ADD_URL, form_data(offer))
    edit = client.get(reverse("offer_outcome_figures:edit", args=[theirs.pk]))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert OfferOutcomeFigures.objects.count() == 1
    assert edit.status_code == 404


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"improved": "21"}, "improved", "cannot be more than the 20 people counted"),
        ({"period_end": "2025-12-31"}, "period_end", "The last day must be after the first day"),
        ({"period_end": "2027-01-31"}, "period_end", "is in the future"),
        ({"average_first": "40"}, "average_first", "Enter an average from 7 to 35"),
        ({"measure": GOAL, "average_latest": "10.5"}, "average_latest", "from 0 to 10"),
        ({"people": ""}, "people", "Enter"),
    ],
)
def test_figures_that_cannot_be_right_are_refused_beside_their_field(
    client_as, offer, changes, field, message
):
    client = client_as("editor")

    response = client.post(ADD_URL, form_data(offer, **changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "This field is required" not in response.content.decode()
    assert not OfferOutcomeFigures.objects.exists()
