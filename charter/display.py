"""How a charter's numbers are written, and which are held back from the public.

Public pages never show a count of people, or the numbers a share is made of, between 1 and
4: small numbers can identify a person. Such a value reads "fewer than 5", and a share made
from fewer than 5 people is not shown at all.
"""

from decimal import Decimal

SMALL = 5
FEWER_THAN_5 = "fewer than 5"


def is_small(number) -> bool:
    return number is not None and 0 < number < SMALL


def format_value(value, unit: str) -> str:
    """Like "42.5%", "35 days", "£1,200" or "12"."""
    if value is None:
        return "-"
    value = Decimal(value).quantize(Decimal("0.1"))
    whole = value == value.to_integral()
    number = f"{value:,.0f}" if whole else f"{value:,.1f}"
    if unit == "percent":
        return f"{number}%"
    if unit == "days":
        return f"{number} day{'' if value == 1 else 's'}"
    if unit == "pounds":
        return f"£{value:,.0f}" if whole else f"£{value:,.2f}"
    return number


def withheld(reading, unit: str) -> bool:
    """Would the public value of ``reading`` risk identifying someone?"""
    if unit == "count" and is_small(reading.value):
        return True
    return is_small(reading.denominator)


def public_value(reading, unit: str) -> str:
    if unit == "count" and is_small(reading.value):
        return FEWER_THAN_5
    if is_small(reading.denominator):
        return f"Not shown (from {FEWER_THAN_5} people)"
    return format_value(reading.value, unit)


def public_count(number) -> str:
    if number is None:
        return "-"
    return FEWER_THAN_5 if is_small(number) else f"{number:,}"
