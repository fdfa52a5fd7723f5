"""`python manage.py settle_visits`: roll up the visits of the days that can no longer change
by a tap into DailyCount, for the reports (nightly, buurtkamer/jobs.py). `--rebuild` counts
everything again from the visits. Why and how: visitors/rollup.py."""

from django.core.management.base import BaseCommand

from visitors import rollup


class Command(BaseCommand):
    help = "Rolls up the settled days' visits for the reports (nightly)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="Count every settled day again from the visits."
        )

    def handle(self, *args, rebuild, **options):
        through, rows = rollup.rebuild() if rebuild else rollup.settle()
        self.stdout.write(f"Roll-up through {through}: {rows} rows added.")
