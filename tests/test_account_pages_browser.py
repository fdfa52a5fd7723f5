"""The account pages of our own in Chromium, on a phone (390×844) and a laptop (1024×768): the
login, the login by code, the password reset and the two-step pages fit the screen (nothing
wider than it) and are saved as screenshots to tests/screenshots/accounts/ for a person to look
at. Needs Chromium (/usr/bin/chromium); skipped without it, except on CI.
"""

from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from .factories import PASSWORD
from .support import BUURTKAMERS_MIGRATION, dutch_context, logged_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parent / "screenshots" / "accounts"
SIZES = [(390, 844), (1024, 768)]


@pytest.fixture(autouse=True)
def buurtkamers(transactional_db):
    """A transactional test before this one may have flushed the migration's locations."""
    BUURTKAMERS_MIGRATION.create_locations(django_apps, None)


def look(page, name, width, height, heading):
    """The page shows `heading`, is not wider than the screen, and is saved as a screenshot."""
    assert page.get_by_role("heading", level=1).first.inner_text().strip() == heading
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than the screen"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}-{width}x{height}.png", full_page=True)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_login_code_and_password_pages_fit_a_phone_and_a_laptop(
    browser, live_server, volunteer, width, height
):
    context = dutch_context(browser, live_server, width=width, height=height)
    page = context.new_page()
    page.goto(reverse("account_login"))
    look(page, "login", width, height, "Inloggen")

    page.goto(reverse("account_request_login_code"))
    look(page, "login-code-request", width, height, "Inloggen met een inlogcode")
    page.locator("#id_email").fill(volunteer.email)
    page.get_by_role("button", name="Stuur mij een inlogcode").click()
    page.wait_for_url(f"**{reverse('account_confirm_login_code')}")
    look(page, "login-code-confirm", width, height, "Inlogcode invullen")
    page.get_by_role("button", name="Annuleren").click()
    page.wait_for_url(f"**{reverse('account_login')}")

    page.goto(reverse("account_reset_password"))
    look(page, "password-reset", width, height, "Wachtwoord vergeten")
    page.locator("#id_email").fill(volunteer.email)
    page.get_by_role("button", name="Stuur mij de link").click()
    page.wait_for_url(f"**{reverse('account_reset_password_done')}")
    look(page, "password-reset-sent", width, height, "Kijk in je e-mail")
    context.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_two_step_pages_fit_a_phone_and_a_laptop(
    browser, live_server, staff, coordinator, width, height
):
    context = dutch_context(browser, live_server, width=width, height=height)
    page = context.new_page()
    page.goto(reverse("account_login"))
    page.locator("#id_login").fill(staff.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"**{reverse('mfa_authenticate')}")
    look(page, "two-step-login", width, height, "Tweestapsverificatie")
    context.close()

    context = logged_in_as(
        dutch_context(browser, live_server, width=width, height=height), live_server, coordinator
    )
    page = context.new_page()
    page.goto(reverse("mfa_index"))
    look(page, "two-step-overview", width, height, "Tweestapsverificatie")
    page.goto(reverse("mfa_activate_totp"))
    look(page, "confirm-it-is-you", width, height, "Bevestig dat jij het bent")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Verder").click()
    page.wait_for_url(f"**{reverse('mfa_activate_totp')}")
    look(page, "two-step-set-up", width, height, "Tweestapsverificatie instellen")
    context.close()
