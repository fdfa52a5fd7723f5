"""`make deploy-check`: the server recipe of deploy/ on this machine, end to end.

Into a temporary prefix: deploy/install.sh (twice: install, then the upgrade path), nginx with the
site it wrote and a self-signed certificate, two gunicorn instances started from the *unit
files'* ExecStart lines (systemd need not be PID 1: the lines are parsed and run, with the
unit's EnvironmentFile), and a PostgreSQL database of its own (buurtkamer_deploycheck, dropped
afterwards). Then, over https://127.0.0.1:<port> with DJANGO_DEBUG=0:

- HTTP redirects to HTTPS; the login page with `__Host-` cookies, HSTS and CSP; a hashed static
  file gzip-compressed with a year's cache;
- the upgrade: install.sh again and each instance's ExecReload (gunicorn's graceful reload)
  while requests keep coming: none fails;
- a coordinator logs in and pairs a tablet; 200 check-ins from 4 threads while one gunicorn
  instance is SIGKILLed (with its workers) and started again; each failed request is retried
  with the same client_id (as static/js/tablet.js does): exactly 200 visits, none lost, none
  doubled;
- /healthz: 200; 503 naming "migrations" while an app is migrated back a step, and "jobs" while
  a job has no success; 200 again after;
- every timer's service run twice: the second run sends no e-mail (an SMTP sink counts them)
  and changes no table (backup: still one backup of today);
- `manage.py backup`, the database dropped and created empty, `manage.py restore`: every
  table's row count equal.

Prints figures as it goes, and a summary; exits non-zero on the first failed expectation.
Traffic stays on 127.0.0.1. Cleans up in every case (processes, database, folder).
"""

import contextlib
import http.client
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("DEPLOY_CHECK_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "buurtkamer_deploycheck"
CHECKINS, THREADS = 200, 4
COORDINATOR = ("coordinator.dokkum@example.org", "buurtkamer")  # the demo data's
STARTED = time.monotonic()
figures: dict = {}


class CheckFailed(Exception):
    pass


def log(message):
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)
    log(f"ok   {message}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise CheckFailed(f"nothing answers on port {port} after {seconds} s")


# Unit files ----------------------------------------------------------------------------------


def unit_settings(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def environment_file(path: Path) -> dict[str, str]:
    """systemd's EnvironmentFile= (KEY=VALUE lines, optional double quotes)."""
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            env[key.strip()] = value
    return env


def unit_command(unit: Path, instance: str, key="ExecStart", mainpid=None) -> tuple[list, dict]:
    """The unit's command line for this instance, and its environment (EnvironmentFile)."""
    settings = unit_settings(unit)
    line = settings[key].lstrip("-@+!:").replace("%i", instance)
    if mainpid is not None:
        line = line.replace("$MAINPID", str(mainpid))
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}
    env.update(environment_file(Path(settings["EnvironmentFile"].lstrip("-"))))
    return shlex.split(line), env | {"_CWD": settings.get("WorkingDirectory", "/")}


def run_unit(unit: Path, instance: str, **kwargs) -> subprocess.CompletedProcess:
    command, env = unit_command(unit, instance)
    cwd = env.pop("_CWD")
    result = subprocess.run(  # noqa: S603
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise CheckFailed(f"{unit.name} ({instance}) failed:\n{result.stdout}\n{result.stderr}")
    return result


class AppServer:
    """One gunicorn instance, from buurtkamer@.service's ExecStart (in its own process group)."""

    def __init__(self, unit: Path, port: int, log_path: Path):
        self.unit, self.port, self.log_path = unit, port, log_path
        self.process = None

    def start(self):
        command, env = unit_command(self.unit, str(self.port))
        cwd = env.pop("_CWD")
        env.pop("NOTIFY_SOCKET", None)
        self.process = subprocess.Popen(  # noqa: S603
            command,
            env=env,
            cwd=cwd,
            stdout=self.log_path.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port)

    def reload(self):
        """The unit's ExecReload (kill -HUP $MAINPID)."""
        command, env = unit_command(self.unit, str(self.port), "ExecReload", self.process.pid)
        env.pop("_CWD")
        subprocess.run(command, env=env, check=True)  # noqa: S603

    def kill(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


# An SMTP sink: the jobs' e-mails arrive here and are counted ---------------------------------


class Sink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    received = 0


class SinkHandler(socketserver.StreamRequestHandler):
    def handle(self):
        def answer(text):
            self.wfile.write(text.encode() + b"\r\n")

        answer("220 deploy-check sink")
        in_data = False
        while line := self.rfile.readline():
            if in_data:
                if line.rstrip(b"\r\n") == b".":
                    in_data = False
                    self.server.received += 1
                    answer("250 queued")
                continue
            verb = line[:4].upper()
            if verb == b"DATA":
                in_data = True
                answer("354 go on")
            elif verb == b"QUIT":
                answer("221 bye")
                return
            else:
                answer("250 ok")


# HTTPS client ---------------------------------------------------------------------------------


class Browser:
    """Keeps cookies and one keep-alive connection; speaks to nginx only."""

    def __init__(self, port: int, context: ssl.SSLContext):
        self.port, self.context = port, context
        self.cookies: dict[str, str] = {}
        self.raw_cookies: list[str] = []
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPSConnection(
                    "127.0.0.1", self.port, context=self.context, timeout=30
                )
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            self.raw_cookies.append(header)
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, data

    def csrf_of(self, html: bytes) -> str:
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not match:
            raise CheckFailed("no CSRF token in the page")
        return match.group(1).decode()

    def post_form(self, path, fields: dict, referer_path):
        from urllib.parse import urlencode

        origin = f"https://127.0.0.1:{self.port}"
        return self.request(
            "POST",
            path,
            urlencode(fields),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + referer_path,
            },
        )


# The check ------------------------------------------------------------------------------------


class Check:
    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="buurtkamer-deploycheck-"))
        os.chmod(self.tmp, 0o755)  # noqa: S103 - nginx's workers read the static files
        self.prefix = self.tmp / "root"
        self.https_port, self.http_port = free_port(), free_port()
        self.app_ports = [free_port(), free_port()]
        self.smtp = Sink(("127.0.0.1", 0), SinkHandler)
        threading.Thread(target=self.smtp.serve_forever, daemon=True).start()
        self.database_url = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
        self.servers: list[AppServer] = []
        self.nginx = None
        self.context = None  # trusts only the self-signed certificate, once made

    # database
    def admin(self):
        return psycopg.connect(ADMIN_URL, autocommit=True)

    def drop_database(self):
        with self.admin() as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [DB_NAME],
            )
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(DB_NAME)))

    def create_database(self):
        with self.admin() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))

    def query(self, statement, params=None):
        with psycopg.connect(self.database_url, autocommit=True) as db:
            cursor = db.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def row_counts(self, leave_out=()) -> dict[str, int]:
        tables = [
            row[0]
            for row in self.query(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            table: self.query(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))[0][
                0
            ]
            for table in tables
            if table not in leave_out
        }

    # paths
    @property
    def unit_dir(self):
        return self.prefix / "etc/systemd/system"

    @property
    def env_file(self):
        return self.prefix / "etc/buurtkamer/env"

    def manage(self, *args, extra_env=None, stdin=None):
        command, env = unit_command(self.unit_dir / "buurtkamer-job@.service", "x")
        cwd = env.pop("_CWD")
        env.update(extra_env or {})
        result = subprocess.run(  # noqa: S603
            [command[0], str(Path(cwd) / "manage.py"), *args],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            input=stdin,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            raise CheckFailed(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    # steps
    def prepare(self):
        log(
            f"temporary prefix {self.prefix}; https {self.https_port}, http {self.http_port}, "
            f"app servers {self.app_ports}"
        )
        openssl = shutil.which("openssl") or "/usr/bin/openssl"
        subprocess.run(  # noqa: S603
            [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(self.tmp / "key.pem"), "-out", str(self.tmp / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        self.context = ssl.create_default_context(cafile=str(self.tmp / "cert.pem"))
        self.drop_database()
        self.create_database()
        # The environment file an administrator would have edited after the first install.
        self.env_file.parent.mkdir(parents=True)
        state = self.prefix / "var/lib/buurtkamer"
        self.env_file.write_text(
            "\n".join(
                [
                    "DJANGO_DEBUG=0",
                    f"DJANGO_SECRET_KEY=deploy-check-{uuid.uuid4().hex}{uuid.uuid4().hex}",
                    "MFA_ENCRYPTION_KEY=ZGVwbG95LWNoZWNrLW9ubHktbWZhLWtleS0zMmJ5dGU=",
                    "DJANGO_ALLOWED_HOSTS=127.0.0.1",
                    f"DATABASE_URL={self.database_url}",
                    "EMAIL_HOST=127.0.0.1",
                    f"EMAIL_PORT={self.smtp.server_address[1]}",
                    "EMAIL_USE_TLS=0",
                    'DEFAULT_FROM_EMAIL="Buurtkamer <noreply@buurtkamer.nl>"',
                    "DJANGO_SECURE_SSL_REDIRECT=1",
                    "DJANGO_BEHIND_PROXY=1",
                    f"DJANGO_STATIC_ROOT={state}/static",
                    f"BACKUP_DIR={state}/backups",
                    f"SITE_URL=https://127.0.0.1:{self.https_port}",
                    "DJANGO_HEALTHZ_JOBS=1",
                    "GUNICORN_WORKERS=2",
                    "GUNICORN_THREADS=4",
                    "DJANGO_LOG_LEVEL=ERROR",
                ]
            )
            + "\n"
        )

    def install(self, label):
        started = time.monotonic()
        result = subprocess.run(  # noqa: S603
            ["/bin/bash", str(ROOT / "deploy/install.sh")],
            env={
                **os.environ,
                "PREFIX": str(self.prefix),
                "VENV": str(Path(os.path.abspath(sys.executable)).parent.parent),
                "PIP_INSTALL": "0",
                "APP_PORTS": " ".join(map(str, self.app_ports)),
                "HTTP_PORT": str(self.http_port),
                "HTTPS_PORT": str(self.https_port),
                "SERVER_NAME": "127.0.0.1",
                "APP_USER": pwd.getpwuid(os.geteuid()).pw_name,  # no user of its own here
                "TLS_CERT": str(self.tmp / "cert.pem"),
                "TLS_KEY": str(self.tmp / "key.pem"),
                "PYTHON": sys.executable,
            },
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            raise CheckFailed(f"install.sh failed:\n{result.stdout}\n{result.stderr}")
        figures[f"install.sh ({label}) s"] = round(time.monotonic() - started, 1)
        expect(True, f"install.sh ({label}) in {figures[f'install.sh ({label}) s']} s")

    def verify_units(self):
        """systemd's own reading of the written units and timers (when systemd-analyze is
        here; it needs no running systemd): no warning, and every OnCalendar parses."""
        analyze = shutil.which("systemd-analyze")
        if not analyze:
            log("systemd-analyze not found: the unit files are only parsed by this check")
            return
        folder = self.tmp / "units"
        folder.mkdir()
        names = []
        for unit in self.unit_dir.glob("buurtkamer*"):
            if unit.name.endswith("@.service"):
                instance = "8001" if unit.name.startswith("buurtkamer@") else "backup"
                target = folder / unit.name.replace("@.", f"@{instance}.")
            else:
                target = folder / unit.name
            shutil.copy(unit, target)
            names.append(str(target))
        result = subprocess.run(  # noqa: S603
            [analyze, "verify", "--man=no", *sorted(names)],
            capture_output=True, text=True, check=False,
            env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"},
        )  # fmt: skip
        expect(
            result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip(),
            f"systemd-analyze verify: {len(names)} units, no warning "
            f"{(result.stdout + result.stderr).strip()}",
        )
        calendars = [unit_settings(Path(n))["OnCalendar"] for n in names if n.endswith(".timer")]
        result = subprocess.run(  # noqa: S603
            [analyze, "calendar", *calendars], capture_output=True, text=True, check=False
        )
        expect(result.returncode == 0, f"systemd-analyze calendar: {len(calendars)} times parse")

    def start_nginx(self):
        conf = self.tmp / "nginx.conf"
        temp = self.tmp / "nginx-temp"
        temp.mkdir()
        site = self.prefix / "etc/nginx/sites-enabled/buurtkamer"
        user = "user root;" if os.geteuid() == 0 else ""
        conf.write_text(
            f"""{user}
worker_processes 1;
pid {self.tmp}/nginx.pid;
error_log {self.tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""
        )
        subprocess.run(["nginx", "-t", "-q", "-c", str(conf)], check=True)  # noqa: S603,S607
        self.nginx = subprocess.Popen(  # noqa: S603
            ["nginx", "-c", str(conf), "-g", "daemon off;"],  # noqa: S607
            start_new_session=True,
        )
        wait_for_port(self.https_port)

    def start_app_servers(self):
        unit = self.unit_dir / "buurtkamer@.service"
        self.servers = [AppServer(unit, port, self.tmp / f"gunicorn-{port}.log")
                        for port in self.app_ports]  # fmt: skip
        for server in self.servers:
            server.start()
        log(f"two gunicorn instances from {unit.name}'s ExecStart")

    def browser(self):
        return Browser(self.https_port, self.context)

    def check_https(self):
        plain = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        plain.request("GET", "/accounts/login/")
        response = plain.getresponse()
        expect(
            response.status == 301
            and response.getheader("Location")
            == f"https://127.0.0.1:{self.https_port}/accounts/login/",
            f"HTTP redirects to HTTPS ({response.status} {response.getheader('Location')})",
        )
        browser = self.browser()
        response, html = browser.request("GET", "/accounts/login/")
        expect(response.status == 200 and b'name="password"' in html, "the login page over HTTPS")
        hsts = response.getheader("Strict-Transport-Security") or ""
        expect("max-age=31536000" in hsts, f"HSTS: {hsts}")
        csp = response.getheader("Content-Security-Policy") or ""
        expect("default-src 'self'" in csp and "unsafe-inline" not in csp, "CSP: own origin only")
        cookie = next((c for c in browser.raw_cookies if c.startswith("__Host-csrftoken=")), "")
        expect(
            "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie,
            "__Host-csrftoken cookie: Secure, Path=/, no Domain",
        )
        stylesheet = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', html)
        expect(stylesheet is not None, "the page links a hashed stylesheet")
        response, body = browser.request(
            "GET", stylesheet.group(1).decode(), headers={"Accept-Encoding": "gzip"}
        )
        expect(
            response.status == 200
            and response.getheader("Content-Encoding") == "gzip"
            and "max-age=31536000" in (response.getheader("Cache-Control") or "")
            and "immutable" in response.getheader("Cache-Control"),
            f"static file gzip-compressed from disk, cached a year ({len(body)} bytes)",
        )
        return browser

    def login_and_pair(self) -> Browser:
        browser = self.browser()
        _, html = browser.request("GET", "/accounts/login/")
        response, _ = browser.post_form(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": browser.csrf_of(html),
                "login": COORDINATOR[0],
                "password": COORDINATOR[1],
            },
            "/accounts/login/",
        )
        session = next((c for c in browser.raw_cookies if c.startswith("__Host-sessionid=")), "")
        expect(
            response.status == 302 and "Secure" in session and "HttpOnly" in session,
            "a coordinator logs in (__Host-sessionid: Secure, HttpOnly)",
        )
        _, html = browser.request("GET", "/tablet/dokkum/")
        response, _ = browser.post_form(
            "/tablet/dokkum/koppelen/",
            {"csrfmiddlewaretoken": browser.csrf_of(html), "name": "Deploy-check tablet"},
            "/tablet/dokkum/",
        )
        tablet = next(
            (c for c in browser.raw_cookies if c.startswith("__Host-buurtkamer-tablet=")), ""
        )
        expect(response.status == 302 and "Secure" in tablet, "the tablet is paired")
        return browser

    def graceful_upgrade(self):
        """install.sh again (the upgrade path), then each instance's ExecReload while
        requests keep coming: none may fail."""
        stop, results = threading.Event(), {"ok": 0, "failed": 0}

        def traffic():
            browser = self.browser()
            while not stop.is_set():
                try:
                    response, _ = browser.request("GET", "/accounts/login/")
                    results["ok" if response.status == 200 else "failed"] += 1
                except (OSError, http.client.HTTPException):
                    results["failed"] += 1
                    browser.connection = None

        worker = threading.Thread(target=traffic)
        worker.start()
        try:
            self.install("upgrade")
            for server in self.servers:
                server.reload()
                time.sleep(3)  # the new workers boot; the old ones finish
        finally:
            stop.set()
            worker.join()
        figures["requests during upgrade (ok, failed)"] = (results["ok"], results["failed"])
        expect(
            results["failed"] == 0 and results["ok"] > 0,
            f"upgrade with graceful reload: {results['ok']} requests, {results['failed']} failed",
        )
        current = str((self.prefix / "opt/buurtkamer/current").resolve())
        for server in self.servers:
            deadline = time.monotonic() + 40  # the old workers finish their requests first
            while True:
                workers = subprocess.run(  # noqa: S603
                    ["pgrep", "-P", str(server.process.pid)],  # noqa: S607
                    capture_output=True, text=True, check=False,
                ).stdout.split()  # fmt: skip
                cwds = {os.path.realpath(f"/proc/{pid}/cwd") for pid in workers}
                if cwds == {current} or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            expect(cwds == {current}, f"port {server.port}: workers run the new release")

    def checkins(self, tablet: Browser):
        """200 check-ins from 4 threads; one instance is killed and restarted meanwhile."""
        tablet_cookie = tablet.cookies["__Host-buurtkamer-tablet"]
        client_ids = [str(uuid.uuid4()) for _ in range(CHECKINS)]
        per_thread = [client_ids[i::THREADS] for i in range(THREADS)]
        stats = {"requests": 0, "retries": 0, "errors": 0, "created": 0, "repeated": 0}
        kinds: dict[str, int] = {}  # what the errors were: an HTTP status or an exception
        lock = threading.Lock()
        done = threading.Semaphore(0)

        def worker(ids):
            browser = self.browser()
            browser.cookies = {"__Host-buurtkamer-tablet": tablet_cookie}
            for client_id in ids:
                body = json.dumps({"client_id": client_id, "tapped_at": ""})
                for attempt in range(60):
                    with lock:
                        stats["requests"] += 1
                        stats["retries"] += attempt > 0
                    try:
                        response, data = browser.request(
                            "POST",
                            "/tablet/dokkum/api/bezoek/",
                            body,
                            {
                                "Content-Type": "application/json",
                                "Origin": f"https://127.0.0.1:{self.https_port}",
                            },
                        )
                        if response.status in (200, 201) and json.loads(data)["status"] == "ok":
                            with lock:
                                stats["created" if response.status == 201 else "repeated"] += 1
                            break
                        with lock:
                            stats["errors"] += 1
                            kinds[str(response.status)] = kinds.get(str(response.status), 0) + 1
                    except (OSError, http.client.HTTPException, ValueError) as error:
                        with lock:
                            stats["errors"] += 1
                            kinds[type(error).__name__] = kinds.get(type(error).__name__, 0) + 1
                        browser.connection = None
                    time.sleep(min(0.05 * 2**attempt, 1.0))
                else:
                    raise CheckFailed(f"{client_id} never acknowledged")
                done.release()
                time.sleep(0.01)

        threads = [threading.Thread(target=worker, args=(ids,)) for ids in per_thread]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for _ in range(CHECKINS // 4):
            done.acquire()
        victim = self.servers[0]
        victim.kill()
        log(f"SIGKILL to gunicorn on port {victim.port} (master and workers)")
        time.sleep(1)
        victim.start()
        log(f"gunicorn on port {victim.port} started again")
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        rows = self.query(
            "SELECT count(*), count(DISTINCT client_id) FROM visitors_visit "
            "WHERE client_id = ANY(%s::uuid[])",
            [client_ids],
        )[0]
        figures["check-ins"] = {
            **stats,
            "error kinds": kinds,
            "visits": rows[0],
            "distinct": rows[1],
            "s": round(seconds, 1),
        }
        log(f"check-ins: {figures['check-ins']}")
        expect(rows[0] == CHECKINS, f"exactly {CHECKINS} visits ({rows[0]}), 0 lost")
        expect(rows[0] == rows[1], "0 doubled")

    def healthz(self, expected_status):
        response, body = self.browser().request("GET", "/healthz")
        answer = json.loads(body)
        if response.status != expected_status:
            raise CheckFailed(f"/healthz: {response.status} {answer}, expected {expected_status}")
        return answer

    def check_healthz(self):
        answer = self.healthz(200)
        expect(answer["jobs"] == "ok", f"/healthz 200: {answer}")
        migrations = sorted(
            path.stem
            for path in (self.prefix / "opt/buurtkamer/current/activities/migrations").glob("0*.py")
        )
        self.manage("migrate", "activities", migrations[-2], "--noinput")
        answer = self.healthz(503)
        expect(
            answer["failed"] == ["migrations"]
            and answer["unapplied"] == [f"activities.{migrations[-1]}"],
            f"/healthz 503 with activities back a step: {answer}",
        )
        self.manage("migrate", "--noinput")
        self.healthz(200)
        self.query("DELETE FROM buurtkamer_jobrun WHERE name = 'send_roster_alerts'")
        answer = self.healthz(503)
        expect(
            answer["failed"] == ["jobs"] and answer["jobs"] == {"send_roster_alerts": "never"},
            f"/healthz 503 while a job has not run: {answer}",
        )
        run_unit(self.unit_dir / "buurtkamer-job@.service", "send_roster_alerts")
        expect(self.healthz(200)["status"] == "ok", "/healthz 200 after the job ran")

    def check_timers(self):
        """Each timer's service twice: the second run sends nothing and changes no table."""
        backups = self.prefix / "var/lib/buurtkamer/backups"
        leave_out = {"buurtkamer_jobrun", "buurtkamer_cache", "django_session"}
        timers = sorted(self.unit_dir.glob("buurtkamer-*.timer"))
        # One timer per job of buurtkamer/jobs.py (tests/test_deploy.py checks the set): all
        # the recipe's timers are installed.
        shipped = len(list((ROOT / "deploy/systemd").glob("buurtkamer-*.timer")))
        expect(len(timers) == shipped, f"{len(timers)} of {shipped} timers, each Persistent=true")
        for timer in timers:
            settings = unit_settings(timer)
            if settings.get("Persistent") != "true":
                raise CheckFailed(f"{timer.name}: Persistent=true missing")
            service, instance = settings["Unit"].removesuffix(".service").split("@")
            unit = self.unit_dir / f"{service}@.service"
            mails_before = self.smtp.received
            run_unit(unit, instance)
            first = self.smtp.received - mails_before
            counts = self.row_counts(leave_out)
            run_unit(unit, instance)
            second = self.smtp.received - mails_before - first
            changed = {
                table: (counts[table], count)
                for table, count in self.row_counts(leave_out).items()
                if counts.get(table) != count
            }
            dumps = [path.name for path in backups.iterdir() if path.suffix == ".dump"]
            expect(
                second == 0 and not changed and len(dumps) == 1,
                f"{timer.name}: run twice; e-mails {first} then {second}, "
                f"tables changed by the second run: {changed or 'none'}, backups: {len(dumps)}",
            )

    def check_backup_restore(self):
        for server in self.servers:
            server.stop()
        before = self.row_counts()
        output = self.manage("backup")
        path = Path(re.search(r"Wrote (\S+)", output).group(1))
        figures["backup bytes"] = path.stat().st_size
        self.drop_database()
        self.create_database()
        started = time.monotonic()
        self.manage("restore", str(path), "--yes")
        figures["restore s"] = round(time.monotonic() - started, 2)
        after = self.row_counts()
        expect(
            before == after and sum(before.values()) > 0,
            f"backup ({path.stat().st_size} bytes), drop, restore ({figures['restore s']} s): "
            f"{len(after)} tables, {sum(after.values())} rows, every count equal",
        )

    def run(self):
        self.prepare()
        self.install("first install")
        self.verify_units()
        log("demo data (DJANGO_DEBUG=1 for this one command: demo refuses otherwise)")
        self.manage("demo", extra_env={"DJANGO_DEBUG": "1"})
        self.start_app_servers()
        self.start_nginx()
        self.check_https()
        self.graceful_upgrade()
        tablet = self.login_and_pair()
        self.checkins(tablet)
        self.check_healthz()
        self.check_timers()
        self.check_backup_restore()

    def cleanup(self):
        for server in self.servers:
            server.stop()
        if self.nginx and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(10)
        self.smtp.shutdown()
        with contextlib.suppress(psycopg.Error):
            self.drop_database()
        if os.environ.get("DEPLOY_CHECK_KEEP"):
            log(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def stopped(signum, frame):
    raise KeyboardInterrupt  # timeout(1) sends SIGTERM: clean up as after Ctrl+C


def main() -> int:
    check = Check()
    signal.signal(signal.SIGTERM, stopped)
    try:
        check.run()
    except (CheckFailed, subprocess.CalledProcessError) as error:
        log(f"FAILED {error}")
        for log_file in sorted(check.tmp.glob("*.log")):
            print(f"--- {log_file.name} (last lines)\n" + "\n".join(
                log_file.read_text(errors="replace").splitlines()[-15:]))  # fmt: skip
        return 1
    finally:
        check.cleanup()
    figures["wall s"] = round(time.monotonic() - STARTED, 1)
    print("deploy-check figures: " + json.dumps(figures, default=str))
    log("deploy check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
