"""Run the benchmarks: a fresh bench site served by gunicorn, measured from this process.

Steps: make a fresh SQLite database under ``var/bench/`` with production settings, migrate,
collect static files and generate the partnership; count SQL queries per page in this
process with Django's test client; start gunicorn on a free loopback port; request each
scenario for a few seconds from a pool of threads, anonymously and as the demo people it
names (the member, the peer worker); stop gunicorn, also on Ctrl-C; then make each
background report kind a few times (``reports.py``); print the tables and write
``var/bench/results.json``.

Only 127.0.0.1 is ever requested, and every loop is bounded by time and by a request count.
"""

import argparse
import contextlib
import ctypes
import itertools
import json
import logging
import math
import os
import platform
import resource
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .goals import check_goals, percent_of, static_yardstick
from .scenarios import ANONYMOUS, Scenario

BASE_DIR = Path(__file__).resolve().parents[2]
# Several people may bench one checkout at once: BENCH_DIR gives each run its own place.
BENCH_DIR = Path(os.environ.get("BENCH_DIR") or BASE_DIR / "var" / "bench").resolve()
DATABASE_PATH = BENCH_DIR / "bench.sqlite3"
RESULTS_PATH = BENCH_DIR / "results.json"
GUNICORN_LOG_PATH = BENCH_DIR / "gunicorn.log"

HOST = "127.0.0.1"
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 2
STARTUP_TIMEOUT = 30  # seconds for gunicorn to answer
STOP_GRACE = 10  # seconds for gunicorn to finish its requests before it is killed
REQUEST_TIMEOUT = 10  # seconds for one request
WARM_UP_SECONDS = 2
# The yardstick: a static file served by whitenoise in the same gunicorn (goals.py).
STATIC_FILE = "cms/css/site.css"
STATIC_SCENARIO = "static-file"


def bench_environment(database: str | None = None) -> dict[str, str]:
    """The settings of the bench site, shared by this process and gunicorn."""
    return {
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        # A fresh key each run: the bench site's sessions are worthless outside it.
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database or f"sqlite:///{DATABASE_PATH}",
        "ALLOWED_HOSTS": f"{HOST},localhost",
        # Production refuses to start without an https address; the bench is served over
        # plain http on loopback, so nothing is redirected to it.
        "SITE_URL": f"https://{HOST}",
        "SECURE_SSL_REDIRECT": "false",
        "DEBUG": "false",
        "STATIC_ROOT": str(BENCH_DIR / "static"),
        "MEDIA_ROOT": str(BENCH_DIR / "media"),
        "PYTHONUNBUFFERED": "1",
    }


@dataclass
class Measurement:
    """The numbers for one scenario as one kind of user."""

    scenario: str
    user: str
    path: str
    requests: int = 0
    seconds: float = 0.0
    requests_per_second: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    errors: int = 0
    queries: int | None = None
    # Requests per second as a percentage of the static file's, served in the same run.
    percent_of_static: float | None = None
    statuses: dict[str, int] = field(default_factory=dict)
    # CPU used during the timed run, as a percentage of one core: by the load generator
    # (near 100 means it was the limit), by gunicorn (near 100 × cores means the server
    # was CPU-bound) and by everything else on the machine (high means noisy numbers).
    client_cpu_percent: float | None = None
    server_cpu_percent: float | None = None
    other_cpu_percent: float | None = None


# --- Setting up the bench site -------------------------------------------------------------


def prepare_site(*, scale: int, fresh: bool = True) -> dict:
    """A fresh database with the partnership at ``scale``; returns timings and counts.

    With ``fresh`` off (a database given by address) the database is migrated and topped up
    instead: the generators only add what is missing.
    """
    from django.core.management import call_command
    from django.db import connections

    from .generate import generate_partnership

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    connections.close_all()
    if fresh:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{DATABASE_PATH}{suffix}").unlink(missing_ok=True)

    timings = {}
    counts = {}
    # The cache table first: what runs after migrate (the Site's address) may use the cache.
    steps = [
        ("createcachetable", lambda: call_command("createcachetable", verbosity=0)),
        ("migrate", lambda: call_command("migrate", interactive=False, verbosity=0)),
        ("collectstatic", collect_static),
        ("generate", lambda: counts.update(generate_partnership(scale=scale))),
    ]
    for name, step in steps:
        print(f"  {name} …", end=" ", flush=True)
        started = time.perf_counter()
        step()
        timings[name] = round(time.perf_counter() - started, 2)
        print(f"{timings[name]:.1f} s", flush=True)
    connections.close_all()
    return {"timings_seconds": timings, "counts": counts}


def collect_static() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def count_queries(scenarios, paths, *, people) -> dict[tuple[str, str], tuple[int, int]]:
    """SQL queries and status of one warmed-up request per scenario and kind of user."""
    counted = {}
    # A failing page is reported in the table and in gunicorn's log; not here as well.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.CRITICAL)
    try:
        for scenario in scenarios:
            for user in scenario.users:
                counted[scenario.name, user] = _count_one(paths[scenario.name], people.get(user))
    finally:
        request_log.setLevel(level)
    return counted


def _count_one(path: str, person) -> tuple[int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST, raise_request_exception=False)
    if person is not None:
        client.force_login(person)
    # The first request fills per-process caches and the new session; count the next.
    client.get(path)
    # A visitor's page may now be a kept copy that costs no query: count the work of
    # making it, which is what grows with the data if anything does.
    forget_page_copies()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return len(queries), response.status_code


def static_file_path() -> str:
    """The address of the yardstick file, as pages link to it (hashed name included)."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    return staticfiles_storage.url(STATIC_FILE)


def load_average() -> list[float] | None:
    """The machine's 1, 5 and 15 minute load averages, where the system has them."""
    try:
        return [round(load, 2) for load in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def forget_page_copies() -> None:
    """Drop this process's copies of visitors' pages, and look at the shared generation now
    so the next request does not (where the site keeps copies: ``cms.page_cache``)."""
    try:
        from cms import page_cache
    except ImportError:
        return
    page_cache.copies.clear()
    page_cache.generation.current()


def member_session_cookie(member) -> str:
    """A signed-in session for ``member``, as a Cookie header the bench sends itself.

    Production cookies are Secure, so no HTTP client would send them over plain http.
    """
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    client.force_login(member)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


# --- gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def die_with_parent():
    """A pre-exec hook: if the bench is killed outright, the kernel stops gunicorn too.

    libc is loaded here in the parent; the hook itself only makes one system call.
    """
    if sys.platform != "linux":
        return None
    try:
        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGTERM)


class Gunicorn:
    """gunicorn serving the bench site on a free loopback port, stopped on leaving."""

    def __init__(self, environment: dict[str, str]):
        self.environment = environment
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = None

    @property
    def command(self) -> list[str]:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        program = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
        return [
            *program,
            "cms.wsgi",
            "--bind", f"{HOST}:{self.port}",
            "--workers", str(GUNICORN_WORKERS),
            "--threads", str(GUNICORN_THREADS),
            "--graceful-timeout", str(STOP_GRACE // 2),
            "--log-level", "warning",
            # gunicorn 27 otherwise opens a control socket in the home directory.
            "--no-control-socket",
        ]  # fmt: skip

    def __enter__(self):
        self.log = GUNICORN_LOG_PATH.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command
            self.command,
            cwd=BASE_DIR,
            env={**os.environ, **self.environment},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own process group: Ctrl-C reaches only the bench, which stops it in order.
            start_new_session=True,
            preexec_fn=die_with_parent(),  # safe: no threads exist yet
        )
        try:
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def _wait_until_answering(self) -> None:
        import httpx

        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped while starting:\n{self.log_tail()}")
            try:
                httpx.get(f"{self.base_url}/robots.txt", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {STARTUP_TIMEOUT} s:\n{self.log_tail()}")

    def stop(self) -> None:
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()  # gunicorn's graceful shutdown
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=STOP_GRACE)
        # Whatever is left of its process group (the master, or workers it left behind).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if self.log:
            self.log.close()

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = GUNICORN_LOG_PATH.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


# --- Load ----------------------------------------------------------------------------------


def percentile(sorted_values: list[float], percent: float) -> float | None:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(percent / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


# Numbers for --page-cache-miss addresses, never repeated within a run.
_miss_numbers = itertools.count(1)


def hammer(
    base_url: str,
    path: str,
    *,
    headers: dict[str, str],
    seconds: float,
    concurrency: int,
    max_requests: int,
    stop: threading.Event,
    unique: bool = False,
) -> tuple[list[float], Counter, float]:
    """Request ``path`` from ``concurrency`` threads until time or the count runs out.

    Returns each request's latency in seconds, the count per status (or error name), and
    the wall-clock time taken. With ``unique`` each request's address differs (a numbered
    ``bench-miss`` parameter), so no kept copy of a page can answer it.
    """
    # Imported here: the export's own process (``cms.bench.big``) loads this module for its
    # helpers, and its peak memory is measured.
    import httpx

    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    statuses: Counter = Counter()

    def worker() -> None:
        nonlocal issued
        with httpx.Client(
            base_url=base_url, headers=headers, timeout=REQUEST_TIMEOUT, follow_redirects=False
        ) as client:
            while not stop.is_set() and time.monotonic() < deadline:
                with lock:
                    if issued >= max_requests:
                        return
                    issued += 1
                    number = next(_miss_numbers)
                address = (
                    f"{path}{'&' if '?' in path else '?'}bench-miss={number}" if unique else path
                )
                started = time.perf_counter()
                try:
                    outcome = str(client.get(address).status_code)
                except httpx.HTTPError as error:
                    outcome = type(error).__name__
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses[outcome] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="bench") as pool:
        try:
            for future in [pool.submit(worker) for _ in range(concurrency)]:
                future.result()
        except BaseException:
            stop.set()  # Ctrl-C: let the threads finish their request and leave
            raise
    return latencies, statuses, time.monotonic() - started


def is_error(outcome: str) -> bool:
    return not (outcome.isdigit() and 200 <= int(outcome) < 400)


def measure(
    server: Gunicorn, scenario, user: str, *, path, headers, args, stop, unique=False
) -> Measurement:
    # Warm each gunicorn worker (templates, caches, connections) before the clock starts.
    hammer(
        server.base_url,
        path,
        headers=headers,
        seconds=WARM_UP_SECONDS,
        concurrency=args.concurrency,
        max_requests=2 * GUNICORN_WORKERS * GUNICORN_THREADS,
        stop=stop,
        unique=unique,
    )
    before = cpu_seconds(server.process.pid)
    latencies, statuses, wall = hammer(
        server.base_url,
        path,
        headers=headers,
        seconds=args.seconds,
        concurrency=args.concurrency,
        max_requests=args.max_requests,
        stop=stop,
        unique=unique,
    )
    after = cpu_seconds(server.process.pid)
    client, server_cpu, other = (
        None if a is None or b is None else round(100 * max(0.0, b - a) / wall)
        for a, b in zip(before, after, strict=True)
    )
    latencies.sort()
    count = len(latencies)
    return Measurement(
        scenario=scenario.name,
        user=user,
        path=path,
        requests=count,
        seconds=round(wall, 2),
        requests_per_second=round(count / wall, 1) if wall else 0.0,
        p50_ms=_ms(percentile(latencies, 50)),
        p95_ms=_ms(percentile(latencies, 95)),
        errors=sum(n for outcome, n in statuses.items() if is_error(outcome)),
        statuses=dict(sorted(statuses.items())),
        client_cpu_percent=client,
        server_cpu_percent=server_cpu,
        other_cpu_percent=other,
    )


def cpu_seconds(server_pid: int) -> tuple[float, float | None, float | None]:
    """CPU seconds used so far by this process, by gunicorn, and by everything else.

    gunicorn's and the machine's come from /proc, so they are None where there is none.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    own = usage.ru_utime + usage.ru_stime
    try:
        tick = os.sysconf("SC_CLK_TCK")
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
        # Everything but idle and waiting for I/O.
        machine = (sum(fields[:8]) - fields[3] - fields[4]) / tick
        server = 0.0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue  # gone since the listing
            # Fields after the command name: state, ppid, …, utime (12th), stime (13th).
            after_name = text.rsplit(")", 1)[1].split()
            if int(entry.name) == server_pid or int(after_name[1]) == server_pid:
                server += (int(after_name[11]) + int(after_name[12])) / tick
    except (OSError, ValueError, IndexError):
        return own, None, None
    return own, server, machine - server - own


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


# --- Reporting -----------------------------------------------------------------------------

COLUMNS = [
    ("scenario", "scenario", "<"),
    ("user", "user", "<"),
    ("requests", "requests", ">"),
    ("req/s", "requests_per_second", ">"),
    ("% static", "percent_of_static", ">"),
    ("p50 ms", "p50_ms", ">"),
    ("p95 ms", "p95_ms", ">"),
    ("errors", "errors", ">"),
    ("SQL/page", "queries", ">"),
]


def format_table(measurements: list, columns=COLUMNS) -> str:
    """One row per measurement (a dataclass), one column per (heading, field, alignment)."""
    rows = [[name for name, _, _ in columns]]
    for measurement in measurements:
        values = asdict(measurement)
        rows.append(["-" if values[key] is None else str(values[key]) for _, key, _ in columns])
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    lines = []
    for number, row in enumerate(rows):
        cells = [
            f"{cell:{align}{width}}"
            for cell, width, (_, _, align) in zip(row, widths, columns, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def write_results(report: dict) -> None:
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(report, indent=2, default=str) + "\n")


def software_versions() -> dict[str, str]:
    import django
    import wagtail

    versions = {
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
    }
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        versions["commit"] = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    return versions


# --- Entry point ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m cms.bench",
        description="Measure requests per second, latency and SQL queries per page.",
    )
    parser.add_argument("--scale", type=int, default=1, help="partnership size N (default 1)")
    parser.add_argument(
        "--seconds", type=float, default=5, help="seconds per scenario and user (default 5)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=4, help="requests in flight at once (default 4)"
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=5000,
        help="most requests per scenario and user (default 5000)",
    )
    parser.add_argument(
        "--scenario",
        action="extend",
        nargs="+",
        metavar="NAME",
        help="measure only these scenarios (default: all)",
    )
    parser.add_argument(
        "--report-runs",
        type=int,
        default=3,
        help="times to make each background report, 0 for none (default 3)",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="bench this database (e.g. postgres://…/lep_bench) instead of a fresh SQLite "
        "file: it is migrated and topped up, never emptied",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="reuse the SQLite database already in BENCH_DIR (migrated and topped up, not "
        "made afresh): generate ten times the data once, then measure it again and again",
    )
    parser.add_argument(
        "--page-cache-miss",
        action="store_true",
        help="give each visitor's request its own address, so no kept copy of a page "
        "answers it: the pages' rate without the page cache",
    )
    parser.add_argument(
        "--query-growth",
        type=int,
        metavar="SCALE",
        help="only count each page's SQL queries at --scale and again at this larger scale, "
        "and flag any page whose count grew (no server, no reports)",
    )
    parser.add_argument(
        "--big",
        action="store_true",
        help="ten times the data: a million session logs, 200,000 feedback items and 20,000 "
        "offers; then time the staff dashboards and stream the largest export (no server)",
    )
    parser.add_argument(
        "--runs", type=int, default=20, help="times to request each dashboard with --big"
    )
    parser.add_argument("--list", action="store_true", help="list the scenarios and stop")
    args = parser.parse_args(argv)
    if not 0 <= args.report_runs <= 20:
        parser.error("--report-runs must be from 0 to 20.")
    if args.scale < 1 or args.concurrency < 1 or args.max_requests < 1:
        parser.error("--scale, --concurrency and --max-requests must be 1 or more.")
    if args.query_growth is not None and args.query_growth <= args.scale:
        parser.error("--query-growth must be a larger scale than --scale.")
    if not 1 <= args.runs <= 200:
        parser.error("--runs must be from 1 to 200.")
    if args.database and not args.database.startswith(("postgres://", "postgresql://")):
        parser.error("--database must be a postgres:// address.")
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be more than 0 and at most 600.")
    return args


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    environment = bench_environment(args.database)
    os.environ.update(environment)
    import django

    django.setup()

    from .reports import format_reports, measure_reports
    from .scenarios import scenarios as registered

    try:
        chosen = registered(args.scenario)
    except KeyError as error:
        print(error.args[0], file=sys.stderr)
        return 2
    if args.list:
        for scenario in chosen:
            path = scenario.path if isinstance(scenario.path, str) else "(from the bench data)"
            print(f"{scenario.name:<16} {path:<24} {', '.join(scenario.users)}")
        return 0

    signal.signal(signal.SIGTERM, _interrupt)
    notes: list[str] = []
    measurements: list[Measurement] = []
    report_measurements = []
    report = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {
            "scale": args.scale,
            "seconds": args.seconds,
            "concurrency": args.concurrency,
            "max_requests": args.max_requests,
            "report_runs": args.report_runs,
            "page_cache_miss": args.page_cache_miss,
            "gunicorn": f"{GUNICORN_WORKERS} workers × {GUNICORN_THREADS} threads",
            "cpus": os.cpu_count(),
        },
        "software": software_versions(),
    }
    report["load_average"] = {"cpus": os.cpu_count(), "before": None, "after": None}
    static_runs: list[Measurement] = []
    stop = threading.Event()
    interrupted = False
    try:
        print(
            f"Preparing the bench site at scale {args.scale} in "
            f"{_database_name(args.database) if args.database else DATABASE_PATH} …"
        )
        report["setup"] = prepare_site(scale=args.scale, fresh=not (args.database or args.keep))
        counts = report["setup"]["counts"]
        print("  " + ", ".join(f"{count['total']} {name}" for name, count in counts.items()))

        from cms.models import User

        # Paths that depend on generated rows are found once, now that the rows exist.
        paths = {scenario.name: scenario.resolve_path() for scenario in chosen}
        from .scenarios import USER_EMAILS

        kinds = {user for scenario in chosen for user in scenario.users} & set(USER_EMAILS)
        people = {kind: User.objects.get(email=USER_EMAILS[kind]) for kind in kinds}
        print("Counting SQL queries per page …")
        queries = count_queries(chosen, paths, people=people)
        if args.query_growth:
            return check_query_growth(args, chosen, people, queries, report)
        if args.big:
            return run_big(args, report)
        headers_for = {"anonymous": {}}
        headers_for.update(
            {kind: {"Cookie": member_session_cookie(person)} for kind, person in people.items()}
        )
        static_path = static_file_path()
        from django.db import connections

        connections.close_all()

        with Gunicorn(environment) as server:
            print(
                f"Serving on {server.base_url} ({GUNICORN_WORKERS} workers × "
                f"{GUNICORN_THREADS} threads); {args.concurrency} clients, "
                f"{args.seconds:g} s per scenario and user …"
            )
            report["load_average"]["before"] = load_average()
            yardstick = Scenario(STATIC_SCENARIO, static_path, (ANONYMOUS,))
            static_runs.append(
                measure(
                    server, yardstick, ANONYMOUS, path=static_path, headers={}, args=args, stop=stop
                )  # fmt: skip
            )
            print(f"  {static_path}: {static_runs[0].requests_per_second} req/s", flush=True)
            for scenario in chosen:
                for user in scenario.users:
                    measurement = measure(
                        server,
                        scenario,
                        user,
                        path=paths[scenario.name],
                        headers=headers_for[user],
                        args=args,
                        stop=stop,
                        unique=args.page_cache_miss and user == ANONYMOUS,
                    )
                    measurement.queries, in_process_status = queries[scenario.name, user]
                    measurements.append(measurement)
                    print(
                        f"  {scenario.name} as {user}: {measurement.requests_per_second} req/s",
                        flush=True,
                    )
                    _check(scenario, user, measurement, in_process_status, notes)
            static_runs.append(
                measure(
                    server, yardstick, ANONYMOUS, path=static_path, headers={}, args=args, stop=stop
                )  # fmt: skip
            )
            print(f"  {static_path} again: {static_runs[1].requests_per_second} req/s")
            report["load_average"]["after"] = load_average()
            if any(m.errors for m in measurements):
                notes.append(f"Errors were answered; gunicorn's log ends:\n{server.log_tail()}")
        if args.report_runs:
            # After gunicorn has stopped, so the reports have the machine to themselves.
            print(f"Making each background report {args.report_runs} times …")
            report_measurements = measure_reports(runs=args.report_runs, notes=notes)
    except KeyboardInterrupt:
        interrupted = True
        stop.set()
        notes.append("Interrupted: the results are partial.")
        print("\nInterrupted; gunicorn is stopped.", file=sys.stderr)
    finally:
        stop.set()

    noisy = [m for m in measurements if (m.other_cpu_percent or 0) >= 25]
    if noisy:
        notes.append(
            "Other processes on this machine used CPU during "
            f"{', '.join(f'{m.scenario}/{m.user} ({m.other_cpu_percent}%)' for m in noisy)}: "
            "those numbers are noisy; run again on a quiet machine to compare."
        )
    busy = [m for m in measurements if (m.client_cpu_percent or 0) >= 80]
    if busy:
        notes.append(
            "The load generator used most of a core in "
            f"{', '.join(f'{m.scenario}/{m.user}' for m in busy)}: on a small machine it "
            "competes with gunicorn, so those rates are a floor, not the server's limit."
        )
    static_rate = static_yardstick(*(m.requests_per_second for m in static_runs))
    for measurement in measurements:
        measurement.percent_of_static = percent_of(measurement.requests_per_second, static_rate)
    goals = check_goals(measurements) if measurements else []
    report["static_file"] = {
        "runs": [asdict(m) for m in static_runs],
        "requests_per_second": static_rate,
    }
    report["goals"] = [asdict(goal) for goal in goals]
    report["results"] = [asdict(m) for m in measurements]
    report["reports"] = [asdict(m) for m in report_measurements]
    report["notes"] = notes
    write_results(report)
    print()
    print(format_table(measurements))
    if static_runs:
        print(
            f"\n% static: each page's req/s as a percentage of {static_rate} req/s, the mean of "
            f"{' and '.join(str(m.requests_per_second) for m in static_runs)} req/s for the "
            f"static file {static_runs[0].path} before and after the pages."
        )
    print(f"Load average (1, 5, 15 min) on {os.cpu_count()} CPUs: {_loads(report)}")
    if goals:
        print()
        for goal in goals:
            print(goal.line())
    if report_measurements:
        print()
        print(format_reports(report_measurements))
    for note in notes:
        print(f"\nNote: {note}")
    print(f"\nResults written to {_shown(RESULTS_PATH)}")
    return 130 if interrupted else 0


def _loads(report: dict) -> str:
    loads = report["load_average"]
    return f"before {loads['before'] or '-'}, after {loads['after'] or '-'}"


def _shown(path: Path) -> str:
    return str(path.relative_to(BASE_DIR)) if path.is_relative_to(BASE_DIR) else str(path)


def _check(scenario, user: str, measurement: Measurement, in_process_status: int, notes) -> None:
    """Say when a page did not answer as a working page should: the numbers would mislead."""
    expected = str(scenario.expected_status)
    others = {status: n for status, n in measurement.statuses.items() if status != expected}
    if others or in_process_status != scenario.expected_status:
        notes.append(
            f"{scenario.name} as {user} ({measurement.path}) expected {expected}, answered "
            f"{measurement.statuses} over HTTP and {in_process_status} in-process."
        )


def _database_name(url: str) -> str:
    """The database's name from its address, never its password."""
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


def check_query_growth(args, chosen, people, queries, report) -> int:
    """Top the site up to the larger scale, count again, and flag pages whose count grew."""
    from .generate import generate_partnership
    from .goals import growth_goal, query_growth

    print(f"Growing the partnership to scale {args.query_growth} …", flush=True)
    started = time.perf_counter()
    counts = generate_partnership(scale=args.query_growth)
    print(f"  {time.perf_counter() - started:.1f} s", flush=True)
    paths = {scenario.name: scenario.resolve_path() for scenario in chosen}
    larger = count_queries(chosen, paths, people=people)
    growth = query_growth(
        {key: count for key, (count, _) in queries.items()},
        {key: count for key, (count, _) in larger.items()},
    )
    goal = growth_goal(growth, scales=(args.scale, args.query_growth))
    report["counts_at_larger_scale"] = counts
    report["query_growth"] = [{**asdict(g), "grew": g.grew} for g in growth]
    report["goals"] = [asdict(goal)]
    write_results(report)
    print()
    print(
        format_table(
            growth,
            columns=[
                ("scenario", "scenario", "<"),
                ("user", "user", "<"),
                (f"SQL at {args.scale}", "smaller", ">"),
                (f"SQL at {args.query_growth}", "larger", ">"),
            ],
        )
    )
    print()
    print(goal.line())
    print(f"\nResults written to {_shown(RESULTS_PATH)}")
    return 0


def run_big(args, report) -> int:
    """Ten times the data, then the dashboards and exports at that size (``big.py``)."""
    from django.db import connection

    from .big import (
        BigResults,
        big_goals,
        format_big,
        generate_big,
        measure_exports,
        time_dashboards,
    )

    report["database"] = connection.vendor
    report["load_average"]["before"] = load_average()
    results = BigResults()
    interrupted = False
    try:
        print("Growing to ten times the data …", flush=True)
        started = time.perf_counter()
        results.counts = generate_big()
        report["big_generate_seconds"] = round(time.perf_counter() - started, 1)
        print("  " + ", ".join(f"{c['total']} {name}" for name, c in results.counts.items()))
        print(f"Timing each dashboard {args.runs} times in-process ({connection.vendor}) …")
        time_dashboards(runs=args.runs, into=results.dashboards)
        print("Streaming each export to its end in a fresh process …")
        measure_exports(into=results.exports)
    except KeyboardInterrupt:
        # What was measured before the interruption is still worth printing.
        interrupted = True
        report["notes"] = ["Interrupted: the results are partial."]
    report["load_average"]["after"] = load_average()
    goals = big_goals(results)
    report["big"] = asdict(results)
    report["goals"] = [asdict(goal) for goal in goals]
    write_results(report)
    print()
    print(format_big(results))
    print(f"Load average (1, 5, 15 min) on {os.cpu_count()} CPUs: {_loads(report)}")
    print()
    for goal in goals:
        print(goal.line())
    print(f"\nResults written to {_shown(RESULTS_PATH)}")
    return 130 if interrupted else 0
