"""Demo data for trying Buurtkamer locally: accounts per role, addresses, opening hours, teams."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

import activities.demo
import locations.demo
import loneliness.demo
import visitors.demo
import volunteers.demo
from locations.demo import ADDRESSES, add_demo_opening_hours
from locations.models import Location, Membership, Role

DEMO_PASSWORD = "buurtkamer"  # noqa: S105 - demo accounts only, refused when debug is off

# email, first name, last name, staff, {location slug: role}
DEMO_ACCOUNTS = [
    ("staf@example.org", "Sietske", "de Vries", True, {}),
    ("coordinator.dokkum@example.org", "Jan", "Hoekstra", False, {"dokkum": Role.COORDINATOR}),
    ("vrijwilliger.dokkum@example.org", "Anneke", "Bosma", False, {"dokkum": Role.VOLUNTEER}),
    ("vrijwilliger.burgum@example.org", "Durk", "van der Meer", False, {"burgum": Role.VOLUNTEER}),
]

# More team members, so the team pages look like a real buurtkamer. They have no password.
DEMO_TEAM = [
    ("coordinator.burgum@example.org", "Hiltsje", "Postma", {"burgum": Role.COORDINATOR}),
    ("coordinator.kollum@example.org", "Pieter", "Dijkstra", {"kollum": Role.COORDINATOR}),
    ("coordinator.westereen@example.org", "Gerda", "Wiersma", {"de-westereen": Role.COORDINATOR}),
    ("tjitske.dokkum@example.org", "Tjitske", "Kuipers", {"dokkum": Role.VOLUNTEER}),
    ("hendrik.dokkum@example.org", "Hendrik", "Visser", {"dokkum": Role.VOLUNTEER}),
    ("wytske.burgum@example.org", "Wytske", "Terpstra", {"burgum": Role.VOLUNTEER}),
    ("klaas.kollum@example.org", "Klaas", "Jongsma", {"kollum": Role.VOLUNTEER}),
    ("froukje.westereen@example.org", "Froukje", "Zijlstra", {"de-westereen": Role.VOLUNTEER}),
]


class Command(BaseCommand):
    help = "Fills the database with demo data (debug only). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only load the demo data when there are no accounts yet (used by make run).",
        )

    def handle(self, *args, if_empty=False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The demo data is for local use only: it refuses to run when DJANGO_DEBUG is off."
            )
        if if_empty and get_user_model().objects.exists():
            self.stdout.write("The database already has accounts; demo data left as it is.")
            self._print_logins()
            return
        with transaction.atomic():
            self._locations()
            for email, first, last, staff, roles in DEMO_ACCOUNTS:
                self._person(email, first, last, roles, password=DEMO_PASSWORD, staff=staff)
            for email, first, last, roles in DEMO_TEAM:
                self._person(email, first, last, roles)
            today = timezone.localdate()
            for area in (
                locations.demo,
                volunteers.demo,
                activities.demo,
                visitors.demo,
                loneliness.demo,
            ):
                area.load(today=today, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self._print_logins()

    def _print_logins(self):
        self.stdout.write(f"Demo logins (password for each: {DEMO_PASSWORD}):")
        for email, *_ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email}")

    def _locations(self):
        for slug, (address, postal_code) in ADDRESSES.items():
            location = Location.objects.get(slug=slug)
            location.address, location.postal_code = address, postal_code
            location.save(update_fields=["address", "postal_code"])
            if location.opening_hours.exists():
                continue
            add_demo_opening_hours([location])

    def _person(self, email, first_name, last_name, roles, password=None, staff=False):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            email=email,
            defaults={"first_name": first_name, "last_name": last_name, "is_aanzet_staff": staff},
        )
        if created:
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"primary": True, "verified": True}
            )
        for slug, role in roles.items():
            location = Location.objects.get(slug=slug)
            Membership.objects.current().get_or_create(
                user=user, location=location, defaults={"role": role}
            )
        return user
