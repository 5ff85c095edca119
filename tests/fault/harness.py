"""Real processes against a throwaway PostgreSQL database, for the fault tests.

A fault test starts the site as an operator would (``manage.py worker``, ``gunicorn``), breaks
something (a signal, a second cluster, a database that goes away) and then checks what a
person would notice: the email arrived once, the page answers, the task will run again.

The pieces, all used through the ``site`` fixture of ``tests/fault/conftest.py``:

- ``Site``: one throwaway database (a copy of a migrated template, so it is fast) and the
  environment every process gets (``Site.env``: ``FAULT_ENV``, the database, mail written
  to files, files on disk). ``manage``/``shell`` run a command or a snippet in it;
  ``query``/``value``/``execute`` read and write it directly with psycopg; ``tasks`` lists
  django-q2's tasks, queued or done; ``postpone_schedules`` keeps scheduled tasks out of a
  test. ``start``/``start_worker``/``start_web`` start long-running processes, each in a
  process group of its own, all killed when the test ends. ``emails``/``subjects`` read
  the mail delivered.
- ``wait_for(condition, bound)``: poll until a condition holds, failing after ``bound``
  seconds; never assert how long something took.
- ``live_processes_in_group``/``child_pids``: what is left running of a process tree.
- ``TcpProxy``: a forwarder on 127.0.0.1 that a test can cut and restore, so a server
  (PostgreSQL, Redis, SMTP) is briefly unreachable while the real one keeps running.
"""

import contextlib
import email
import json
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql

from tests.processes import ROOT, manage_env, manage_python

# Short, so that a test stays well under a minute: a task is cut off after Q_TIMEOUT, handed
# out again Q_RETRY seconds after it was taken, and `worker` waits Q_STOP_GRACE on SIGTERM.
# The guard cycle is django-q2's default: a shorter one does not make the scheduler run
# sooner (see SCHEDULER_AT_START), it only adds work on a busy machine.
FAULT_ENV = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.test",
    "Q_SYNC": "0",
    "Q_TIMEOUT": "8",
    "Q_RETRY": "12",
    "Q_STOP_GRACE": "10",
    "Q_GUARD_CYCLE": "0.5",
    "Q_WORKERS": "2",
    "EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    "PYTHONUNBUFFERED": "1",
}
# django-q2's guard runs the scheduler whenever its cycles add up to 30 (seconds, when the
# machine is idle; far more when it is busy). With a 30-second cycle its first pass comes as
# the cluster starts. For tests of scheduling only: the guard then looks at its workers only
# every 30 s (tasks still time out, by their own alarm).
SCHEDULER_AT_START = {"Q_GUARD_CYCLE": "30"}
# How long a test waits for a scheduler pass at the usual cycle.
SCHEDULER_BOUND = 120
MANAGE_TIMEOUT = 300
# Migrating takes about 45 s on an idle machine; far longer on a busy one.
MIGRATE_TIMEOUT = 1200
POLL_SECONDS = 0.2


def postgres_url() -> str | None:
    """The test run's PostgreSQL DATABASE_URL, or None when the run is on SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def wait_for(condition: Callable, bound: float, message="", *, interval=POLL_SECONDS):
    """Poll ``condition`` until it returns something truthy and return that; fail the test
    if ``bound`` seconds pass first. ``message`` may be a callable, for details worked out
    only on failure (a process's output, say)."""
    deadline = time.monotonic() + bound
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            detail = message() if callable(message) else message
            raise AssertionError(f"Not so within {bound} s. {detail}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(url: str, timeout: float = 10) -> int | None:
    """The status code of a GET, or None when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _processes() -> list[tuple[int, str, int, int]]:
    """(pid, state, parent pid, process group) of every process, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The fields after the command name, which is in parentheses and may hold spaces.
        state, parent, group = stat.rsplit(")", 1)[1].split()[:3]
        found.append((int(entry.name), state, int(parent), int(group)))
    return found


def live_processes_in_group(pgid: int) -> list[int]:
    """Processes of a process group that still run. A killed process whose parent died first
    is a zombie until init reaps it, and some containers' init never does, so zombies do not
    count (``os.killpg(pgid, 0)`` would)."""
    return [pid for pid, state, _, group in _processes() if group == pgid and state not in "ZX"]


def child_pids(pid: int) -> list[int]:
    """Running processes whose parent is ``pid`` (e.g. the qcluster ``worker`` started)."""
    return [child for child, state, parent, _ in _processes() if parent == pid and state != "Z"]


class Server:
    """The PostgreSQL server of the test run: makes and drops throwaway databases."""

    def __init__(self, url: str):
        self.url = url
        self.config = dj_database_url.parse(url)
        self.created: list[str] = []

    def connect(self, dbname: str = "postgres", **kwargs) -> psycopg.Connection:
        config = self.config
        return psycopg.connect(
            host=config["HOST"] or "127.0.0.1",
            port=config["PORT"] or 5432,
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            dbname=dbname,
            autocommit=True,
            **kwargs,
        )

    def url_for(self, dbname: str, *, port: int | None = None) -> str:
        """DATABASE_URL of ``dbname``, optionally through another port on 127.0.0.1."""
        config = self.config
        credentials = config["USER"] or ""
        if config["PASSWORD"]:
            credentials += f":{config['PASSWORD']}"
        host = "127.0.0.1" if port else (config["HOST"] or "127.0.0.1")
        port = port or config["PORT"] or 5432
        return f"postgres://{credentials}@{host}:{port}/{dbname}"

    def create(self, dbname: str, *, template: str | None = None) -> str:
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        self.created.append(dbname)
        with self.connect() as conn:
            conn.execute(statement)
        return dbname

    def drop(self, dbname: str) -> None:
        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )
        if dbname in self.created:
            self.created.remove(dbname)

    def drop_all(self) -> None:
        for dbname in list(reversed(self.created)):
            self.drop(dbname)


def database_prefix(server: Server) -> str:
    """A name unique to this pytest worker and session, under the run's own database name
    (so helpers using different DATABASE_URLs never collide)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{server.config['NAME']}_fault_{worker}_{secrets.token_hex(3)}"[:50]


def make_template(
    server: Server, dbname: str, tmp_path: Path, *, migrated: str | None = None
) -> str:
    """Create ``dbname`` and bring it to where a deployment starts: migrated, cache table
    made, schedules synced. Each test's database is a copy of it. Given ``migrated`` (a
    database just migrated and not yet used, see ``copy_migrated``), it starts as a copy of
    that, so `migrate` finds nothing to do: migrating takes a pytest worker far longer."""
    server.create(dbname, template=migrated)
    env = base_env(server.url_for(dbname), tmp_path)
    for args in (["createcachetable"], ["migrate", "--noinput"], ["sync_schedules"]):
        result = _run_manage(args, env=env, timeout=MIGRATE_TIMEOUT)
        assert result.returncode == 0, result.stdout + result.stderr
    return dbname


def copy_migrated(server: Server, connection) -> str:
    """Copy the database behind Django ``connection`` (the pytest worker's test database,
    just migrated, before any test has used it) to a new database, and return its name.
    A test that commits, then flushes, loses what the data migrations made, so the copy
    must be made before the first test. Closes ``connection``: PostgreSQL copies only a
    database nobody is connected to."""
    source = connection.settings_dict["NAME"]
    copy = f"{source}_migrated"[:63]
    connection.close()
    server.drop(copy)  # left over from a run that was killed
    return server.create(copy, template=source)


def base_env(database_url: str, tmp_path: Path) -> dict:
    return manage_env(
        **FAULT_ENV,
        DATABASE_URL=database_url,
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        TEST_FILE_STORAGE_ROOT=str(tmp_path / "files"),
    )


def _run_manage(args, *, env: dict, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        manage_python(*args),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


_TASKS_SNIPPET = """
import json
from django_q.models import OrmQ, Task
rows = {
    t.id: {"id": t.id, "name": t.name, "group": t.group, "state": "done" if t.success else "failed"}
    for t in Task.objects.all()
}
for queued in OrmQ.objects.all():
    task = queued.task
    rows.setdefault(
        task["id"],
        {"id": task["id"], "name": task.get("name"), "group": task.get("group"), "state": "queued"},
    )
print(json.dumps(list(rows.values())))
"""


class Process:
    """A long-running manage.py (or gunicorn) process in a process group of its own, its
    output kept in a file (a pipe nobody reads would block it)."""

    def __init__(self, name: str, command: list[str], *, env: dict, log_path: Path):
        self.name = name
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.popen = subprocess.Popen(  # noqa: S603
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def pgid(self) -> int:
        """The process group: this process and everything it forked (qcluster's workers)."""
        return self.popen.pid

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def send_signal(self, signum: int = signal.SIGTERM) -> None:
        """Signal this process only, as a process manager or Ctrl-C would."""
        self.popen.send_signal(signum)

    def wait(self, bound: float) -> int:
        """Wait at most ``bound`` seconds for it to exit; fail the test if it does not."""
        try:
            return self.popen.wait(timeout=bound)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"{self.name} was still running after {bound} s. Output:\n{self.output()}"
            ) from None

    def kill(self) -> None:
        """Kill the whole process tree, now: its group, and the groups of its descendants
        (``worker`` starts qcluster in a group of its own)."""
        groups = {self.pgid}
        waiting = [self.pid]
        while waiting:
            for child in child_pids(waiting.pop()):
                waiting.append(child)
                with contextlib.suppress(ProcessLookupError):
                    groups.add(os.getpgid(child))
        for group in groups - {os.getpgrp()}:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        self.popen.wait()

    def __repr__(self) -> str:
        return f"<Process {self.name} pid={self.pid} returncode={self.returncode}>"


class Site:
    """One throwaway database and everything a test runs against it."""

    def __init__(self, server: Server, dbname: str, tmp_path: Path):
        self.server = server
        self.dbname = dbname
        self.tmp_path = tmp_path
        self.database_url = server.url_for(dbname)
        self.env = base_env(self.database_url, tmp_path)
        self.mail_dir = Path(self.env["EMAIL_FILE_PATH"])
        self.processes: list[Process] = []

    # --- one-off commands ---------------------------------------------------------------

    def manage(self, *args: str, timeout: float = MANAGE_TIMEOUT, **env: str) -> str:
        """Run a manage.py command to completion; fail the test if it fails."""
        result = _run_manage(args, env={**self.env, **env}, timeout=timeout)
        assert result.returncode == 0, (
            f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
        )
        return result.stdout

    def shell(self, code: str, **env: str) -> str:
        """Run Python in the site (``manage.py shell -c``), e.g. to queue mail or a task."""
        return self.manage("shell", "--no-imports", "-c", code, **env)

    def query(self, statement: str, params=()) -> list[tuple]:
        with self.server.connect(self.dbname) as conn:
            return conn.execute(statement, params).fetchall()

    def value(self, statement: str, params=()):
        """The single value a query returns (None when it returns no row)."""
        rows = self.query(statement, params)
        return rows[0][0] if rows else None

    def execute(self, statement: str, params=()) -> None:
        with self.server.connect(self.dbname) as conn:
            conn.execute(statement, params)

    def postpone_schedules(self) -> None:
        """Make no scheduled task due for a day (each copy of the template starts with all of
        them due), for a test that counts the tasks in the queue."""
        self.execute("update django_q_schedule set next_run = now() + interval '1 day'")

    def tasks(self) -> list[dict]:
        """Every django-q2 task the site knows of, once each: finished ("done"/"failed",
        from the results table) or still in the queue ("queued", unpacked from its signed
        payload). A failed task waiting to be handed out again is listed once, as failed."""
        return json.loads(self.shell(_TASKS_SNIPPET).strip().splitlines()[-1])

    # --- long-running processes -----------------------------------------------------------

    def start(self, *args: str, name: str | None = None, command=None, **env: str) -> Process:
        """Start ``manage.py *args`` (or ``command``) with the site's environment plus
        ``env``; it is killed with its process group when the test ends."""
        command = command or manage_python(*args)
        name = name or " ".join(args) or command[0]
        log_path = self.tmp_path / f"{len(self.processes):02d}-{name.replace(' ', '-')}.log"
        process = Process(name, command, env={**self.env, **env}, log_path=log_path)
        self.processes.append(process)
        return process

    def start_worker(self, name: str = "worker", **env: str) -> Process:
        return self.start("worker", name=name, **env)

    def start_web(self, name: str = "gunicorn", workers: int = 2, **env: str):
        """Serve the site with gunicorn on a free port; returns (process, base URL) once
        it answers."""
        port = free_port()
        command = [
            str(Path(manage_python()[0]).with_name("gunicorn")),
            "cms.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "30",
        ]
        process = self.start(name=name, command=command, **env)
        base_url = f"http://127.0.0.1:{port}"
        wait_for(
            lambda: http_status(base_url + "/robots.txt", timeout=2) == 200,
            60,
            lambda: f"{name} did not answer. Output:\n{process.output()}",
        )
        return process, base_url

    def stop_all(self) -> None:
        for process in self.processes:
            process.kill()

    def outputs(self) -> str:
        """Every process's output, for a failing assertion's message."""
        return "\n".join(f"--- {p.name}\n{p.output()}" for p in self.processes)

    # --- what people receive --------------------------------------------------------------

    def emails(self) -> list[email.message.Message]:
        """Every message delivered so far (Django's file backend: one file per connection,
        messages separated by a line of 79 dashes)."""
        messages = []
        if not self.mail_dir.exists():
            return messages
        for path in sorted(self.mail_dir.iterdir()):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk))
        return messages

    def subjects(self) -> list[str]:
        return [str(message["Subject"]) for message in self.emails()]


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server on 127.0.0.1. ``cut()`` closes the listening
    socket and every connection through it, so clients see the server vanish (refused, reset)
    while the real server runs on; ``restore()`` listens again on the same port."""

    def __init__(self, target_port: int, *, target_host: str = "127.0.0.1"):
        if target_host not in ("127.0.0.1", "localhost"):
            raise ValueError("The fault tests only ever talk to 127.0.0.1.")
        self.target = (target_host, target_port)
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []

    def __enter__(self):
        self.restore()
        return self

    def __exit__(self, *exc):
        self.cut()
        for thread in self._threads:
            thread.join(timeout=5)

    def restore(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        listener.settimeout(0.2)
        self._listener = listener
        thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def cut(self) -> int:
        """Stop listening and break every open connection; returns how many there were."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        # Two sockets (client and server side) per connection.
        return len(sockets) // 2

    def _accept(self, listener: socket.socket) -> None:
        # Ends when cut() closes the listener.
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # cut() came in between
                    client.close()
                    upstream.close()
                    return
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        """Copy bytes one way until either side closes (or the proxy is cut)."""
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        with self._lock:
            self._sockets.difference_update((source, sink))
        source.close()
        sink.close()
