"""Trend charts of a measure's readings against its targets, as geometry for an SVG drawn by
a template (the dashboard and the public page) and by reportlab (the board report).

Readable without colour: readings are filled circles joined by a solid line, targets are
hollow diamonds labelled with their value, the trajectory is a dashed line; a legend names
each shape, and every chart has a data table beside it.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

WIDTH, HEIGHT = 640, 260
# Room on the right for a label centred on the last target ("Target 80%"), which would
# otherwise be cut off at the chart's edge.
LEFT, RIGHT, TOP, BOTTOM = 56, 56, 16, 40


_TENTH = Decimal("0.1")


@lru_cache(maxsize=4096)
def svg_number(value: float) -> str:
    """``value`` to one decimal place, rounding halves up, as the SVG writes a coordinate.
    The same text as Django's ``floatformat:1`` in English, at a fraction of the cost: a
    dashboard draws thousands of them."""
    rounded = Decimal(repr(value)).quantize(_TENTH, ROUND_HALF_UP)
    return f"{rounded:f}" if rounded else "0.0"


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str
    # The coordinates as the SVG writes them, worked out once.
    svg_x: str = field(init=False, repr=False, compare=False)
    svg_y: str = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "svg_x", svg_number(self.x))
        object.__setattr__(self, "svg_y", svg_number(self.y))


@dataclass(frozen=True)
class Chart:
    readings: list[ChartPoint]
    targets: list[ChartPoint]
    trajectory: list[ChartPoint]
    y_ticks: list[ChartPoint]
    x_ticks: list[ChartPoint]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    bottom_edge: int = HEIGHT - BOTTOM

    @property
    def reading_line(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.readings)

    @property
    def trajectory_line(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.trajectory)

    @property
    def empty(self) -> bool:
        return not self.readings and not self.targets


def _nice_top(value: float) -> float:
    if value <= 0:
        return 1.0
    for step in (1, 2, 2.5, 5, 10):
        magnitude = 10 ** (len(str(int(value))) - 1)
        top = step * magnitude
        if top >= value:
            return float(top)
    return float(value)


def chart(
    *,
    readings: list[tuple[date, Decimal, str]],
    targets: list[tuple[date, Decimal, str]],
    trajectory: list[tuple[date, Decimal]],
    unit: str,
    describe,
) -> Chart:
    """Place (day, value, label) readings and targets, and the trajectory, on the chart."""
    days = [d for d, *_ in readings] + [d for d, *_ in targets] + [d for d, _ in trajectory]
    values = [float(v) for _, v, *_ in readings + targets] + [float(v) for _, v in trajectory]
    if not days:
        return Chart([], [], [], [], [])
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    top_value = 100.0 if unit == "percent" and max(values) <= 100 else _nice_top(max(values) * 1.1)
    bottom_value = min(0.0, min(values))

    def x(d: date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (d - first).days / span

    value_range = (top_value - bottom_value) or 1

    def y(v) -> float:
        share = (float(v) - bottom_value) / value_range
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * share

    ticks = [bottom_value + (top_value - bottom_value) * i / 4 for i in range(5)]
    years = sorted({d.year for d in days})
    x_ticks = [
        ChartPoint(x(date(year, 1, 1)), HEIGHT - BOTTOM, str(year))
        for year in years
        if first <= date(year, 1, 1) <= last
    ]
    if not x_ticks:
        x_ticks = [ChartPoint(x(first), HEIGHT - BOTTOM, f"{first:%b %Y}")]
    return Chart(
        readings=[ChartPoint(x(d), y(v), label) for d, v, label in sorted(readings)],
        targets=[ChartPoint(x(d), y(v), label) for d, v, label in sorted(targets)],
        trajectory=[ChartPoint(x(d), y(v), "") for d, v in trajectory],
        y_ticks=[ChartPoint(LEFT, y(t), describe(Decimal(str(round(t, 1))))) for t in ticks],
        x_ticks=x_ticks,
    )
