import datetime
import html
import uuid

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from faker import Faker

from buurtkamer.models import User
from locations.models import DayPart, Location, Membership, Role

PASSWORD = "een-goed-wachtwoord-42"
_FAKE = Faker("nl_NL")


def plain_dutch_last_name() -> str:
    """A Dutch surname from Faker without the characters HTML escapes."""
    while True:
        name = _FAKE.last_name()
        if html.escape(name) == name:
            return name


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@example.org")
    first_name = factory.Faker("first_name", locale="nl_NL")
    # Faker's Dutch surnames include six of 1,130 with an apostrophe ("van 't Riet"), which a
    # page shows HTML-escaped: a test comparing a name with the page then failed one run in a
    # few dozen. The factory leaves those out; tests/test_roster_gaps.py shows such a name.
    last_name = factory.LazyFunction(lambda: plain_dutch_last_name())

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Buurtkamer Test {n}")
    slug = factory.Sequence(lambda n: f"test-{n}")
    town = "Teststad"
    municipality = "Testgemeente"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    location = factory.SubFactory(LocationFactory)
    role = Role.VOLUNTEER


def with_totp(user):
    """Give a person an authenticator app (TOTP), as staff and administrators must have."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


def force_login(client, user):
    """Log the test client in as `user` the way the login form would: with the second step
    (the code from the authenticator app) passed when they have the app, as staff and
    administrators do. Plain `client.force_login` is a session of the password alone."""
    from allauth.mfa.models import Authenticator

    from buurtkamer.two_factor import record_two_factor_in_session

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is not None:
        record_two_factor_in_session(client.session, user, authenticator)
    return client


def administrator(**kwargs):
    """A Django-admin user (superuser) with TOTP set up."""
    return with_totp(UserFactory(is_admin=True, is_superuser=True, **kwargs))


# Rosters, activities, visits and tablets ----------------------------------------------------------


class ShiftFactory(factory.django.DjangoModelFactory):
    """A morning host shift five days from now, one or two places."""

    class Meta:
        model = "volunteers.Shift"

    location = factory.SubFactory(LocationFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=5))
    day_part = DayPart.MORNING
    task = "host"
    starts_at = datetime.time(9, 30)
    ends_at = datetime.time(12, 0)
    minimum = 1
    maximum = 2


class AssignmentFactory(factory.django.DjangoModelFactory):
    """A volunteer on a shift (straight into the table: the roster's rules are the services')."""

    class Meta:
        model = "volunteers.Assignment"

    shift = factory.SubFactory(ShiftFactory)
    volunteer = factory.LazyAttribute(
        lambda o: MembershipFactory(location=o.shift.location, role=Role.VOLUNTEER).user
    )


class ActivityFactory(factory.django.DjangoModelFactory):
    """A weekly activity from today, in the afternoon, of the first category."""

    class Meta:
        model = "activities.Activity"

    location = factory.SubFactory(LocationFactory)
    title = factory.Sequence(lambda n: f"Activiteit {n}")
    category = factory.LazyFunction(lambda: _category())
    starts_on = factory.LazyFunction(timezone.localdate)
    starts_at = datetime.time(14, 0)
    ends_at = datetime.time(16, 0)


def _category():
    from activities.models import Category

    return Category.objects.order_by("position", "pk").first() or Category.objects.create(
        name="Ontmoeten"
    )


class OccurrenceFactory(factory.django.DjangoModelFactory):
    """One date of an activity, at the activity's times."""

    class Meta:
        model = "activities.Occurrence"

    activity = factory.SubFactory(ActivityFactory)
    date = factory.LazyAttribute(lambda o: o.activity.starts_on)
    starts_at = factory.LazyAttribute(lambda o: o.activity.starts_at)
    ends_at = factory.LazyAttribute(lambda o: o.activity.ends_at)


class VisitFactory(factory.django.DjangoModelFactory):
    """A visitor counted now, as a tap with its own client_id (no facts)."""

    class Meta:
        model = "visitors.Visit"

    location = factory.SubFactory(LocationFactory)
    recorded_at = factory.LazyFunction(timezone.now)
    day_part = factory.LazyAttribute(lambda o: _day_part_of(o.recorded_at))
    client_id = factory.LazyFunction(uuid.uuid4)


def _day_part_of(moment):
    hour = timezone.localtime(moment).hour
    if hour < 12:
        return DayPart.MORNING
    return DayPart.AFTERNOON if hour < 17 else DayPart.EVENING


class TabletFactory(factory.django.DjangoModelFactory):
    """A paired tablet. Its device token (for the cookie) is on `tablet.token`: only its hash
    is stored, as pair_tablet does it. TabletFactory(token="...") pairs with a known token."""

    class Meta:
        model = "visitors.Tablet"

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Tablet {n}")
    token = factory.LazyFunction(lambda: _tablet_model().new_token())
    token_hash = factory.LazyAttribute(lambda o: _hash_token(o.token))

    @classmethod
    def _create(cls, model_class, *args, token, **kwargs):
        tablet = super()._create(model_class, *args, **kwargs)
        tablet.token = token  # not a field: what the device's cookie carries
        return tablet


def _tablet_model():
    from visitors.models import Tablet

    return Tablet


def _hash_token(token):
    from visitors.models import hash_token

    return hash_token(token)
