"""The charter's records: charters and commitments, measures with their targets and
readings, and the actions, evidence and reviews that show the work behind them."""

from .charters import Charter, Commitment, Review
from .measures import Measure, Reading, Target
from .work import CharterAction, Evidence

__all__ = [
    "Charter",
    "CharterAction",
    "Commitment",
    "Evidence",
    "Measure",
    "Reading",
    "Review",
    "Target",
]
