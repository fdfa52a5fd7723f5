"""Reminders the day before: run daily from cron (see README, "Cron"). Running it twice sends
nothing new; two overlapping runs do not send anything twice either."""

from django.core.management.base import BaseCommand

from buurtkamer.emails import site_url
from volunteers import notifications


class Command(BaseCommand):
    help = (
        "E-mails everyone on a shift of tomorrow a reminder, once per assignment. The links in "
        "the e-mail start with --base-url (default: the SITE_URL environment variable, or "
        "https:// and the first of DJANGO_ALLOWED_HOSTS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default=None, help="e.g. https://buurtkamer.aanzet.nl")

    def handle(self, *args, base_url=None, **options):
        sent = notifications.send_shift_reminders(base_url=base_url or site_url())
        self.stdout.write(f"Sent {sent} reminder(s).")
