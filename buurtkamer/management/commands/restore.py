"""`manage.py restore FILE`: a backup from `manage.py backup` back into an empty database."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from buurtkamer import backups


class Command(BaseCommand):
    help = (
        "Restores a backup made by `manage.py backup` into the database of DATABASE_URL, which "
        "must be empty (create it anew first). Asks first unless --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask.")

    def handle(self, *args, file, yes=False, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        name = connection.settings_dict["NAME"]
        tables = backups.tables_in_database()
        if tables:
            raise CommandError(
                f"The database {name} is not empty ({len(tables)} tables). Restore only into an "
                "empty database: drop it and create it anew (createdb), then run this again."
            )
        if not yes:
            try:
                answer = input(f"Restore {file} into the database {name}? Type yes: ")
            except EOFError:
                answer = ""
            if answer.strip().lower() not in {"yes", "ja", "y", "j"}:
                raise CommandError("Nothing restored.")
        started = time.monotonic()
        try:
            backups.restore_backup(file)
        except (backups.BackupError, OSError) as error:
            raise CommandError(f"Restore failed: {error}") from error
        self.stdout.write(
            f"Restored {file} into {name} in {time.monotonic() - started:.1f} s. Run "
            "`manage.py migrate` if this code is newer than the backup."
        )
