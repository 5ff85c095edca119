"""Reconcile what the simulated people sent with what the database kept, and print it.

Every write carried a marker of its own ("soak-" and 32 hex digits) in a text field. A
write is *saved* when its marker is in the database, *missing* when it was sent and is not
there (however the site answered), *duplicated* when its marker is in more than one row.
Writes the site acknowledged (a redirect) and then lost are counted apart, as they are the
worst kind. Each page's latency is grouped by its URL name (Wagtail's pages by page type).
"""

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cms.bench.runner import percentile

READ_P95_TARGET_MS = 1000
ACKNOWLEDGED = 302

# Where each kind of write keeps its marker: app label, model and text field.
WRITE_KINDS = {
    "feedback": ("coproduce", "Feedback", "went_well"),
    "session": ("peers", "SessionLog", "notes"),
}


@dataclass
class Reconciliation:
    marker_prefix: str
    # marker -> (kind, statuses of the posts that carried it)
    sent: dict[str, tuple[str, list[int]]] = field(default_factory=dict)
    # (method, URL name) -> [(status, milliseconds)]
    requests: dict[tuple[str, str], list[tuple[int, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    sign_ins: Counter = field(default_factory=Counter)
    # minute of the run -> [(status, milliseconds)], to tell the ramp from the steady state
    minutes: dict[int, list[tuple[int, float]]] = field(default_factory=lambda: defaultdict(list))
    # kind -> marker -> rows holding it
    saved: dict[str, Counter] = field(default_factory=dict)

    @classmethod
    def from_records(cls, path: Path, *, marker_prefix: str) -> "Reconciliation":
        reconciliation = cls(marker_prefix=marker_prefix)
        if not path.exists():
            return reconciliation
        with path.open(encoding="utf-8") as records:
            for line in records:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut off when locust was stopped
                reconciliation.add(entry)
        return reconciliation

    def add(self, entry: dict) -> None:
        if entry["t"] == "req":
            self.requests[entry["m"], entry["n"]].append((entry["s"], entry["ms"]))
            if "at" in entry:
                self.minutes[int(entry["at"] // 60)].append((entry["s"], entry["ms"]))
        elif entry["t"] == "write":
            self.sent[entry["marker"]] = (entry["k"], entry["s"])
        elif entry["t"] == "signin":
            self.sign_ins["ok" if entry["ok"] else "failed"] += 1

    def count_saved(self) -> None:
        """Every marker in the database, by kind, with the number of rows holding it."""
        from django.apps import apps

        pattern = re.compile(re.escape(self.marker_prefix) + r"[0-9a-f]{32}")
        for kind, (app_label, model_name, field_name) in WRITE_KINDS.items():
            model = apps.get_model(app_label, model_name)
            texts = model.objects.filter(
                **{f"{field_name}__contains": self.marker_prefix}
            ).values_list(field_name, flat=True)
            self.saved[kind] = Counter(
                marker for text in texts.iterator() for marker in set(pattern.findall(text))
            )

    # --- Figures -------------------------------------------------------------------------------

    def writes(self) -> dict[str, dict]:
        figures = {}
        for kind in WRITE_KINDS:
            sent = {marker: codes for marker, (k, codes) in self.sent.items() if k == kind}
            saved = self.saved.get(kind, Counter())
            missing = [marker for marker in sent if saved[marker] == 0]
            figures[kind] = {
                "sent": len(sent),
                "posts": sum(len(codes) for codes in sent.values()),
                "sent_twice": sum(1 for codes in sent.values() if len(codes) > 1),
                "acknowledged": sum(1 for codes in sent.values() if ACKNOWLEDGED in codes),
                "saved": sum(1 for marker in sent if saved[marker] > 0),
                "missing": len(missing),
                "missing_after_acknowledged": sum(
                    1 for marker in missing if ACKNOWLEDGED in sent[marker]
                ),
                "duplicated": sum(1 for count in saved.values() if count > 1),
                "saved_but_not_recorded": sum(1 for marker in saved if marker not in sent),
                "statuses_of_missing": dict(
                    Counter(str(code) for marker in missing for code in sent[marker])
                ),
            }
        totals = {
            key: sum(kind[key] for kind in figures.values())
            for key in next(iter(figures.values()))
            if key != "statuses_of_missing"
        }
        figures["all"] = totals
        return figures

    def pages(self) -> list[dict]:
        rows = []
        for (method, name), outcomes in sorted(self.requests.items(), key=lambda i: i[0][::-1]):
            latencies = sorted(ms for _, ms in outcomes)
            statuses = Counter(status for status, _ in outcomes)
            expected = 200 if method == "GET" else ACKNOWLEDGED
            rows.append(
                {
                    "name": name,
                    "method": method,
                    "requests": len(outcomes),
                    "p50_ms": percentile(latencies, 50),
                    "p95_ms": percentile(latencies, 95),
                    "max_ms": latencies[-1] if latencies else None,
                    "5xx": sum(n for status, n in statuses.items() if status >= 500),
                    "no_response": statuses.get(0, 0),
                    "other_statuses": {
                        str(status): n
                        for status, n in sorted(statuses.items())
                        if status not in (expected, 0) and status < 500
                    },
                }
            )
        return rows

    def by_minute(self) -> list[dict]:
        rows = []
        for minute, outcomes in sorted(self.minutes.items()):
            latencies = sorted(ms for _, ms in outcomes)
            rows.append(
                {
                    "minute": minute + 1,
                    "requests": len(outcomes),
                    "p50_ms": percentile(latencies, 50),
                    "p95_ms": percentile(latencies, 95),
                    "5xx": sum(1 for status, _ in outcomes if status >= 500),
                }
            )
        return rows

    def report(self) -> dict:
        writes = self.writes()
        pages = self.pages()
        reads = [row for row in pages if row["method"] == "GET" and row["p95_ms"] is not None]
        slowest = max(reads, key=lambda row: row["p95_ms"], default=None)
        server_errors = sum(row["5xx"] for row in pages)
        total = writes["all"]
        failures = [
            f"{count} {what}"
            for count, what in (
                (total["missing"], "missing"),
                (total["duplicated"], "duplicated"),
                (server_errors, "5xx"),
            )
            if count
        ]
        return {
            "writes": writes,
            "requests": sum(row["requests"] for row in pages),
            "5xx": server_errors,
            "no_response": sum(row["no_response"] for row in pages),
            "sign_ins": dict(self.sign_ins),
            "pages": pages,
            "minutes": self.by_minute(),
            "slowest_read": slowest and {"name": slowest["name"], "p95_ms": slowest["p95_ms"]},
            "reads_p95_under_target": bool(reads)
            and all(row["p95_ms"] < READ_P95_TARGET_MS for row in reads),
            "failures": failures,
            "passed": bool(self.sent) and not failures,
        }


# --- Printing ------------------------------------------------------------------------------


def table(headings: list[str], rows: list[list], *, left: int = 1) -> str:
    """Columns padded to their widest cell; the first ``left`` columns to the left."""
    cells = [headings] + [["-" if cell is None else str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headings))]
    lines = []
    for number, row in enumerate(cells):
        lines.append(
            "  ".join(
                f"{cell:<{width}}" if i < left else f"{cell:>{width}}"
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _statuses(statuses: dict[str, int]) -> str:
    return " ".join(f"{status}×{count}" for status, count in statuses.items()) or ""


def format_report(report: dict) -> str:
    options = report["options"]
    writes = report["writes"]
    lines = [
        "",
        f"Soak: {options['users']} people for {options['minutes']:g} min "
        f"({options['gunicorn_workers']} gunicorn workers, {options['cpus']} cores, "
        f"{options['cache']} cache)",
        "",
        table(
            ["writes", "sent", "posts", "twice", "acknowledged", "saved", "missing", "duplicated"],
            [
                [
                    kind,
                    figures["sent"],
                    figures["posts"],
                    figures["sent_twice"],
                    figures["acknowledged"],
                    figures["saved"],
                    figures["missing"],
                    figures["duplicated"],
                ]
                for kind, figures in writes.items()
            ],
        ),
    ]
    total = writes["all"]
    if total["missing"]:
        lines.append(
            f"Missing after the site acknowledged them: {total['missing_after_acknowledged']}; "
            "answers to the missing: "
            + "; ".join(
                f"{kind} {_statuses(figures['statuses_of_missing'])}"
                for kind, figures in writes.items()
                if kind != "all" and figures["missing"]
            )
        )
    if total["saved_but_not_recorded"]:
        lines.append(
            f"Saved but never recorded as sent (locust stopped mid-request): "
            f"{total['saved_but_not_recorded']}"
        )
    sign_ins = report["sign_ins"]
    lines += [
        "",
        f"Requests: {report['requests']}, 5xx: {report['5xx']}, no response: "
        f"{report['no_response']}; sign-ins: {sign_ins.get('ok', 0)} ok, "
        f"{sign_ins.get('failed', 0)} failed",
        "",
        table(
            ["page (URL name)", "method", "requests", "p50 ms", "p95 ms", "max ms", "5xx",
             "other statuses"],
            [
                [row["name"], row["method"], row["requests"], row["p50_ms"], row["p95_ms"],
                 row["max_ms"], row["5xx"], _statuses(row["other_statuses"])]
                for row in report["pages"]
            ],
            left=2,
        ),
    ]  # fmt: skip
    if report.get("minutes"):
        lines += [
            "",
            table(
                ["minute", "requests", "p50 ms", "p95 ms", "5xx"],
                [
                    [row["minute"], row["requests"], row["p50_ms"], row["p95_ms"], row["5xx"]]
                    for row in report["minutes"]
                ],
            ),
        ]
    cpu = report.get("cpu_percent_of_one_core")
    if cpu:
        lines.append(
            f"\nCPU during the load (100 = one core): gunicorn, worker and locust "
            f"{cpu['soak_processes']}; everything else {cpu['everything_else']} (PostgreSQL, "
            f"Redis and anything else running); load average at the end "
            f"{', '.join(str(value) for value in cpu['load_average'])}"
        )
    slowest = report["slowest_read"]
    if slowest:
        verdict = "yes" if report["reads_p95_under_target"] else "no"
        lines.append(
            f"\nEvery read's p95 under {READ_P95_TARGET_MS} ms: {verdict} "
            f"(slowest: {slowest['name']}, {slowest['p95_ms']} ms)"
        )
    if report["passed"]:
        lines.append("PASSED: 0 missing, 0 duplicated, 0 5xx.")
    else:
        lines.append("FAILED: " + (", ".join(report["failures"]) or "no writes were sent") + ".")
    return "\n".join(lines)
