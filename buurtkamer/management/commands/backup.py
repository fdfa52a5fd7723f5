"""`manage.py backup`: one backup of the database into BACKUP_DIR (buurtkamer/backups.py), then
retention. Exits non-zero when anything fails; the nightly timer runs it through `run_job`."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from buurtkamer import backups


class Command(BaseCommand):
    help = (
        "Backs up the database (PostgreSQL: pg_dump --format=custom; SQLite: a copy) into "
        "BACKUP_DIR as buurtkamer-YYYYMMDD-HHMMSS.dump, then keeps the newest backup of each "
        "of the last BACKUP_KEEP_DAILY days and BACKUP_KEEP_MONTHLY months and deletes the rest."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="Default: BACKUP_DIR.")
        parser.add_argument("--keep-daily", type=int, default=None, help="Default: 7.")
        parser.add_argument("--keep-monthly", type=int, default=None, help="Default: 12.")

    def handle(self, *args, dir=None, keep_daily=None, keep_monthly=None, **options):
        folder = Path(dir or settings.BACKUP_DIR)
        daily = settings.BACKUP_KEEP_DAILY if keep_daily is None else keep_daily
        monthly = settings.BACKUP_KEEP_MONTHLY if keep_monthly is None else keep_monthly
        if daily < 1:
            raise CommandError("--keep-daily must be 1 or more (the backup just made is kept).")
        if monthly < 0:
            raise CommandError("--keep-monthly must be 0 or more.")
        started = time.monotonic()
        try:
            path = backups.make_backup(folder)
        except (backups.BackupError, OSError) as error:
            raise CommandError(f"Backup failed: {error}") from error
        size = path.stat().st_size
        self.stdout.write(
            f"Wrote {path} ({size / 1_000_000:.1f} MB) in {time.monotonic() - started:.1f} s."
        )
        deleted = backups.prune(folder, daily=daily, monthly=monthly)
        self.stdout.write(f"Retention: deleted {len(deleted)} older backup(s).")
        for name in deleted:
            self.stdout.write(f"  {name}")
