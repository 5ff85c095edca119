"""Before and after: the one place the change between two figures is worked out, and the
words that say how.

The change is the after figure minus the before figure; the percentage change is that
change divided by the before figure, times 100. Both are worked out in ``Decimal`` and the
percentage is rounded to one decimal place, a half rounded away from zero (4,786 to 312 is
a change of −4,474, or −93.5%). A rate is the number counted divided by the number of
people, times the number it is per, rounded to two decimal places the same way.

What may be shown follows the shell's small-numbers rule (``cms.disclosure``): a count of 1
to 4 reads "fewer than 5", a rate worked out from 1 to 4 people is not shown, and no change
or percentage change is shown that was worked out from a figure held back.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from cms.disclosure import FEWER_THAN, count_shown, value_withheld

PERCENT_PLACES = Decimal("0.1")
RATE_PLACES = Decimal("0.01")
ROUNDING = ROUND_HALF_UP
MINUS = "\u2212"

METHOD = (
    "The change is the after figure minus the before figure. The percentage change is the "
    "change divided by the before figure, times 100, rounded to one decimal place (a half "
    "is rounded away from zero). It is not shown when the before figure is 0."
)
RATE_METHOD = (
    "A rate is the number counted divided by the number of people, times the number it is "
    "per, rounded to two decimal places."
)
NOT_SHOWN_FROM_SMALL = f"Not shown (worked out from a figure of {FEWER_THAN})"


@dataclass(frozen=True)
class Change:
    """The change from ``before`` to ``after``; ``percent`` is None when ``before`` is 0
    (a change from nothing has no percentage)."""

    before: Decimal
    after: Decimal
    change: Decimal
    percent: Decimal | None


def change(before, after) -> Change:
    """The change and percentage change from ``before`` to ``after`` (see the module)."""
    before, after = Decimal(before), Decimal(after)
    difference = after - before
    percent = None
    if before != 0:
        percent = (difference * 100 / before).quantize(PERCENT_PLACES, rounding=ROUNDING)
    return Change(before=before, after=after, change=difference, percent=percent)


def rate(numerator: int, denominator: int, per: int) -> Decimal:
    """``numerator`` out of ``denominator``, per ``per`` people (100 for a percentage)."""
    if not denominator:
        raise ValueError("A rate needs a denominator of 1 or more.")
    return (Decimal(numerator) * Decimal(per) / Decimal(denominator)).quantize(
        RATE_PLACES, rounding=ROUNDING
    )


# --- How the figures are written ---------------------------------------------------------------


def number(value: Decimal, *, signed: bool = False) -> str:
    """Like "4,786", "12.5", or with ``signed`` "−4,474" and "+3": whole numbers without a
    decimal point, others to as many places as they have (at most two)."""
    value = Decimal(value)
    whole = value == value.to_integral()
    digits = f"{abs(value):,.0f}" if whole else f"{abs(value).normalize():,f}"
    if value < 0:
        return f"{MINUS}{digits}"
    return f"+{digits}" if signed and value > 0 else digits


def unit_words(per: int | None) -> str:
    """How a rate is read: "%" per 100 people, " per 1,000 people" otherwise; "" for a count."""
    if not per:
        return ""
    return "%" if per == 100 else f" per {per:,} people"


def _with_unit(text: str, per: int | None) -> str:
    return f"{text}{unit_words(per)}"


@dataclass(frozen=True)
class Figures:
    """A comparison as it may be shown: each text already says "fewer than 5" or "Not
    shown" where the small-numbers rule holds a figure back; ``sentence`` says it in words."""

    before: str
    after: str
    change: str
    percent: str
    sentence: str
    worked_out: Change | None  # None when a figure was held back


def _withheld(value, numerator, denominator, *, is_rate: bool) -> str | None:
    if is_rate:
        return value_withheld(value, denominator=denominator, is_count=False)
    return value_withheld(value, denominator=None, is_count=True)


def withheld(comparison, measure, side: str) -> str | None:
    """What is shown instead of ``comparison``'s ``side`` ("before" or "after") figure, or
    None when it may be shown."""
    return _withheld(
        getattr(comparison, f"{side}_value"),
        getattr(comparison, f"{side}_numerator"),
        getattr(comparison, f"{side}_denominator"),
        is_rate=measure.is_rate,
    )


def _side(value, numerator, denominator, *, is_rate: bool, per) -> str:
    shown = _withheld(value, numerator, denominator, is_rate=is_rate)
    if shown:
        return shown
    text = _with_unit(number(value), per if is_rate else None)
    if is_rate:
        text += f" ({count_shown(numerator)} of {count_shown(denominator)})"
    return text


def figures(comparison, measure) -> Figures:
    """``comparison`` of ``measure`` as the public page and the board report show it."""
    is_rate = measure.is_rate
    per = measure.per if is_rate else None
    sides = {
        side: (
            getattr(comparison, f"{side}_value"),
            getattr(comparison, f"{side}_numerator"),
            getattr(comparison, f"{side}_denominator"),
        )
        for side in ("before", "after")
    }
    before = _side(*sides["before"], is_rate=is_rate, per=per)
    after = _side(*sides["after"], is_rate=is_rate, per=per)
    held_back = any(_withheld(*parts, is_rate=is_rate) for parts in sides.values())
    if held_back:
        return Figures(
            before=before,
            after=after,
            change=NOT_SHOWN_FROM_SMALL,
            percent=NOT_SHOWN_FROM_SMALL,
            sentence="The change is not shown, to protect people's privacy: it was worked out "
            f"from a figure of {FEWER_THAN}.",
            worked_out=None,
        )
    worked = change(comparison.before_value, comparison.after_value)
    unit = " percentage points" if per == 100 else unit_words(per)
    change_text = f"{number(worked.change, signed=True)}{unit}"
    percent_text = "-" if worked.percent is None else f"{number(worked.percent, signed=True)}%"
    return Figures(
        before=before,
        after=after,
        change=change_text,
        percent=percent_text,
        sentence=_sentence(worked, measure, per),
        worked_out=worked,
    )


def _sentence(worked: Change, measure, per) -> str:
    """Like "Down by 4,474 (93.5%), from 4,786 to 312. Lower is better."."""
    if worked.change == 0:
        return f"No change: {_with_unit(number(worked.after), per)} before and after."
    direction = "Up" if worked.change > 0 else "Down"
    by = _with_unit(number(abs(worked.change)), per)
    if per == 100:
        by = f"{number(abs(worked.change))} percentage points"
    share = "" if worked.percent is None else f" ({number(abs(worked.percent))}%)"
    went = f"{direction} by {by}{share}, from {_with_unit(number(worked.before), per)} to "
    went += f"{_with_unit(number(worked.after), per)}."
    higher_is_better = measure.better == measure.Better.HIGHER
    verdict = "an improvement" if (worked.change > 0) == higher_is_better else "worse"
    return f"{went} {measure.get_better_display()}, so this is {verdict}."
