"""Configuration comes from the environment, and production refuses unsafe defaults."""

import secrets

import pytest
from django.core.exceptions import ImproperlyConfigured

from cms.settings import base
from tests import processes as manage

# The production checks run manage.py in processes of their own on an in-memory SQLite
# database: the same on every pass of .ci/run, so they run once.
same_every_pass = pytest.mark.same_every_pass


def run_manage(*args, env_overrides):
    return manage.run_manage(*args, env=manage.manage_env(**env_overrides), timeout=120)


def production_env(**extra):
    return {
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "FIELD_ENCRYPTION_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "lep.example.org",
        "SITE_URL": "https://lep.example.org",
        "DATABASE_URL": "sqlite:///:memory:",
        **extra,
    }


@same_every_pass
def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env_overrides=production_env()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@same_every_pass
@pytest.mark.parametrize("secret", ["", base.INSECURE_SECRET_KEY, "short", "a" * 60])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    result = run_manage("check", env_overrides=production_env(SECRET_KEY=secret))
    assert result.returncode != 0
    assert "Set SECRET_KEY to a long random value" in result.stderr


@same_every_pass
@pytest.mark.parametrize("key", ["", "short", "a" * 40, "same-as-secret"])
def test_production_refuses_to_start_without_its_own_field_encryption_key(key):
    secret = secrets.token_urlsafe(64)
    key = secret if key == "same-as-secret" else key
    result = run_manage(
        "check", env_overrides=production_env(SECRET_KEY=secret, FIELD_ENCRYPTION_KEY=key)
    )
    assert result.returncode != 0
    assert "Set FIELD_ENCRYPTION_KEY to a long random value" in result.stderr


@same_every_pass
@pytest.mark.parametrize(
    "address",
    ["", "http://127.0.0.1:8000", "http://lep.example.org", "https://", "lep.example.org"],
)
def test_production_refuses_to_start_without_the_sites_public_address(address):
    result = run_manage("check", env_overrides=production_env(SITE_URL=address))
    assert result.returncode != 0
    assert "Set SITE_URL to the site's public address" in result.stderr


@same_every_pass
def test_production_allows_and_trusts_the_sites_own_host():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.WAGTAILADMIN_BASE_URL)",
        env_overrides=production_env(ALLOWED_HOSTS="", SITE_URL="https://lep.example.org/"),
    )
    assert result.stdout.strip() == (
        "['lep.example.org'] ['https://lep.example.org'] https://lep.example.org"
    ), result.stderr


@same_every_pass
def test_production_turns_on_https_only_cookies_and_hsts():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000)",
        env_overrides=production_env(),
    )
    assert result.stdout.split() == ["False", "True", "True", "True", "True"], result.stderr


def test_database_defaults_to_sqlite_with_wal_and_immediate_transactions(settings):
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("DATABASE_URL points at another database in this run")
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_the_cache_is_shared_between_processes(settings):
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in {
        "django.core.cache.backends.db.DatabaseCache",
        "cms.cache.FailSafeRedisCache",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("YES", True), ("0", False), ("off", False), ("", False)],
)
def test_boolean_settings_read_plain_words(monkeypatch, value, expected):
    monkeypatch.setenv("SOME_FLAG", value)
    assert base.env_bool("SOME_FLAG") is expected


def test_a_mistyped_boolean_setting_stops_start_up_with_a_clear_message(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be true or false"):
        base.env_bool("SOME_FLAG")


def test_a_mistyped_number_setting_stops_start_up_with_a_clear_message(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER must be a whole number"):
        base.env_int("SOME_NUMBER", 1)


def test_lists_are_read_from_commas(monkeypatch):
    monkeypatch.setenv("SOME_HOSTS", "a.example.org, b.example.org,,")
    assert base.env_list("SOME_HOSTS") == ["a.example.org", "b.example.org"]


def test_redis_url_switches_the_cache_to_redis():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'])",
        env_overrides={
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "DATABASE_URL": "sqlite:///:memory:",
        },
    )
    assert result.stdout.strip() == "cms.cache.FailSafeRedisCache", result.stderr


def test_django_admin_is_not_installed(settings):
    assert "django.contrib.admin" not in settings.INSTALLED_APPS


def test_logs_go_to_standard_output_one_line_each_at_the_configured_level():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "import logging; logging.getLogger('cms.jobs').info('quiet'); "
        "logging.getLogger('cms.jobs').warning('Report 7 failed'); "
        "logging.getLogger('django-q').info('Processed task')",
        env_overrides={"DATABASE_URL": "sqlite:///:memory:"},
    )
    lines = result.stdout.splitlines()
    assert any(
        " WARNING cms.jobs " in line and line.endswith(" Report 7 failed") for line in lines
    ), result.stdout
    assert any("INFO django-q" in line and line.endswith("Processed task") for line in lines)
    assert "quiet" not in result.stdout
    assert "Report 7 failed" not in result.stderr


def test_every_environment_variable_the_settings_read_is_in_the_readme_table():
    """An IT team configures the site from the README's table alone. (cms/settings/test.py's
    own variables are the suite's, documented where they are read.)"""
    import re

    from tests.processes import ROOT

    read = set()
    for module in ["base.py", "production.py", "dev.py"]:
        source = (ROOT / "cms" / "settings" / module).read_text()
        read |= set(re.findall(r"\benv(?:_int|_bool|_list)?\(\s*\"([A-Z][A-Z0-9_]+)\"", source))
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set()
    for row in table.splitlines():
        if row.startswith("| `"):
            documented |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split(" | ")[0]))
    assert len(read) > 20
    assert sorted(read - documented) == []
