"""The benchmark's judgements: each page's rate as a share of the static file's, the pass or
fail goal lines, and the query counter that flags a page whose SQL grows with the data.

The numbers here are made up or counted, never timed: the bench measures, the suite checks
the arithmetic and the flagging."""

import pytest
from django.http import HttpResponse
from django.urls import path

from cms.bench.big import (
    BigResults,
    DashboardMeasurement,
    ExportMeasurement,
    big_goals,
)
from cms.bench.goals import (
    check_goals,
    growth_goal,
    percent_of,
    query_growth,
    static_yardstick,
)
from cms.bench.runner import Measurement, count_queries, format_table
from cms.bench.scenarios import Scenario
from cms.models import Organisation
from tests.factories import OrganisationFactory


def page(scenario, user="anonymous", *, percent=40.0, queries=8, p95=100.0):
    return Measurement(
        scenario=scenario,
        user=user,
        path=f"/{scenario}/",
        percent_of_static=percent,
        queries=queries,
        p95_ms=p95,
    )


# --- The static file as the yardstick ------------------------------------------------------


def test_a_pages_rate_is_a_percentage_of_the_static_files():
    assert percent_of(250.0, 1000.0) == 25.0
    assert percent_of(123.4, 987.6) == 12.5
    assert percent_of(50.0, None) is None
    assert percent_of(50.0, 0.0) is None


def test_the_static_rate_is_the_mean_of_its_runs_before_and_after_the_pages():
    assert static_yardstick(900.0, 1100.0) == 1000.0
    # A run that answered nothing is left out rather than halving the yardstick.
    assert static_yardstick(800.0, 0.0) == 800.0
    assert static_yardstick() is None


def test_the_table_shows_the_share_of_the_static_rate():
    table = format_table([page("home", percent=31.5)])

    assert "% static" in table.splitlines()[0]
    assert "31.5" in table.splitlines()[2]


# --- Goals -----------------------------------------------------------------------------------


def test_every_goal_passes_when_every_page_meets_it():
    goals = check_goals(
        [page("home", percent=25.0), page("my-space", "member", queries=15, p95=249.9)]
    )

    assert [goal.passed for goal in goals] == [True, True, True]
    assert all(goal.line().startswith("PASS") for goal in goals)


def test_a_slow_public_page_fails_the_ratio_goal_and_is_named():
    ratio, queries, signed_in = check_goals(
        [page("home", percent=24.9), page("offers"), page("my-space", "member", percent=1.0)]
    )

    assert not ratio.passed
    assert ratio.line() == (
        "FAIL  anonymous public pages at least 25% of the static file's rate: home 24.9%"
    )
    # A signed-in page's rate is not held to the public goal.
    assert queries.passed and signed_in.passed


def test_a_page_over_fifteen_queries_fails_for_any_user():
    _, queries, _ = check_goals([page("home", queries=16), page("claims", "member", queries=20)])

    assert not queries.passed
    assert queries.detail == "home/anonymous 16, claims/member 20"


def test_a_signed_in_page_at_250_ms_fails_the_my_space_goal():
    _, _, signed_in = check_goals([page("home", p95=900.0), page("claims", "member", p95=250.0)])

    assert not signed_in.passed
    assert signed_in.detail == "claims/member 250 ms"


def test_goals_fail_when_nothing_they_judge_was_measured():
    ratio, _, signed_in = check_goals([page("home", percent=None)])

    assert not ratio.passed and "home not measured" in ratio.detail
    assert not signed_in.passed and signed_in.detail == "no signed-in page was measured"


def test_big_goals_judge_dashboards_and_exports():
    results = BigResults(
        dashboards=[
            DashboardMeasurement("peer summary", "peer@example.org", p95_ms=120.0),
            DashboardMeasurement("feedback trends", "lead@example.org", p95_ms=230.0),
        ],
        exports=[
            ExportMeasurement(
                "sessions",
                rows=1_000_000,
                seconds=41.0,
                baseline_rss_mb=147.5,
                peak_rss_mb=151.0,
                added_rss_mb=3.5,
            ),
        ],
    )

    dashboards, exports = big_goals(results)

    assert not dashboards.passed and dashboards.detail == "feedback trends 230.0"
    assert not exports.passed
    assert exports.detail == "sessions 151.0 MB (the site alone 147.5 MB, the export added 3.5 MB)"

    results.dashboards.pop()
    results.exports[0].peak_rss_mb = 98.0
    assert all(goal.passed for goal in big_goals(results))


# --- SQL queries constant in data size ---------------------------------------------------------


def constant_page(request):
    return HttpResponse(f"{Organisation.objects.count()} organisations")


def growing_page(request):
    # One query per organisation: what the growth check is there to catch.
    ids = Organisation.objects.values_list("pk", flat=True)
    names = [Organisation.objects.get(pk=pk).name for pk in ids]
    return HttpResponse(", ".join(names))


urlpatterns = [
    path("constant/", constant_page),
    path("growing/", growing_page),
]

SCENARIOS = [
    Scenario("constant", "/constant/", ("anonymous",)),
    Scenario("growing", "/growing/", ("anonymous",)),
]
PATHS = {scenario.name: scenario.path for scenario in SCENARIOS}


def counted(rows: int) -> dict[tuple[str, str], int]:
    OrganisationFactory.create_batch(rows - Organisation.objects.count())
    answers = count_queries(SCENARIOS, PATHS, people={})
    assert {status for _, status in answers.values()} == {200}
    return {key: count for key, (count, _) in answers.items()}


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_growth_check_flags_only_the_page_whose_queries_grow_with_the_data():
    growth = query_growth(counted(3), counted(30))

    flagged = {g.scenario: (g.smaller, g.larger) for g in growth if g.grew}
    assert list(flagged) == ["growing"]
    smaller, larger = flagged["growing"]
    assert larger - smaller == 27
    goal = growth_goal(growth, scales=(1, 3))
    assert not goal.passed
    assert goal.line().startswith("FAIL  SQL queries per page the same at scale 1 and scale 3")
    assert "growing/anonymous" in goal.detail and "constant" not in goal.detail


def test_a_page_counted_at_one_scale_only_is_flagged():
    growth = query_growth({("home", "anonymous"): 5}, {("home", "anonymous"): 5, ("new", "m"): 3})

    assert [(g.scenario, g.grew) for g in growth] == [("home", False), ("new", True)]
    assert growth_goal(growth[:1], scales=(1, 3)).passed
