"""When Redis cannot be reached the site keeps working: pages, the crisis-help page and
signing in answer, wrong passwords are still limited (counted in each process's memory), and
the cache goes back to Redis once it answers again after the retry period.

Redis is made unreachable on 127.0.0.1 only: a port nobody listens on, a server that hangs
up at once, or a proxy in front of the real Redis that the test cuts and restores (REDIS_URL;
those tests are skipped without it).
"""

import asyncio
import logging
import os
import socket
import threading
import time
import uuid

import pytest
import redis
from bs4 import BeautifulSoup
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from django.urls import reverse

from cms.cache import FailSafeRedisCache
from tests.factories import UserFactory
from tests.fault.harness import TcpProxy

REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")

RETRY_AFTER = 5
# An upper bound for the helper thread below; a test ends long before.
SERVER_SECONDS = 120
WRONG_PASSWORD = "The email address and/or password you specified are not correct."
LOCKED_OUT = "Too many failed login attempts. Try again later."


class Clock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class HangingUpServer:
    """A port on 127.0.0.1 where something takes every connection and hangs up at once (a
    Redis that is there but broken), counting the connections, so a test sees how often the
    cache tried it."""

    def __init__(self):
        self.calls = 0
        self._stopped = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        deadline = time.monotonic() + SERVER_SECONDS
        while not self._stopped.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.calls += 1
            conn.close()


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 that is taken but listened on by nobody: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def redis_down(settings, closed_port):
    """The site's cache points at a Redis that cannot be reached."""
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.cache.FailSafeRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "KEY_PREFIX": "outage",
            "OPTIONS": {"retry_after": RETRY_AFTER},
        }
    }


@pytest.fixture
def hanging_up_server():
    server = HangingUpServer()
    yield server
    server.stop()


@pytest.fixture
def real_redis():
    """A direct client for the real Redis, to see what the cache stored there."""
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def proxy(real_redis):
    """The real Redis, reached through a proxy the test can cut (Redis gone) and restore."""
    server = real_redis.connection_pool.connection_kwargs
    with TcpProxy(server["port"], target_host=server["host"]) as made:
        yield made


def through(proxy: TcpProxy, real_redis) -> str:
    """The address of the real Redis's database for the test, by way of ``proxy``."""
    return f"redis://127.0.0.1:{proxy.port}/{real_redis.connection_pool.connection_kwargs['db']}"


def fail_safe_cache(url: str, clock: Clock) -> FailSafeRedisCache:
    cache = FailSafeRedisCache(
        url, {"KEY_PREFIX": f"outage-{uuid.uuid4().hex}", "OPTIONS": {"retry_after": RETRY_AFTER}}
    )
    cache.clock = clock
    return cache


def cache_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "cms.cache"]


def main_text(response) -> str:
    main = BeautifulSoup(response.content, "html.parser").find("main")
    assert main is not None, "The page has no <main> element."
    return " ".join(main.get_text(" ").split())


def log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


# --- The site while Redis is down -----------------------------------------------------------


@pytest.mark.django_db
def test_home_crisis_help_and_log_in_pages_answer_while_redis_is_unreachable(
    client, redis_down, caplog
):
    caplog.set_level(logging.WARNING, logger="cms.cache")

    home = client.get("/")
    crisis = client.get(reverse("crisis_help"))
    log_in_page = client.get(reverse("account_login"))

    assert home.status_code == 200
    assert BeautifulSoup(home.content, "html.parser").h1.get_text(strip=True) == (
        "Lived Experience Platform"
    )
    assert crisis.status_code == 200
    assert "Call 999 or go to A&E" in main_text(crisis)
    assert "Call NHS 111 and choose option 2" in main_text(crisis)
    assert log_in_page.status_code == 200
    assert BeautifulSoup(log_in_page.content, "html.parser").find("input", type="password")
    # One warning for the outage, not one per cache call.
    assert len(cache_warnings(caplog)) == 1
    assert "cannot be reached" in cache_warnings(caplog)[0]


@pytest.mark.django_db
def test_signing_in_works_while_redis_is_unreachable(client, redis_down, password):
    person = UserFactory(email="kit.ormerod@example.org")

    wrong = log_in(client, person.email, "not-my-password")
    right = log_in(client, person.email, password)

    assert wrong.status_code == 200
    assert WRONG_PASSWORD in main_text(wrong)
    assert right.status_code == 302
    assert right.url == reverse("my_space")
    assert client.get(reverse("my_space")).status_code == 200


@pytest.mark.django_db
def test_repeated_wrong_passwords_are_still_limited_while_redis_is_unreachable(
    client, redis_down, password
):
    person = UserFactory(email="alex.moss@example.org")
    neighbour = UserFactory(email="bea.moss@example.org")

    for attempt in range(5):
        response = log_in(client, person.email, f"wrong-password-{attempt}")
        assert response.status_code == 200
        assert WRONG_PASSWORD in main_text(response)
    response = log_in(client, person.email, password)

    assert response.status_code == 200
    assert LOCKED_OUT in main_text(response)
    assert response.wsgi_request.user.is_anonymous
    # The outage locks nobody else out.
    assert log_in(Client(), neighbour.email, password).url == reverse("my_space")


# --- The backend ----------------------------------------------------------------------------


def _exercise(cache) -> dict:
    """Every call of Django's cache API, in an order whose answers are known."""
    answers = {
        "set": cache.set("a", 1, 60),
        "get": cache.get("a"),
        "get missing": cache.get("missing", "default"),
        "add taken": cache.add("a", 2),
        "add free": cache.add("b", "bee"),
        "get_many": cache.get_many(["a", "b", "missing"]),
        "incr": cache.incr("a", 5),
        "decr": cache.decr("a", 2),
        "has_key": (cache.has_key("b"), cache.has_key("missing")),
        "in": ("b" in cache, "missing" in cache),
        "touch": (cache.touch("b", 60), cache.touch("missing", 60)),
        "get_or_set": (cache.get_or_set("c", "sea"), cache.get_or_set("c", "other")),
        "set_many": cache.set_many({"d": 1, "e": 2}),
        "delete": (cache.delete("d"), cache.delete("d")),
        "delete_many": cache.delete_many(["e", "c"]),
        "gone": cache.get_many(["c", "d", "e"]),
        "incr_version": cache.incr_version("b"),
        "moved": (cache.get("b"), cache.get("b", version=2)),
        "decr_version": cache.decr_version("b", version=2),
    }
    with pytest.raises(ValueError, match="not found"):
        cache.incr("missing")
    return answers


async def _exercise_async(cache) -> dict:
    return {
        "aset": await cache.aset("x", 10, 60),
        "aget": await cache.aget("x"),
        "aadd": await cache.aadd("y", "why"),
        "aget_many": await cache.aget_many(["x", "y"]),
        "aincr": await cache.aincr("x"),
        "adecr": await cache.adecr("x", 3),
        "ahas_key": await cache.ahas_key("y"),
        "atouch": await cache.atouch("y", 60),
        "aget_or_set": await cache.aget_or_set("z", "zed"),
        "aset_many": await cache.aset_many({"w": 1}),
        "adelete": await cache.adelete("w"),
        "adelete_many": await cache.adelete_many(["z"]),
        "aincr_version": await cache.aincr_version("y"),
        "adecr_version": await cache.adecr_version("y", version=2),
        "aget after": await cache.aget_many(["x", "y", "z", "w"]),
    }


EXPECTED = {
    "set": None,
    "get": 1,
    "get missing": "default",
    "add taken": False,
    "add free": True,
    "get_many": {"a": 1, "b": "bee"},
    "incr": 6,
    "decr": 4,
    "has_key": (True, False),
    "in": (True, False),
    "touch": (True, False),
    "get_or_set": ("sea", "sea"),
    "set_many": [],
    "delete": (True, False),
    "delete_many": None,
    "gone": {},
    "incr_version": 2,
    "moved": (None, "bee"),
    "decr_version": 1,
}
EXPECTED_ASYNC = {
    "aset": None,
    "aget": 10,
    "aadd": True,
    "aget_many": {"x": 10, "y": "why"},
    "aincr": 11,
    "adecr": 8,
    "ahas_key": True,
    "atouch": True,
    "aget_or_set": "zed",
    "aset_many": [],
    "adelete": True,
    "adelete_many": None,
    "aincr_version": 2,
    "adecr_version": 1,
    "aget after": {"x": 8, "y": "why"},
}


def test_every_cache_call_is_answered_from_memory_while_redis_is_unreachable(closed_port, caplog):
    caplog.set_level(logging.WARNING, logger="cms.cache")
    cache = fail_safe_cache(f"redis://127.0.0.1:{closed_port}/0", Clock())

    assert _exercise(cache) == EXPECTED
    assert asyncio.run(_exercise_async(cache)) == EXPECTED_ASYNC
    cache.clear()
    assert cache.get_many(["a", "b", "x", "y"]) == {}
    assert len(cache_warnings(caplog)) == 1


@needs_redis
def test_the_same_calls_give_the_same_answers_when_redis_answers(proxy, real_redis, caplog):
    caplog.set_level(logging.WARNING, logger="cms.cache")
    cache = fail_safe_cache(through(proxy, real_redis), Clock())
    try:
        assert _exercise(cache) == EXPECTED
        assert asyncio.run(_exercise_async(cache)) == EXPECTED_ASYNC
        # The values are in Redis, not in this process.
        assert real_redis.get(cache.make_key("a")) == b"4"
        assert cache_warnings(caplog) == []
    finally:
        cache.delete_many(["a", "b", "x", "y"])


def test_every_method_of_djangos_redis_cache_is_made_fail_safe():
    own_methods = {
        name
        for name, value in vars(RedisCache).items()
        if callable(value) and not name.startswith("_") and name != "get_backend_timeout"
    }
    fail_safe = {
        name
        for name in own_methods
        if getattr(vars(FailSafeRedisCache).get(name), "__wrapped__", None) is not None
    }
    assert own_methods == fail_safe


def test_a_broken_redis_is_tried_once_per_retry_period_not_once_per_call(hanging_up_server, caplog):
    caplog.set_level(logging.WARNING, logger="cms.cache")
    clock = Clock()
    cache = fail_safe_cache(f"redis://127.0.0.1:{hanging_up_server.port}/0", clock)

    for number in range(50):
        cache.set(f"key-{number}", number)
    assert hanging_up_server.calls == 1
    assert cache.get("key-49") == 49

    clock.advance(RETRY_AFTER - 0.1)
    cache.get("key-1")
    assert hanging_up_server.calls == 1

    clock.advance(0.1)
    assert cache.get("key-1") == 1
    assert hanging_up_server.calls == 2
    assert cache.get("key-2") == 2
    assert hanging_up_server.calls == 2
    assert len(cache_warnings(caplog)) == 1


def test_threads_of_one_process_share_one_count_during_an_outage(closed_port):
    url = f"redis://127.0.0.1:{closed_port}/0"
    params = {"KEY_PREFIX": "shared", "OPTIONS": {"retry_after": RETRY_AFTER}}
    # Django makes one cache object per thread; these two stand for two threads.
    first, second = FailSafeRedisCache(url, params), FailSafeRedisCache(url, params)

    first.set("attempts", 1)
    second.incr("attempts")

    assert first.get("attempts") == 2


@needs_redis
def test_the_cache_goes_back_to_redis_after_the_retry_period_when_it_returns(
    proxy, real_redis, caplog
):
    caplog.set_level(logging.WARNING, logger="cms.cache")
    clock = Clock()
    cache = fail_safe_cache(through(proxy, real_redis), clock)
    key = cache.make_key("greeting")
    proxy.cut()
    try:
        cache.set("greeting", "kept in memory")
        assert cache.get("greeting") == "kept in memory"

        proxy.restore()
        cache.set("greeting", "still in memory")
        assert real_redis.get(key) is None

        clock.advance(RETRY_AFTER)
        cache.set("greeting", "in Redis")
        assert real_redis.exists(key)
        assert cache.get("greeting") == "in Redis"

        # Redis restarts: the pooled connection is cut, and the cache fails open at once.
        proxy.cut()
        assert cache.get("greeting") is None
        cache.set("greeting", "in memory again")
        assert cache.get("greeting") == "in memory again"

        proxy.restore()
        clock.advance(RETRY_AFTER)
        assert cache.get("greeting") == "in Redis"
    finally:
        real_redis.delete(key)
    said = [
        "down" if "cannot be reached" in message else "back" if "answers again" in message else ""
        for message in cache_warnings(caplog)
    ]
    assert said == ["down", "back", "down", "back"]
