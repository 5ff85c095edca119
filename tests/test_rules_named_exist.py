"""Every permission rule the code names is registered.

``cms.permissions.can`` raises ``KeyError`` for a rule nobody registered: a misspelt name is
a mistake in the code, not a "no". This test finds every rule name written in the code (as
the rule argument of ``can`` or ``require``, or a ``RULE`` constant) so such a
mistake fails here, before anyone meets it.
"""

import ast
import re
from pathlib import Path

from cms import permissions

PROJECT = Path(__file__).resolve().parent.parent
APPS = ("cms", "coproduce", "peers", "charter")
CALLS = {"can", "require"}
RULE_NAME = re.compile(r"^(cms|coproduce|peers|charter)\.[a-z_]+$")


def _named_rules() -> dict[str, str]:
    """Rule names written in the code, with where each was found."""
    found: dict[str, str] = {}
    for app in APPS:
        for source in (PROJECT / app).rglob("*.py"):
            if "migrations" in source.parts:
                continue
            tree = ast.parse(source.read_text(), filename=str(source))
            where = source.relative_to(PROJECT).as_posix()
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    func = node.func
                    name = getattr(func, "id", None) or getattr(func, "attr", None)
                    if name in CALLS and len(node.args) >= 2:
                        rule = node.args[1]
                        if isinstance(rule, ast.Constant) and isinstance(rule.value, str):
                            found.setdefault(rule.value, f"{where}:{node.lineno}")
                elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                    targets = [getattr(t, "id", "") for t in node.targets]
                    if any(t.endswith("RULE") for t in targets) and isinstance(
                        node.value.value, str
                    ):
                        found.setdefault(node.value.value, f"{where}:{node.lineno}")
    return found


def test_the_code_names_rules_at_all():
    assert len(_named_rules()) > 20


def test_every_rule_the_code_names_is_registered():
    unknown = {
        rule: where
        for rule, where in _named_rules().items()
        if RULE_NAME.match(rule) and rule not in permissions._rules
    }
    assert not unknown, f"These rules are named but never registered: {unknown}"
