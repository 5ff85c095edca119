"""Values people typed cannot run as formulas when an export is opened in a spreadsheet."""

import pytest

from cms.exports import spreadsheet_safe


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Crisis café", "Crisis café"),
        ("", ""),
        (42, 42),
        (None, None),
    ],
)
def test_text_that_looks_like_a_formula_is_exported_as_text(value, expected):
    assert spreadsheet_safe(value) == expected
