"""``/health/``: what a load balancer or monitor asks each web node.

Answered by a middleware that runs before every other one, so it needs neither HTTPS nor an
allowed host name (a load balancer calls nodes by their own addresses, over plain HTTP),
and it never touches a session. It says whether this node can reach the database and the
cache, and when the worker last checked in. Only the database decides the status code: with
the cache down pages still work (cms/cache.py), and a stopped worker is no reason to take a
web node out of service; both show as "degraded" for a monitor to alert on.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from . import worker

logger = logging.getLogger(__name__)

HEALTH_PATH = "/health/"


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: the database did not answer")
        return "unreachable"
    return "ok"


def _cache() -> str:
    key, value = f"health:{uuid.uuid4().hex}", "ok"
    try:
        cache.set(key, value, 10)
        found = cache.get(key)
        cache.delete(key)
    except Exception:
        logger.exception("Health check: the cache did not answer")
        return "unreachable"
    if found != value or getattr(cache, "serving_from_memory", False):
        # The fail-safe Redis cache answers from memory while Redis is down (cms/cache.py).
        return "unreachable"
    return "ok"


def _worker(database: str) -> str:
    if database != "ok":
        return "unknown"
    status = worker.worker_status()
    if status["healthy"]:
        return "ok"
    return "stale" if status["last_seen"] else "never seen"


def health() -> tuple[int, dict]:
    database = _database()
    checks = {"database": database, "cache": _cache(), "worker": _worker(database)}
    if database != "ok":
        status = "down"
    elif all(value == "ok" for value in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return (503 if status == "down" else 200), {"status": status, **checks}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != HEALTH_PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"status": "method not allowed"}, status=405)
        code, body = health()
        response = JsonResponse(body, status=code)
        response["Cache-Control"] = "no-store"
        return response
