"""/health/ tells a load balancer whether this node can serve: without HTTPS, without an
allowed host name, and with a 503 only when the database is gone."""

import pytest
from django.db import OperationalError

from cms import health, worker

pytestmark = pytest.mark.django_db


def test_a_healthy_node_says_so_once_the_worker_has_checked_in(client):
    worker.heartbeat_record(name="worker")
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "worker": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_a_worker_that_never_ran_shows_as_degraded_but_the_node_stays_in_service(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"] == "never seen"


def test_it_answers_a_load_balancer_calling_the_node_by_address_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["lep.example.org"]
    response = client.get("/health/", HTTP_HOST="10.0.3.17:8000")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    # Every other address still gets the host check and the HTTPS redirect.
    assert client.get("/", HTTP_HOST="10.0.3.17:8000").status_code == 400
    assert client.get("/", HTTP_HOST="lep.example.org").status_code == 301


def test_without_the_database_the_node_answers_503(client, monkeypatch):
    class Gone:
        def cursor(self):
            raise OperationalError("could not connect to server")

    monkeypatch.setattr(health, "connection", Gone())
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "database": "unreachable",
        "cache": "ok",
        "worker": "unknown",
    }


def test_only_get_and_head_are_answered(client):
    assert client.post("/health/").status_code == 405
    assert client.head("/health/").status_code == 200


def test_it_sets_no_cookie_and_needs_no_session(client):
    response = client.get("/health/")
    assert not response.cookies


def test_with_redis_unreachable_the_cache_shows_as_unreachable_and_the_node_stays_up(
    client, settings
):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {"BACKEND": "cms.cache.FailSafeRedisCache", "LOCATION": _closed_port_url()}
    }
    try:
        response = client.get("/health/")
        assert response.status_code == 200
        assert response.json()["cache"] == "unreachable"
        assert response.json()["status"] == "degraded"
    finally:
        caches["default"].close()


def _closed_port_url() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"
