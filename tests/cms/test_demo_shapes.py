"""The demo's histories move the way real practice does, drawn with one copy of the shapes
that peer work's and co-production's histories share."""

import random
from datetime import date, timedelta

import coproduce.demo_history
import peers.demo_history
from cms.demo_shapes import Steady, Trend

SINCE = date(2024, 4, 1)


def test_a_trend_holds_until_adoption_then_moves_evenly_over_two_years_and_stays():
    trend = Trend(0.5, 0.9)
    assert trend.at(SINCE - timedelta(days=400), SINCE) == 0.5
    assert trend.at(SINCE, SINCE) == 0.5
    assert trend.at(SINCE + timedelta(days=365), SINCE) == 0.7
    assert trend.at(SINCE + timedelta(days=730), SINCE) == 0.9
    assert trend.at(SINCE + timedelta(days=2000), SINCE) == 0.9


def test_steady_says_yes_to_its_rate_in_every_dozen_not_by_luck():
    for seed in range(20):
        steady = Steady(random.Random(seed))  # noqa: S311 - a test's seed
        answers = [steady(0.25) for _ in range(120)]
        for start in range(0, 120, 12):
            assert sum(answers[start : start + 12]) == 3
    never = Steady(random.Random(1))  # noqa: S311 - a test's seed
    assert not any(never(0) for _ in range(10))


def test_both_histories_draw_with_the_one_copy_of_the_shapes():
    for module in (peers.demo_history, coproduce.demo_history):
        assert module.Trend is Trend
        assert module.Steady is Steady
