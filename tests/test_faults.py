"""Faults: the database goes away, and nothing breaks or is lost (issue 7, item 4).

- A database error on any layer (a view, a middleware) is a calm Dutch 503 page with
  Retry-After, or JSON for the tablet; any other error stays a 500 (both databases).
- PostgreSQL: a connection killed between requests (pg_terminate_backend) is replaced before the
  next request (CONN_HEALTH_CHECKS).
- PostgreSQL: the database stopped answers /healthz 503 (JSON) and pages a Dutch 503 page without
  a traceback; the database restarted in the middle of a bounded load of check-ins, retried with
  the same client_id until acknowledged, loses nothing and doubles nothing. These run gunicorn
  against a private, throwaway PostgreSQL cluster (initdb in a temporary folder, a free port):
  the shared cluster on 5432, which other tests use, is never stopped.
- SQLite: WAL and BEGIN IMMEDIATE, so a second writer waits instead of failing.
- In Chromium: the tablet keeps its taps while the server answers 503, and sends each exactly
  once afterwards.

The PostgreSQL tests skip on SQLite, except on CI (CI=true) with a PostgreSQL DATABASE_URL, where
they must run.
"""

import contextlib
import glob
import http.client
import importlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

import psycopg
import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.urls import reverse

from locations.models import Location, Role
from visitors import services
from visitors.models import Visit

from .factories import PASSWORD, LocationFactory, MembershipFactory
from .support import on_ci_with_postgresql, require_postgresql

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


# The 503 page: a database error on any layer ---------------------------------------------------


class BrokenDatabaseMiddleware:
    """Stands for a middleware (sessions, authentication) that meets the database gone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def assert_dutch_503_page(status, headers, body: str):
    assert status == 503
    assert headers["Content-Type"].startswith("text/html")
    assert int(headers["Retry-After"]) > 0
    assert "Even niet bereikbaar" in body
    assert "Probeer het over een minuut opnieuw" in body
    for leak in ("Traceback", "OperationalError", "InterfaceError", "psycopg", "127.0.0.1"):
        assert leak not in body
    assert "object-src 'none'" in headers["Content-Security-Policy"]


def test_a_database_error_in_a_view_is_a_dutch_503_page(client, login, coordinator):
    login(coordinator)
    with mock.patch.object(services, "counts_on", side_effect=OperationalError("gone")):
        response = client.get(reverse("visitors:tablet", kwargs={"slug": "dokkum"}))
    assert_dutch_503_page(response.status_code, response.headers, response.text)
    assert response["Cache-Control"] == "no-store"


def test_a_database_error_in_a_middleware_is_a_dutch_503_page(db):
    # Django turns a middleware's exception into a 500 response on the spot; the 503 comes from
    # the got_request_exception signal, which the test client also uses to re-raise.
    middleware = [*settings.MIDDLEWARE, f"{__name__}.BrokenDatabaseMiddleware"]
    with override_settings(MIDDLEWARE=middleware):
        response = Client(raise_request_exception=False).get(reverse("account_login"))
    assert_dutch_503_page(response.status_code, response.headers, response.text)


def test_a_database_error_at_the_tablet_endpoint_is_a_json_503(db):
    client = Client(raise_request_exception=False)
    client.cookies[settings.TABLET_COOKIE_NAME] = "any-token"
    with mock.patch.object(services, "tablet_for_token", side_effect=OperationalError("gone")):
        response = client.post(
            reverse("visitors:checkin-api", kwargs={"slug": "dokkum"}),
            {"client_id": str(uuid.uuid4())},
            content_type="application/json",
        )
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert int(response["Retry-After"]) > 0


def test_any_other_error_is_still_a_500(client, login, coordinator):
    login(coordinator)
    client.raise_request_exception = False
    with mock.patch.object(services, "counts_on", side_effect=RuntimeError("a bug")):
        response = client.get(reverse("visitors:tablet", kwargs={"slug": "dokkum"}))
    assert response.status_code == 500
    assert "Er ging iets mis" in response.text
    assert "Retry-After" not in response


# PostgreSQL: a killed connection ---------------------------------------------------------------


def wsgi_request(handler, method, path, *, body=b"", headers=None):
    """One request through Django's WSGI handler, as gunicorn makes it: (status, body)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(len(body)),
        **(headers or {}),
    }
    started = {}

    def start_response(status, response_headers, exc_info=None):
        started["status"] = int(status.split()[0])

    response = handler(environ, start_response)
    try:
        content = b"".join(response)
    finally:
        response.close()  # request_finished: where Django decides to keep the connection
    return started["status"], content


def server_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate(pid: int):
    """Kill one backend from a connection of our own, and wait until it is gone."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        for _ in range(100):
            row = other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
            if row is None:
                return
            time.sleep(0.05)
    pytest.fail(f"backend {pid} did not go away")


@pytest.mark.django_db(transaction=True)
def test_a_connection_killed_between_requests_is_replaced_before_the_next_one():
    require_postgresql()
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    location = LocationFactory()
    coordinator = MembershipFactory(location=location, role=Role.COORDINATOR).user
    _tablet, token = services.pair_tablet(location=location, name="Deur", paired_by=coordinator)
    handler = WSGIHandler()
    tablet_cookie = {"HTTP_COOKIE": f"{settings.TABLET_COOKIE_NAME}={token}"}

    def check_in(client_id):
        return wsgi_request(
            handler,
            "POST",
            reverse("visitors:checkin-api", kwargs={"slug": location.slug}),
            body=json.dumps({"client_id": str(client_id)}).encode(),
            headers={"CONTENT_TYPE": "application/json", **tablet_cookie},
        )

    assert wsgi_request(handler, "GET", "/healthz")[0] == 200
    pid = server_pid()
    assert check_in(uuid.uuid4())[0] == 201
    assert server_pid() == pid  # one persistent connection (CONN_MAX_AGE)

    terminate(pid)

    status, body = check_in(second := uuid.uuid4())
    assert status == 201, body[:500]
    assert server_pid() != pid
    assert wsgi_request(handler, "GET", "/healthz")[0] == 200
    assert Visit.objects.filter(client_id=second).count() == 1


# PostgreSQL: a private cluster to stop and restart ---------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgresql_bin() -> Path | None:
    """The newest installed server binaries (Debian: /usr/lib/postgresql/<major>/bin)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivateCluster:
    """A throwaway PostgreSQL cluster in a temporary folder, on a free port, trust auth."""

    DATABASE = "buurtkamer_faults"

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="buurtkamer-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgresql.log"
        # The server refuses to run as root: then it runs as the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.DATABASE}"

    def run(self, *args, timeout=60):
        command = [*self.as_user, str(self.bindir / args[0]), *args[1:]]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=timeout)

    def init(self):
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--no-sync", "--no-instructions")  # fmt: skip

    def start(self):
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                 "-t", "30", "start")  # fmt: skip

    def stop(self, mode="fast"):
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def is_running(self) -> bool:
        command = [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"]
        return subprocess.run(command, capture_output=True, check=False).returncode == 0

    def connect(self, database=None):
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname=database or self.DATABASE,
            autocommit=True,
            connect_timeout=5,
        )

    def destroy(self):
        with contextlib.suppress(Exception):
            if self.is_running():
                self.stop(mode="immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def app_environment(database_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",  # no collectstatic needed; plain HTTP
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "faults-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "DJANGO_LOG_LEVEL": "CRITICAL",  # the outage is expected: keep the test output short
    }


def manage(environment, *args, timeout=120):
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


SEED = """
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from locations.models import Location, Membership, Role
from visitors import services

dokkum = Location.objects.get(slug="dokkum")
user = get_user_model().objects.create_user("storing@example.org", first_name="Jan")
Membership.objects.create(user=user, location=dokkum, role=Role.COORDINATOR)
_tablet, token = services.pair_tablet(location=dokkum, name="Storing", paired_by=user)
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
print("SEEDED", token, session.session_key)
"""


class Server:
    """gunicorn serving the app against the private cluster."""

    def __init__(self, environment, workers=2):
        self.port = free_port()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "buurtkamer.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "20",
                "--graceful-timeout",
                "2",
            ],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def request(self, method, path, *, body=None, headers=None, timeout=5):
        """(status, headers, text); raises OSError when nothing answers."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.headers, response.read().decode()
        finally:
            conn.close()

    def wait_until_up(self, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            with contextlib.suppress(OSError):
                if self.request("GET", "/healthz")[0] == 200:
                    return
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not come up:\n{self.output()}")

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-5000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module")
def outage_rig():
    """A private PostgreSQL cluster with a migrated database, and gunicorn serving the app."""
    require_postgresql()
    bindir = postgresql_bin()
    if bindir is None:
        if on_ci_with_postgresql():
            pytest.fail("CI=true: the PostgreSQL server binaries (initdb, pg_ctl) must be here.")
        pytest.skip("The PostgreSQL server binaries (initdb, pg_ctl) are not installed.")
    cluster = PrivateCluster(bindir)
    server = None
    try:
        cluster.init()
        cluster.start()
        with cluster.connect("postgres") as admin:
            admin.execute(f"CREATE DATABASE {cluster.DATABASE}")
        environment = app_environment(cluster.url)
        manage(environment, "migrate", "--noinput", "-v0")
        seeded = manage(environment, "shell", "-c", SEED).splitlines()
        line = next(line for line in seeded if line.startswith("SEEDED "))
        _marker, token, session_key = line.split()
        server = Server(environment)
        server.wait_until_up()
        yield cluster, server, token, session_key
    finally:
        if server is not None:
            server.stop()
        cluster.destroy()


def probe(server, path, cookies: dict, **kwargs):
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return server.request("GET", path, headers={"Cookie": cookie, **kwargs})


def tap(server, token, client_id, timeout=5):
    return server.request(
        "POST",
        "/tablet/dokkum/api/bezoek/",
        body=json.dumps({"client_id": str(client_id)}),
        headers={
            "Content-Type": "application/json",
            "Cookie": f"{settings.TABLET_COOKIE_NAME}={token}",
        },
        timeout=timeout,
    )


def test_with_the_database_stopped_healthz_and_pages_answer_503(outage_rig):
    cluster, server, token, session_key = outage_rig
    logged_in = {settings.SESSION_COOKIE_NAME: session_key}
    tablet = {settings.TABLET_COOKIE_NAME: token}
    # Both workers hold a connection before the database goes.
    for _ in range(4):
        assert probe(server, "/", logged_in)[0] == 200
        assert probe(server, "/tablet/dokkum/", tablet)[0] == 200

    cluster.stop()
    try:
        for _ in range(3):  # more than one worker answers
            status, headers, body = server.request("GET", "/healthz")
            assert status == 503
            assert headers["Content-Type"] == "application/json"
            assert json.loads(body) == {
                "status": "error",
                "database": "unavailable",
                "error": "OperationalError",
            }
            for path, cookies in [
                ("/", logged_in),
                ("/accounts/login/", logged_in),
                ("/locaties/dokkum/vandaag/", logged_in),
                ("/tablet/dokkum/", tablet),
            ]:
                status, headers, body = probe(server, path, cookies)
                assert_dutch_503_page(status, headers, body)
            status, headers, body = tap(server, token, uuid.uuid4())
            assert status == 503
            assert json.loads(body) == {"status": "unavailable"}
        # Someone without a session still gets the login page (it needs no database); logging
        # in does need it: a 503 page, not a 500.
        status, headers, body = server.request("GET", "/accounts/login/")
        assert status == 200
        csrf_cookie = headers["Set-Cookie"].split(";")[0]
        assert csrf_cookie.startswith(f"{settings.CSRF_COOKIE_NAME}=")
        csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        status, headers, body = server.request(
            "POST",
            "/accounts/login/",
            body=urlencode(
                {"csrfmiddlewaretoken": csrf_token, "login": "a@example.org", "password": "x"}
            ),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": csrf_cookie,
                "Origin": f"http://127.0.0.1:{server.port}",
            },
        )
        assert_dutch_503_page(status, headers, body)
    finally:
        cluster.start()

    deadline = time.monotonic() + 10
    while server.request("GET", "/healthz")[0] != 200:
        assert time.monotonic() < deadline, "not healthy 10 s after the database came back"
        time.sleep(0.2)
    assert probe(server, "/", logged_in)[0] == 200


def test_a_restart_in_the_middle_of_check_ins_loses_and_doubles_nothing(outage_rig):
    cluster, server, token, _session_key = outage_rig
    taps = [uuid.uuid4() for _ in range(120)]
    acknowledged: dict[uuid.UUID, float] = {}  # client_id → when the server said yes
    failed_once: set[uuid.UUID] = set()
    repeated: dict[uuid.UUID, dict] = {}  # sent again after a yes, as after a lost answer
    lock = threading.Lock()
    deadline = time.monotonic() + 50
    restarted = {"down": None, "back": None}

    def send_until_acknowledged(index, client_id):
        while time.monotonic() < deadline:
            try:
                status, _headers, body = tap(server, token, client_id)
            except OSError:
                status, body = None, ""
            if status in (200, 201):
                answer = json.loads(body)
                assert answer["status"] == "ok"
                with lock:
                    acknowledged[client_id] = time.monotonic()
                break
            assert status in (None, 502, 503), f"{status}: {body[:300]}"
            with lock:
                failed_once.add(client_id)
            time.sleep(0.1)
        else:
            return
        if index % 5 == 0:  # the answer got lost: the tablet sends the same tap again
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError):
                    status, _headers, body = tap(server, token, client_id)
                    if status in (200, 201):
                        repeated[client_id] = {"http": status, **json.loads(body)}
                        return
                time.sleep(0.1)

    def restart_midway():
        while len(acknowledged) < len(taps) // 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        restarted["down"] = time.monotonic()
        cluster.stop(mode="fast")
        time.sleep(2)  # the load goes on against a stopped database
        cluster.start()
        restarted["back"] = time.monotonic()

    restarter = threading.Thread(target=restart_midway)
    restarter.start()
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            for future in [pool.submit(send_until_acknowledged, i, c) for i, c in enumerate(taps)]:
                future.result(timeout=60)
    finally:
        restarter.join(timeout=60)
        if not cluster.is_running():
            cluster.start()

    assert restarted["back"] is not None, "the restart did not happen"
    assert failed_once, "no tap met the outage: the restart came too late to prove anything"
    lost_ack = [client_id for client_id in taps if client_id not in acknowledged]
    assert lost_ack == [], f"{len(lost_ack)} taps never acknowledged within the time bound"
    first_after = min(at for at in acknowledged.values() if at >= restarted["back"])
    assert first_after - restarted["back"] < 10, "no success within 10 s of the database's return"
    assert len(repeated) == len(taps[::5])
    assert all(
        answer["http"] == 200 and answer["created"] is False for answer in repeated.values()
    ), repeated

    with cluster.connect() as db:
        rows = db.execute(
            "SELECT client_id, count(*) FROM visitors_visit WHERE client_id = ANY(%s) "
            "GROUP BY client_id",
            [taps],
        ).fetchall()
        stored = dict(rows)
        all_rows = db.execute(
            "SELECT count(*) FROM visitors_visit v JOIN visitors_tablet t "
            "ON v.recorded_by_tablet_id = t.id WHERE t.name = 'Storing' AND v.received_at >= "
            "now() - interval '5 minutes'"
        ).fetchone()[0]
    assert [c for c in acknowledged if c not in stored] == []  # acknowledged and lost: 0
    assert [c for c, count in stored.items() if count > 1] == []  # doubles: 0
    assert failed_once <= set(stored)  # every retried tap stored in the end
    assert all_rows == len(taps)  # nothing else slipped in


# SQLite: WAL and immediate transactions --------------------------------------------------------

TWO_WRITERS = textwrap.dedent(
    """
    import json, sys, threading, time, uuid
    import django
    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from locations.models import Location
    from visitors import services
    from visitors.models import Visit

    settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] = sys.argv[1]
    location = Location.objects.get(slug="dokkum")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    connection.close()
    holding = threading.Event()
    result = {"journal_mode": journal_mode, "errors": []}

    def first():  # reads, writes, and keeps its transaction open a while
        try:
            with transaction.atomic():
                Visit.objects.count()
                services.record_visit(location=location, client_id=uuid.uuid4())
                holding.set()
                time.sleep(1.0)
        except Exception as error:
            result["errors"].append(repr(error))
            holding.set()
        finally:
            connection.close()

    def second():  # the same, while the first still writes
        holding.wait(10)
        started = time.monotonic()
        try:
            with transaction.atomic():
                Visit.objects.count()
                services.record_visit(location=location, client_id=uuid.uuid4())
        except Exception as error:
            result["errors"].append(repr(error))
        finally:
            result["waited"] = time.monotonic() - started
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    result["visits"] = Visit.objects.count()
    print(json.dumps(result))
    """
)


@pytest.fixture
def sqlite_file():
    folder = Path(tempfile.mkdtemp(prefix="buurtkamer-sqlite-"))
    try:
        environment = app_environment(f"sqlite:///{folder / 'db.sqlite3'}")
        manage(environment, "migrate", "--noinput", "-v0")
        yield environment
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def two_writers(environment, transaction_mode):
    result = subprocess.run(
        [PYTHON, "-c", TWO_WRITERS, transaction_mode],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_on_sqlite_a_second_writer_waits_instead_of_failing(sqlite_file):
    result = two_writers(sqlite_file, "IMMEDIATE")  # as in settings.py
    assert result["journal_mode"] == "wal"
    assert result["errors"] == []
    assert result["visits"] == 2
    assert result["waited"] >= 0.5  # it waited for the first writer's commit


def test_on_sqlite_without_immediate_transactions_the_second_writer_would_fail(sqlite_file):
    """The control: proves the test above would catch a switch back to deferred."""
    result = two_writers(sqlite_file, "DEFERRED")
    assert any("database is locked" in error for error in result["errors"]), result


# In the browser: the tablet keeps its taps while the server answers 503 -------------------------

BUURTKAMERS_MIGRATION = importlib.import_module("locations.migrations.0002_the_four_buurtkamers")


@pytest.fixture
def tablet_page(browser, live_server):
    """The Dokkum tablet in Chromium, paired through the real flow; no service worker, so that
    page.route() sees every request of the page."""
    BUURTKAMERS_MIGRATION.create_locations(django_apps, None)  # a flush may have removed them
    dokkum = Location.objects.get(slug="dokkum")
    coordinator = MembershipFactory(location=dokkum, role=Role.COORDINATOR).user
    context = browser.new_context(
        base_url=live_server.url,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        service_workers="block",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/accounts/login/?next=/tablet/dokkum/")
        page.locator("#id_login").fill(coordinator.email)
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url("**/tablet/dokkum/")
        page.get_by_label("Naam van deze tablet").fill("Tablet Dokkum voordeur")
        page.get_by_role("button", name="Koppel deze tablet").click()
        page.wait_for_url("**/tablet/dokkum/")
        yield page
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_tablet_keeps_its_taps_through_503s_and_sends_each_exactly_once(tablet_page):
    page = tablet_page
    unavailable = {
        "status": 503,
        "content_type": "application/json",
        "body": '{"status": "unavailable"}',
    }
    seen = {"mode": "lose the answer", "refused": 0, "passed": 0}

    def server_in_trouble(route):
        if seen["mode"] == "lose the answer":
            # The first tap reaches the server and is stored, but its answer is a 503.
            route.fetch()
            seen["mode"] = "refuse"
            route.fulfill(**unavailable)
        elif seen["mode"] == "refuse":
            seen["refused"] += 1
            route.fulfill(**unavailable)
        else:
            seen["passed"] += 1
            route.continue_()

    page.route("**/api/bezoek/", server_in_trouble)
    button = page.get_by_role("button", name="Bezoeker binnen")
    button.click()
    page.wait_for_function("() => document.getElementById('wachtrij').hidden === false")
    for _ in range(3):
        page.wait_for_timeout(600)  # the next visitor: not a double tap (counted once)
        button.click()
    page.wait_for_timeout(1500)  # the queue's retry meets the 503 again
    status = page.locator("#wachtrij")
    assert status.inner_text().startswith("4 wachten op verbinding")
    assert page.locator("#teller").inner_text() == "4"
    assert seen["refused"] >= 2
    assert Visit.objects.count() == 1  # the tap whose answer was lost

    seen["mode"] = "recovered"
    page.wait_for_function(
        "() => document.getElementById('wachtrij').hidden === true", timeout=20_000
    )
    assert page.locator("#teller").inner_text() == "4"
    assert seen["passed"] == 4  # the lost answer's tap once more, then the three others
    assert Visit.objects.count() == 4  # no tap lost, none doubled
    assert Visit.objects.values("client_id").distinct().count() == 4
