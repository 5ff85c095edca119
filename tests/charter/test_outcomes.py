"""Partnership outcomes (issue 17, part 3): programmes with outcome measures compared before
and after, the change worked out in one place, small numbers held back, dated partnership
targets judged by the charter's rule, the public outcomes pages, the admin that only
partnership-wide HR and admins may use, the board report's section and the demo."""

import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from pypdf import PdfReader

from charter.change import change, figures, rate
from charter.demo_outcomes import MENTORING, load_outcomes_demo
from charter.factories import (
    ComparisonFactory,
    OutcomeMeasureFactory,
    OutcomeTargetFactory,
    ProgrammeFactory,
)
from charter.models import Comparison, OutcomeMeasure, OutcomeTarget, Programme
from charter.reports import board_report_pdf
from charter.selectors import charter_progress
from charter.selectors_outcomes import programme_outcomes
from peers.factories import TeamFactory
from tests.conftest import sign_in
from tests.factories import CharterFactory, OfferPageFactory, OrganisationFactory, UserFactory
from tests.queries import queries_for

TODAY = date(2026, 6, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 6, 1), tick=False):
        yield


@pytest.fixture
def keeper(make_person):
    """HR who see the whole partnership: they keep the partnership's outcomes."""
    return make_person("hr", partnership_wide=True)


@pytest.fixture
def keeper_client(client, keeper):
    return sign_in(client, keeper)


@pytest.fixture
def programme(organisation):
    offer = OfferPageFactory(title="Open Door Crisis Café", provider=organisation)
    team = TeamFactory(organisation=organisation, name="Inpatient peer support")
    programme = ProgrammeFactory(
        name="Peer mentoring after a hospital stay",
        published=True,
        offers=[offer],
        teams=[team],
    )
    programme.lead_organisations.set([organisation])
    return programme


@pytest.fixture
def bed_days(programme):
    measure = OutcomeMeasureFactory(programme=programme, name="Days spent in hospital")
    ComparisonFactory(measure=measure, before_value=Decimal("4786"), after_value=Decimal("312"))
    return measure


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


# --- Working out the change ----------------------------------------------------------------------


def test_the_change_and_percentage_change_are_worked_out_in_decimal_rounded_to_one_place():
    bed_days = change(4786, 312)
    assert bed_days.change == Decimal("-4474") and bed_days.percent == Decimal("-93.5")
    contacts = change(4451, 1235)
    assert contacts.change == Decimal("-3216") and contacts.percent == Decimal("-72.3")
    # A half is rounded away from zero: 1 to 1.0005 times 100 is 0.05%, shown as 0.1%.
    assert change(Decimal("2000"), Decimal("2001")).percent == Decimal("0.1")
    assert change(0, 12).percent is None  # a change from nothing has no percentage


def test_a_rate_is_the_count_over_the_people_times_what_it_is_per():
    assert rate(3, 7, 100) == Decimal("42.86")
    assert rate(12, 4000, 1000) == Decimal("3.00")


def test_figures_are_shown_with_the_change_in_words(bed_days):
    shown = figures(bed_days.comparisons.get(), bed_days)
    assert (shown.before, shown.after, shown.change, shown.percent) == (
        "4,786",
        "312",
        "\u22124,474",
        "\u221293.5%",
    )
    assert shown.sentence == (
        "Down by 4,474 (93.5%), from 4,786 to 312. Lower is better, so this is an improvement."
    )


def test_a_small_count_is_fewer_than_5_and_no_change_is_worked_out_from_it(programme):
    measure = OutcomeMeasureFactory(programme=programme)
    comparison = ComparisonFactory(
        measure=measure, before_value=Decimal("40"), after_value=Decimal("3")
    )
    shown = figures(comparison, measure)
    assert shown.before == "40" and shown.after == "fewer than 5"
    assert shown.change.startswith("Not shown") and shown.percent.startswith("Not shown")
    assert shown.worked_out is None


def test_a_rate_from_fewer_than_5_people_is_not_shown(programme):
    measure = OutcomeMeasureFactory(programme=programme, rate=True)
    comparison = ComparisonFactory(
        measure=measure,
        before_value=Decimal("50"),
        before_numerator=10,
        before_denominator=20,
        after_value=Decimal("25"),
        after_numerator=1,
        after_denominator=4,
    )
    shown = figures(comparison, measure)
    assert shown.before == "50% (10 of 20)"
    assert shown.after == "Not shown (from fewer than 5 people)"
    assert shown.percent.startswith("Not shown")


# --- What the models refuse ---------------------------------------------------------------------


def _errors(**changes) -> dict:
    measure = OutcomeMeasureFactory()
    comparison = ComparisonFactory.build(measure=measure, **changes)
    try:
        comparison.full_clean()
    except Exception as error:  # noqa: BLE001 - the ValidationError's messages are the point
        return error.message_dict
    return {}


def test_an_after_period_starting_before_the_before_period_ends_is_refused():
    errors = _errors(after_start=date(2024, 3, 1))
    assert "must start after the before period ends (31 March 2024)" in errors["after_start"][0]


def test_a_period_in_the_future_is_refused():
    errors = _errors(after_end=date(2026, 12, 31))
    assert "31 December 2026 is in the future" in errors["after_end"][0]


def test_a_negative_count_is_refused():
    errors = _errors(after_value=Decimal("-1"))
    assert "cannot be negative" in errors["after_value"][0]


def test_a_negative_figure_is_refused_in_words_even_before_a_measure_is_chosen():
    comparison = ComparisonFactory.build(measure=None, after_value=Decimal("-3"))
    with pytest.raises(Exception) as refused:  # noqa: PT011
        comparison.full_clean()
    assert "cannot be negative" in refused.value.message_dict["after_value"][0]
    assert "Constraint" not in str(refused.value)


def test_a_rate_needs_its_numbers_and_the_rate_is_worked_out_from_them():
    measure = OutcomeMeasureFactory(rate=True, per=1000)
    comparison = ComparisonFactory.build(
        measure=measure, before_value=None, after_value=None, before_numerator=12
    )
    with pytest.raises(Exception) as refused:  # noqa: PT011
        comparison.full_clean()
    assert set(refused.value.message_dict) == {
        "before_denominator",
        "after_numerator",
        "after_denominator",
    }
    comparison.before_denominator, comparison.after_numerator = 4000, 6
    comparison.after_denominator = 4000
    comparison.full_clean()
    assert (comparison.before_value, comparison.after_value) == (Decimal("3.00"), Decimal("1.50"))


# --- Targets, by the charter's rule ------------------------------------------------------------


def test_dated_targets_are_met_only_on_a_figure_at_or_after_their_date(programme):
    measure = OutcomeMeasureFactory(
        programme=programme, name="People using direct payments", better="higher"
    )
    ComparisonFactory(
        measure=measure,
        before_start=date(2024, 4, 1),
        before_end=date(2025, 3, 31),
        before_value=Decimal("90"),
        after_start=date(2025, 4, 1),
        after_end=date(2026, 3, 31),
        after_value=Decimal("210"),
    )
    OutcomeTargetFactory(measure=measure, due_on=date(2025, 4, 1), value=Decimal("100"))
    OutcomeTargetFactory(measure=measure, due_on=date(2026, 4, 1), value=Decimal("200"))
    OutcomeTargetFactory(measure=measure, due_on=date(2027, 4, 1), value=Decimal("250"))
    outcomes = programme_outcomes(programme.pk, today=TODAY)
    item = next(m for m in outcomes.measures if m.measure == measure)
    # 100 by April 2025: judged on the figure for the year to March 2026 (210), not on 90.
    # 200 by April 2026: no figure yet for a period ending on or after it.
    assert [t.met for t in item.targets] == ["Met", "Not yet known", "Not due yet"]
    assert item.status.colour == "green"
    assert "charter's own rule" in outcomes.targets_rule


# --- The public pages ---------------------------------------------------------------------------


def test_the_outcomes_page_lists_published_programmes_and_the_charter_links_to_it(
    client, programme
):
    ProgrammeFactory(name="A draft programme")
    page = client.get("/outcomes/").content.decode()
    assert "Peer mentoring after a hospital stay" in page and "A draft programme" not in page
    assert 'name="description"' in page
    assert 'href="/outcomes/"' in client.get("/charter/").content.decode()


def test_a_programme_page_shows_before_after_change_method_offers_and_teams(
    client, programme, bed_days
):
    page = client.get(f"/outcomes/{programme.slug}/").content.decode()
    for words in (
        "Days spent in hospital",
        "4,786",
        "312",
        "\u22124,474",
        "\u221293.5%",
        "April 2023 to March 2024",
        "The change is the after figure minus the before figure",
        "Counted for the same people in the year before and the year after.",
        "Entered by hand on",
        "Inpatient peer support (Northdale Health NHS Trust)",
        "Led by Northdale Health NHS Trust",
    ):
        assert words in page, words
    offer = programme.offers.get()
    assert f'<a href="{offer.url}">Open Door Crisis Café</a>' in page
    assert 'name="description"' in page


def test_the_public_page_does_not_name_who_entered_the_figures(client, programme, bed_days):
    bed_days.comparisons.update(entered_by=UserFactory(first_name="Morgan", last_name="Hughes"))
    assert "Morgan" not in client.get(f"/outcomes/{programme.slug}/").content.decode()


def test_a_draft_programme_is_not_found_except_by_those_who_keep_outcomes(
    client, keeper, make_person
):
    draft = ProgrammeFactory(name="Not yet agreed")
    assert client.get(f"/outcomes/{draft.slug}/").status_code == 404
    sign_in(client, make_person("hr"))
    assert client.get(f"/outcomes/{draft.slug}/").status_code == 404
    sign_in(client, keeper)
    preview = client.get(f"/outcomes/{draft.slug}/")
    assert preview.status_code == 200 and "Not published" in preview.content.decode()


@pytest.mark.parametrize("slug", ["no-such-programme", "outcomes", "%20"])
def test_an_unknown_programme_is_not_found(client, slug):
    assert client.get(f"/outcomes/{slug}/").status_code == 404


def test_a_programme_never_takes_a_reserved_address():
    assert ProgrammeFactory(name="Programmes").slug == "programmes-programme"


def _programme_with(count: int, organisation) -> Programme:
    programme = ProgrammeFactory(published=True)
    programme.lead_organisations.set([organisation])
    for number in range(count):
        measure = OutcomeMeasureFactory(programme=programme)
        ComparisonFactory(measure=measure, entered_by=UserFactory())
        OutcomeTargetFactory(measure=measure)
        programme.offers.add(OfferPageFactory(provider=organisation))
        programme.teams.add(TeamFactory(organisation=organisation, name=f"Team {count}-{number}"))
    return programme


def test_the_outcomes_pages_cost_the_same_queries_for_3_and_30_rows(client, organisation):
    few = _programme_with(3, organisation)
    many = _programme_with(30, organisation)
    client.get("/outcomes/")  # the first visit's work (site root paths)
    client.get(f"/outcomes/{few.slug}/")
    assert queries_for(client, f"/outcomes/{few.slug}/") == queries_for(
        client, f"/outcomes/{many.slug}/"
    )
    three = queries_for(client, "/outcomes/")
    for _ in range(27):
        _programme_with(0, organisation)
    assert queries_for(client, "/outcomes/") == three


# --- The admin ----------------------------------------------------------------------------------

ADMIN_LISTS = [
    "/admin/outcome-programmes/",
    "/admin/outcome-measures/",
    "/admin/outcome-comparisons/",
    "/admin/outcome-targets/",
]


@pytest.mark.parametrize("url", ADMIN_LISTS)
def test_partnership_wide_hr_and_admins_keep_outcomes(keeper_client, make_person, url, bed_days):
    assert keeper_client.get(url).status_code == 200
    admin = sign_in(keeper_client, make_person("admin"))
    assert admin.get(url).status_code == 200


@pytest.mark.parametrize("role", ["hr", "engagement_lead", "finance", "editor"])
def test_everyone_else_is_refused_the_outcomes_admin(client, make_person, role, bed_days):
    sign_in(client, make_person(role))
    for url in ADMIN_LISTS:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/", (role, url)
    refused = client.post("/admin/outcome-programmes/new/", {"name": "Sneaked in", "summary": "No"})
    assert refused.status_code == 302
    assert not Programme.objects.filter(name="Sneaked in").exists()


def test_entered_figures_record_who_entered_them_and_when(keeper_client, keeper, bed_days):
    response = keeper_client.post(
        "/admin/outcome-comparisons/new/",
        {
            "measure": bed_days.pk,
            "before_start": "2024-04-01",
            "before_end": "2025-03-31",
            "before_value": "1200",
            "after_start": "2025-04-01",
            "after_end": "2026-03-31",
            "after_value": "900",
            "note": "From the trust's bed management system",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entered = Comparison.objects.get(before_value=Decimal("1200"))
    assert entered.entered_by == keeper and entered.entered_at is not None
    assert entered.source == Comparison.Source.ENTERED


def test_bad_figures_are_refused_beside_the_field_and_nothing_is_saved(keeper_client, bed_days):
    response = keeper_client.post(
        "/admin/outcome-comparisons/new/",
        {
            "measure": bed_days.pk,
            "before_start": "2024-04-01",
            "before_end": "2025-03-31",
            "before_value": "1200",
            "after_start": "2025-01-01",
            "after_end": "2026-03-31",
            "after_value": "-4",
            "note": "Typed note kept",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "must start after the before period ends" in page
    assert "Typed note kept" in page
    assert Comparison.objects.count() == 1


def test_keepers_add_a_programme_measure_and_target(keeper_client, organisation):
    response = keeper_client.post(
        "/admin/outcome-programmes/new/",
        {
            "name": "Direct payments: choice and control",
            "summary": "More people choosing their own support.",
            "lead_organisations": [organisation.pk],
            "published": "on",
        },
    )
    assert response.status_code == 302
    programme = Programme.objects.get()
    assert programme.slug == "direct-payments-choice-and-control"
    response = keeper_client.post(
        "/admin/outcome-measures/new/",
        {
            "programme": programme.pk,
            "name": "People using direct payments",
            "counted": "People who receive a direct payment.",
            "kind": "rate",
            "better": "higher",
            "method": "Counted by the council.",
            "sort_order": "0",
        },
    )
    assert response.status_code == 200
    assert "Enter how many people the rate is per" in response.content.decode()
    response = keeper_client.post(
        "/admin/outcome-measures/new/",
        {
            "programme": programme.pk,
            "name": "People using direct payments",
            "counted": "People who receive a direct payment.",
            "kind": "count",
            "better": "higher",
            "method": "Counted by the council.",
            "sort_order": "0",
        },
    )
    assert response.status_code == 302
    measure = OutcomeMeasure.objects.get()
    response = keeper_client.post(
        "/admin/outcome-targets/new/",
        {"measure": measure.pk, "due_on": "2027-04-01", "value": "200", "note": "Second"},
    )
    assert response.status_code == 302
    assert OutcomeTarget.objects.get().value == Decimal("200")


def test_the_outcomes_admin_lists_cost_the_same_queries_for_3_and_30_rows(
    keeper_client, organisation
):
    _programme_with(3, organisation)
    keeper_client.get("/admin/outcome-comparisons/")
    counts_3 = [queries_for(keeper_client, url) for url in ADMIN_LISTS]
    _programme_with(27, organisation)
    assert [queries_for(keeper_client, url) for url in ADMIN_LISTS] == counts_3


# --- The board report ---------------------------------------------------------------------------


def test_the_board_report_has_a_partnership_outcomes_section(organisation, bed_days, programme):
    target_measure = OutcomeMeasureFactory(
        programme=programme, name="People using direct payments", better="higher"
    )
    OutcomeTargetFactory(measure=target_measure, due_on=date(2027, 4, 1), value=Decimal("250"))
    ProgrammeFactory(name="An unpublished programme")
    charter = CharterFactory(organisation=organisation, published=True)
    text = pdf_text(board_report_pdf(charter_progress(charter.pk, today=TODAY)))
    outcomes = text[text.index("Partnership outcomes") :]
    for words in (
        "Peer mentoring after a hospital stay",
        "Days spent in hospital",
        "4,786",
        "\u22124,474",
        "\u221293.5%",
        "Down by 4,474 (93.5%), from 4,786 to 312",
        "The change is the after figure minus the before figure",
        "Open Door Crisis Café",
        "Inpatient peer support",
        "People using direct payments",
        "Not yet measured",
        "Not due yet",
    ):
        assert words in outcomes, words
    assert "An unpublished programme" not in text


def test_the_board_report_says_when_no_programme_is_published(organisation):
    charter = CharterFactory(organisation=organisation, published=True)
    text = pdf_text(board_report_pdf(charter_progress(charter.pk, today=TODAY)))
    assert "No programme has published its outcomes yet." in text


# --- The demo -----------------------------------------------------------------------------------


def test_the_demo_seeds_the_slough_figures_and_kirklees_targets_once():
    # What the shell's and the peers' demos make, that the programme links to.
    trust = OrganisationFactory(name="Northdale Health and Care NHS Foundation Trust")
    OfferPageFactory(title="Open Door Crisis Café", provider=trust)
    TeamFactory(organisation=trust, name="Inpatient peer support")
    load_outcomes_demo(today=TODAY)
    again = load_outcomes_demo(today=TODAY)
    assert again["created"] == 0 and Programme.objects.count() == 2
    assert Comparison.objects.count() == 2 and OutcomeTarget.objects.count() == 3
    mentoring = Programme.objects.get(name=MENTORING)
    bed_days = mentoring.measures.get(name="Days spent in hospital").comparisons.get()
    worked = change(bed_days.before_value, bed_days.after_value)
    assert (worked.change, worked.percent) == (Decimal("-4474"), Decimal("-93.5"))
    contacts = mentoring.measures.get(name="Crisis and A&E contacts").comparisons.get()
    assert change(contacts.before_value, contacts.after_value).percent == Decimal("-72.3")
    # Honestly labelled: entered by hand, the source in the note, periods that have ended.
    assert bed_days.source == Comparison.Source.ENTERED
    assert "published evaluation of a peer mentor service" in bed_days.note
    assert bed_days.after_end < TODAY
    assert [o.title for o in mentoring.offers.all()] == ["Open Door Crisis Café"]
    assert [t.name for t in mentoring.teams.all()] == ["Inpatient peer support"]
    assert [o.name for o in mentoring.lead_organisations.all()] == [trust.name]
    targets = OutcomeTarget.objects.order_by("due_on")
    assert [t.value for t in targets] == [Decimal("100"), Decimal("200"), Decimal("250")]
    assert [t.due_on for t in targets] == [date(2027, 4, 1), date(2028, 4, 1), date(2029, 4, 1)]
