"""With the Redis cache unreachable, the site keeps working: the home page, the crisis-help
page and the log-in page answer, and a person can still sign in; when Redis is back, nothing
needs restarting. Real gunicorn, with Redis behind a proxy the test cuts."""

import re
import secrets
import socket

import httpx
import pytest
import redis

from tests.factories import DEMO_PASSWORD
from tests.fault.harness import TcpProxy

REDIS_PORT = 6379
MEMBER = "redis.member@example.org"
PAGES = ["/", "/help-now/", "/accounts/login/"]
TIMEOUT = 30
# Redis's default number of databases: cms.settings.test picks one by pytest worker.
REDIS_DATABASES = 16

CREATE_MEMBER = f"""
from cms.roles import Role
from tests.factories import UserFactory
UserFactory(email={MEMBER!r}, roles=[Role.MEMBER])
"""


def redis_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=2).close()
    except OSError:
        return False
    return True


pytestmark = pytest.mark.skipif(
    not redis_listening(), reason=f"Needs Redis on 127.0.0.1:{REDIS_PORT} (.ci/run starts it)"
)


def keys_with_prefix(prefix: str) -> dict[int, list[bytes]]:
    """The keys under ``prefix`` in each Redis database that has any."""
    found = {}
    for db in range(REDIS_DATABASES):
        with redis.Redis(host="127.0.0.1", port=REDIS_PORT, db=db) as client:
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            found[db] = keys
    return found


def forget_keys(prefix: str) -> None:
    for db, keys in keys_with_prefix(prefix).items():
        with redis.Redis(host="127.0.0.1", port=REDIS_PORT, db=db) as client:
            client.delete(*keys)


def sign_in(base_url: str) -> httpx.Response:
    """Sign in through allauth's own form, as a browser would, in a fresh session."""
    with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
        page = client.get("/accounts/login/")
        assert page.status_code == 200, page.text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "The sign-in page has no CSRF token."
        return client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "login": MEMBER,
                "password": DEMO_PASSWORD,
            },
            follow_redirects=True,
        )


def assert_the_site_works(base_url: str, when: str) -> None:
    for path in PAGES:
        response = httpx.get(base_url + path, timeout=TIMEOUT)
        assert response.status_code == 200, f"{path} {when}: {response.status_code}"
    signed_in = sign_in(base_url)
    assert signed_in.status_code == 200, f"Signing in {when}: {signed_in.status_code}"
    assert signed_in.url.path == "/my-space/", f"The member was not signed in {when}."


def test_pages_and_signing_in_work_while_redis_is_down_and_after_it_is_back(site):
    site.shell(CREATE_MEMBER)
    # A key prefix of this test's own keeps its counters apart from any other run's.
    prefix = f"fault-{secrets.token_hex(4)}"
    with TcpProxy(REDIS_PORT) as proxy:
        # (cms.settings.test swaps the database number for one per pytest worker.)
        web, base_url = site.start_web(
            REDIS_URL=f"redis://127.0.0.1:{proxy.port}/14", CACHE_KEY_PREFIX=prefix
        )
        try:
            assert_the_site_works(base_url, "with Redis up")
            # The site really keeps its rate-limit counters in Redis, through the proxy.
            assert keys_with_prefix(prefix), "Nothing reached Redis."

            proxy.cut()
            assert_the_site_works(base_url, "with Redis down")

            proxy.restore()
            assert_the_site_works(base_url, "once Redis is back")
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n{web.output()}") from None
        finally:
            forget_keys(prefix)
