"""Running it for real (issue 16): /healthz tells the truth, the scheduled jobs record their
success, and `manage.py backup` / `restore` with retention. The server recipe itself (install.sh,
nginx, two gunicorns, the restore drill on PostgreSQL) is `make deploy-check` (deploy/check.py).
"""

import datetime
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse
from django.utils import timezone

from buurtkamer import backups, jobs
from buurtkamer.models import JobRun

ROOT = Path(__file__).resolve().parent.parent


def all_jobs_ran(at=None):
    for name in jobs.JOBS:
        JobRun.objects.update_or_create(name=name, defaults={"last_success": at or timezone.now()})


# /healthz ---------------------------------------------------------------------------------------


@pytest.fixture
def jobs_checked(settings):
    settings.HEALTHZ_JOBS = True


def test_healthz_is_200_when_every_job_ran_recently(client, db, jobs_checked):
    all_jobs_ran(timezone.now() - datetime.timedelta(hours=25))

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "jobs": "ok",
    }


def test_healthz_is_503_naming_a_job_that_never_ran(client, db, jobs_checked):
    all_jobs_ran()
    JobRun.objects.filter(name="send_shift_reminders").delete()

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["failed"] == ["jobs"]
    assert response.json()["jobs"] == {"send_shift_reminders": "never"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_is_503_for_a_daily_job_older_than_26_hours(client, db, jobs_checked):
    all_jobs_ran()
    late = timezone.now() - datetime.timedelta(hours=26, minutes=1)
    JobRun.objects.filter(name="backup").update(last_success=late)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["jobs"] == {"backup": "late"}


def test_a_monthly_job_may_be_a_month_old_but_not_more(client, db, jobs_checked):
    all_jobs_ran()
    report = JobRun.objects.filter(name="send_monthly_report")
    report.update(last_success=timezone.now() - datetime.timedelta(days=31, hours=1))
    assert client.get(reverse("healthz")).status_code == 200

    report.update(last_success=timezone.now() - datetime.timedelta(days=31, hours=3))
    assert client.get(reverse("healthz")).json()["jobs"] == {"send_monthly_report": "late"}


def test_healthz_is_503_naming_an_unapplied_migration(client, db):
    recorded = MigrationRecorder.Migration.objects.filter(app="activities").order_by("-name")
    latest = recorded.first()
    latest.delete()  # as if the code had a migration the database has not had yet

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["failed"] == ["migrations"]
    assert response.json()["unapplied"] == [f"activities.{latest.name}"]
    assert response.json()["database"] == "ok"


def test_with_a_migration_missing_the_jobs_are_not_checked(client, db, jobs_checked):
    """The job table may be what the missing migration makes (an upgrade's first minutes)."""
    MigrationRecorder.Migration.objects.filter(app="visitors").order_by("-name").first().delete()

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["failed"] == ["migrations"]
    assert response.json()["jobs"] == "not checked"


def test_the_job_check_is_off_in_debug_by_default():
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    code = "from django.conf import settings; print(settings.HEALTHZ_JOBS)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "buurtkamer.settings", "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "False"


# run_job and the timers ---------------------------------------------------------------------------


def test_run_job_runs_the_command_and_records_its_success(db):
    out = io.StringIO()

    call_command("run_job", "generate_occurrences", stdout=out)

    run = JobRun.objects.get(name="generate_occurrences")
    assert timezone.now() - run.last_success < datetime.timedelta(minutes=1)
    assert "generate_occurrences: done" in out.getvalue()
    assert jobs.overdue().keys() == set(jobs.JOBS) - {"generate_occurrences"}


def test_a_failing_job_records_nothing_and_fails(db, monkeypatch):
    broken = jobs.Job("backup", ("backup", "--keep-daily", "0"), "*-*-* 01:30:00", jobs.DAY)
    monkeypatch.setitem(jobs.JOBS, "backup", broken)

    with pytest.raises(CommandError, match="keep-daily"):
        call_command("run_job", "backup", stdout=io.StringIO())

    assert not JobRun.objects.filter(name="backup").exists()


def test_run_job_refuses_an_unknown_name_and_no_name(db):
    with pytest.raises(CommandError, match="Unknown job: nightly"):
        call_command("run_job", "nightly")
    with pytest.raises(CommandError, match="Name a job"):
        call_command("run_job")


def test_run_job_never_run_runs_only_the_missing_ones(db, monkeypatch):
    all_jobs_ran()
    JobRun.objects.filter(name="generate_occurrences").delete()
    ran = []
    monkeypatch.setattr(
        "buurtkamer.management.commands.run_job.call_command", lambda *args, **kw: ran.append(args)
    )

    call_command("run_job", "--never-run", stdout=io.StringIO())

    assert ran == [("generate_occurrences",)]


def test_each_job_has_a_persistent_timer_at_its_time():
    folder = ROOT / "deploy" / "systemd"
    timers = {path.name: path.read_text() for path in folder.glob("*.timer")}

    assert set(timers) == {f"buurtkamer-{name}.timer" for name in jobs.JOBS}
    for name, job in jobs.JOBS.items():
        text = timers[f"buurtkamer-{name}.timer"]
        assert f"\nOnCalendar={job.on_calendar}\n" in text
        assert "\nPersistent=true\n" in text
        assert f"\nUnit=buurtkamer-job@{name}.service\n" in text
    service = (folder / "buurtkamer-job@.service").read_text()
    assert re.search(r"^ExecStart=.*manage\.py run_job %i$", service, re.MULTILINE)


def test_env_example_lists_every_variable_of_the_readme():
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Accounts and roles")]
    variables = set(re.findall(r"^\| `([A-Z_]+)`(?:, `([A-Z_]+)`)?", table, re.MULTILINE))
    in_readme = {name for pair in variables for name in pair if name}
    example = (ROOT / "deploy" / "env.example").read_text()
    in_example = set(re.findall(r"^([A-Z_]+)=", example, re.MULTILINE))

    assert in_readme  # the table was found
    assert in_readme <= in_example, in_readme - in_example


# Backups: retention ---------------------------------------------------------------------------


def names(*stamps):
    return [f"buurtkamer-{stamp}.dump" for stamp in stamps]


def test_retention_keeps_the_newest_of_each_of_the_last_days():
    files = names(
        "20261130-013000", "20261130-120000", "20261129-013000", "20261128-013000",
        "20261127-013000",
    )  # fmt: skip

    keep = backups.to_keep(files, daily=2, monthly=0)

    assert keep == set(names("20261130-120000", "20261129-013000"))


def test_retention_keeps_the_newest_of_each_of_the_last_months_too():
    files = names(
        "20261130-013000", "20261129-013000", "20261031-013000", "20261001-013000",
        "20260930-013000", "20260815-013000",
    )  # fmt: skip

    keep = backups.to_keep(files, daily=1, monthly=3)

    # November's newest is today's daily one; October's and September's newest besides.
    assert keep == set(names("20261130-013000", "20261031-013000", "20260930-013000"))


def test_retention_counts_days_with_a_backup_not_calendar_days():
    files = names("20261130-013000", "20261101-013000", "20261001-013000")

    assert backups.to_keep(files, daily=3, monthly=0) == set(files)


def test_retention_ignores_files_that_are_not_backups():
    files = [*names("20261130-013000", "20261129-013000"), "notes.txt", "buurtkamer-latest.dump"]

    assert backups.to_keep(files, daily=1, monthly=0) == set(names("20261130-013000"))


def test_prune_deletes_only_old_backups(tmp_path):
    for name in [*names("20261130-013000", "20261129-013000", "20261128-013000"), "notes.txt"]:
        (tmp_path / name).write_text("x")

    deleted = backups.prune(tmp_path, daily=2, monthly=0)

    assert deleted == names("20261128-013000")
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        *names("20261129-013000", "20261130-013000"),
        "notes.txt",
    ]


# Backups: the commands -------------------------------------------------------------------------


def test_backup_refuses_to_keep_no_daily_backup(db, tmp_path):
    with pytest.raises(CommandError, match="keep-daily must be 1 or more"):
        call_command("backup", "--dir", tmp_path, "--keep-daily", "0")
    with pytest.raises(CommandError, match="keep-monthly must be 0 or more"):
        call_command("backup", "--dir", tmp_path, "--keep-monthly", "-1")
    assert not list(tmp_path.iterdir())


def test_backup_fails_with_a_clear_error_when_it_cannot_write(db, tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")

    with pytest.raises(CommandError, match="Backup failed"):
        call_command("backup", "--dir", not_a_folder, stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_backup_writes_a_timestamped_file_and_applies_retention(tmp_path):
    old = names("20200101-013000", "20200102-013000")
    for name in old:
        (tmp_path / name).write_text("x")
    out = io.StringIO()

    call_command(
        "backup", "--dir", tmp_path, "--keep-daily", "1", "--keep-monthly", "0", stdout=out
    )

    made = [path for path in tmp_path.iterdir() if not path.name.startswith(".")]
    assert len(made) == 1  # the old ones are gone, and no partial file is left
    assert backups.stamp_of(made[0].name) is not None
    assert made[0].stat().st_size > 0
    assert "Retention: deleted 2" in out.getvalue()
    if connection.vendor == "postgresql":
        assert made[0].suffix == ".dump"
        listing = subprocess.run(
            ["pg_restore", "--list", str(made[0])], capture_output=True, text=True, check=True
        )
        assert "TABLE DATA public visitors_visit" in listing.stdout
    else:
        assert made[0].suffix == ".sqlite3"


def test_backup_on_postgresql_fails_when_pg_dump_fails(db, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is PostgreSQL's; the SQLite backup has no external program")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump to be found

    with pytest.raises(CommandError, match="pg_dump not found"):
        call_command("backup", "--dir", tmp_path / "backups", stdout=io.StringIO())


def test_restore_refuses_a_missing_file_and_a_database_that_is_not_empty(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", tmp_path / "missing.dump", "--yes")
    (tmp_path / "buurtkamer-20261130-013000.dump").write_text("x")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", tmp_path / "buurtkamer-20261130-013000.dump", "--yes")


def sqlite_manage(database: Path, *args, stdin=None):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**env, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}"},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_backup_and_restore_round_trip_on_sqlite_asking_first(tmp_path):
    """On SQLite files (both suites run it): backup, then restore into an empty database after
    answering the question; "no" restores nothing."""
    source, target = tmp_path / "source.sqlite3", tmp_path / "target.sqlite3"
    assert sqlite_manage(source, "migrate", "-v0").returncode == 0
    made = sqlite_manage(source, "backup", "--dir", str(tmp_path / "backups"))
    assert made.returncode == 0, made.stderr
    backup = next((tmp_path / "backups").glob("buurtkamer-*.sqlite3"))

    refused = sqlite_manage(target, "restore", str(backup), stdin="no\n")
    assert refused.returncode == 1
    assert "Nothing restored" in refused.stderr

    restored = sqlite_manage(target, "restore", str(backup), stdin="yes\n")
    assert restored.returncode == 0, restored.stderr
    plan = sqlite_manage(target, "migrate", "--check")
    assert plan.returncode == 0  # every migration applied: the schema came back
    count = "from locations.models import Location; print(Location.objects.count())"
    assert sqlite_manage(target, "shell", "-c", count).stdout.strip().splitlines()[-1] == "4"
