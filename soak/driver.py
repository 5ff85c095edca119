"""Run the soak test from start to finish.

1. Make a fresh PostgreSQL database on 127.0.0.1 (dropped first), migrate, load the demo
   partnership, sync the schedules and collect the static files.
2. Start gunicorn with the production settings (``2 × cores + 1`` workers) and a django-q2
   worker, both with the Redis cache when Redis answers on 127.0.0.1, else the database's.
3. Run locust headless with the people of ``soak/locustfile.py`` for the chosen time.
4. Stop everything, each with a bounded wait, then reconcile every write the people sent
   with the database and print the figures (``soak/reconcile.py``).

The production settings are used as a deployment behind a TLS-terminating proxy would set
them (``TRUSTED_PROXY_COUNT=1``, ``SITE_URL``), with two changes: ``SECURE_SSL_REDIRECT`` is
off, and mail is delivered to nowhere. The people play the proxy, sending
``X-Forwarded-Proto: https`` and an ``X-Forwarded-For`` address each, so the site is measured
with its real Secure cookies, CSRF checks, per-address rate limits and ``DEBUG`` off. The demo
refuses to load without ``DEBUG``, so that one step runs with the development settings,
against the same database and with the same keys.

Only 127.0.0.1 is ever used, the database's name must contain "soak" (it is dropped), and
the whole run has a hard time limit after which everything is stopped.
"""

import argparse
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from cms.bench.runner import die_with_parent, free_port

BASE_DIR = Path(__file__).resolve().parents[1]
SOAK_DIR = BASE_DIR / "var" / "soak"
PLAN_PATH = SOAK_DIR / "plan.json"
RECORDS_PATH = SOAK_DIR / "records.jsonl"
RESULTS_PATH = SOAK_DIR / "results.json"
LOCUSTFILE = Path(__file__).resolve().with_name("locustfile.py")

HOST = "127.0.0.1"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}
DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/lep_soak"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
MARKER_PREFIX = "soak-"

# Seconds: each set-up step, services starting and stopping, one request.
STEP_TIMEOUT = 15 * 60
STARTUP_TIMEOUT = 60
STOP_GRACE = 30
REQUEST_TIMEOUT = 30
# Locust lets each person finish what they are doing for this long after the run time.
LOCUST_STOP_TIMEOUT = 30
SET_UP_ALLOWANCE = 25 * 60
WIND_DOWN_ALLOWANCE = 5 * 60

# The admin and front-end lists each kind of staff member works from.
STAFF_LISTS = {
    "Engagement leads": [
        ("wagtailadmin_home", ()),
        ("feedback:index", ()),
        ("claims:index", ()),
        ("panels:index", ()),
        ("meetings:index", ()),
        ("panel_applications:index", ()),
    ],
    "HR and charter leads": [
        ("wagtailadmin_home", ()),
        ("peer_workers:index", ()),
        ("vacancies:index", ()),
        ("charters:index", ()),
        ("peer_activity:index", ()),
    ],
    "Finance": [("wagtailadmin_home", ()), ("claims:index", ())],
    # "home": the home page's id, found once the demo exists.
    "Editors": [("wagtailadmin_home", ()), ("wagtailadmin_explore", ("home",))],
    "Admin": [
        ("wagtailadmin_home", ()),
        ("feedback:index", ()),
        ("organisations:index", ()),
        ("wagtailusers_users:index", ()),
    ],
    "Supervisors": [
        ("my_space", ()),
        ("peers:supervisee_sessions", ()),
        ("peers:concern_list", ()),
        ("peers:supervision_supervisees", ()),
    ],
}


class SoakError(Exception):
    """A step failed or the time ran out: the soak stops everything and says why."""


class TimeUp(SoakError):
    pass


# --- Options -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m soak",
        description=(
            "Load test: simulated visitors, members, peer workers and staff read and write "
            "against gunicorn on a fresh PostgreSQL database; then every write is reconciled "
            "with the database. Exits 1 if a write is missing or duplicated, or any page "
            "answered 5xx."
        ),
    )
    parser.add_argument("--users", type=int, default=200, help="simulated people (default 200)")
    parser.add_argument(
        "--minutes", type=float, default=10, help="how long the load runs (default 10)"
    )
    parser.add_argument(
        "--spawn-rate", type=float, default=2, help="people starting per second (default 2)"
    )
    parser.add_argument(
        "--think",
        default="5,15",
        metavar="MIN,MAX",
        help="seconds each person pauses between steps (default 5,15)",
    )
    parser.add_argument(
        "--mix",
        default="5,8,5,2",
        metavar="V,M,P,S",
        help="weights of visitors, members, peer workers and staff (default 5,8,5,2)",
    )
    parser.add_argument(
        "--double-posts",
        type=float,
        default=0.05,
        metavar="SHARE",
        help="share of writes sent twice at once, as a double click (default 0.05)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn workers (default 2 × cores + 1)",
    )
    parser.add_argument(
        "--no-redis", action="store_true", help="use the database cache even if Redis answers"
    )
    parser.add_argument(
        "--hard-timeout",
        type=float,
        metavar="MINUTES",
        help="stop everything after this long (default: the run time plus 30 minutes)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 2000:
        parser.error("--users must be between 1 and 2000.")
    if not 0 < args.minutes <= 120:
        parser.error("--minutes must be more than 0 and at most 120.")
    if not 0 < args.spawn_rate <= 100:
        parser.error("--spawn-rate must be more than 0 and at most 100.")
    if not 1 <= args.workers <= 64:
        parser.error("--workers must be between 1 and 64.")
    if not 0 <= args.double_posts <= 1:
        parser.error("--double-posts must be between 0 and 1.")
    try:
        low, high = (float(value) for value in args.think.split(","))
        visitors, members, peers, staff = (int(value) for value in args.mix.split(","))
    except ValueError:
        parser.error("--think takes MIN,MAX seconds and --mix four whole numbers.")
    if not 0 <= low <= high <= 600:
        parser.error("--think must be MIN,MAX with 0 ≤ MIN ≤ MAX ≤ 600.")
    if min(visitors, members, peers, staff) < 0 or visitors + members + peers + staff == 0:
        parser.error("--mix weights must be 0 or more, and not all 0.")
    args.think_seconds = [low, high]
    args.weights = {
        "visitors": visitors,
        "members": members,
        "peer_workers": peers,
        "staff": staff,
    }
    if args.hard_timeout is None:
        args.hard_timeout = args.minutes + (SET_UP_ALLOWANCE + WIND_DOWN_ALLOWANCE) / 60
    return args


# --- The site's environment ----------------------------------------------------------------


def loopback_only(url: str, what: str) -> None:
    host = urlsplit(url).hostname
    if host not in LOOPBACK_HOSTS:
        raise SoakError(f"{what} must be on 127.0.0.1, not {host!r}: the soak only runs locally.")


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SoakError("The soak runs on PostgreSQL: set DATABASE_URL to postgres://…")
    loopback_only(url, "The database")
    name = parts.path.lstrip("/")
    if "soak" not in name:
        raise SoakError(
            f"The soak drops and recreates its database, so its name must contain 'soak' "
            f"(not {name!r}): for example {DEFAULT_DATABASE_URL}"
        )
    return url


def redis_url(*, wanted: bool) -> str:
    """REDIS_URL (or the soak's own Redis database) if Redis answers there, else ""."""
    if not wanted:
        return ""
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    loopback_only(url, "Redis")
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return ""
    return url


def site_environment(*, database: str, redis: str, port: int) -> dict[str, str]:
    """The settings of the soak site, shared by every process that runs it."""
    secret = secrets.token_urlsafe(48)
    return {
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        # Fresh keys each run: nothing made by the soak site is worth anything outside it.
        "SECRET_KEY": secret,
        "FIELD_ENCRYPTION_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        # A prefix of its own, so no counter from an earlier run (or anyone else) counts.
        "CACHE_KEY_PREFIX": f"lep-soak-{secrets.token_hex(4)}",
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "SECURE_SSL_REDIRECT": "false",
        "TRUSTED_PROXY_COUNT": "1",
        # The address people use: the pretend proxy's, over HTTPS.
        "SITE_URL": f"https://{HOST}:{port}",
        "STATIC_ROOT": str(SOAK_DIR / "static"),
        "MEDIA_ROOT": str(SOAK_DIR / "media"),
        "PRIVATE_MEDIA_ROOT": str(SOAK_DIR / "private"),
        # Mail is queued and delivered by the worker as usual, to nowhere.
        "EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "Q_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


# --- Set-up --------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(*arguments: str, environment: dict[str, str]) -> None:
    """Run one ``manage.py`` command to the end (bounded), logged to its own file."""
    log_path = SOAK_DIR / f"{arguments[0]}.log"
    with log_path.open("w") as log:
        try:
            subprocess.run(  # noqa: S603 - our own fixed command
                [sys.executable, "manage.py", *arguments],
                cwd=BASE_DIR,
                env={**os.environ, **environment},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=STEP_TIMEOUT,
                check=True,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            raise SoakError(f"manage.py {arguments[0]} failed:\n{tail(log_path)}") from error


def prepare_site(environment: dict[str, str]) -> dict[str, float]:
    demo = {**environment, "DJANGO_SETTINGS_MODULE": "cms.settings.dev", "DEBUG": "true"}
    commands = [
        (("migrate", "--noinput"), environment),
        (("createcachetable",), environment),
        (("load_demo",), demo),
        (("sync_schedules",), environment),
        (("collectstatic", "--noinput"), environment),
    ]
    steps = [("recreate database", lambda: recreate_database(environment["DATABASE_URL"]))]
    steps += [
        (arguments[0], lambda arguments=arguments, env=env: manage(*arguments, environment=env))
        for arguments, env in commands
    ]
    timings = {}
    for name, step in steps:
        print(f"  {name} …", end=" ", flush=True)
        started = time.monotonic()
        step()
        timings[name] = round(time.monotonic() - started, 1)
        print(f"{timings[name]:.1f} s", flush=True)
    return timings


def write_plan(args, *, port: int) -> dict:
    """What the simulated people need to know: pages, offers and the demo accounts."""
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import AnonymousUser
    from django.db import connections
    from django.urls import reverse

    from charter.selectors import charters_published
    from cms.demo import DEMO_TOTP_SECRET
    from cms.factories import DEMO_PASSWORD
    from cms.models import Area, ContentPage, Need, OfferPage, OffersIndexPage, User
    from cms.permissions import can, held_roles
    from cms.roles import Role

    home = OffersIndexPage.objects.live().first().get_parent()
    members = User.objects.filter(
        is_active=True, groups__name=Role.MEMBER.value, emailaddress__verified=True
    ).order_by("email")
    peer_workers = [
        user.email
        for user in User.objects.filter(
            is_active=True, groups__name=Role.PEER_WORKER.value, emailaddress__verified=True
        ).order_by("email")
        if can(user, "peers.log_sessions")
    ]
    staff = []
    with_authenticator = Authenticator.objects.filter(type=Authenticator.Type.TOTP)
    for user in User.objects.filter(
        is_active=True, pk__in=with_authenticator.values("user_id")
    ).order_by("email"):
        roles = {role.value for role in held_roles(user)}
        pages = [
            {"name": name, "path": reverse(name, args=[home.pk if a == "home" else a for a in at])}
            for role, lists in STAFF_LISTS.items()
            if role in roles
            for name, at in lists
        ]
        if pages:
            unique = list({page["path"]: page for page in pages}.values())
            staff.append({"email": user.email, "pages": unique})
    plan = {
        "marker_prefix": MARKER_PREFIX,
        "request_timeout": REQUEST_TIMEOUT,
        "think_seconds": args.think_seconds,
        "run_seconds": round(args.minutes * 60) + LOCUST_STOP_TIMEOUT,
        "weights": args.weights,
        "double_post_share": args.double_posts,
        "demo_password": DEMO_PASSWORD,
        "totp_secret": DEMO_TOTP_SECRET,
        "totp_period": 30,
        "offers_index": OffersIndexPage.objects.live().first().url,
        "offers": [
            {"id": offer.pk, "path": offer.url} for offer in OfferPage.objects.live().order_by("pk")
        ],
        "needs": list(Need.objects.values_list("slug", flat=True)),
        "areas": list(Area.objects.values_list("slug", flat=True)),
        "content_pages": [page.url for page in ContentPage.objects.live().order_by("pk")],
        "charters": [
            reverse("charter:progress", args=[charter.organisation.slug])
            for charter in charters_published(AnonymousUser())
        ],
        "search_words": ["mental", "money", "housing", "crisis", "peer", "carer"],
        "members": list(members.values_list("email", flat=True).distinct()),
        "peer_workers": peer_workers,
        "staff": staff,
    }
    connections.close_all()
    missing = [kind for kind in ("offers", "members", "peer_workers", "staff") if not plan[kind]]
    if missing:
        raise SoakError(f"The demo has no {', '.join(missing)}: the people have nothing to do.")
    PLAN_PATH.write_text(json.dumps(plan, indent=2) + "\n")
    return plan


# --- Processes -----------------------------------------------------------------------------


@dataclass
class Service:
    """One long-running process of the soak (gunicorn, the worker, locust) in its own
    process group, logged to a file, and stopped with a bounded wait."""

    name: str
    command: list[str]
    environment: dict[str, str]
    process: subprocess.Popen | None = None
    log_path: Path = field(init=False)

    def __post_init__(self):
        self.log_path = SOAK_DIR / f"{self.name}.log"

    def start(self) -> "Service":
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own fixed command
                self.command,
                cwd=BASE_DIR,
                env={**os.environ, **self.environment},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own group: Ctrl-C reaches only the driver, which stops it in order.
                start_new_session=True,
                preexec_fn=die_with_parent(),  # safe: the driver starts no threads
            )
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait(self, seconds: float) -> int | None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.process.wait(timeout=seconds)
        return None

    def stop(self, grace: float = STOP_GRACE) -> None:
        """SIGTERM (each program's graceful stop), then SIGKILL to what is left."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            self.wait(grace)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def gunicorn(environment: dict[str, str], *, port: int, workers: int) -> Service:
    program = Path(sys.executable).with_name("gunicorn")
    return Service(
        "gunicorn",
        [
            str(program),
            "cms.wsgi",
            "--bind", f"{HOST}:{port}",
            "--workers", str(workers),
            "--timeout", str(REQUEST_TIMEOUT * 2),
            "--graceful-timeout", str(STOP_GRACE // 2),
            "--log-level", "warning",
            # gunicorn 27 otherwise opens a control socket in the home directory.
            "--no-control-socket",
        ],
        environment,
    )  # fmt: skip


def wait_until_answering(server: Service, base_url: str) -> None:
    import httpx

    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if not server.running():
            raise SoakError(f"gunicorn stopped while starting:\n{tail(server.log_path)}")
        try:
            response = httpx.get(
                f"{base_url}/robots.txt", headers={"X-Forwarded-Proto": "https"}, timeout=2
            )
        except httpx.HTTPError:
            time.sleep(0.5)
            continue
        if response.status_code == 200:
            return
        raise SoakError(f"gunicorn answered {response.status_code}:\n{tail(server.log_path)}")
    raise SoakError(f"gunicorn did not answer in {STARTUP_TIMEOUT} s:\n{tail(server.log_path)}")


def locust(args, *, base_url: str) -> Service:
    return Service(
        "locust",
        [
            sys.executable, "-m", "locust",
            "--locustfile", str(LOCUSTFILE),
            "--headless",
            "--users", str(args.users),
            "--spawn-rate", str(args.spawn_rate),
            "--run-time", f"{round(args.minutes * 60)}s",
            "--stop-timeout", str(LOCUST_STOP_TIMEOUT),
            "--host", base_url,
            "--only-summary",
            "--loglevel", "WARNING",
        ],
        {
            "SOAK_PLAN": str(PLAN_PATH),
            "SOAK_RECORDS": str(RECORDS_PATH),
            "PYTHONPATH": str(BASE_DIR),
            "PYTHONUNBUFFERED": "1",
        },
    )  # fmt: skip


def cpu_seconds(groups: list[int]) -> tuple[float, float] | None:
    """CPU seconds used so far by the whole machine, and by the soak's own processes (each
    service's process group), from /proc; None where there is no /proc."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
        # Everything but idle and waiting for I/O.
        machine = (sum(fields[:8]) - fields[3] - fields[4]) / tick
        own = 0.0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue  # gone since the listing
            # Fields after the command name: state, ppid, pgrp, …, utime (12th), stime (13th).
            after_name = text.rsplit(")", 1)[1].split()
            if int(after_name[2]) in groups:
                own += (int(after_name[11]) + int(after_name[12])) / tick
    except (OSError, ValueError, IndexError):
        return None
    return machine, own


def cpu_use(before, after, seconds: float) -> dict | None:
    """CPU used between two ``cpu_seconds`` readings, in percent of one core."""
    if before is None or after is None or seconds <= 0:
        return None
    machine, own = (100 * (b - a) / seconds for a, b in zip(before, after, strict=True))
    return {
        "soak_processes": round(own),
        "everything_else": round(max(0.0, machine - own)),
        "load_average": [round(value, 1) for value in os.getloadavg()],
    }


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- The run -------------------------------------------------------------------------------


def _time_up(signum, frame):
    raise TimeUp("The soak ran past its hard time limit, so everything was stopped.")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from .reconcile import Reconciliation, format_report

    SOAK_DIR.mkdir(parents=True, exist_ok=True)
    RECORDS_PATH.unlink(missing_ok=True)
    signal.signal(signal.SIGALRM, _time_up)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.alarm(int(args.hard_timeout * 60))
    started_at = datetime.now(UTC)
    services: list[Service] = []
    try:
        database = database_url()
        redis = redis_url(wanted=not args.no_redis)
        port = free_port()
        base_url = f"http://{HOST}:{port}"
        environment = site_environment(database=database, redis=redis, port=port)
        os.environ.update(environment)
        cache = "Redis" if redis else "the database cache"
        print(f"Setting up the soak site in {urlsplit(database).path.lstrip('/')} ({cache}) …")
        timings = prepare_site(environment)
        plan = write_plan(args, port=port)
        print(
            f"  {len(plan['offers'])} offers, {len(plan['members'])} member accounts, "
            f"{len(plan['peer_workers'])} peer workers, {len(plan['staff'])} staff"
        )

        worker = Service("worker", [sys.executable, "manage.py", "worker"], environment)
        services.append(worker.start())
        server = gunicorn(environment, port=port, workers=args.workers)
        services.append(server.start())
        wait_until_answering(server, base_url)
        print(
            f"Serving on {base_url} ({args.workers} gunicorn workers) with a django-q2 worker; "
            f"{args.users} people for {args.minutes:g} min, {args.spawn_rate:g} starting a "
            f"second …",
            flush=True,
        )
        load = locust(args, base_url=base_url)
        services.append(load.start())
        groups = [service.process.pid for service in services]
        cpu_before = cpu_seconds(groups)
        run_started = time.monotonic()
        limit = args.minutes * 60 + args.users / args.spawn_rate + LOCUST_STOP_TIMEOUT + 120
        if load.wait(limit) is None:
            print(f"locust did not finish in {limit:.0f} s; stopping it.", file=sys.stderr)
        run_seconds = time.monotonic() - run_started
        cpu = cpu_use(cpu_before, cpu_seconds(groups), run_seconds)
        for service in reversed(services):
            service.stop()
        for service in (server, worker):
            if "Traceback" in service.log_path.read_text(errors="replace"):
                print(f"{service.name} logged errors: see {service.log_path}", file=sys.stderr)

        print("Reconciling every write with the database …", flush=True)
        reconciliation = Reconciliation.from_records(RECORDS_PATH, marker_prefix=MARKER_PREFIX)
        reconciliation.count_saved()
        report = reconciliation.report()
        report.update(
            {
                "started_at": started_at.isoformat(timespec="seconds"),
                "options": {
                    "users": args.users,
                    "minutes": args.minutes,
                    "spawn_rate": args.spawn_rate,
                    "think_seconds": args.think_seconds,
                    "weights": args.weights,
                    "double_post_share": args.double_posts,
                    "gunicorn_workers": args.workers,
                    "cache": "redis" if redis else "database",
                    "cpus": os.cpu_count(),
                },
                "setup_seconds": timings,
                "load_seconds": round(run_seconds, 1),
                "cpu_percent_of_one_core": cpu,
            }
        )
        RESULTS_PATH.write_text(json.dumps(report, indent=2) + "\n")
        print(format_report(report))
        print(f"\nRecords, logs and results.json are in {SOAK_DIR.relative_to(BASE_DIR)}/.")
        return 0 if report["passed"] else 1
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 130
    except SoakError as error:
        print(f"\n{error}", file=sys.stderr)
        return 2
    finally:
        signal.alarm(0)
        for service in reversed(services):
            service.stop()
