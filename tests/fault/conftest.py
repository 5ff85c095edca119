"""Fault tests: real workers and web servers against a throwaway PostgreSQL database each.

Every test here is marked ``fault`` and runs only when DATABASE_URL is PostgreSQL (the second
pass of ``.ci/run``); on SQLite they are skipped, since separate processes need a database
server and ``CREATE DATABASE ... TEMPLATE`` to start each test from a clean, migrated copy.

Use the ``site`` fixture (a ``tests.fault.harness.Site``) and the helpers in
``tests/fault/harness.py``; see that module's docstring.
"""

import secrets
from pathlib import Path

import pytest

from tests.conftest import MIGRATED_COPY
from tests.fault import harness

FAULT_DIR = Path(__file__).parent
SKIP_REASON = (
    "Fault tests need PostgreSQL: set DATABASE_URL=postgres://... (.ci/run's second pass does)"
)


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=SKIP_REASON)
    on_postgres = harness.postgres_url() is not None
    for item in items:
        if FAULT_DIR not in Path(item.fspath).parents:
            continue
        item.add_marker(pytest.mark.fault)
        if not on_postgres:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def fault_server():
    """The PostgreSQL server of the run; every database made through it is dropped at the
    end of the session, even when a test fails."""
    server = harness.Server(harness.postgres_url())
    try:
        yield server
    finally:
        server.drop_all()


@pytest.fixture(scope="session")
def migrated_database(request):
    """The name of a database just as `migrate` leaves it (a copy of this worker's test
    database, made before any test used it: see tests/conftest.py), or None when there is
    none. A site's database can start as a copy of it instead of migrating again, which
    takes the worker far longer."""
    request.getfixturevalue("django_db_setup")
    return request.config.stash.get(MIGRATED_COPY, None)


@pytest.fixture(scope="session")
def fault_template(fault_server, migrated_database, tmp_path_factory):
    """One migrated database per pytest worker and session; each test copies it."""
    prefix = harness.database_prefix(fault_server)
    name = harness.make_template(
        fault_server,
        f"{prefix}_tmpl",
        tmp_path_factory.mktemp("fault-template"),
        migrated=migrated_database,
    )
    return prefix, name


@pytest.fixture
def site(fault_server, fault_template, tmp_path):
    """A copy of the migrated template for this test alone, with every process the test
    starts killed (process group and all) and the database dropped when it ends."""
    prefix, template = fault_template
    dbname = fault_server.create(f"{prefix}_{secrets.token_hex(3)}", template=template)
    site = harness.Site(fault_server, dbname, tmp_path)
    try:
        yield site
    finally:
        try:
            site.stop_all()
        finally:
            fault_server.drop(dbname)
