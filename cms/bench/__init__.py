"""Benchmarks: requests per second, latency and SQL queries per page at a chosen scale,
and the seconds, queries and memory each background report takes.

``python -m cms.bench`` (or ``make bench``) builds a fresh partnership in its own SQLite
database under ``var/bench/``, serves it with gunicorn and measures each scenario as an
anonymous visitor and as a signed-in member, then makes each report kind from that data
(``reports.py``). It reports numbers; it never fails a build. Each page's rate is also
printed as a percentage of a static file's, served by the same gunicorn in the same run,
with the machine's load average, and the goals of issue 19 as PASS or FAIL lines
(``goals.py``). ``--page-cache-miss`` measures visitors' pages without kept copies,
``--query-growth N`` flags pages whose SQL grows between two scales, ``--big`` grows to ten
times the data and times the staff dashboards and the largest export (``big.py``), and
``--database postgres://…`` runs on PostgreSQL. ``BENCH_DIR`` moves ``var/bench/``.

Apps add to it without the shell importing them: an app's ``bench.py`` module (for example
``coproduce/bench.py``) is imported when present, and may call
``cms.bench.scenarios.register(...)`` for pages to measure and
``cms.bench.generate.register_generator(...)`` for the rows those pages need at scale, and
``cms.bench.reports.register(...)`` for the parameters of a report kind's largest report.
"""
