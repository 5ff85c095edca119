"""One way to say no: a rule's answer carries its reason, ``require`` raises it, and every
app raises the same ``Refused``."""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from cms.permissions import can, decide, register, require, why_not
from cms.refusals import ALLOWED, NOT_ALLOWED, Decision, Refused, refuse

PROJECT = Path(__file__).resolve().parent.parent.parent


@register("tests.refusals.with_reason")
def _with_reason(user, obj=None):
    if obj == "open":
        return ALLOWED
    return refuse("This door is locked on Sundays.")


@register("tests.refusals.yes_or_no")
def _yes_or_no(user, obj=None) -> bool:
    return obj == "open"


def test_an_allowed_answer_has_no_reason():
    assert can(None, "tests.refusals.with_reason", "open")
    assert why_not(None, "tests.refusals.with_reason", "open") is None
    require(None, "tests.refusals.with_reason", "open")  # does not raise


def test_a_refusal_carries_the_rules_own_words_to_require():
    assert not can(None, "tests.refusals.with_reason", "shut")
    assert why_not(None, "tests.refusals.with_reason", "shut") == "This door is locked on Sundays."
    with pytest.raises(Refused) as refused:
        require(None, "tests.refusals.with_reason", "shut")
    assert refused.value.message == "This door is locked on Sundays."
    assert refused.value.field is None


def test_a_rule_that_answers_only_yes_or_no_is_refused_in_plain_words():
    assert can(None, "tests.refusals.yes_or_no", "open")
    assert why_not(None, "tests.refusals.yes_or_no", "shut") == NOT_ALLOWED
    with pytest.raises(Refused, match=NOT_ALLOWED):
        require(None, "tests.refusals.yes_or_no", "shut")


def test_a_refusal_nobody_catches_is_a_403_not_an_error_page():
    assert issubclass(Refused, PermissionDenied)


def test_a_decision_is_truthy_only_when_allowed():
    assert ALLOWED and ALLOWED.allowed
    assert not refuse("No.") and refuse("No.").reason == "No."
    assert refuse("") == Decision(NOT_ALLOWED)
    assert decide(None, "tests.refusals.with_reason", "open") == ALLOWED


@pytest.mark.parametrize("ask", [can, why_not, require, decide])
def test_a_rule_nobody_registered_is_a_mistake_in_the_code(ask):
    with pytest.raises(KeyError, match="tests.refusals.nobody"):
        ask(None, "tests.refusals.nobody")


def test_every_app_raises_the_one_refused():
    """Other exception classes named "...Refused" are how the three copies grew back."""
    found = []
    for app in ("cms", "coproduce", "peers", "charter"):
        for source in sorted((PROJECT / app).rglob("*.py")):
            if "migrations" in source.parts or source.name == "refusals.py":
                continue
            for node in ast.walk(ast.parse(source.read_text())):
                if isinstance(node, ast.ClassDef) and node.name.endswith("Refused"):
                    found.append(f"{source.relative_to(PROJECT)}:{node.lineno} {node.name}")
    assert not found, "Raise cms.refusals.Refused instead:\n" + "\n".join(found)
