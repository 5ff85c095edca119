"""The goals the benchmark's numbers are judged against (issue 19), as pass or fail lines.

- a public page, requested anonymously, answers at least a quarter as many requests per
  second as a static file served by the same gunicorn in the same run: the static file is
  the machine's own yardstick, so the goal means the same on a laptop and on a server;
- every page issues at most 15 SQL queries, and the same number whatever the data size
  (``query_growth`` compares two scales);
- signed-in pages (My space and the pages it links to) answer in under 250 ms at p95.

The functions here only do arithmetic on measurements, so they are tested without a server.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ANONYMOUS = "anonymous"
STATIC_PERCENT_GOAL = 25
QUERY_GOAL = 15
SIGNED_IN_P95_GOAL_MS = 250


@dataclass(frozen=True)
class Goal:
    """One goal, whether the run met it, and the pages that missed it."""

    name: str
    passed: bool
    detail: str = ""

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return f"{verdict}  {self.name}" + (f": {self.detail}" if self.detail else "")


def percent_of(rate: float | None, yardstick: float | None) -> float | None:
    """``rate`` as a percentage of ``yardstick``, to one place; None without a yardstick."""
    if rate is None or not yardstick:
        return None
    return round(100 * rate / yardstick, 1)


def static_yardstick(*rates: float | None) -> float | None:
    """The static file's rate: the mean of its runs (before and after the pages), so a
    machine that got busier during the run does not flatter or punish the pages."""
    measured = [rate for rate in rates if rate]
    return round(sum(measured) / len(measured), 1) if measured else None


def check_goals(measurements: Iterable) -> list[Goal]:
    """The three goals for measurements with ``user``, ``scenario``, ``percent_of_static``,
    ``queries`` and ``p95_ms``."""
    measurements = list(measurements)
    public = [m for m in measurements if m.user == ANONYMOUS]
    signed_in = [m for m in measurements if m.user != ANONYMOUS]

    slow_public = [
        f"{m.scenario} {_number(m.percent_of_static, '%')}"
        for m in public
        if m.percent_of_static is None or m.percent_of_static < STATIC_PERCENT_GOAL
    ]
    many_queries = [
        f"{m.scenario}/{m.user} {m.queries}"
        for m in measurements
        if m.queries is None or m.queries > QUERY_GOAL
    ]
    slow_signed_in = [
        f"{m.scenario}/{m.user} {_number(m.p95_ms, ' ms')}"
        for m in signed_in
        if m.p95_ms is None or m.p95_ms >= SIGNED_IN_P95_GOAL_MS
    ]
    return [
        Goal(
            f"anonymous public pages at least {STATIC_PERCENT_GOAL}% of the static file's rate",
            bool(public) and not slow_public,
            ", ".join(slow_public) if public else "no public page was measured",
        ),
        Goal(
            f"every page at most {QUERY_GOAL} SQL queries",
            bool(measurements) and not many_queries,
            ", ".join(many_queries),
        ),
        Goal(
            f"signed-in (My space) pages p95 under {SIGNED_IN_P95_GOAL_MS} ms",
            bool(signed_in) and not slow_signed_in,
            ", ".join(slow_signed_in) if signed_in else "no signed-in page was measured",
        ),
    ]


@dataclass(frozen=True)
class Growth:
    """One page's SQL queries at the smaller and the larger scale."""

    scenario: str
    user: str
    smaller: int | None
    larger: int | None

    @property
    def grew(self) -> bool:
        return self.smaller is None or self.larger is None or self.larger > self.smaller


def query_growth(
    smaller: Mapping[tuple[str, str], int | None], larger: Mapping[tuple[str, str], int | None]
) -> list[Growth]:
    """Each page's query counts at two scales, keyed by (scenario, user); a page counted at
    only one scale is flagged too, since constancy was not shown."""
    keys = list(dict.fromkeys([*smaller, *larger]))
    return [
        Growth(scenario, user, smaller.get((scenario, user)), larger.get((scenario, user)))
        for scenario, user in keys
    ]


def growth_goal(growth: list[Growth], *, scales: tuple[int, int]) -> Goal:
    grown = [f"{g.scenario}/{g.user} {g.smaller} → {g.larger}" for g in growth if g.grew]
    return Goal(
        f"SQL queries per page the same at scale {scales[0]} and scale {scales[1]}",
        bool(growth) and not grown,
        ", ".join(grown),
    )


def _number(value, unit: str) -> str:
    return "not measured" if value is None else f"{value:g}{unit}"
