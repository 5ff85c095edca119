"""Working days and bank holidays in England and Wales have one home in the shell, used by
the charter (working days taken) and peer practice (office hours)."""

import ast
from datetime import date
from pathlib import Path

import pytest

from cms.working_days import BANK_HOLIDAYS, is_working_day

PROJECT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 24), True),  # Christmas Eve, a Thursday
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 26), False),  # Boxing Day, a Saturday
        (date(2026, 12, 28), False),  # Boxing Day's substitute Monday
        (date(2026, 12, 29), True),
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 4, 7), True),
        (date(2026, 8, 31), False),  # Summer bank holiday
    ],
)
def test_weekends_and_bank_holidays_are_not_working_days(day, working):
    assert is_working_day(day) is working


def test_the_bank_holiday_table_is_kept_once():
    """No other module of the apps keeps a table of bank-holiday dates of its own."""
    christmas = "2026-12-25"
    holders = []
    for app in ("cms", "coproduce", "peers", "charter"):
        for source in sorted((PROJECT / app).rglob("*.py")):
            if "migrations" in source.parts:
                continue
            tree = ast.parse(source.read_text(), filename=str(source))
            if any(
                isinstance(node, ast.Constant) and node.value == christmas
                for node in ast.walk(tree)
            ):
                holders.append(source.relative_to(PROJECT).as_posix())
    assert holders == ["cms/working_days.py"]
    assert date(2026, 12, 25) in BANK_HOLIDAYS
