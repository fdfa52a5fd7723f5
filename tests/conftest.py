"""Personas: who is who in the tests. Dokkum is "our" location, Burgum "the other one"."""

import pytest

from locations.models import Location, Role

from .factories import PASSWORD, MembershipFactory, UserFactory, force_login

pytest_plugins = ["tests.browser_support"]  # the `browser` fixture (Debian Chromium)


@pytest.fixture
def dokkum(db):
    return Location.objects.get(slug="dokkum")


@pytest.fixture
def burgum(db):
    return Location.objects.get(slug="burgum")


@pytest.fixture
def volunteer(dokkum):
    """A volunteer of Dokkum."""
    return MembershipFactory(location=dokkum, role=Role.VOLUNTEER, user__first_name="Anneke").user


@pytest.fixture
def other_volunteer(burgum):
    """A volunteer of Burgum, who has no business in Dokkum."""
    return MembershipFactory(location=burgum, role=Role.VOLUNTEER, user__first_name="Durk").user


@pytest.fixture
def coordinator(dokkum):
    """The coordinator of Dokkum."""
    return MembershipFactory(location=dokkum, role=Role.COORDINATOR, user__first_name="Jan").user


@pytest.fixture
def other_coordinator(burgum):
    """The coordinator of Burgum."""
    return MembershipFactory(
        location=burgum, role=Role.COORDINATOR, user__first_name="Hiltsje"
    ).user


@pytest.fixture
def staff(db):
    """AanZet staff: every location, with the authenticator app (TOTP) that staff must have."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(is_aanzet_staff=True, first_name="Sietske")
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def personas(volunteer, other_volunteer, coordinator, other_coordinator, staff):
    return {
        "anonymous": None,
        "volunteer": volunteer,
        "other_volunteer": other_volunteer,
        "coordinator": coordinator,
        "other_coordinator": other_coordinator,
        "staff": staff,
    }


@pytest.fixture
def login(client):
    """Log the test client in as a persona (None stays anonymous); returns the client. Staff
    (with the authenticator app) as after the login form's second step: see force_login."""

    def _login(user):
        client.logout()
        if user is not None:
            force_login(client, user)
        return client

    return _login


@pytest.fixture
def password():
    return PASSWORD
