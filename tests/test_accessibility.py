"""Accessibility: the main pages checked with axe-core in Chromium, and the tablet by keyboard.

axe-core comes from npm: the first run installs it into tests/.axe/ (not committed), later runs
reuse it. Without npm or Chromium the tests are skipped, except on CI (CI=true), where they fail.
A page passes when axe finds no violation of impact "serious" or "critical". Besides axe's
default rules (WCAG 2.x A and AA and best practices), the AAA rule for text contrast (7:1,
"color-contrast-enhanced") is switched on: many volunteers and visitors are older.
"""

import datetime
import uuid

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from locations.models import DayPart, Location, Role
from visitors import services as visit_services
from visitors.models import Source, Visit

from .factories import PASSWORD, MembershipFactory, UserFactory
from .support import BUURTKAMERS_MIGRATION, as_tablet, axe_violations, check, logged_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


DOKKUM = {"slug": "dokkum"}

# (who, url, what the h1 starts with)
PAGES = [
    ("anonymous", reverse("account_login"), "Inloggen"),
    ("anonymous", reverse("account_request_login_code"), "Inloggen met een inlogcode"),
    ("anonymous", reverse("account_reset_password"), "Wachtwoord vergeten"),
    ("anonymous", reverse("account_reset_password_done"), "Kijk in je e-mail"),
    ("volunteer", reverse("account_logout"), "Uitloggen"),
    ("volunteer", reverse("account_reauthenticate"), "Bevestig dat jij het bent"),
    ("coordinator", reverse("mfa_index"), "Tweestapsverificatie"),
    ("volunteer", reverse("dashboard"), "Goedendag"),
    ("volunteer", reverse("locations:detail", kwargs=DOKKUM), "Buurtkamer Dokkum"),
    ("volunteer", reverse("volunteers:my-shifts"), "Mijn diensten"),
    ("coordinator", reverse("dashboard"), "Goedendag"),
    ("coordinator", reverse("locations:detail", kwargs=DOKKUM), "Buurtkamer Dokkum"),
    ("coordinator", reverse("locations:team", kwargs=DOKKUM), None),
    ("coordinator", reverse("locations:opening-hours", kwargs=DOKKUM), None),
    ("coordinator", reverse("visitors:today", kwargs=DOKKUM), "Vandaag in"),
    ("coordinator", reverse("visitors:tallies", kwargs=DOKKUM), None),
    ("coordinator", reverse("visitors:tablets", kwargs=DOKKUM), None),
    # The workspace of a location: its settings page, a page of each tab, the tablet to pair.
    ("coordinator", reverse("locations:settings", kwargs=DOKKUM), "Instellingen"),
    ("coordinator", reverse("locations:logbook", kwargs=DOKKUM), "Logboek"),
    ("coordinator", reverse("activities:calendar", kwargs=DOKKUM), "Agenda"),
    ("coordinator", reverse("volunteers:list", kwargs=DOKKUM), "Vrijwilligers"),
    ("coordinator", reverse("visitors:tablet", kwargs=DOKKUM), "Vandaag binnen"),
    ("staff", reverse("locations:detail", kwargs=DOKKUM), "Buurtkamer Dokkum"),
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


def test_the_coordinators_forms_the_programme_and_the_poster_have_no_serious_violations(
    context, live_server, people, axe_script
):
    """The pages of issue 14 (forms in headed parts, checks in the house colour, the week
    chooser on the poster, descriptions on the programme), each in the state that matters."""
    from activities import services as activity_services
    from activities.models import Activity, Category, Occurrence, Partner, PartnerKind

    dokkum, coordinator = people["dokkum"], people["coordinator"]
    today = timezone.localdate()
    activity = Activity.objects.create(
        location=dokkum,
        title="Koffieochtend",
        description="Een kop koffie en een praatje; iedereen is welkom.",
        category=Category.objects.get_or_create(name="Koffie en inloop")[0],
        starts_on=today,
        starts_at=datetime.time(10, 0),
        ends_at=datetime.time(11, 30),
    )
    library = Partner.objects.create(name="Bibliotheek", kind=PartnerKind.ASSOCIATION)
    library.locations.add(dokkum)
    activity.partners.add(library)
    activity_services.generate_occurrences(activity, today=today)
    future = activity.occurrences.filter(date__gt=today).first()
    past = Occurrence.objects.create(
        activity=activity,
        date=today - datetime.timedelta(days=7),
        starts_at=datetime.time(10, 0),
        ends_at=datetime.time(11, 30),
        changed_by_hand=True,
    )
    logged_in_as(context, live_server, coordinator)
    for url in [
        reverse("activities:activity-new", kwargs=DOKKUM),
        reverse("activities:activity-edit", kwargs={**DOKKUM, "pk": activity.pk}),
        past.get_absolute_url(),
        future.get_absolute_url(),
        reverse("activities:programme", kwargs=DOKKUM),
        reverse("activities:poster", kwargs=DOKKUM),
        reverse("activities:poster", kwargs=DOKKUM) + "?week=volgende",
        reverse("activities:poster", kwargs=DOKKUM) + "?week=2000-01-01",
        reverse("volunteers:my-profile"),
    ]:
        check(context, url, axe_script)


def test_the_recovery_codes_pages_have_no_serious_violations(
    context, live_server, people, axe_script
):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(people["staff"])
    logged_in_as(context, live_server, people["staff"])
    page = context.new_page()
    page.goto(reverse("mfa_view_recovery_codes"))
    # allauth asks for the password once more before these pages.
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"**{reverse('mfa_view_recovery_codes')}")
    assert page.get_by_role("link", name="Verder").is_visible()
    found = axe_violations(page, axe_script)
    assert not found, "axe-core on the recovery codes:\n" + "\n".join(found)

    page.get_by_role("link", name="Nieuwe codes genereren").click()
    page.wait_for_url(f"**{reverse('mfa_generate_recovery_codes')}")
    found = axe_violations(page, axe_script)
    assert not found, "axe-core on new recovery codes:\n" + "\n".join(found)
