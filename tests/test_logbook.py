"""The logbook of a location: its volunteers and coordinators write, a coordinator closes a
follow-up with a note, old entries are deleted after the retention period.

Dokkum is "ours": Anneke volunteers there, Jan coordinates it. Burgum's people are outsiders
(404). A paired tablet alone is not a person: it is sent to the login page.
"""

import datetime
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buurtkamer.models import AuditEvent
from locations import demo, services
from locations.models import Closure, DayPart, Location, LogEntry
from visitors import services as visit_services

from .factories import PASSWORD, LocationFactory, MembershipFactory, UserFactory
from .test_accessibility import axe_script  # noqa: F401 - the fixture
from .test_authorization_matrix import fetch_mode_raise

TODAY = timezone.localdate()


def url(name, slug="dokkum", **kwargs):
    return reverse(f"locations:{name}", kwargs={"slug": slug, **kwargs})


def entry_in(location, *, text="Iets gebeurd.", author=None, **fields):
    return LogEntry.objects.create(location=location, text=text, author=author, **fields)


def open_follow_up(location, author=None, text="Jongeren bij de ingang, veel lawaai."):
    return entry_in(
        location, text=text, author=author, kind=LogEntry.Kind.INCIDENT, needs_follow_up=True
    )


def count_queries(client, address):
    client.get(address)  # warm up: session, translations
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


# Writing -----------------------------------------------------------------------------------------


def test_a_volunteer_writes_an_entry_and_the_team_reads_it(
    client, login, volunteer, coordinator, dokkum
):
    login(volunteer)
    response = client.post(
        url("logbook-new"),
        {
            "date": TODAY.isoformat(),
            "day_part": DayPart.AFTERNOON,
            "kind": LogEntry.Kind.MAINTENANCE,
            "text": "De verwarming in de achterkamer doet het niet.",
            "needs_follow_up": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == url("logbook")
    entry = LogEntry.objects.get()
    assert (entry.location, entry.author, entry.date) == (dokkum, volunteer, TODAY)
    assert entry.kind == LogEntry.Kind.MAINTENANCE and entry.day_part == DayPart.AFTERNOON
    assert entry.needs_follow_up and entry.is_open

    login(coordinator)
    page = client.get(url("logbook")).text
    assert "De verwarming in de achterkamer doet het niet." in page
    assert "Geschreven door Anneke" in page
    assert "Actie nodig" in page
    assert url("logbook-close", pk=entry.pk) in page


def test_the_form_warns_never_to_name_visitors_right_above_the_text(client, login, volunteer):
    login(volunteer)

    page = client.get(url("logbook-new")).text

    notice = page.index("Schrijf nooit de naam van een bezoeker op.")
    assert notice < page.index('name="text"')
    assert page.index('name="kind"') < notice  # between the kind and the text
    assert 'role="note"' in page


def test_the_form_starts_on_today(client, login, volunteer):
    login(volunteer)

    page = client.get(url("logbook-new")).text

    assert f'value="{TODAY.isoformat()}"' in page


def test_an_entry_without_text_or_with_a_future_date_is_refused_and_keeps_what_was_typed(
    client, login, volunteer
):
    login(volunteer)
    tomorrow = TODAY + datetime.timedelta(days=1)

    response = client.post(
        url("logbook-new"),
        {"date": tomorrow.isoformat(), "kind": LogEntry.Kind.GENERAL, "text": "Alvast genoteerd"},
    )

    assert response.status_code == 400
    assert "Deze datum ligt te ver vooruit." in response.text
    assert "Alvast genoteerd" in response.text
    response = client.post(url("logbook-new"), {"date": TODAY.isoformat(), "kind": "general"})
    assert response.status_code == 400
    assert "Schrijf op wat er gebeurde." in response.text
    assert not LogEntry.objects.exists()


def test_a_coordinator_and_staff_write_too(client, login, coordinator, staff, dokkum, burgum):
    login(coordinator)
    client.post(url("logbook-new"), {"date": TODAY.isoformat(), "kind": "signal", "text": "A"})
    login(staff)
    client.post(
        url("logbook-new", "burgum"), {"date": TODAY.isoformat(), "kind": "general", "text": "B"}
    )

    assert LogEntry.objects.get(text="A").location == dokkum
    assert LogEntry.objects.get(text="B").location == burgum


def test_outsiders_neither_read_nor_write(
    client, login, other_volunteer, other_coordinator, dokkum
):
    open_follow_up(dokkum)
    for person in (other_volunteer, other_coordinator):
        login(person)
        assert client.get(url("logbook")).status_code == 404
        assert client.get(url("logbook-new")).status_code == 404
        response = client.post(
            url("logbook-new"), {"date": TODAY.isoformat(), "kind": "general", "text": "Hallo"}
        )
        assert response.status_code == 404
    assert LogEntry.objects.count() == 1


def test_the_paired_tablet_alone_gets_the_login_page(client, coordinator, dokkum):
    _tablet, token = visit_services.pair_tablet(
        location=dokkum, name="Voordeur", paired_by=coordinator
    )
    client.cookies[settings.TABLET_COOKIE_NAME] = token

    for address in (url("logbook"), url("logbook-new")):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    response = client.post(
        url("logbook-new"), {"date": TODAY.isoformat(), "kind": "general", "text": "Van de tablet"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not LogEntry.objects.exists()


def test_a_volunteer_of_another_location_sees_only_their_own_logbook(
    client, login, other_volunteer, dokkum, burgum
):
    entry_in(dokkum, text="Alleen voor Dokkum")
    entry_in(burgum, text="Alleen voor Burgum")
    login(other_volunteer)

    page = client.get(url("logbook", "burgum")).text

    assert "Alleen voor Burgum" in page
    assert "Alleen voor Dokkum" not in page


# Closing a follow-up -----------------------------------------------------------------------------


def test_a_coordinator_closes_a_follow_up_with_a_note_and_it_is_audited(
    client, login, coordinator, volunteer, dokkum
):
    entry = open_follow_up(dokkum, author=volunteer)
    login(coordinator)
    assert "Jongeren bij de ingang" in client.get(url("logbook-close", pk=entry.pk)).text

    response = client.post(
        url("logbook-close", pk=entry.pk), {"closing_note": "Met de wijkagent besproken."}
    )

    assert response.status_code == 302
    assert response["Location"] == url("logbook")
    entry.refresh_from_db()
    assert entry.closed_by == coordinator and entry.closed_at is not None
    assert entry.closing_note == "Met de wijkagent besproken."
    assert not entry.is_open
    event = AuditEvent.objects.get(action=services.AUDIT_FOLLOW_UP_CLOSED)
    assert (event.actor, event.location) == (coordinator, dokkum)

    login(volunteer)  # the team reads how it was handled
    page = client.get(url("logbook")).text
    assert "Met de wijkagent besproken." in page
    assert "Afgehandeld door Jan" in page


def test_closing_needs_a_note(client, login, coordinator, dokkum):
    entry = open_follow_up(dokkum)
    login(coordinator)

    response = client.post(url("logbook-close", pk=entry.pk), {"closing_note": "   "})

    assert response.status_code == 400
    assert "Schrijf kort op wat er mee gedaan is." in response.text
    entry.refresh_from_db()
    assert entry.is_open


def test_a_volunteer_may_not_close_a_follow_up(client, login, volunteer, dokkum):
    entry = open_follow_up(dokkum)
    login(volunteer)

    assert client.get(url("logbook-close", pk=entry.pk)).status_code == 403
    response = client.post(url("logbook-close", pk=entry.pk), {"closing_note": "Opgelost"})

    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.is_open
    assert "Afhandelen" not in client.get(url("logbook")).text


def test_staff_close_a_follow_up_anywhere(client, login, staff, burgum):
    entry = open_follow_up(burgum)
    login(staff)

    response = client.post(url("logbook-close", "burgum", pk=entry.pk), {"closing_note": "Klaar"})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.closed_by == staff


def test_a_follow_up_closed_already_or_never_asked_is_not_closed_again(
    client, login, coordinator, other_coordinator, dokkum
):
    entry = open_follow_up(dokkum)
    services.close_follow_up(entry=entry, closed_by=other_coordinator, note="Eerste")
    plain = entry_in(dokkum, text="Gewoon een gezellige middag.")
    login(coordinator)

    for target in (entry, plain):
        response = client.post(url("logbook-close", pk=target.pk), {"closing_note": "Tweede"})
        assert response.status_code == 302
        assert response["Location"] == url("logbook")
    entry.refresh_from_db()
    plain.refresh_from_db()
    assert entry.closing_note == "Eerste" and entry.closed_by == other_coordinator
    assert plain.closed_at is None and plain.closing_note == ""
    with pytest.raises(services.LocationError) as error:
        services.close_follow_up(entry=entry, closed_by=coordinator, note="Derde")
    assert error.value.code == "not_open"


def test_an_entry_of_another_location_cannot_be_closed_under_this_one(
    client, login, coordinator, burgum
):
    entry = open_follow_up(burgum)
    login(coordinator)

    response = client.post(url("logbook-close", pk=entry.pk), {"closing_note": "Opgelost"})

    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.is_open


# The list: filters, pages, queries ---------------------------------------------------------------


def test_the_list_is_newest_first_and_filters_by_kind_and_open_follow_ups(
    client, login, volunteer, dokkum
):
    entry_in(dokkum, text="Oudste bericht", date=TODAY - datetime.timedelta(days=3))
    entry_in(
        dokkum,
        text="Lekkende kraan",
        kind=LogEntry.Kind.MAINTENANCE,
        date=TODAY - datetime.timedelta(days=1),
    )
    open_follow_up(dokkum, text="Ruzie aan de leestafel")
    closed = open_follow_up(dokkum, text="Glas gebroken")
    services.close_follow_up(entry=closed, closed_by=None, note="Opgeruimd")
    login(volunteer)

    page = client.get(url("logbook")).text
    assert page.index("Ruzie aan de leestafel") < page.index("Lekkende kraan")
    assert page.index("Lekkende kraan") < page.index("Oudste bericht")
    assert "Er staat 1 melding open voor de coördinator." in page

    page = client.get(url("logbook"), {"kind": "maintenance"}).text
    assert "Lekkende kraan" in page and "Oudste bericht" not in page
    assert "Ruzie aan de leestafel" not in page

    page = client.get(url("logbook"), {"open": "on"}).text
    assert "Ruzie aan de leestafel" in page
    assert "Glas gebroken" not in page and "Lekkende kraan" not in page

    page = client.get(url("logbook"), {"kind": "onzin"}).text  # a wrong filter shows all
    assert "Oudste bericht" in page


def test_the_list_has_pages_of_25(client, login, volunteer, dokkum):
    for number in range(30):
        entry_in(
            dokkum, text=f"Bericht nummer {number:02}", date=TODAY - datetime.timedelta(days=number)
        )
    login(volunteer)

    first = client.get(url("logbook")).text
    second = client.get(url("logbook"), {"pagina": 2}).text

    assert "Bericht nummer 00" in first and "Bericht nummer 24" in first
    assert "Bericht nummer 25" not in first
    assert "Bericht nummer 25" in second and "Bericht nummer 29" in second
    assert "Blad 2 van 2" in second


@pytest.mark.parametrize("persona", ["volunteer", "coordinator", "staff"])
def test_the_list_runs_the_same_queries_for_many_more_entries_and_loads_nothing_lazily(
    client, login, personas, dokkum, persona, django_assert_max_num_queries
):
    coordinator = personas["coordinator"]
    open_follow_up(dokkum, author=personas["volunteer"])
    login(personas[persona])
    few = count_queries(client, url("logbook"))

    for number in range(40):
        writer = UserFactory(first_name=f"Schrijver {number}")
        MembershipFactory(location=dokkum, user=writer)
        entry = open_follow_up(dokkum, author=writer, text=f"Melding {number}")
        if number % 2:
            services.close_follow_up(entry=entry, closed_by=coordinator, note=f"Gedaan {number}")

    with django_assert_max_num_queries(few), fetch_mode_raise():
        response = client.get(url("logbook"), {"kind": "incident"})
    assert response.status_code == 200
    assert response.text.count('id="bericht-') == 25


# Retention ---------------------------------------------------------------------------------------


def written(day, hour=12):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_purge_deletes_entries_past_the_retention_period_only_and_counts_them(dokkum, burgum):
    # Rule changed (issue 12): by when an entry was written, and never an open follow-up.
    now = timezone.make_aware(datetime.datetime(2026, 11, 23, 12, 0))
    too_old = [
        entry_in(dokkum, created_at=written(datetime.date(2024, 11, 22), 23)),
        entry_in(
            burgum,
            created_at=written(datetime.date(2020, 1, 1)),
            needs_follow_up=True,
            closed_at=written(datetime.date(2020, 1, 2)),
        ),
    ]
    kept = [
        entry_in(dokkum, created_at=written(datetime.date(2024, 11, 23), 0)),  # 24 months: kept
        entry_in(burgum, created_at=written(datetime.date(2026, 11, 23))),
        entry_in(burgum, created_at=written(datetime.date(2020, 1, 1)), needs_follow_up=True),
    ]

    assert services.purge_old_logbook_entries(now=now) == 2

    assert set(LogEntry.objects.values_list("pk", flat=True)) == {entry.pk for entry in kept}
    assert not LogEntry.objects.filter(pk__in=[entry.pk for entry in too_old]).exists()
    assert services.purge_old_logbook_entries(now=now) == 0


def test_the_retention_period_is_a_setting(settings, dokkum):
    settings.LOGBOOK_RETENTION_MONTHS = 6
    now = timezone.make_aware(datetime.datetime(2026, 11, 23, 12, 0))
    entry_in(dokkum, created_at=written(datetime.date(2026, 5, 22)))
    entry_in(dokkum, created_at=written(datetime.date(2026, 5, 23)))

    assert services.purge_old_logbook_entries(now=now) == 1
    assert LogEntry.objects.get().created_at == written(datetime.date(2026, 5, 23))


def test_the_default_retention_is_24_months():
    assert settings.LOGBOOK_RETENTION_MONTHS == 24


# The dashboard -----------------------------------------------------------------------------------


def test_a_coordinator_sees_the_open_follow_ups_of_their_locations(
    client, login, coordinator, dokkum, burgum
):
    entry = open_follow_up(dokkum, text="Jongeren gooiden met blikjes bij de ingang.")
    open_follow_up(burgum, text="Iets in Burgum")
    login(coordinator)

    page = client.get(reverse("dashboard")).text

    assert "Logboek: open meldingen" in page
    assert url("logbook-close", pk=entry.pk) in page
    assert "Jongeren gooiden met blikjes" in page
    assert "Iets in Burgum" not in page
    assert "1 open" in page


def test_staff_see_open_follow_ups_per_location(client, login, staff, dokkum, burgum):
    open_follow_up(dokkum)
    open_follow_up(dokkum)
    open_follow_up(burgum)
    login(staff)

    page = client.get(reverse("dashboard")).text

    assert "2 open" in page and "1 open" in page
    assert f"{url('logbook')}?open=on" in page


def test_a_volunteer_gets_no_logbook_panel(client, login, volunteer, dokkum):
    open_follow_up(dokkum)
    login(volunteer)

    assert "Logboek: open meldingen" not in client.get(reverse("dashboard")).text


@pytest.mark.parametrize("persona", ["coordinator", "staff"])
def test_the_dashboard_panel_runs_the_same_queries_for_more_locations_and_entries(
    client, login, personas, dokkum, persona, django_assert_max_num_queries
):
    open_follow_up(dokkum)
    login(personas[persona])
    few = count_queries(client, reverse("dashboard"))

    for _location in range(5):
        location = LocationFactory()
        MembershipFactory(location=location, user=personas["coordinator"], role="coordinator")
        for _entry in range(4):
            open_follow_up(location, author=personas["coordinator"])

    with django_assert_max_num_queries(few), fetch_mode_raise():
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200


def test_the_location_page_links_to_the_logbook(client, login, volunteer, coordinator):
    login(volunteer)
    page = client.get(url("detail")).text
    assert url("logbook") in page and url("logbook-new") in page
    assert url("closures") not in page

    login(coordinator)
    page = client.get(url("detail")).text
    assert url("settings") in page  # the workspace's tab "Instellingen" ...
    page = client.get(url("settings")).text
    assert url("closures") in page and url("house-rules") in page  # ... and what it holds


# Demo data ---------------------------------------------------------------------------------------


def test_the_demo_data_has_an_open_and_a_closed_follow_up_per_location_and_loads_twice(
    dokkum, coordinator, volunteer
):
    class Quiet:
        def write(self, text):
            pass

    demo.load(today=TODAY, stdout=Quiet())
    counts = LogEntry.objects.count(), dokkum.closures.count()
    demo.load(today=TODAY, stdout=Quiet())

    assert (LogEntry.objects.count(), dokkum.closures.count()) == counts
    for location in Location.objects.all():
        entries = LogEntry.objects.filter(location=location)
        assert entries.open_follow_ups().filter(kind=LogEntry.Kind.INCIDENT).count() == 1
        closed = entries.get(kind=LogEntry.Kind.MAINTENANCE)
        assert closed.closed_at and closed.closing_note
        assert location.closures.count() == 3
        assert location.house_rules
    dokkum.refresh_from_db()
    assert "Iedereen is welkom" in dokkum.house_rules
    assert LogEntry.objects.filter(location=dokkum, author=volunteer).exists()


def test_visitors_names_are_nowhere_in_the_demo_texts():
    texts = " ".join(entry[3] for entry in demo.ENTRIES)
    assert not re.search(r"\b(meneer|mevrouw) [A-Z]", texts)


# In the browser: a volunteer writes, the coordinator closes; screenshots -------------------------

SHOTS = Path("/work/helpers/shots/logbook")
SIZES = [(1024, 768), (768, 1024), (390, 844)]
BUURTKAMERS_MIGRATION = importlib.import_module("locations.migrations.0002_the_four_buurtkamers")


def log_in(page, email):
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda address: "/accounts/login/" not in address)


def no_horizontal_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_a_volunteer_writes_and_the_coordinator_closes(browser, live_server):
    BUURTKAMERS_MIGRATION.create_locations(django_apps, None)
    dokkum = Location.objects.get(slug="dokkum")
    volunteer = MembershipFactory(location=dokkum, user__first_name="Anneke").user
    coordinator = MembershipFactory(
        location=dokkum, role="coordinator", user__first_name="Jan"
    ).user
    for number in range(6):
        entry = entry_in(
            dokkum,
            author=volunteer,
            text="Gezellige ochtend met twaalf mensen aan de koffie. De nieuwe spellen vielen "
            "goed in de smaak; de suiker is bijna op.",
            kind=[LogEntry.Kind.GENERAL, LogEntry.Kind.MAINTENANCE][number % 2],
            date=TODAY - datetime.timedelta(days=number),
            needs_follow_up=number % 2 == 1,
        )
        if number == 3:
            services.close_follow_up(entry=entry, closed_by=coordinator, note="Monteur geweest.")
    Closure.objects.create(
        location=dokkum,
        starts_on=TODAY + datetime.timedelta(days=20),
        ends_on=TODAY + datetime.timedelta(days=22),
        reason="Verbouwing keuken",
    )
    Closure.objects.create(
        location=dokkum,
        starts_on=TODAY - datetime.timedelta(days=40),
        ends_on=TODAY - datetime.timedelta(days=40),
        reason="Teamuitje",
    )
    SHOTS.mkdir(parents=True, exist_ok=True)

    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1024, "height": 768},
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, volunteer.email)
        page.goto(url("logbook-new"))
        page.get_by_label("Incident of overlast").check()
        page.get_by_label("Wat wil je vastleggen?").fill(
            "Een groepje jongeren hing rond de ingang en maakte veel lawaai."
        )
        page.get_by_label("De coördinator moet hier iets mee doen").check()
        page.get_by_role("button", name="Opslaan in het logboek").click()
        page.wait_for_url(f"**{url('logbook')}")
        assert page.get_by_text("Je bericht staat in het logboek.").is_visible()
        written = LogEntry.objects.get(kind=LogEntry.Kind.INCIDENT)
        assert written.author == volunteer and written.is_open
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            for name in ("logbook", "logbook-new"):
                page.goto(url(name))
                assert no_horizontal_scroll(page), f"{name} at {width}px scrolls sideways"
                page.screenshot(path=SHOTS / f"{name}-{width}x{height}.png", full_page=True)

        page.context.clear_cookies()
        page.set_viewport_size({"width": 1024, "height": 768})
        log_in(page, coordinator.email)
        page.goto(url("logbook"))
        page.locator(f"#bericht-{written.pk}").get_by_role("link", name="Afhandelen").click()
        page.get_by_label("Wat is er mee gedaan?").fill("Met de wijkagent besproken.")
        page.screenshot(path=SHOTS / "logbook-close-1024x768.png", full_page=True)
        page.get_by_role("button", name="Afhandelen").click()
        page.wait_for_url(f"**{url('logbook')}")
        written.refresh_from_db()
        assert written.closed_by == coordinator

        page.goto(url("closures"))
        page.get_by_role("link", name=re.compile("Koningsdag")).click()
        page.get_by_role("button", name="Sluiting opslaan").click()
        page.get_by_text("De sluiting is opgeslagen: Koningsdag.").wait_for()
        assert Closure.objects.filter(reason="Koningsdag").exists()
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            for name in ("closures", "house-rules"):
                page.goto(url(name))
                assert no_horizontal_scroll(page), f"{name} at {width}px scrolls sideways"
                page.screenshot(path=SHOTS / f"{name}-{width}x{height}.png", full_page=True)
        page.goto("/")
        page.screenshot(path=SHOTS / f"dashboard-coordinator-{width}x{height}.png", full_page=True)
    finally:
        context.close()


# Accessibility of the new pages (axe-core, as tests/test_accessibility.py checks the others) -----


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_logbook_and_closure_pages_have_no_serious_accessibility_violations(
    browser,
    live_server,
    axe_script,  # noqa: F811 - the fixture imported above
):
    from .test_accessibility import axe_violations, logged_in_as

    BUURTKAMERS_MIGRATION.create_locations(django_apps, None)
    dokkum = Location.objects.get(slug="dokkum")
    coordinator = MembershipFactory(
        location=dokkum, role="coordinator", user__first_name="Jan"
    ).user
    entry = open_follow_up(dokkum, author=coordinator)
    closed = open_follow_up(dokkum, author=coordinator, text="Lamp stuk.")
    services.close_follow_up(entry=closed, closed_by=coordinator, note="Vervangen.")
    entry_in(dokkum, text="Rustig.", kind=LogEntry.Kind.SIGNAL, day_part=DayPart.MORNING)
    Closure.objects.create(location=dokkum, starts_on=TODAY, ends_on=TODAY, reason="Teamuitje")
    Closure.objects.create(
        location=dokkum,
        starts_on=TODAY + datetime.timedelta(days=9),
        ends_on=TODAY + datetime.timedelta(days=9),
        reason="Kermis",
    )
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", timezone_id="Europe/Amsterdam", bypass_csp=True
    )
    logged_in_as(context, live_server, coordinator)
    found = []
    try:
        page = context.new_page()
        for address in (
            url("logbook"),
            url("logbook-new"),
            url("logbook-close", pk=entry.pk),
            url("closures"),
            url("house-rules"),
            reverse("dashboard"),
        ):
            assert page.goto(address).status == 200
            found += [f"{address}: {problem}" for problem in axe_violations(page, axe_script)]
        page.goto(url("closures"))
        page.get_by_role("button", name="Sluiting opslaan").click()  # the form with its errors
        found += [f"closures with errors: {p}" for p in axe_violations(page, axe_script)]
    finally:
        context.close()
    assert not found, "\n".join(found)
