"""`python manage.py settle_visits`: roll up the visits of the days that can no longer change
by a tap into DailyCount, for the reports (nightly, buurtkamer/jobs.py). `--rebuild` counts
everything again from the visits; `--check` compares the roll-up with counting the visits
(the bench). Why and how: visitors/rollup.py."""

from django.core.management.base import BaseCommand, CommandError

from visitors import rollup


class Command(BaseCommand):
    help = "Rolls up the settled days' visits for the reports (nightly)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="Count every settled day again from the visits."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only compare the roll-up with counting the visits (fails when they differ).",
        )

    def handle(self, *args, rebuild, check, **options):
        if check:
            differences = rollup.mismatches()
            for difference in differences[:20]:
                self.stdout.write(f"Differs: {difference}")
            if differences:
                raise CommandError(
                    f"The roll-up differs from the visits in {len(differences)} rows."
                )
            self.stdout.write("The roll-up equals counting the visits.")
            return
        through, rows = rollup.rebuild() if rebuild else rollup.settle()
        self.stdout.write(f"Roll-up through {through}: {rows} rows added.")
