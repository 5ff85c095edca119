"""A worker killed in the middle of a batch of email, while the mail server is still deciding
whether to take a message, loses nothing and doubles nothing: after the next worker starts,
every message has arrived exactly once, with the Message-ID its row gave it.

The honest limit (cms/mail.py, README): a worker killed after the mail server accepted a
message's DATA but before the row was marked sent leaves the row "being sent"; once its lease
runs out the message is sent again. The two copies carry the same Message-ID, which most mail
programs use to show one. This test kills before acceptance, where exactly once holds.
"""

import json
from collections import Counter

import pytest

from tests.fault.crash import crash, kill_clusters
from tests.fault.harness import wait_for
from tests.fault.mailserver import MailServer

BATCH = 20
HELD = 5
BOUND = 90


@pytest.fixture
def site(site):
    """The harness's site; the task clusters of the workers the test started die with it."""
    yield site
    kill_clusters(site)


def address(n: int) -> str:
    return f"person{n:02d}@example.org"


def subject(n: int) -> str:
    return f"Batch message {n:02d}"


QUEUE_BATCH = f"""
from django.core.mail import send_mail
for n in range(1, {BATCH + 1}):
    send_mail(f"Batch message {{n:02d}}", "One of a batch.", None, [f"person{{n:02d}}@example.org"])
"""


def smtp_env(server) -> dict:
    # The lease on a message being sent (cms.mail.send_lease) is the smaller of three mail
    # server timeouts plus 5 s and half of Q_RETRY: here 6 s, so the task handed out again
    # after Q_RETRY (12 s) finds the interrupted message free to send. One worker process,
    # so that while the held message waits at RCPT no other send is in flight (one killed
    # just after the server took it would be the honest limit above, sent twice).
    return {
        "Q_WORKERS": "1",
        "EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(server.port),
        "EMAIL_TIMEOUT": "5",
        "Q_TIMEOUT": "8",
        "Q_RETRY": "12",
    }


def rows(site) -> dict[str, tuple[str, int, str]]:
    """Each stored message's subject: (status, attempts, Message-ID)."""
    return {
        message["subject"]: (status, attempts, message["headers"]["Message-ID"])
        for status, attempts, message in site.query(
            "select status, attempts, message from cms_outboundemail"
        )
    }


def test_a_batch_interrupted_mid_send_arrives_exactly_once(site):
    with MailServer() as server:
        server.hold(address(HELD))
        site.shell(QUEUE_BATCH)
        assert len(rows(site)) == BATCH
        worker = site.start_worker(**smtp_env(server))
        assert server.wait_until_holding(BOUND), f"No message reached RCPT.\n{site.outputs()}"

        crash(site, worker)
        assert rows(site)[subject(HELD)][0] == "sending"
        assert subject(HELD) not in server.subjects()
        server.let_go()

        site.start_worker(name="next worker", **smtp_env(server))
        wait_for(
            lambda: {status for status, _, _ in rows(site).values()} == {"sent"},
            BOUND,
            lambda: f"Not every message was sent: {json.dumps(rows(site))}\n{site.outputs()}",
        )
        # Every delivery task handed out has finished, so nothing more can arrive.
        wait_for(lambda: site.value("select count(*) from django_q_ormq") == 0, BOUND, site.outputs)

        received = Counter(server.subjects())
        assert received == Counter({subject(n): 1 for n in range(1, BATCH + 1)})
        stored = rows(site)
        assert sorted(server.message_ids()) == sorted(mid for _, _, mid in stored.values())
        for message in server.messages:
            assert stored[str(message["Subject"])][2] == message["Message-ID"]
        # The interrupted message was tried twice; the worker that held it left no trace.
        assert stored[subject(HELD)][1] == 2
        for message in server.messages:
            assert message["To"] == address(int(str(message["Subject"])[-2:]))
