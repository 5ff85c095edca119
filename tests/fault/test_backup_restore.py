"""Backup and restore as the README tells an operator to do them, proved end to end.

The test uses the operator's own commands, each in a separate process: a demo site on a
throwaway PostgreSQL database, `pg_dump -Fc`, and `tar` of both media folders. Then the
database is dropped and the folders deleted, and everything is restored with `createdb`,
`pg_restore`, `tar -x`, `migrate` and `sync_schedules`. A real gunicorn then serves the
site. Pages answer, the member downloads the same receipt bytes, and a receipt whose file
is gone gives the plain "no longer available" page (410), not a server error.

Settings: `cms.settings.dev` throughout, with files in temporary folders.

- `cms.settings.test` cannot be used: its storages are in memory, so no file outlives
  the process that saved it.
- `cms.settings.production` cannot be used either: it sends secure-only cookies and
  redirects to HTTPS, so a plain-HTTP client on 127.0.0.1 cannot keep a session.
- The demo loads only with DEBUG on, so the site is built with DEBUG on. The restored site
  is served with DEBUG off, after `collectstatic` into a new folder, as a rebuilt web node
  would be.

Every process gets the same explicit keys, because keeping the keys is part of the backup.
"""

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests import processes as manage
from tests.factories import DEMO_PASSWORD

DATABASE_URL = os.environ.get("DATABASE_URL", "")
TOOLS = ("pg_dump", "pg_restore", "createdb", "dropdb", "tar")
MISSING_TOOLS = [tool for tool in TOOLS if shutil.which(tool) is None]
WAIT_SECONDS = 90
COMMAND_SECONDS = 600

pytestmark = [
    pytest.mark.fault,
    pytest.mark.skipif(
        not DATABASE_URL.startswith("postgres"),
        reason="Backup and restore are proved on PostgreSQL: set DATABASE_URL=postgres://...",
    ),
    pytest.mark.skipif(
        bool(MISSING_TOOLS),
        reason=f"Needs {', '.join(MISSING_TOOLS)} on PATH (PostgreSQL client tools and tar).",
    ),
]

MEMBER_EMAIL = "member@example.org"

# What the test needs to know about the demo site, found as an operator would find it.
DESCRIBE_SITE = f"""
import json
from django.urls import reverse
from cms.models import OfferPage
from coproduce.models import Expense

expense = (
    Expense.objects.filter(claim__member__email={MEMBER_EMAIL!r})
    .exclude(receipt="")
    .select_related("claim")
    .order_by("pk")
    .first()
)
offer = OfferPage.objects.live().order_by("pk").first()
print(json.dumps({{
    "offer_url": offer.get_url(),
    "claim_url": reverse("coproduce:claim_detail", args=[expense.claim_id]),
    "receipt_url": reverse("coproduce:claim_receipt", args=[expense.claim_id, expense.pk]),
    "receipt_name": expense.receipt.name,
    "expense_description": expense.description,
}}))
"""


def _database_url(name: str) -> str:
    """DATABASE_URL with its database swapped for ``name`` (same server, user and options)."""
    return urlsplit(DATABASE_URL)._replace(path=f"/{name}").geturl()


def _run(*command: str, env: dict | None = None, stdin=None) -> str:
    result = subprocess.run(
        list(command),
        env=env,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
    )
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}"
    return result.stdout


def _manage(env: dict, *args: str) -> str:
    result = manage.run_manage(*args, env=env, timeout=COMMAND_SECONDS)
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def _files(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and a digest of its content."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(server: subprocess.Popen, url: str) -> bool:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=5).status_code == 200:
                return True
        time.sleep(0.3)
    return False


@contextlib.contextmanager
def _gunicorn(env: dict, log: Path):
    """The restored site behind a real gunicorn, stopped (however the test ends)."""
    port = _free_port()
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cms.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
            cwd=manage.ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        assert _wait_until_serving(server, f"{base_url}/robots.txt"), (
            f"gunicorn did not start serving. Its log:\n{log.read_text()}"
        )
        yield base_url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)


def _sign_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    """Sign in through allauth's own form, as a browser would."""
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "The sign-in page has no CSRF token."
    return client.post(
        "/accounts/login/",
        data={"csrfmiddlewaretoken": token.group(1), "login": email, "password": password},
        follow_redirects=True,
    )


def test_a_restored_backup_serves_the_site_and_the_members_receipt(tmp_path, migrated_database):
    name = f"lep_backup_{secrets.token_hex(4)}"
    media, private = tmp_path / "media", tmp_path / "private"
    backups = tmp_path / "backups"
    backups.mkdir()
    # Both media folders exist from the start, as volumes an operator mounts: the demo
    # uploads no images, so nothing else would make the public one.
    media.mkdir()
    private.mkdir()
    env = manage.manage_env(
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        DATABASE_URL=_database_url(name),
        MEDIA_ROOT=str(media),
        PRIVATE_MEDIA_ROOT=str(private),
        STATIC_ROOT=str(tmp_path / "static"),
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEY=secrets.token_urlsafe(32),
        DEBUG="1",
    )
    server_database = _database_url("postgres")
    try:
        # A site with a member's expense claim and its receipt in private storage. Its
        # database starts as a copy of one already migrated when there is one, so this
        # `migrate` has nothing to do: the test is about the backup, not the first migrate.
        template = [f"--template={migrated_database}"] if migrated_database else []
        _run("createdb", f"--maintenance-db={server_database}", *template, name)
        _manage(env, "migrate", "--noinput")
        _manage(env, "createcachetable")
        _manage(env, "load_demo")
        site = json.loads(_manage(env, "shell", "--no-imports", "-c", DESCRIBE_SITE).strip())
        receipt_bytes = (private / site["receipt_name"]).read_bytes()
        assert receipt_bytes.startswith(b"%PDF")
        media_before, private_before = _files(media), _files(private)
        # The demo uploads no images, so the public media may be empty; its documents and
        # receipts are private media (cms.storage.SplitMediaStorage).
        assert private_before

        # The backup, as the README says.
        dump = backups / "lep.dump"
        _run(
            "pg_dump",
            "-Fc",
            "--exclude-table-data=cms_cache",
            f"--file={dump}",
            _database_url(name),
        )
        _run("tar", "-czf", str(backups / "media.tar.gz"), "-C", str(media), ".")
        private_archive = str(backups / "private.tar.gz")
        _run("tar", "-czf", private_archive, "--exclude=./reports", "-C", str(private), ".")

        # Everything is lost.
        _run("dropdb", f"--maintenance-db={server_database}", "--force", name)
        shutil.rmtree(media)
        shutil.rmtree(private)

        # The restore, as the README says; collectstatic as on a new machine.
        _run("createdb", f"--maintenance-db={server_database}", name)
        _run(
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={_database_url(name)}",
            str(dump),
        )
        for folder, archive in ((media, "media.tar.gz"), (private, "private.tar.gz")):
            folder.mkdir()
            _run("tar", "-xzf", str(backups / archive), "-C", str(folder))
        _manage(env, "migrate", "--noinput")
        _manage(env, "createcachetable")
        _manage(env, "sync_schedules")
        serving = {**env, "DEBUG": "0"}
        _manage(serving, "collectstatic", "--noinput", "--verbosity", "0")
        assert _files(media) == media_before
        assert _files(private) == private_before

        with (
            _gunicorn(serving, tmp_path / "gunicorn.log") as base_url,
            httpx.Client(base_url=base_url, timeout=30) as client,
        ):
            assert client.get("/").status_code == 200
            offer = client.get(site["offer_url"])
            assert offer.status_code == 200

            signed_in = _sign_in(client, MEMBER_EMAIL, DEMO_PASSWORD)
            assert signed_in.status_code == 200
            assert signed_in.url.path == "/my-space/", "The member was not signed in."

            receipt = client.get(site["receipt_url"])
            assert receipt.status_code == 200
            assert receipt.headers["content-type"] == "application/pdf"
            assert receipt.content == receipt_bytes

            # The receipt's file goes missing: the record stays, the download is a plain page.
            (private / site["receipt_name"]).unlink()
            gone = client.get(site["receipt_url"])
            assert gone.status_code == 410
            assert "This receipt is no longer available" in gone.text
            assert "The record is still here" in gone.text
            claim = client.get(site["claim_url"])
            assert claim.status_code == 200
            assert site["expense_description"] in claim.text
    finally:
        subprocess.run(
            ["dropdb", f"--maintenance-db={server_database}", "--if-exists", "--force", name],
            capture_output=True,
            timeout=COMMAND_SECONDS,
        )
