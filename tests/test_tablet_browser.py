"""The check-in screen in a real Chromium: pair, tap, undo, lose the network, reload, recover.

Nothing may be lost or doubled: after 3 taps, 1 undo, 3 taps offline, a reload while offline and
the network coming back, the screen says 5 and the database holds exactly 5 counted visits.
"""

import datetime
import importlib
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.apps import apps as django_apps
from django.utils import timezone

from locations.models import Location, LogEntry, Role
from visitors import services
from visitors.models import Source, Tablet, Visit

from .factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUURTKAMERS_MIGRATION = importlib.import_module("locations.migrations.0002_the_four_buurtkamers")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
SIZES = [(1024, 768), (768, 1024), (390, 844)]


@pytest.fixture
def coordinator_of_dokkum():
    # A transactional test before this one may have flushed the migration's locations.
    BUURTKAMERS_MIGRATION.create_locations(django_apps, None)
    dokkum = Location.objects.get(slug="dokkum")
    return MembershipFactory(location=dokkum, role=Role.COORDINATOR).user


@pytest.fixture
def tablet_context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1024, "height": 768},
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
    )
    context.set_default_timeout(15_000)
    foreign = []
    context.on(
        "request",
        lambda request: (
            foreign.append(request.url)
            if urlsplit(request.url).hostname not in {"127.0.0.1", "localhost"}
            and urlsplit(request.url).scheme in {"http", "https"}
            else None
        ),
    )
    yield context, foreign
    context.close()


def pair_this_browser(page, email):
    page.goto("/accounts/login/?next=/tablet/dokkum/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/tablet/dokkum/")
    page.get_by_label("Naam van deze tablet").fill("Tablet Dokkum voordeur")
    page.get_by_role("button", name="Koppel deze tablet").click()
    page.wait_for_url("**/tablet/dokkum/")


def counter(page):
    return page.locator("#teller")


def next_visitor(page):
    """The next visitor comes in: more than half a second after the tap before, which would
    otherwise be a finger that bounced (a double tap, counted once)."""
    page.wait_for_timeout(600)


def wait_until_sent(page):
    page.wait_for_function("() => document.getElementById('wachtrij').hidden === true")


def cached_paths(page):
    """The paths in the tablet service worker's cache (page.evaluate awaits the promise, which
    wait_for_function would take as a truthy value at once)."""
    return page.evaluate(
        "async () => (await (await caches.open('buurtkamer-tablet-v1')).keys())"
        ".map((request) => new URL(request.url).pathname)"
    )


def wait_for_cache(page, condition, seconds=15):
    """Wait until condition(the cached paths) holds; those paths."""
    for _ in range(seconds * 10):
        paths = cached_paths(page)
        if condition(paths):
            return paths
        page.wait_for_timeout(100)
    raise AssertionError(f"the service worker's cache holds {paths}")


def test_taps_survive_undo_offline_and_reload_and_are_stored_exactly_once(
    tablet_context, coordinator_of_dokkum
):
    context, foreign = tablet_context
    page = context.new_page()
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    pair_this_browser(page, coordinator_of_dokkum.email)
    assert Tablet.objects.filter(name="Tablet Dokkum voordeur").exists()
    assert page.get_by_text("Koppel deze tablet").count() == 0  # logged out: a tablet now
    # The service worker is active and holds the page for offline use.
    wait_for_cache(page, lambda paths: "/tablet/dokkum/" in paths)

    button = page.get_by_role("button", name="Bezoeker binnen")
    for _ in range(3):
        next_visitor(page)
        button.click()
    wait_until_sent(page)
    assert counter(page).inner_text() == "3"

    page.get_by_role("button", name="Ongedaan maken").first.click()
    wait_until_sent(page)
    assert counter(page).inner_text() == "2"
    assert console_errors == []

    context.set_offline(True)
    for _ in range(3):
        next_visitor(page)
        button.click()
    status = page.locator("#wachtrij")
    assert status.inner_text().startswith("3 wachten op verbinding")
    assert counter(page).inner_text() == "5"

    page.reload()
    assert page.get_by_role("button", name="Bezoeker binnen").is_visible()
    assert page.locator("#wachtrij").inner_text().startswith("3 wachten op verbinding")
    assert counter(page).inner_text() == "5"

    context.set_offline(False)
    wait_until_sent(page)
    assert counter(page).inner_text() == "5"

    assert Visit.objects.counted().filter(source=Source.TABLET).count() == 5
    assert Visit.objects.count() == 6  # the undone one is kept, voided
    assert Visit.objects.exclude(voided_at=None).count() == 1
    assert foreign == []

    SCREENSHOTS.mkdir(exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=SCREENSHOTS / f"tablet-{width}x{height}.png", full_page=True)


def test_the_plain_tap_is_one_tap_and_the_facts_reset_after_it(
    tablet_context, coordinator_of_dokkum
):
    context, _ = tablet_context
    page = context.new_page()
    pair_this_browser(page, coordinator_of_dokkum.email)

    page.get_by_text("Ja", exact=True).click()
    page.get_by_text("65 en ouder").click()
    page.get_by_role("button", name="Bezoeker binnen").click()
    wait_until_sent(page)
    next_visitor(page)
    page.get_by_role("button", name="Bezoeker binnen").click()
    wait_until_sent(page)

    first, second = Visit.objects.order_by("recorded_at")
    assert (first.first_visit, first.age_band) == ("yes", "65_plus")
    assert (second.first_visit, second.age_band) == ("unknown", "")
    assert page.locator("#eerste-unknown").is_checked()


def test_the_tablet_screen_is_large_enough_for_the_door(tablet_context, coordinator_of_dokkum):
    context, _ = tablet_context
    page = context.new_page()
    pair_this_browser(page, coordinator_of_dokkum.email)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        sizes = page.evaluate(
            """() => [...document.querySelectorAll(
                      '#tablet p, #tablet li, #tablet legend, #tablet label, #tablet button')]
                  .filter((el) => el.offsetParent !== null)
                  .map((el) => parseFloat(getComputedStyle(el).fontSize))"""
        )
        assert min(sizes) >= 20, f"text under 20px at {width}x{height}"
        heights = page.evaluate(
            """() => [...document.querySelectorAll('#tablet .btn')]
                  .filter((el) => el.offsetParent !== null)
                  .map((el) => el.getBoundingClientRect().height)"""
        )
        assert min(heights) >= 64, f"a button lower than 64px at {width}x{height}"
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"the page is wider than the screen at {width}x{height}"


def test_undo_while_the_tap_is_on_its_way_voids_that_tap_and_keeps_the_next(
    browser, live_server, coordinator_of_dokkum
):
    # No service worker here, so that the test can hold the first check-in on its way.
    context = browser.new_context(
        base_url=live_server.url,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        service_workers="block",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    pair_this_browser(page, coordinator_of_dokkum.email)
    held = []

    def hold_the_first(route):
        if not held:
            held.append(route)  # answered below, after the undo
        else:
            route.continue_()

    page.route("**/api/bezoek/", hold_the_first)
    button = page.get_by_role("button", name="Bezoeker binnen")
    button.click()
    page.wait_for_function("() => document.querySelectorAll('#recent .undo-button').length === 1")
    next_visitor(page)
    button.click()  # waits behind the first one
    page.get_by_role("button", name="Ongedaan maken").last.click()  # the first tap, in flight
    held[0].continue_()
    wait_until_sent(page)

    assert Visit.objects.count() == 2
    assert Visit.objects.counted().count() == 1
    assert counter(page).inner_text() == "1"
    context.close()


def test_visitors_counted_elsewhere_reach_the_screen_within_a_minute(
    tablet_context, coordinator_of_dokkum
):
    """While its counts are less than a minute old the tablet adds its own taps (in a busy
    moment the server need not count the day for every tap); a minute later the next tap
    brings the server's counts, with what was counted elsewhere meanwhile."""
    context, _ = tablet_context
    page = context.new_page()
    # Midday, for the server (this process) and the page alike: run just before midnight, the
    # minute moved on would take the page into a new day with its counts at 0 (as it should).
    noon = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(12)))
    with time_machine.travel(noon, tick=True):
        page.clock.install(time=noon)  # the page's clock runs as usual, and can be moved on
        pair_this_browser(page, coordinator_of_dokkum.email)
        button = page.get_by_role("button", name="Bezoeker binnen")
        button.click()
        wait_until_sent(page)
        assert counter(page).inner_text() == "1"

        dokkum = Location.objects.get(slug="dokkum")  # a coordinator counts one at the door
        services.record_visit(location=dokkum, client_id=uuid.uuid4(), user=coordinator_of_dokkum)
        next_visitor(page)
        button.click()
        wait_until_sent(page)
        assert counter(page).inner_text() == "2"  # its own two: the counts were fresh

        page.clock.fast_forward("01:01")
        next_visitor(page)
        button.click()
        wait_until_sent(page)
        assert counter(page).inner_text() == "4"
        assert Visit.objects.counted().count() == 4


def test_a_double_tap_counts_once_and_says_so(tablet_context, coordinator_of_dokkum):
    context, _ = tablet_context
    page = context.new_page()
    pair_this_browser(page, coordinator_of_dokkum.email)

    button = page.get_by_role("button", name="Bezoeker binnen")
    button.dblclick()
    assert page.locator("#bevestiging").inner_text() == "Dubbel getikt: één keer geteld."
    wait_until_sent(page)
    next_visitor(page)
    button.click()
    wait_until_sent(page)

    assert counter(page).inner_text() == "2"
    assert Visit.objects.count() == 2


def test_each_recent_tap_says_what_it_was_right_after_the_tap(
    tablet_context, coordinator_of_dokkum
):
    context, _ = tablet_context
    page = context.new_page()
    pair_this_browser(page, coordinator_of_dokkum.email)

    page.get_by_text("Ja", exact=True).click()
    page.get_by_text("65 en ouder").click()
    page.get_by_role("button", name="Bezoeker binnen").click()
    wait_until_sent(page)
    next_visitor(page)
    page.get_by_role("button", name="Bezoeker binnen").click()
    wait_until_sent(page)

    labels = page.locator("#recent .recent-label").all_inner_texts()
    assert labels == ["bezoeker", "eerste bezoek · 65 en ouder"]
    page.reload()  # the server says the same
    assert page.locator("#recent .recent-label").all_inner_texts() == labels


def test_a_volunteer_on_the_tablet_writes_in_the_logbook_and_is_logged_out(
    tablet_context, coordinator_of_dokkum
):
    """Issue 11: after writing on the shared tablet nobody stays logged in there."""
    context, foreign = tablet_context
    dokkum = Location.objects.get(slug="dokkum")
    volunteer = MembershipFactory(
        location=dokkum, role=Role.VOLUNTEER, user__first_name="Anneke"
    ).user
    page = context.new_page()
    pair_this_browser(page, coordinator_of_dokkum.email)

    def tablet_token():
        return next(c["value"] for c in context.cookies() if c["name"] == "buurtkamer-tablet")

    paired_with = tablet_token()

    # She logs in on the tablet anyway, and writes in the logbook as herself.
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(volunteer.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/")
    assert page.get_by_text("Je bent ingelogd op de tablet van Buurtkamer Dokkum").is_visible()
    page.goto("/locaties/dokkum/logboek/nieuw/")
    page.get_by_label("Wat wil je vastleggen?").fill("De verwarming in de achterkamer is stuk.")
    page.get_by_role("button", name="Opslaan in het logboek").click()

    # The tablet is back on its counting screen, and she is logged out.
    page.wait_for_url("**/tablet/dokkum/")
    assert page.get_by_role("button", name="Bezoeker binnen").is_visible()
    assert page.get_by_text("op de tablet blijft niemand ingelogd").is_visible()
    names = {cookie["name"] for cookie in context.cookies()}
    assert "sessionid" not in names
    assert tablet_token() == paired_with  # still paired, the same credential
    page.goto("/mijn-gegevens/")
    assert "/accounts/login/" in page.url
    assert page.get_by_text("Mijn gegevens").count() == 0

    entry = LogEntry.objects.get()
    assert entry.author == volunteer
    assert Tablet.objects.get().is_paired
    assert foreign == []


def test_the_tablet_writes_in_the_logbook_without_a_login(tablet_context, coordinator_of_dokkum):
    context, _ = tablet_context
    page = context.new_page()
    pair_this_browser(page, coordinator_of_dokkum.email)

    page.get_by_role("link", name="Schrijf in het logboek").click()
    page.wait_for_url("**/tablet/dokkum/logboek/")
    page.get_by_label("Je voornaam (niet verplicht)").fill("Anneke")
    page.get_by_text("Onderhoud", exact=True).click()
    page.get_by_label("Wat wil je vastleggen?").fill("De koffieautomaat lekt.")
    page.get_by_text("De coördinator moet hier iets mee doen").click()
    heights = page.evaluate(
        """() => [...document.querySelectorAll('.tablet-logbook :is(.btn, .form-control)')]
              .filter((el) => el.offsetParent !== null)
              .map((el) => el.getBoundingClientRect().height)"""
    )
    assert min(heights) >= 64, "a touch target lower than 64px"
    page.get_by_role("button", name="Opslaan in het logboek").click()

    page.wait_for_url("**/tablet/dokkum/")
    assert page.get_by_text("Je bericht staat in het logboek.").is_visible()
    entry = LogEntry.objects.get()
    assert (entry.author, entry.author_name, entry.kind) == (None, "Anneke", "maintenance")
    assert entry.needs_follow_up and entry.tablet == Tablet.objects.get()
    assert "sessionid" not in {cookie["name"] for cookie in context.cookies()}
    SCREENSHOTS.mkdir(exist_ok=True)
    page.goto("/tablet/dokkum/logboek/")
    page.screenshot(path=SCREENSHOTS / "tablet-logbook.png", full_page=True)


def test_a_tap_answered_413_is_dropped_and_does_not_block_the_queue(
    browser, live_server, coordinator_of_dokkum
):
    """A 413 can never turn into a success: the script drops that tap, says so, and sends the
    rest (it does not retry it forever with every tap behind it waiting)."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        service_workers="block",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    pair_this_browser(page, coordinator_of_dokkum.email)
    answered = []

    def too_large_once(route):
        if not answered:
            answered.append(413)
            route.fulfill(
                status=413,
                content_type="application/json",
                body='{"status": "too_large", "error": "Te groot.", "message": "Te groot."}',
            )
        else:
            route.continue_()

    page.route("**/api/bezoek/", too_large_once)
    button = page.get_by_role("button", name="Bezoeker binnen")
    button.click()
    page.wait_for_function(
        "() => document.getElementById('bevestiging').textContent === 'Te groot.'"
    )
    next_visitor(page)
    button.click()
    wait_until_sent(page)

    assert counter(page).inner_text() == "1"
    assert Visit.objects.count() == 1
    assert page.locator("#recent .undo-button").count() == 1  # the dropped tap is not listed
    context.close()


def test_a_new_service_worker_forgets_static_files_of_an_earlier_release(
    tablet_context, coordinator_of_dokkum
):
    """A release renames its static files (their hash): the tablet keeps only the current ones
    for offline use, not every release's files for ever."""
    context, _ = tablet_context
    page = context.new_page()
    pair_this_browser(page, coordinator_of_dokkum.email)
    old = "/static/css/old-release.0123456789ab.css"
    wait_for_cache(page, lambda paths: any(p.startswith("/static/js/tablet") for p in paths))
    page.evaluate(
        """async (old) => {
            const cache = await caches.open('buurtkamer-tablet-v1');
            await cache.put(old, new Response('p {}'));
            // The next release's worker: another script address installs and activates anew.
            await navigator.serviceWorker.register('/tablet/sw.js?release=2', {scope: '/tablet/'});
        }""",
        old,
    )
    assert old in cached_paths(page)
    paths = wait_for_cache(page, lambda paths: old not in paths)
    assert any(path.startswith("/static/js/tablet") for path in paths)
    assert "/tablet/dokkum/" in paths  # the page itself stays, for a reload offline
