"""Red, amber, green: is a measure on its way to its targets? And was each target met?

The rule is written once, in ``RULE``, and shown beside every status; the functions below do
exactly what it says. A trajectory runs in straight lines from the measure's baseline (its
value on the baseline date, or on the adoption date when no date was given) through each
dated target. With no baseline the first reading is the starting point, and a starting
point is never judged against itself: the measure waits for a second reading. The latest
reading is compared with where the trajectory is on the last day of its period. A target is
met or missed only on a reading for a period that ends on or after its date. A latest
reading more than two periods old is out of date, and says so. Plain functions of numbers and
dates, so the dashboard, the public page and the board report all say the same.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from cms.dates import day_in_words

TOLERANCE = Decimal("0.10")
# A latest reading is out of date once this many whole periods have passed after its own.
PERIODS_BEFORE_OUT_OF_DATE = 2
MONTHS_IN_PERIOD = {"monthly": 1, "quarterly": 3, "annually": 12}

GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"
LABELS = {
    GREEN: "On track",
    AMBER: "Slightly behind",
    RED: "Off track",
    GREY: "Not yet measured",
}
NOT_JUDGED = "Not yet judged"
NOT_SHOWN = "Not shown"  # in public, when the figures behind a status count fewer than 5
NO_TARGET = "No target set"
# Shapes and words, never colour alone: the mark is printed beside the label everywhere.
MARKS = {GREEN: "✓", AMBER: "!", RED: "✗", GREY: "–"}
ORDER = {RED: 0, AMBER: 1, GREEN: 2, GREY: 3}

# What a target row says.
MET, MISSED, NOT_DUE, NOT_KNOWN = "Met", "Missed", "Not due yet", "Not yet known"

# The rule in words, a sentence or two a part: shown as a list on the pages, as one paragraph
# in the board report.
RULE_PARTS = (
    "Each measure is judged on its latest reading. Its expected path, the trajectory, runs in "
    "straight lines from its baseline (the value on the baseline date, or on the day the "
    "charter was adopted if no date was given) through each dated target. After the last "
    "target, that target is expected.",
    "With no baseline, the first reading is the starting point, so a second reading is "
    "needed before the measure is judged.",
    "Green: the latest reading is on or better than the trajectory at the end of its period. "
    "Amber: worse, but by no more than a tenth of the target being worked towards. "
    "Red: further behind. Grey: no reading yet, no target set, or not yet judged.",
    "A target is met or missed only on the first reading for a period ending on or after its "
    "date. Before its date it is not due yet; after it, until that reading comes, it is not "
    "yet known.",
    "A latest reading whose period ended more than two periods (months, quarters or years, as "
    "the measure is taken) before today is marked out of date, and its status is as of that "
    "reading.",
)
RULE = " ".join(RULE_PARTS)


@dataclass(frozen=True)
class Point:
    day: date
    value: Decimal


@dataclass(frozen=True)
class Status:
    colour: str
    label: str
    reason: str
    expected: Decimal | None = None
    # "Out of date: last reading for April to June 2024", or empty while it is current.
    out_of_date: str = ""

    @property
    def mark(self) -> str:
        return MARKS[self.colour]


def trajectory(start: Point | None, targets: list[Point]) -> list[Point]:
    """The points the expected path runs through: the starting point (the baseline, or the
    first reading) and then each target dated after it."""
    targets = sorted(targets, key=lambda p: p.day)
    if start is None:
        return targets
    return [start, *[t for t in targets if t.day > start.day]]


def expected_on(day: date, trajectory: list[Point]) -> Decimal | None:
    """The trajectory's value on ``day``: straight lines between its points, the first point
    before it starts and the last point after it ends."""
    if not trajectory:
        return None
    if day <= trajectory[0].day:
        return trajectory[0].value
    for before, after in zip(trajectory, trajectory[1:], strict=False):
        if before.day <= day <= after.day:
            span = (after.day - before.day).days
            if span == 0:
                return after.value
            share = Decimal((day - before.day).days) / Decimal(span)
            return before.value + (after.value - before.value) * share
    return trajectory[-1].value


def _aimed_at(day: date, targets: list[Point]) -> Point:
    """The target being worked towards on ``day``: the next one, or the last if all passed."""
    for target in targets:
        if target.day >= day:
            return target
    return targets[-1]


def _number(value: Decimal) -> str:
    value = Decimal(value).quantize(Decimal("0.1"))
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def _months_after(day: date, months: int) -> date:
    """The day ``months`` whole months after ``day``: 30 June and 6 months is 31 December."""
    following = day + timedelta(days=1)
    year, month = divmod(following.year * 12 + following.month - 1 + months, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(following.day, last_day)) - timedelta(days=1)


def is_out_of_date(period_end: date, *, frequency: str, today: date) -> bool:
    """Whether a latest reading for a period ending on ``period_end`` is out of date: two
    more periods of the measure's frequency have ended since, and today is after them."""
    months = MONTHS_IN_PERIOD.get(frequency, 3) * PERIODS_BEFORE_OUT_OF_DATE
    return _months_after(period_end, months) < today


def status(
    *,
    latest: Point | None,
    targets: list[Point],
    baseline: Point | None,
    higher_is_better: bool,
    first_reading: Point | None = None,
    describe=_number,
    out_of_date: str = "",
) -> Status:
    """The RAG status of a measure whose latest reading is ``latest``. With no ``baseline``
    the ``first_reading`` is the starting point; ``out_of_date`` is the flag to carry (empty
    when the latest reading is current), said first in the reason."""
    if latest is None:
        return Status(GREY, LABELS[GREY], "No reading has been taken yet.")

    def with_flag(colour, label, why, expected=None) -> Status:
        reason = f"{out_of_date}. {why}" if out_of_date else why
        return Status(colour, label, reason, expected, out_of_date)

    if not targets:
        return with_flag(GREY, NO_TARGET, "Set a dated target to see whether it is on track.")
    targets = sorted(targets, key=lambda p: p.day)
    start = baseline or first_reading
    if baseline is None and latest == first_reading:
        return with_flag(
            GREY,
            NOT_JUDGED,
            f"A second reading is needed: the first, {describe(latest.value)}, is the starting "
            "point the trajectory runs from, so it is not judged against itself.",
        )
    expected = expected_on(latest.day, trajectory(start, targets))
    aimed = _aimed_at(latest.day, targets)
    gap = (latest.value - expected) if higher_is_better else (expected - latest.value)
    allowed = abs(aimed.value) * TOLERANCE
    towards = f"on the way to {describe(aimed.value)} by {day_in_words(aimed.day)}"
    if gap >= 0:
        colour = GREEN
        why = f"{describe(latest.value)} is on or better than the expected {describe(expected)}"
    elif -gap <= allowed:
        colour = AMBER
        why = (
            f"{describe(latest.value)} is behind the expected {describe(expected)}, "
            f"but within {describe(allowed)} (a tenth of the target)"
        )
    else:
        colour = RED
        why = (
            f"{describe(latest.value)} is more than {describe(allowed)} (a tenth of the "
            f"target) behind the expected {describe(expected)}"
        )
    return with_flag(colour, LABELS[colour], f"{why}, {towards}.", expected)


def target_verdict(
    target: Point, readings: list[Point], *, today: date, higher_is_better: bool
) -> tuple[str, Point | None]:
    """Was ``target`` met? Judged only on the first reading for a period ending on or after
    its date (``readings`` are by period end, oldest first). Returns the verdict and the
    reading it was judged on."""
    on_or_after = [r for r in readings if r.day >= target.day]
    if on_or_after:
        reading = min(on_or_after, key=lambda r: r.day)
        met = reading.value >= target.value if higher_is_better else reading.value <= target.value
        return (MET if met else MISSED), reading
    if today < target.day:
        return NOT_DUE, None
    return NOT_KNOWN, None


def worst(statuses: list[Status]) -> Status:
    """A commitment takes the worst status of its measures; grey only if all are grey. It
    says how many of its measures are out of date."""
    stale = sum(1 for s in statuses if s.out_of_date)
    flag = f"{stale} of its measures {'is' if stale == 1 else 'are'} out of date." if stale else ""
    measured = [s for s in statuses if s.colour != GREY]
    if not measured:
        labels = {s.label for s in statuses}
        if NOT_SHOWN in labels:
            label, why = NOT_SHOWN, "None of its measures can be shown or judged yet."
        elif NOT_JUDGED in labels:
            label, why = NOT_JUDGED, "None of its measures can be judged yet."
        else:
            label, why = LABELS[GREY], "None of its measures can be judged yet."
        reason = f"{why} {flag}".strip()
        return Status(GREY, label, reason, out_of_date=flag)
    colour = min(measured, key=lambda s: ORDER[s.colour]).colour
    reason = f"The worst status of its measures. {flag}".strip()
    return Status(colour, LABELS[colour], reason, out_of_date=flag)
