"""The trends page adds up monthly totals instead of counting every piece of feedback
(issue 19: 200,000 pieces must not slow it down). The totals must always say what the
feedback says: whatever is given, hidden, re-rated, re-themed, moved or deleted, the totals
equal a recount from scratch, and the trends — whole months from the totals, the days of a
month cut short by the dates chosen from the feedback — equal a plain count of the
feedback itself, in London months either side of the clocks changing."""

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproduce.factories import FeedbackFactory, ThemeFactory
from coproduce.models import Feedback, FeedbackMonth
from coproduce.selectors.feedback import (
    TrendFilters,
    feedback_trends,
    month_start,
    trend_offers,
)
from coproduce.services.feedback import feedback_give
from coproduce.services.feedback_totals import feedback_totals_rebuild
from tests.factories import OfferPageFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# 1 March to 9 May 2026: the clocks go forward on 29 March, so an evening's feedback late
# on a month's last day is in the next month in UTC but not in London.
FIRST_DAY = date(2026, 3, 1)
DAYS = 70
TODAY = FIRST_DAY + timedelta(days=DAYS - 1)
OFFERS = ("Crisis café", "Listening line", "Recovery college")
LISTENED = [choice for choice, _ in Feedback.Listened.choices]


def stored_totals() -> Counter:
    return Counter(
        FeedbackMonth.objects.values_list(
            "organisation_id",
            "month",
            "kind",
            "offer_title",
            "offer_id",
            "theme_id",
            "also_theme_id",
            "count",
            "rating_sum",
            "rated",
            "listened",
        )
    )


def assert_totals_match_a_recount() -> None:
    kept = stored_totals()
    feedback_totals_rebuild()
    assert kept == stored_totals()


def plain_trends(organisation, filters: TrendFilters) -> dict:
    """The trends counted the plainest way: every piece of feedback read and counted here."""
    chosen = []
    for item in Feedback.objects.filter(organisation=organisation, hidden=False).prefetch_related(
        "themes"
    ):
        themes = list(item.themes.all())
        day = timezone.localtime(item.created_at).date()
        if not filters.first <= day <= filters.last:
            continue
        if filters.theme is not None and filters.theme not in themes:
            continue
        chosen.append((item, day, themes))
    by_theme = Counter()
    for _item, _day, themes in chosen:
        by_theme.update([theme.name for theme in themes] or ["No theme chosen"])
    ratings = [item.rating for item, _day, _themes in chosen]
    return {
        "total": len(chosen),
        "average": round(sum(ratings) / len(ratings), 1) if ratings else None,
        "listened": sum(item.felt_listened_to == "yes" for item, _day, _themes in chosen),
        "by_offer": Counter(item.offer_title for item, _day, _themes in chosen),
        "by_month": Counter(month_start(day).strftime("%B %Y") for _item, day, _themes in chosen),
        "by_theme": by_theme,
    }


def shown(trends) -> dict:
    def counts(rows):
        return Counter({row.label: row.count for row in rows if row.count})

    return {
        "total": trends.total,
        "average": trends.average,
        "listened": trends.listened,
        "by_offer": counts(trends.by_offer),
        "by_month": counts(trends.by_month),
        "by_theme": counts(trends.by_theme),
    }


def moment(day: int, hour: int) -> datetime:
    return datetime.combine(FIRST_DAY + timedelta(days=day), datetime.min.time(), LONDON).replace(
        hour=hour, minute=30
    )


@pytest.fixture
def world(organisation, other_organisation, make_person):
    lead = make_person("engagement_lead")
    themes = [ThemeFactory(name=name) for name in ("Waiting times", "Kindness", "The building")]
    offers = {
        owner.pk: [
            OfferPageFactory(title=f"{title} of {owner.name}", provider=owner) for title in OFFERS
        ]
        for owner in (organisation, other_organisation)
    }
    return {
        "lead": lead,
        "themes": themes,
        "offers": offers,
        "organisations": [organisation, other_organisation],
    }


# --- The totals follow every change ------------------------------------------------------------


def test_feedback_given_through_the_service_is_counted_in_its_month(world, organisation):
    cafe = world["offers"][organisation.pk][0]
    waiting = world["themes"][0]
    feedback_give(
        offer=cafe,
        user=None,
        went_well="Kind staff.",
        could_be_better="",
        rating=4,
        felt_listened_to="yes",
        themes=[waiting],
        consent_to_publish=False,
    )
    month = month_start(timezone.localdate())
    row = FeedbackMonth.objects.get(
        organisation=organisation, month=month, kind=FeedbackMonth.Kind.ALL
    )
    assert (row.offer_title, row.count, row.rating_sum, row.listened) == (cafe.title, 1, 4, 1)
    themed = FeedbackMonth.objects.get(
        organisation=organisation, month=month, kind=FeedbackMonth.Kind.THEME
    )
    assert themed.theme == waiting
    assert_totals_match_a_recount()


def test_hiding_rethemeing_moving_and_deleting_keep_the_totals(world, organisation):
    cafe = world["offers"][organisation.pk][0]
    waiting, kindness, _building = world["themes"]
    item = FeedbackFactory(offer=cafe, themes=[waiting])
    item.hidden = True
    item.save()
    assert not FeedbackMonth.objects.filter(kind=FeedbackMonth.Kind.ALL).exists()
    item.hidden = False
    item.save()
    item.themes.add(kindness)
    kindness.feedback.remove(item)  # from the theme's side too
    item.themes.add(kindness)
    kindness.feedback.clear()  # and cleared from the theme's side
    assert_totals_match_a_recount()
    item.created_at = moment(40, 12)
    item.save()
    assert_totals_match_a_recount()
    # Moved to another offer, its title as given kept: the offer filter must follow.
    item.offer = world["offers"][organisation.pk][1]
    item.save()
    assert_totals_match_a_recount()
    assert set(FeedbackMonth.objects.values_list("month", flat=True)) == {date(2026, 4, 1)}
    item.delete()
    assert not FeedbackMonth.objects.exists()


def test_a_save_that_changes_nothing_counted_does_not_recount(world, organisation):
    item = FeedbackFactory(offer=world["offers"][organisation.pk][0])
    item.status = Feedback.Status.TRIAGED
    with CaptureQueriesContext(connection) as queries:
        item.save()
    recounts = [q["sql"] for q in queries if "coproduce_feedbackmonth" in q["sql"]]
    assert not recounts


def test_a_deleted_theme_moves_its_feedback_to_no_theme(world, organisation):
    waiting = world["themes"][0]
    FeedbackFactory(offer=world["offers"][organisation.pk][0], themes=[waiting])
    waiting.delete()
    assert FeedbackMonth.objects.filter(kind=FeedbackMonth.Kind.NO_THEME, count=1).exists()
    assert_totals_match_a_recount()


def test_the_rebuild_command_counts_a_bulk_load(world, organisation):
    cafe = world["offers"][organisation.pk][0]
    Feedback.objects.bulk_create(
        [
            Feedback(
                offer=cafe,
                offer_title=cafe.title,
                organisation=organisation,
                source=Feedback.Source.PUBLIC,
                rating=3,
                felt_listened_to="yes",
            )
            for _ in range(5)
        ]
    )
    assert not FeedbackMonth.objects.exists()
    call_command("rebuild_feedback_totals", "--organisation", str(organisation.pk), verbosity=0)
    assert FeedbackMonth.objects.get(kind=FeedbackMonth.Kind.ALL).count == 5


# --- Whatever happens, the totals and the trends say what the feedback says ----------------------

step = st.one_of(
    st.tuples(
        st.just("give"),
        st.integers(0, 1),  # organisation
        st.integers(0, len(OFFERS) - 1),
        st.integers(0, DAYS - 1),
        st.sampled_from([0, 12, 23]),
        st.integers(1, 5),
        st.sampled_from(LISTENED),
        st.sets(st.integers(0, 2), max_size=3),
    ),
    st.tuples(st.just("hide"), st.integers(0, 50)),
    st.tuples(st.just("retheme"), st.integers(0, 50), st.sets(st.integers(0, 2), max_size=3)),
    st.tuples(
        st.just("move"), st.integers(0, 50), st.integers(0, DAYS - 1), st.sampled_from([0, 23])
    ),
    st.tuples(st.just("rerate"), st.integers(0, 50), st.integers(1, 5)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
)
period = st.tuples(st.integers(0, DAYS - 1), st.integers(0, DAYS - 1)).map(sorted)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=10), days=period, theme=st.integers(-1, 2))
def test_the_totals_and_the_trends_always_equal_a_plain_count(world, steps, days, theme):
    with transaction.atomic():
        made: list[Feedback] = []
        for action, *args in steps:
            if action == "give":
                owner, offer, day, hour, rating, listened, themes = args
                organisation = world["organisations"][owner]
                item = FeedbackFactory(
                    offer=world["offers"][organisation.pk][offer],
                    rating=rating,
                    felt_listened_to=listened,
                    themes=[world["themes"][n] for n in sorted(themes)],
                )
                item.created_at = moment(day, hour)
                item.save()
                made.append(item)
                continue
            if not made:
                continue
            item = made[args[0] % len(made)]
            if action == "hide":
                item.hidden = not item.hidden
                item.save()
            elif action == "retheme":
                item.themes.set([world["themes"][n] for n in sorted(args[1])])
            elif action == "move":
                item.created_at = moment(args[1], args[2])
                item.save()
            elif action == "rerate":
                item.rating = args[1]
                item.save()
            elif action == "delete":
                item.delete()
                made.remove(item)
        filters = TrendFilters(
            first=FIRST_DAY + timedelta(days=days[0]),
            last=FIRST_DAY + timedelta(days=days[1]),
            theme=None if theme < 0 else world["themes"][theme],
        )
        lead_organisation = world["organisations"][0]
        assert shown(feedback_trends(world["lead"], filters, today=TODAY)) == plain_trends(
            lead_organisation, filters
        )
        assert_totals_match_a_recount()
        transaction.set_rollback(True)


def test_the_default_period_reads_only_the_totals(world, organisation):
    """The last 18 months up to today are whole months: nothing is counted from the
    feedback itself, so the page costs the same with 5 pieces or 500,000."""
    FeedbackFactory.create_batch(3, offer=world["offers"][organisation.pk][0])
    today = timezone.localdate()
    filters = TrendFilters(
        first=month_start(today.replace(day=1) - timedelta(days=500)), last=today
    )
    with CaptureQueriesContext(connection) as queries:
        trends = feedback_trends(world["lead"], filters, today=today)
        offers = list(trend_offers(world["lead"]))
    assert trends.total == 3
    assert offers == [world["offers"][organisation.pk][0]]
    read_feedback = [q["sql"] for q in queries if '"coproduce_feedback"' in q["sql"]]
    assert not read_feedback
