"""Personas: who is who in the tests. Dokkum is "our" location, Burgum "the other one"."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from locations.models import Location, forget_opening_slots

from .factories import PASSWORD, force_login
from .support import TABLET_NAME, make_persona, pair_url

pytest_plugins = ["tests.browser_support"]  # the `browser` fixture (Debian Chromium)


@pytest.fixture(autouse=True)
def dutch_to_begin_with():
    """Every test starts in Dutch. The language a request activates stays active in the thread
    afterwards, into the next test, and the editable lists' names are looked up in the active
    language (`CameVia.objects.get(name=...)` reads `name_fy` in Frysk)."""
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _no_cached_opening_slots():
    """Every test starts without this process's cached opening slots (Location.day_part_at):
    the rolled-back database hands out the same location ids and opening-hours versions again,
    with other opening hours."""
    forget_opening_slots()


@pytest.fixture
def dokkum(db):
    return Location.objects.get(slug="dokkum")


@pytest.fixture
def burgum(db):
    return Location.objects.get(slug="burgum")


@pytest.fixture
def volunteer(dokkum):
    """A volunteer of Dokkum."""
    return make_persona("volunteer")


@pytest.fixture
def other_volunteer(burgum):
    """A volunteer of Burgum, who has no business in Dokkum."""
    return make_persona("other_volunteer")


@pytest.fixture
def coordinator(dokkum):
    """The coordinator of Dokkum."""
    return make_persona("coordinator")


@pytest.fixture
def other_coordinator(burgum):
    """The coordinator of Burgum."""
    return make_persona("other_coordinator")


@pytest.fixture
def staff(db):
    """AanZet staff: every location, with the authenticator app (TOTP) that staff must have."""
    return make_persona("staff")


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


@pytest.fixture
def paired_tablet(client, login, coordinator, dokkum):
    """The Dokkum tablet: paired by its coordinator through the real flow, then a browser that
    carries only the tablet cookie (no session, no CSRF cookie): nobody is logged in on it."""
    login(coordinator)
    response = client.post(pair_url(), {"name": TABLET_NAME})
    assert response.status_code == 302
    token = response.cookies[settings.TABLET_COOKIE_NAME].value
    assert token

    tablet_client = Client()
    tablet_client.cookies[settings.TABLET_COOKIE_NAME] = token
    assert set(tablet_client.cookies) == {settings.TABLET_COOKIE_NAME}
    return tablet_client


@pytest.fixture
def paired_client(paired_tablet):
    """The name the tablet tests use for paired_tablet."""
    return paired_tablet


@pytest.fixture
def tablet(paired_tablet, dokkum):
    """The Tablet row of paired_tablet."""
    from visitors.models import Tablet

    return Tablet.objects.get(location=dokkum)


# Browsers ----------------------------------------------------------------------------------------

AXE_DIR = Path(__file__).resolve().parent / ".axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_script():
    """axe-core's browser build, installed from npm on the first run."""
    from .browser_support import unavailable  # a plugin (pytest_plugins): imported by pytest first

    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            unavailable("npm was not found on the PATH.", "Install npm (apt install npm)")
        result = subprocess.run(
            [npm, "install", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund", "axe-core@4"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0 or not AXE_JS.exists():
            unavailable(
                f"npm could not install axe-core: {result.stderr.strip()[-500:]}",
                "Let npm reach its registry",
            )
    return AXE_JS
