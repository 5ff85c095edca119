"""The charter's records: charters and commitments, measures with their targets and
readings, and the actions, evidence and reviews that show the work behind them; and the
partnership's outcomes (programmes, outcome measures before and after, dated targets)."""

from .charters import Charter, Commitment, Review
from .measures import Measure, Reading, Target
from .outcomes import Comparison, OutcomeMeasure, OutcomeTarget, Programme
from .work import CharterAction, Evidence

__all__ = [
    "Charter",
    "CharterAction",
    "Commitment",
    "Comparison",
    "Evidence",
    "Measure",
    "OutcomeMeasure",
    "OutcomeTarget",
    "Programme",
    "Reading",
    "Review",
    "Target",
]
