"""The Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS), in one place: its seven
items in their published wording, the five answers, and the published table that turns a
raw score (7 to 35) into the metric score used to compare people and studies.

SWEMWBS © NHS Health Scotland, University of Warwick and University of Edinburgh, 2008;
all rights reserved. Conversion table from Stewart-Brown et al. (2009), Health and
Quality of Life Outcomes 7:15, as published by Warwick Medical School.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

INTRODUCTION = (
    "Below are some statements about feelings and thoughts. Choose the answer that best "
    "describes your experience of each over the last 2 weeks."
)


@dataclass(frozen=True)
class Item:
    field: str  # the WellbeingCheckIn field holding the answer
    wording: str


ITEMS: tuple[Item, ...] = (
    Item("optimistic", "I've been feeling optimistic about the future"),
    Item("useful", "I've been feeling useful"),
    Item("relaxed", "I've been feeling relaxed"),
    Item("dealing_with_problems", "I've been dealing with problems well"),
    Item("thinking_clearly", "I've been thinking clearly"),
    Item("close_to_others", "I've been feeling close to other people"),
    Item("own_mind", "I've been able to make up my own mind about things"),
)
ITEM_FIELDS = tuple(item.field for item in ITEMS)

ANSWERS: tuple[tuple[int, str], ...] = (
    (1, "None of the time"),
    (2, "Rarely"),
    (3, "Some of the time"),
    (4, "Often"),
    (5, "All of the time"),
)

RAW_MIN, RAW_MAX = 7, 35

# Raw score -> metric score (Rasch-transformed), the published SWEMWBS conversion table.
METRIC_SCORES: dict[int, Decimal] = {
    7: Decimal("7.00"),
    8: Decimal("9.51"),
    9: Decimal("11.25"),
    10: Decimal("12.40"),
    11: Decimal("13.33"),
    12: Decimal("14.08"),
    13: Decimal("14.75"),
    14: Decimal("15.32"),
    15: Decimal("15.84"),
    16: Decimal("16.36"),
    17: Decimal("16.88"),
    18: Decimal("17.43"),
    19: Decimal("17.98"),
    20: Decimal("18.59"),
    21: Decimal("19.25"),
    22: Decimal("19.98"),
    23: Decimal("20.73"),
    24: Decimal("21.54"),
    25: Decimal("22.35"),
    26: Decimal("23.21"),
    27: Decimal("24.11"),
    28: Decimal("25.03"),
    29: Decimal("26.02"),
    30: Decimal("27.03"),
    31: Decimal("28.13"),
    32: Decimal("29.31"),
    33: Decimal("30.70"),
    34: Decimal("32.55"),
    35: Decimal("35.00"),
}

# Below these metric scores, studies found probable and possible depression. We never
# label anyone: a low score only brings the support options forward on the worker's page.
PROBABLE_DEPRESSION_BELOW = Decimal("17")
POSSIBLE_DEPRESSION_BELOW = Decimal("20.5")


def raw_score(answers: dict[str, int]) -> int:
    """The sum of the seven answers (each 1 to 5)."""
    values = [answers[field] for field in ITEM_FIELDS]
    if any(value not in range(1, 6) for value in values):
        raise ValueError("Each SWEMWBS answer is a whole number from 1 to 5.")
    return sum(values)


def metric_score(raw: int) -> Decimal:
    """The metric score for a raw score of 7 to 35."""
    try:
        return METRIC_SCORES[raw]
    except KeyError:
        raise ValueError(f"A SWEMWBS raw score is from 7 to 35, not {raw}.") from None


def _whole_points(value: Decimal) -> int:
    return int(Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def change_in_points(change: Decimal) -> int:
    """A move in the metric score as whole points, rounded half up, as a worker reads it
    ("2 points lower"). One step of any answer moves the score by at least 0.52, so a
    real change never rounds to 0."""
    points = _whole_points(abs(change))
    return points if change >= 0 else -points


def score_in_points(metric: Decimal) -> int:
    """The metric score as whole points, rounded half up like a change is, as a worker
    reads it: "25 out of 35", never "25.03 out of 35"."""
    return _whole_points(metric)


def support_level(metric: Decimal) -> str:
    """ "more" for a score in the probable-depression range, "some" for the possible range,
    "" otherwise: how prominently the result page offers support. Never stored or sent."""
    if metric < PROBABLE_DEPRESSION_BELOW:
        return "more"
    if metric < POSSIBLE_DEPRESSION_BELOW:
        return "some"
    return ""
