"""Make the regular shifts of the coming weeks for every active location (for cron, daily or
weekly): `python manage.py generate_shifts --weeks 6`. Safe to run again: it never makes a
shift twice, and skips the days a location is closed."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from locations.models import Location
from volunteers import services


class Command(BaseCommand):
    help = "Maak de vaste diensten van de komende weken aan (uit de roostersjablonen)."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=6, help="Aantal weken vooruit (6).")
        parser.add_argument("--location", help="Alleen deze locatie (korte naam, de slug).")

    def handle(self, *args, weeks, location=None, **options):
        if weeks < 1:
            self.stderr.write("--weeks moet minstens 1 zijn.")
            return
        today = timezone.localdate()
        locations = Location.objects.active()
        if location:
            locations = locations.filter(slug=location)
        total = 0
        for place in locations.order_by("name"):
            made = services.generate_shifts(place, start=today, weeks=weeks)
            total += made
            self.stdout.write(f"{place.name}: {made} diensten aangemaakt.")
        self.stdout.write(f"Totaal {total} diensten aangemaakt.")
