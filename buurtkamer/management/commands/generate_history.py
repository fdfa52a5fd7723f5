"""`python manage.py generate_history --years 5`: realistic visitor history for benchmarks and
demos, on SQLite and PostgreSQL alike (bulk inserts through the ORM).

For every opened day-part (the opening hours of the demo where a location has none) from
`--years` years ago until yesterday: about 25 visitors, more in winter than in summer, busier
mornings than evenings, a few day-parts closed (holidays, illness). About 5 % first visits
(with how they came), 1.5 % of the taps undone (voided), 6 % of the day-parts counted
afterwards in a manual tally (a few of those voided with their visits), 0–2 referrals.
Day-parts that already have visits are left alone, so running it again adds nothing twice.
Also two past loneliness rounds with anonymous answers (loneliness.demo), once. It gathers from
two areas, so it is a command of the project package, like `demo`.

Refuses to run with DEBUG off unless --force: it is meant for demo and benchmark databases.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from buurtkamer.dates import years_before
from loneliness.demo import past_rounds
from visitors.history import generate


class Command(BaseCommand):
    help = "Fills the database with realistic visitor history (demo and benchmark databases)."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=5, help="How many years back (5).")
        parser.add_argument("--seed", type=int, default=0, help="The same seed, the same history.")
        parser.add_argument(
            "--force", action="store_true", help="Also run with DEBUG off (never on production)."
        )

    def handle(self, *args, years, seed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "generate_history is for demo and benchmark databases: run it with "
                "DJANGO_DEBUG=1, or add --force if you are sure this is not production."
            )
        if not 1 <= years <= 20:
            raise CommandError("--years: from 1 to 20.")
        today = timezone.localdate()
        end = today - datetime.timedelta(days=1)
        start = years_before(today, years)
        started = timezone.now()
        added = generate(start=start, end=end, seed=seed, stdout=self.stdout)
        answers = past_rounds(today, seed=seed)  # two anonymous loneliness rounds last year
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            f"{added['visits']} visits, {added['tallies']} manual tallies, "
            f"{added['referrals']} referrals, {answers} loneliness answers from {start} to "
            f"{end} in {seconds:.1f} s."
        )
