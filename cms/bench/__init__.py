"""Benchmarks: requests per second, latency and SQL queries per page at a chosen scale,
and the seconds, queries and memory each background report takes.

``python -m cms.bench`` (or ``make bench``) builds a fresh partnership in its own SQLite
database under ``var/bench/``, serves it with gunicorn and measures each scenario as an
anonymous visitor and as a signed-in member, then makes each report kind from that data
(``reports.py``). It reports numbers; it never fails a build.

Apps add to it without the shell importing them: an app's ``bench.py`` module (for example
``coproduce/bench.py``) is imported when present, and may call
``cms.bench.scenarios.register(...)`` for pages to measure and
``cms.bench.generate.register_generator(...)`` for the rows those pages need at scale, and
``cms.bench.reports.register(...)`` for the parameters of a report kind's largest report.
"""
