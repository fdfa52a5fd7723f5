"""Backups of the database (`manage.py backup` / `manage.py restore`).

PostgreSQL: `pg_dump --format=custom` into a timestamped file, restored with `pg_restore` into an
empty database. SQLite (`make run`, small sites): a consistent copy through SQLite's own backup
API. Retention keeps the newest backup of each of the last N days and of each of the last M
months and deletes the other backups in the folder (only files named as this module names them).
"""

import datetime
import os
import re
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection
from django.utils import timezone

PREFIX = "buurtkamer-"
NAME = re.compile(r"^buurtkamer-(?P<stamp>\d{8}-\d{6})\.(?P<kind>dump|sqlite3)$")


class BackupError(Exception):
    pass


def is_postgresql(conn=connection) -> bool:
    return conn.vendor == "postgresql"


def backup_name(now: datetime.datetime, *, postgresql: bool) -> str:
    local = timezone.localtime(now)
    return f"{PREFIX}{local:%Y%m%d-%H%M%S}.{'dump' if postgresql else 'sqlite3'}"


def stamp_of(name: str) -> datetime.datetime | None:
    match = NAME.match(name)
    if not match:
        return None
    return datetime.datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S")


def to_keep(names, *, daily: int, monthly: int) -> set[str]:
    """Of the backup file names, the ones retention keeps: the newest of each of the `daily`
    most recent days with a backup, and the newest of each of the `monthly` most recent months.
    Names that are not backups are not considered (and never deleted)."""
    dated = sorted(
        ((stamp, name) for name in names if (stamp := stamp_of(name)) is not None), reverse=True
    )
    keep, days, months = set(), [], []
    for stamp, name in dated:
        day, month = stamp.date(), (stamp.year, stamp.month)
        if day not in days and len(days) < daily:
            days.append(day)
            keep.add(name)
        if month not in months and len(months) < monthly:
            months.append(month)
            keep.add(name)
    return keep


def prune(folder: Path, *, daily: int, monthly: int) -> list[str]:
    """Delete the backups retention does not keep; returns their names."""
    names = [path.name for path in folder.iterdir() if path.is_file() and stamp_of(path.name)]
    keep = to_keep(names, daily=daily, monthly=monthly)
    deleted = sorted(name for name in names if name not in keep)
    for name in deleted:
        (folder / name).unlink()
    return deleted


def libpq_environment(settings_dict) -> dict:
    """pg_dump and pg_restore find the database the way the app does (no password on the
    command line, where `ps` would show it)."""
    env = {**os.environ}
    for key, variable in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ]:
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = options["sslmode"]
    return env


def _run(command: list[str], env: dict) -> None:
    try:
        result = subprocess.run(  # noqa: S603 (fixed program, arguments from settings)
            command, env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} not found: install the PostgreSQL client (apt-get install "
            "postgresql-client)"
        ) from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")


def make_backup(folder: Path, now: datetime.datetime | None = None) -> Path:
    """Write one backup of the default database into folder; the file appears under its final
    name only when complete."""
    folder.mkdir(parents=True, exist_ok=True)
    postgresql = is_postgresql()
    target = folder / backup_name(now or timezone.now(), postgresql=postgresql)
    partial = target.with_name(f".{target.name}.partial")
    try:
        if postgresql:
            _run(
                ["pg_dump", "--format=custom", f"--file={partial}"],
                libpq_environment(connection.settings_dict),
            )
        else:
            connection.ensure_connection()
            with sqlite3.connect(partial) as copy:
                connection.connection.backup(copy)
            copy.close()
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def tables_in_database() -> list[str]:
    return connection.introspection.table_names()


def restore_backup(path: Path) -> None:
    """Restore a backup into the default database, which must be empty."""
    if is_postgresql():
        _run(
            [
                "pg_restore",
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                f"--dbname={connection.settings_dict['NAME']}",
                str(path),
            ],
            libpq_environment(connection.settings_dict),
        )
    else:
        if not path.name.endswith(".sqlite3"):
            raise BackupError(f"{path.name} is not an SQLite backup (.sqlite3)")
        connection.ensure_connection()
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
            source.backup(connection.connection)
        source.close()
    connection.close()  # the next query sees the restored database afresh
