"""Small numbers that are never shown: the one home of the "fewer than 5" rule.

A count of 1 to 4 people can point to someone, so wherever the site shows a count of people
(equality totals, a panel's make-up, a charter's public numbers) it shows "fewer than 5"
instead, and a share made from 1 to 4 people is not shown at all. Totals by group are only
broken down once at least 5 people are counted, and an offer's ratings only appear from 5
pieces of feedback.

Each function gives the decision and the words people see together, so they cannot drift.
"""

SMALLEST_SHOWN = 5
FEWER_THAN = f"fewer than {SMALLEST_SHOWN}"
SHARE_NOT_SHOWN = f"Not shown (from {FEWER_THAN} people)"


def is_small(number) -> bool:
    """A number from 1 to 4 (below 5, above 0): too small to show. None and 0 are not."""
    return number is not None and 0 < number < SMALLEST_SHOWN


def enough_to_break_down(counted: int) -> bool:
    """Are enough people counted (5 or more) for totals by group, or ratings, to be shown?"""
    return counted >= SMALLEST_SHOWN


def total_shown(count: int) -> str:
    """A total of people as it may be shown beside a group: "None", "fewer than 5", or the
    number itself, like "12"."""
    if count == 0:
        return "None"
    if count < SMALLEST_SHOWN:
        return FEWER_THAN
    return str(count)


def count_shown(number) -> str:
    """A count of people on a public page: "-" when there is none, "fewer than 5", or the
    number with thousands marked, like "1,200"."""
    if number is None:
        return "-"
    return FEWER_THAN if is_small(number) else f"{number:,}"


def value_withheld(value, *, denominator, is_count: bool) -> str | None:
    """Why a figure may not be shown to the public, in the words shown instead, or None
    when it may be shown. A count (``is_count``) of 1 to 4 people reads "fewer than 5"; a
    figure worked out from 1 to 4 people (its ``denominator``) is not shown at all."""
    if is_count and is_small(value):
        return FEWER_THAN
    if is_small(denominator):
        return SHARE_NOT_SHOWN
    return None
