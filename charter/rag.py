"""Red, amber, green: is a measure on its way to its targets?

The rule, in words (shown beside every status): we draw a trajectory from the baseline (the
value at adoption, or the first reading if no baseline was recorded) through each dated
target, in straight lines. The latest reading is compared with where the trajectory is on
the last day of its period. On the trajectory or better is green; worse by no more than a
tenth of the target being aimed at is amber; further behind is red. After the last target
date, the last target is what is expected. With no reading the status is "not yet
measured"; with no target, "no target set". Plain functions of numbers and dates, so the
dashboard, the public page and the board report all say the same.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cms.dates import day_in_words

TOLERANCE = Decimal("0.10")

GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"
LABELS = {
    GREEN: "On track",
    AMBER: "Slightly behind",
    RED: "Off track",
    GREY: "Not yet measured",
}
# Shapes and words, never colour alone: the mark is printed beside the label everywhere.
MARKS = {GREEN: "✓", AMBER: "!", RED: "✗", GREY: "–"}
ORDER = {RED: 0, AMBER: 1, GREEN: 2, GREY: 3}

RULE = (
    "Green: the latest reading is on or better than the trajectory towards the next target. "
    "Amber: worse, but by no more than a tenth of that target. Red: further behind. "
    "Grey: not yet measured, or no target set."
)


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

    @property
    def mark(self) -> str:
        return MARKS[self.colour]


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


def status(
    *,
    latest: Point | None,
    targets: list[Point],
    baseline: Point | None,
    higher_is_better: bool,
    first_reading: Point | None = None,
    describe=_number,
) -> Status:
    """The RAG status of a measure whose latest reading is ``latest``."""
    if latest is None:
        return Status(GREY, LABELS[GREY], "No reading has been taken yet.")
    if not targets:
        return Status(GREY, "No target set", "Set a dated target to see whether it is on track.")
    targets = sorted(targets, key=lambda p: p.day)
    start = baseline or first_reading
    trajectory = [start, *[t for t in targets if t.day > start.day]] if start else targets
    expected = expected_on(latest.day, trajectory)
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
    return Status(colour, LABELS[colour], f"{why}, {towards}.", expected)


def worst(statuses: list[Status]) -> Status:
    """A commitment takes the worst status of its measures; grey only if all are grey."""
    measured = [s for s in statuses if s.colour != GREY]
    if not measured:
        return Status(GREY, LABELS[GREY], "None of its measures has a reading and a target yet.")
    colour = min(measured, key=lambda s: ORDER[s.colour]).colour
    return Status(colour, LABELS[colour], "The worst status of its measures.")
