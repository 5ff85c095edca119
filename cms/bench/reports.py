"""Background reports at scale, for the benchmarks: how long each registered report kind
takes to make from the bench partnership, how many SQL queries it runs and how much memory.

The task timeout (``Q_CLUSTER["timeout"]``) must be longer than the slowest report at the
benchmark scale, so ``make bench`` prints each kind's seconds beside that timeout.

Each kind is made in a fresh process (``python -m cms.bench.reports KIND``), as a task
worker makes it, so the peak resident memory it reports is that report's, not the bench's.
It calls the kind's ``generate`` directly with the parameters that make its largest report
from the bench data, several times: the first run also pays for what a worker loads once
(fonts, templates), so the slowest run is the one to compare with the timeout.

A kind says which parameters make its largest report with ``register(kind, params)``,
from its app's ``bench.py`` or below, for the kinds registered so far. A kind with none is
listed as not measured rather than skipped silently.
"""

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from .runner import BASE_DIR, format_table

# Seconds for a fresh process to start Django, on top of the runs themselves.
STARTUP_SECONDS = 120

Params = Callable[[], tuple[dict, str] | None]
_params: dict[str, Params] = {}


def register(kind: str, params: Params) -> Params:
    """Say how the bench makes ``kind``'s largest report: ``params()`` returns the report's
    parameters and words saying what they cover, or None when the bench data has nothing
    to report on."""
    _params[kind] = params
    return params


@dataclass
class ReportMeasurement:
    """One report kind, made ``runs`` times in one fresh process."""

    kind: str
    about: str = ""
    runs: int = 0
    min_seconds: float | None = None
    max_seconds: float | None = None
    # CPU time of the slowest run: well below its wall time means the machine was busy
    # or the report waited on the database.
    cpu_seconds: float | None = None
    queries: int | None = None
    progress_updates: int | None = None
    peak_rss_mb: float | None = None
    baseline_rss_mb: float | None = None  # before the first run: Django and the app loaded
    added_mb: float | None = None  # what making the reports added to that
    size_kb: float | None = None
    timeout_percent: str | None = None
    seconds: list[float] = field(default_factory=list)
    queries_per_run: list[int] = field(default_factory=list)
    error: str = ""


COLUMNS = [
    ("report", "kind", "<"),
    ("runs", "runs", ">"),
    ("min s", "min_seconds", ">"),
    ("max s", "max_seconds", ">"),
    ("CPU s", "cpu_seconds", ">"),
    ("SQL", "queries", ">"),
    ("peak MB", "peak_rss_mb", ">"),
    ("+MB", "added_mb", ">"),
    ("KB", "size_kb", ">"),
    ("of timeout", "timeout_percent", ">"),
]


# --- In the fresh process ------------------------------------------------------------------


def peak_rss_mb() -> float:
    """The most memory this process has held so far, in MB.

    Linux's ``ru_maxrss`` keeps the high-water mark of the process it was started from (a
    vfork-started child inherits the bench's), so the kernel's own figure for this program's
    memory, VmHWM, is read where there is one.
    """
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux counts KB, macOS bytes.
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def measure_kind(kind: str, *, runs: int) -> ReportMeasurement:
    """Make ``kind``'s largest report ``runs`` times in this process (Django set up)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cms import jobs

    from .scenarios import discover

    discover()
    measurement = ReportMeasurement(kind=kind)
    # cms.jobs offers no public list of its kinds, so the bench reads its registry.
    report_kind = jobs.report_kind(kind)
    if report_kind is None:
        measurement.error = "No report of this kind is registered."
        return measurement
    if kind not in _params:
        measurement.error = "No benchmark parameters are registered for this kind."
        return measurement
    found = _params[kind]()
    if found is None:
        measurement.error = "The bench data has nothing for this report to cover."
        return measurement
    params, measurement.about = found
    measurement.baseline_rss_mb = peak_rss_mb()
    cpu_of_slowest = 0.0
    updates: list[int] = []

    def progress(percent: int, message: str = "") -> None:
        updates.append(percent)

    for _ in range(runs):
        updates.clear()
        with CaptureQueriesContext(connection) as queries:
            started, cpu_started = time.perf_counter(), time.process_time()
            _, content = report_kind.generate(params, progress)
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
        if wall >= max(measurement.seconds, default=0.0):
            cpu_of_slowest = cpu
        measurement.seconds.append(round(wall, 3))
        measurement.queries_per_run.append(len(queries))
        measurement.progress_updates = len(updates)
        measurement.size_kb = round(len(content) / 1024, 1)
    measurement.runs = runs
    measurement.min_seconds = min(measurement.seconds)
    measurement.max_seconds = max(measurement.seconds)
    measurement.cpu_seconds = round(cpu_of_slowest, 3)
    measurement.queries = max(measurement.queries_per_run)
    measurement.peak_rss_mb = peak_rss_mb()
    measurement.added_mb = round(measurement.peak_rss_mb - measurement.baseline_rss_mb, 1)
    return measurement


def child_main(argv: list[str] | None = None) -> int:
    """``python -m cms.bench.reports KIND [--runs N]``: measure one kind against the database
    the environment names, and print the measurement as one line of JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m cms.bench.reports",
        description="Time one background report kind against the configured database.",
    )
    parser.add_argument("kind")
    parser.add_argument("--runs", type=int, default=3, help="times to make it (default 3)")
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 20:
        parser.error("--runs must be from 1 to 20.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    import django

    django.setup()
    try:
        measurement = measure_kind(args.kind, runs=args.runs)
    except Exception as error:  # reported beside the table; the traceback goes to stderr
        traceback.print_exc()
        measurement = ReportMeasurement(kind=args.kind, error=f"{type(error).__name__}: {error}")
    print(json.dumps(measurement.__dict__), flush=True)
    return 1 if measurement.error else 0


# --- In the bench ---------------------------------------------------------------------------


def report_kinds() -> list[str]:
    """Every registered report kind, and any the bench has parameters for, by name."""
    from cms import jobs

    return sorted(set(jobs.report_kind_names()) | set(_params))


def task_timeout() -> int:
    from django.conf import settings

    return int(settings.Q_CLUSTER["timeout"])


def measure_reports(*, runs: int, notes: list[str]) -> list[ReportMeasurement]:
    """Measure every report kind, each in its own process, one after another."""
    from .scenarios import discover

    discover()
    timeout = task_timeout()
    measurements = []
    for kind in report_kinds():
        measurement = _measure_in_child(kind, runs=runs, timeout=timeout)
        if measurement.max_seconds is not None:
            measurement.timeout_percent = f"{100 * measurement.max_seconds / timeout:.1f}%"
            if measurement.max_seconds > timeout / 2:
                notes.append(
                    f"{kind} took {measurement.max_seconds} s, more than half the task "
                    f"timeout ({timeout} s): raise Q_TIMEOUT (and Q_RETRY above it)."
                )
        if measurement.error:
            notes.append(f"{kind} was not measured: {measurement.error}")
        measurements.append(measurement)
        print(f"  {kind}: {measurement.max_seconds or '-'} s at most", flush=True)
    return measurements


def _measure_in_child(kind: str, *, runs: int, timeout: int) -> ReportMeasurement:
    # The fresh process inherits the bench's settings from the environment.
    command = [sys.executable, "-m", "cms.bench.reports", kind, "--runs", str(runs)]
    try:
        finished = subprocess.run(  # noqa: S603 - our own fixed command
            command,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=STARTUP_SECONDS + runs * timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return ReportMeasurement(
            kind=kind, error=f"{runs} runs did not finish within {runs} × the task timeout."
        )
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if not lines:
        log = "\n".join(finished.stderr.splitlines()[-15:])
        return ReportMeasurement(kind=kind, error=f"the process stopped early:\n{log}")
    return ReportMeasurement(**json.loads(lines[-1]))


def format_reports(measurements: list[ReportMeasurement]) -> str:
    """The table, then what each report covered and how many progress updates it made."""
    lines = [format_table(measurements, columns=COLUMNS)]
    for measurement in measurements:
        if measurement.about:
            lines.append(
                f"  {measurement.kind}: {measurement.about}. A worker also saves "
                f"{measurement.progress_updates} progress updates."
            )
    return "\n".join(lines)


# --- The report kinds registered so far ------------------------------------------------------
# The shell imports no app: it reaches their models through the app registry. An app's
# bench.py may register its kinds itself instead (a later register() replaces these).


def _largest_board_report() -> tuple[dict, str] | None:
    """The charter with the most readings."""
    from django.apps import apps
    from django.db.models import Count

    charter = (
        apps.get_model("charter", "Charter")
        .objects.annotate(readings=Count("commitments__measures__readings"))
        .order_by("-readings", "pk")
        .first()
    )
    if charter is None:
        return None
    return {"charter": charter.pk}, f"{charter}, {charter.readings} readings"


def _largest_impact_report() -> tuple[dict, str] | None:
    """All the panels of the organisation with the most meetings, over the longest period a
    lead may ask for, up to today."""
    from django.apps import apps
    from django.db.models import Count
    from django.utils import timezone
    from django.utils.module_loading import import_string

    longest = import_string("coproduce.services.impact.MAX_PERIOD_DAYS")
    organisation = (
        apps.get_model("cms", "Organisation")
        .objects.annotate(
            meetings=Count("design_panels__meetings", distinct=True),
            panels=Count("design_panels", distinct=True),
        )
        .filter(panels__gt=0)
        .order_by("-meetings", "-panels", "pk")
        .first()
    )
    if organisation is None:
        return None
    end = timezone.localdate()
    start = end - timedelta(days=longest)
    params = {"organisation": organisation.pk, "start": start.isoformat(), "end": end.isoformat()}
    return params, (
        f"all {organisation.panels} panels of {organisation.name} ({organisation.meetings} "
        f"meetings), {start} to {end}"
    )


register("charter.board_report", _largest_board_report)
register("coproduce.panel_impact", _largest_impact_report)


if __name__ == "__main__":
    # Run the imported module's entry point, so apps register into the one registry.
    from cms.bench.reports import child_main as main

    raise SystemExit(main())
