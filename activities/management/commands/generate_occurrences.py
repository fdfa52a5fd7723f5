from django.core.management.base import BaseCommand

from activities import services


class Command(BaseCommand):
    help = "Plan the dates of every activity for the coming weeks (safe to run again; for cron)."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=12, help="Hoeveel weken vooruit.")

    def handle(self, *args, weeks, **options):
        import datetime

        created = services.generate_all(horizon=datetime.timedelta(weeks=weeks))
        self.stdout.write(f"{created} nieuwe keren gepland.")
