"""Accessibility: the main pages checked with axe-core in Chromium, and the tablet by keyboard.

axe-core comes from npm: the first run installs it into tests/.axe/ (not committed), later runs
reuse it. Without npm or Chromium the tests are skipped, except on CI (CI=true), where they fail.
A page passes when axe finds no violation of impact "serious" or "critical". Besides axe's
default rules (WCAG 2.x A and AA and best practices), the AAA rule for text contrast (7:1,
"color-contrast-enhanced") is switched on: many volunteers and visitors are older.
"""

import datetime
import importlib
import uuid

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from locations.models import DayPart, Location, Role
from visitors import services as visit_services
from visitors.models import Source, Visit

from .factories import PASSWORD, MembershipFactory, UserFactory
from .support import axe_violations, logged_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUURTKAMERS_MIGRATION = importlib.import_module("locations.migrations.0002_the_four_buurtkamers")


@pytest.fixture
def people(db):
    """Dokkum with a coordinator, a volunteer, staff with TOTP, a tablet, visits and a tally."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    # A transactional test before this one may have flushed the migration's locations.
    BUURTKAMERS_MIGRATION.create_locations(django_apps, None)
    dokkum = Location.objects.get(slug="dokkum")
    coordinator = MembershipFactory(
        location=dokkum, role=Role.COORDINATOR, user__first_name="Jan"
    ).user
    volunteer = MembershipFactory(location=dokkum, role=Role.VOLUNTEER, user__first_name="Anneke")
    staff = UserFactory(is_aanzet_staff=True, first_name="Sietske")
    TOTP.activate(staff, generate_totp_secret())

    tablet, token = visit_services.pair_tablet(
        location=dokkum, name="Tablet voordeur", paired_by=coordinator
    )
    for _ in range(3):
        visit_services.record_visit(location=dokkum, client_id=uuid.uuid4(), tablet=tablet)
    visit_services.record_tally(
        location=dokkum,
        date=timezone.localdate() - datetime.timedelta(days=1),
        day_part=DayPart.MORNING,
        visitors=4,
        first_visits=1,
        user=coordinator,
    )
    return {
        "dokkum": dokkum,
        "coordinator": coordinator,
        "volunteer": volunteer.user,
        "staff": staff,
        "tablet_token": token,
    }


@pytest.fixture
def context(browser, live_server):
    """A Dutch browser context. bypass_csp: axe-core is injected as an inline script, which the
    site's Content Security Policy (script-src 'self', rightly) would block. Only here is the CSP
    set aside; the other browser tests run with it and fail on any violation."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1024, "height": 768},
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        bypass_csp=True,
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def as_tablet(context, live_server, token):
    context.add_cookies(
        [{"name": settings.TABLET_COOKIE_NAME, "value": token, "url": live_server.url}]
    )
    return context


def check(context, url, axe_script, heading=None):
    page = context.new_page()
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status} ({page.url})"
    if heading is not None:
        assert page.get_by_role("heading", level=1).first.inner_text().startswith(heading)
    found = axe_violations(page, axe_script)
    assert not found, f"axe-core on {url}:\n" + "\n".join(found)
    return page


DOKKUM = {"slug": "dokkum"}

# (who, url, what the h1 starts with)
PAGES = [
    ("anonymous", reverse("account_login"), "Inloggen"),
    ("anonymous", reverse("account_request_login_code"), None),
    ("anonymous", reverse("account_reset_password"), None),
    ("volunteer", reverse("dashboard"), "Goedendag"),
    ("volunteer", reverse("locations:detail", kwargs=DOKKUM), "Buurtkamer Dokkum"),
    ("coordinator", reverse("dashboard"), "Goedendag"),
    ("coordinator", reverse("locations:detail", kwargs=DOKKUM), "Buurtkamer Dokkum"),
    ("coordinator", reverse("locations:team", kwargs=DOKKUM), None),
    ("coordinator", reverse("locations:opening-hours", kwargs=DOKKUM), None),
    ("coordinator", reverse("visitors:today", kwargs=DOKKUM), "Vandaag in"),
    ("coordinator", reverse("visitors:tallies", kwargs=DOKKUM), None),
    ("coordinator", reverse("visitors:tablets", kwargs=DOKKUM), None),
    ("staff", reverse("dashboard"), "Goedendag"),
    ("staff", reverse("locations:list"), "Locaties"),
    ("staff", reverse("audit-log"), "Auditlog"),
    ("staff", reverse("mfa_index"), None),
    ("tablet", reverse("visitors:tablet", kwargs=DOKKUM), "Vandaag binnen"),
    ("tablet", reverse("visitors:tablet-logbook", kwargs=DOKKUM), "Schrijf in het logboek"),
]


@pytest.mark.parametrize(
    ("who", "url", "heading"), PAGES, ids=[f"{who}:{url}" for who, url, _ in PAGES]
)
def test_page_has_no_serious_accessibility_violations(
    context, live_server, people, axe_script, who, url, heading
):
    if who == "tablet":
        as_tablet(context, live_server, people["tablet_token"])
    elif who != "anonymous":
        logged_in_as(context, live_server, people[who])
    check(context, url, axe_script, heading)


def test_the_login_page_with_an_error_has_no_serious_violations(
    context, live_server, people, axe_script
):
    page = context.new_page()
    page.goto(reverse("account_login"))
    page.locator("#id_login").fill(people["volunteer"].email)
    page.locator("#id_password").fill("niet-mijn-wachtwoord")
    page.locator("main form button[type=submit]").click()
    page.get_by_text("e-mailadres en/of wachtwoord is niet correct").wait_for()

    found = axe_violations(page, axe_script)
    assert not found, "axe-core on the login page with an error:\n" + "\n".join(found)


def test_the_pages_staff_without_totp_are_sent_to_have_no_serious_violations(
    context, live_server, people, axe_script
):
    newcomer = UserFactory(is_aanzet_staff=True, first_name="Wiebe")
    logged_in_as(context, live_server, newcomer)

    # First allauth asks for the password again, with our message saying why ...
    page = check(context, reverse("dashboard"), axe_script)
    assert reverse("account_reauthenticate") in page.url
    assert "tweestapsverificatie voor jou verplicht" in page.locator(".messages").inner_text()
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")

    # ... then the page with the QR code.
    page.wait_for_url(f"**{reverse('mfa_activate_totp')}")
    found = axe_violations(page, axe_script)
    assert not found, "axe-core on the TOTP set-up page:\n" + "\n".join(found)


def test_the_tablet_works_with_the_keyboard_alone(context, live_server, people, axe_script):
    as_tablet(context, live_server, people["tablet_token"])
    page = context.new_page()
    page.goto(reverse("visitors:tablet", kwargs=DOKKUM))
    before = Visit.objects.filter(source=Source.TABLET).count()
    counter = page.locator("#teller")
    assert counter.inner_text() == str(before)

    # Tab from the top of the page reaches the big button within a few steps ...
    for _step in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "tik-knop":
            break
    else:
        pytest.fail("five times Tab did not reach the button 'Bezoeker binnen'")
    # ... and shows where the focus is.
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert outline[0] != "none" and outline[1] >= 2, f"no visible focus on the button: {outline}"

    # Enter records a visit.
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"document.getElementById('teller').textContent.trim() === '{before + 1}'"
    )
    page.wait_for_function("() => document.getElementById('wachtrij').hidden === true")
    assert Visit.objects.filter(source=Source.TABLET).count() == before + 1

    # The optional facts are reachable too: Tab into "Voor het eerst hier?", arrows choose.
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.name, document.activeElement.value]")
    assert focused == ["first_visit", "unknown"], focused
    page.keyboard.press("ArrowRight")
    chosen = page.evaluate("document.querySelector('input[name=first_visit]:checked').value")
    assert chosen != "unknown"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "tik-knop"
    page.wait_for_timeout(600)  # the next visitor: not a double tap within half a second
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"document.getElementById('teller').textContent.trim() === '{before + 2}'"
    )
    page.wait_for_function("() => document.getElementById('wachtrij').hidden === true")
    newest = Visit.objects.filter(source=Source.TABLET).latest("recorded_at")
    assert newest.first_visit == chosen

    # And the page stays free of serious violations after the taps (feedback, undo buttons).
    found = axe_violations(page, axe_script)
    assert not found, "axe-core on the tablet after two taps:\n" + "\n".join(found)
