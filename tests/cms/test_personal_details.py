"""Personal details in free text are spotted for warnings and moderation."""

import pytest

from cms.personal_details import EMAIL, NAME, NHS_NUMBER, PHONE, POSTCODE, personal_details_in


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Email me at jo.bloggs+test@example.co.uk please", [EMAIL]),
        ("Ring 07700 900123 after six", [PHONE]),
        ("my number is +44 7700 900 123", [PHONE]),
        ("call (0113) 496 0000", [PHONE]),
        ("NHS number 943 476 5919", [NHS_NUMBER]),
        ("I live near LS1 4AP", [POSTCODE]),
        ("Dr Patel was kind", [NAME]),
        ("the nurse, Sister O'Neill, listened", [NAME]),
        ("My name is Bethany and I waited", [NAME]),
        ("I saw Jane Smith on the ward", [NAME]),
    ],
)
def test_personal_details_are_spotted(text, expected):
    assert personal_details_in(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "The crisis café was warm and the staff listened.",
        "I went on Monday and again in March.",
        "The team at the Light House helped with my Universal Credit.",
        "I waited 3 weeks for a call back, which is too long.",
        "We went to Citizens Advice and the NHS Trust after that.",
    ],
)
def test_ordinary_feedback_is_not_flagged(text):
    assert personal_details_in(text) == []


def test_several_kinds_are_listed_in_a_fixed_order():
    text = "Contact Mr Jones on 07700 900123 or jones@example.org, LS1 4AP"
    assert personal_details_in(text) == [EMAIL, PHONE, POSTCODE, NAME]
