"""The apps' dependency rules, read from every module's imports (including imports inside
functions), so a new import that breaks them fails here rather than in a review.

- The shell (``cms``) imports no domain app: apps plug into it through hooks and the
  registries it offers (permissions, My space panels, reports, personal data, site URLs,
  first-run sections).
- Co-production and peer practice never import each other.
- Nothing imports the charter: it reads other apps' figures through their selectors.
- Production code (the apps, and the soak driver that runs against a real site) never imports
  the test tree: the factories the demo and the benchmarks build with live in the apps
  (``cms/factories.py`` and so on), and the tests import them from there.
"""

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
APPS = ("cms", "coproduce", "peers", "charter")

FORBIDDEN = {
    "cms": {"coproduce", "peers", "charter"},
    "coproduce": {"peers", "charter"},
    "peers": {"coproduce", "charter"},
}

PRODUCTION = (*APPS, "soak")


def _modules(app: str):
    for source in sorted((PROJECT / app).rglob("*.py")):
        if "migrations" not in source.parts:
            yield source


def _imported_top_levels(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(), filename=str(source))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _imports() -> dict[str, set[str]]:
    return {
        source.relative_to(PROJECT).as_posix(): _imported_top_levels(source)
        for app in APPS
        for source in _modules(app)
    }


@pytest.fixture(scope="module")
def imports():
    return _imports()


def test_the_reader_sees_imports_inside_functions_too(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from peers.models import X\n\nimport coproduce.rules\n")
    assert _imported_top_levels(module) == {"peers", "coproduce"}


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_each_app_imports_only_what_it_may(imports, app):
    broken = {
        module: sorted(names & FORBIDDEN[app])
        for module, names in imports.items()
        if module.startswith(f"{app}/") and names & FORBIDDEN[app]
    }
    assert not broken, f"{app} may not import {sorted(FORBIDDEN[app])}: {broken}"


def test_production_code_does_not_import_the_tests():
    importing = sorted(
        source.relative_to(PROJECT).as_posix()
        for package in PRODUCTION
        for source in _modules(package)
        if "tests" in _imported_top_levels(source)
    )
    assert not importing, f"Production code may not import the test tree: {importing}"


def _hook_registrations(source: Path) -> list[int]:
    """Lines of ``source`` that call Wagtail's ``hooks.register``, under any name it is
    imported as (``from wagtail import hooks``, ``import wagtail.hooks``, ``from
    wagtail.hooks import register``)."""
    tree = ast.parse(source.read_text(), filename=str(source))
    modules, functions = {"hooks"}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "wagtail":
            modules.update(a.asname or a.name for a in node.names if a.name == "hooks")
        elif isinstance(node, ast.ImportFrom) and node.module == "wagtail.hooks":
            functions.update(a.asname or a.name for a in node.names if a.name == "register")
        elif isinstance(node, ast.Import):
            modules.update(a.asname for a in node.names if a.name == "wagtail.hooks" and a.asname)
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "register":
            value = node.value
            if (isinstance(value, ast.Name) and value.id in modules) or (
                isinstance(value, ast.Attribute)
                and value.attr == "hooks"
                and isinstance(value.value, ast.Name)
                and value.value.id == "wagtail"
            ):
                lines.append(node.lineno)
        elif isinstance(node, ast.Name) and node.id in functions:
            lines.append(node.lineno)
    return sorted(lines)


def test_apps_register_with_wagtail_only_in_their_wagtail_hooks():
    """One way in for Wagtail: every ``hooks.register`` of an app is in its own
    ``wagtail_hooks.py``, which Wagtail imports itself; topic modules (admin, My space,
    offer sections) define what is registered and never register it themselves."""
    elsewhere = [
        f"{source.relative_to(PROJECT).as_posix()}:{line}"
        for app in APPS
        for source in _modules(app)
        if source != PROJECT / app / "wagtail_hooks.py"
        for line in _hook_registrations(source)
    ]
    assert not elsewhere, (
        "Register Wagtail hooks in the app's wagtail_hooks.py, not at: " + ", ".join(elsewhere)
    )


# Wagtail's other registries, called at import time: they belong beside the hooks too.
WAGTAIL_REGISTRIES = {"register_permission_policy", "register_snippet"}


def _registry_calls(source: Path) -> list[int]:
    tree = ast.parse(source.read_text(), filename=str(source))
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id in WAGTAIL_REGISTRIES)
            or (isinstance(node.func, ast.Attribute) and node.func.attr in WAGTAIL_REGISTRIES)
        )
    )


def test_apps_register_permission_policies_and_snippets_only_in_their_wagtail_hooks():
    """Which admin policy guards a model is found where its hooks are, not in whichever
    admin module happened to be imported first. (The shell's ``register_private_documents``
    helper registers one for the apps, and is itself called from their wagtail_hooks.py.)"""
    elsewhere = [
        f"{source.relative_to(PROJECT).as_posix()}:{line}"
        for app in APPS
        for source in _modules(app)
        if source != PROJECT / app / "wagtail_hooks.py"
        and source != PROJECT / "cms" / "private_documents.py"
        for line in _registry_calls(source)
    ]
    assert not elsewhere, (
        "Register permission policies and snippets in the app's wagtail_hooks.py, not at: "
        + ", ".join(elsewhere)
    )


def test_no_index_puts_a_yes_no_field_before_a_date_it_is_searched_by():
    """Django writes ``flag=False`` as ``NOT "flag"``, which SQLite cannot seek an index on:
    an index (organisation, hidden, created_at) reads every row of the organisation for any
    period. A date searched by range must come before any yes/no field in an index."""
    from django.apps import apps
    from django.db import models

    wrong = []
    for model in apps.get_models():
        for index in model._meta.indexes:
            fields = [model._meta.get_field(name.lstrip("-")) for name in index.fields]
            for position, field in enumerate(fields):
                later = fields[position + 1 :]
                if isinstance(field, models.BooleanField) and any(
                    isinstance(other, models.DateField | models.DateTimeField) for other in later
                ):
                    wrong.append(f"{model._meta.label}.{index.name}")
    assert not wrong, wrong
