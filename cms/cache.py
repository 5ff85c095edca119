"""A Redis cache that a Redis outage cannot turn into a server error.

Rate limits (allauth) and page chrome (cms.site_shell) live in the cache, so with Django's own
Redis backend a stopped Redis made every page answer 500. This backend tries Redis on every
call; when Redis cannot be reached it serves the call from this process's memory instead and
leaves Redis alone for a short "retry after" period, so a dead server does not cost a connect
timeout per call.

The choice for rate limits: while Redis is unreachable each web process counts attempts on
its own. Nobody is locked out by the outage, and a guesser gets at most the limit times the
number of web processes, never unlimited guesses. Content caches simply fail open.
"""

import logging
import threading
import time
from functools import wraps
from urllib.parse import urlsplit

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What an unreachable, restarting or overloaded server raises (BusyLoadingError, raised
# while Redis reloads its data after a restart, is a ConnectionError).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

DEFAULT_RETRY_AFTER = 5.0
# Short, so that a page waiting on a server that does not answer still answers itself.
DEFAULT_SOCKET_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}
# The stand-in holds every rate-limit history of an outage; LocMemCache's default of 300
# entries would forget counters under a spray of addresses.
FALLBACK_MAX_ENTRIES = 10_000


class _ServerHealth:
    """What this process knows about one Redis server, shared by every thread's cache object
    (Django makes one per thread), so an outage is noticed, logged and waited out once."""

    def __init__(self):
        self.lock = threading.Lock()
        # None while the server answers; otherwise when to try it again.
        self.retry_at: float | None = None


_health: dict[str, _ServerHealth] = {}
_health_lock = threading.Lock()


def _health_of(location: str) -> _ServerHealth:
    with _health_lock:
        return _health.setdefault(location, _ServerHealth())


def _describe(url: str) -> str:
    """The server's address without any password, for the log."""
    parts = urlsplit(url)
    if parts.hostname:
        return f"{parts.hostname}:{parts.port or 6379}{parts.path}"
    return parts.path or url


def _fail_safe(redis_method):
    """``redis_method`` of RedisCache, served from process memory while Redis is unreachable."""
    name = redis_method.__name__

    @wraps(redis_method)
    def method(self, *args, **kwargs):
        if self._redis_worth_trying():
            try:
                result = redis_method(self, *args, **kwargs)
            except UNREACHABLE as error:
                self._redis_unreachable(error)
            else:
                self._redis_answered()
                return result
        return getattr(self._fallback, name)(*args, **kwargs)

    return method


class FailSafeRedisCache(RedisCache):
    """Django's RedisCache, falling back to a per-process memory cache while Redis is down.

    OPTIONS takes ``retry_after`` (seconds, default 5) besides redis-py's connection options;
    ``socket_connect_timeout`` and ``socket_timeout`` default to 0.5 s and 1 s.
    """

    # Monotonic seconds; tests replace it to move through the retry period without waiting.
    clock = staticmethod(time.monotonic)

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("retry_after", DEFAULT_RETRY_AFTER))
        super().__init__(server, {**params, "OPTIONS": {**DEFAULT_SOCKET_OPTIONS, **options}})
        location = ",".join(self._servers)
        self._server_names = ", ".join(_describe(url) for url in self._servers)
        self._health = _health_of(location)
        # Same name, same store: every thread of the process shares the stand-in.
        self._fallback = LocMemCache(
            f"fail-safe-redis:{location}",
            {
                **{
                    key: params[key]
                    for key in ("TIMEOUT", "KEY_PREFIX", "VERSION")
                    if key in params
                },
                "KEY_FUNCTION": self.key_func,
                "OPTIONS": {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES},
            },
        )

    @property
    def serving_from_memory(self) -> bool:
        """True while Redis is unreachable and this process answers from its memory."""
        return self._health.retry_at is not None

    def _redis_worth_trying(self) -> bool:
        retry_at = self._health.retry_at
        return retry_at is None or self.clock() >= retry_at

    def _redis_unreachable(self, error: Exception) -> None:
        with self._health.lock:
            first = self._health.retry_at is None
            self._health.retry_at = self.clock() + self.retry_after
        if first:
            logger.warning(
                "The Redis cache at %s cannot be reached (%s). Serving the cache from this "
                "process's memory, and trying Redis again every %g seconds.",
                self._server_names,
                error,
                self.retry_after,
            )

    def _redis_answered(self) -> None:
        if self._health.retry_at is None:
            return
        with self._health.lock:
            if self._health.retry_at is None:
                return
            self._health.retry_at = None
        # What was kept during the outage is not kept for the next one: Redis has the
        # current values again, and a later outage must not serve stale page chrome.
        self._fallback.clear()
        logger.warning("The Redis cache at %s answers again.", self._server_names)

    add = _fail_safe(RedisCache.add)
    get = _fail_safe(RedisCache.get)
    set = _fail_safe(RedisCache.set)
    touch = _fail_safe(RedisCache.touch)
    delete = _fail_safe(RedisCache.delete)
    get_many = _fail_safe(RedisCache.get_many)
    has_key = _fail_safe(RedisCache.has_key)
    incr = _fail_safe(RedisCache.incr)
    set_many = _fail_safe(RedisCache.set_many)
    delete_many = _fail_safe(RedisCache.delete_many)
    clear = _fail_safe(RedisCache.clear)
