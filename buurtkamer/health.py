"""What /healthz checks besides the scheduled jobs (buurtkamer/jobs.py): the database answers,
and every migration on disk is applied to it."""

from functools import cache

from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder


@cache
def migrations_on_disk() -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Every migration of this code, with what it replaces (squashed ones); read once per
    process: the code cannot change under a running process."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {key: list(loader.graph.nodes[key].replaces) for key in loader.graph.nodes}


def unapplied_migrations(connection) -> list[str]:
    """'app.name' of each migration on disk the database has not recorded (sorted); raises
    DatabaseError when the database does not answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    applied = set(MigrationRecorder(connection).applied_migrations())
    return sorted(
        f"{app}.{name}"
        for (app, name), replaces in migrations_on_disk().items()
        if (app, name) not in applied
        and not (replaces and all(tuple(old) in applied for old in replaces))
    )
