"""`make bench`: the benchmark of issue 7, in one run of a few minutes.

1. Creates a PostgreSQL database of its own (`buurtkamer_bench` on 127.0.0.1:5432, or the one
   BENCH_DATABASE_URL names; its name must contain "bench", since it is dropped afterwards),
   migrates it, collects the static files (the production storage needs their manifest) and
   fills it with five years of history (bench/data.py). bench_baseline is a copy of
   visitors_visit's shape and rows (bench/baseline.py).
2. Counts the queries of each page and of one check-in in this process (Django's test client,
   force_login, CaptureQueriesContext) against that database.
3. Starts gunicorn on 127.0.0.1 (buurtkamer.wsgi with bench.settings: the production settings
   with DEBUG off, plus the baseline URL; 2 gthread workers x 4 threads) and measures over HTTP:
   - pages: each role logs in through /accounts/login/, the tablet sends its cookie; warm-up,
     then median and p95 of sequential GETs;
   - check-in vs baseline: sequential POSTs on one keep-alive connection, interleaved,
     alternating which goes first, after a warm-up;
   - throughput: 8 connections for 2 x 10 s per endpoint (check-in, baseline, baseline,
     check-in), spread over the four locations' tablets (two connections each), ~10 % of
     requests a retry of a recent client_id of that tablet (possibly one still in flight on the
     other connection); a request that fails is sent again with the same client_id, as the
     tablet's queue does. Afterwards the rows in the database for every client_id sent are
     compared with the acknowledged ones, and the CPU per request of gunicorn's workers, of the
     database's backends and of the rest of the machine is read from /proc.
4. Prints a table, writes bench/results.json, and stops gunicorn and drops the database in any
   case (also after an error, Ctrl+C, SIGTERM or the time limit).

Settings through the environment: BENCH_DATABASE_URL, BENCH_SEQUENTIAL (300),
BENCH_WARMUP (50), BENCH_LOAD_SECONDS (20 per endpoint), BENCH_CONCURRENCY (8),
BENCH_RETRY_SHARE (0.1), BENCH_PAGE_SAMPLES (40), BENCH_WORKERS (2), BENCH_THREADS (4),
BENCH_TIME_LIMIT (540 s), BENCH_PORT (a free one), BENCH_SCALE (default; "national": 250
locations and ten years, pages only, see bench/national.py; `make bench SCALE=national`),
BENCH_KEEP_DATABASE (1: the filled database is kept afterwards, to profile pages against it).
"""

import base64
import contextlib
import ctypes
import datetime
import json
import math
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql

from bench import national, weight
from bench.client import Browser, log_in

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/buurtkamer_bench"


def env_int(name, default):
    return int(os.environ.get(name) or default)


SEQUENTIAL = env_int("BENCH_SEQUENTIAL", 300)
WARMUP = env_int("BENCH_WARMUP", 50)
LOAD_SECONDS = env_int("BENCH_LOAD_SECONDS", 20)
CONCURRENCY = env_int("BENCH_CONCURRENCY", 8)
RETRY_SHARE = float(os.environ.get("BENCH_RETRY_SHARE") or 0.1)
PAGE_SAMPLES = env_int("BENCH_PAGE_SAMPLES", 40)
PAGE_WARMUP = 5
WORKERS = env_int("BENCH_WORKERS", 2)
THREADS = env_int("BENCH_THREADS", 4)
TIME_LIMIT = env_int("BENCH_TIME_LIMIT", 540)

TARGET_RATIO = 1.5
TARGET_SHARE = 0.70
TARGET_PAGE_MS = 150

SLUG = "dokkum"  # the location of the pages and of the sequential check-ins
CHECKIN_PATH = "/tablet/{slug}/api/bezoek/"
BASELINE_PATH = "/bench/baseline/{slug}/"

# name, who, path. "tablet" is the paired tablet of Dokkum; the others log in.
PAGES = [
    ("dashboard_staff", "staff", "/"),
    ("dashboard_coordinator", "coordinator", "/"),
    ("dashboard_volunteer", "volunteer", "/"),
    ("tablet", "tablet", f"/tablet/{SLUG}/"),
    ("today", "coordinator", f"/locaties/{SLUG}/vandaag/"),
    ("location_list", "staff", "/locaties/"),
    ("tallies", "coordinator", f"/locaties/{SLUG}/turven/"),
    ("team", "coordinator", f"/locaties/{SLUG}/team/"),
    # The year report of all locations, per month (issue 6).
    ("year_report", "staff", "/rapportage/?periode=vorig-jaar&per=maand"),
    # The roster grid: four weeks of a location (issue 4); the public programme (issue 5).
    ("roster_grid", "coordinator", f"/locaties/{SLUG}/rooster/"),
    ("public_programme", "anonymous", f"/programma/{SLUG}/"),
]
NOT_BUILT_YET = []


def seeded(seed) -> random.Random:
    return random.Random(seed)  # noqa: S311 - picks taps and facts, nothing secret


STARTED = time.monotonic()


def log(message):
    print(f"[bench {time.monotonic() - STARTED:5.1f} s] {message}", flush=True)


def ms(seconds):
    return round(seconds * 1000, 2)


def percentile(values, share):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(seconds: list[float]) -> dict:
    return {
        "n": len(seconds),
        "median_ms": ms(statistics.median(seconds)),
        "p95_ms": ms(percentile(seconds, 0.95)),
        "mean_ms": ms(statistics.fmean(seconds)),
        "min_ms": ms(min(seconds)),
    }


class Interrupted(Exception):
    pass


def _interrupt(signum, _frame):
    raise Interrupted(f"stopped by {signal.Signals(signum).name}")


# The database -------------------------------------------------------------------------------


class BenchDatabase:
    """Creates the database on enter (dropping a leftover first), drops it on exit."""

    def __init__(self, url: str):
        self.url = url
        self.config = dj_database_url.parse(url)
        self.name = self.config["NAME"]
        if "bench" not in self.name:
            raise SystemExit(
                f"BENCH_DATABASE_URL names the database {self.name!r}: the benchmark drops its "
                "database afterwards, so its name must contain 'bench'."
            )

    def _admin(self):
        return psycopg.connect(
            dbname="postgres",
            user=self.config.get("USER") or None,
            password=self.config.get("PASSWORD") or None,
            host=self.config.get("HOST") or None,
            port=self.config.get("PORT") or None,
            autocommit=True,
            connect_timeout=10,
        )

    def create(self):
        with self._admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self):
        with self._admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )


# gunicorn -----------------------------------------------------------------------------------


def _die_with_parent():
    """In the child: gunicorn gets SIGTERM when the benchmark dies, even by SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


GUNICORN_ARGS = [
    "--workers", str(WORKERS),
    "--worker-class", "gthread",
    "--threads", str(THREADS),
    "--keep-alive", "30",
    "--timeout", "30",
    "--graceful-timeout", "5",
    "--log-level", "warning",
]  # fmt: skip


class Gunicorn:
    def __init__(self, env: dict, port: int, log_path: Path):
        self.env, self.port, self.log_path = env, port, log_path
        self.process = None

    def start(self):
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "buurtkamer.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            *GUNICORN_ARGS,
        ]
        self.log_file = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - fixed command
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            process_group=0,
            preexec_fn=_die_with_parent,  # no threads run yet
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                browser = Browser(self.port)
                answer = browser.get("/healthz")
                browser.close()
                if answer.status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz within 30 s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-3000:]
        return ""

    def stop(self):
        """SIGTERM to the master (it stops its workers), SIGKILL to its process group after
        15 s; then whatever is left of the group."""
        if self.process is None:
            return
        pgid = self.process.pid  # process_group=0: its own group, with its id
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
                self.process.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)  # workers that outlived their master
        self.log_file.close()
        self.process = None


# Check-in bodies ----------------------------------------------------------------------------


def tap_body(rng: random.Random, client_id: str, came_via: list[int], *, retry=False) -> bytes:
    """What the tablet's JavaScript sends: the tap's id and moment, and the optional facts.
    During a burst its counts are less than a minute old, so a first try says "counts": false
    (the tablet adds the tap itself); a retry asks for today's counts (static/js/tablet.js)."""
    first_visit = rng.choices(["no", "yes", "unknown"], [65, 10, 25])[0]
    payload = {
        "client_id": client_id,
        "tapped_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
        "first_visit": first_visit,
        "age_band": rng.choice(["65_plus", "65_plus", "18_64", ""]),
    }
    if not retry:
        payload["counts"] = False
    if first_visit == "yes":
        payload["came_via"] = str(rng.choice(came_via))
    return json.dumps(payload).encode()


# Step 2: query counts in this process -------------------------------------------------------


def logged_in_client(user):
    """A test client with the session of `user`, as after the login form: for staff (who have
    the authenticator app) with the second step passed, or the staff pages would send it to the
    page that asks for the code."""
    from allauth.mfa.models import Authenticator
    from django.test import Client

    from buurtkamer.two_factor import record_two_factor_in_session

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is not None:
        record_two_factor_in_session(client.session, user, authenticator)
    return client


def count_queries(fixture, came_via) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = {}
    for who in ("staff", "coordinator", "volunteer"):
        clients[who] = logged_in_client(getattr(fixture, who))
    tablet = Client(HTTP_HOST="127.0.0.1")
    tablet.cookies[settings.TABLET_COOKIE_NAME] = fixture.tablet_tokens[SLUG]
    clients["tablet"] = tablet
    clients["anonymous"] = Client(HTTP_HOST="127.0.0.1")

    def measure(client, method, path, **kwargs):
        getattr(client, method)(path, **kwargs)  # warm: the first request of a process
        if method == "post":  # a new tap, not a retry of the warm-up's
            kwargs["data"] = json.loads(tap_body(seeded(1), str(uuid.uuid4()), came_via))
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(path, **kwargs)
        if response.status_code not in (200, 201):
            raise RuntimeError(
                f"{method.upper()} {path}: {response.status_code} {response.get('Location', '')}"
            )
        return len(captured), [query["sql"] for query in captured.captured_queries]

    counts, statements = {}, {}
    for name, who, path in PAGES:
        counts[name], statements[name] = measure(clients[who], "get", path)
    for name, template in (("checkin", CHECKIN_PATH), ("baseline", BASELINE_PATH)):
        body = json.loads(tap_body(seeded(0), str(uuid.uuid4()), came_via))
        counts[name], statements[name] = measure(
            tablet, "post", template.format(slug=SLUG), data=body, content_type="application/json"
        )
    return {"counts": counts, "statements": statements}


# Step 3: HTTP against gunicorn --------------------------------------------------------------


def page_browsers(port, fixture) -> tuple[dict, dict]:
    """A logged-in browser per role (through the login form) and the tablet's."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from django.conf import settings

    def totp_code():
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        return format_hotp_value(hotp_value(fixture.totp_secret, counter))

    browsers, how = {}, {}
    for who in ("staff", "coordinator", "volunteer"):
        user = getattr(fixture, who)
        browser = log_in(
            port, user.email, fixture.password, settings.SESSION_COOKIE_NAME, totp_code
        )
        how[who] = "login form" + (" and TOTP" if user.is_aanzet_staff else "")
        if browser is None:  # e.g. a TOTP step: a session made in this process instead
            cookie = logged_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value
            browser = Browser(port, {settings.SESSION_COOKIE_NAME: cookie})
            how[who] = "session made in process (login form did not end in a session)"
        browsers[who] = browser
    browsers["tablet"] = Browser(port, {settings.TABLET_COOKIE_NAME: fixture.tablet_tokens[SLUG]})
    browsers["anonymous"] = Browser(port, {})
    how["tablet"] = "tablet cookie"
    return browsers, how


def time_pages(browsers) -> dict:
    timings = {}
    for name, who, path in PAGES:
        browser = browsers[who]
        samples = []
        for number in range(PAGE_WARMUP + PAGE_SAMPLES):
            answer = browser.get(path)
            if answer.status != 200:
                raise RuntimeError(f"GET {path} as {who}: {answer.status}")
            if number >= PAGE_WARMUP:
                samples.append(answer.seconds)
        timings[name] = {**summary(samples), "bytes": len(answer.body)}
    return timings


def sequential(port, fixture, came_via) -> dict:
    """Check-in and baseline one after the other on one keep-alive connection, with the
    same headers (the tablet cookie goes to both), alternating which goes first."""
    from django.conf import settings

    browser = Browser(port, {settings.TABLET_COOKIE_NAME: fixture.tablet_tokens[SLUG]})
    paths = {
        "checkin": CHECKIN_PATH.format(slug=SLUG),
        "baseline": BASELINE_PATH.format(slug=SLUG),
    }
    rng = seeded(42)
    samples = {"checkin": [], "baseline": []}
    for number in range(WARMUP + SEQUENTIAL):
        order = ("checkin", "baseline") if number % 2 == 0 else ("baseline", "checkin")
        for kind in order:
            answer = browser.post_json(paths[kind], tap_body(rng, str(uuid.uuid4()), came_via))
            if answer.status != 201:
                raise RuntimeError(f"POST {paths[kind]}: {answer.status} {answer.body[:300]!r}")
            if number >= WARMUP:
                samples[kind].append(answer.seconds)
    browser.close()
    return {kind: summary(values) for kind, values in samples.items()}


@dataclass
class Load:
    requests: int = 0
    retries: int = 0
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    latencies: list = field(default_factory=list)
    sent: set = field(default_factory=set)
    acked: set = field(default_factory=set)
    created: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, other: "Load") -> None:
        self.requests += other.requests
        self.retries += other.retries
        self.errors += other.errors
        self.statuses.update(other.statuses)
        self.latencies += other.latencies
        self.sent |= other.sent
        self.acked |= other.acked
        self.created.update(other.created)
        self.seconds += other.seconds


def load_phase(port, targets, seconds, came_via, seed) -> Load:
    """`CONCURRENCY` connections posting taps for `seconds`; every connection is one tablet
    (target) and retries its own taps: ~RETRY_SHARE of the requests resend a recent client_id
    of that tablet, and a request that failed is resent until acknowledged (at most 3 more
    tries after the deadline)."""
    deadline = time.monotonic() + seconds
    recent = {path: deque(maxlen=256) for path, _cookies in targets}
    lock = threading.Lock()
    results = [Load() for _ in range(CONCURRENCY)]

    def worker(index):
        rng = seeded(seed * 1000 + index)
        path, cookies = targets[index % len(targets)]
        browser = Browser(port, cookies)
        result = results[index]
        pending, drain = None, 0
        while True:
            if time.monotonic() >= deadline:
                if pending is None or drain >= 3:
                    break
                drain += 1
            if pending is not None:
                client_id, retry = pending, True
            elif recent[path] and rng.random() < RETRY_SHARE:
                with lock:
                    client_id = recent[path][rng.randrange(len(recent[path]))]
                retry = True
            else:
                client_id, retry = str(uuid.uuid4()), False
                with lock:
                    recent[path].append(client_id)
            result.sent.add(client_id)
            result.requests += 1
            result.retries += retry
            try:
                answer = browser.post_json(path, tap_body(rng, client_id, came_via, retry=retry))
            except Exception as error:
                result.errors += 1
                result.statuses[type(error).__name__] += 1
                pending = client_id
                continue
            result.statuses[answer.status] += 1
            data = json.loads(answer.body) if answer.status in (200, 201) else {}
            if data.get("status") == "ok" and data.get("client_id") == client_id:
                result.acked.add(client_id)
                result.latencies.append(answer.seconds)
                if data.get("created"):
                    result.created[client_id] += 1
                pending = None
            else:
                result.errors += 1
                pending = client_id
        browser.close()

    started = time.monotonic()
    threads = [
        threading.Thread(target=worker, args=(index,), daemon=True) for index in range(CONCURRENCY)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic() + 90))
        if thread.is_alive():
            raise RuntimeError("a load connection did not finish within 90 s after its deadline")
    total = Load(seconds=time.monotonic() - started)
    for result in results:
        total.add(result)
    return total


def verify(table: str, load: Load) -> dict:
    """Rows in the database for every client_id the load sent, against the acknowledged."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT client_id::text, count(*) FROM {table} "  # noqa: S608 - fixed names
            "WHERE client_id = ANY(%s) GROUP BY client_id",
            [[uuid.UUID(value) for value in load.sent]],
        )
        stored = dict(cursor.fetchall())
    rows = sum(stored.values())
    return {
        "sent_distinct": len(load.sent),
        "acknowledged_distinct": len(load.acked),
        "rows": rows,
        "lost": rows - len(load.acked),
        "acknowledged_missing": len(load.acked - stored.keys()),
        "stored_unacknowledged": len(stored.keys() - load.acked),
        "doubles_in_database": rows - len(stored),
        "doubles_created_twice": sum(1 for n in load.created.values() if n > 1),
    }


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """user + system CPU seconds of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def worker_pids(master: int) -> list[int]:
    try:
        return [
            int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()
        ]
    except OSError:
        return []


def cpu_snapshot(gunicorn_pid: int) -> dict:
    """CPU seconds so far of gunicorn's workers, of the bench database's backends (when
    PostgreSQL runs on this machine) and of this process (the load generator)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    times = os.times()
    return {
        "machine": machine_cpu(),
        "app": {pid: process_cpu(pid) for pid in worker_pids(gunicorn_pid)},
        "database": {pid: process_cpu(pid) for pid in backends},
        "load_generator": times.user + times.system,
    }


def machine_cpu() -> float:
    """Busy CPU seconds of the whole machine so far (all processes, all cores)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def cpu_spent(before: dict, after: dict) -> dict:
    """CPU seconds between two snapshots; `other` is what the rest of the machine used."""
    spent = {"load_generator": after["load_generator"] - before["load_generator"]}
    for part in ("app", "database"):
        spent[part] = sum(cpu - before[part].get(pid, 0.0) for pid, cpu in after[part].items())
    spent["other"] = max(0.0, after["machine"] - before["machine"] - sum(spent.values()))
    return spent


def throughput(port, fixture, came_via, locations, gunicorn_pid) -> dict:
    from django.conf import settings

    tablets = [
        (
            CHECKIN_PATH.format(slug=slug),
            {settings.TABLET_COOKIE_NAME: fixture.tablet_tokens[slug]},
        )
        for slug in locations
    ]
    baselines = [
        (BASELINE_PATH.format(slug=slug), {settings.TABLET_COOKIE_NAME: token})
        for slug, token in fixture.tablet_tokens.items()
    ]
    totals = {"checkin": Load(), "baseline": Load()}
    cpu = {kind: Counter() for kind in totals}
    half = LOAD_SECONDS / 2
    for number, kind in enumerate(("checkin", "baseline", "baseline", "checkin")):
        log(f"  load {number + 1}/4: {kind}, {half:g} s, {CONCURRENCY} connections")
        targets = tablets if kind == "checkin" else baselines
        before = cpu_snapshot(gunicorn_pid)
        totals[kind].add(load_phase(port, targets, half, came_via, seed=number))
        cpu[kind].update(cpu_spent(before, cpu_snapshot(gunicorn_pid)))
    out = {}
    for kind, table in (("checkin", "visitors_visit"), ("baseline", "bench_baseline")):
        load = totals[kind]
        out[kind] = {
            "seconds": round(load.seconds, 2),
            "requests": load.requests,
            "retries": load.retries,
            "rps": round(load.requests / load.seconds, 1),
            "errors": load.errors,
            "statuses": {str(key): value for key, value in sorted(load.statuses.items(), key=str)},
            "latency": summary(load.latencies) if load.latencies else None,
            "cpu_ms_per_request": {
                part: round(seconds * 1000 / load.requests, 2)
                for part, seconds in sorted(cpu[kind].items())
            },
            **verify(table, load),
        }
    return out


# Report -------------------------------------------------------------------------------------


def machine() -> dict:
    from django.db import connection

    info = {
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        info["postgresql"] = cursor.fetchone()[0]
    from importlib.metadata import version

    for package in ("django", "gunicorn", "psycopg", "django-allauth"):
        info[package] = version(package)
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        info["commit"] = subprocess.run(
            ["git", "describe", "--always", "--dirty"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    return info


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def _report_header(results: dict) -> list[str]:
    lines = []
    add = lines.append
    m = results["machine"]
    add(
        f"Buurtkamer benchmark {results['timestamp']}  commit {m.get('commit', '?')}  "
        f"{m['cpus']} CPUs ({m.get('cpu', '?')}), PostgreSQL {m['postgresql']}"
    )
    data = results["data"]
    add(
        f"data: {data['visitors_visit']:,} visits over {data['years']} years "
        f"({data['visitors_visit_voided']:,} undone, {data['visitors_manualtally']:,} tallies, "
        f"{data['visitors_referral']:,} referrals), {data['buurtkamer_user']} people, "
        f"{data['locations_membership']} memberships"
    )
    add(f"gunicorn: {results['gunicorn']}")
    start, end = m["load_average_at_start"][0], m["load_average_at_end"][0]
    add(f"load average (1 min) of the machine: {start} at the start, {end} at the end")
    if start > m["cpus"] / 2:
        add("  NOTE: the machine was busy with other work when the benchmark started")
    return lines


def _report_sequential(results: dict) -> list[str]:
    lines = []
    add = lines.append
    seq = results["checkin_vs_baseline"]
    queries = results["queries"]
    add(f"Check-in vs baseline, sequential, {seq['checkin']['n']} each after {WARMUP} warm-up")
    add(f"  {'':<10} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for kind in ("checkin", "baseline"):
        add(
            f"  {kind:<10} {seq[kind]['median_ms']:>10.2f} {seq[kind]['p95_ms']:>8.2f} "
            f"{queries.get(kind, '?'):>8}"
        )
    ratio = results["checkin_vs_baseline_ratio"]
    add(
        f"  ratio {ratio:.2f}x (p95 {seq['p95_ratio']:.2f}x)   target <= {TARGET_RATIO}x   "
        f"{verdict(results['targets_met']['checkin_vs_baseline_ratio'])}"
    )
    return lines


def _report_throughput(results: dict) -> list[str]:
    lines = []
    add = lines.append
    load = results["throughput"]
    add(
        f"Throughput, {CONCURRENCY} connections, {LOAD_SECONDS} s per endpoint "
        f"(2 x {LOAD_SECONDS / 2:g} s, interleaved), ~{RETRY_SHARE:.0%} retries"
    )
    add(
        f"  {'':<10} {'req/s':>7} {'requests':>9} {'retries':>8} {'errors':>7} {'acked':>7} "
        f"{'rows':>7} {'lost':>5} {'doubles':>8} {'median ms':>10} {'p95 ms':>7}"
    )
    for kind in ("checkin", "baseline"):
        row = load[kind]
        doubles = row["doubles_in_database"] + row["doubles_created_twice"]
        lat = row["latency"] or {"median_ms": float("nan"), "p95_ms": float("nan")}
        add(
            f"  {kind:<10} {row['rps']:>7.1f} {row['requests']:>9} {row['retries']:>8} "
            f"{row['errors']:>7} {row['acknowledged_distinct']:>7} {row['rows']:>7} "
            f"{row['lost']:>5} {doubles:>8} {lat['median_ms']:>10.1f} {lat['p95_ms']:>7.1f}"
        )
    add(
        "  CPU ms per request (app = gunicorn workers, database = its backends, "
        "other = the rest of the machine):"
    )
    for kind in ("checkin", "baseline"):
        parts = load[kind]["cpu_ms_per_request"]
        add(f"  {kind:<10} " + "  ".join(f"{part} {value:.2f}" for part, value in parts.items()))
    add(
        f"  share {results['throughput_share']:.0%}   target >= {TARGET_SHARE:.0%}   "
        f"{verdict(results['targets_met']['throughput_share'])};   "
        f"lost {results['lost']}, doubles {results['doubles']}   "
        f"{verdict(results['targets_met']['nothing_lost'])}"
    )
    return lines


def _report_pages(results: dict) -> list[str]:
    lines = []
    add = lines.append
    add(f"Pages, {PAGE_SAMPLES} sequential GETs each after {PAGE_WARMUP} warm-up")
    add(f"  {'':<22} {'median ms':>10} {'p95 ms':>8} {'queries':>8}   target < {TARGET_PAGE_MS} ms")
    for name, page in results["pages"].items():
        if page["median_ms"] is None:
            add(f"  {name:<22} {'not built yet':>28}")
            continue
        add(
            f"  {name:<22} {page['median_ms']:>10.1f} {page['p95_ms']:>8.1f} "
            f"{page['queries']:>8}   {verdict(page['median_ms'] < TARGET_PAGE_MS)}"
        )
    return lines


def _report_end(results: dict) -> list[str]:
    lines = []
    add = lines.append
    add(f"Run time {results['run_seconds']:.0f} s; results in bench/results.json")
    return lines


def report(results: dict) -> str:
    sections = [_report_header, _report_sequential, _report_throughput, _report_pages, _report_end]
    return "\n".join(["", *(line for section in sections for line in [*section(results), ""])][:-1])


# Main ---------------------------------------------------------------------------------------


def bench_environment(database: BenchDatabase, static_root: Path) -> dict:
    """The settings the bench runs Django and gunicorn with (production-like, no debug)."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database.url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "MFA_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "BENCH_STATIC_ROOT": str(static_root),
    }


def prepare_database():
    """Migrate, collect static files, fill the history of the scale (BENCH_SCALE, see
    bench/national.py): (fixture, came_via, seconds)."""
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    log("migrate, collectstatic")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)

    from bench import baseline, data
    from visitors.models import CameVia

    scale = national.scale()
    log(f"filling {scale.years} years of history ({scale.name} scale)")
    fill_started = time.monotonic()
    fixture = data.fill(password=secrets.token_urlsafe(16), scale=scale)
    if scale.name == "default":  # the national scale measures pages only
        with connection.cursor() as cursor:
            baseline.create_table(cursor)
            cursor.execute(f"VACUUM ANALYZE {baseline.TABLE}")
    came_via = list(CameVia.objects.active().values_list("pk", flat=True))
    fill_seconds = time.monotonic() - fill_started
    log(f"  {fixture.counts['visitors_visit']:,} visits in {fill_seconds:.1f} s")
    # As the nightly job does in production (buurtkamer/jobs.py): the days that can no longer
    # change go into the report's daily roll-up (visitors/rollup.py).
    settle_started = time.monotonic()
    call_command("settle_visits", verbosity=0)
    with connection.cursor() as cursor:
        for table in (
            "visitors_dailycount",
            "visitors_monthlycount",
            "visitors_monthlytotal",
            "visitors_monthlycamevia",
        ):
            cursor.execute(f"ANALYZE {table}")
    log(f"  settle_visits (the roll-up of settled days): {time.monotonic() - settle_started:.1f} s")
    # The roll-up must equal counting the visits (visitors/rollup.py; tests/test_rollup.py tries
    # random sequences of writes): here on the whole history, as `settle_visits --check` does.
    from visitors import rollup
    from visitors.models import DailyCount, MonthlyCameVia, MonthlyCount, MonthlyTotal

    check_started = time.monotonic()
    differences = rollup.mismatches()
    fixture.counts["rollup_rows"] = DailyCount.objects.count()
    fixture.counts["rollup_monthly_rows"] = MonthlyCount.objects.count()
    fixture.counts["rollup_monthly_total_rows"] = MonthlyTotal.objects.count()
    fixture.counts["rollup_monthly_came_via_rows"] = MonthlyCameVia.objects.count()
    fixture.counts["rollup_equals_visits"] = not differences
    log(
        f"  roll-up {'equals' if not differences else 'DIFFERS FROM'} counting the visits "
        f"({len(differences)} rows differ; {time.monotonic() - check_started:.1f} s)"
    )
    return fixture, came_via, fill_seconds


def visits_today_at_bench_location() -> int:
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM visitors_visit v JOIN locations_location l "
            "ON l.id = v.location_id WHERE l.slug = %s AND v.recorded_on = %s",
            [SLUG, timezone.localdate()],
        )
        return cursor.fetchone()[0]


def measure(gunicorn: Gunicorn, port: int, fixture, came_via) -> dict:
    """Pages, sequential check-ins against the baseline, and throughput, through gunicorn."""
    log(f"starting gunicorn on 127.0.0.1:{port}")
    gunicorn.start()

    log("pages")
    browsers, login_method = page_browsers(port, fixture)
    pages_timed = time_pages(browsers)
    for browser in browsers.values():
        browser.close()

    log(f"check-in vs baseline: {WARMUP} warm-up + {SEQUENTIAL} each, sequential")
    seq = sequential(port, fixture, came_via)
    seq["p95_ratio"] = round(seq["checkin"]["p95_ms"] / seq["baseline"]["p95_ms"], 3)

    log("throughput")
    locations = list(fixture.tablet_tokens)
    load = throughput(port, fixture, came_via, locations, gunicorn.process.pid)
    return {"pages": pages_timed, "login": login_method, "sequential": seq, "load": load}


def page_results(pages_timed: dict, queries: dict) -> dict:
    pages = {
        name: {
            "median_ms": pages_timed[name]["median_ms"],
            "p95_ms": pages_timed[name]["p95_ms"],
            "queries": queries["counts"][name],
            "n": pages_timed[name]["n"],
            "bytes": pages_timed[name]["bytes"],
            "as": who,
            "path": path,
        }
        for name, who, path in PAGES
    }
    for name in NOT_BUILT_YET:
        pages[name] = {"median_ms": None, "p95_ms": None, "queries": None, "note": "not built yet"}
    return pages


def targets_met(ratio: float, share: float, load: dict, pages: dict) -> dict:
    checkin = load["checkin"]
    doubles = checkin["doubles_in_database"] + checkin["doubles_created_twice"]
    built = [page for page in pages.values() if page["median_ms"] is not None]
    return {
        "checkin_vs_baseline_ratio": ratio <= TARGET_RATIO,
        "throughput_share": share >= TARGET_SHARE,
        "nothing_lost": checkin["lost"] == 0
        and doubles == 0
        and checkin["acknowledged_missing"] == 0,
        "pages": all(page["median_ms"] < TARGET_PAGE_MS for page in built),
    }


def build_results(measured: dict, queries: dict, fixture, fill_seconds: float, info: dict) -> dict:
    from bench import data

    seq, load = measured["sequential"], measured["load"]
    pages = page_results(measured["pages"], queries)
    ratio = seq["checkin"]["median_ms"] / seq["baseline"]["median_ms"]
    share = load["checkin"]["rps"] / load["baseline"]["rps"]
    return {
        "timestamp": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "checkin_vs_baseline_ratio": round(ratio, 3),
        "throughput_share": round(share, 3),
        "lost": load["checkin"]["lost"],
        "doubles": load["checkin"]["doubles_in_database"]
        + load["checkin"]["doubles_created_twice"],
        "errors": load["checkin"]["errors"],
        "pages": pages,
        "targets": {
            "checkin_vs_baseline_ratio": f"<= {TARGET_RATIO}",
            "throughput_share": f">= {TARGET_SHARE}",
            "lost": "== 0",
            "page_median_ms": f"< {TARGET_PAGE_MS}",
        },
        "targets_met": targets_met(ratio, share, load, pages),
        "checkin_vs_baseline": seq,
        "throughput": load,
        "queries": queries["counts"],
        "query_statements": queries["statements"],
        "login": measured["login"],
        "data": {
            "years": data.YEARS,
            "visits_per_opened_day_part": [data.VISITS_MIN, data.VISITS_MAX],
            **fixture.counts,
            f"visits_today_{SLUG}_after_load": visits_today_at_bench_location(),
            "fill_seconds": round(fill_seconds, 1),
        },
        "gunicorn": " ".join(["buurtkamer.wsgi:application", *GUNICORN_ARGS]),
        "load": {
            "connections": CONCURRENCY,
            "seconds_per_endpoint": LOAD_SECONDS,
            "retry_share": RETRY_SHARE,
            "generator": "bench/client.py: threads, http.client keep-alive",
        },
        "machine": info,
    }


def measure_tablet_weight(port: int, fixture) -> dict:
    """Issue 17: what the tablet page transfers, and its LCP and INP (bench/weight.py)."""
    from django.conf import settings

    log("tablet page: bytes over HTTP, LCP and INP in Chromium")
    token = fixture.tablet_tokens[SLUG]
    return weight.measure(port, settings.TABLET_COOKIE_NAME, token, f"/tablet/{SLUG}/")


def clean_up(gunicorn, database: BenchDatabase, created: bool, static_root: Path, started: float):
    signal.alarm(0)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # cleanup runs to its end
    if gunicorn is not None:
        log("stopping gunicorn")
        gunicorn.stop()
    if "django" in sys.modules:
        from django.db import connections

        connections.close_all()
    if created and os.environ.get("BENCH_KEEP_DATABASE") == "1":
        log(f"keeping database {database.name} (BENCH_KEEP_DATABASE=1)")
    elif created:
        log(f"dropping database {database.name}")
        database.drop()
    shutil.rmtree(static_root, ignore_errors=True)
    with contextlib.suppress(OSError):
        Path(f"{static_root}.log").unlink()
    log(f"done in {time.monotonic() - started:.0f} s")


def main() -> int:
    started = time.monotonic()
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGALRM, _interrupt)
    signal.alarm(TIME_LIMIT)
    scale = national.scale_name()
    database = BenchDatabase(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL)
    static_root = Path(tempfile.mkdtemp(prefix="buurtkamer-bench-"))
    env = bench_environment(database, static_root)
    for name in ("DJANGO_CONN_MAX_AGE", "DJANGO_BEHIND_PROXY", "DJANGO_CSRF_TRUSTED_ORIGINS"):
        os.environ.pop(name, None)  # the defaults, whatever this shell has
    os.environ.update(env)
    gunicorn = None
    created = False
    try:
        log(f"creating database {database.name}")
        database.create()
        created = True
        fixture, came_via, fill_seconds = prepare_database()
        info = machine()
        if scale == "national":  # bench/national.py: pages only, at 250 locations
            gunicorn = Gunicorn(
                {**os.environ, **env}, free_port(), static_root.parent / f"{static_root.name}.log"
            )
            measured = national.measure(
                gunicorn, gunicorn.port, fixture, fill_seconds, info, RESULTS
            )
            results = national.write(RESULTS, measured, time.monotonic() - started)
            print(national.report(results), flush=True)
            return 0

        log("counting queries (in process)")
        queries = count_queries(fixture, came_via)
        from django.db import connections

        connections.close_all()

        port = free_port()
        gunicorn = Gunicorn(
            {**os.environ, **env}, port, static_root.parent / f"{static_root.name}.log"
        )
        measured = measure(gunicorn, port, fixture, came_via)
        info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        results = build_results(measured, queries, fixture, fill_seconds, info)
        results.update(measure_tablet_weight(port, fixture))
        results["run_seconds"] = round(time.monotonic() - started, 1)
        results = {"scale": "default", **results, **national.kept(RESULTS)}
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(report(results), flush=True)
        print("\n".join(weight.report(results)), flush=True)
        return 0
    except Interrupted as error:
        log(f"{error}; cleaning up")
        return 1
    finally:
        clean_up(gunicorn, database, created, static_root, started)


if __name__ == "__main__":
    sys.modules.setdefault("bench.run", sys.modules[__name__])  # one module for bench.national
    sys.exit(main())
