"""The database is briefly unreachable (a failover, a network blip): afterwards the worker goes
on delivering mail and the site answers every page at once, including from web processes
that kept a connection which the blip broke.

The worker and the web server reach PostgreSQL through a proxy on 127.0.0.1 that the test
cuts and restores; the real server is never touched.
"""

import signal
import time

from tests.fault.harness import TcpProxy, http_status, wait_for

OUTAGE_SECONDS = 4
PAGES = ["/", "/help-now/", "/accounts/login/", "/search/?query=support", "/api/oruk/services"]
ALL_ANSWER = dict.fromkeys(PAGES, 200)


def queue_email(site, subject):
    site.shell(
        "from django.core.mail import send_mail; "
        f"send_mail({subject!r}, 'Hello.', None, ['sam@example.org'])"
    )


def statuses(base_url) -> dict[str, int | None]:
    return {path: http_status(base_url + path, timeout=20) for path in PAGES}


def wait_for_email(site, subject):
    wait_for(
        lambda: subject in site.subjects(),
        90,
        lambda: f"{subject!r} was not delivered.\n{site.outputs()}",
    )


def test_worker_and_site_work_again_after_the_database_was_unreachable(site):
    with TcpProxy(site.server.config["PORT"] or 5432) as proxy:
        through_proxy = site.server.url_for(site.dbname, port=proxy.port)
        worker = site.start_worker(DATABASE_URL=through_proxy)
        _, base_url = site.start_web(DATABASE_URL=through_proxy)
        queue_email(site, "Before the outage")
        wait_for_email(site, "Before the outage")
        assert [statuses(base_url) for _ in range(2)] == [ALL_ANSWER] * 2

        # An outage nobody notices while it lasts: the web processes' and the worker's open
        # connections are broken, and the first page after it must not fail on them.
        assert proxy.cut() > 0, "Nothing was connected through the proxy."
        time.sleep(OUTAGE_SECONDS)
        proxy.restore()
        assert [statuses(base_url) for _ in range(3)] == [ALL_ANSWER] * 3, site.outputs()
        queue_email(site, "After a quiet outage")
        wait_for_email(site, "After a quiet outage")

        # An outage people run into: pages may fail while it lasts, but they get an answer.
        proxy.cut()
        during = statuses(base_url)
        proxy.restore()
        assert None not in during.values(), during
        assert [statuses(base_url) for _ in range(3)] == [ALL_ANSWER] * 3, site.outputs()
        queue_email(site, "After a busy outage")
        wait_for_email(site, "After a busy outage")

        assert worker.returncode is None, worker.output()
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
    assert sorted(site.subjects()) == [
        "After a busy outage",
        "After a quiet outage",
        "Before the outage",
    ]
