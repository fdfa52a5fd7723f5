"""Retention: remove the personal data of volunteers stopped longer than the retention period
(at every location they had, by when the stop was recorded; never staff, administrators or
anyone still a member somewhere: volunteers.profiles.due_for_anonymisation), and purge the old
logbook entries. Every anonymisation is in the audit log. Meant for a daily cron job; running it
twice changes nothing the second time."""

from django.core.management.base import BaseCommand, CommandError

from buurtkamer.once import purge_old_keys
from locations.services import purge_old_logbook_entries
from volunteers import profiles


class Command(BaseCommand):
    help = (
        "Anonymises volunteers stopped longer than VOLUNTEER_RETENTION_MONTHS (default 12) and "
        "deletes logbook entries written more than LOGBOOK_RETENTION_MONTHS ago (open "
        "follow-ups excepted). Their shifts stay counted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help="Stopped longer than this many months (default: VOLUNTEER_RETENTION_MONTHS).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only say what would be done (with the names); change nothing.",
        )

    def handle(self, *args, months=None, dry_run=False, **options):
        if months is not None and months < 1:
            raise CommandError("--months must be 1 or more.")
        months = profiles.retention_months() if months is None else months
        due = profiles.anonymise_due(months=months, dry_run=dry_run)
        verb = "Would anonymise" if dry_run else "Anonymised"
        self.stdout.write(
            f"{verb} {len(due)} volunteer(s) stopped more than {months} month(s) ago."
        )
        if dry_run:  # a real run names nobody: the names are what it removes
            for name in due:
                self.stdout.write(f"  {name}")
        self._purge_logbook(dry_run)
        if not dry_run:
            # The one-time keys of sent forms (buurtkamer/once.py) are only needed briefly.
            purge_old_keys()

    def _purge_logbook(self, dry_run):
        if dry_run:
            self.stdout.write("Logbook: old entries left as they are (dry run).")
            return
        deleted = purge_old_logbook_entries()
        self.stdout.write(
            f"Logbook: deleted {deleted} entr{'y' if deleted == 1 else 'ies'} "
            "past the retention period."
        )
