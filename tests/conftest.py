"""Fixtures shared by the whole suite: people in each role, signed-in clients, a clean cache."""

import contextlib
import copy
import time

import pytest
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.dispatch import receiver
from django.test import override_settings

from cms import page_cache
from cms.roles import Role
from tests.factories import DEMO_PASSWORD, OrganisationFactory, UserFactory
from tests.fault import harness as fault_harness

# Every role the access matrix speaks of, plus the two states of "no role".
ROLE_NAMES = [
    "anonymous",
    "unverified",
    "member",
    "peer_worker",
    "supervisor",
    "engagement_lead",
    "hr",
    "finance",
    "editor",
    "admin",
]
ROLE_FOR_NAME = {
    "unverified": Role.MEMBER,
    "member": Role.MEMBER,
    "peer_worker": Role.PEER_WORKER,
    "supervisor": Role.SUPERVISOR,
    "engagement_lead": Role.ENGAGEMENT_LEAD,
    "hr": Role.HR,
    "finance": Role.FINANCE,
    "editor": Role.EDITOR,
    "admin": Role.ADMIN,
}


# Receipts and reports capture the "private" storage object when their models are imported.
# A test that changes STORAGES (or STATIC_ROOT/STATIC_URL) makes Django throw its storage
# objects away when the setting is put back, and build new ones on next use: later tests on
# the same worker would then save through the fields' object and look in a new, empty one.
# Whenever STORAGES is back to the suite's own, the fields' object is the one in use again.
_SUITE_STORAGES = copy.deepcopy(django_settings.STORAGES)
_FIELDS_PRIVATE_STORAGE = storages["private"]


@receiver(setting_changed)
def _storage_objects_match_the_models(*, setting, **kwargs):
    changed = setting in ("STORAGES", "STATIC_ROOT", "STATIC_URL")
    if changed and django_settings.STORAGES == _SUITE_STORAGES:
        storages._storages.setdefault("private", _FIELDS_PRIVATE_STORAGE)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The fault tests first (after pytest-django has put the tests that use no database
    last, where they were): each takes seconds to minutes, so at the end of a parallel run
    one worker would go on with them while the other waits. First, the other worker runs
    the short tests meanwhile. Otherwise the order stays as it was."""
    items.sort(key=lambda item: item.get_closest_marker("fault") is None)


# The name of a copy of this worker's test database as migrated, for the fault tests'
# template (tests/fault/conftest.py); set only when fault tests will run on PostgreSQL.
MIGRATED_COPY = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_blocker, django_db_keepdb):
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)
    # A database kept from an earlier run may hold what its tests left, so only a new one
    # is copied. Without a test that uses the database, none was made.
    fault_tests = any(item.get_closest_marker("fault") for item in request.session.items)
    url = fault_harness.postgres_url()
    server = fault_harness.Server(url) if url else None
    made = server is not None and connection.settings_dict["NAME"] != server.config["NAME"]
    if not (fault_tests and made) or django_db_keepdb:
        yield
        return
    with django_db_blocker.unblock():
        request.config.stash[MIGRATED_COPY] = fault_harness.copy_migrated(server, connection)
    try:
        yield
    finally:
        server.drop_all()


@contextlib.contextmanager
def kept_for_the_class(django_db_blocker):
    """For a class-scoped fixture that makes something slow once (the demo takes seconds)
    for every test of a class: what the fixture makes inside this block is rolled back after
    the class, and each test runs in its own savepoint, rolled back to what the fixture
    made. Tests that need an empty database belong outside the class. Email goes through
    the queue here too, as in every test (see _email_through_the_queue)."""
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(EMAIL_BACKEND="cms.mail.QueuedEmailBackend"),
    ):
        page_cache.forget_everything()
        cache.clear()
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _clean_cache(request, monkeypatch):
    """Rate-limit counters, cached settings and visitors' copies of pages must not leak from
    one test to the next (each process keeps its copies in memory, beside the cache). The
    page cache's generation number is this process's own and never looked up again during
    a test (a test may ask otherwise), so what a page costs never depends on how long the
    test took: changes made in this process refresh its copies at once anyway."""
    page_cache.forget_everything()
    page_cache.generation.assume()
    monkeypatch.setattr(page_cache, "GENERATION_RECHECK", float("inf"))
    if "django_db_setup" in request.fixturenames or request.node.get_closest_marker("django_db"):
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _email_through_the_queue(settings):
    """Django's test set-up swaps EMAIL_BACKEND for locmem; put the production path back so
    every email in the suite goes through the queue and its (inline) delivery task, which
    hands it to locmem (EMAIL_DELIVERY_BACKEND) for the outbox."""
    settings.EMAIL_BACKEND = "cms.mail.QueuedEmailBackend"


@pytest.fixture(autouse=True)
def _empty_text_outbox():
    """Text messages the locmem backend "sent" (cms.texts.outbox), like mail.outbox."""
    from cms import texts

    texts.outbox.clear()
    yield


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Northdale Health NHS Trust", nhs_trust=True)


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Southmoor Council", local_authority=True)


@pytest.fixture
def make_person(db, organisation):
    """Make a person in a role by name (see ROLE_NAMES); staff get MFA unless mfa=False."""

    def make(role_name: str, *, mfa: bool | None = None, **kwargs):
        if role_name == "anonymous":
            return None
        role = ROLE_FOR_NAME[role_name]
        staff = role not in (Role.MEMBER, Role.PEER_WORKER)
        kwargs.setdefault(
            "organisation", organisation if staff or role is Role.PEER_WORKER else None
        )
        return UserFactory(
            roles=[role],
            verified=role_name != "unverified",
            mfa=staff if mfa is None else mfa,
            **kwargs,
        )

    return make


def sign_in(client, person):
    """Sign ``person`` in as if they had just typed their password (and code, if they use
    MFA), so allauth does not ask them to re-authenticate for sensitive account pages."""
    client.force_login(person)
    session = client.session
    methods = [{"method": "password", "at": time.time(), "email": person.email}]
    if person.authenticator_set.exists():
        methods.append({"method": "mfa", "at": time.time(), "type": "totp"})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = methods
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(person.pk)
    session.save()
    return client


@pytest.fixture
def client_as(client, make_person):
    """A test client signed in as a new person in the named role (anonymous: signed out)."""

    def sign_in_as(role_name: str, **kwargs):
        person = make_person(role_name, **kwargs)
        if person is not None:
            sign_in(client, person)
        return client

    return sign_in_as


@pytest.fixture
def password():
    return DEMO_PASSWORD
