"""Ten times the data (issue 19): the partnership topped up to a million session logs,
200,000 feedback items and 20,000 offers, then the staff dashboards timed and the largest
CSV export streamed at that size.

``python -m cms.bench --big`` (or ``make bench BENCH_ARGS=--big``) runs it, on the bench's
own SQLite database or, with ``--database postgres://…``, on PostgreSQL. Apps take part
from their own ``bench.py`` without the shell importing them:

- ``register_big_generator(generator)``: ``generator()`` tops its rows up to the big size
  and returns its counts, as the ordinary generators do;
- ``register_dashboard(name, path, user_email)``: a page requested ``runs`` times in this
  process with Django's test client, signed in as that person, for its p50 and p95;
- ``register_export(name, path, user_email)``: a CSV download streamed to its end in a
  fresh process that holds the site and nothing of the bench's (``python -m cms.bench.big
  NAME`` measures one), for its seconds, rows and the peak resident memory of that process.

``path`` and ``user_email`` may be callables, called once the data exists. A dashboard is
timed in-process, not over HTTP, so the numbers are the page's own work, not gunicorn's.
"""

import argparse
import gc
import json
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db import transaction

from .goals import Goal
from .reports import peak_rss_mb
from .runner import BASE_DIR, HOST, format_table, percentile

DASHBOARD_P95_GOAL_MS = 200
EXPORT_SECONDS_GOAL = 60
EXPORT_MEMORY_GOAL_MB = 150
EXPORT_ROWS_GOAL = 1_000_000
# The longest an export's process may take before it is stopped and reported as such.
EXPORT_TIMEOUT = 600

Text = str | Callable[[], str]

_generators: list[Callable[[], dict | None]] = []


@dataclass(frozen=True)
class Page:
    """A dashboard or export: where it is and who asks for it."""

    name: str
    path: Text
    user_email: Text

    def resolve(self) -> tuple[str, str]:
        def value(text: Text) -> str:
            return text() if callable(text) else text

        return value(self.path), value(self.user_email)


_dashboards: dict[str, Page] = {}
_exports: dict[str, Page] = {}


def register_big_generator(generator: Callable[[], dict | None]) -> Callable:
    if generator not in _generators:
        _generators.append(generator)
    return generator


def register_dashboard(name: str, path: Text, user_email: Text) -> Page:
    _dashboards[name] = Page(name, path, user_email)
    return _dashboards[name]


def register_export(name: str, path: Text, user_email: Text) -> Page:
    _exports[name] = Page(name, path, user_email)
    return _exports[name]


@dataclass
class DashboardMeasurement:
    name: str
    user: str
    path: str = ""
    runs: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    max_ms: float | None = None
    queries: int | None = None
    status: int | None = None
    error: str = ""


@dataclass
class ExportMeasurement:
    name: str
    user: str = ""
    path: str = ""
    status: int | None = None
    rows: int | None = None
    size_mb: float | None = None
    first_byte_s: float | None = None
    seconds: float | None = None
    rows_per_second: int | None = None
    baseline_rss_mb: float | None = None  # the site loaded, URLs and all, before the request
    peak_rss_mb: float | None = None
    added_rss_mb: float | None = None  # the peak less the start: what the export itself held
    error: str = ""


DASHBOARD_COLUMNS = [
    ("dashboard", "name", "<"),
    ("user", "user", "<"),
    ("runs", "runs", ">"),
    ("p50 ms", "p50_ms", ">"),
    ("p95 ms", "p95_ms", ">"),
    ("max ms", "max_ms", ">"),
    ("SQL", "queries", ">"),
    ("status", "status", ">"),
]
EXPORT_COLUMNS = [
    ("export", "name", "<"),
    ("rows", "rows", ">"),
    ("MB", "size_mb", ">"),
    ("first byte s", "first_byte_s", ">"),
    ("s", "seconds", ">"),
    ("rows/s", "rows_per_second", ">"),
    ("start MB", "baseline_rss_mb", ">"),
    ("peak MB", "peak_rss_mb", ">"),
    ("added MB", "added_rss_mb", ">"),
    ("status", "status", ">"),
]


# --- Generating ------------------------------------------------------------------------------


def generate_big() -> dict[str, dict[str, int]]:
    """Every app's big top-up, each in its own transaction, timed."""
    from .generate import refresh_planner_statistics
    from .scenarios import discover

    discover()
    counts = {}
    for generator in _generators:
        started = time.perf_counter()
        with transaction.atomic():
            found = generator() or {}
        seconds = round(time.perf_counter() - started, 1)
        print(f"  {generator.__module__}: {seconds} s", flush=True)
        counts.update(found)
    refresh_planner_statistics()
    return counts


# --- Dashboards --------------------------------------------------------------------------------


def _signed_in_client(email: str):
    from django.test import Client

    from cms.models import User

    client = Client(HTTP_HOST=HOST, raise_request_exception=False)
    client.force_login(User.objects.get(email=email))
    return client


def time_dashboard(page: Page, *, runs: int) -> DashboardMeasurement:
    """``page`` requested twice to warm up, once counting queries, then ``runs`` times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path, email = page.resolve()
    measurement = DashboardMeasurement(page.name, email, path)
    client = _signed_in_client(email)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    measurement.queries = len(queries)
    measurement.status = response.status_code
    if response.status_code != 200:
        measurement.error = f"answered {response.status_code}, not 200"
        return measurement
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    measurement.runs = runs
    measurement.p50_ms = round(1000 * percentile(seconds, 50), 1)
    measurement.p95_ms = round(1000 * percentile(seconds, 95), 1)
    measurement.max_ms = round(1000 * seconds[-1], 1)
    return measurement


def time_dashboards(*, runs: int, into: list | None = None) -> list[DashboardMeasurement]:
    """Time every dashboard, adding each to ``into`` as it is done (kept if interrupted)."""
    from .scenarios import discover

    discover()
    # As every web process does once loaded (cms/wsgi.py): what is loaded so far is left
    # out of the garbage collector's full passes.
    gc.collect()
    gc.freeze()
    measurements = [] if into is None else into
    for page in _dashboards.values():
        try:
            measurement = time_dashboard(page, runs=runs)
        except Exception as error:  # reported in the table; the bench goes on
            traceback.print_exc()
            measurement = DashboardMeasurement(page.name, "", error=f"{type(error).__name__}")
        print(f"  {page.name}: p95 {measurement.p95_ms} ms", flush=True)
        measurements.append(measurement)
    return measurements


# --- Exports -----------------------------------------------------------------------------------


def stream_export(name: str, path: str, email: str) -> ExportMeasurement:
    """Download ``path`` as ``email`` to its end, counting rows and bytes, holding one piece
    at a time."""
    client = _signed_in_client(email)
    measurement = ExportMeasurement(name, email, path, baseline_rss_mb=peak_rss_mb())
    started = time.perf_counter()
    response = client.get(path)
    measurement.status = response.status_code
    if response.status_code != 200 or not response.streaming:
        measurement.error = f"answered {response.status_code}, streaming: {response.streaming}"
        return measurement
    size = lines = 0
    for piece in response.streaming_content:
        if not size:
            measurement.first_byte_s = round(time.perf_counter() - started, 2)
        size += len(piece)
        lines += piece.count(b"\n")
    response.close()
    seconds = time.perf_counter() - started
    measurement.seconds = round(seconds, 1)
    measurement.rows = max(0, lines - 1)  # the heading row
    measurement.size_mb = round(size / 1024 / 1024, 1)
    measurement.rows_per_second = round(measurement.rows / seconds) if seconds else None
    measurement.peak_rss_mb = peak_rss_mb()
    measurement.added_rss_mb = round(measurement.peak_rss_mb - measurement.baseline_rss_mb, 1)
    return measurement


def measure_exports(
    *, names: list[str] | None = None, into: list | None = None
) -> list[ExportMeasurement]:
    """Each export (or those ``names``) in a fresh process, so its peak memory is the
    export's own: the site is loaded there, but none of the bench's modules, whose
    generators and their factories a web process never holds."""
    from .scenarios import discover

    discover()
    measurements = [] if into is None else into
    for name in names or list(_exports):
        if name not in _exports:
            measurements.append(ExportMeasurement(name, error="No export of that name."))
            continue
        path, email = _exports[name].resolve()
        command = [sys.executable, "-m", "cms.bench.big", name, "--stream", path, email]
        try:
            finished = subprocess.run(  # noqa: S603 - our own fixed command
                command,
                cwd=BASE_DIR,
                capture_output=True,
                text=True,
                timeout=EXPORT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            measurements.append(
                ExportMeasurement(name, error=f"did not finish in {EXPORT_TIMEOUT} s")
            )
            continue
        lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
        if lines:
            measurement = ExportMeasurement(**json.loads(lines[-1]))
        else:
            log = "\n".join(finished.stderr.splitlines()[-15:])
            measurement = ExportMeasurement(name, error=f"the process stopped early:\n{log}")
        print(f"  {name}: {measurement.rows} rows in {measurement.seconds} s", flush=True)
        measurements.append(measurement)
    return measurements


def load_site() -> None:
    """Load the site as a web process has it once it has answered: the application, with
    what it loaded kept out of the collector's full passes (``cms/wsgi.py``), and the URLs."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    from django.urls import get_resolver

    import cms.wsgi  # noqa: F401 - sets Django up as gunicorn's workers do

    get_resolver().url_patterns  # noqa: B018 - loaded on a worker's first request


def stream_main(name: str, path: str, email: str) -> int:
    """The export's own process: the site, one download, one line of JSON."""
    load_site()
    try:
        measurement = stream_export(name, path, email)
    except Exception as error:  # reported beside the table; the traceback goes to stderr
        traceback.print_exc()
        measurement = ExportMeasurement(name, error=f"{type(error).__name__}: {error}")
    print(json.dumps(asdict(measurement)), flush=True)
    return 1 if measurement.error else 0


def child_main(argv: list[str] | None = None) -> int:
    """``python -m cms.bench.big NAME``: measure one registered export against the database
    the environment names, in a process of its own, and print its table row."""
    parser = argparse.ArgumentParser(prog="python -m cms.bench.big")
    parser.add_argument("name")
    parser.add_argument(
        "--stream",
        nargs=2,
        metavar=("PATH", "EMAIL"),
        help="be the export's own process: download PATH as EMAIL (used by the bench)",
    )
    args = parser.parse_args(argv)
    if args.stream:
        return stream_main(args.name, *args.stream)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    import django

    django.setup()
    measurements = measure_exports(names=[args.name])
    print(format_table(measurements, columns=EXPORT_COLUMNS))
    for measurement in measurements:
        if measurement.error:
            print(f"  {measurement.name}: {measurement.error}")
    return 1 if any(measurement.error for measurement in measurements) else 0


# --- Goals and the tables --------------------------------------------------------------------


@dataclass
class BigResults:
    counts: dict = field(default_factory=dict)
    dashboards: list[DashboardMeasurement] = field(default_factory=list)
    exports: list[ExportMeasurement] = field(default_factory=list)


def big_goals(results: BigResults) -> list[Goal]:
    slow = [
        f"{d.name} {d.p95_ms if d.p95_ms is not None else d.error}"
        for d in results.dashboards
        if d.p95_ms is None or d.p95_ms >= DASHBOARD_P95_GOAL_MS
    ]
    missed = []
    for export in results.exports:
        if export.error or export.seconds is None:
            missed.append(f"{export.name} {export.error}")
            continue
        if export.rows < EXPORT_ROWS_GOAL:
            missed.append(f"{export.name} only {export.rows} rows")
        if export.seconds >= EXPORT_SECONDS_GOAL:
            missed.append(f"{export.name} {export.seconds} s")
        if export.peak_rss_mb >= EXPORT_MEMORY_GOAL_MB:
            missed.append(
                f"{export.name} {export.peak_rss_mb} MB (the site alone "
                f"{export.baseline_rss_mb} MB, the export added {export.added_rss_mb} MB)"
            )
    return [
        Goal(
            f"dashboards p95 under {DASHBOARD_P95_GOAL_MS} ms at ten times the data",
            bool(results.dashboards) and not slow,
            ", ".join(slow),
        ),
        Goal(
            f"CSV exports stream {EXPORT_ROWS_GOAL:,} rows in under {EXPORT_SECONDS_GOAL} s "
            f"and {EXPORT_MEMORY_GOAL_MB} MB resident",
            bool(results.exports) and not missed,
            ", ".join(missed),
        ),
    ]


def format_big(results: BigResults) -> str:
    lines = [format_table(results.dashboards, columns=DASHBOARD_COLUMNS)]
    lines += ["", format_table(results.exports, columns=EXPORT_COLUMNS)]
    for measurement in [*results.dashboards, *results.exports]:
        if measurement.error:
            lines.append(f"  {measurement.name}: {measurement.error}")
    return "\n".join(lines)


if __name__ == "__main__":
    # Run the imported module's entry point, so apps register into the one registry.
    from cms.bench.big import child_main as main

    raise SystemExit(main())
