""" "Open now" with the times people really keep: closures, bank holidays, 24 hours, and
overnight openings that cross them, by one rule in Python (cards, offer page) and one in the
database (the directory's "open now" filter) that always agree."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cms.models import Closure, OfferPage, OpeningTime
from cms.models.offers import offers_open_at_q, opening_status, spans_open_at
from tests.factories import OfferPageFactory

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = range(5)
EVERY_DAY = range(7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


CHRISTMAS_EVE = date(2026, 12, 24)  # a Thursday
CHRISTMAS = date(2026, 12, 25)  # a Friday, and a bank holiday
BOXING_DAY = date(2026, 12, 26)  # a Saturday
SUBSTITUTE_BANK_HOLIDAY = date(2026, 12, 28)  # Monday, for Boxing Day on a Saturday


def spans(days, opens, closes):
    return [
        OpeningTime(weekday=day, opens=time.fromisoformat(opens), closes=time.fromisoformat(closes))
        for day in days
    ]


def closed(first_day, last_day=None, reason=""):
    return Closure(first_day=first_day, last_day=last_day, reason=reason)


CAFE = spans(EVERY_DAY, "18:00", "02:00")
OFFICE = spans(WEEKDAYS, "10:00", "16:00")


# --- The rule, case by case ------------------------------------------------------------------


def test_a_closure_closes_the_whole_day():
    christmas = [closed(CHRISTMAS, reason="Christmas Day")]
    assert spans_open_at(OFFICE, at(CHRISTMAS_EVE, 12), closures=christmas)
    assert not spans_open_at(OFFICE, at(CHRISTMAS, 10), closures=christmas)
    assert not spans_open_at(OFFICE, at(CHRISTMAS, 15, 59), closures=christmas)


def test_a_closure_of_several_days_includes_its_last_day():
    holiday = [closed(CHRISTMAS_EVE, date(2027, 1, 1), "Christmas and New Year")]
    assert not spans_open_at(OFFICE, at(date(2026, 12, 31), 12), closures=holiday)
    assert not spans_open_at(OFFICE, at(date(2027, 1, 1), 12), closures=holiday)
    assert spans_open_at(OFFICE, at(date(2026, 12, 23), 12), closures=holiday)
    assert spans_open_at(OFFICE, at(date(2027, 1, 4), 12), closures=holiday)


def test_an_overnight_opening_that_began_before_a_closure_runs_into_it():
    christmas = [closed(CHRISTMAS, reason="Christmas Day")]
    # Christmas Eve's night runs until 2am on Christmas morning: it belongs to Christmas Eve.
    assert spans_open_at(CAFE, at(CHRISTMAS, 1, 30), closures=christmas)
    assert not spans_open_at(CAFE, at(CHRISTMAS, 2), closures=christmas)
    # Christmas night never opens, so it does not run into Boxing Day either.
    assert not spans_open_at(CAFE, at(CHRISTMAS, 19), closures=christmas)
    assert not spans_open_at(CAFE, at(BOXING_DAY, 1), closures=christmas)
    assert spans_open_at(CAFE, at(BOXING_DAY, 18), closures=christmas)


def test_bank_holidays_close_only_offers_that_say_so():
    assert not spans_open_at(OFFICE, at(SUBSTITUTE_BANK_HOLIDAY, 12), closed_on_bank_holidays=True)
    assert spans_open_at(OFFICE, at(SUBSTITUTE_BANK_HOLIDAY, 12), closed_on_bank_holidays=False)
    assert spans_open_at(OFFICE, at(date(2026, 12, 29), 12), closed_on_bank_holidays=True)


def test_an_offer_open_24_hours_needs_no_times_and_keeps_its_closures():
    christmas = [closed(CHRISTMAS, reason="Christmas Day")]
    assert spans_open_at([], at(CHRISTMAS_EVE, 3), open_24_hours=True, closures=christmas)
    assert spans_open_at([], at(CHRISTMAS_EVE, 23, 59), open_24_hours=True, closures=christmas)
    assert not spans_open_at([], at(CHRISTMAS, 0), open_24_hours=True, closures=christmas)
    assert spans_open_at([], at(BOXING_DAY, 0), open_24_hours=True, closures=christmas)
    assert not spans_open_at(
        [], at(SUBSTITUTE_BANK_HOLIDAY, 9), open_24_hours=True, closed_on_bank_holidays=True
    )


# --- In words: open until, or when it next opens ------------------------------------------


@pytest.mark.parametrize(
    ("times", "moment", "rules", "words"),
    [
        (CAFE, at(date(2026, 11, 25), 15), {}, "Opens today at 6pm."),
        (CAFE, at(date(2026, 11, 25), 19), {}, "Open now until 2am"),
        (CAFE, at(date(2026, 11, 26), 1), {}, "Open now until 2am"),
        (OFFICE, at(date(2026, 11, 26), 17), {}, "Opens tomorrow at 10am."),
        (OFFICE, at(date(2026, 11, 27), 17), {}, "Opens Monday at 10am."),
        (
            OFFICE,
            at(CHRISTMAS, 9),
            {
                "closures": [closed(CHRISTMAS, reason="Christmas Day")],
                "closed_on_bank_holidays": True,
            },
            "Closed today (Christmas Day). Opens Tuesday at 10am.",
        ),
        (
            OFFICE,
            at(SUBSTITUTE_BANK_HOLIDAY, 9),
            {"closed_on_bank_holidays": True},
            "Closed today (bank holiday). Opens tomorrow at 10am.",
        ),
        (
            OFFICE,
            at(CHRISTMAS_EVE, 9),
            {"closures": [closed(CHRISTMAS_EVE, date(2027, 1, 4))]},
            "Closed today. Opens on Tuesday 5 January 2027 at 10am.",
        ),
        ([], at(CHRISTMAS_EVE, 3), {"open_24_hours": True}, "Open now (24 hours)"),
        (
            [],
            at(CHRISTMAS, 3),
            {"open_24_hours": True, "closures": [closed(CHRISTMAS, reason="Christmas Day")]},
            "Closed today (Christmas Day). Open again from tomorrow.",
        ),
        ([], at(CHRISTMAS, 3), {}, ""),
    ],
)
def test_opening_status_says_when_it_closes_or_next_opens(times, moment, rules, words):
    status = opening_status(times, moment, **rules)
    assert status.words == words
    assert status.is_open == words.startswith("Open now")


# --- The database says the same as Python ----------------------------------------------------


def _open_in_database(offer, moment) -> bool:
    return OfferPage.objects.filter(offers_open_at_q(moment), pk=offer.pk).exists()


def _open_in_python(offer, moment) -> bool:
    offer = OfferPage.objects.get(pk=offer.pk)
    return offer.is_open_at(moment)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (at(CHRISTMAS, 1, 30), True),  # Christmas Eve's night
        (at(CHRISTMAS, 19), False),  # closed for Christmas
        (at(BOXING_DAY, 1), False),  # Christmas night never opened
        (at(BOXING_DAY, 19), True),
        (at(SUBSTITUTE_BANK_HOLIDAY, 19), False),  # closed on bank holidays
        (at(date(2026, 12, 29), 1), False),  # the bank holiday's night never opened
        (at(date(2026, 12, 29), 19), True),
    ],
)
def test_the_directory_filter_and_the_cards_agree_at_the_boundaries(moment, is_open):
    offer = OfferPageFactory(
        title="Night Cafe",
        closed_on_bank_holidays=True,
        opening_times=[(day, "18:00", "02:00") for day in EVERY_DAY],
    )
    Closure.objects.create(offer=offer, first_day=CHRISTMAS, reason="Christmas Day")
    assert _open_in_python(offer, moment) is is_open
    assert _open_in_database(offer, moment) is is_open


@pytest.mark.django_db
def test_the_directory_filter_finds_24_hour_offers_outside_their_closures():
    offer = OfferPageFactory(title="Helpline", open_24_hours=True)
    Closure.objects.create(offer=offer, first_day=CHRISTMAS, last_day=BOXING_DAY)
    assert _open_in_database(offer, at(CHRISTMAS_EVE, 3))
    assert not _open_in_database(offer, at(BOXING_DAY, 23))
    assert _open_in_database(offer, at(date(2026, 12, 27), 0))


# Moments around Christmas 2026 and Easter 2027 (the clocks change on 28 March 2027, and
# Good Friday and Easter Monday are bank holidays), every quarter of an hour.
WINDOW_STARTS = (date(2026, 12, 20), date(2027, 3, 22))
moments = st.builds(
    lambda start, days, quarter: datetime.combine(
        start + timedelta(days=days), time(quarter // 4, quarter % 4 * 15), LONDON
    ),
    st.sampled_from(WINDOW_STARTS),
    st.integers(0, 16),
    st.integers(0, 95),
)
clock_times = st.integers(0, 48).map(
    lambda half: time(23, 59) if half == 48 else time(half // 2, half % 2 * 30)
)
span_rows = st.tuples(
    st.integers(0, 6),
    clock_times,
    clock_times,
    st.sampled_from([None, date(2026, 12, 24), date(2027, 3, 26)]),
    st.sampled_from([None, date(2026, 12, 25), date(2027, 3, 29)]),
)
closure_rows = st.tuples(
    st.sampled_from(WINDOW_STARTS), st.integers(0, 16), st.sampled_from([None, 0, 1, 3])
)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    moment=moments,
    rows=st.lists(span_rows, max_size=4),
    closures=st.lists(closure_rows, max_size=3),
    open_24_hours=st.booleans(),
    closed_on_bank_holidays=st.booleans(),
)
def test_python_and_the_database_agree_on_any_times_closures_and_moment(
    moment, rows, closures, open_24_hours, closed_on_bank_holidays
):
    offer = OfferPage.objects.filter(title="Any times").first() or OfferPageFactory(
        title="Any times"
    )
    OpeningTime.objects.filter(offer=offer).delete()
    Closure.objects.filter(offer=offer).delete()
    OfferPage.objects.filter(pk=offer.pk).update(
        open_24_hours=open_24_hours, closed_on_bank_holidays=closed_on_bank_holidays
    )
    OpeningTime.objects.bulk_create(
        OpeningTime(
            offer_id=offer.pk,
            weekday=weekday,
            opens=opens,
            closes=closes,
            valid_from=valid_from,
            valid_to=valid_to,
            sort_order=n,
        )
        for n, (weekday, opens, closes, valid_from, valid_to) in enumerate(rows)
    )
    Closure.objects.bulk_create(
        Closure(
            offer_id=offer.pk,
            first_day=start + timedelta(days=days),
            last_day=None if length is None else start + timedelta(days=days + length),
            sort_order=n,
        )
        for n, (start, days, length) in enumerate(closures)
    )
    assert _open_in_database(offer, moment) == _open_in_python(offer, moment)
