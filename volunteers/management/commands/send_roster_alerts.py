"""Coordinators hear of shifts of the next days still below their minimum or without a shift
lead: run daily from cron (see README, "Cron"). Each shift is reported once."""

from django.core.management.base import BaseCommand

from buurtkamer.emails import site_url
from volunteers import notifications


class Command(BaseCommand):
    help = (
        "E-mails each coordinator, per location, the shifts of the next 3 days that are below "
        "their minimum or have no shift lead; each shift once. Links start with --base-url "
        "(default: the SITE_URL environment variable, or https:// and the first of "
        "DJANGO_ALLOWED_HOSTS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default=None, help="e.g. https://buurtkamer.aanzet.nl")

    def handle(self, *args, base_url=None, **options):
        sent = notifications.send_roster_alerts(base_url=base_url or site_url())
        self.stdout.write(f"Sent {sent} alert(s) to coordinators.")
