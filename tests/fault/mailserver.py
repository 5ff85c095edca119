"""A real SMTP server on 127.0.0.1 for the mail fault tests (aiosmtpd, in a thread).

It records every message it accepts, so a test counts what people actually received. It can
hold one recipient at RCPT until told to let go: the sender is then mid-conversation and the
message not yet accepted, so a test can kill the worker at exactly that point.
"""

import asyncio
import email
import email.policy
import socket
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller

# How long a held RCPT waits to be let go before the server refuses it for now (451).
HOLD_BOUND = 120
# How long the server may take to start listening (aiosmtpd's default, 5 s, is short on a
# busy machine).
READY_BOUND = 15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """aiosmtpd handler: accepts every message and keeps it; may hold one recipient."""

    def __init__(self):
        self._lock = threading.Lock()
        self._messages: list[EmailMessage] = []
        self._hold_address: str | None = None
        self._let_go = threading.Event()
        self.holding = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self._hold_address and not self._let_go.is_set():
            self.holding.set()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + HOLD_BOUND
            while not self._let_go.is_set():
                if loop.time() >= deadline:
                    return "451 Try again later"
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self._messages.append(message)
        return "250 Message accepted for delivery"

    def hold(self, address: str) -> None:
        self._hold_address = address
        self._let_go.clear()
        self.holding.clear()

    def let_go(self) -> None:
        self._let_go.set()

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)


class MailServer:
    """``with MailServer() as server:`` an SMTP server on ``server.port`` (or a port given,
    e.g. one a test first left closed), stopped when the block ends."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self._controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=READY_BOUND
        )

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        # Let a held conversation go first, so the server's loop can stop.
        self.handler.let_go()
        self._controller.stop()

    def hold(self, address: str) -> None:
        """Hold the next conversation that names ``address`` at RCPT, until ``let_go``."""
        self.handler.hold(address)

    def wait_until_holding(self, bound: float) -> bool:
        return self.handler.holding.wait(bound)

    def let_go(self) -> None:
        self.handler.let_go()

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def subjects(self) -> list[str]:
        return [str(message["Subject"]) for message in self.messages]

    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message in self.messages]
