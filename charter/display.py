"""How a charter's numbers are written. Which are held back from the public ("fewer than
5") is the shell's rule, in ``cms.disclosure``."""

from decimal import Decimal
from functools import lru_cache


# A pure function of two small values that a dashboard calls thousands of times, mostly
# with the same few: each pair is worked out once.
@lru_cache(maxsize=4096)
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
