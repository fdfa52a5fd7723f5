import factory
from allauth.account.models import EmailAddress

from buurtkamer.models import User
from locations.models import Location, Membership, Role

PASSWORD = "een-goed-wachtwoord-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@example.org")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")

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
