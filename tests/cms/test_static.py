"""collectstatic works with the production storage (make run and every deploy depend on it)."""

from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_hashes_and_compresses_every_file(tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "cms.storage.StaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    css = tmp_path / "wagtailnhsukfrontend" / "css"
    hashed = [p.name for p in css.iterdir() if p.suffix == ".css" and p.name.count(".") > 3]
    assert hashed, "the NHS.UK stylesheet was not given a hashed name"
    assert (tmp_path / "staticfiles.json").exists()
    assert list((tmp_path / "cms" / "css").glob("site.*.css.gz"))
