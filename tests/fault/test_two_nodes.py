"""Two web nodes and a worker, deployed as the README's Production section says, serve one site.

Production settings with real random keys and an https SITE_URL, PostgreSQL (a fresh, empty
database), Redis, object storage (moto's S3 server on 127.0.0.1) for both media buckets, so
the nodes and the worker share no disk for files, and mail delivered by the worker into
files. The README's commands build the site; two gunicorn processes and one worker serve it.
Then, as people would notice it:

- ``/health/`` on each node says the database and cache are fine, and the worker once its
  heartbeat has run;
- the first administrator gets the invitation email, chooses a password through node A,
  signs in on node B and sets up an authenticator app there, and signs in on node A with a
  code from it (sessions and the encrypted secret are in the shared database);
- an offer imported and published on node A (the Open Referral UK import, the way the README
  tells a new site to add real content) is on node B's "Find support" page and its own page;
- a report asked for on node A is made by the worker and downloaded from node B, the same
  bytes from both nodes, stored in the private bucket and on no node's disk.
"""

import json
import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from tests.fault import harness
from tests.fault.harness import SCHEDULER_BOUND, wait_for
from tests.fault.nodes import (
    Browser,
    input_value,
    main_text,
    object_storage,
    option_value,
    page_soup,
    start_web_node,
    stop_worker,
    totp_code,
)
from tests.processes import ROOT, manage_env

SITE_URL = "https://lep.example.test"
ORGANISATION = "Northdale Health NHS Trust"
ADMIN_EMAIL = "ada.okafor@northdale.example.org"
ADMIN_PASSWORD = "Marmalade-Lighthouse-7319"  # noqa: S105 - chosen by the test's "person"
# A Redis database of this test's own; its keys are also under a prefix of this run's own.
REDIS_DB = 13
# Bounds for what the worker does on a busy machine (a quiet one takes a few seconds).
MAIL_BOUND = 120
REPORT_BOUND = 180
# The README's default Q_STOP_GRACE (25 s), and a little more.
WORKER_STOP_BOUND = 40

# The README's Production steps, in its order, as this test runs them.
SETUP_COMMANDS = [
    ["migrate"],
    ["createcachetable"],
    ["sync_schedules"],
    ["collectstatic", "--noinput"],
]
FIRST_RUN = [
    "first_run",
    "--organisation",
    ORGANISATION,
    "--admin-email",
    ADMIN_EMAIL,
    "--admin-first-name",
    "Ada",
    "--admin-last-name",
    "Okafor",
    "--contact-email",
    "involvement@northdale.example.org",
]
README_NAMES = [
    "DJANGO_SETTINGS_MODULE=cms.settings.production",
    *(f"manage.py {' '.join(command)}" for command in SETUP_COMMANDS),
    "gunicorn cms.wsgi",
    "manage.py worker",
    "manage.py first_run --organisation",
    "--admin-email",
    "--admin-first-name",
    "--admin-last-name",
    "--contact-email",
    "MEDIA_S3_PRIVATE_BUCKET",
]

OFFER = {
    "id": "5b0f3c2e-7d1a-4c8e-9f45-2a6b1c0d9e73",
    "name": "Riverside evening crisis café",
    "description": "A calm place to go in the evening when things feel too much.",
    "status": "active",
    "organization": {"name": "Riverside Mind"},
}


def redis_url() -> str | None:
    """The run's Redis (REDIS_URL), with this test's own database number."""
    url = os.environ.get("REDIS_URL", "")
    if not url.startswith("redis://"):
        return None
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        return None
    return parts._replace(path=f"/{REDIS_DB}").geturl()


pytestmark = pytest.mark.skipif(
    redis_url() is None, reason="Needs REDIS_URL=redis://127.0.0.1:... (.ci/run's second pass)"
)


@pytest.fixture
def fresh_site(fault_server, tmp_path):
    """An empty database, as a new deployment starts with; every process the test starts is
    killed and the database dropped when it ends."""
    dbname = fault_server.create(f"{harness.database_prefix(fault_server)}_nodes")
    site = harness.Site(fault_server, dbname, tmp_path)
    try:
        yield site
    finally:
        try:
            site.stop_all()
        finally:
            fault_server.drop(dbname)


def production_env(site, storage, *, static_root: Path, cache_prefix: str) -> dict:
    """Step 2 of the README: the same environment for every process."""
    return manage_env(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SITE_URL=SITE_URL,
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=site.database_url,
        REDIS_URL=redis_url(),
        CACHE_KEY_PREFIX=cache_prefix,
        EMAIL_DELIVERY_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(site.mail_dir),
        DEFAULT_FROM_EMAIL="Lived Experience Platform <involvement@northdale.example.org>",
        STATIC_ROOT=str(static_root),
        Q_WORKERS="2",
        PYTHONUNBUFFERED="1",
        **storage.env,
    )


def own_disk(tmp_path: Path, name: str) -> dict[str, str]:
    """Media folders of one machine's own. With object storage nothing may be written there:
    a file one machine wrote there would be missing on the others."""
    return {
        "MEDIA_ROOT": str(tmp_path / "disks" / name / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "disks" / name / "private"),
    }


def files_under(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def redis_keys(prefix: str) -> list[bytes]:
    parts = urlsplit(redis_url())
    with redis.Redis(host=parts.hostname, port=parts.port or 6379, db=REDIS_DB) as client:
        return list(client.scan_iter(match=f"{prefix}:*", count=1000))


def forget_redis_keys(prefix: str) -> None:
    keys = redis_keys(prefix)
    if keys:
        parts = urlsplit(redis_url())
        with redis.Redis(host=parts.hostname, port=parts.port or 6379, db=REDIS_DB) as client:
            client.delete(*keys)


def all_ok(node) -> bool:
    """Whether the node's health check says the database, cache and worker are all fine."""
    response = node.health()
    body = response.json() if response.status_code == 200 else {}
    return all(body.get(check) == "ok" for check in ("database", "cache", "worker"))


def invitation_link(site) -> str | None:
    for message in site.emails():
        if message["To"] == ADMIN_EMAIL and "invited" in str(message["Subject"]):
            body = message.get_payload(decode=True).decode()
            found = re.search(r"https://\S+/accounts/password/reset/key/\S+", body)
            return found.group(0) if found else None
    return None


def test_two_web_nodes_and_a_worker_set_up_from_the_readme_serve_one_site(fresh_site, tmp_path):
    site = fresh_site
    readme = (ROOT / "README.md").read_text()
    production = readme[readme.index("## Production") :]
    missing = [name for name in README_NAMES if name not in production]
    assert not missing, f"The README's Production section no longer says: {missing}"

    cache_prefix = f"nodes-{secrets.token_hex(4)}"
    with object_storage() as storage:
        site.env = production_env(
            site, storage, static_root=tmp_path / "static", cache_prefix=cache_prefix
        )
        try:
            _deploy_and_use(site, storage, tmp_path, cache_prefix)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n{site.outputs()}") from None
        finally:
            try:
                for process in site.processes:
                    if process.name == "worker":
                        stop_worker(process, bound=WORKER_STOP_BOUND)
                site.stop_all()
            finally:
                forget_redis_keys(cache_prefix)


def _deploy_and_use(site, storage, tmp_path: Path, cache_prefix: str) -> None:
    # --- The README's steps ---------------------------------------------------------------
    setup_disk = own_disk(tmp_path, "setup")
    for command in SETUP_COMMANDS:
        site.manage(*command, timeout=harness.MIGRATE_TIMEOUT, **setup_disk)
    worker = site.start("worker", name="worker", **own_disk(tmp_path, "worker"))
    node_a = start_web_node(site, "node A", **own_disk(tmp_path, "node-a"))
    node_b = start_web_node(site, "node B", **own_disk(tmp_path, "node-b"))
    first_run = site.manage(*FIRST_RUN, **setup_disk)
    assert "Invitation emailed to " + ADMIN_EMAIL in first_run

    # Each node answers its load balancer, over plain HTTP, by its own address.
    for node in (node_a, node_b):
        response = node.health()
        assert response.status_code == 200, response.text
        assert {k: response.json()[k] for k in ("database", "cache")} == {
            "database": "ok",
            "cache": "ok",
        }, response.text
    assert redis_keys(cache_prefix), "Nothing reached Redis: the nodes do not share a cache."

    # --- The first administrator ------------------------------------------------------------
    link = wait_for(
        lambda: invitation_link(site), MAIL_BOUND, lambda: f"Mail so far: {site.subjects()}"
    )
    assert link.startswith(f"{SITE_URL}/"), f"The invitation links to {link}, not SITE_URL."

    ada = Browser(SITE_URL)
    choose = ada.get(node_a, ada.local_path(link))
    assert choose.status_code == 200, main_text(choose)
    assert "Choose your password" in main_text(choose)
    chosen = ada.submit(
        node_a,
        choose,
        having="password1",
        fields={"password1": ADMIN_PASSWORD, "password2": ADMIN_PASSWORD},
    )
    assert chosen.status_code == 200, main_text(chosen)
    assert "Your new password is saved" in main_text(chosen)

    # Signing in on node B; staff must set up an authenticator app before anything else,
    # and allauth asks for the password again first.
    login = ada.get(node_b, "/accounts/login/")
    signed_in = ada.submit(
        node_b, login, having="login", fields={"login": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert signed_in.url.path == "/accounts/reauthenticate/", main_text(signed_in)
    assert "authenticator app" in main_text(signed_in)
    assert {"sessionid", "csrftoken"} <= ada.secure_cookies
    set_up = ada.submit(node_b, signed_in, having="password", fields={"password": ADMIN_PASSWORD})
    assert set_up.url.path == "/accounts/2fa/totp/activate/", main_text(set_up)
    secret = input_value(set_up, "authenticator_secret")
    assert secret, "The set-up page does not show the secret."
    turned_on = ada.submit(node_b, set_up, having="code", fields={"code": totp_code(secret)})
    assert turned_on.status_code == 200, main_text(turned_on)
    assert turned_on.url.path == "/accounts/2fa/recovery-codes/", main_text(turned_on)

    # The session made on node B works on node A.
    dashboard = ada.get(node_a, "/admin/")
    assert dashboard.status_code == 200 and dashboard.url.path == "/admin/"
    assert "Dashboard" in dashboard.text

    # A new sign-in on node A asks for a code from the app set up on node B.
    ada_at_work = Browser(SITE_URL)
    login = ada_at_work.get(node_a, "/accounts/login/")
    asked = ada_at_work.submit(
        node_a, login, having="login", fields={"login": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert asked.url.path == "/accounts/2fa/authenticate/", main_text(asked)
    in_ = ada_at_work.submit(node_a, asked, having="code", fields={"code": totp_code(secret)})
    assert in_.url.path == "/my-space/", main_text(in_)

    # --- An offer published on node A, seen on node B -------------------------------------
    importer = ada_at_work.get(node_a, "/admin/offers/import-oruk/")
    assert importer.status_code == 200, main_text(importer)
    imported = ada_at_work.submit(
        node_a,
        importer,
        having="publish",
        fields={"publish": "on"},
        files={"file": ("offers.json", json.dumps([OFFER]).encode(), "application/json")},
    )
    assert imported.status_code == 200, main_text(imported)
    assert "published in the directory now" in main_text(imported), main_text(imported)

    visitor = Browser(SITE_URL)
    # The page's stylesheet comes from each node's own static files (collectstatic).
    home = visitor.get(node_a, "/")
    assert home.status_code == 200
    stylesheet = page_soup(home).find("link", rel="stylesheet")["href"]
    assert stylesheet.startswith("/static/")
    styles = [visitor.get(node, stylesheet) for node in (node_a, node_b)]
    assert [response.status_code for response in styles] == [200, 200]
    assert styles[0].content == styles[1].content and styles[0].content

    directory = visitor.get(node_b, "/find-support/")
    assert directory.status_code == 200
    assert OFFER["name"] in main_text(directory)
    offer_link = page_soup(directory).find("a", string=re.compile(re.escape(OFFER["name"])))
    assert offer_link is not None, "Node B's directory does not link to the offer."
    offer_page = visitor.get(node_b, visitor.local_path(offer_link["href"], base="/find-support/"))
    assert offer_page.status_code == 200
    assert OFFER["name"] in main_text(offer_page)
    assert OFFER["description"] in main_text(offer_page)
    assert "Riverside Mind" in main_text(offer_page)

    # --- A report asked for on node A, made by the worker, downloaded from node B ---------
    report_form = ada_at_work.get(node_a, "/admin/reports/panel-impact/")
    assert report_form.status_code == 200, main_text(report_form)
    # All the trust's panels, over the period the form suggests (the last year).
    every_panel = option_value(report_form, select="scope", label=f"All panels of {ORGANISATION}")
    asked_for = ada_at_work.submit(
        node_a, report_form, having="scope", fields={"scope": every_panel}, follow=False
    )
    assert asked_for.status_code == 302, main_text(asked_for)
    status_path = ada_at_work.local_path(asked_for.headers["location"])
    job_id = re.fullmatch(r"/reports/([0-9a-f-]{36})/", status_path).group(1)

    def ready_on_b():
        status = ada_at_work.get(node_b, f"/reports/{job_id}/status.json").json()
        return status["download_url"] if status["status"] == "done" else None

    download_url = wait_for(
        ready_on_b, REPORT_BOUND, "The worker did not make the report.", interval=1
    )
    from_b = ada_at_work.get(node_b, download_url)
    from_a = ada_at_work.get(node_a, download_url)
    assert from_b.status_code == 200, main_text(from_b)
    assert from_b.content.startswith(b"%PDF")
    assert from_b.headers["content-type"] == "application/pdf"
    assert from_a.content == from_b.content

    private_keys = [key for key in storage.keys(storage.private) if key.startswith("reports/")]
    assert len(private_keys) == 1 and private_keys[0].startswith(f"reports/{job_id}/")
    assert storage.read(storage.private, private_keys[0]) == from_b.content
    assert storage.keys(storage.public) == []
    # Nothing on any machine's disk: every file is in the buckets.
    assert files_under(tmp_path / "disks") == []
    assert not (ROOT / "var" / "private" / "reports" / job_id).exists()

    # --- The worker's heartbeat reaches both nodes' health checks -------------------------
    for node in (node_a, node_b):
        wait_for(
            lambda node=node: all_ok(node),
            SCHEDULER_BOUND,
            lambda node=node: f"{node.name}: {node.health().text}",
        )
    assert worker.returncode is None, "The worker stopped."
    for browser in (ada, ada_at_work, visitor):
        browser.close()
