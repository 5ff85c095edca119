"""The shapes the demo's histories are drawn with, shared by peer work's and co-production's
(``peers.demo_history``, ``coproduce.demo_history``), which may not import each other.

A history is believable when its rates move the way real practice does: steady until an
organisation adopts its charter, then better (or not) over the next two years (``Trend``),
and met period by period rather than by luck, so that a quarter of a dozen people still
follows its organisation's story (``Steady``). Demo data only: nothing else uses these.
"""

from dataclasses import dataclass
from datetime import date
from random import Random

TREND_DAYS = 730  # a trend takes two years to move from ``before`` to ``after``


@dataclass(frozen=True)
class Trend:
    """A rate that is ``before`` until ``since``, then moves evenly to ``after`` over two
    years, and stays there."""

    before: float
    after: float

    def at(self, day: date, since: date) -> float:
        share = min(max((day - since).days / TREND_DAYS, 0), 1)
        return self.before + (self.after - self.before) * share


class Steady:
    """Says yes to ``rate`` of the times it is asked, spread evenly rather than at random,
    so that a period of a dozen people follows its organisation's trend, not luck. Where
    it starts is drawn from ``rng``, so two histories seeded differently differ."""

    def __init__(self, rng: Random):
        self.owed = rng.random()

    def __call__(self, rate: float) -> bool:
        self.owed += rate
        if self.owed < 1:
            return False
        self.owed -= 1
        return True
