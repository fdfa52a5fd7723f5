"""`manage.py run_job NAME`: what each systemd timer runs (deploy/systemd/). Runs the scheduled
command with its arguments from buurtkamer/jobs.py and, when it succeeds, records the success
that /healthz looks for. A failure exits non-zero and records nothing."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from buurtkamer import jobs


class Command(BaseCommand):
    help = "Runs one scheduled job (or --all, or --never-run) and records its success."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(jobs.JOBS))
        parser.add_argument("--all", action="store_true", help="Every scheduled job.")
        parser.add_argument(
            "--never-run",
            action="store_true",
            help="Every job that has never succeeded here (after a first install).",
        )
        parser.add_argument("--list", action="store_true", help="List the jobs and stop.")

    def handle(self, *args, names, all=False, never_run=False, list=False, **options):
        if list:
            for job in jobs.JOBS.values():
                self.stdout.write(f"{job.name}\t{job.on_calendar}\t{' '.join(job.command)}")
            return
        unknown = [name for name in names if name not in jobs.JOBS]
        if unknown:
            raise CommandError(f"Unknown job: {', '.join(unknown)}. Known: {', '.join(jobs.JOBS)}.")
        if all:
            names = [*jobs.JOBS]
        elif never_run:
            names = [name for name, why in jobs.overdue().items() if why == "never"]
        elif not names:
            raise CommandError("Name a job, or use --all or --never-run.")
        for name in names:
            job = jobs.JOBS[name]
            started = time.monotonic()
            call_command(*job.command, stdout=self.stdout, stderr=self.stderr)
            elapsed = time.monotonic() - started
            jobs.record_success(name, duration=jobs.datetime.timedelta(seconds=elapsed))
            self.stdout.write(f"{name}: done in {elapsed:.1f} s.")
